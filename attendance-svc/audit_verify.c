/*
 * The audit log's hash chain, checked from outside the database (see
 * audit_verify.h and sql/0009_review_audit.sql).
 *
 * The database computes each entry's hash when the entry is appended; this
 * file rebuilds the canonical text of every entry from its stored fields and
 * recomputes the hash in C, so that a function replaced in the database cannot
 * vouch for a tampered entry. The walk reads the chain head first, then the
 * entries up to it in id order, a batch at a time (never the whole log in
 * memory). Entries appended meanwhile lie beyond the head and are left for the
 * next run; an entry up to the head commits with the head, so none is missing
 * from the walk unless it was removed.
 */
#include "audit_verify.h"

#include "log.h"
#include "migrate.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_TEXT_TAG "audit_log/1\n"
#define BATCH 1000

int audit_entry_hash(const char *const fields[AUDIT_TEXT_FIELDS], char out[SHA256_HEX_LEN + 1])
{
    /* Each field is "-" (NULL) or "<bytes>:<text>"; a length takes at most 20 digits. */
    size_t size = sizeof AUDIT_TEXT_TAG;
    for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
        size += fields[i] ? strlen(fields[i]) + 21 : 1;
    char *text = malloc(size);
    if (!text)
        return -1;
    size_t used = (size_t)snprintf(text, size, "%s", AUDIT_TEXT_TAG);
    for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
        used += (size_t)(fields[i] ? snprintf(text + used, size - used, "%zu:%s", strlen(fields[i]), fields[i])
                                   : snprintf(text + used, size - used, "-"));
    sha256_hex(text, used, out);
    free(text);
    return 0;
}

struct walk {
    long long count, last_id;
    char last_hash[SHA256_HEX_LEN + 1];
    const char *published_head; /* NULL: none to look for */
    long long published_id;     /* the entry whose hash it is; 0: not met yet */
    long long broken_id; /* 0: intact so far */
    char why[256];
};

/* Checks one batch of entries against the chain so far; false when out of memory. */
static bool check_entries(PGresult *r, struct walk *w)
{
    for (int row = 0; row < PQntuples(r) && !w->broken_id; row++) {
        const char *fields[AUDIT_TEXT_FIELDS];
        for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
            fields[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
        long long id = atoll(fields[AUDIT_COL_ID]);
        const char *stored = PQgetvalue(r, row, AUDIT_COL_HASH);
        char computed[SHA256_HEX_LEN + 1];
        if (audit_entry_hash(fields, computed) != 0)
            return false;
        if (!fields[AUDIT_COL_PREV_HASH] || strcmp(fields[AUDIT_COL_PREV_HASH], w->last_hash) != 0) {
            w->broken_id = id;
            if (w->last_id)
                snprintf(w->why, sizeof w->why,
                         "its prev_hash is not the hash of entry %lld before it: an entry between them was removed, "
                         "or this one's link was altered", w->last_id);
            else
                snprintf(w->why, sizeof w->why, "the first entry's prev_hash is not the genesis (64 zeros): "
                                                "entries before it were removed, or its link was altered");
        } else if (strcmp(computed, stored) != 0) {
            w->broken_id = id;
            snprintf(w->why, sizeof w->why, "its hash does not match its contents: the entry was altered "
                                            "(stored %.12s..., computed %.12s...)", stored, computed);
        } else {
            w->count++;
            w->last_id = id;
            if (w->published_head && strcmp(stored, w->published_head) == 0)
                w->published_id = id;
            memcpy(w->last_hash, stored, sizeof w->last_hash);
        }
    }
    return true;
}

/* The walk on one connection; the exit status. */
static int walk_chain(struct db_conn *db, const char *published_head, FILE *out)
{
    long long head_id;
    char head_hash[SHA256_HEX_LEN + 1];
    enum db_status st = store_audit_chain_head(db, &head_id, head_hash);
    if (st != DB_OK) {
        log_error("audit-verify: cannot read the chain head (database status %d)", (int)st);
        return AUDIT_VERIFY_FAILED;
    }
    struct walk w = {.last_hash = AUDIT_GENESIS_HASH, .published_head = published_head};
    for (;;) {
        PGresult *r = store_audit_chain_entries(db, w.last_id, head_id, BATCH, &st);
        if (!r) {
            log_error("audit-verify: cannot read the entries after %lld (database status %d)", w.last_id, (int)st);
            return AUDIT_VERIFY_FAILED;
        }
        bool ok = check_entries(r, &w);
        int rows = PQntuples(r);
        PQclear(r);
        if (!ok) {
            log_error("audit-verify: out of memory");
            return AUDIT_VERIFY_FAILED;
        }
        if (w.broken_id || rows < BATCH)
            break;
    }
    if (!head_hash[0]) {
        snprintf(w.why, sizeof w.why, "the chain head (audit_chain_head) is missing");
    } else if (!w.broken_id && (w.last_id != head_id || strcmp(w.last_hash, head_hash) != 0)) {
        w.broken_id = head_id;
        snprintf(w.why, sizeof w.why,
                 "the chain head names entry %lld (hash %.12s...) but the chain ends at entry %lld: entries at the "
                 "end were removed, or the head was altered", head_id, head_hash, w.last_id);
    } else if (published_head && !w.published_id) {
        w.broken_id = head_id;
        snprintf(w.why, sizeof w.why,
                 "the published head %.12s... is none of its entries: the chain was rewritten since that head was "
                 "published (or the hash is of another database)", published_head);
    }
    if (w.why[0]) {
        log_fields(LOG_LEVEL_ERROR, "audit-verify: the audit log's chain is broken",
                   json_pack("{s:I, s:s, s:I}", "entry_id", (json_int_t)w.broken_id, "why", w.why, "intact_entries",
                             (json_int_t)w.count));
        fprintf(out, "audit-verify: BROKEN at entry %lld: %s (%lld entries before it are intact)\n", w.broken_id,
                w.why, w.count);
        return AUDIT_VERIFY_BROKEN;
    }
    fprintf(out, "audit-verify: intact: %lld entries; head: entry %lld, hash %s\n", w.count, w.last_id, w.last_hash);
    if (published_head)
        fprintf(out, "audit-verify: the published head is entry %lld\n", w.published_id);
    return 0;
}

int audit_verify_run(const struct config *cfg, const char *published_head, FILE *out)
{
    int latest;
    if (migrate_check_current(cfg, 0, &latest) != 0)
        return AUDIT_VERIFY_FAILED;
    struct db_pool_options opts = {
        .conninfo = cfg->database_url,
        .size = 1,
        .acquire_timeout_ms = cfg->db_acquire_timeout_ms,
        .statement_timeout_ms = cfg->db_statement_timeout_ms,
        .statement_sets = store_statement_sets,
    };
    struct db_pool *pool = db_pool_new(&opts);
    if (!pool) {
        log_error("audit-verify: out of memory");
        return AUDIT_VERIFY_FAILED;
    }
    enum db_status st;
    struct db_conn *db = db_acquire(pool, &st);
    int rc = AUDIT_VERIFY_FAILED;
    if (db) {
        rc = walk_chain(db, published_head, out);
        db_release(pool, db);
    } else {
        log_error("audit-verify: cannot connect to the database (see above)");
    }
    db_pool_free(pool);
    return rc;
}

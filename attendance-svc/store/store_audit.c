/*
 * The audit log: one row per change, written in the transaction of the change.
 */
#include "store_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_audit_statements[] = {
    {"audit_insert",
     "INSERT INTO audit_log (actor_account_id, actor, action, entity, entity_id, before, after)"
     " VALUES ($1, coalesce((SELECT username FROM accounts WHERE id = $1), 'system'), $2, $3, $4, $5, $6)"},
    /* $1 and $2: the first and last instant wanted (both included), or NULL. */
    {"audit_list",
     "SELECT audit_doc(a) FROM audit_log a"
     " WHERE ($1::bigint IS NULL OR a.at >= 'epoch'::timestamptz + $1::bigint * interval '1 microsecond')"
     "   AND ($2::bigint IS NULL OR a.at <= 'epoch'::timestamptz + $2::bigint * interval '1 microsecond')"
     "   AND a.id > $3 ORDER BY a.id LIMIT $4"},
    {"audit_chain_head", "SELECT last_id, last_hash FROM audit_chain_head"},
    /* The columns of enum audit_chain_column: the canonical text's fields (sql/0009), then the hash. */
    {"audit_chain_entries",
     "SELECT a.id, (extract(epoch FROM a.at) * 1000000)::bigint, a.actor_account_id, a.actor, a.action, a.entity,"
     "       a.entity_id, a.before::text, a.after::text, a.prev_hash, a.hash"
     "  FROM audit_log a WHERE a.id > $1 AND a.id <= $2 ORDER BY a.id LIMIT $3"},
    {NULL, NULL},
};

enum db_status store_audit(struct db_conn *db, long long actor_account_id, const char *action, const char *entity,
                           const char *entity_id, const json_t *before, const json_t *after)
{
    char actor[24];
    snprintf(actor, sizeof actor, "%lld", actor_account_id);
    char *before_text = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *after_text = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *params[] = {actor_account_id ? actor : NULL, action, entity, entity_id, before_text, after_text};
    enum db_status st;
    PQclear(db_exec(db, "audit_insert", 6, params, &st));
    free(before_text);
    free(after_text);
    return st;
}

json_t *store_audit_list(struct db_conn *db, const int64_t *from_us, const int64_t *to_us, long long after,
                         int limit, enum db_status *status)
{
    char from[24], to[24], after_text[24], limit_text[16];
    snprintf(from, sizeof from, "%" PRId64, from_us ? *from_us : 0);
    snprintf(to, sizeof to, "%" PRId64, to_us ? *to_us : 0);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {from_us ? from : NULL, to_us ? to : NULL, after_text, limit_text};
    return store_docs_exec(db, "audit_list", 4, params, status);
}

enum db_status store_audit_chain_head(struct db_conn *db, long long *last_id, char last_hash[65])
{
    enum db_status st;
    PGresult *r = db_exec(db, "audit_chain_head", 0, NULL, &st);
    if (!r)
        return st;
    *last_id = 0;
    last_hash[0] = '\0';
    if (PQntuples(r) == 1) {
        *last_id = atoll(PQgetvalue(r, 0, 0));
        snprintf(last_hash, 65, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return DB_OK;
}

PGresult *store_audit_chain_entries(struct db_conn *db, long long after, long long last, int limit,
                                    enum db_status *status)
{
    char after_text[24], last_text[24], limit_text[16];
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(last_text, sizeof last_text, "%lld", last);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {after_text, last_text, limit_text};
    return db_exec(db, "audit_chain_entries", 3, params, status);
}

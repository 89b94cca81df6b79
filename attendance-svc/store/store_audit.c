/*
 * The audit log: one row per change, written in the transaction of the change.
 */
#include "store_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_audit_statements[] = {
    /*
     * The actor is named to the append trigger (sql/0018) by a setting local to
     * the statement's transaction, set before the row is made; the trigger
     * takes it and the time itself, so no column of the INSERT says who or when.
     */
    {"audit_insert",
     "WITH actor AS (SELECT set_config('attendance.actor_account_id', coalesce($1::bigint::text, ''), true))"
     " INSERT INTO audit_log (action, entity, entity_id, before, after)"
     " SELECT $2, $3, $4, $5, $6 FROM actor"},
    /* The head when day $1 was closed: anchored by its first nightly, the same for every later one. */
    {"audit_anchor",
     "WITH anchored AS (INSERT INTO audit_anchors (day, last_id, last_hash)"
     "                  SELECT $1::date, last_id, last_hash FROM audit_chain_head"
     "                  ON CONFLICT (day) DO NOTHING RETURNING last_hash)"
     " SELECT last_hash FROM anchored UNION ALL SELECT last_hash FROM audit_anchors WHERE day = $1::date"},
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

enum db_status store_audit_anchor(struct db_conn *db, const char *day, char head_hash[65])
{
    const char *params[] = {day};
    enum db_status st;
    PGresult *r = db_exec(db, "audit_anchor", 1, params, &st);
    if (!r)
        return st;
    head_hash[0] = '\0';
    if (PQntuples(r) >= 1)
        snprintf(head_hash, 65, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return head_hash[0] ? DB_OK : DB_ERROR; /* the head is one row that cannot be deleted */
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

/*
 * The audit log: one row per change, written in the transaction of the change.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_audit_statements[] = {
    {"audit_insert",
     "INSERT INTO audit_log (actor_account_id, actor, action, entity, entity_id, before, after)"
     " VALUES ($1, coalesce((SELECT username FROM accounts WHERE id = $1), 'system'), $2, $3, $4, $5, $6)"},
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

/*
 * The audit log (store_audit.c).
 */
#ifndef ATTENDANCE_STORE_AUDIT_H
#define ATTENDANCE_STORE_AUDIT_H

#include "store.h"

#include <stdint.h>

/* Appends an audit entry; before/after may be NULL. Call it inside the change's transaction. */
enum db_status store_audit(struct db_conn *db, long long actor_account_id, const char *action, const char *entity,
                           const char *entity_id, const json_t *before, const json_t *after);
/*
 * Entries by id after the cursor, limit of them at most, made from `from` to
 * `to` (RFC 3339 times, both included; NULL: no bound).
 */
json_t *store_audit_list(struct db_conn *db, const int64_t *from_us, const int64_t *to_us, long long after,
                         int limit, enum db_status *status);

/*
 * The audit log is a hash chain (sql/0009): the head names the last entry's id
 * and hash ("" and 0 when there is no head row, which the migration makes).
 */
enum db_status store_audit_chain_head(struct db_conn *db, long long *last_id, char last_hash[65]);

/*
 * The chain head's hash when day ("YYYY-MM-DD") was closed (sql/0018): the
 * current head, recorded for day by its first call, and that same hash for
 * every later one, so that a second nightly of a night writes the same manifest.
 */
enum db_status store_audit_anchor(struct db_conn *db, const char *day, char head_hash[65]);

/* The columns of store_audit_chain_entries: the fields of an entry's canonical text, in order, then its hash. */
enum audit_chain_column {
    AUDIT_COL_ID,
    AUDIT_COL_AT_US, /* microseconds since the epoch */
    AUDIT_COL_ACTOR_ACCOUNT_ID,
    AUDIT_COL_ACTOR,
    AUDIT_COL_ACTION,
    AUDIT_COL_ENTITY,
    AUDIT_COL_ENTITY_ID,
    AUDIT_COL_BEFORE, /* jsonb's text */
    AUDIT_COL_AFTER,
    AUDIT_COL_PREV_HASH,
    AUDIT_COL_HASH,
};
#define AUDIT_TEXT_FIELDS AUDIT_COL_HASH /* how many fields the canonical text has */

/* Entries with after < id <= last, by id, limit of them at most (the caller PQclear()s the result). */
PGresult *store_audit_chain_entries(struct db_conn *db, long long after, long long last, int limit,
                                    enum db_status *status);

#endif

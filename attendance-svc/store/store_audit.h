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

#endif

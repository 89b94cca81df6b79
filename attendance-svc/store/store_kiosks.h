/*
 * Kiosks of offices (store_kiosks.c, sql/0029): the screens whose codes prove
 * a check-in's place and time. Their documents never carry the secret.
 */
#ifndef ATTENDANCE_STORE_KIOSKS_H
#define ATTENDANCE_STORE_KIOSKS_H

#include "rules/presence.h"
#include "store.h"

/*
 * Inserts a kiosk of office_id with this label and secret, made by account
 * created_by, and returns its document; NULL with *status DB_OK when the
 * caller may not see such an office.
 */
json_t *store_kiosk_insert(struct db_conn *db, const struct auth *a, long long office_id, const char *label,
                           const unsigned char secret[KIOSK_SECRET_BYTES], enum db_status *status);
/* The kiosk's document, locked, if it is of office_id in the caller's scope; else NULL (with DB_OK). */
json_t *store_kiosk_lock(struct db_conn *db, const struct auth *a, long long office_id, long long kiosk_id,
                         enum db_status *status);
/* Revokes a live kiosk (by account revoked_by) and returns its document. */
json_t *store_kiosk_revoke(struct db_conn *db, long long kiosk_id, long long revoked_by, enum db_status *status);
/*
 * The kiosks of office_id in the caller's scope after the cursor, limit of
 * them at most, each with last_used_at: when a check-in its code proved was
 * last received (null: never).
 */
json_t *store_kiosk_list(struct db_conn *db, const struct auth *a, long long office_id, long long after, int limit,
                         enum db_status *status);

#endif

/*
 * Devices: the phones' Ed25519 keys (store_devices.c).
 */
#ifndef ATTENDANCE_STORE_DEVICES_H
#define ATTENDANCE_STORE_DEVICES_H

#include "store.h"

#define DEVICE_KEY_BYTES 32

/*
 * Enrols an active device of employee_id and returns its document. NULL on
 * failure; DB_UNIQUE_VIOLATION on devices_one_active_idx: the employee has an
 * active device; on devices_active_key_idx: the key is active on a device already.
 */
json_t *store_device_insert(struct db_conn *db, long long employee_id, const unsigned char key[DEVICE_KEY_BYTES],
                            const char *label, enum db_status *status);
/*
 * The device's document, its row locked until the transaction ends, if the
 * caller may see the unit of the device's employee; NULL (with DB_OK) otherwise.
 */
json_t *store_device_lock(struct db_conn *db, const struct auth *a, long long device_id, enum db_status *status);
/* Revokes an active device (by the account revoked_by) and returns its new document; NULL if it was not active. */
json_t *store_device_revoke(struct db_conn *db, long long device_id, long long revoked_by, enum db_status *status);
/*
 * The devices the caller may see (an employee its own; staff those of the
 * employees of the units in its scope), of employee_id only unless it is 0,
 * after the cursor, limit of them at most.
 */
json_t *store_device_list(struct db_conn *db, const struct auth *a, long long employee_id, long long after, int limit,
                          enum db_status *status);

/* What a device sign-in (POST /v1/auth/device) is decided by. */
struct device_sign_in {
    bool found;  /* a device of that id */
    unsigned char public_key[DEVICE_KEY_BYTES];
    bool usable; /* the device active, its employee active, and its employee login enabled */
    long long account_id, credential_version;
    bool password_change_required;
};
enum db_status store_device_sign_in_lookup(struct db_conn *db, long long device_id, struct device_sign_in *out);
/* Takes the device's sign-in nonce: *fresh false when the device had used it before. */
enum db_status store_device_sign_in_record(struct db_conn *db, long long device_id, const char *nonce,
                                           int64_t signed_at_ms, bool *fresh);

#endif

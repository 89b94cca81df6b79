/*
 * Devices: one Ed25519 public key per phone, at most one active per employee
 * (devices_one_active_idx) and each key active on one device at most
 * (devices_active_key_idx). A device is in the scope of its employee's unit.
 */
#include "store_devices.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct db_statement store_devices_statements[] = {
    {"device_insert",
     "INSERT INTO devices (employee_id, public_key, label) VALUES ($1, $2, $3) RETURNING device_doc(devices)"},
    {"device_lock",
     "SELECT device_doc(d) FROM devices d JOIN employees e ON e.id = d.employee_id JOIN units u ON u.id = e.unit_id"
     " WHERE " SCOPE_SQL("u") " AND d.id = $4 FOR UPDATE OF d"},
    {"device_revoke",
     "UPDATE devices SET active = false, revoked_at = now(), revoked_by = $2 WHERE id = $1 AND active"
     " RETURNING device_doc(devices)"},
    /* $4 is the caller's employee id: an employee sees its own devices only. */
    {"device_list",
     "SELECT device_doc(d) FROM devices d JOIN employees e ON e.id = d.employee_id JOIN units u ON u.id = e.unit_id"
     " WHERE (" SCOPE_SQL("u") " OR ($1 = 'employee' AND d.employee_id = $4))"
     " AND ($5::bigint IS NULL OR d.employee_id = $5) AND d.id > $6 ORDER BY d.id LIMIT $7"},
    /* A device sign-in's facts: the key, and whether the device and its employee's login are usable. */
    {"device_sign_in_lookup",
     "SELECT encode(d.public_key, 'hex'), coalesce(d.active AND NOT a.disabled AND e.active, false), coalesce(a.id, 0),"
     "       coalesce(a.credential_version, 0), coalesce(a.password_change_required, false)"
     "  FROM devices d JOIN employees e ON e.id = d.employee_id"
     "  LEFT JOIN accounts a ON a.employee_id = e.id AND a.role = 'employee'"
     " WHERE d.id = $1"},
    /* A sign-in's nonce, once per device for ever (sql/0021): a row returned when it was new. */
    {"device_sign_in_record",
     "INSERT INTO device_sign_ins (device_id, nonce, signed_at) VALUES ($1, $2, to_timestamp($3::bigint / 1000.0))"
     " ON CONFLICT (device_id, nonce) DO NOTHING RETURNING 1"},
    {NULL, NULL},
};

json_t *store_device_insert(struct db_conn *db, long long employee_id, const unsigned char key[DEVICE_KEY_BYTES],
                            const char *label, enum db_status *status)
{
    char employee[24];
    /* The key goes as binary (bytea); the other parameters as text. */
    const char *params[] = {id_text(employee, employee_id), (const char *)key, label};
    const int lengths[] = {0, DEVICE_KEY_BYTES, 0};
    const int formats[] = {0, 1, 0};
    PGresult *r = db_exec_binary(db, "device_insert", 3, params, lengths, formats, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    PQclear(r);
    return doc;
}

json_t *store_device_lock(struct db_conn *db, const struct auth *a, long long device_id, enum db_status *status)
{
    char agency[24], unit[24], device[24];
    const char *params[4];
    store_scope_params(a, agency, unit, params);
    params[3] = id_text(device, device_id);
    return store_doc_exec(db, "device_lock", 4, params, status);
}

json_t *store_device_revoke(struct db_conn *db, long long device_id, long long revoked_by, enum db_status *status)
{
    char device[24], by[24];
    const char *params[] = {id_text(device, device_id), id_text(by, revoked_by)};
    return store_doc_exec(db, "device_revoke", 2, params, status);
}

json_t *store_device_list(struct db_conn *db, const struct auth *a, long long employee_id, long long after, int limit,
                          enum db_status *status)
{
    char agency[24], unit[24], caller[24], employee[24], after_text[24], limit_text[16];
    const char *params[7];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(caller, a->employee_id);
    params[4] = id_text(employee, employee_id);
    params[5] = after_text;
    params[6] = limit_text;
    return store_docs_exec(db, "device_list", 7, params, status);
}

enum db_status store_device_sign_in_lookup(struct db_conn *db, long long device_id, struct device_sign_in *out)
{
    char device[24];
    const char *params[] = {id_text(device, device_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "device_sign_in_lookup", 1, params, &st);
    if (!r)
        return st;
    *out = (struct device_sign_in){0};
    const char *hex = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    size_t key_len = 0;
    if (sodium_hex2bin(out->public_key, DEVICE_KEY_BYTES, hex, strlen(hex), NULL, &key_len, NULL) == 0 &&
        key_len == DEVICE_KEY_BYTES) {
        out->found = true;
        out->usable = PQgetvalue(r, 0, 1)[0] == 't';
        out->account_id = atoll(PQgetvalue(r, 0, 2));
        out->credential_version = atoll(PQgetvalue(r, 0, 3));
        out->password_change_required = PQgetvalue(r, 0, 4)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

enum db_status store_device_sign_in_record(struct db_conn *db, long long device_id, const char *nonce,
                                           int64_t signed_at_ms, bool *fresh)
{
    char device[24], signed_at[24];
    snprintf(signed_at, sizeof signed_at, "%" PRId64, signed_at_ms);
    const char *params[] = {id_text(device, device_id), nonce, signed_at};
    enum db_status st;
    PGresult *r = db_exec(db, "device_sign_in_record", 3, params, &st);
    if (!r)
        return st;
    *fresh = PQntuples(r) == 1;
    PQclear(r);
    return DB_OK;
}

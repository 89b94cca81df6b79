/*
 * Kiosks: one row per screen, of one office; revoked, never deleted (the
 * check-ins they proved name them).
 */
#include "store_kiosks.h"

#include <stdio.h>

const struct db_statement store_kiosks_statements[] = {
    /* Selecting the office in scope makes an unknown or invisible one "no row" rather than a foreign-key error. */
    {"kiosk_insert",
     "INSERT INTO kiosks (office_id, label, secret, created_by)"
     " SELECT o.id, $5, $6, $7 FROM offices o JOIN units u ON u.id = o.unit_id"
     "  WHERE " SCOPE_SQL("u") " AND o.id = $4"
     " RETURNING kiosk_doc(kiosks)"},
    {"kiosk_lock",
     "SELECT kiosk_doc(k) FROM kiosks k JOIN offices o ON o.id = k.office_id JOIN units u ON u.id = o.unit_id"
     " WHERE " SCOPE_SQL("u") " AND o.id = $4 AND k.id = $5 FOR UPDATE OF k"},
    {"kiosk_revoke",
     "UPDATE kiosks SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL"
     " RETURNING kiosk_doc(kiosks)"},
    /* The last use through checkins_presence_kiosk_idx, one partition after another. */
    {"kiosk_list",
     "SELECT (kiosk_doc(k)::jsonb || jsonb_build_object('last_used_at',"
     "          (SELECT max(c.received_at) FROM checkins c WHERE c.presence_kiosk_id = k.id)))::json"
     "  FROM kiosks k JOIN offices o ON o.id = k.office_id JOIN units u ON u.id = o.unit_id"
     " WHERE " SCOPE_SQL("u") " AND o.id = $4 AND k.id > $5 ORDER BY k.id LIMIT $6"},
    {NULL, NULL},
};

json_t *store_kiosk_insert(struct db_conn *db, const struct auth *a, long long office_id, const char *label,
                           const unsigned char secret[KIOSK_SECRET_BYTES], enum db_status *status)
{
    char agency[24], unit[24], office[24], by[24];
    const char *values[7];
    store_scope_params(a, agency, unit, values);
    values[3] = id_text(office, office_id);
    values[4] = label;
    values[5] = (const char *)secret;
    values[6] = id_text(by, a->account_id);
    const int lengths[] = {0, 0, 0, 0, 0, KIOSK_SECRET_BYTES, 0};
    const int formats[] = {0, 0, 0, 0, 0, 1, 0};
    PGresult *r = db_exec_binary(db, "kiosk_insert", 7, values, lengths, formats, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    PQclear(r);
    return doc;
}

json_t *store_kiosk_lock(struct db_conn *db, const struct auth *a, long long office_id, long long kiosk_id,
                         enum db_status *status)
{
    char agency[24], unit[24], office[24], kiosk[24];
    const char *params[5];
    store_scope_params(a, agency, unit, params);
    params[3] = id_text(office, office_id);
    params[4] = id_text(kiosk, kiosk_id);
    return store_doc_exec(db, "kiosk_lock", 5, params, status);
}

json_t *store_kiosk_revoke(struct db_conn *db, long long kiosk_id, long long revoked_by, enum db_status *status)
{
    char kiosk[24], by[24];
    const char *params[] = {id_text(kiosk, kiosk_id), id_text(by, revoked_by)};
    return store_doc_exec(db, "kiosk_revoke", 2, params, status);
}

json_t *store_kiosk_list(struct db_conn *db, const struct auth *a, long long office_id, long long after, int limit,
                         enum db_status *status)
{
    char agency[24], unit[24], office[24], after_text[24], limit_text[16];
    const char *params[6];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(office, office_id);
    params[4] = after_text;
    params[5] = limit_text;
    return store_docs_exec(db, "kiosk_list", 6, params, status);
}

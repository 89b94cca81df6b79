/*
 * Offices: the places of a unit where WFO check-ins count, each with its
 * geofence stored as the API shows it.
 */
#include "store_offices.h"

#include <stdio.h>

const struct db_statement store_offices_statements[] = {
    /* Selecting from units makes an unknown unit "no row" rather than a foreign-key error. */
    {"office_insert",
     "INSERT INTO offices (unit_id, name, geofence, code)"
     " SELECT u.id, $2, $3::jsonb, $4 FROM units u WHERE u.id = $1"
     " RETURNING office_doc(offices)"},
    {"office_get",
     "SELECT office_doc(o) FROM offices o JOIN units u ON u.id = o.unit_id"
     " WHERE " SCOPE_SQL("u") " AND o.id = $4"},
    {"office_list",
     "SELECT office_doc(o) FROM offices o JOIN units u ON u.id = o.unit_id"
     " WHERE " SCOPE_SQL("u") " AND ($4::bigint IS NULL OR o.unit_id = $4) AND o.id > $5"
     " ORDER BY o.id LIMIT $6"},
    {NULL, NULL},
};

json_t *store_office_insert(struct db_conn *db, long long unit_id, const char *name, const char *code,
                            const char *geofence_json, enum db_status *status)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), name, geofence_json, code};
    return store_doc_exec(db, "office_insert", 4, params, status);
}

json_t *store_office_get(struct db_conn *db, const struct auth *a, long long office_id, enum db_status *status)
{
    char agency[24], unit[24], office[24];
    const char *params[4];
    store_scope_params(a, agency, unit, params);
    params[3] = id_text(office, office_id);
    return store_doc_exec(db, "office_get", 4, params, status);
}

json_t *store_office_list(struct db_conn *db, const struct auth *a, long long unit_id, long long after, int limit,
                          enum db_status *status)
{
    char agency[24], unit[24], unit_filter[24], after_text[24], limit_text[16];
    const char *params[6];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(unit_filter, unit_id);
    params[4] = after_text;
    params[5] = limit_text;
    return store_docs_exec(db, "office_list", 6, params, status);
}

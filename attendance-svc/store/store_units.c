/*
 * Units: the agency tree.
 */
#include "store_units.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_units_statements[] = {
    {"unit_agency", "SELECT agency_id FROM units WHERE id = $1"},
    {"unit_within", "SELECT $1::bigint IN (SELECT units_under($2::bigint))"},
    {"timezone_known", "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"},
    /* A top-level unit is its own agency: its id is drawn first so agency_id can name it. */
    {"unit_insert",
     "WITH new AS (SELECT nextval(pg_get_serial_sequence('units', 'id')) AS id)"
     " INSERT INTO units (id, parent_id, agency_id, code, name, category, timezone, work_hours, grace_minutes,"
     "                    sync_tolerance_s, checkin_windows, grace_made_up, flex_minutes, missing_out_minutes)"
     " OVERRIDING SYSTEM VALUE"
     " SELECT new.id, $1, coalesce($2, new.id), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM new"
     " RETURNING unit_doc(units)"},
    {"unit_get", "SELECT unit_doc(u), u.agency_id FROM units u WHERE u.id = $1"},
    {"unit_list",
     "SELECT unit_doc(u) FROM units u WHERE " SCOPE_SQL("u") " AND u.id > $4 ORDER BY u.id LIMIT $5"},
    {NULL, NULL},
};

enum db_status store_unit_agency(struct db_conn *db, long long unit_id, long long *agency_id)
{
    char id[24];
    const char *params[] = {id_text(id, unit_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "unit_agency", 1, params, &st);
    if (!r)
        return st;
    *agency_id = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return DB_OK;
}

enum db_status store_timezone_known(struct db_conn *db, const char *tz_name, bool *known)
{
    const char *params[] = {tz_name};
    enum db_status st;
    PGresult *r = db_exec(db, "timezone_known", 1, params, &st);
    if (!r)
        return st;
    *known = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return DB_OK;
}

json_t *store_unit_insert(struct db_conn *db, const struct unit_fields *u, enum db_status *status)
{
    char parent[24], agency[24], grace[16], tolerance[16], flex[16], missing_out[16];
    snprintf(grace, sizeof grace, "%d", u->grace_minutes);
    snprintf(tolerance, sizeof tolerance, "%d", u->sync_tolerance_s);
    snprintf(flex, sizeof flex, "%d", u->flex_minutes);
    snprintf(missing_out, sizeof missing_out, "%d", u->missing_out_minutes);
    const char *params[] = {id_text(parent, u->parent_id), id_text(agency, u->parent_agency_id), u->code, u->name,
                            u->category, u->timezone, u->work_hours_json, grace, tolerance,
                            u->checkin_windows_json, u->grace_made_up ? "true" : "false", flex, missing_out};
    return store_doc_exec(db, "unit_insert", 13, params, status);
}

json_t *store_unit_get(struct db_conn *db, long long unit_id, long long *agency_id, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, unit_id)};
    PGresult *r = db_exec(db, "unit_get", 1, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    *agency_id = doc ? atoll(PQgetvalue(r, 0, 1)) : 0;
    PQclear(r);
    return doc;
}

json_t *store_unit_list(struct db_conn *db, const struct auth *a, long long after, int limit, enum db_status *status)
{
    char agency[24], unit[24], after_text[24], limit_text[16];
    const char *params[5];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = after_text;
    params[4] = limit_text;
    return store_docs_exec(db, "unit_list", 5, params, status);
}

enum db_status store_unit_within(struct db_conn *db, long long unit_id, long long ancestor_id, bool *within)
{
    char unit[24], ancestor[24];
    const char *params[] = {id_text(unit, unit_id), id_text(ancestor, ancestor_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "unit_within", 2, params, &st);
    if (!r)
        return st;
    *within = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return DB_OK;
}

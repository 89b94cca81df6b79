/*
 * Holidays (sql/0007): national (agency_id NULL) or of one agency.
 */
#include "store_holidays.h"

#include <stdio.h>
#include <string.h>

const struct db_statement store_holidays_statements[] = {
    {"holiday_agency_exists", "SELECT 1 FROM units WHERE id = $1 AND parent_id IS NULL"},
    {"holiday_insert",
     "INSERT INTO holidays (day, name, kind, agency_id) VALUES ($1, $2, $3, $4) RETURNING holiday_doc(holidays)"},
    {"holiday_delete", "DELETE FROM holidays h WHERE h.id = $1 RETURNING holiday_doc(h)"},
    {"holiday_list",
     "SELECT coalesce(json_agg(holiday_doc(h) ORDER BY h.day, h.agency_id NULLS FIRST), '[]') FROM holidays h"
     " WHERE h.day >= make_date($1::int, 1, 1) AND h.day < make_date($1::int + 1, 1, 1)"
     "   AND ($2::bigint IS NULL OR h.agency_id IS NULL OR h.agency_id = $2)"
     /* A national holiday (no agency) is everyone's; an agency's, its staff's (and the admins'). */
     "   AND ($3 = 'admin' OR h.agency_id IS NULL OR h.agency_id = $4::bigint)"},
    {NULL, NULL},
};

enum db_status store_holiday_agency_exists(struct db_conn *db, long long unit_id, bool *exists)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "holiday_agency_exists", 1, params, &st);
    *exists = r && PQntuples(r) == 1;
    PQclear(r);
    return st;
}

json_t *store_holiday_insert(struct db_conn *db, const char *day, const char *name, const char *kind,
                             long long agency_id, enum db_status *status)
{
    char agency[24];
    const char *params[] = {day, name, kind, id_text(agency, agency_id)};
    return store_doc_exec(db, "holiday_insert", 4, params, status);
}

json_t *store_holiday_delete(struct db_conn *db, long long holiday_id, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, holiday_id)};
    return store_doc_exec(db, "holiday_delete", 1, params, status);
}

json_t *store_holiday_list(struct db_conn *db, const struct auth *a, int year, long long agency_id,
                           enum db_status *status)
{
    char y[16], agency[24], caller_agency[24], caller_unit[24];
    const char *scope[3];
    store_scope_params(a, caller_agency, caller_unit, scope);
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {y, id_text(agency, agency_id), scope[0], scope[1]};
    return store_doc_exec(db, "holiday_list", 4, params, status);
}

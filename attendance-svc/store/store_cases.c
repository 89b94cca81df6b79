/*
 * Discipline cases (see store_cases.h). A case is in the scope of the unit its
 * employee was in when summoned (discipline_cases.unit_id).
 */
#include "store_cases.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_cases_statements[] = {
    {"case_violations",
     "SELECT coalesce(json_agg(json_build_object('id', v.id::text, 'employee_id', v.employee_id::text,"
     "         'status', v.status, 'day', v.day,"
     "         'in_a_case', EXISTS (SELECT 1 FROM discipline_case_violations cv WHERE cv.violation_id = v.id))"
     "         ORDER BY v.day, v.id), '[]')"
     "  FROM violations v WHERE v.id IN (SELECT DISTINCT x::bigint FROM json_array_elements_text($1::json) x)"},
    {"case_insert",
     "WITH c AS (INSERT INTO discipline_cases (employee_id, unit_id, year, summoned_for, summoned_by,"
     "                                         suggested_sanction)"
     "           VALUES ($1, $2, $3, $4::timestamptz, $5, $6) RETURNING id),"
     " cv AS (INSERT INTO discipline_case_violations (case_id, violation_id, violation_day)"
     "        SELECT c.id, x.id, x.day FROM c, json_to_recordset($7::json) AS x (id bigint, day date))"
     " SELECT id FROM c"},
    {"case_get",
     "SELECT discipline_case_doc(c), u.id, u.agency_id FROM discipline_cases c JOIN units u ON u.id = c.unit_id"
     " WHERE c.id = $1"},
    {"case_get_lock",
     "SELECT discipline_case_doc(c), u.id, u.agency_id FROM discipline_cases c JOIN units u ON u.id = c.unit_id"
     " WHERE c.id = $1 FOR UPDATE OF c"},
    {"case_examine",
     "UPDATE discipline_cases SET status = 'examined', examination_record = $2, examined_by = $3,"
     "  examined_at = now(), version = version + 1 WHERE id = $1 RETURNING discipline_case_doc(discipline_cases)"},
    {"case_statement",
     "UPDATE discipline_cases SET statement = $2, stated_at = now(), version = version + 1"
     " WHERE id = $1 RETURNING discipline_case_doc(discipline_cases)"},
    {"case_decide",
     "UPDATE discipline_cases SET status = 'decided', sanction = $3, reason = nullif($4, ''), decided_by = $5,"
     "  decided_at = now(), version = version + 1"
     " WHERE id = $1 AND version = $2 RETURNING discipline_case_doc(discipline_cases)"},
    /* $1-$3 the caller (SCOPE_SQL), $4 the employee's own (an employee), $5 unit, $6 status, $7 year, $8 below. */
    {"case_list",
     "SELECT discipline_case_doc(c) FROM discipline_cases c JOIN units u ON u.id = c.unit_id"
     " WHERE (" SCOPE_SQL("u") " OR ($1 = 'employee' AND c.employee_id = $4))"
     "   AND ($5::bigint IS NULL OR c.unit_id = $5) AND ($6::text IS NULL OR c.status = $6)"
     "   AND ($7::int IS NULL OR c.year = $7) AND ($8::bigint IS NULL OR c.id < $8)"
     " ORDER BY c.id DESC LIMIT $9"},
    {NULL, NULL},
};

json_t *store_case_violations(struct db_conn *db, const char *violation_ids_json, enum db_status *status)
{
    const char *params[] = {violation_ids_json};
    return store_doc_exec(db, "case_violations", 1, params, status);
}

json_t *store_case_insert(struct db_conn *db, const struct case_new *c, enum db_status *status)
{
    char emp[24], unit[24], year[16], by[24];
    snprintf(year, sizeof year, "%d", c->year);
    const char *params[] = {id_text(emp, c->employee_id), id_text(unit, c->unit_id), year, c->summoned_for,
                            id_text(by, c->summoned_by), c->suggested_sanction, c->violations_json};
    PGresult *r = db_exec(db, "case_insert", 7, params, status);
    if (!r)
        return NULL;
    long long id = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    long long unit_id, agency_id;
    return id ? store_case_get(db, id, false, &unit_id, &agency_id, status) : NULL;
}

json_t *store_case_get(struct db_conn *db, long long case_id, bool lock, long long *unit_id, long long *agency_id,
                       enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, case_id)};
    PGresult *r = db_exec(db, lock ? "case_get_lock" : "case_get", 1, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    *unit_id = doc ? atoll(PQgetvalue(r, 0, 1)) : 0;
    *agency_id = doc ? atoll(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    return doc;
}

json_t *store_case_examine(struct db_conn *db, long long case_id, const char *record, long long by,
                           enum db_status *status)
{
    char id[24], who[24];
    const char *params[] = {id_text(id, case_id), record, id_text(who, by)};
    return store_doc_exec(db, "case_examine", 3, params, status);
}

json_t *store_case_statement(struct db_conn *db, long long case_id, const char *text, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, case_id), text};
    return store_doc_exec(db, "case_statement", 2, params, status);
}

json_t *store_case_decide(struct db_conn *db, long long case_id, int version, const char *sanction,
                          const char *reason, long long by, enum db_status *status)
{
    char id[24], v[16], who[24];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {id_text(id, case_id), v, sanction, reason, id_text(who, by)};
    return store_doc_exec(db, "case_decide", 5, params, status);
}

json_t *store_case_list(struct db_conn *db, const struct auth *a, const struct case_filter *f, long long before_id,
                        int limit, enum db_status *status)
{
    char agency[24], unit[24], emp[24], filter_unit[24], year[16], before[24], limit_text[16];
    const char *params[9];
    store_scope_params(a, agency, unit, params);
    snprintf(year, sizeof year, "%d", f->year);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(emp, a->role == ROLE_EMPLOYEE ? a->employee_id : 0);
    params[4] = id_text(filter_unit, f->unit_id);
    params[5] = f->status;
    params[6] = f->year ? year : NULL;
    params[7] = id_text(before, before_id);
    params[8] = limit_text;
    return store_docs_exec(db, "case_list", 9, params, status);
}

/*
 * Homes: the places an employee may work from on WFH days. The employee
 * registers one (pending), the unit's supervisor approves it; at most one is
 * approved per employee (homes_one_approved_idx), and approving another marks
 * the old one replaced. A home is in the scope of its employee's unit.
 */
#include "store_homes.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_homes_statements[] = {
    {"home_insert",
     "INSERT INTO homes (employee_id, lat, lon, address) VALUES ($1, $2, $3, $4) RETURNING home_doc(homes)"},
    /* FOR NO KEY UPDATE: it does not block the key-share locks that inserts referring to the employee take. */
    {"home_lock_employee",
     "SELECT e.id FROM homes h JOIN employees e ON e.id = h.employee_id JOIN units u ON u.id = e.unit_id"
     " WHERE " SCOPE_SQL("u") " AND h.id = $4 FOR NO KEY UPDATE OF e"},
    {"home_lock", "SELECT home_doc(h) FROM homes h WHERE h.id = $1 FOR UPDATE"},
    {"home_lock_approved",
     "SELECT home_doc(h) FROM homes h WHERE h.employee_id = $1 AND h.status = 'approved' FOR UPDATE"},
    {"home_replace",
     "UPDATE homes SET status = 'replaced' WHERE employee_id = $1 AND status = 'approved'"
     " RETURNING home_doc(homes)"},
    {"home_approve",
     "UPDATE homes SET status = 'approved', approved_at = now(), approved_by = $2"
     " WHERE id = $1 AND status = 'pending' RETURNING home_doc(homes)"},
    /* $4 is the caller's employee id: an employee sees its own homes only. */
    {"home_list",
     "SELECT home_doc(h) FROM homes h JOIN employees e ON e.id = h.employee_id JOIN units u ON u.id = e.unit_id"
     " WHERE (" SCOPE_SQL("u") " OR ($1 = 'employee' AND h.employee_id = $4))"
     " AND ($5::bigint IS NULL OR h.employee_id = $5) AND ($6::text IS NULL OR h.status = $6)"
     " AND h.id > $7 ORDER BY h.id LIMIT $8"},
    {NULL, NULL},
};

json_t *store_home_insert(struct db_conn *db, long long employee_id, double lat, double lon, const char *address,
                          enum db_status *status)
{
    char employee[24], lat_text[32], lon_text[32];
    /* %.17g keeps every bit of the double through the text form. */
    snprintf(lat_text, sizeof lat_text, "%.17g", lat);
    snprintf(lon_text, sizeof lon_text, "%.17g", lon);
    const char *params[] = {id_text(employee, employee_id), lat_text, lon_text, address};
    return store_doc_exec(db, "home_insert", 4, params, status);
}

enum db_status store_home_lock_employee(struct db_conn *db, const struct auth *a, long long home_id,
                                        long long *employee_id)
{
    char agency[24], unit[24], home[24];
    const char *params[4];
    store_scope_params(a, agency, unit, params);
    params[3] = id_text(home, home_id);
    enum db_status st;
    PGresult *r = db_exec(db, "home_lock_employee", 4, params, &st);
    if (!r)
        return st;
    *employee_id = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return DB_OK;
}

json_t *store_home_lock(struct db_conn *db, long long home_id, enum db_status *status)
{
    char home[24];
    const char *params[] = {id_text(home, home_id)};
    return store_doc_exec(db, "home_lock", 1, params, status);
}

json_t *store_home_lock_approved(struct db_conn *db, long long employee_id, enum db_status *status)
{
    char employee[24];
    const char *params[] = {id_text(employee, employee_id)};
    return store_doc_exec(db, "home_lock_approved", 1, params, status);
}

json_t *store_home_replace(struct db_conn *db, long long employee_id, enum db_status *status)
{
    char employee[24];
    const char *params[] = {id_text(employee, employee_id)};
    return store_doc_exec(db, "home_replace", 1, params, status);
}

json_t *store_home_approve(struct db_conn *db, long long home_id, long long approved_by, enum db_status *status)
{
    char home[24], by[24];
    const char *params[] = {id_text(home, home_id), id_text(by, approved_by)};
    return store_doc_exec(db, "home_approve", 2, params, status);
}

json_t *store_home_list(struct db_conn *db, const struct auth *a, long long employee_id, const char *status_filter,
                        long long after, int limit, enum db_status *status)
{
    char agency[24], unit[24], caller[24], employee[24], after_text[24], limit_text[16];
    const char *params[8];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(caller, a->employee_id);
    params[4] = id_text(employee, employee_id);
    params[5] = status_filter;
    params[6] = after_text;
    params[7] = limit_text;
    return store_docs_exec(db, "home_list", 8, params, status);
}

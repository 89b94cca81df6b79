/*
 * Staff accounts (supervisors, reviewers, admins): every statement excludes
 * role 'employee', so an employee's login cannot be read or changed here.
 */
#include "store_staff.h"

#include <stdio.h>

const struct db_statement store_staff_statements[] = {
    {"staff_insert",
     "INSERT INTO accounts (username, password_hash, role, unit_id, employee_id, password_change_required)"
     " VALUES ($1, $2, $3, $4, $5, true)"
     " RETURNING account_doc(accounts)"},
    {"staff_get", "SELECT account_doc(a) FROM accounts a WHERE a.id = $1 AND a.role <> 'employee'"},
    {"staff_get_for_update",
     "SELECT account_doc(a) FROM accounts a WHERE a.id = $1 AND a.role <> 'employee' FOR UPDATE"},
    {"staff_list",
     "SELECT account_doc(a) FROM accounts a WHERE a.role <> 'employee' AND a.id > $1 ORDER BY a.id LIMIT $2"},
    /* $4 and $6 say whether unit_id and employee_id change (to $5 and $7, which may be NULL). */
    {"staff_update",
     "UPDATE accounts SET password_hash = coalesce($2, password_hash),"
     "       password_change_required = password_change_required OR $2 IS NOT NULL,"
     "       credential_version = credential_version + ($2 IS NOT NULL)::int,"
     "       disabled = coalesce($3::boolean, disabled),"
     "       unit_id = CASE WHEN $4::boolean THEN $5::bigint ELSE unit_id END,"
     "       employee_id = CASE WHEN $6::boolean THEN $7::bigint ELSE employee_id END,"
     "       updated_at = now()"
     " WHERE id = $1 AND role <> 'employee' RETURNING account_doc(accounts)"},
    {"staff_employee_exists", "SELECT EXISTS (SELECT 1 FROM employees WHERE id = $1)"},
    {NULL, NULL},
};

json_t *store_staff_insert(struct db_conn *db, const struct staff_fields *s, enum db_status *status)
{
    char unit[24], employee[24];
    const char *params[] = {s->username, s->password_hash, s->role, id_text(unit, s->unit_id),
                            id_text(employee, s->employee_id)};
    return store_doc_exec(db, "staff_insert", 5, params, status);
}

static json_t *staff_by_id(struct db_conn *db, const char *statement, long long account_id, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, account_id)};
    return store_doc_exec(db, statement, 1, params, status);
}

json_t *store_staff_get(struct db_conn *db, long long account_id, enum db_status *status)
{
    return staff_by_id(db, "staff_get", account_id, status);
}

json_t *store_staff_get_for_update(struct db_conn *db, long long account_id, enum db_status *status)
{
    return staff_by_id(db, "staff_get_for_update", account_id, status);
}

json_t *store_staff_list(struct db_conn *db, long long after, int limit, enum db_status *status)
{
    char after_text[24], limit_text[16];
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {after_text, limit_text};
    return store_docs_exec(db, "staff_list", 2, params, status);
}

json_t *store_staff_update(struct db_conn *db, long long account_id, const struct staff_change *c,
                           enum db_status *status)
{
    char id[24], unit[24], employee[24];
    const char *disabled = c->disabled < 0 ? NULL : c->disabled ? "true" : "false";
    const char *params[] = {id_text(id, account_id),
                            c->password_hash,
                            disabled,
                            c->set_unit ? "true" : "false",
                            c->set_unit ? id_text(unit, c->unit_id) : NULL,
                            c->set_employee ? "true" : "false",
                            c->set_employee ? id_text(employee, c->employee_id) : NULL};
    return store_doc_exec(db, "staff_update", 7, params, status);
}

enum db_status store_staff_employee_exists(struct db_conn *db, long long employee_id, bool *exists)
{
    char id[24];
    const char *params[] = {id_text(id, employee_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "staff_employee_exists", 1, params, &st);
    if (!r)
        return st;
    *exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return DB_OK;
}

/*
 * Employees and their login accounts. An employee's login (username = NIP,
 * role 'employee') is written by the same statement as the employee, so the two
 * never disagree on the unit.
 */
#include "store_employees.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_employees_statements[] = {
    {"employee_insert",
     "WITH added AS ("
     "  INSERT INTO employees (nip, name, unit_id, birth_date, vulnerable) VALUES ($1, $2, $3, $4, $5)"
     "  RETURNING id, nip, unit_id, employee_doc(employees) AS doc),"
     " login AS ("
     "  INSERT INTO accounts (username, password_hash, role, unit_id, employee_id, password_change_required)"
     "  SELECT nip, $6, 'employee', unit_id, id, true FROM added)"
     " SELECT doc FROM added"},
    {"employee_get",
     "SELECT employee_doc(e), e.unit_id, u.agency_id FROM employees e JOIN units u ON u.id = e.unit_id"
     " WHERE e.id = $1"},
    {"employee_get_for_update",
     "SELECT employee_doc(e), e.unit_id, u.agency_id FROM employees e JOIN units u ON u.id = e.unit_id"
     " WHERE e.id = $1 FOR UPDATE OF e"},
    {"employee_list",
     "SELECT employee_doc(e) FROM employees e JOIN units u ON u.id = e.unit_id"
     " WHERE " SCOPE_SQL("u") " AND ($4::bigint IS NULL OR e.unit_id = $4) AND e.id > $5 ORDER BY e.id LIMIT $6"},
    /* $4 says whether birth_date changes (to $5, which may be NULL); other NULLs keep the value. */
    {"employee_update",
     "WITH changed AS ("
     "  UPDATE employees e SET name = coalesce($2, e.name), unit_id = coalesce($3::bigint, e.unit_id),"
     "         birth_date = CASE WHEN $4::boolean THEN $5::date ELSE e.birth_date END,"
     "         vulnerable = coalesce($6::boolean, e.vulnerable), active = coalesce($7::boolean, e.active),"
     "         status = coalesce($9, e.status), updated_at = now()"
     "   WHERE e.id = $1 RETURNING e.id, e.unit_id, employee_doc(e) AS doc),"
     " login AS ("
     "  UPDATE accounts a SET unit_id = changed.unit_id, password_hash = coalesce($8, a.password_hash),"
     "         password_change_required = a.password_change_required OR $8 IS NOT NULL,"
     "         credential_version = a.credential_version + ($8 IS NOT NULL)::int, updated_at = now()"
     "    FROM changed WHERE a.employee_id = changed.id AND a.role = 'employee')"
     " SELECT doc FROM changed"},
    {"employee_import_lookups",
     "SELECT json_build_object("
     " 'unit_ids', (SELECT coalesce(json_object_agg(code, id), '{}') FROM units),"
     " 'staff_logins', (SELECT coalesce(json_agg(username), '[]') FROM accounts"
     "                   WHERE role <> 'employee' AND username ~ '^[0-9]{18}$'))"},
    /*
     * xmax is 0 on a row this statement inserted, and set on one it updated. A
     * new login takes the file's password, to be changed at its first use; an
     * existing login keeps its password (contract, "Passwords") and follows the
     * unit. The NIPs created and updated, for the import's audit entry.
     */
    {"employee_import_batch",
     "WITH input AS ("
     "  SELECT * FROM json_to_recordset($1::json) AS r(nip text, name text, unit_id bigint, password_hash text)),"
     " upserted AS ("
     "  INSERT INTO employees AS e (nip, name, unit_id) SELECT nip, name, unit_id FROM input"
     "  ON CONFLICT (nip) DO UPDATE SET name = excluded.name, unit_id = excluded.unit_id, updated_at = now()"
     "  RETURNING e.id, e.nip, e.unit_id, e.xmax = 0 AS created),"
     " logins AS ("
     "  INSERT INTO accounts AS a (username, password_hash, role, unit_id, employee_id, password_change_required)"
     "  SELECT u.nip, i.password_hash, 'employee', u.unit_id, u.id, true"
     "    FROM upserted u JOIN input i ON i.nip = u.nip"
     "  ON CONFLICT (employee_id) WHERE role = 'employee' DO UPDATE"
     "  SET unit_id = excluded.unit_id, updated_at = now())"
     " SELECT coalesce(json_agg(nip ORDER BY nip) FILTER (WHERE created), '[]'),"
     "        coalesce(json_agg(nip ORDER BY nip) FILTER (WHERE NOT created), '[]') FROM upserted"},
    {NULL, NULL},
};

json_t *store_employee_insert(struct db_conn *db, const struct employee_new *e, enum db_status *status)
{
    char unit[24];
    const char *params[] = {e->nip,        e->name, id_text(unit, e->unit_id), e->birth_date,
                            e->vulnerable ? "true" : "false", e->password_hash};
    return store_doc_exec(db, "employee_insert", 6, params, status);
}

json_t *store_employee_get(struct db_conn *db, long long employee_id, bool for_update, long long *unit_id,
                           long long *agency_id, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, employee_id)};
    PGresult *r = db_exec(db, for_update ? "employee_get_for_update" : "employee_get", 1, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    *unit_id = doc ? atoll(PQgetvalue(r, 0, 1)) : 0;
    *agency_id = doc ? atoll(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    return doc;
}

json_t *store_employee_list(struct db_conn *db, const struct auth *a, long long unit_id, long long after, int limit,
                            enum db_status *status)
{
    char agency[24], unit[24], filter[24], after_text[24], limit_text[16];
    const char *params[6];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(filter, unit_id);
    params[4] = after_text;
    params[5] = limit_text;
    return store_docs_exec(db, "employee_list", 6, params, status);
}

static const char *tristate(int v) { return v < 0 ? NULL : v ? "true" : "false"; }

json_t *store_employee_update(struct db_conn *db, long long employee_id, const struct employee_change *c,
                              enum db_status *status)
{
    char id[24], unit[24];
    const char *params[] = {id_text(id, employee_id),
                            c->name,
                            id_text(unit, c->unit_id),
                            c->set_birth_date ? "true" : "false",
                            c->set_birth_date ? c->birth_date : NULL,
                            tristate(c->vulnerable),
                            tristate(c->active),
                            c->password_hash,
                            c->status};
    return store_doc_exec(db, "employee_update", 9, params, status);
}

json_t *store_employee_import_lookups(struct db_conn *db, enum db_status *status)
{
    return store_doc_exec(db, "employee_import_lookups", 0, NULL, status);
}

enum db_status store_employee_import_batch(struct db_conn *db, const char *rows_json, json_t *created,
                                           json_t *updated)
{
    const char *params[] = {rows_json};
    enum db_status st;
    PGresult *r = db_exec(db, "employee_import_batch", 1, params, &st);
    if (!r)
        return st;
    json_t *batch_created = store_doc(r, 0, 0), *batch_updated = store_doc(r, 0, 1);
    st = batch_created && batch_updated && json_array_extend(created, batch_created) == 0 &&
                 json_array_extend(updated, batch_updated) == 0
             ? DB_OK
             : DB_ERROR; /* out of memory */
    json_decref(batch_created);
    json_decref(batch_updated);
    PQclear(r);
    return st;
}

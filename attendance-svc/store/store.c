/*
 * The list of every statement set, and the helpers the store files share.
 */
#include "store.h"

#include <stdio.h>

extern const struct db_statement store_accounts_statements[];
extern const struct db_statement store_cases_statements[];
extern const struct db_statement store_checkins_statements[];
extern const struct db_statement store_closure_statements[];
extern const struct db_statement store_devices_statements[];
extern const struct db_statement store_discipline_statements[];
extern const struct db_statement store_employees_statements[];
extern const struct db_statement store_exports_statements[];
extern const struct db_statement store_export_runs_statements[];
extern const struct db_statement store_audit_statements[];
extern const struct db_statement store_health_statements[];
extern const struct db_statement store_holidays_statements[];
extern const struct db_statement store_leave_statements[];
extern const struct db_statement store_me_statements[];
extern const struct db_statement store_homes_statements[];
extern const struct db_statement store_kiosks_statements[];
extern const struct db_statement store_offices_statements[];
extern const struct db_statement store_partitions_statements[];
extern const struct db_statement store_policies_statements[];
extern const struct db_statement store_roster_statements[];
extern const struct db_statement store_review_statements[];
extern const struct db_statement store_staff_statements[];
extern const struct db_statement store_units_statements[];

const struct db_statement *const store_statement_sets[] = {
    store_accounts_statements,
    store_cases_statements,
    store_checkins_statements,
    store_closure_statements,
    store_devices_statements,
    store_discipline_statements,
    store_employees_statements,
    store_exports_statements,
    store_export_runs_statements,
    store_audit_statements,
    store_health_statements,
    store_holidays_statements,
    store_leave_statements,
    store_me_statements,
    store_homes_statements,
    store_kiosks_statements,
    store_offices_statements,
    store_partitions_statements,
    store_policies_statements,
    store_roster_statements,
    store_review_statements,
    store_staff_statements,
    store_units_statements,
    NULL,
};

const char *id_text(char buf[24], long long id)
{
    if (!id)
        return NULL;
    snprintf(buf, 24, "%lld", id);
    return buf;
}

json_t *store_doc(const PGresult *r, int row, int col)
{
    if (row >= PQntuples(r) || PQgetisnull(r, row, col))
        return NULL;
    return json_loads(PQgetvalue(r, row, col), JSON_DECODE_ANY, NULL);
}

json_t *store_docs(const PGresult *r, int col)
{
    json_t *items = json_array();
    for (int i = 0; items && i < PQntuples(r); i++)
        json_array_append_new(items, store_doc(r, i, col));
    return items;
}

json_t *store_doc_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                       enum db_status *status)
{
    PGresult *r = db_exec(db, statement, nparams, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    PQclear(r);
    return doc;
}

json_t *store_docs_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                        enum db_status *status)
{
    PGresult *r = db_exec(db, statement, nparams, params, status);
    if (!r)
        return NULL;
    json_t *docs = store_docs(r, 0);
    PQclear(r);
    return docs;
}

void store_scope_params(const struct auth *a, char agency[24], char unit[24], const char *out[3])
{
    out[0] = role_name(a->role);
    snprintf(agency, 24, "%lld", a->agency_id);
    snprintf(unit, 24, "%lld", a->unit_id);
    out[1] = agency;
    out[2] = unit;
}


/*
 * WFH/WFO policies: the caps of circular letters, kept as data. Combining the
 * policies in force (priority, lowest cap) is the roster's business, not this
 * file's.
 */
#include "store_policies.h"

#include <stdio.h>

/* A JSON array of strings as text[], in the array's order. */
#define TEXT_ARRAY(param) \
    "ARRAY(SELECT v FROM json_array_elements_text(" param "::json) WITH ORDINALITY AS e(v, n) ORDER BY n)"

/*
 * The policies the caller (role, agency) may read: every one to an admin; to
 * supervisors and reviewers, those of no unit (national) and those scoped to a
 * unit of their agency. A supervisor sees its agency's, not only its unit's:
 * a policy of the agency governs the units under it.
 */
#define POLICY_SCOPE_SQL(role, agency)                                                                \
    "(" role " = 'admin' OR p.unit_id IS NULL"                                                        \
    " OR EXISTS (SELECT 1 FROM units pu WHERE pu.id = p.unit_id AND pu.agency_id = " agency "::bigint))"

/* The units a list's ?unit_id= ($5) names, within the caller's scope ($1-$3), and the units above it. */
#define COVERING_CTE                                                                                    \
    "WITH RECURSIVE target AS ("                                                                      \
    "    SELECT u.id, u.parent_id, u.category FROM units u WHERE u.id = $5 AND " SCOPE_SQL("u")        \
    "), covering (id, parent_id) AS ("                                                                \
    "    SELECT id, parent_id FROM target"                                                            \
    "    UNION ALL SELECT u.id, u.parent_id FROM units u JOIN covering c ON u.id = c.parent_id"       \
    ")"

/* $4: in force that day (or NULL); $5: covering that unit (or NULL), as COVERING_CTE reads it. */
#define DATED_FILTER_SQL                                                                                \
    "($4::date IS NULL OR $4::date BETWEEN p.starts_on AND p.ends_on)"                                  \
    " AND ($5::bigint IS NULL OR EXISTS (SELECT 1 FROM target t WHERE t.category = ANY (p.applies_to)" \
    "      AND (p.unit_id IS NULL OR p.unit_id IN (SELECT id FROM covering))))"

const struct db_statement store_policies_statements[] = {
    {"policy_insert",
     "INSERT INTO policies (name, starts_on, ends_on, applies_to, unit_id, priority, max_wfh_percent,"
     "                      max_wfo_percent, selfie_required_for)"
     " VALUES ($1, $2, $3, " TEXT_ARRAY("$4") ", $5, $6, $7, $8, " TEXT_ARRAY("$9") ")"
     " RETURNING policy_doc(policies)"},
    /* Scoped by agency ($2 the caller's role, $3 its agency): a policy of no unit is everyone's. */
    {"policy_get",
     "SELECT policy_doc(p) FROM policies p WHERE p.id = $1 AND " POLICY_SCOPE_SQL("$2", "$3")},
    /*
     * $4: in force that day (or NULL). $5: covering that unit (or NULL): not
     * scoped, or scoped to the unit or a unit above it, and naming the unit's
     * category; a unit out of the caller's scope ($1-$3) covers nothing.
     */
    {"policy_list",
     COVERING_CTE " SELECT policy_doc(p) FROM policies p WHERE " DATED_FILTER_SQL
     "    AND " POLICY_SCOPE_SQL("$1", "$2") " AND p.id > $6 ORDER BY p.id LIMIT $7"},
    {"hours_insert",
     "INSERT INTO dated_hours (name, starts_on, ends_on, applies_to, unit_id, priority, work_hours)"
     " VALUES ($1, $2, $3, " TEXT_ARRAY("$4") ", $5, $6, $7::jsonb) RETURNING dated_hours_doc(dated_hours)"},
    {"hours_get", "SELECT dated_hours_doc(p) FROM dated_hours p WHERE p.id = $1 AND " POLICY_SCOPE_SQL("$2", "$3")},
    {"hours_list",
     COVERING_CTE " SELECT dated_hours_doc(p) FROM dated_hours p WHERE " DATED_FILTER_SQL
     "    AND " POLICY_SCOPE_SQL("$1", "$2") " AND p.id > $6 ORDER BY p.id LIMIT $7"},
    {NULL, NULL},
};

/* An optional whole number as text, NULL when absent (-1). */
static const char *int_or_null(char buf[16], int value)
{
    if (value < 0)
        return NULL;
    snprintf(buf, 16, "%d", value);
    return buf;
}

json_t *store_policy_insert(struct db_conn *db, const struct policy_fields *p, enum db_status *status)
{
    char unit[24], priority[16], wfh[16], wfo[16];
    snprintf(priority, sizeof priority, "%d", p->priority);
    const char *params[] = {p->name,
                            p->starts_on,
                            p->ends_on,
                            p->applies_to_json,
                            id_text(unit, p->unit_id),
                            priority,
                            int_or_null(wfh, p->max_wfh_percent),
                            int_or_null(wfo, p->max_wfo_percent),
                            p->selfie_required_for_json};
    return store_doc_exec(db, "policy_insert", 9, params, status);
}

json_t *store_policy_get(struct db_conn *db, const struct auth *a, long long policy_id, enum db_status *status)
{
    char id[24], agency[24], unit[24];
    const char *scope[3];
    store_scope_params(a, agency, unit, scope);
    const char *params[] = {id_text(id, policy_id), scope[0], scope[1]};
    return store_doc_exec(db, "policy_get", 3, params, status);
}

json_t *store_policy_list(struct db_conn *db, const struct auth *a, const char *date, long long unit_id,
                          long long after, int limit, enum db_status *status)
{
    char agency[24], unit[24], filter_unit[24], after_text[24], limit_text[16];
    const char *params[7];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = date;
    params[4] = id_text(filter_unit, unit_id);
    params[5] = after_text;
    params[6] = limit_text;
    return store_docs_exec(db, "policy_list", 7, params, status);
}

json_t *store_hours_insert(struct db_conn *db, const struct dated_hours_fields *h, enum db_status *status)
{
    char unit[24], priority[16];
    snprintf(priority, sizeof priority, "%d", h->priority);
    const char *params[] = {h->name, h->starts_on, h->ends_on, h->applies_to_json, id_text(unit, h->unit_id),
                            priority, h->work_hours_json};
    return store_doc_exec(db, "hours_insert", 7, params, status);
}

json_t *store_hours_get(struct db_conn *db, const struct auth *a, long long hours_id, enum db_status *status)
{
    char id[24], agency[24], unit[24];
    const char *scope[3];
    store_scope_params(a, agency, unit, scope);
    const char *params[] = {id_text(id, hours_id), scope[0], scope[1]};
    return store_doc_exec(db, "hours_get", 3, params, status);
}

json_t *store_hours_list(struct db_conn *db, const struct auth *a, const char *date, long long unit_id,
                         long long after, int limit, enum db_status *status)
{
    char agency[24], unit[24], filter_unit[24], after_text[24], limit_text[16];
    const char *params[7];
    store_scope_params(a, agency, unit, params);
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = date;
    params[4] = id_text(filter_unit, unit_id);
    params[5] = after_text;
    params[6] = limit_text;
    return store_docs_exec(db, "hours_list", 7, params, status);
}

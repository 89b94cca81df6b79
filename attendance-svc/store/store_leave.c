/*
 * Leave requests (see store_leave.h). A request is in the scope of the unit
 * its employee was in when it asked (leave_requests.unit_id).
 */
#include "store_leave.h"

#include "ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEAVE_EXCUSED_CODES "('ABSENT', 'LATE_ARRIVAL', 'EARLY_DEPARTURE', 'OUTSIDE_GEOFENCE')"

const struct db_statement store_leave_statements[] = {
    {"leave_approver", "SELECT leave_approver($1::bigint, $2)"},
    /* Every kind with the role that decides it in the agency; $1 an agency (a top-level unit). */
    {"leave_approvers_of",
     "SELECT coalesce(json_agg(json_build_object('kind', k.kind, 'role', coalesce(a.role, 'supervisor'))"
     "                ORDER BY k.kind), '[]')"
     "  FROM leave_kinds k LEFT JOIN leave_approvers a ON a.kind = k.kind AND a.agency_id = $1"
     " WHERE EXISTS (SELECT 1 FROM units u WHERE u.id = $1 AND u.parent_id IS NULL)"},
    {"leave_approver_set",
     "INSERT INTO leave_approvers (agency_id, kind, role)"
     " SELECT u.id, k.kind, $3 FROM units u, leave_kinds k WHERE u.id = $1 AND u.parent_id IS NULL AND k.kind = $2"
     " ON CONFLICT (agency_id, kind) DO UPDATE SET role = EXCLUDED.role"
     " RETURNING json_build_object('agency_id', agency_id::text, 'kind', kind, 'role', role)"},
    {"leave_kind",
     "SELECT json_build_object('kind', kind, 'min_service_months', min_service_months,"
     "  'max_calendar_days', coalesce(max_calendar_days, 0), 'annual_working_days', coalesce(annual_working_days, 0),"
     "  'carry_max_days', coalesce(carry_max_days, 0), 'carry_two_years_total', coalesce(carry_two_years_total, 0),"
     "  'attachment_beyond_days', coalesce(attachment_beyond_days, -1), 'max_times', coalesce(max_times, 0),"
     "  'female_only', female_only, 'hours_allowed', hours_allowed, 'single_day', single_day,"
     "  'excuses_place', excuses_place, 'source', source)"
     " FROM leave_kinds WHERE kind = $1"},
    /* $1 employee, $2 kind, $3 from, $4 to, $5 the request judged again (or NULL). */
    {"leave_facts",
     "SELECT json_build_object('nip', e.nip, 'unit_id', u.id::text, 'agency_id', u.agency_id::text,"
     "  'work_hours', u.work_hours, 'first_recorded_year', extract(year FROM e.created_at)::int,"
     "  'holidays', (SELECT coalesce(json_agg(h.day - date '1970-01-01'), '[]') FROM holidays h"
     "               WHERE h.day BETWEEN $3::date AND $4::date AND (h.agency_id IS NULL OR h.agency_id = u.agency_id)),"
     "  'annual_taken', (SELECT coalesce(sum(l.working_days), 0) FROM leave_requests l WHERE l.employee_id = e.id"
     "                   AND l.kind = 'cuti_tahunan' AND l.status IN ('pending', 'approved')"
     "                   AND extract(year FROM l.from_day) = extract(year FROM $3::date)"
     "                   AND l.id IS DISTINCT FROM $5::bigint),"
     "  'used_last', (SELECT coalesce(sum(l.working_days), 0) FROM leave_requests l WHERE l.employee_id = e.id"
     "                AND l.kind = 'cuti_tahunan' AND l.status = 'approved'"
     "                AND extract(year FROM l.from_day) = extract(year FROM $3::date) - 1),"
     "  'used_before_last', (SELECT coalesce(sum(l.working_days), 0) FROM leave_requests l WHERE l.employee_id = e.id"
     "                       AND l.kind = 'cuti_tahunan' AND l.status = 'approved'"
     "                       AND extract(year FROM l.from_day) = extract(year FROM $3::date) - 2),"
     "  'times_before', (SELECT count(*) FROM leave_requests l WHERE l.employee_id = e.id AND l.kind = $2"
     "                   AND l.status = 'approved' AND l.id IS DISTINCT FROM $5::bigint),"
     "  'overlaps', EXISTS (SELECT 1 FROM leave_requests l WHERE l.employee_id = e.id"
     "                      AND l.status IN ('pending', 'approved') AND l.from_day <= $4::date AND l.to_day >= $3::date"
     "                      AND l.id IS DISTINCT FROM $5::bigint))"
     " FROM employees e JOIN units u ON u.id = e.unit_id WHERE e.id = $1 AND e.active"},
    {"leave_insert",
     "INSERT INTO leave_requests (employee_id, unit_id, kind, from_day, to_day, start_min, end_min, working_days, reason)"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING leave_doc(leave_requests)"},
    {"leave_get",
     "SELECT leave_doc(l), u.id, u.agency_id FROM leave_requests l JOIN units u ON u.id = l.unit_id WHERE l.id = $1"},
    {"leave_get_lock",
     "SELECT leave_doc(l), u.id, u.agency_id FROM leave_requests l JOIN units u ON u.id = l.unit_id WHERE l.id = $1"
     " FOR UPDATE OF l"},
    {"leave_decide",
     "UPDATE leave_requests SET status = $3, note = $4, decided_by = $5, decided_at = now(), version = version + 1"
     " WHERE id = $1 AND version = $2 AND status = 'pending' RETURNING leave_doc(leave_requests)"},
    {"leave_withdraw",
     "UPDATE leave_requests SET status = 'withdrawn', version = version + 1"
     " WHERE id = $1 AND employee_id = $2 AND status = 'pending' RETURNING leave_doc(leave_requests)"},
    {"leave_attach",
     "UPDATE leave_requests SET attachment_sha256 = $3, attachment_type = $4, attachment_bytes = $5,"
     "  version = version + 1"
     " WHERE id = $1 AND employee_id = $2 AND status = 'pending' RETURNING leave_doc(leave_requests)"},
    /* $1-$3 the caller (SCOPE_SQL), $4 employee's own (an employee), $5 unit, $6 status, $7 from, $8 to, $9 below. */
    {"leave_list",
     "SELECT leave_doc(l) FROM leave_requests l JOIN units u ON u.id = l.unit_id"
     " WHERE (" SCOPE_SQL("u") " OR ($1 = 'employee' AND l.employee_id = $4))"
     "   AND ($4::bigint IS NULL OR l.employee_id = $4) AND ($5::bigint IS NULL OR l.unit_id = $5)"
     "   AND ($6::text IS NULL OR l.status = $6) AND ($7::date IS NULL OR l.to_day >= $7)"
     "   AND ($8::date IS NULL OR l.from_day <= $8) AND ($9::bigint IS NULL OR l.id < $9)"
     " ORDER BY l.id DESC LIMIT $10"},
    {"leave_flags",
     "SELECT coalesce(json_agg(json_build_object('id', v.id::text, 'day', v.day, 'code', v.code,"
     "         'version', v.version, 'local_time', v.evidence ->> 'local_time',"
     "         'boundary', coalesce(v.evidence ->> 'start', v.evidence ->> 'end'), 'violation', violation_doc(v))"
     "         ORDER BY v.id), '[]')"
     "  FROM violations v WHERE v.employee_id = $1 AND v.day BETWEEN $2::date AND $3::date"
     "   AND v.status = 'pending' AND v.code IN " LEAVE_EXCUSED_CODES},
    {"leave_dismiss",
     "WITH bumped AS (UPDATE violations SET status = 'dismissed', version = version + 1"
     "                 WHERE id = $1 AND day = $2::date AND version = $3 AND status = 'pending'"
     "                 RETURNING id, day, version)"
     " INSERT INTO violation_decisions (violation_id, violation_day, version, decision, note, leave_id)"
     " SELECT id, day, version, 'dismissed', $5, $4 FROM bumped RETURNING version"},
    {NULL, NULL},
};

static int int_member(const json_t *o, const char *key) { return (int)json_integer_value(json_object_get(o, key)); }

enum db_status store_leave_kind(struct db_conn *db, const char *kind, struct leave_kind_rule *rule,
                                json_t **row_doc, bool *found)
{
    const char *params[] = {kind};
    enum db_status st;
    json_t *doc = store_doc_exec(db, "leave_kind", 1, params, &st);
    *found = doc != NULL;
    *row_doc = doc;
    if (!doc)
        return st;
    *rule = (struct leave_kind_rule){
        .kind = json_string_value(json_object_get(doc, "kind")),
        .min_service_months = int_member(doc, "min_service_months"),
        .max_calendar_days = int_member(doc, "max_calendar_days"),
        .annual_working_days = int_member(doc, "annual_working_days"),
        .carry_max_days = int_member(doc, "carry_max_days"),
        .carry_two_years_total = int_member(doc, "carry_two_years_total"),
        .attachment_beyond_days = int_member(doc, "attachment_beyond_days"),
        .max_times = int_member(doc, "max_times"),
        .female_only = json_is_true(json_object_get(doc, "female_only")),
        .hours_allowed = json_is_true(json_object_get(doc, "hours_allowed")),
        .single_day = json_is_true(json_object_get(doc, "single_day")),
        .excuses_place = json_is_true(json_object_get(doc, "excuses_place")),
    };
    return DB_OK;
}

enum db_status store_leave_facts(struct db_conn *db, long long employee_id, const char *kind, const char *from,
                                 const char *to, long long except_id, struct leave_facts_row *out, bool *found)
{
    char emp[24], except[24];
    const char *params[] = {id_text(emp, employee_id), kind, from, to, id_text(except, except_id)};
    enum db_status st;
    *out = (struct leave_facts_row){0};
    json_t *doc = store_doc_exec(db, "leave_facts", 5, params, &st);
    *found = doc != NULL;
    if (!doc)
        return st;
    snprintf(out->nip, sizeof out->nip, "%s", json_string_value(json_object_get(doc, "nip")));
    out->unit_id = id_parse(json_string_value(json_object_get(doc, "unit_id")));
    out->agency_id = id_parse(json_string_value(json_object_get(doc, "agency_id")));
    out->work_hours = json_incref(json_object_get(doc, "work_hours"));
    const json_t *holidays = json_object_get(doc, "holidays");
    out->holidays = calloc(json_array_size(holidays) + 1, sizeof *out->holidays);
    for (size_t i = 0; out->holidays && i < json_array_size(holidays); i++)
        out->holidays[out->holiday_count++] = json_integer_value(json_array_get(holidays, i));
    out->first_recorded_year = int_member(doc, "first_recorded_year");
    out->annual_taken = int_member(doc, "annual_taken");
    out->used_last = int_member(doc, "used_last");
    out->used_before_last = int_member(doc, "used_before_last");
    out->times_before = int_member(doc, "times_before");
    out->overlaps = json_is_true(json_object_get(doc, "overlaps"));
    json_decref(doc);
    return out->holidays ? DB_OK : DB_ERROR;
}

void leave_facts_row_clear(struct leave_facts_row *row)
{
    json_decref(row->work_hours);
    free(row->holidays);
    *row = (struct leave_facts_row){0};
}

static const char *minutes_text(char buf[16], int minutes)
{
    if (minutes < 0)
        return NULL;
    snprintf(buf, 16, "%d", minutes);
    return buf;
}

json_t *store_leave_insert(struct db_conn *db, const struct leave_new *l, enum db_status *status)
{
    char emp[24], unit[24], start[16], end[16], days[16];
    snprintf(days, sizeof days, "%d", l->working_days);
    const char *params[] = {id_text(emp, l->employee_id), id_text(unit, l->unit_id), l->kind, l->from, l->to,
                            minutes_text(start, l->start_min), minutes_text(end, l->end_min), days, l->reason};
    return store_doc_exec(db, "leave_insert", 9, params, status);
}

json_t *store_leave_get(struct db_conn *db, long long leave_id, bool lock, long long *unit_id, long long *agency_id,
                        enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, leave_id)};
    PGresult *r = db_exec(db, lock ? "leave_get_lock" : "leave_get", 1, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    *unit_id = doc ? atoll(PQgetvalue(r, 0, 1)) : 0;
    *agency_id = doc ? atoll(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    return doc;
}

json_t *store_leave_decide(struct db_conn *db, long long leave_id, int version, const char *decision, const char *note,
                           long long decided_by, enum db_status *status)
{
    char id[24], v[16], by[24];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {id_text(id, leave_id), v, decision, note, id_text(by, decided_by)};
    return store_doc_exec(db, "leave_decide", 5, params, status);
}

json_t *store_leave_withdraw(struct db_conn *db, long long leave_id, long long employee_id, enum db_status *status)
{
    char id[24], emp[24];
    const char *params[] = {id_text(id, leave_id), id_text(emp, employee_id)};
    return store_doc_exec(db, "leave_withdraw", 2, params, status);
}

json_t *store_leave_attach(struct db_conn *db, long long leave_id, long long employee_id, const char *sha256,
                           const char *content_type, size_t size, enum db_status *status)
{
    char id[24], emp[24], bytes[24];
    snprintf(bytes, sizeof bytes, "%zu", size);
    const char *params[] = {id_text(id, leave_id), id_text(emp, employee_id), sha256, content_type, bytes};
    return store_doc_exec(db, "leave_attach", 5, params, status);
}

json_t *store_leave_list(struct db_conn *db, const struct auth *a, const struct leave_filter *f, long long before_id,
                         int limit, enum db_status *status)
{
    char agency[24], unit[24], emp[24], filter_unit[24], before[24], limit_text[16];
    const char *params[10];
    store_scope_params(a, agency, unit, params);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = id_text(emp, a->role == ROLE_EMPLOYEE ? a->employee_id : f->employee_id);
    params[4] = id_text(filter_unit, f->unit_id);
    params[5] = f->status;
    params[6] = f->from;
    params[7] = f->to;
    params[8] = id_text(before, before_id);
    params[9] = limit_text;
    return store_docs_exec(db, "leave_list", 10, params, status);
}

json_t *store_leave_flags(struct db_conn *db, long long employee_id, const char *from, const char *to,
                          enum db_status *status)
{
    char emp[24];
    const char *params[] = {id_text(emp, employee_id), from, to};
    return store_doc_exec(db, "leave_flags", 3, params, status);
}

enum db_status store_leave_dismiss(struct db_conn *db, long long violation_id, const char *day, int version,
                                   long long leave_id, const char *note, bool *dismissed)
{
    char id[24], v[16], leave[24];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {id_text(id, violation_id), day, v, id_text(leave, leave_id), note};
    enum db_status st;
    PGresult *r = db_exec(db, "leave_dismiss", 5, params, &st);
    if (!r)
        return st;
    *dismissed = PQntuples(r) == 1;
    PQclear(r);
    return DB_OK;
}

enum db_status store_leave_approver(struct db_conn *db, long long unit_id, const char *kind, char role[16])
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), kind};
    enum db_status st;
    PGresult *r = db_exec(db, "leave_approver", 2, params, &st);
    if (r && PQntuples(r) == 1)
        snprintf(role, 16, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

json_t *store_leave_approvers_of(struct db_conn *db, long long agency_id, enum db_status *status)
{
    char agency[24];
    const char *params[] = {id_text(agency, agency_id)};
    return store_doc_exec(db, "leave_approvers_of", 1, params, status);
}

json_t *store_leave_approver_set(struct db_conn *db, long long agency_id, const char *kind, const char *role,
                                 enum db_status *status)
{
    char agency[24];
    const char *params[] = {id_text(agency, agency_id), kind, role};
    return store_doc_exec(db, "leave_approver_set", 3, params, status);
}

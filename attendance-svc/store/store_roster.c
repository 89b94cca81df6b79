/*
 * The roster: a unit's entries per day (roster_entries, sql/0004).
 */
#include "store_roster.h"

const struct db_statement store_roster_statements[] = {
    {"roster_unit", "SELECT unit_doc(u) FROM units u WHERE u.id = $4 AND " SCOPE_SQL("u")},
    {"roster_unit_lock", "SELECT unit_doc(u) FROM units u WHERE u.id = $4 AND " SCOPE_SQL("u") " FOR UPDATE"},
    {"roster_members",
     "SELECT coalesce(json_agg(json_build_object('employee_id', e.id::text, 'nip', e.nip, 'name', e.name,"
     "   'priority', e.vulnerable OR coalesce(e.birth_date + interval '50 years' < $2::date, false),"
     "   'wfh_days_30', (SELECT count(*) FROM roster_entries r WHERE r.employee_id = e.id AND r.mode = 'WFH'"
     "                   AND r.day >= $2::date - 30 AND r.day < $2::date)) ORDER BY e.id), '[]')"
     "  FROM employees e WHERE e.unit_id = $1 AND e.active"},
    {"roster_get",
     "SELECT json_build_object('id', $1::bigint::text || ':' || $2::date::text, 'unit_id', $1::bigint::text,"
     "  'date', $2::date,"
     "  'entries', coalesce(json_agg(json_build_object('employee_id', e.id::text, 'nip', e.nip, 'name', e.name,"
     "     'mode', r.mode, 'start', to_char(make_time(r.start_min / 60, r.start_min % 60, 0), 'HH24:MI'),"
     "     'end', CASE WHEN r.end_min = 1440 THEN '24:00'"
     "                 ELSE to_char(make_time(r.end_min / 60, r.end_min % 60, 0), 'HH24:MI') END)"
     "     ORDER BY e.id) FILTER (WHERE r.employee_id IS NOT NULL), '[]'))"
     "  FROM roster_entries r JOIN employees e ON e.id = r.employee_id"
     " WHERE r.unit_id = $1::bigint AND r.day = $2::date"},
    /* A unit's day as its console shows it: each active employee's rostered mode and shift (start,
     * end: null for the unit's hours), first in and last out (the day's arrival and departure:
     * day_attendance, sql/0016), and whether the nightly closure found it absent (absent), else
     * arrived (present), on a rest day (off) or not yet (pending). $3: one employee's row only (GET /v1/me/day). */
    {"unit_day",
     "SELECT coalesce(json_agg(json_build_object('employee_id', e.id::text, 'nip', e.nip, 'name', e.name,"
     "   'mode', coalesce(r.mode, 'WFO'),"
     "   'start', to_char(make_time(r.start_min / 60, r.start_min % 60, 0), 'HH24:MI'),"
     "   'end', CASE WHEN r.end_min = 1440 THEN '24:00'"
     "               ELSE to_char(make_time(r.end_min / 60, r.end_min % 60, 0), 'HH24:MI') END,"
     "   'first_in', d.arrival_at, 'last_out', d.departure_at,"
     "   'first_in_source', d.arrival_source, 'last_out_source', d.departure_source,"
     "   'leave', (SELECT json_build_object('id', l.id::text, 'kind', l.kind, 'start', leave_doc(l) -> 'start',"
     "                                      'end', leave_doc(l) -> 'end')"
     "             FROM leave_on_day(e.id, $2::date) l WHERE l.id IS NOT NULL),"
     /* Whole-day leave first: an ABSENT it excused is dismissed, and a day of duty elsewhere is no absence. */
     "   'state', CASE WHEN EXISTS (SELECT 1 FROM leave_on_day(e.id, $2::date) l"
     "                              WHERE l.id IS NOT NULL AND l.start_min IS NULL) THEN 'on_leave'"
     "                 WHEN a.absent THEN 'absent' WHEN d.arrival_at IS NOT NULL THEN 'present'"
     "                 WHEN r.mode = 'OFF' THEN 'off' ELSE 'pending' END)"
     "   ORDER BY e.name, e.id), '[]')"
     "  FROM employees e"
     "  LEFT JOIN roster_entries r ON r.employee_id = e.id AND r.day = $2::date"
     "  LEFT JOIN LATERAL (SELECT * FROM day_attendance x WHERE x.employee_id = e.id AND x.local_day = $2::date) d"
     "    ON true"
     "  LEFT JOIN LATERAL (SELECT true AS absent FROM violations v"
     "                      WHERE v.employee_id = e.id AND v.day = $2::date AND v.code = 'ABSENT' LIMIT 1) a ON true"
     " WHERE e.unit_id = $1 AND e.active AND ($3::bigint IS NULL OR e.id = $3::bigint)"},
    /* The hours that govern the unit's day (sql/0027): its week's or the dated hours', and its settings. */
    {"unit_day_hours",
     "SELECT json_build_object("
     "   'work_hours', unit_week_on(u.id, $2::date)"
     "                 -> (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])[extract(isodow FROM $2::date)::int],"
     "   'work_day', is_work_day(u.id, $2::date),"
     "   'dated_hours', (SELECT json_build_object('id', h.id::text, 'name', h.name)"
     "                     FROM governing_dated_hours(u.id, $2::date) h WHERE h.id IS NOT NULL),"
     "   'grace_minutes', u.grace_minutes, 'grace_made_up', u.grace_made_up, 'flex_minutes', u.flex_minutes,"
     "   'checkin_windows', u.checkin_windows)"
     "  FROM units u WHERE u.id = $1"},
    {"roster_delete", "DELETE FROM roster_entries WHERE unit_id = $1 AND day = $2::date"},
    {"roster_insert",
     "INSERT INTO roster_entries (employee_id, day, unit_id, mode, start_min, end_min)"
     " SELECT x.employee_id, $2::date, $1, x.mode, x.start_min, x.end_min"
     "   FROM json_to_recordset($3::json) AS x (employee_id bigint, mode text, start_min int, end_min int)"
     " ON CONFLICT (employee_id, day) DO UPDATE"
     "   SET unit_id = EXCLUDED.unit_id, mode = EXCLUDED.mode, start_min = EXCLUDED.start_min,"
     "       end_min = EXCLUDED.end_min"},
    {NULL, NULL},
};

json_t *store_roster_unit(struct db_conn *db, const struct auth *a, long long unit_id, bool lock,
                          enum db_status *status)
{
    char agency[24], unit[24], target[24];
    const char *params[4];
    store_scope_params(a, agency, unit, params);
    params[3] = id_text(target, unit_id);
    return store_doc_exec(db, lock ? "roster_unit_lock" : "roster_unit", 4, params, status);
}

json_t *store_roster_members(struct db_conn *db, long long unit_id, const char *day, enum db_status *status)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), day};
    return store_doc_exec(db, "roster_members", 2, params, status);
}

json_t *store_roster_get(struct db_conn *db, long long unit_id, const char *day, enum db_status *status)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), day};
    return store_doc_exec(db, "roster_get", 2, params, status);
}

json_t *store_unit_day(struct db_conn *db, long long unit_id, const char *day, long long employee_id,
                       enum db_status *status)
{
    char unit[24], emp[24];
    const char *params[] = {id_text(unit, unit_id), day, id_text(emp, employee_id)};
    return store_doc_exec(db, "unit_day", 3, params, status);
}

enum db_status store_roster_replace(struct db_conn *db, long long unit_id, const char *day, const char *entries_json)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), day, entries_json};
    enum db_status st;
    PGresult *r = db_exec(db, "roster_delete", 2, params, &st);
    PQclear(r);
    if (st != DB_OK)
        return st;
    r = db_exec(db, "roster_insert", 3, params, &st);
    PQclear(r);
    return st;
}

json_t *store_unit_day_hours(struct db_conn *db, long long unit_id, const char *day, enum db_status *status)
{
    char unit[24];
    const char *params[] = {id_text(unit, unit_id), day};
    return store_doc_exec(db, "unit_day_hours", 2, params, status);
}

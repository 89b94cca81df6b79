/*
 * Discipline: an employee's violations of a year and the rules in force for its status (sql/0007, sql/0024).
 */
#include "store_discipline.h"

#include <stdio.h>

/* Ten consecutive work days never span more than a month, even with the year-end holidays. */
#define RUN_WINDOW_DAYS "31"

const struct db_statement store_discipline_statements[] = {
    /*
     * Confirmed and pending apart (a pending flag is not yet unexcused); the
     * run of consecutive confirmed absent days is read from a month either
     * side of the year, so that a run across 31 December is one run.
     */
    {"discipline_year",
     "WITH emp AS (SELECT status FROM employees WHERE id = $1),"
     " v AS (SELECT * FROM violations WHERE employee_id = $1 AND status <> 'dismissed'"
     "         AND day >= make_date($2::int, 1, 1) AND day < make_date($2::int + 1, 1, 1)),"
     " around AS (SELECT day, unit_id, lag(day) OVER (ORDER BY day) AS prev FROM violations"
     "             WHERE employee_id = $1 AND code = 'ABSENT' AND status = 'confirmed'"
     "               AND day >= make_date($2::int, 1, 1) - " RUN_WINDOW_DAYS
     "               AND day < make_date($2::int + 1, 1, 1) + " RUN_WINDOW_DAYS "),"
     /* Only the day's departure counts (day_attendance, sql/0016): stepping out at noon and leaving on
      * time is not leaving early. */
     /* A day without a check-out counts the early minutes its unit set (missing_out_minutes, sql/0027). */
     " early AS (SELECT v.day, v.status, (v.evidence ->> 'early_minutes')::int AS minutes FROM v"
     "            WHERE (v.code = 'EARLY_DEPARTURE' AND v.checkin_id = (SELECT d.departure_id"
     "              FROM day_attendance d WHERE d.employee_id = v.employee_id AND d.local_day = v.day))"
     "               OR v.code = 'NO_CHECKOUT')"
     " SELECT json_build_object("
     "  'confirmed_days', (SELECT count(*) FROM v WHERE code = 'ABSENT' AND status = 'confirmed'),"
     "  'pending_days', (SELECT count(*) FROM v WHERE code = 'ABSENT' AND status = 'pending'),"
     /* Each violation's minutes by its day: the divisor and the ladder are those in force on it (rules/discipline.c). */
     "  'minutes', (SELECT coalesce(json_agg(json_build_object('day', m.day, 'late', m.late, 'early', m.early,"
     "                'confirmed', m.status = 'confirmed') ORDER BY m.day), '[]')"
     "              FROM (SELECT day, status, (evidence ->> 'late_minutes')::int AS late, 0 AS early FROM v"
     "                     WHERE code = 'LATE_ARRIVAL'"
     "                    UNION ALL SELECT day, status, 0, minutes FROM early) m),"
     "  'absences', (SELECT coalesce(json_agg(json_build_object('day', a.day,"
     "                 'between', (SELECT count(*) FROM generate_series(a.prev + 1, a.day - 1, interval '1 day') g"
     "                             WHERE employee_works_on($1::bigint, a.unit_id, g::date))) ORDER BY a.day), '[]')"
     "                FROM around a),"
     "  'minutes_per_day', (SELECT json_build_object('minutes', minutes, 'regulation', regulation,"
     "                                              'in_force_from', in_force_from)"
     "                      FROM discipline_day_minutes WHERE in_force_from <= make_date($2::int, 12, 31)"
     "                      ORDER BY in_force_from DESC LIMIT 1),"
     "  'divisors', (SELECT coalesce(json_agg(json_build_object('minutes', minutes, 'regulation', regulation,"
     "                 'in_force_from', in_force_from) ORDER BY in_force_from), '[]')"
     "               FROM discipline_day_minutes WHERE in_force_from <= make_date($2::int, 12, 31)),"
     /* Every ladder in force during the year (PP 53/2010 and PP 94/2021 both in 2021), by its date. */
     "  'thresholds', (SELECT coalesce(json_agg(json_build_object('kind', t.kind, 'min_days', t.min_days,"
     "                   'severity', t.severity, 'sanction', t.sanction, 'level', t.level, 'regulation', t.regulation,"
     "                   'article', t.article, 'in_force_from', t.in_force_from, 'in_force_to', t.in_force_to,"
     "                   'status', t.status) ORDER BY t.in_force_from, t.id), '[]')"
     "                 FROM discipline_thresholds t, emp WHERE t.status = emp.status"
     "                  AND t.in_force_from <= make_date($2::int, 12, 31)"
     "                  AND (t.in_force_to IS NULL OR t.in_force_to >= make_date($2::int, 1, 1))),"
     "  'status', (SELECT status FROM emp))"},
    {NULL, NULL},
};

json_t *store_discipline_year(struct db_conn *db, long long employee_id, int year, enum db_status *status)
{
    char emp[24], y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {id_text(emp, employee_id), y};
    return store_doc_exec(db, "discipline_year", 2, params, status);
}

/*
 * Discipline: an employee's violations of a year and the rules in force (sql/0007).
 */
#include "store_discipline.h"

#include <stdio.h>

const struct db_statement store_discipline_statements[] = {
    {"discipline_year",
     "WITH v AS (SELECT * FROM violations WHERE employee_id = $1 AND status <> 'dismissed'"
     "             AND day >= make_date($2::int, 1, 1) AND day < make_date($2::int + 1, 1, 1)),"
     " absent AS (SELECT day, unit_id, lag(day) OVER (ORDER BY day) AS prev FROM v WHERE code = 'ABSENT')"
     " SELECT json_build_object("
     "  'absent_days', (SELECT count(*) FROM absent),"
     "  'late_minutes', (SELECT coalesce(sum((evidence ->> 'late_minutes')::int), 0) FROM v"
     "                   WHERE code = 'LATE_ARRIVAL'),"
     /* Only the day's departure counts (day_attendance, sql/0016): stepping out at noon and leaving on
      * time is not leaving early. */
     "  'early_minutes', (SELECT coalesce(sum((v.evidence ->> 'early_minutes')::int), 0) FROM v"
     "                    WHERE (v.code = 'EARLY_DEPARTURE' AND v.checkin_id = (SELECT d.departure_id"
     "                      FROM day_attendance d WHERE d.employee_id = v.employee_id AND d.local_day = v.day))"
     /* A day without a check-out counts the early minutes its unit set (missing_out_minutes, sql/0027). */
     "                       OR v.code = 'NO_CHECKOUT'),"
     "  'gaps', (SELECT coalesce(json_agg((SELECT count(*) FROM generate_series(a.prev + 1, a.day - 1, interval '1 day') g"
     "                                     WHERE employee_works_on($1::bigint, a.unit_id, g::date)) ORDER BY a.day), '[]')"
     "             FROM absent a),"
     "  'minutes_per_day', (SELECT minutes FROM discipline_day_minutes"
     "                      WHERE in_force_from <= make_date($2::int, 12, 31) ORDER BY in_force_from DESC LIMIT 1),"
     "  'thresholds', (SELECT coalesce(json_agg(json_build_object('kind', t.kind, 'min_days', t.min_days,"
     "                   'severity', t.severity, 'sanction', t.sanction, 'level', t.level, 'regulation', t.regulation)"
     "                   ORDER BY t.id), '[]')"
     "                 FROM discipline_thresholds t WHERE t.in_force_from <= make_date($2::int, 12, 31)"
     "                  AND (t.in_force_to IS NULL OR t.in_force_to >= make_date($2::int, 1, 1))))"},
    {NULL, NULL},
};

json_t *store_discipline_year(struct db_conn *db, long long employee_id, int year, enum db_status *status)
{
    char emp[24], y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {id_text(emp, employee_id), y};
    return store_doc_exec(db, "discipline_year", 2, params, status);
}

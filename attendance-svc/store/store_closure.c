/*
 * The nightly closure (sql/0007): ABSENT and NO_CHECKOUT, set-based, each
 * guarded by violations_closure_once_idx so a second run adds nothing. Neither
 * is tied to a check-in (NO_CHECKOUT names the last "in" in its evidence): a
 * phone retrying that "in" after the closure must get its first answer again,
 * and the replay lists the violations of the check-in. The day's arrival and
 * departure are read from day_attendance (sql/0016): the check-ins that count
 * for the day, by judged time.
 */
#include "store_closure.h"

#include "rules/work_hours.h"

#include <stdlib.h>

#define SQL_NUMBER(n) #n
#define SQL_INT(n) SQL_NUMBER(n)

/*
 * The instant a unit's local day $1 is over: its midnight, or, when a night
 * shift of that day ends the next morning, that shift's end and the
 * NIGHT_SHIFT_CARRY_MIN in which its check-out still belongs to it.
 */
#define UNIT_DAY_OVER(u)                                                                                        \
    "(($1::date + 1)::timestamp AT TIME ZONE " u ".timezone"                                                     \
    " + make_interval(mins => coalesce((SELECT max(r.end_min) + " SQL_INT(NIGHT_SHIFT_CARRY_MIN)                  \
    "   FROM roster_entries r WHERE r.unit_id = " u ".id AND r.day = $1::date AND r.end_min <= r.start_min), 0)))"

/*
 * Units whose local day $1 is over, with the instant it began; with $2, only
 * those with a night shift that day (which the nightly of that day left open).
 */
#define CLOSED_UNITS                                                                                            \
    "closed AS (SELECT u.id, ($1::date)::timestamp AT TIME ZONE u.timezone AS began"                             \
    "             FROM units u WHERE now() >= " UNIT_DAY_OVER("u")                                               \
    "              AND (NOT $2::boolean OR EXISTS (SELECT 1 FROM roster_entries r WHERE r.unit_id = u.id"         \
    "                                              AND r.day = $1::date AND r.end_min <= r.start_min)))"

const struct db_statement store_closure_statements[] = {
    {"closure_absent",
     "WITH " CLOSED_UNITS ","
     " units_day AS (SELECT c.*, unit_week_on(c.id, $1::date) -> (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat',"
     "                        'sun'])[extract(isodow FROM $1::date)::int] AS hours FROM closed c),"
     /* Due on a work day of the employee (sql/0028): a shift of the roster, else the unit's, not a rest day. */
     " expected AS (SELECT eu.employee_id, w.id AS unit_id,"
     "                     CASE WHEN r.start_min IS NOT NULL AND r.end_min IS NOT NULL"
     "                          THEN jsonb_build_array(to_char(make_time(r.start_min / 60, r.start_min % 60, 0), 'HH24:MI'),"
     "                                                 to_char(make_time(r.end_min / 60 % 24, r.end_min % 60, 0), 'HH24:MI'))"
     "                          ELSE w.hours END AS hours"
     "                FROM units_day w"
     "                JOIN employee_units eu ON eu.unit_id = w.id AND eu.valid_from <= w.began"
     "                 AND (eu.valid_to IS NULL OR eu.valid_to > w.began)"
     "                LEFT JOIN roster_entries r ON r.employee_id = eu.employee_id AND r.day = $1::date"
     "               WHERE employee_works_on(eu.employee_id, w.id, $1::date))"
     " INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)"
     " SELECT x.employee_id, x.unit_id, NULL, $1::date, 'ABSENT', jsonb_build_object('work_hours', x.hours)"
     "   FROM expected x"
     "  WHERE NOT EXISTS (SELECT 1 FROM day_attendance d WHERE d.employee_id = x.employee_id"
     "                    AND d.local_day = $1::date AND d.arrival_at IS NOT NULL)"
     /* Approved leave of the whole day excuses it (rules/leave.c, leave_excuses: hours do not). */
     "    AND NOT EXISTS (SELECT 1 FROM leave_on_day(x.employee_id, $1::date) l"
     "                    WHERE l.id IS NOT NULL AND l.start_min IS NULL)"
     " ON CONFLICT (employee_id, day, code) WHERE code IN ('ABSENT', 'NO_CHECKOUT') DO NOTHING"},
    /* The employees with a check-in in a closed unit that day, each read in day_attendance by its key. */
    {"closure_no_checkout",
     "WITH " CLOSED_UNITS ","
     " present AS (SELECT DISTINCT c.employee_id"
     "               FROM closed u JOIN checkins c ON c.unit_id = u.id AND c.local_day = $1::date)"
     " INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)"
     " SELECT d.employee_id, d.last_in_unit_id, NULL, $1::date, 'NO_CHECKOUT',"
     /* early_minutes: what the unit counts a missing check-out as (missing_out_minutes), fixed at closure. */
     "        jsonb_build_object('last_in_checkin_id', d.last_in_id::text, 'last_in_at', d.last_in_at,"
     "                           'early_minutes', (SELECT u.missing_out_minutes FROM units u WHERE u.id = d.last_in_unit_id))"
     "   FROM present p CROSS JOIN LATERAL (SELECT * FROM day_attendance a"
     "                                       WHERE a.employee_id = p.employee_id AND a.local_day = $1::date) d"
     "  WHERE d.last_in_at IS NOT NULL AND d.last_in_unit_id IN (SELECT id FROM closed)"
     "    AND (d.departure_at IS NULL OR d.departure_at <= d.last_in_at)"
     " ON CONFLICT (employee_id, day, code) WHERE code IN ('ABSENT', 'NO_CHECKOUT') DO NOTHING"},
    /* From now on a check-in judged on the day counts for nothing the closure decides (and the cache ends). */
    {"closure_mark_closed",
     "WITH " CLOSED_UNITS
     " INSERT INTO closed_days (unit_id, day) SELECT id, $1::date FROM closed ON CONFLICT DO NOTHING"},
    /* Waits for the check-ins being stored to commit: they were judged before the day was closed. */
    {"closure_wait_for_checkins", "LOCK TABLE checkins IN SHARE MODE"},
    {"closure_units_open", "SELECT count(*) FROM units u WHERE now() < " UNIT_DAY_OVER("u")},
    {NULL, NULL},
};

static enum db_status run_counted(struct db_conn *db, const char *statement, const char *day, bool night_units_only,
                                  long *count)
{
    const char *params[] = {day, night_units_only ? "true" : "false"};
    enum db_status st;
    PGresult *r = db_exec(db, statement, 2, params, &st);
    *count = r ? strtol(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    return st;
}

enum db_status store_closure_absent(struct db_conn *db, const char *day, bool night_units_only, long *flagged)
{
    return run_counted(db, "closure_absent", day, night_units_only, flagged);
}

enum db_status store_closure_no_checkout(struct db_conn *db, const char *day, bool night_units_only, long *flagged)
{
    return run_counted(db, "closure_no_checkout", day, night_units_only, flagged);
}

enum db_status store_closure_units_open(struct db_conn *db, const char *day, long *open)
{
    const char *params[] = {day};
    enum db_status st;
    PGresult *r = db_exec(db, "closure_units_open", 1, params, &st);
    *open = r && PQntuples(r) == 1 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return st;
}

enum db_status store_closure_mark_closed(struct db_conn *db, const char *day, bool night_units_only)
{
    const char *params[] = {day, night_units_only ? "true" : "false"};
    enum db_status st;
    PQclear(db_exec(db, "closure_mark_closed", 2, params, &st));
    return st;
}

enum db_status store_closure_wait_for_checkins(struct db_conn *db)
{
    enum db_status st;
    PQclear(db_exec(db, "closure_wait_for_checkins", 0, NULL, &st));
    return st;
}

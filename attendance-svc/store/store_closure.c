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

#include <stdlib.h>

/* Units whose local day $1 is over, with the instant it began. */
#define CLOSED_UNITS                                                                        \
    "closed AS (SELECT u.id, u.work_hours, ($1::date)::timestamp AT TIME ZONE u.timezone AS began" \
    "             FROM units u WHERE now() >= ($1::date + 1)::timestamp AT TIME ZONE u.timezone)"

const struct db_statement store_closure_statements[] = {
    {"closure_absent",
     "WITH " CLOSED_UNITS ","
     " work AS (SELECT * FROM closed WHERE is_work_day(closed.id, $1::date)),"
     " expected AS (SELECT eu.employee_id, w.id AS unit_id, w.work_hours FROM work w"
     "                JOIN employee_units eu ON eu.unit_id = w.id AND eu.valid_from <= w.began"
     "                 AND (eu.valid_to IS NULL OR eu.valid_to > w.began))"
     " INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)"
     " SELECT x.employee_id, x.unit_id, NULL, $1::date, 'ABSENT',"
     "        jsonb_build_object('work_hours', x.work_hours -> (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat',"
     "                           'sun'])[extract(isodow FROM $1::date)::int])"
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
     "        jsonb_build_object('last_in_checkin_id', d.last_in_id::text, 'last_in_at', d.last_in_at)"
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
    {"closure_units_open",
     "SELECT count(*) FROM units u WHERE now() < ($1::date + 1)::timestamp AT TIME ZONE u.timezone"},
    {NULL, NULL},
};

static enum db_status run_counted(struct db_conn *db, const char *statement, const char *day, long *count)
{
    const char *params[] = {day};
    enum db_status st;
    PGresult *r = db_exec(db, statement, 1, params, &st);
    *count = r ? strtol(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    return st;
}

enum db_status store_closure_absent(struct db_conn *db, const char *day, long *flagged)
{
    return run_counted(db, "closure_absent", day, flagged);
}

enum db_status store_closure_no_checkout(struct db_conn *db, const char *day, long *flagged)
{
    return run_counted(db, "closure_no_checkout", day, flagged);
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

enum db_status store_closure_mark_closed(struct db_conn *db, const char *day)
{
    const char *params[] = {day};
    enum db_status st;
    PQclear(db_exec(db, "closure_mark_closed", 1, params, &st));
    return st;
}

enum db_status store_closure_wait_for_checkins(struct db_conn *db)
{
    enum db_status st;
    PQclear(db_exec(db, "closure_wait_for_checkins", 0, NULL, &st));
    return st;
}

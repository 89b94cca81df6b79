/*
 * The day's roster of a unit (store_roster.c).
 */
#ifndef ATTENDANCE_STORE_ROSTER_H
#define ATTENDANCE_STORE_ROSTER_H

#include "store.h"

/*
 * The unit's document if the caller may see the unit, else NULL (with DB_OK).
 * With lock, the unit's row stays locked until the transaction ends: that
 * serialises every roster save of the unit, so that two saves at once cannot
 * together exceed a cap.
 */
json_t *store_roster_unit(struct db_conn *db, const struct auth *a, long long unit_id, bool lock,
                          enum db_status *status);

/*
 * The unit's active employees for the roster of day: [{"employee_id", "nip",
 * "name", "priority" (vulnerable, or over 50 that day), "wfh_days_30" (WFH
 * entries in the 30 days before)}], by id.
 */
json_t *store_roster_members(struct db_conn *db, long long unit_id, const char *day, enum db_status *status);

/*
 * The roster of the unit and day: {"id": "<unit>:<day>", "unit_id", "date",
 * "entries": [{"employee_id", "nip", "name", "mode", "start", "end"}]}.
 */
json_t *store_roster_get(struct db_conn *db, long long unit_id, const char *day, enum db_status *status);

/* The unit's active employees that day: [{"employee_id", "nip", "name", "mode", "first_in", "last_out",
 * "state": "present" | "absent" | "pending"}], by name; only employee_id's row unless it is 0. */
json_t *store_unit_day(struct db_conn *db, long long unit_id, const char *day, long long employee_id,
                       enum db_status *status);
/*
 * The unit's hours that day: work_hours (["HH:MM", "HH:MM"] or null), work_day, dated_hours ({id, name} of
 * those governing, or null), grace_minutes, grace_made_up, flex_minutes, checkin_windows.
 */
json_t *store_unit_day_hours(struct db_conn *db, long long unit_id, const char *day, enum db_status *status);

/*
 * Replaces the unit's roster of day with entries_json
 * ([{"employee_id", "mode", "start_min", "end_min"}]); an employee's entry of
 * that day in another unit moves here.
 */
enum db_status store_roster_replace(struct db_conn *db, long long unit_id, const char *day, const char *entries_json);

#endif

/*
 * Units (store_units.c).
 */
#ifndef ATTENDANCE_STORE_UNITS_H
#define ATTENDANCE_STORE_UNITS_H

#include "store.h"

/* The agency (top-level unit) of a unit; *agency_id is 0 when the unit does not exist. */
enum db_status store_unit_agency(struct db_conn *db, long long unit_id, long long *agency_id);
enum db_status store_timezone_known(struct db_conn *db, const char *tz_name, bool *known);
struct unit_fields {
    long long parent_id, parent_agency_id; /* 0 for a top-level unit */
    const char *code, *name, *category, *timezone;
    const char *work_hours_json;
    int grace_minutes;
    int sync_tolerance_s;
    const char *checkin_windows_json; /* NULL: none */
    bool grace_made_up;
    int flex_minutes, missing_out_minutes;
};
/* The new unit's document; NULL on failure (DB_UNIQUE_VIOLATION: the code is taken). */
json_t *store_unit_insert(struct db_conn *db, const struct unit_fields *u, enum db_status *status);
/* The unit's document and agency; NULL with DB_OK when there is no such unit. */
json_t *store_unit_get(struct db_conn *db, long long unit_id, long long *agency_id, enum db_status *status);
/* The units the caller may see, after the cursor, limit + 1 of them at most. */
json_t *store_unit_list(struct db_conn *db, const struct auth *a, long long after, int limit,
                        enum db_status *status);
#endif

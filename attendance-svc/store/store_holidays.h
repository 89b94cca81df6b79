/*
 * The agency calendar: holidays and collective leave (store_holidays.c).
 */
#ifndef ATTENDANCE_STORE_HOLIDAYS_H
#define ATTENDANCE_STORE_HOLIDAYS_H

#include "store.h"

/* Whether unit_id is a top-level unit (an agency). */
enum db_status store_holiday_agency_exists(struct db_conn *db, long long unit_id, bool *exists);

/* The new holiday's document; NULL with DB_UNIQUE_VIOLATION when that day is taken for that calendar. */
json_t *store_holiday_insert(struct db_conn *db, const char *day, const char *name, const char *kind,
                             long long agency_id, enum db_status *status);

/* Deletes the holiday; its document, or NULL (DB_OK) when there is none. */
json_t *store_holiday_delete(struct db_conn *db, long long holiday_id, enum db_status *status);

/* The national days of year and, with agency_id, that agency's too (all agencies' with 0), by day; of the
 * agencies' days, only the caller's own agency's unless it is an admin. */
json_t *store_holiday_list(struct db_conn *db, const struct auth *a, int year, long long agency_id,
                           enum db_status *status);

#endif

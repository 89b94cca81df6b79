/*
 * The employee's own records (store_me.c): GET /v1/me/checkins, /v1/me/violations and /v1/me/day.
 */
#ifndef ATTENDANCE_STORE_ME_H
#define ATTENDANCE_STORE_ME_H

#include "store.h"

/* The employee's check-ins with local_day from..to (NULL: any), newest first below before_id (0: the newest). */
json_t *store_me_checkins(struct db_conn *db, long long employee_id, const char *from, const char *to,
                          long long before_id, int limit, enum db_status *status);
/* The employee's violations (status NULL: any), newest first, each with its explanation. */
json_t *store_me_violations(struct db_conn *db, long long employee_id, const char *status, long long before_id,
                            int limit, enum db_status *status_out);
/* The employee's unit (0: no such employee), the day (day, else today on the unit's clock, as YYYY-MM-DD) and
 * the unit's time zone. */
enum db_status store_me_day_of(struct db_conn *db, long long employee_id, const char *day, long long *unit_id,
                               char date[11], char zone[64]);

#endif

/*
 * The employee's own records (store_me.c): GET /v1/me/checkins and /v1/me/violations.
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

#endif

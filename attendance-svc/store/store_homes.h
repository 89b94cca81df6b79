/*
 * Homes: WFH locations (store_homes.c).
 */
#ifndef ATTENDANCE_STORE_HOMES_H
#define ATTENDANCE_STORE_HOMES_H

#include "store.h"

/* Registers a pending home of employee_id (default radius) and returns its document; NULL on failure. */
json_t *store_home_insert(struct db_conn *db, long long employee_id, double lat, double lon, const char *address,
                          enum db_status *status);
/*
 * The employee whose home home_id is, if the caller may see that employee's
 * unit (*employee_id 0 otherwise). Locks the employee's row until the
 * transaction ends, which serialises every approval for that employee.
 */
enum db_status store_home_lock_employee(struct db_conn *db, const struct auth *a, long long home_id,
                                        long long *employee_id);
/* The home's document (row locked), or NULL (with DB_OK) when there is none. */
json_t *store_home_lock(struct db_conn *db, long long home_id, enum db_status *status);
/* The employee's approved home (row locked), or NULL (with DB_OK) when there is none. */
json_t *store_home_lock_approved(struct db_conn *db, long long employee_id, enum db_status *status);
/* Marks the employee's approved home replaced; its new document, or NULL when there was none. */
json_t *store_home_replace(struct db_conn *db, long long employee_id, enum db_status *status);
/*
 * Approves a pending home (by the account approved_by); its new document, or
 * NULL when it was not pending. DB_UNIQUE_VIOLATION when the employee still
 * has an approved home.
 */
json_t *store_home_approve(struct db_conn *db, long long home_id, long long approved_by, enum db_status *status);
/*
 * The homes the caller may see (an employee its own; staff those of the
 * employees of the units in its scope), of employee_id only unless it is 0, in
 * status only unless it is NULL, after the cursor, limit of them at most.
 */
json_t *store_home_list(struct db_conn *db, const struct auth *a, long long employee_id, const char *status_filter,
                        long long after, int limit, enum db_status *status);

#endif

/*
 * Staff accounts: the logins of supervisors, reviewers and admins
 * (store_staff.c). Employees' logins belong to their employee records and are
 * never read or changed here.
 */
#ifndef ATTENDANCE_STORE_STAFF_H
#define ATTENDANCE_STORE_STAFF_H

#include "store.h"

struct staff_fields {
    const char *username, *role, *password_hash;
    long long unit_id, employee_id; /* 0: none */
};
/* The new account's document; NULL on failure (DB_UNIQUE_VIOLATION: the username is taken). */
json_t *store_staff_insert(struct db_conn *db, const struct staff_fields *s, enum db_status *status);

/* The staff account's document; NULL with DB_OK when there is none (or it is an employee's login). */
json_t *store_staff_get(struct db_conn *db, long long account_id, enum db_status *status);
/* The same, locking the row until the transaction ends (before an update). */
json_t *store_staff_get_for_update(struct db_conn *db, long long account_id, enum db_status *status);
/* Staff accounts after the cursor, limit of them at most, by id. */
json_t *store_staff_list(struct db_conn *db, long long after, int limit, enum db_status *status);

struct staff_change {
    const char *password_hash; /* NULL: unchanged */
    int disabled;              /* -1: unchanged; else 0 or 1 */
    bool set_unit, set_employee;
    long long unit_id, employee_id; /* when set: the new value, 0 for none */
};
/* Applies the change and returns the new document; NULL with DB_OK when there is no such staff account. */
json_t *store_staff_update(struct db_conn *db, long long account_id, const struct staff_change *c,
                           enum db_status *status);

/* Whether the employee record exists (a staff member may be linked to one). */
enum db_status store_staff_employee_exists(struct db_conn *db, long long employee_id, bool *exists);

#endif

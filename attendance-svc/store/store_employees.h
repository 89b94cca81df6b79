/*
 * Employees and their login accounts (store_employees.c).
 */
#ifndef ATTENDANCE_STORE_EMPLOYEES_H
#define ATTENDANCE_STORE_EMPLOYEES_H

#include "store.h"

/* A new employee; its login (username = NIP, role employee) is made with it. */
struct employee_new {
    const char *nip, *name;
    long long unit_id;
    const char *birth_date; /* "YYYY-MM-DD" or NULL */
    bool vulnerable;
    const char *password_hash;
};
/*
 * The employee's document, its login made in the same statement; NULL on failure
 * (DB_UNIQUE_VIOLATION: the NIP is taken by an employee or a login).
 */
json_t *store_employee_insert(struct db_conn *db, const struct employee_new *e, enum db_status *status);

/*
 * The employee's document, unit and agency; NULL with DB_OK when there is no such
 * employee. for_update locks the row until the end of the transaction.
 */
json_t *store_employee_get(struct db_conn *db, long long employee_id, bool for_update, long long *unit_id,
                           long long *agency_id, enum db_status *status);

/* The employees of the units the caller may see (of unit_id only, unless 0), after the cursor, limit at most. */
json_t *store_employee_list(struct db_conn *db, const struct auth *a, long long unit_id, long long after, int limit,
                            enum db_status *status);

/* A change: NULL, 0 or -1 leaves a field as it is. */
struct employee_change {
    const char *name;
    long long unit_id;
    bool set_birth_date;
    const char *birth_date; /* with set_birth_date: the new date, or NULL to clear it */
    int vulnerable, active; /* -1, 0 or 1 */
    const char *status;     /* pns, cpns or pppk (sql/0024: its discipline thresholds); NULL: unchanged */
    const char *password_hash;
};
/* Applies the change (the login follows the unit and takes the password); the new document, NULL with DB_OK if
 * there is no such employee. */
json_t *store_employee_update(struct db_conn *db, long long employee_id, const struct employee_change *c,
                              enum db_status *status);

/*
 * What a CSV import checks rows against, in one document:
 * {"unit_ids": {"<unit code>": <id>, ...}, "staff_logins": ["<username>", ...]}, the
 * latter being the staff usernames that look like a NIP (an employee's login
 * could not take them).
 */
json_t *store_employee_import_lookups(struct db_conn *db, enum db_status *status);
/*
 * Creates or updates (name, unit) a batch of employees and their logins.
 * rows_json is a JSON array of {"nip", "name", "unit_id", "password_hash"}
 * with no NIP twice; the hash is that of a new login only (an existing one
 * keeps its password). Appends the NIPs created and updated to the arrays.
 */
enum db_status store_employee_import_batch(struct db_conn *db, const char *rows_json, json_t *created,
                                           json_t *updated);

#endif

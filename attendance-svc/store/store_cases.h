/*
 * Discipline cases (store_cases.c, sql/0025): opened by the supervisor of the
 * employee's unit, examined, stated, decided; read in the caller's scope.
 */
#ifndef ATTENDANCE_STORE_CASES_H
#define ATTENDANCE_STORE_CASES_H

#include "store.h"

/*
 * The named violations (violation_ids: a JSON array of id strings) as
 * {"id", "employee_id", "status", "day", "in_a_case"}, locked against a
 * concurrent decision.
 */
json_t *store_case_violations(struct db_conn *db, const char *violation_ids_json, enum db_status *status);

struct case_new {
    long long employee_id, unit_id, summoned_by;
    int year;
    const char *summoned_for;       /* RFC 3339 */
    const char *suggested_sanction; /* or NULL */
    const char *violations_json;    /* the array of store_case_violations */
};
/* The new case's document; NULL on failure (DB_UNIQUE_VIOLATION: a violation another case took meanwhile). */
json_t *store_case_insert(struct db_conn *db, const struct case_new *c, enum db_status *status);

/* A case's document with its unit and the unit's agency; lock: FOR UPDATE. NULL with DB_OK when none. */
json_t *store_case_get(struct db_conn *db, long long case_id, bool lock, long long *unit_id, long long *agency_id,
                       enum db_status *status);

/* Each step on the locked case; the new document. */
json_t *store_case_examine(struct db_conn *db, long long case_id, const char *record, long long by,
                           enum db_status *status);
json_t *store_case_statement(struct db_conn *db, long long case_id, const char *text, enum db_status *status);
/* The decision if version is still current; NULL with DB_OK otherwise. */
json_t *store_case_decide(struct db_conn *db, long long case_id, int version, const char *sanction,
                          const char *reason, long long by, enum db_status *status);

struct case_filter {
    long long unit_id; /* 0: any */
    const char *status; /* NULL: any */
    int year;           /* 0: any */
};
/* The cases the caller may see (an employee its own), newest first below before_id. */
json_t *store_case_list(struct db_conn *db, const struct auth *a, const struct case_filter *f, long long before_id,
                        int limit, enum db_status *status);

#endif

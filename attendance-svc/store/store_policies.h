/*
 * WFH/WFO policies (store_policies.c).
 */
#ifndef ATTENDANCE_STORE_POLICIES_H
#define ATTENDANCE_STORE_POLICIES_H

#include "store.h"

struct policy_fields {
    const char *name;
    const char *starts_on, *ends_on; /* YYYY-MM-DD, checked */
    const char *applies_to_json;     /* a JSON array of categories, checked */
    const char *selfie_required_for_json; /* a JSON array of modes, checked */
    long long unit_id;                    /* 0: every unit */
    int priority;
    int max_wfh_percent, max_wfo_percent; /* -1: no cap of that kind */
};
/* The new policy's document; NULL on failure. */
json_t *store_policy_insert(struct db_conn *db, const struct policy_fields *p, enum db_status *status);
/* The policy's document; NULL with DB_OK when there is none the caller may see (a policy of no unit, or of a
 * unit of the caller's agency; an admin sees all). */
json_t *store_policy_get(struct db_conn *db, const struct auth *a, long long policy_id, enum db_status *status);
/*
 * Policies by id after the cursor, limit of them at most; date (YYYY-MM-DD or
 * NULL) keeps those in force that day, and unit_id (0: no filter) those that
 * cover that unit (see the statement), none if the caller cannot see it.
 */
json_t *store_policy_list(struct db_conn *db, const struct auth *a, const char *date, long long unit_id,
                          long long after, int limit, enum db_status *status);


/* Dated hours (sql/0027): a week of hours over a unit's on some dates. */
struct dated_hours_fields {
    const char *name, *starts_on, *ends_on, *applies_to_json; /* checked */
    long long unit_id;                                        /* 0: every unit */
    int priority;
    const char *work_hours_json; /* a work week, checked */
};
json_t *store_hours_insert(struct db_conn *db, const struct dated_hours_fields *h, enum db_status *status);
/* As store_policy_get and store_policy_list, for dated hours. */
json_t *store_hours_get(struct db_conn *db, const struct auth *a, long long hours_id, enum db_status *status);
json_t *store_hours_list(struct db_conn *db, const struct auth *a, const char *date, long long unit_id,
                         long long after, int limit, enum db_status *status);
#endif

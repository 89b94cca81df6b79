/*
 * The review of violations (store_review.c): the console's list, a
 * violation's evidence, reviewers' decisions, and the selfie behind a check-in.
 */
#ifndef ATTENDANCE_STORE_REVIEW_H
#define ATTENDANCE_STORE_REVIEW_H

#include "store.h"

/* The list's filters; NULL or 0: no filter. Values are checked by the caller. */
struct violation_filter {
    const char *status;   /* pending, dismissed or confirmed */
    long long unit_id;    /* the violation's unit */
    const char *code;     /* a violation code */
    const char *from, *to; /* YYYY-MM-DD: the violation's day, both included */
};

/*
 * The violations the caller may see (by the scope of SCOPE_SQL on the
 * violation's unit) that pass the filter, newest first (by id, below
 * before_id unless it is 0), limit of them at most. Call it inside a
 * transaction (it plans the list for these filters: see store_review.c).
 */
json_t *store_violation_list(struct db_conn *db, const struct auth *a, const struct violation_filter *f,
                             long long before_id, int limit, enum db_status *status);

/*
 * A violation and its evidence: {"violation": violation_doc, "employee",
 * "unit", "checkin" (or null), "roster" (that day's entry, or null),
 * "policies" (those in force for the unit that day), "decisions" (oldest
 * first)}, with the id and agency of the violation's unit. NULL with DB_OK
 * when there is no such violation.
 */
json_t *store_violation_evidence(struct db_conn *db, long long violation_id, long long *unit_id,
                                 long long *agency_id, enum db_status *status);

/*
 * Records a decision (sanction and note may be NULL) by the account decided_by
 * if version is still the violation's: its status becomes the decision and its
 * version goes up by one. *decided is false when version was not current
 * (nothing changed).
 */
enum db_status store_violation_decide(struct db_conn *db, long long violation_id, int version, const char *decision,
                                      const char *sanction, const char *note, long long decided_by, bool *decided);

/*
 * The employee's explanation of its own pending violation (the document of
 * the explanation), or NULL with DB_OK when it is not such a violation.
 */
json_t *store_violation_explain(struct db_conn *db, long long violation_id, long long employee_id, const char *text,
                                enum db_status *status);

struct checkin_selfie {
    char sha256[65];        /* "" when the check-in has no selfie */
    char content_type[16];
    long long unit_id, agency_id; /* the check-in's unit */
    bool purged;                  /* the file was deleted by the retention (ATTENDANCE_SELFIE_RETENTION_DAYS) */
};

/* The selfie of a check-in; *found is false when there is no such check-in. */
enum db_status store_checkin_selfie(struct db_conn *db, long long checkin_id, struct checkin_selfie *out,
                                    bool *found);

#endif

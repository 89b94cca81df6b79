/*
 * Leave requests (store_leave.c, sql/0023): the kinds' rules, what a request
 * is judged by, the requests themselves, and the flags an approval excuses.
 */
#ifndef ATTENDANCE_STORE_LEAVE_H
#define ATTENDANCE_STORE_LEAVE_H

#include "rules/leave.h"
#include "store.h"

/* A kind's row (strings point into *row_doc, which the caller frees); *found false when unknown. */
enum db_status store_leave_kind(struct db_conn *db, const char *kind, struct leave_kind_rule *rule,
                                json_t **row_doc, bool *found);

/* What a request of employee_id from..to is judged by, besides the kind. */
struct leave_facts_row {
    char nip[24];
    long long unit_id, agency_id;
    json_t *work_hours;      /* the unit's week (owned: json_decref) */
    int64_t *holidays;       /* days since 1970-01-01 in from..to (owned: free) */
    size_t holiday_count;
    int first_recorded_year; /* the year the employee was first recorded */
    int annual_taken;        /* approved and pending cuti_tahunan days in from's year, but leave except_id */
    int used_last, used_before_last; /* approved cuti_tahunan days in the two years before */
    int times_before;        /* approved leave of the kind, but except_id */
    bool overlaps;           /* another pending or approved leave overlaps from..to */
};

/* *found false when there is no active employee employee_id. except_id: the request judged again (0: none). */
enum db_status store_leave_facts(struct db_conn *db, long long employee_id, const char *kind, const char *from,
                                 const char *to, long long except_id, struct leave_facts_row *out, bool *found);
void leave_facts_row_clear(struct leave_facts_row *row);

struct leave_new {
    long long employee_id, unit_id;
    const char *kind, *from, *to, *reason;
    int start_min, end_min; /* -1: whole days */
    int working_days;
};
json_t *store_leave_insert(struct db_conn *db, const struct leave_new *l, enum db_status *status);

/* A request's document, with its unit and the unit's agency; lock: FOR UPDATE. NULL with DB_OK when none. */
json_t *store_leave_get(struct db_conn *db, long long leave_id, bool lock, long long *unit_id, long long *agency_id,
                        enum db_status *status);

/* The decision, if version is still current and the request pending; NULL with DB_OK otherwise. */
json_t *store_leave_decide(struct db_conn *db, long long leave_id, int version, const char *decision, const char *note,
                           long long decided_by, enum db_status *status);
/* Withdrawn by its employee while pending; NULL with DB_OK otherwise. */
json_t *store_leave_withdraw(struct db_conn *db, long long leave_id, long long employee_id, enum db_status *status);
/* The attachment of a pending request of employee_id; NULL with DB_OK otherwise. */
json_t *store_leave_attach(struct db_conn *db, long long leave_id, long long employee_id, const char *sha256,
                           const char *content_type, size_t size, enum db_status *status);

struct leave_filter {
    long long unit_id, employee_id; /* 0: any */
    const char *status, *from, *to; /* NULL: any; from/to: requests overlapping the span */
};
/* The requests the caller may see (an employee its own), newest first below before_id (0: from the newest). */
json_t *store_leave_list(struct db_conn *db, const struct auth *a, const struct leave_filter *f, long long before_id,
                         int limit, enum db_status *status);

/*
 * The pending flags of the employee from..to that leave may excuse: an array
 * of {"id", "day", "code", "version", "local_time", "boundary", "violation"}.
 */
json_t *store_leave_flags(struct db_conn *db, long long employee_id, const char *from, const char *to,
                          enum db_status *status);
/* Dismisses a flag by the service for the leave; *dismissed false when its version moved on. */
enum db_status store_leave_dismiss(struct db_conn *db, long long violation_id, const char *day, int version,
                                   long long leave_id, const char *note, bool *dismissed);

/* The role that decides kind for the employees of unit_id (leave_approvers, sql/0031; default supervisor). */
enum db_status store_leave_approver(struct db_conn *db, long long unit_id, const char *kind, char role[16]);

/*
 * [{"kind", "role"}] for every kind in the agency agency_id; NULL with DB_OK
 * when agency_id is no agency (a top-level unit).
 */
json_t *store_leave_approvers_of(struct db_conn *db, long long agency_id, enum db_status *status);

/* Names the role that decides kind in the agency: {"agency_id", "kind", "role"}; NULL with DB_OK for an unknown agency or kind. */
json_t *store_leave_approver_set(struct db_conn *db, long long agency_id, const char *kind, const char *role,
                                 enum db_status *status);

#endif

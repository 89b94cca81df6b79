/*
 * Discipline cases (CONTRACT.md, "Discipline as PP 94/2021 runs it"): which
 * violations a case may be about, and when a case may be decided. Pure: no
 * I/O.
 */
#ifndef ATTENDANCE_RULES_CASES_H
#define ATTENDANCE_RULES_CASES_H

#include "errors.h"

#include <stdbool.h>
#include <stddef.h>

/* One violation named for a case, as the store found it. */
struct case_violation {
    long long employee_id;
    const char *status; /* pending, confirmed, dismissed */
    bool in_a_case;     /* already the subject of another case */
};

/*
 * Whether the case about employee_id may be opened on these violations (count
 * of them named, found of them existing): NULL when it may, else why, with
 * *code the error (422 invalid_value).
 */
const char *case_open_problem(long long employee_id, size_t count, size_t found, const struct case_violation *v,
                              enum error_code *code);

/* The first day PP 94/2021 judges (sql/0007); the days before were PP 53/2010's (sql/0032). */
#define PP94_IN_FORCE_FROM "2021-08-31"

/*
 * Whether a case of status, about violations the first of which is on
 * first_day ("YYYY-MM-DD"), may be decided with sanction where suggested was
 * suggested (NULL: none) and reason given (NULL or empty: none): NULL when it
 * may, else why, with *code the error (409 not_examined before the
 * examination, 409 conflict once decided, 422 invalid_value for an unknown
 * sanction, 422 reason_required for a sanction other than the suggested one
 * without a reason). A sanction is a code of PP 94/2021, or one that only PP
 * 53/2010 has when the case judges an absence before PP94_IN_FORCE_FROM.
 */
const char *case_decide_problem(const char *status, const char *first_day, const char *sanction,
                                const char *suggested, const char *reason, enum error_code *code);

#endif

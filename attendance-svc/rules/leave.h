/*
 * Leave, permission and official duty (CONTRACT.md, "Leave and permission";
 * PP 11/2017 as amended by PP 17/2020, Peraturan BKN 24/2017): pure rules on
 * plain values, no I/O.
 *
 * A kind's rule is data (sql/0023, leave_kinds, each row with its source);
 * leave_request_problem judges one request on it, with the facts the store
 * read (service length from the NIP, the working days counted with the
 * unit's week and the holidays, the annual balance, earlier leave of the
 * kind). leave_excuses says which flags an approved leave excuses, for the
 * check-in rules, and for the flags an approval finds already made.
 */
#ifndef ATTENDANCE_RULES_LEAVE_H
#define ATTENDANCE_RULES_LEAVE_H

#include "errors.h"
#include "rules/work_hours.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One row of leave_kinds; 0 (or -1 for attachment_beyond_days) where the row has NULL. */
struct leave_kind_rule {
    const char *kind;
    int min_service_months;
    int max_calendar_days;
    int annual_working_days, carry_max_days, carry_two_years_total;
    int attachment_beyond_days; /* -1: never needed */
    int max_times;
    bool female_only, hours_allowed, single_day, excuses_place;
};

/* A day's approved leave as the check-in rules and the dismissals see it. */
struct leave_cover {
    bool on_leave;
    int start_min, end_min; /* the hours of an izin, unit-local; -1: the whole day */
    bool excuses_place;     /* dinas_luar: no OUTSIDE_GEOFENCE either */
};

/*
 * Whether the leave excuses a flag of code: ABSENT (whole-day leave),
 * LATE_ARRIVAL at local minute at_min against the start boundary_min (the
 * hours cover from the start to the arrival), EARLY_DEPARTURE at at_min
 * against the end boundary_min (from the departure to the end),
 * OUTSIDE_GEOFENCE (official duty). Any other code: false.
 */
bool leave_excuses(const struct leave_cover *leave, const char *code, int at_min, int boundary_min);

/*
 * Whole months of service on the day (days since 1970-01-01) since the
 * appointment month that the NIP carries in its digits 9-14 (YYYYMM); -1 when
 * the NIP is not 18 digits or carries no valid month.
 */
int leave_service_months(const char *nip, int64_t on_day);

/* Whether the NIP's 15th digit says female (2). */
bool leave_nip_female(const char *nip);

/*
 * Working days from from_day to to_day (both included) by the week and the
 * holidays (days since 1970-01-01, in any order).
 */
int leave_working_days(const struct work_week *week, int64_t from_day, int64_t to_day, const int64_t *holidays,
                       size_t holiday_count);

/* The two years before the one asked for, as the record knows them. */
struct annual_history {
    bool recorded_last, recorded_before_last; /* the employee was recorded, and eligible, that whole year */
    int used_last, used_before_last;          /* working days of approved annual leave then */
};

/*
 * The year's annual leave: annual_working_days, plus the unused days of last
 * year up to carry_max_days, or carry_two_years_total in all when both years
 * before went entirely unused. A year the record does not know carries
 * nothing (the service cannot vouch for days it never saw).
 */
int leave_annual_balance(const struct leave_kind_rule *rule, const struct annual_history *h);

struct leave_request_facts {
    const struct leave_kind_rule *rule;
    int64_t from_day, to_day;   /* days since 1970-01-01 */
    int start_min, end_min;     /* -1: whole days */
    int service_months;         /* leave_service_months on from_day */
    bool female;
    int working_days;           /* leave_working_days of the span */
    int annual_balance;         /* leave_annual_balance of from_day's year */
    int annual_taken;           /* working days of the year's other approved and pending annual leave */
    int times_before;           /* approved leave of this kind before */
    bool has_attachment;
    bool deciding;              /* judged again for an approval: the attachment is due now */
};

struct leave_problem {
    enum error_code code; /* a 422 code (ERR_LEAVE_BALANCE_EXCEEDED, ...) when the request fails */
    const char *field;   /* the field concerned, or NULL */
    char message[200];
};

/* Judges the request; returns whether it passes (else problem says why). */
bool leave_request_ok(const struct leave_request_facts *f, struct leave_problem *problem);

#endif

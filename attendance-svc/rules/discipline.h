/*
 * Discipline accumulation (PP 94/2021, PP 53/2010 before it, BKN 6/2022;
 * DOMAIN.md "Discipline"; docs/discipline.md "Judged by the rule in force on
 * its date"): unexcused absent days, late and early minutes converted to days,
 * and the sanction the thresholds suggest, each day under the regulation in
 * force on its date. The thresholds and the minutes per day are data (sql/0007,
 * sql/0024, sql/0032); this is the arithmetic. Pure: no I/O. Dates are days
 * since 1970-01-01.
 */
#ifndef ATTENDANCE_RULES_DISCIPLINE_H
#define ATTENDANCE_RULES_DISCIPLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most regulations one year can see (two in 2021: PP 53/2010 to 30 August, PP 94/2021 from 31 August). */
#define DISCIPLINE_REGIMES_MAX 8
/* A threshold in force to no end (in_force_to NULL). */
#define DISCIPLINE_NO_END INT64_MAX

enum threshold_kind { THRESHOLD_CUMULATIVE, THRESHOLD_CONSECUTIVE };

/*
 * One row of discipline_thresholds. The rows with the same regulation and
 * dates in force make one ladder (a regime); severity orders a ladder's
 * rungs, level (ringan, sedang, berat) compares rungs of two ladders.
 */
struct discipline_threshold {
    enum threshold_kind kind;
    int min_days;
    int severity;
    const char *sanction, *level, *regulation; /* borrowed */
    int64_t in_force_from, in_force_to;        /* both days included; in_force_to DISCIPLINE_NO_END: none */
};

/* A confirmed ABSENT day, and how many work days lie between it and the previous absence (0: the next work day). */
struct discipline_absence {
    int64_t day;
    int work_days_since_previous; /* the first element's is ignored */
};

/* The late and early minutes of one violation, by its day. */
struct discipline_minutes {
    int64_t day;
    long late, early;
};

/* How many minutes count as one day (BKN 6/2022: 450), from a date on (to the next divisor's date). */
struct discipline_divisor {
    int64_t in_force_from;
    int minutes;
};

/*
 * What the year holds: the confirmed absences in order (they may reach a
 * month into the years either side, so that a run across 31 December is one
 * run), the confirmed minutes of the year's days, the divisors by date and
 * the thresholds of every ladder in force during the year for the employee's
 * status.
 */
struct discipline_facts {
    int64_t year_first, year_last;
    const struct discipline_absence *absences;
    size_t absence_count;
    const struct discipline_minutes *minutes;
    size_t minutes_count;
    const struct discipline_divisor *divisors; /* by in_force_from ascending */
    size_t divisor_count;
    const struct discipline_threshold *thresholds;
    size_t threshold_count;
};

/* One regulation's share of the year: the days it judges (from..to, within the year) and what its ladder suggests. */
struct discipline_regime {
    const char *regulation; /* borrowed from its thresholds */
    int64_t from, to;
    int absent_days;
    long late_minutes, early_minutes;
    int minute_days, total_days;
    int longest_absent_run; /* over its own days only, across 31 December too */
    const struct discipline_threshold *suggested; /* the heaviest rung of its ladder met; NULL: none */
};

struct discipline_summary {
    int absent_days;        /* confirmed ABSENT days of the year */
    long late_minutes, early_minutes;
    int minute_days;        /* whole days the minutes make, each minute by the divisor in force on its day */
    int total_days;         /* absent_days + minute_days */
    int longest_absent_run; /* consecutive confirmed absent work days with a day in the year, whatever the regime */
    int unjudged_days;      /* absent days of the year no ladder was in force for (a status without rows) */
    struct discipline_regime regimes[DISCIPLINE_REGIMES_MAX]; /* by date */
    size_t regime_count;
    const struct discipline_threshold *suggested; /* the heavier of the regimes' suggestions; NULL: none */
};

/*
 * The whole days that minutes dated from..to make: the minutes under each
 * divisor summed and divided by it, a minute dated before every divisor
 * making none.
 */
int discipline_minute_days(const struct discipline_minutes *m, size_t n, const struct discipline_divisor *divisors,
                           size_t divisor_count, int64_t from, int64_t to);

/*
 * The year judged: every absence and every violation's minutes counted under
 * each ladder in force on its date, each ladder assessed on its own days, and
 * the heavier suggestion (by level, then by rung; the later regulation on a
 * tie) suggested.
 */
struct discipline_summary discipline_assess(const struct discipline_facts *f);

/*
 * What a case about violations on these days suggests: the heavier of the
 * suggestions of the regimes that judge one of them (the year's suggestion
 * narrowed to the regulations the case is about); NULL: none.
 */
const struct discipline_threshold *discipline_suggestion_judging(const struct discipline_summary *s,
                                                                 const int64_t *days, size_t n);

#endif

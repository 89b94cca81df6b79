/*
 * Discipline accumulation (PP 94/2021, BKN 6/2022; DOMAIN.md "Discipline"):
 * unexcused absent days, late and early minutes converted to days, and the
 * sanction the thresholds in force suggest. The thresholds and the minutes per
 * day are data (sql/0007); this is the arithmetic. Pure: no I/O.
 */
#ifndef ATTENDANCE_RULES_DISCIPLINE_H
#define ATTENDANCE_RULES_DISCIPLINE_H

#include <stdbool.h>
#include <stddef.h>

enum threshold_kind { THRESHOLD_CUMULATIVE, THRESHOLD_CONSECUTIVE };

struct discipline_threshold {
    enum threshold_kind kind;
    int min_days;
    int severity;
    const char *sanction, *level; /* borrowed */
};

struct discipline_totals {
    int absent_days;        /* confirmed ABSENT days (a pending flag is not yet unexcused) */
    long late_minutes, early_minutes;
    int minutes_per_day;    /* 450: 7.5 hours */
    int longest_absent_run; /* consecutive confirmed absent work days (discipline_longest_run) */
};

struct discipline_summary {
    int minute_days;  /* whole days the late and early minutes make */
    int total_days;   /* absent_days + minute_days */
    const struct discipline_threshold *suggested; /* the most severe rule met; NULL: none */
};

/*
 * The longest run of consecutive absent work days that has a day in the year,
 * from the absent days in order (they may reach into the years either side:
 * a run across 31 December is one run) and, for each, how many work days lie
 * between it and the previous one (0: the next work day; the first element's
 * gap is ignored) and whether it is in the year (in_year NULL: all are).
 */
int discipline_longest_run(const int *work_days_between, const bool *in_year, size_t n);

struct discipline_summary discipline_assess(const struct discipline_totals *t,
                                            const struct discipline_threshold *thresholds, size_t n);

#endif

#include "discipline.h"

int discipline_longest_run(const int *work_days_between, const bool *in_year, size_t n)
{
    int longest = 0, run = 0;
    bool touches = false;
    for (size_t i = 0; i < n; i++) {
        bool continues = i > 0 && work_days_between[i] == 0;
        run = continues ? run + 1 : 1;
        touches = (continues && touches) || !in_year || in_year[i];
        if (touches && run > longest)
            longest = run;
    }
    return longest;
}

struct discipline_summary discipline_assess(const struct discipline_totals *t,
                                            const struct discipline_threshold *thresholds, size_t n)
{
    struct discipline_summary s = {0};
    /* BKN 6/2022: every full 7.5 hours of late arrival and early departure count as one day. */
    if (t->minutes_per_day > 0)
        s.minute_days = (int)((t->late_minutes + t->early_minutes) / t->minutes_per_day);
    s.total_days = t->absent_days + s.minute_days;
    for (size_t i = 0; i < n; i++) {
        const struct discipline_threshold *th = &thresholds[i];
        int days = th->kind == THRESHOLD_CUMULATIVE ? s.total_days : t->longest_absent_run;
        if (days >= th->min_days && (!s.suggested || th->severity > s.suggested->severity))
            s.suggested = th;
    }
    return s;
}

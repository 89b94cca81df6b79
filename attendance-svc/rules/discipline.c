#include "discipline.h"

#include <string.h>

static bool within(int64_t day, int64_t from, int64_t to) { return day >= from && day <= to; }

/*
 * The longest run of consecutive absent work days whose days all lie in
 * from..to and one of which lies in the year: a run across 31 December is one
 * run, a run across the start of a regulation counts under it only from its
 * first day in force.
 */
static int longest_run(const struct discipline_facts *f, int64_t from, int64_t to)
{
    int longest = 0, run = 0;
    bool touches = false;
    for (size_t i = 0; i < f->absence_count; i++) {
        const struct discipline_absence *a = &f->absences[i];
        if (!within(a->day, from, to)) {
            run = 0;
            continue;
        }
        bool continues = run > 0 && a->work_days_since_previous == 0;
        run = continues ? run + 1 : 1;
        touches = (continues && touches) || within(a->day, f->year_first, f->year_last);
        if (touches && run > longest)
            longest = run;
    }
    return longest;
}

int discipline_minute_days(const struct discipline_minutes *m, size_t n, const struct discipline_divisor *divisors,
                           size_t divisor_count, int64_t from, int64_t to)
{
    int days = 0;
    for (size_t d = 0; d < divisor_count; d++) {
        int64_t starts = divisors[d].in_force_from;
        int64_t ends = d + 1 < divisor_count ? divisors[d + 1].in_force_from - 1 : DISCIPLINE_NO_END;
        long minutes = 0;
        for (size_t i = 0; i < n; i++)
            if (within(m[i].day, from, to) && within(m[i].day, starts, ends))
                minutes += m[i].late + m[i].early;
        if (divisors[d].minutes > 0)
            days += (int)(minutes / divisors[d].minutes);
    }
    return days;
}

static int level_rank(const char *level)
{
    return !level ? 0 : strcmp(level, "berat") == 0 ? 3 : strcmp(level, "sedang") == 0 ? 2 : 1;
}

/* Whether a is heavier than b (NULL: nothing): by level, then by rung. */
static bool heavier(const struct discipline_threshold *a, const struct discipline_threshold *b)
{
    if (!b)
        return true;
    int la = level_rank(a->level), lb = level_rank(b->level);
    return la != lb ? la > lb : a->severity > b->severity;
}

static bool same_ladder(const struct discipline_threshold *a, const struct discipline_regime *r)
{
    return a->regulation && r->regulation && strcmp(a->regulation, r->regulation) == 0 &&
           a->in_force_from == r->from && a->in_force_to == r->to;
}

/* One regime per ladder in force during the year, its own dates in force for now, by the date it starts. */
static size_t ladders(const struct discipline_facts *f, struct discipline_regime *r)
{
    size_t n = 0;
    for (size_t i = 0; i < f->threshold_count; i++) {
        const struct discipline_threshold *th = &f->thresholds[i];
        if (th->in_force_to < f->year_first || th->in_force_from > f->year_last)
            continue;
        size_t k = 0;
        while (k < n && !same_ladder(th, &r[k]))
            k++;
        if (k < n || n == DISCIPLINE_REGIMES_MAX)
            continue;
        size_t at = n++;
        while (at > 0 && r[at - 1].from > th->in_force_from) {
            r[at] = r[at - 1];
            at--;
        }
        r[at] = (struct discipline_regime){.regulation = th->regulation, .from = th->in_force_from,
                                           .to = th->in_force_to};
    }
    return n;
}

/*
 * The heavier of the regimes' suggestions, of those judging one of days (days
 * NULL: all). The regimes are by date: on a tie of weight the later
 * regulation, in force when the case is decided, speaks.
 */
static const struct discipline_threshold *heaviest(const struct discipline_summary *s, const int64_t *days, size_t n)
{
    const struct discipline_threshold *found = NULL;
    for (size_t k = 0; k < s->regime_count; k++) {
        const struct discipline_regime *r = &s->regimes[k];
        bool judges = !days;
        for (size_t i = 0; !judges && i < n; i++)
            judges = within(days[i], r->from, r->to);
        if (judges && r->suggested && (!found || !heavier(found, r->suggested)))
            found = r->suggested;
    }
    return found;
}

static void assess_regime(const struct discipline_facts *f, struct discipline_regime *r)
{
    int64_t ladder_from = r->from, ladder_to = r->to;
    r->longest_absent_run = longest_run(f, ladder_from, ladder_to);
    r->from = ladder_from > f->year_first ? ladder_from : f->year_first;
    r->to = ladder_to < f->year_last ? ladder_to : f->year_last;
    for (size_t i = 0; i < f->absence_count; i++)
        r->absent_days += within(f->absences[i].day, r->from, r->to);
    for (size_t i = 0; i < f->minutes_count; i++)
        if (within(f->minutes[i].day, r->from, r->to)) {
            r->late_minutes += f->minutes[i].late;
            r->early_minutes += f->minutes[i].early;
        }
    r->minute_days = discipline_minute_days(f->minutes, f->minutes_count, f->divisors, f->divisor_count, r->from, r->to);
    r->total_days = r->absent_days + r->minute_days;
    for (size_t i = 0; i < f->threshold_count; i++) {
        const struct discipline_threshold *th = &f->thresholds[i];
        if (th->in_force_from != ladder_from || th->in_force_to != ladder_to || !th->regulation ||
            strcmp(th->regulation, r->regulation) != 0)
            continue;
        int days = th->kind == THRESHOLD_CUMULATIVE ? r->total_days : r->longest_absent_run;
        if (days >= th->min_days && (!r->suggested || th->severity > r->suggested->severity))
            r->suggested = th;
    }
}

struct discipline_summary discipline_assess(const struct discipline_facts *f)
{
    struct discipline_summary s = {0};
    s.regime_count = ladders(f, s.regimes);
    for (size_t k = 0; k < s.regime_count; k++)
        assess_regime(f, &s.regimes[k]);
    for (size_t i = 0; i < f->absence_count; i++) {
        int64_t day = f->absences[i].day;
        if (!within(day, f->year_first, f->year_last))
            continue;
        s.absent_days++;
        bool judged = false;
        for (size_t k = 0; k < s.regime_count; k++)
            judged = judged || within(day, s.regimes[k].from, s.regimes[k].to);
        s.unjudged_days += !judged;
    }
    for (size_t i = 0; i < f->minutes_count; i++)
        if (within(f->minutes[i].day, f->year_first, f->year_last)) {
            s.late_minutes += f->minutes[i].late;
            s.early_minutes += f->minutes[i].early;
        }
    s.minute_days = discipline_minute_days(f->minutes, f->minutes_count, f->divisors, f->divisor_count, f->year_first,
                                           f->year_last);
    s.total_days = s.absent_days + s.minute_days;
    s.longest_absent_run = longest_run(f, INT64_MIN, DISCIPLINE_NO_END);
    s.suggested = heaviest(&s, NULL, 0);
    return s;
}

const struct discipline_threshold *discipline_suggestion_judging(const struct discipline_summary *s,
                                                                 const int64_t *days, size_t n)
{
    return heaviest(s, days, n);
}

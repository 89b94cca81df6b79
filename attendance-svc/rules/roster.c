#include "roster.h"

#include <math.h>
#include <stdlib.h>

int roster_cap_people(int cap_percent, int headcount) { return cap_percent * headcount / 100; }

static double percent_of(int part, int whole) { return whole ? round(part * 10000.0 / whole) / 100.0 : 0.0; }

struct roster_check roster_check(const struct policy_terms *terms, int headcount, int wfh_entries, int off_entries)
{
    struct roster_check r = {.verdict = ROSTER_OK, .headcount = headcount, .wfh = wfh_entries,
                             .wfo = headcount - wfh_entries - off_entries};
    if (r.wfo < 0)
        r.wfo = 0;
    if (wfh_entries > 0 && terms->wfo_only) {
        r.verdict = ROSTER_WFO_ONLY;
        r.cap_percent = 0;
        r.requested_percent = percent_of(r.wfh, headcount);
    } else if (terms->max_wfh_percent != POLICY_NO_CAP &&
               r.wfh > roster_cap_people(terms->max_wfh_percent, headcount)) {
        r.verdict = ROSTER_WFH_OVER_CAP;
        r.cap_percent = terms->max_wfh_percent;
        r.requested_percent = percent_of(r.wfh, headcount);
    } else if (terms->max_wfo_percent != POLICY_NO_CAP &&
               r.wfo > roster_cap_people(terms->max_wfo_percent, headcount)) {
        r.verdict = ROSTER_WFO_OVER_CAP;
        r.cap_percent = terms->max_wfo_percent;
        r.requested_percent = percent_of(r.wfo, headcount);
    }
    return r;
}

static int by_claim(const void *a, const void *b)
{
    const struct roster_candidate *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority ? -1 : 1;
    if (x->wfh_days_30 != y->wfh_days_30)
        return x->wfh_days_30 < y->wfh_days_30 ? -1 : 1;
    return (x->employee_id > y->employee_id) - (x->employee_id < y->employee_id);
}

int roster_suggest(const struct policy_terms *terms, struct roster_candidate *c, size_t n)
{
    int headcount = (int)n;
    int places = 0;
    if (!terms->wfo_only) {
        if (terms->max_wfh_percent != POLICY_NO_CAP)
            places = roster_cap_people(terms->max_wfh_percent, headcount);
        if (terms->max_wfo_percent != POLICY_NO_CAP) {
            int must_stay_home = headcount - roster_cap_people(terms->max_wfo_percent, headcount);
            if (must_stay_home > places)
                places = must_stay_home;
        }
    }
    qsort(c, n, sizeof *c, by_claim);
    for (size_t i = 0; i < n; i++)
        c[i].wfh = (int)i < places;
    return places;
}

/*
 * The roster's arithmetic (CONTRACT.md, "Roster"): whether a day's entries keep
 * within the caps of the policies in force, and the suggestion of who works
 * from home. Caps are percents of the unit's active employees, rounded down to
 * whole people (50% of 7 is 3). An employee without an entry works at the
 * office, so a WFO cap counts them too. Pure: no I/O.
 */
#ifndef ATTENDANCE_RULES_ROSTER_H
#define ATTENDANCE_RULES_ROSTER_H

#include "rules/policy.h"

#include <stdbool.h>
#include <stddef.h>

/* How many people a cap in percent allows out of headcount. */
int roster_cap_people(int cap_percent, int headcount);

enum roster_verdict { ROSTER_OK, ROSTER_WFO_ONLY, ROSTER_WFH_OVER_CAP, ROSTER_WFO_OVER_CAP };

struct roster_check {
    enum roster_verdict verdict;
    int headcount, wfh, wfo;
    int cap_percent;          /* of the cap exceeded */
    double requested_percent; /* of the mode over its cap, to two decimals */
};

/*
 * Checks wfh_entries WFH entries and off_entries rest days (OFF: at neither
 * place) among headcount active employees against the terms.
 */
struct roster_check roster_check(const struct policy_terms *terms, int headcount, int wfh_entries, int off_entries);

/* An employee as the suggestion weighs it. */
struct roster_candidate {
    long long employee_id;
    bool priority;    /* vulnerable, or over 50 on the day */
    int wfh_days_30;  /* WFH days rostered in the 30 days before */
    size_t ref;       /* the caller's, e.g. an index into its own list */
    bool wfh;         /* out: suggested WFH */
};

/*
 * Marks the candidates suggested WFH: as many places as the caps allow (the WFH
 * cap, and at least as many as a WFO cap leaves out of the office), first to
 * the priority ones, then to those with the fewest WFH days, then by id.
 * Reorders the array in that order; returns the number of WFH places given.
 */
int roster_suggest(const struct policy_terms *terms, struct roster_candidate *c, size_t n);

#endif

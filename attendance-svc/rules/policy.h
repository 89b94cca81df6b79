/*
 * Which WFH/WFO policies govern a unit on a day, and what they say together
 * (CONTRACT.md, "Setup"): of the policies that cover the unit and the day,
 * those of the highest priority govern; among them the lowest cap of each kind
 * wins and a selfie is required for a mode if any of them requires it. A
 * direct_service unit is WFO-only unless a governing policy names its category.
 * Pure: the caller gives the policies already filtered by date, category and
 * unit scope.
 */
#ifndef ATTENDANCE_RULES_POLICY_H
#define ATTENDANCE_RULES_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define POLICY_NO_CAP (-1)

struct policy {
    long long id;
    int priority;
    int max_wfh_percent, max_wfo_percent; /* POLICY_NO_CAP when absent */
    bool selfie_wfh, selfie_wfo;
};

struct policy_terms {
    int max_wfh_percent, max_wfo_percent; /* POLICY_NO_CAP when none governs */
    bool selfie_wfh, selfie_wfo;
    bool wfo_only;         /* no WFH at all: a cap of 0%, or a direct_service unit not named */
    size_t governing;      /* how many policies govern */
    long long governing_ids[8]; /* the first few, for evidence */
};

void policy_combine(const struct policy *policies, size_t n, bool direct_service, struct policy_terms *out);

/* How many people a cap of cap_percent allows of headcount: rounded down to whole people (CONTRACT.md, "Roster"). */
long long policy_cap_people(int cap_percent, long long headcount);

/* Whether wfh people working from home is over a cap of cap_percent of headcount (never over POLICY_NO_CAP). */
bool policy_over_cap(int cap_percent, long long headcount, long long wfh);

/* A cap as the API writes it: its percent, or null for POLICY_NO_CAP. */
json_t *policy_cap_json(int cap_percent);

/* Reads a policy_doc-shaped object (id, priority, caps, selfie_required_for). 0 or -1. */
int policy_from_json(const json_t *doc, struct policy *out);

/* The most policy documents policy_combine_json reads: far beyond any day's policies. */
#define POLICY_DOCS_MAX 256

/*
 * policy_combine over a JSON array of policy documents, for a unit of the given
 * category (NULL: unknown). Returns how many documents were left out: unreadable,
 * or beyond POLICY_DOCS_MAX.
 */
size_t policy_combine_json(const json_t *docs, const char *category, struct policy_terms *out);

#endif

#include "policy.h"

#include "ids.h"

#include <string.h>

void policy_combine(const struct policy *policies, size_t n, bool direct_service, struct policy_terms *out)
{
    memset(out, 0, sizeof *out);
    out->max_wfh_percent = out->max_wfo_percent = POLICY_NO_CAP;
    bool any = false;
    int top = 0;
    for (size_t i = 0; i < n; i++)
        if (!any || policies[i].priority > top)
            top = policies[i].priority, any = true;
    for (size_t i = 0; i < n; i++) {
        const struct policy *p = &policies[i];
        if (p->priority != top)
            continue;
        if (p->max_wfh_percent != POLICY_NO_CAP &&
            (out->max_wfh_percent == POLICY_NO_CAP || p->max_wfh_percent < out->max_wfh_percent))
            out->max_wfh_percent = p->max_wfh_percent;
        if (p->max_wfo_percent != POLICY_NO_CAP &&
            (out->max_wfo_percent == POLICY_NO_CAP || p->max_wfo_percent < out->max_wfo_percent))
            out->max_wfo_percent = p->max_wfo_percent;
        out->selfie_wfh |= p->selfie_wfh;
        out->selfie_wfo |= p->selfie_wfo;
        if (out->governing < sizeof out->governing_ids / sizeof out->governing_ids[0])
            out->governing_ids[out->governing] = p->id;
        out->governing++;
    }
    if (direct_service && out->governing == 0)
        out->max_wfh_percent = 0;
    out->wfo_only = out->max_wfh_percent == 0;
}

long long policy_cap_people(int cap_percent, long long headcount)
{
    return headcount * cap_percent / 100;
}

bool policy_over_cap(int cap_percent, long long headcount, long long wfh)
{
    return cap_percent != POLICY_NO_CAP && wfh > policy_cap_people(cap_percent, headcount);
}

json_t *policy_cap_json(int cap_percent)
{
    return cap_percent == POLICY_NO_CAP ? json_null() : json_integer(cap_percent);
}

static int cap_from_json(const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100)
        return (int)json_integer_value(v);
    return POLICY_NO_CAP;
}

size_t policy_combine_json(const json_t *docs, const char *category, struct policy_terms *out)
{
    struct policy policies[POLICY_DOCS_MAX];
    size_t n = 0, i;
    const json_t *doc;
    json_array_foreach(docs, i, doc) {
        if (n < POLICY_DOCS_MAX && policy_from_json(doc, &policies[n]) == 0)
            n++;
    }
    policy_combine(policies, n, category && strcmp(category, "direct_service") == 0, out);
    return json_array_size(docs) - n;
}

int policy_from_json(const json_t *doc, struct policy *out)
{
    memset(out, 0, sizeof *out);
    out->id = id_parse(json_string_value(json_object_get(doc, "id")));
    const json_t *priority = json_object_get(doc, "priority");
    if (!out->id || !json_is_integer(priority))
        return -1;
    out->priority = (int)json_integer_value(priority);
    out->max_wfh_percent = cap_from_json(json_object_get(doc, "max_wfh_percent"));
    out->max_wfo_percent = cap_from_json(json_object_get(doc, "max_wfo_percent"));
    size_t i;
    json_t *mode;
    json_array_foreach(json_object_get(doc, "selfie_required_for"), i, mode) {
        const char *m = json_string_value(mode);
        out->selfie_wfh |= m && strcmp(m, "WFH") == 0;
        out->selfie_wfo |= m && strcmp(m, "WFO") == 0;
    }
    return 0;
}

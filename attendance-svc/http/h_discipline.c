/*
 * GET /v1/employees/{employee_id}/discipline?year= and /v1/me/discipline
 * (CONTRACT.md, "Review" and "Discipline as PP 94/2021 runs it"): the
 * employee's absent days, late and early minutes and their day-equivalent,
 * confirmed and pending apart, and the sanction that the confirmed ones
 * suggest under the thresholds in force for its status (a pending flag is not
 * yet unexcused; a dismissed one, excused, counts for nothing). The run of
 * consecutive absent days is counted across the year's boundary. Seen by the
 * employee itself and by the staff who see its unit.
 */
#include "dates.h"
#include "handlers.h"
#include "paging.h"
#include "rules/discipline.h"
#include "store/store_discipline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLDS_MAX 64
#define DIVISORS_MAX 16

/* The sanction code of a suggestion, or null. */
static json_t *sanction_or_null(const json_t *suggested)
{
    json_t *sanction = json_object_get(suggested, "sanction");
    return sanction ? sanction : json_null();
}

static json_t *suggested_json(const struct discipline_threshold *th)
{
    return th ? json_pack("{s:s, s:s, s:s, s:i, s:s}", "sanction", th->sanction, "level", th->level, "rule",
                          th->kind == THRESHOLD_CUMULATIVE ? "cumulative" : "consecutive", "min_days", th->min_days,
                          "regulation", th->regulation)
              : json_null();
}

static json_t *date_json(int64_t days)
{
    int y, m, d;
    char text[16];
    date_civil(days, &y, &m, &d);
    snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    return json_string(text);
}

/* Each regulation's share of the year: its days, what its own ladder suggests. */
static json_t *regulations_json(const struct discipline_summary *s)
{
    json_t *list = json_array();
    for (size_t k = 0; list && k < s->regime_count; k++) {
        const struct discipline_regime *r = &s->regimes[k];
        json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:i, s:I, s:I, s:i, s:i, s:i, s:o}", "regulation",
                                              r->regulation, "from", date_json(r->from), "to", date_json(r->to),
                                              "confirmed_days", r->absent_days, "late_minutes",
                                              (json_int_t)r->late_minutes, "early_minutes",
                                              (json_int_t)r->early_minutes, "minute_days", r->minute_days,
                                              "total_days", r->total_days, "longest_absent_run",
                                              r->longest_absent_run, "suggested", suggested_json(r->suggested)));
    }
    return list;
}

/* What the pending flags would make, were they confirmed: their days and minutes apart. */
struct pending_totals {
    long late_minutes, early_minutes;
    int minute_days;
};

/*
 * The answer: the confirmed figures (also under their first names, absent_days,
 * late_minutes, ...), the pending ones apart, the sanction the confirmed days
 * suggest and each regulation's share of the year.
 */
static json_t *summary_json(long long employee_id, int year, const json_t *facts, int minutes_per_day,
                            const struct discipline_summary *s, const struct pending_totals *pending)
{
    char id[24];
    json_t *doc = json_pack("{s:s, s:i, s:O, s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:o, s:O, s:O, s:o, s:i}",
                            "employee_id", id_text(id, employee_id), "year", year, "status",
                            json_object_get(facts, "status"), "absent_days", s->absent_days, "late_minutes",
                            (json_int_t)s->late_minutes, "early_minutes", (json_int_t)s->early_minutes,
                            "minutes_per_day", minutes_per_day, "minute_days", s->minute_days, "total_days",
                            s->total_days, "longest_absent_run", s->longest_absent_run, "suggested",
                            suggested_json(s->suggested), "thresholds", json_object_get(facts, "thresholds"),
                            "divisor", json_object_get(facts, "minutes_per_day"), "regulations",
                            regulations_json(s), "unjudged_days", s->unjudged_days);
    if (!doc)
        return NULL;
    json_object_set(doc, "suggested_sanction", sanction_or_null(json_object_get(doc, "suggested")));
    json_object_set_new(doc, "confirmed_days", json_integer(s->absent_days));
    json_object_set_new(doc, "confirmed_late_minutes", json_integer(s->late_minutes));
    json_object_set_new(doc, "confirmed_early_minutes", json_integer(s->early_minutes));
    json_object_set_new(doc, "confirmed_minute_days", json_integer(s->minute_days));
    json_object_set(doc, "pending_days", json_object_get(facts, "pending_days"));
    json_object_set_new(doc, "pending_late_minutes", json_integer(pending->late_minutes));
    json_object_set_new(doc, "pending_early_minutes", json_integer(pending->early_minutes));
    json_object_set_new(doc, "pending_minute_days", json_integer(pending->minute_days));
    return doc;
}

/* A date member as days since 1970-01-01; absent or null: if_none. */
static int64_t day_of(const json_t *o, const char *key, int64_t if_none)
{
    int64_t days;
    const char *text = json_string_value(json_object_get(o, key));
    return text && date_parse(text, &days) == 0 ? days : if_none;
}

/* The year's facts as the rule reads them, into the arrays given (each as long as facts' lists). */
static void facts_read(const json_t *facts, int year, struct discipline_facts *f, struct discipline_absence *absences,
                       struct discipline_minutes *confirmed, struct discipline_minutes *pending, size_t *pending_count,
                       struct discipline_divisor *divisors, struct discipline_threshold *thresholds)
{
    size_t i;
    const json_t *item;
    *f = (struct discipline_facts){.year_first = date_days(year, 1, 1), .year_last = date_days(year, 12, 31),
                                   .absences = absences, .minutes = confirmed, .divisors = divisors,
                                   .thresholds = thresholds};
    json_array_foreach(json_object_get(facts, "absences"), i, item)
        absences[f->absence_count++] = (struct discipline_absence){
            .day = day_of(item, "day", 0),
            .work_days_since_previous = (int)json_integer_value(json_object_get(item, "between"))};
    *pending_count = 0;
    json_array_foreach(json_object_get(facts, "minutes"), i, item) {
        struct discipline_minutes m = {.day = day_of(item, "day", 0),
                                       .late = (long)json_integer_value(json_object_get(item, "late")),
                                       .early = (long)json_integer_value(json_object_get(item, "early"))};
        if (json_is_true(json_object_get(item, "confirmed")))
            confirmed[f->minutes_count++] = m;
        else
            pending[(*pending_count)++] = m;
    }
    json_array_foreach(json_object_get(facts, "divisors"), i, item) {
        if (f->divisor_count == DIVISORS_MAX)
            break;
        divisors[f->divisor_count++] = (struct discipline_divisor){
            .in_force_from = day_of(item, "in_force_from", 0),
            .minutes = (int)json_integer_value(json_object_get(item, "minutes"))};
    }
    json_array_foreach(json_object_get(facts, "thresholds"), i, item) {
        if (f->threshold_count == THRESHOLDS_MAX)
            break;
        const char *kind = json_string_value(json_object_get(item, "kind"));
        thresholds[f->threshold_count++] = (struct discipline_threshold){
            .kind = kind && strcmp(kind, "consecutive") == 0 ? THRESHOLD_CONSECUTIVE : THRESHOLD_CUMULATIVE,
            .min_days = (int)json_integer_value(json_object_get(item, "min_days")),
            .severity = (int)json_integer_value(json_object_get(item, "severity")),
            .sanction = json_string_value(json_object_get(item, "sanction")),
            .level = json_string_value(json_object_get(item, "level")),
            .regulation = json_string_value(json_object_get(item, "regulation")),
            .in_force_from = day_of(item, "in_force_from", 0),
            .in_force_to = day_of(item, "in_force_to", DISCIPLINE_NO_END),
        };
    }
}

json_t *discipline_summary_doc(struct request *req, long long id, int year, const int64_t *case_days,
                               size_t case_day_count)
{
    json_t *facts = NULL, *answer = NULL;
    struct discipline_absence *absences = NULL;
    struct discipline_minutes *confirmed = NULL, *pending = NULL;
    enum db_status st;
    facts = store_discipline_year(req->db, id, year, &st);
    if (st != DB_OK || !facts) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    size_t absence_count = json_array_size(json_object_get(facts, "absences"));
    size_t minutes_count = json_array_size(json_object_get(facts, "minutes"));
    absences = calloc(absence_count + 1, sizeof *absences);
    confirmed = calloc(minutes_count + 1, sizeof *confirmed);
    pending = calloc(minutes_count + 1, sizeof *pending);
    if (!absences || !confirmed || !pending) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    struct discipline_facts f;
    struct discipline_divisor divisors[DIVISORS_MAX];
    struct discipline_threshold thresholds[THRESHOLDS_MAX];
    size_t pending_count;
    facts_read(facts, year, &f, absences, confirmed, pending, &pending_count, divisors, thresholds);
    struct discipline_summary summary = discipline_assess(&f);
    if (case_days)
        summary.suggested = discipline_suggestion_judging(&summary, case_days, case_day_count);
    struct pending_totals pending_totals = {
        .minute_days = discipline_minute_days(pending, pending_count, divisors, f.divisor_count, f.year_first,
                                              f.year_last)};
    for (size_t i = 0; i < pending_count; i++) {
        pending_totals.late_minutes += pending[i].late;
        pending_totals.early_minutes += pending[i].early;
    }
    int minutes_per_day = (int)json_integer_value(json_object_get(json_object_get(facts, "minutes_per_day"), "minutes"));
    answer = summary_json(id, year, facts, minutes_per_day, &summary, &pending_totals);
    if (!answer)
        reply_error(req, ERR_INTERNAL, "out of memory");
done:
    free(absences);
    free(confirmed);
    free(pending);
    json_decref(facts);
    return answer;
}

static void discipline_answer(struct request *req, long long id)
{
    int year;
    json_t *employee, *answer;
    if (!query_year(req, &year) || !(employee = employee_if_visible(req, id)))
        return;
    if ((answer = discipline_summary_doc(req, id, year, NULL, 0)))
        reply_json(req, 200, answer);
    json_decref(employee);
}

void h_discipline_get(struct request *req) { discipline_answer(req, id_parse(req->params[0])); }

void h_me_discipline(struct request *req) { discipline_answer(req, req->auth.employee_id); }

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
#include "handlers.h"
#include "paging.h"
#include "rules/discipline.h"
#include "store/store_discipline.h"

#include <stdlib.h>
#include <string.h>

#define THRESHOLDS_MAX 64

/* The sanction code of a suggestion, or null. */
static json_t *sanction_or_null(const json_t *suggested)
{
    json_t *sanction = json_object_get(suggested, "sanction");
    return sanction ? sanction : json_null();
}

static json_t *suggested_json(const struct discipline_summary *s)
{
    const struct discipline_threshold *th = s->suggested;
    return th ? json_pack("{s:s, s:s, s:s, s:i}", "sanction", th->sanction, "level", th->level, "rule",
                          th->kind == THRESHOLD_CUMULATIVE ? "cumulative" : "consecutive", "min_days", th->min_days)
              : json_null();
}

/*
 * The answer: the confirmed figures (also under their first names, absent_days,
 * late_minutes, ...), the pending ones apart, and the sanction the confirmed
 * days suggest.
 */
static json_t *summary_json(long long employee_id, int year, const json_t *facts, const struct discipline_totals *t,
                            const struct discipline_summary *s, const struct discipline_summary *pending)
{
    char id[24];
    json_t *suggested = suggested_json(s);
    json_t *doc = json_pack("{s:s, s:i, s:O, s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:o, s:O, s:O}", "employee_id",
                            id_text(id, employee_id), "year", year, "status", json_object_get(facts, "status"),
                            "absent_days", t->absent_days, "late_minutes", (json_int_t)t->late_minutes,
                            "early_minutes", (json_int_t)t->early_minutes, "minutes_per_day", t->minutes_per_day,
                            "minute_days", s->minute_days, "total_days", s->total_days, "longest_absent_run",
                            t->longest_absent_run, "suggested", suggested, "thresholds",
                            json_object_get(facts, "thresholds"), "divisor", json_object_get(facts, "minutes_per_day"));
    if (!doc)
        return NULL;
    json_object_set(doc, "suggested_sanction", sanction_or_null(json_object_get(doc, "suggested")));
    json_object_set_new(doc, "confirmed_days", json_integer(t->absent_days));
    json_object_set_new(doc, "confirmed_late_minutes", json_integer(t->late_minutes));
    json_object_set_new(doc, "confirmed_early_minutes", json_integer(t->early_minutes));
    json_object_set_new(doc, "confirmed_minute_days", json_integer(s->minute_days));
    json_object_set(doc, "pending_days", json_object_get(facts, "pending_days"));
    json_object_set(doc, "pending_late_minutes", json_object_get(facts, "pending_late_minutes"));
    json_object_set(doc, "pending_early_minutes", json_object_get(facts, "pending_early_minutes"));
    json_object_set_new(doc, "pending_minute_days", json_integer(pending->minute_days));
    return doc;
}

json_t *discipline_summary_doc(struct request *req, long long id, int year)
{
    json_t *facts = NULL, *answer = NULL;
    enum db_status st;
    facts = store_discipline_year(req->db, id, year, &st);
    if (st != DB_OK || !facts) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    const json_t *absences = json_object_get(facts, "absences");
    size_t n = json_array_size(absences), i;
    int *between = calloc(n + 1, sizeof *between);
    bool *in_year = calloc(n + 1, sizeof *in_year);
    if (!between || !in_year) {
        free(between);
        free(in_year);
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        const json_t *a = json_array_get(absences, i);
        between[i] = (int)json_integer_value(json_object_get(a, "between"));
        in_year[i] = json_is_true(json_object_get(a, "in_year"));
    }
    int minutes_per_day = (int)json_integer_value(json_object_get(json_object_get(facts, "minutes_per_day"), "minutes"));
    struct discipline_totals totals = {
        .absent_days = (int)json_integer_value(json_object_get(facts, "confirmed_days")),
        .late_minutes = (long)json_integer_value(json_object_get(facts, "confirmed_late_minutes")),
        .early_minutes = (long)json_integer_value(json_object_get(facts, "confirmed_early_minutes")),
        .minutes_per_day = minutes_per_day,
        .longest_absent_run = discipline_longest_run(between, in_year, n),
    };
    struct discipline_totals pending_totals = {
        .absent_days = (int)json_integer_value(json_object_get(facts, "pending_days")),
        .late_minutes = (long)json_integer_value(json_object_get(facts, "pending_late_minutes")),
        .early_minutes = (long)json_integer_value(json_object_get(facts, "pending_early_minutes")),
        .minutes_per_day = minutes_per_day,
    };
    free(between);
    free(in_year);
    struct discipline_threshold thresholds[THRESHOLDS_MAX];
    size_t count = 0;
    json_t *t;
    json_array_foreach(json_object_get(facts, "thresholds"), i, t) {
        if (count == THRESHOLDS_MAX)
            break;
        const char *kind = json_string_value(json_object_get(t, "kind"));
        thresholds[count++] = (struct discipline_threshold){
            .kind = kind && strcmp(kind, "consecutive") == 0 ? THRESHOLD_CONSECUTIVE : THRESHOLD_CUMULATIVE,
            .min_days = (int)json_integer_value(json_object_get(t, "min_days")),
            .severity = (int)json_integer_value(json_object_get(t, "severity")),
            .sanction = json_string_value(json_object_get(t, "sanction")),
            .level = json_string_value(json_object_get(t, "level")),
        };
    }
    struct discipline_summary summary = discipline_assess(&totals, thresholds, count);
    struct discipline_summary pending = discipline_assess(&pending_totals, thresholds, 0);
    answer = summary_json(id, year, facts, &totals, &summary, &pending);
    if (!answer)
        reply_error(req, ERR_INTERNAL, "out of memory");
done:
    json_decref(facts);
    return answer;
}

static void discipline_answer(struct request *req, long long id)
{
    int year;
    json_t *employee, *answer;
    if (!query_year(req, &year) || !(employee = employee_if_visible(req, id)))
        return;
    if ((answer = discipline_summary_doc(req, id, year)))
        reply_json(req, 200, answer);
    json_decref(employee);
}

void h_discipline_get(struct request *req) { discipline_answer(req, id_parse(req->params[0])); }

void h_me_discipline(struct request *req) { discipline_answer(req, req->auth.employee_id); }

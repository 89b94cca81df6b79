/*
 * GET /v1/employees/{employee_id}/discipline?year= (CONTRACT.md, "Review"): the
 * employee's unexcused absent days, late and early minutes and their
 * day-equivalent, and the sanction the thresholds in force suggest. Pending and
 * confirmed violations count; dismissed ones (excused) do not. Seen by the
 * employee itself and by the staff who see its unit.
 */
#include "handlers.h"
#include "paging.h"
#include "rules/discipline.h"
#include "store/store_discipline.h"

#include <stdlib.h>
#include <string.h>

#define THRESHOLDS_MAX 64

static json_t *summary_json(long long employee_id, int year, const json_t *facts, const struct discipline_totals *t,
                            const struct discipline_summary *s)
{
    char id[24];
    const struct discipline_threshold *th = s->suggested;
    json_t *suggested = th ? json_pack("{s:s, s:s, s:s, s:i}", "sanction", th->sanction, "level", th->level, "rule",
                                       th->kind == THRESHOLD_CUMULATIVE ? "cumulative" : "consecutive", "min_days",
                                       th->min_days)
                           : json_null();
    return json_pack("{s:s, s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:o, s:O}", "employee_id",
                     id_text(id, employee_id), "year", year, "absent_days", t->absent_days, "late_minutes",
                     (json_int_t)t->late_minutes, "early_minutes", (json_int_t)t->early_minutes, "minutes_per_day",
                     t->minutes_per_day, "minute_days", s->minute_days, "total_days", s->total_days,
                     "longest_absent_run", t->longest_absent_run, "suggested", suggested, "thresholds",
                     json_object_get(facts, "thresholds"));
}

static void discipline_answer(struct request *req, long long id)
{
    int year;
    json_t *facts = NULL, *employee;
    if (!query_year(req, &year) || !(employee = employee_if_visible(req, id)))
        return;
    enum db_status st;
    facts = store_discipline_year(req->db, id, year, &st);
    if (st != DB_OK || !facts) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    const json_t *gaps = json_object_get(facts, "gaps");
    size_t n = json_array_size(gaps), i;
    int *between = calloc(n + 1, sizeof *between);
    if (!between) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++)
        between[i] = (int)json_integer_value(json_array_get(gaps, i));
    struct discipline_totals totals = {
        .absent_days = (int)json_integer_value(json_object_get(facts, "absent_days")),
        .late_minutes = (long)json_integer_value(json_object_get(facts, "late_minutes")),
        .early_minutes = (long)json_integer_value(json_object_get(facts, "early_minutes")),
        .minutes_per_day = (int)json_integer_value(json_object_get(facts, "minutes_per_day")),
        .longest_absent_run = discipline_longest_run(between, n),
    };
    free(between);
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
    reply_json(req, 200, summary_json(id, year, facts, &totals, &summary));
done:
    json_decref(employee);
    json_decref(facts);
}

void h_discipline_get(struct request *req) { discipline_answer(req, id_parse(req->params[0])); }

void h_me_discipline(struct request *req) { discipline_answer(req, req->auth.employee_id); }

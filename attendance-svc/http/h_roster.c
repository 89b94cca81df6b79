/*
 * The roster (CONTRACT.md, "Roster"): PUT /v1/units/{unit_id}/roster/{date}
 * replaces a unit's day within the caps of the policies in force (supervisor of
 * the unit, admin), GET reads it back (staff who see the unit), and
 * POST .../suggest proposes one without saving it. Answers carry the headcount
 * and the caps in force, so that a console can show how full the day is.
 * GET /v1/units/{unit_id}/days/{date} is the console's "unit's day": the same
 * figures with each employee's first in, last out and absence, scoped alike.
 */
#include "dates.h"
#include "handlers.h"
#include "json.h"
#include "rules/policy.h"
#include "rules/roster.h"
#include "rules/work_hours.h"
#include "store/store_policies.h"
#include "store/store_roster.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

#define ROSTER_MAX_ENTRIES 10000

/* The unit id and date of the path; false after answering. */
static bool path_params(struct request *req, long long *unit_id, const char **day)
{
    *unit_id = id_parse(req->params[0]);
    *day = req->params[1];
    if (!*unit_id) {
        reply_error(req, ERR_NOT_FOUND, "no such unit");
        return false;
    }
    if (date_parse(*day, NULL) != 0) {
        reply_field_error(req, ERR_INVALID_VALUE, "date", "the date must be a real date YYYY-MM-DD");
        return false;
    }
    return true;
}

/* What the policies in force say for the unit (its document) and day. */
static enum db_status policy_terms_for(struct request *req, struct db_conn *db, const json_t *unit,
                                       const char *day, struct policy_terms *terms)
{
    enum db_status st;
    json_t *docs = store_policy_list(db, &req->auth, day, id_parse(json_string_value(json_object_get(unit, "id"))),
                                     0, POLICY_DOCS_MAX, &st);
    policy_combine_json(docs, json_string_value(json_object_get(unit, "category")), terms);
    json_decref(docs);
    return st;
}

/*
 * The unit (if the caller sees it; with lock, locked until the transaction
 * ends), its active employees and the terms in force that day; false after
 * answering. The caller releases *unit and *members either way.
 */
static bool load_day(struct request *req, struct db_conn *db, long long unit_id, const char *day, bool lock,
                     json_t **unit, json_t **members, struct policy_terms *terms)
{
    enum db_status st;
    *unit = store_roster_unit(db, &req->auth, unit_id, lock, &st);
    if (st == DB_OK && !*unit) {
        reply_error(req, ERR_NOT_FOUND, "no such unit");
        return false;
    }
    if (st == DB_OK)
        *members = store_roster_members(db, unit_id, day, &st);
    if (st == DB_OK)
        st = policy_terms_for(req, db, *unit, day, terms);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return false;
    }
    return true;
}

/* Adds what a console shows beside the entries: headcount, counts and the caps in force. */
static void add_day_figures(json_t *doc, const struct policy_terms *terms, int headcount, int wfh, int off)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < terms->governing && i < sizeof terms->governing_ids / sizeof terms->governing_ids[0];
         i++) {
        char id[24];
        json_array_append_new(ids, json_string(id_text(id, terms->governing_ids[i])));
    }
    json_object_set_new(doc, "headcount", json_integer(headcount));
    json_object_set_new(doc, "wfh", json_integer(wfh));
    json_object_set_new(doc, "wfo", json_integer(headcount - wfh - off));
    json_object_set_new(doc, "off", json_integer(off));
    json_object_set_new(doc, "caps", json_pack("{s:o, s:o, s:b, s:o}", "max_wfh_percent",
                                               policy_cap_json(terms->max_wfh_percent), "max_wfo_percent",
                                               policy_cap_json(terms->max_wfo_percent), "wfo_only", terms->wfo_only,
                                               "policy_ids", ids));
}

static int count_mode(const json_t *entries, const char *mode)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) n += strcmp(json_string_value(json_object_get(e, "mode")) ?: "", mode) == 0;
    return n;
}

/* An optional "HH:MM" of an entry: -1 when absent; false after answering when malformed. */
static bool entry_time(struct request *req, const json_t *entry, const char *key, size_t index, int *out)
{
    const json_t *v = json_object_get(entry, key);
    *out = -1;
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v) && (*out = parse_hhmm(json_string_value(v))) >= 0)
        return true;
    if (json_is_string(v) && strcmp(key, "end") == 0 && strcmp(json_string_value(v), "24:00") == 0) {
        *out = 1440;
        return true;
    }
    char field[48];
    snprintf(field, sizeof field, "entries[%zu].%s", index, key);
    reply_field_error(req, ERR_INVALID_VALUE, field, "%s must be a time HH:MM", field);
    return false;
}

/*
 * Decodes the entries into the store's form [{"employee_id", "mode", "start_min",
 * "end_min"}] (returned), checking each against the unit's members; NULL after answering.
 */
static json_t *decode_entries(struct request *req, const json_t *body, const json_t *members)
{
    const json_t *entries = json_object_get(body, "entries");
    if (!json_is_array(entries)) {
        reply_field_error(req, ERR_INVALID_FIELD, "entries", "entries is required: an array");
        return NULL;
    }
    if (json_array_size(entries) > ROSTER_MAX_ENTRIES) {
        reply_field_error(req, ERR_INVALID_VALUE, "entries", "a roster has at most %d entries", ROSTER_MAX_ENTRIES);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        char field[48];
        const char *mode = json_string_value(json_object_get(e, "mode"));
        long long employee_id = json_id_field(e, "employee_id");
        int start, end;
        if (!json_is_object(e)) {
            snprintf(field, sizeof field, "entries[%zu]", i);
            reply_field_error(req, ERR_INVALID_FIELD, field, "%s must be an object", field);
        } else if (employee_id <= 0) {
            snprintf(field, sizeof field, "entries[%zu].employee_id", i);
            reply_field_error(req, ERR_INVALID_FIELD, field, "%s is required: an employee id (a string)", field);
        } else if (!mode || (strcmp(mode, "WFO") != 0 && strcmp(mode, "WFH") != 0 && strcmp(mode, "OFF") != 0)) {
            snprintf(field, sizeof field, "entries[%zu].mode", i);
            reply_field_error(req, ERR_INVALID_VALUE, field, "%s must be WFO, WFH or OFF", field);
        } else if (entry_time(req, e, "start", i, &start) && entry_time(req, e, "end", i, &end)) {
            bool member = false, repeated = false;
            size_t j;
            json_t *m;
            json_array_foreach(members, j, m) member |= id_parse(json_string_value(json_object_get(m, "employee_id"))) ==
                                                         employee_id;
            json_array_foreach(out, j, m) repeated |= json_integer_value(json_object_get(m, "employee_id")) ==
                                                      employee_id;
            snprintf(field, sizeof field, "entries[%zu].employee_id", i);
            if (!member)
                reply_field_error(req, ERR_INVALID_VALUE, field, "employee %lld is not an active employee of this unit",
                                  employee_id);
            else if (repeated)
                reply_field_error(req, ERR_INVALID_VALUE, field, "employee %lld has two entries", employee_id);
            else if (strcmp(mode, "OFF") == 0 && (start >= 0 || end >= 0)) {
                snprintf(field, sizeof field, "entries[%zu].%s", i, start >= 0 ? "start" : "end");
                reply_field_error(req, ERR_INVALID_VALUE, field, "%s has no place on a rest day (OFF)", field);
            } else if (start >= 0 && end >= 0 && start == end) {
                /* An end before the start is the next day's (a night shift); an equal one is no shift. */
                snprintf(field, sizeof field, "entries[%zu].end", i);
                reply_field_error(req, ERR_INVALID_VALUE, field, "%s must differ from start", field);
            } else
                json_array_append_new(out, json_pack("{s:I, s:s, s:o, s:o}", "employee_id", (json_int_t)employee_id,
                                                     "mode", mode, "start_min",
                                                     start >= 0 ? json_integer(start) : json_null(), "end_min",
                                                     end >= 0 ? json_integer(end) : json_null()));
        }
        if (req->response) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* 422 when the entries break a cap; false after answering. */
static bool within_caps(struct request *req, const struct policy_terms *terms, int headcount, int wfh, int off)
{
    struct roster_check c = roster_check(terms, headcount, wfh, off);
    if (c.verdict == ROSTER_OK)
        return true;
    json_t *details = json_pack("{s:i, s:f, s:i}", "cap_percent", c.cap_percent, "requested_percent",
                                c.requested_percent, "headcount", c.headcount);
    if (c.verdict == ROSTER_WFO_ONLY)
        reply_error_details(req, ERR_WFO_ONLY_UNIT, details, "this unit works from the office only on that day");
    else if (c.verdict == ROSTER_WFH_OVER_CAP)
        reply_error_details(req, ERR_WFH_QUOTA_EXCEEDED, details,
                            "%d of %d employees WFH is over the cap of %d%% (%d people)", c.wfh, c.headcount,
                            c.cap_percent, roster_cap_people(c.cap_percent, c.headcount));
    else
        reply_error_details(req, ERR_WFO_QUOTA_EXCEEDED, details,
                            "%d of %d employees at the office is over the cap of %d%% (%d people)", c.wfo,
                            c.headcount, c.cap_percent, roster_cap_people(c.cap_percent, c.headcount));
    return false;
}

void h_roster_put(struct request *req)
{
    long long unit_id;
    const char *day;
    if (!path_params(req, &unit_id, &day))
        return;
    json_t *body = request_json(req);
    if (!body)
        return;
    json_t *unit = NULL, *members = NULL, *entries = NULL, *before = NULL, *after = NULL;
    char *entries_text = NULL;
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    struct policy_terms terms;
    enum db_status st = db_begin(db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!load_day(req, db, unit_id, day, true, &unit, &members, &terms) ||
        !(entries = decode_entries(req, body, members)))
        goto done;
    int headcount = (int)json_array_size(members), wfh = count_mode(entries, "WFH"), off = count_mode(entries, "OFF");
    if (!within_caps(req, &terms, headcount, wfh, off))
        goto done;
    if (!(entries_text = json_dumps(entries, JSON_COMPACT)))
        st = DB_ERROR;
    if (st == DB_OK)
        before = store_roster_get(db, unit_id, day, &st);
    if (st == DB_OK)
        st = store_roster_replace(db, unit_id, day, entries_text);
    if (st == DB_OK)
        after = store_roster_get(db, unit_id, day, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "replace", "roster", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    add_day_figures(after, &terms, headcount, wfh, off);
    reply_json(req, 200, json_incref(after));
done:
    free(entries_text);
    json_decref(entries);
    json_decref(members);
    json_decref(unit);
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

void h_roster_get(struct request *req)
{
    long long unit_id;
    const char *day;
    if (!path_params(req, &unit_id, &day))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *unit = NULL, *members = NULL, *roster = NULL;
    struct policy_terms terms;
    enum db_status st;
    if (!load_day(req, db, unit_id, day, false, &unit, &members, &terms))
        goto done;
    roster = store_roster_get(db, unit_id, day, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    const json_t *stored = json_object_get(roster, "entries");
    add_day_figures(roster, &terms, (int)json_array_size(members), count_mode(stored, "WFH"),
                    count_mode(stored, "OFF"));
    reply_json(req, 200, json_incref(roster));
done:
    json_decref(unit);
    json_decref(members);
    json_decref(roster);
}

void h_unit_day(struct request *req)
{
    long long unit_id;
    const char *day;
    if (!path_params(req, &unit_id, &day))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *unit = NULL, *members = NULL, *employees = NULL, *roster = NULL, *hours = NULL;
    struct policy_terms terms;
    enum db_status st;
    if (!load_day(req, db, unit_id, day, false, &unit, &members, &terms))
        goto done;
    employees = store_unit_day(db, unit_id, day, 0, &st);
    if (st == DB_OK)
        roster = store_roster_get(db, unit_id, day, &st);
    if (st == DB_OK)
        hours = store_unit_day_hours(db, unit_id, day, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    const json_t *stored = json_object_get(roster, "entries");
    int headcount = (int)json_array_size(members), wfh = count_mode(stored, "WFH"), absent = 0;
    size_t i;
    json_t *e;
    json_array_foreach(employees, i, e) absent += strcmp(json_string_value(json_object_get(e, "state")) ?: "", "absent") == 0;
    json_t *doc = json_pack("{s:O, s:s, s:O, s:O}", "unit_id", json_object_get(unit, "id"), "date", day, "hours", hours,
                            "employees", employees);
    if (!doc) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    add_day_figures(doc, &terms, headcount, wfh, count_mode(stored, "OFF"));
    json_object_set_new(doc, "absent", json_integer(absent));
    json_object_set_new(doc, "wfh_percent", json_real(headcount ? round(10000.0 * wfh / headcount) / 100 : 0));
    json_object_set_new(doc, "cap_percent", policy_cap_json(terms.max_wfh_percent));
    json_object_set_new(doc, "over_cap", json_boolean(policy_over_cap(terms.max_wfh_percent, headcount, wfh)));
    reply_json(req, 200, doc);
done:
    json_decref(unit);
    json_decref(members);
    json_decref(employees);
    json_decref(roster);
    json_decref(hours);
}

void h_roster_suggest(struct request *req)
{
    long long unit_id;
    const char *day;
    if (!path_params(req, &unit_id, &day))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *unit = NULL, *members = NULL;
    struct roster_candidate *c = NULL;
    struct policy_terms terms;
    if (!load_day(req, db, unit_id, day, false, &unit, &members, &terms))
        goto done;
    size_t n = json_array_size(members);
    if (!(c = calloc(n + 1, sizeof *c))) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(members, i);
        c[i] = (struct roster_candidate){
            .employee_id = id_parse(json_string_value(json_object_get(m, "employee_id"))),
            .priority = json_is_true(json_object_get(m, "priority")),
            .wfh_days_30 = (int)json_integer_value(json_object_get(m, "wfh_days_30")),
            .ref = i,
        };
    }
    int places = roster_suggest(&terms, c, n);
    json_t *entries = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(members, c[i].ref);
        const char *reason = !c[i].wfh           ? "office: no WFH place left within the caps"
                             : c[i].priority    ? "WFH first: vulnerable or over 50"
                                                : "WFH: fewest WFH days in the last 30";
        json_array_append_new(entries, json_pack("{s:O, s:O, s:O, s:s, s:O, s:s}", "employee_id",
                                                 json_object_get(m, "employee_id"), "nip", json_object_get(m, "nip"),
                                                 "name", json_object_get(m, "name"), "mode", c[i].wfh ? "WFH" : "WFO",
                                                 "wfh_days_30", json_object_get(m, "wfh_days_30"), "reason", reason));
    }
    json_t *doc = json_pack("{s:s, s:s, s:o}", "unit_id", json_string_value(json_object_get(unit, "id")), "date", day,
                            "entries", entries);
    add_day_figures(doc, &terms, (int)n, places, 0);
    reply_json(req, 200, doc);
done:
    free(c);
    json_decref(unit);
    json_decref(members);
}

/*
 * Discipline cases (CONTRACT.md, "Discipline as PP 94/2021 runs it"):
 *
 *   POST /v1/discipline/cases                    the direct superior summons the employee (supervisor)
 *   POST /v1/discipline/cases/{case_id}/examination   the examination's minutes, BAP (same supervisor)
 *   POST /v1/discipline/cases/{case_id}/statement     the employee's statement (the employee)
 *   POST /v1/discipline/cases/{case_id}/decision      the sanction, for the authorised official (reviewer)
 *   GET  /v1/discipline/cases, /v1/discipline/cases/{case_id}
 *
 * A case is about confirmed violations of one employee (rules/cases.c); its
 * suggested sanction is the year's summary's when summoned (h_discipline.c),
 * of the regulations that judge the case's violations (PP 53/2010 before 31
 * August 2021, PP 94/2021 from it).
 * It is decided only once examined, and a sanction other than the suggested
 * one needs its reason. Nobody acts on its own case. Every step is audited.
 */
#include "dates.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "paging.h"
#include "rules/cases.h"
#include "store/store_cases.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CASE_VIOLATIONS_MAX 500
#define CASE_TEXT_MAX 20000

/* The case if the caller may see it (its employee, staff who see its unit); NULL after answering. */
static json_t *visible_case(struct request *req, long long id, bool lock)
{
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such case");
        return NULL;
    }
    if (!request_db(req))
        return NULL;
    enum db_status st;
    long long unit = 0, agency = 0;
    json_t *doc = store_case_get(req->db, id, lock, &unit, &agency, &st);
    bool own = doc && req->auth.employee_id &&
               id_parse(json_string_value(json_object_get(doc, "employee_id"))) == req->auth.employee_id;
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (doc && ((own && req->auth.role == ROLE_EMPLOYEE) ||
                     (req->auth.role != ROLE_EMPLOYEE && request_sees_unit(req, unit, agency))))
        return doc;
    else if (!req->response)
        reply_error(req, ERR_NOT_FOUND, "no such case");
    json_decref(doc);
    return NULL;
}

/* Nobody acts on its own case; false after answering 403. */
static bool not_own(struct request *req, const json_t *c)
{
    if (req->auth.role != ROLE_EMPLOYEE && req->auth.employee_id &&
        id_parse(json_string_value(json_object_get(c, "employee_id"))) == req->auth.employee_id) {
        reply_error(req, ERR_SELF_APPROVAL, "nobody examines or decides its own case");
        return false;
    }
    return true;
}

/* ---- POST /v1/discipline/cases ---- */

void h_case_open(struct request *req)
{
    json_t *body = request_json(req), *employee = NULL, *found = NULL, *summary = NULL, *doc = NULL;
    char *found_text = NULL, *ids_text = NULL;
    if (!body)
        return;
    const char *employee_text = json_string_value(json_object_get(body, "employee_id"));
    const char *summoned_for = json_string_value(json_object_get(body, "summoned_for"));
    const json_t *ids = json_object_get(body, "violation_ids");
    int64_t us;
    size_t i;
    const json_t *item;
    bool ids_ok = json_is_array(ids) && json_array_size(ids) <= CASE_VIOLATIONS_MAX;
    json_array_foreach(ids, i, item) ids_ok = ids_ok && id_parse(json_string_value(item)) != 0;
    if (!employee_text || !id_parse(employee_text))
        reply_field_error(req, ERR_INVALID_FIELD, "employee_id", "employee_id is required: an id");
    else if (!ids_ok)
        reply_field_error(req, ERR_INVALID_FIELD, "violation_ids",
                          "violation_ids is required: an array of at most %d violation ids", CASE_VIOLATIONS_MAX);
    else if (!summoned_for || strlen(summoned_for) > 40 || rfc3339_parse_us(summoned_for, &us) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "summoned_for",
                          "summoned_for is required: when the employee is to appear, RFC 3339 with an offset");
    if (req->response)
        goto done;
    long long employee_id = id_parse(employee_text);
    if (!(employee = employee_if_visible(req, employee_id)))
        goto done;
    if (req->auth.employee_id == employee_id) {
        reply_error(req, ERR_SELF_APPROVAL, "nobody summons itself");
        goto done;
    }
    enum db_status st = db_begin(req->db);
    ids_text = json_dumps(ids, JSON_COMPACT);
    if (st == DB_OK && ids_text)
        found = store_case_violations(req->db, ids_text, &st);
    if (st != DB_OK || !found) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    struct case_violation v[CASE_VIOLATIONS_MAX];
    int64_t days[CASE_VIOLATIONS_MAX];
    size_t n = 0;
    int year = 0;
    json_array_foreach(found, i, item) {
        const char *day = json_string_value(json_object_get(item, "day"));
        int y = 0, m, d;
        days[n] = 0;
        if (day && date_parse(day, &days[n]) == 0)
            date_civil(days[n], &y, &m, &d);
        year = y > year ? y : year;
        v[n++] = (struct case_violation){.employee_id = id_parse(json_string_value(json_object_get(item, "employee_id"))),
                                         .status = json_string_value(json_object_get(item, "status")),
                                         .in_a_case = json_is_true(json_object_get(item, "in_a_case"))};
    }
    enum error_code code;
    const char *problem = case_open_problem(employee_id, json_array_size(ids), n, v, &code);
    if (problem) {
        reply_field_error(req, code, "violation_ids", "%s", problem);
        goto done;
    }
    if (!(summary = discipline_summary_doc(req, employee_id, year, days, n)))
        goto done;
    found_text = json_dumps(found, JSON_COMPACT);
    struct case_new c = {.employee_id = employee_id,
                         .unit_id = id_parse(json_string_value(json_object_get(employee, "unit_id"))),
                         .summoned_by = req->auth.account_id,
                         .year = year,
                         .summoned_for = summoned_for,
                         .suggested_sanction = json_string_value(json_object_get(summary, "suggested_sanction")),
                         .violations_json = found_text};
    doc = found_text ? store_case_insert(req->db, &c, &st) : NULL;
    if (st == DB_UNIQUE_VIOLATION) {
        reply_error(req, ERR_CONFLICT, "another case took one of these violations meanwhile");
        goto done;
    }
    if (st == DB_OK && doc)
        st = request_commit_audited(req, "summon", "discipline_case", NULL, doc);
    if (st != DB_OK || !doc) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    json_t *created = json_pack("{s:O}", "case_id", json_object_get(doc, "id"));
    json_object_update(created, doc);
    reply_json(req, 201, created);
done:
    free(ids_text);
    free(found_text);
    json_decref(employee);
    json_decref(found);
    json_decref(summary);
    json_decref(doc);
    json_decref(body);
}

/* ---- the steps ---- */

/* A required text member of 1 to CASE_TEXT_MAX bytes; NULL after answering. */
static const char *case_text(struct request *req, const json_t *body, const char *key)
{
    const char *text = json_string_value(json_object_get(body, key));
    if (!text)
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s is required: a string", key);
    else if (!json_text_ok(text, 1, CASE_TEXT_MAX))
        reply_field_error(req, ERR_INVALID_VALUE, key, "%s must be 1 to %d bytes of text", key, CASE_TEXT_MAX);
    else
        return text;
    return NULL;
}

enum case_step { STEP_EXAMINE, STEP_STATEMENT };

static void case_step(struct request *req, enum case_step step)
{
    json_t *body = request_json(req), *before = NULL, *after = NULL;
    if (!body)
        return;
    const char *text = case_text(req, body, step == STEP_EXAMINE ? "record" : "text");
    if (!text || !request_db(req))
        goto done;
    enum db_status st = db_begin(req->db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!(before = visible_case(req, id_parse(req->params[0]), true)))
        goto done;
    const char *status = json_string_value(json_object_get(before, "status"));
    if (step == STEP_EXAMINE && !not_own(req, before))
        goto done;
    if (step == STEP_EXAMINE ? strcmp(status, "summoned") != 0 : strcmp(status, "decided") == 0) {
        reply_error(req, ERR_CONFLICT, step == STEP_EXAMINE ? "the case is %s: it was examined already"
                                                            : "the case is %s: the statement comes before the decision",
                    status);
        goto done;
    }
    long long id = id_parse(req->params[0]);
    after = step == STEP_EXAMINE ? store_case_examine(req->db, id, text, req->auth.account_id, &st)
                                 : store_case_statement(req->db, id, text, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, step == STEP_EXAMINE ? "examine" : "state", "discipline_case", before, after);
    if (st != DB_OK)
        reply_db_error(req, st);
    else
        reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

void h_case_examine(struct request *req) { case_step(req, STEP_EXAMINE); }

void h_case_statement(struct request *req) { case_step(req, STEP_STATEMENT); }

void h_case_decide(struct request *req)
{
    json_t *body = request_json(req), *before = NULL, *after = NULL;
    if (!body)
        return;
    const char *sanction = json_string_value(json_object_get(body, "sanction"));
    const json_t *reason_v = json_object_get(body, "reason"), *version_v = json_object_get(body, "version");
    const char *reason = json_string_value(reason_v);
    if (!sanction)
        reply_field_error(req, ERR_INVALID_FIELD, "sanction", "sanction is required: a sanction code");
    else if (reason_v && !json_is_null(reason_v) && !(reason && json_text_ok(reason, 0, 4000)))
        reply_field_error(req, ERR_INVALID_FIELD, "reason", "reason must be at most 4000 bytes of text, or null");
    else if (!json_is_integer(version_v) || json_integer_value(version_v) < 1 || json_integer_value(version_v) > INT_MAX)
        reply_field_error(req, ERR_INVALID_FIELD, "version", "version must be the case's version as read");
    if (req->response || !request_db(req))
        goto done;
    enum db_status st = db_begin(req->db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!(before = visible_case(req, id_parse(req->params[0]), true)) || !not_own(req, before))
        goto done;
    int version = (int)json_integer_value(version_v);
    if (json_integer_value(json_object_get(before, "version")) != version) {
        reply_error_details(req, ERR_VERSION_CONFLICT, json_pack("{s:O}", "current_version",
                                                                 json_object_get(before, "version")),
                            "version %d is not the case's version any more: read it again", version);
        goto done;
    }
    enum error_code code;
    /* The case's violations are by day: the first says whether PP 53/2010 judged one of them. */
    const char *first_day = json_string_value(json_object_get(json_array_get(json_object_get(before, "violations"), 0),
                                                              "day"));
    const char *problem = case_decide_problem(json_string_value(json_object_get(before, "status")), first_day,
                                              sanction, json_string_value(json_object_get(before, "suggested_sanction")),
                                              reason, &code);
    if (problem) {
        reply_error(req, code, "%s", problem);
        goto done;
    }
    after = store_case_decide(req->db, id_parse(req->params[0]), version, sanction, reason, req->auth.account_id, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "decide", "discipline_case", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    log_fields(LOG_LEVEL_INFO, "discipline: case decided",
               json_pack("{s:s, s:s, s:s?, s:I}", "case_id", req->params[0], "sanction", sanction, "suggested",
                         json_string_value(json_object_get(before, "suggested_sanction")), "account_id",
                         (json_int_t)req->auth.account_id));
    reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

/* ---- reading ---- */

void h_case_get(struct request *req)
{
    json_t *doc = visible_case(req, id_parse(req->params[0]), false);
    if (doc)
        reply_json(req, 200, doc);
}

void h_case_list(struct request *req)
{
    struct page page;
    struct case_filter f = {0};
    const char *year = query_text(req, "year");
    if (!page_from_query(req, &page) || !query_id(req, "unit_id", &f.unit_id))
        return;
    f.status = query_text(req, "status");
    if (f.status && strcmp(f.status, "summoned") != 0 && strcmp(f.status, "examined") != 0 &&
        strcmp(f.status, "decided") != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be summoned, examined or decided");
    else if (year && !query_year(req, &f.year))
        return;
    if (req->response || !request_db(req))
        return;
    enum db_status st;
    json_t *items = store_case_list(req->db, &req->auth, &f, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

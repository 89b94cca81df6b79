/*
 * WFH/WFO policies (the caps of circular letters, kept as data):
 * POST /v1/policies (admin), GET /v1/policies and GET /v1/policies/{policy_id}
 * (staff); and dated hours, the hours of circular letters, kept alike:
 * POST /v1/hours, GET /v1/hours and GET /v1/hours/{hours_id}. Policies are agency rules, not personal data, so every staff role
 * reads every policy; only the ?unit_id= filter is limited to the units the
 * caller may see. Which policies govern a unit and day is decided by the roster.
 */
#include "dates.h"
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "rules/work_hours.h"
#include "store/store_policies.h"
#include "store/store_units.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PRIORITY_LIMIT 1000

static const char *const categories[] = {"administrative", "direct_service", "essential", "critical", NULL};
static const char *const modes[] = {"WFH", "WFO", NULL};

/* Whether s is one of the NULL-terminated allowed. */
static bool is_one_of(const char *s, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(s, *allowed) == 0)
            return true;
    return false;
}

/* Whether array holds at least min distinct strings, each one of allowed. */
static bool is_set_of(const json_t *array, const char *const *allowed, size_t min)
{
    size_t n = json_array_size(array);
    if (n < min)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(array, i));
        if (!s || !is_one_of(s, allowed))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(array, j))) == 0)
                return false;
    }
    return true;
}

/* An optional whole-number field: dflt when absent or null; false after answering when it breaks a rule. */
static bool decode_int(struct request *req, const json_t *body, const char *key, int min, int max, int dflt,
                       int *out)
{
    const json_t *v = json_object_get(body, key);
    *out = dflt;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_number(v))
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s must be a number", key);
    else if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        reply_field_error(req, ERR_INVALID_VALUE, key, "%s must be a whole number from %d to %d", key, min, max);
    else
        *out = (int)json_integer_value(v);
    return !req->response;
}

/* What a policy and dated hours both have: their name, dates, categories, unit and priority. */
struct dated_scope {
    const char *name, *starts_on, *ends_on; /* checked */
    long long unit_id;                      /* 0: every unit */
    int priority;
    char *applies_to_json;                  /* owned */
};

/* Decodes and checks the fields of a dated_scope (all but whether the unit exists); false after answering. */
static bool decode_scope(struct request *req, const json_t *body, struct dated_scope *d)
{
    const json_t *name = json_object_get(body, "name");
    const json_t *starts_on = json_object_get(body, "starts_on");
    const json_t *ends_on = json_object_get(body, "ends_on");
    const json_t *applies = json_object_get(body, "applies_to");
    d->unit_id = json_id_field(body, "unit_id");
    if (!json_is_string(name))
        reply_field_error(req, ERR_INVALID_FIELD, "name", "name is required: a string");
    else if (!json_is_string(starts_on))
        reply_field_error(req, ERR_INVALID_FIELD, "starts_on", "starts_on is required: a date YYYY-MM-DD");
    else if (!json_is_string(ends_on))
        reply_field_error(req, ERR_INVALID_FIELD, "ends_on", "ends_on is required: a date YYYY-MM-DD");
    else if (!json_is_array(applies))
        reply_field_error(req, ERR_INVALID_FIELD, "applies_to", "applies_to is required: an array of categories");
    else if (d->unit_id < 0)
        reply_field_error(req, ERR_INVALID_FIELD, "unit_id", "unit_id must be a unit id (a string) or null");
    if (req->response)
        return false;
    d->name = json_string_value(name);
    d->starts_on = json_string_value(starts_on);
    d->ends_on = json_string_value(ends_on);
    if (!json_text_ok(d->name, 1, 200))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to 200 bytes of text");
    else if (date_parse(d->starts_on, NULL) != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "starts_on", "starts_on must be a real date YYYY-MM-DD");
    else if (date_parse(d->ends_on, NULL) != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "ends_on", "ends_on must be a real date YYYY-MM-DD");
    else if (strcmp(d->starts_on, d->ends_on) > 0) /* dates of this form order as text */
        reply_field_error(req, ERR_INVALID_VALUE, "ends_on", "ends_on must not be before starts_on");
    else if (!is_set_of(applies, categories, 1))
        reply_field_error(req, ERR_INVALID_VALUE, "applies_to",
                          "applies_to must name one or more distinct categories among administrative, "
                          "direct_service, essential and critical");
    if (req->response || !decode_int(req, body, "priority", -PRIORITY_LIMIT, PRIORITY_LIMIT, 0, &d->priority))
        return false;
    if (!(d->applies_to_json = json_dumps(applies, JSON_COMPACT))) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return false;
    }
    return true;
}

/*
 * Decodes and checks the body of POST /v1/policies (all but whether the unit
 * exists); false after answering. The arrays are kept as JSON text (owned).
 */
static bool decode_policy(struct request *req, const json_t *body, struct policy_fields *p, char **applies_to,
                          char **selfie_required_for)
{
    const json_t *selfie = json_object_get(body, "selfie_required_for");
    struct dated_scope d = {0};
    if (!decode_scope(req, body, &d))
        return false;
    *applies_to = d.applies_to_json;
    p->name = d.name, p->starts_on = d.starts_on, p->ends_on = d.ends_on, p->unit_id = d.unit_id;
    p->priority = d.priority, p->applies_to_json = d.applies_to_json;
    if (selfie && !json_is_null(selfie) && !json_is_array(selfie))
        reply_field_error(req, ERR_INVALID_FIELD, "selfie_required_for",
                          "selfie_required_for must be an array of modes");
    else if (json_is_array(selfie) && !is_set_of(selfie, modes, 0))
        reply_field_error(req, ERR_INVALID_VALUE, "selfie_required_for",
                          "selfie_required_for must be [], [\"WFH\"], [\"WFO\"] or [\"WFH\", \"WFO\"]");
    if (req->response || !decode_int(req, body, "max_wfh_percent", 0, 100, -1, &p->max_wfh_percent) ||
        !decode_int(req, body, "max_wfo_percent", 0, 100, -1, &p->max_wfo_percent))
        return false;
    if (p->max_wfh_percent < 0 && p->max_wfo_percent < 0) {
        reply_error(req, ERR_INVALID_VALUE, "a policy needs at least one cap: max_wfh_percent or max_wfo_percent");
        return false;
    }
    *selfie_required_for = json_is_array(selfie) ? json_dumps(selfie, JSON_COMPACT) : strdup("[]");
    if (!*selfie_required_for) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return false;
    }
    p->selfie_required_for_json = *selfie_required_for;
    return true;
}

/* Whether the unit named (0: none) exists; false after answering (or on a database error, in *st). */
static bool unit_exists(struct request *req, struct db_conn *db, long long unit_id, enum db_status *st)
{
    long long agency = 0;
    if (!unit_id)
        return true;
    if ((*st = store_unit_agency(db, unit_id, &agency)) != DB_OK)
        return true;
    if (!agency)
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "there is no unit %lld", unit_id);
    return agency != 0;
}

void h_policy_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct policy_fields p = {0};
    char *applies_to = NULL, *selfie_required_for = NULL;
    json_t *doc = NULL;
    if (!decode_policy(req, body, &p, &applies_to, &selfie_required_for))
        goto done;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK && !unit_exists(req, db, p.unit_id, &st))
        goto done;
    if (st == DB_OK)
        doc = store_policy_insert(db, &p, &st);
    reply_created(req, st, "policy", doc);
done:
    json_decref(doc);
    free(selfie_required_for);
    free(applies_to);
    json_decref(body);
}

void h_policy_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    json_t *doc = id ? store_policy_get(db, &req->auth, id, &st) : NULL;
    reply_found(req, st, doc, "no such policy");
}

/* The list's ?date= and ?unit_id= filters; false after answering. */
static bool list_filters(struct request *req, const char **date, long long *unit_id)
{
    *date = request_query(req, "date");
    const char *unit = request_query(req, "unit_id");
    *unit_id = unit ? id_parse(unit) : 0;
    if (*date && date_parse(*date, NULL) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD");
        return false;
    }
    if (unit && !*unit_id) {
        reply_field_error(req, ERR_INVALID_FIELD, "unit_id", "unit_id must be a unit id");
        return false;
    }
    return true;
}

void h_policy_list(struct request *req)
{
    struct page page;
    const char *date;
    long long unit_id;
    if (!page_from_query(req, &page) || !list_filters(req, &date, &unit_id))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_policy_list(db, &req->auth, date, unit_id, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

/* ---- dated hours: a week of hours for some dates, like a policy (CONTRACT.md, "Working time as the rules set it") ---- */

void h_hours_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct dated_scope d = {0};
    json_t *doc = NULL, *week_json = NULL;
    char *week_text = NULL;
    if (!decode_scope(req, body, &d))
        goto done;
    char err[160];
    struct work_week week;
    const json_t *hours = json_object_get(body, "work_hours");
    if (!hours) {
        reply_field_error(req, ERR_INVALID_FIELD, "work_hours", "work_hours is required: {\"mon\": [\"HH:MM\", \"HH:MM\"], ...}");
        goto done;
    }
    if (work_week_from_json(hours, &week, err, sizeof err) != 0) {
        reply_field_error(req, ERR_INVALID_VALUE, "work_hours", "%s", err);
        goto done;
    }
    if (!(week_json = work_week_to_json(&week)) || !(week_text = json_dumps(week_json, JSON_COMPACT))) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK && !unit_exists(req, db, d.unit_id, &st))
        goto done;
    struct dated_hours_fields h = {.name = d.name, .starts_on = d.starts_on, .ends_on = d.ends_on,
                                   .applies_to_json = d.applies_to_json, .unit_id = d.unit_id,
                                   .priority = d.priority, .work_hours_json = week_text};
    if (st == DB_OK)
        doc = store_hours_insert(db, &h, &st);
    reply_created(req, st, "hours", doc);
done:
    json_decref(doc);
    free(week_text);
    json_decref(week_json);
    free(d.applies_to_json);
    json_decref(body);
}

void h_hours_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    json_t *doc = id ? store_hours_get(db, &req->auth, id, &st) : NULL;
    reply_found(req, st, doc, "no such hours");
}

void h_hours_list(struct request *req)
{
    struct page page;
    const char *date;
    long long unit_id;
    if (!page_from_query(req, &page) || !list_filters(req, &date, &unit_id))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_hours_list(db, &req->auth, date, unit_id, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

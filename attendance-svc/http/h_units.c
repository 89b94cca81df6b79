/*
 * Units (unit kerja): POST /v1/units (admin), GET /v1/units and
 * GET /v1/units/{unit_id} (staff, within their scope; others get 404).
 */
#include "app.h"
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "rules/checkin_rules.h"
#include "rules/work_hours.h"
#include "store/store_units.h"

#include <stdlib.h>
#include <string.h>

/*
 * Ten years: a unit may believe its phones' clocks entirely (managed devices
 * whose clock the user cannot set, sites that sync once a month); the
 * contract's default of 120 s is for phones the employee controls.
 */
#define UNIT_SYNC_TOLERANCE_MAX_S 315360000
/* Four hours, as the database's check: DKI's 2026 flexible start is 60 minutes. */
#define UNIT_FLEX_MAX_MIN 240

static bool is_category(const char *c)
{
    return strcmp(c, "administrative") == 0 || strcmp(c, "direct_service") == 0 || strcmp(c, "essential") == 0 ||
           strcmp(c, "critical") == 0;
}

/* The shape of an IANA name; whether the zone exists is asked of the database. */
static bool looks_like_timezone(const char *tz)
{
    size_t n = strlen(tz);
    return n >= 1 && n <= 64 && strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") == n &&
           !strstr(tz, "..") && tz[0] != '/';
}

static bool is_unit_code(const char *code)
{
    size_t n = strlen(code);
    return n >= 1 && n <= 32 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* An optional whole number from min to max (absent or null: fallback); false if it is something else. */
static bool optional_int(const json_t *v, int min, int max, int fallback, int *out)
{
    *out = fallback;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return false;
    *out = (int)json_integer_value(v);
    return true;
}

/* The working-time settings of CONTRACT.md "Working time as the rules set it"; false after answering. */
static bool decode_work_settings(struct request *req, json_t *body, struct unit_fields *u, json_t **windows)
{
    char err[256];
    const json_t *made_up = json_object_get(body, "grace_made_up");
    struct work_settings s;
    if (checkin_windows_from_json(json_object_get(body, "checkin_windows"), &s, err, sizeof err) != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "checkin_windows", "%s", err);
    else if (made_up && !json_is_null(made_up) && !json_is_boolean(made_up))
        reply_field_error(req, ERR_INVALID_FIELD, "grace_made_up", "grace_made_up must be true or false");
    else if (!optional_int(json_object_get(body, "flex_minutes"), 0, UNIT_FLEX_MAX_MIN, 0, &u->flex_minutes))
        reply_field_error(req, ERR_INVALID_VALUE, "flex_minutes", "flex_minutes must be a whole number from 0 to %d",
                          UNIT_FLEX_MAX_MIN);
    else if (!optional_int(json_object_get(body, "missing_out_minutes"), 0, 1440, 0, &u->missing_out_minutes))
        reply_field_error(req, ERR_INVALID_VALUE, "missing_out_minutes",
                          "missing_out_minutes must be a whole number from 0 to 1440");
    if (req->response)
        return false;
    u->grace_made_up = json_is_true(made_up);
    *windows = checkin_windows_to_json(&s);
    return true;
}

/* Decodes and checks the body of POST /v1/units; false after answering. */
static bool decode_unit(struct request *req, json_t *body, struct unit_fields *u, json_t **work_hours)
{
    char err[256];
    json_t *hours = NULL, *grace = NULL, *tolerance = NULL;
    const char *field;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s, s:s, s:s, s?o, s?o, s?o}", "code", &u->code,
                           "name", &u->name, "category", &u->category, "timezone", &u->timezone, "work_hours", &hours,
                           "grace_minutes", &grace, "sync_tolerance_s", &tolerance) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    u->parent_id = json_id_field(body, "parent_id");
    if (!is_unit_code(u->code))
        reply_field_error(req, ERR_INVALID_VALUE, "code", "code must be 1 to 32 of A-Z a-z 0-9 . _ -");
    else if (!json_text_ok(u->name, 1, 200))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to 200 bytes of text");
    else if (!is_category(u->category))
        reply_field_error(req, ERR_INVALID_VALUE, "category",
                          "category must be administrative, direct_service, essential or critical");
    else if (!looks_like_timezone(u->timezone))
        reply_field_error(req, ERR_INVALID_VALUE, "timezone", "timezone must be an IANA name such as Asia/Jakarta");
    else if (u->parent_id < 0)
        reply_field_error(req, ERR_INVALID_FIELD, "parent_id", "parent_id must be a unit id (a string) or null");
    else if (grace && !json_is_null(grace) &&
             (!json_is_integer(grace) || json_integer_value(grace) < 0 || json_integer_value(grace) > 240))
        reply_field_error(req, ERR_INVALID_VALUE, "grace_minutes", "grace_minutes must be a whole number from 0 to 240");
    else if (tolerance && !json_is_null(tolerance) &&
             (!json_is_integer(tolerance) || json_integer_value(tolerance) < 0 ||
              json_integer_value(tolerance) > UNIT_SYNC_TOLERANCE_MAX_S))
        reply_field_error(req, ERR_INVALID_VALUE, "sync_tolerance_s",
                          "sync_tolerance_s must be a whole number of seconds from 0 to %d", UNIT_SYNC_TOLERANCE_MAX_S);
    if (req->response)
        return false;
    u->grace_minutes = grace && json_is_integer(grace) ? (int)json_integer_value(grace) : 0;
    u->sync_tolerance_s = tolerance && json_is_integer(tolerance) ? (int)json_integer_value(tolerance)
                                                                  : RULE_SYNC_TOLERANCE_DEFAULT_S;

    struct work_week week;
    if (hours && !json_is_null(hours)) {
        if (work_week_from_json(hours, &week, err, sizeof err) != 0) {
            reply_field_error(req, ERR_INVALID_VALUE, "work_hours", "%s", err);
            return false;
        }
    } else {
        work_week_default(&week);
    }
    *work_hours = work_week_to_json(&week);
    return true;
}

void h_unit_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct unit_fields u = {0};
    json_t *work_hours = NULL, *windows = NULL;
    char *hours_text = NULL, *windows_text = NULL;
    json_t *doc = NULL;
    if (!decode_unit(req, body, &u, &work_hours) || !decode_work_settings(req, body, &u, &windows))
        goto done;
    hours_text = json_dumps(work_hours, JSON_COMPACT);
    u.work_hours_json = hours_text;
    windows_text = json_is_null(windows) ? NULL : json_dumps(windows, JSON_COMPACT);
    u.checkin_windows_json = windows_text;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    bool tz_known = false;
    enum db_status st = db_begin(db);
    if (st == DB_OK && u.parent_id)
        st = store_unit_agency(db, u.parent_id, &u.parent_agency_id);
    if (st == DB_OK)
        st = store_timezone_known(db, u.timezone, &tz_known);
    if (st == DB_OK && u.parent_id && !u.parent_agency_id) {
        reply_field_error(req, ERR_INVALID_VALUE, "parent_id", "there is no unit %lld", u.parent_id);
        goto done;
    }
    if (st == DB_OK && !tz_known) {
        reply_field_error(req, ERR_INVALID_VALUE, "timezone", "%s is not a known IANA time zone", u.timezone);
        goto done;
    }
    if (st == DB_OK)
        doc = store_unit_insert(db, &u, &st);
    if (st == DB_UNIQUE_VIOLATION) {
        reply_field_error(req, ERR_ALREADY_EXISTS, "code", "a unit with code %s exists already", u.code);
        goto done;
    }
    reply_created(req, st, "unit", doc);
done:
    json_decref(doc);
    free(hours_text);
    free(windows_text);
    json_decref(work_hours);
    json_decref(windows);
    json_decref(body);
}

void h_unit_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    long long agency = 0;
    json_t *doc = id ? store_unit_get(db, id, &agency, &st) : NULL;
    if (doc && !request_sees_unit(req, id, agency)) {
        json_decref(doc);
        if (req->response)
            return;
        doc = NULL;
    }
    reply_found(req, st, doc, "no such unit");
}

void h_unit_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_unit_list(db, &req->auth, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

/*
 * Leave, permission and official duty (CONTRACT.md, "Leave and permission"):
 *
 *   POST   /v1/leave                       an employee asks (pending)
 *   PUT    /v1/leave/{leave_id}/attachment its letter, while pending (PDF, JPEG, PNG; 5 MiB)
 *   GET    /v1/leave/{leave_id}/attachment the letter (the employee, staff who see its unit)
 *   POST   /v1/leave/{leave_id}/decision   the supervisor of its unit (or a unit above) approves or rejects
 *   DELETE /v1/leave/{leave_id}            its employee withdraws it while pending
 *   GET    /v1/leave, /v1/leave/{leave_id}, /v1/me/leave
 *
 * A request is judged by the rules of its kind (rules/leave.c on the kind's
 * row of leave_kinds) when asked and again when approved (the balance may
 * have moved, the letter must be there by then). An approval dismisses the
 * pending flags the leave excuses, each as the service's own decision naming
 * the leave, audited. Every step is audited.
 */
#include "app.h"
#include "dates.h"
#include "digest.h"
#include "files.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "paging.h"
#include "rules/leave.h"
#include "selfie_store.h"
#include "store/store_audit.h"
#include "store/store_leave.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A request may reach back this far: a sick employee asks on return. */
#define LEAVE_PAST_DAYS 31
#define LEAVE_ATTACHMENT_DIR "leave"
/* CONTRACT.md: a letter of at most 5 MiB (the route's body limit, router.c). */
#define LEAVE_ATTACHMENT_MAX_BYTES (5u << 20)

/* ---- judging a request ---- */

/*
 * Judges a request of employee_id (except_id: the request judged again for an
 * approval) and fills its working days; false after answering.
 */
static bool leave_judged(struct request *req, long long employee_id, const char *kind, const char *from,
                         const char *to, int start_min, int end_min, long long except_id, bool has_attachment,
                         int *working_days, long long *unit_id)
{
    struct leave_kind_rule rule;
    json_t *rule_doc = NULL;
    bool found = false, ok = false;
    struct leave_facts_row facts = {0};
    enum db_status st = store_leave_kind(req->db, kind, &rule, &rule_doc, &found);
    if (st == DB_OK && !found) {
        reply_field_error(req, ERR_INVALID_FIELD, "kind",
                          "kind must be cuti_tahunan, cuti_sakit, cuti_besar, cuti_melahirkan, cuti_alasan_penting, "
                          "cuti_luar_tanggungan, izin or dinas_luar");
        goto done;
    }
    if (st == DB_OK)
        st = store_leave_facts(req->db, employee_id, kind, from, to, except_id, &facts, &found);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!found) {
        reply_error(req, ERR_NOT_FOUND, "no such active employee");
        goto done;
    }
    if (facts.overlaps) {
        reply_error(req, ERR_LEAVE_OVERLAP, "another pending or approved leave covers some of %s to %s", from, to);
        goto done;
    }
    int64_t from_day, to_day;
    date_parse(from, &from_day);
    date_parse(to, &to_day);
    struct work_week week;
    char why[128];
    if (work_week_from_json(facts.work_hours, &week, why, sizeof why) != 0)
        work_week_default(&week);
    int year, month, day;
    date_civil(from_day, &year, &month, &day);
    /* A year counts for the carry only if the record saw it whole, with a year of service by its start. */
    int months_then = leave_service_months(facts.nip, date_days(year - 2, 1, 1));
    struct annual_history history = {
        .recorded_last = facts.first_recorded_year <= year - 2 && months_then >= 0 &&
                         leave_service_months(facts.nip, date_days(year - 1, 1, 1)) >= 12,
        .recorded_before_last = facts.first_recorded_year <= year - 3 && months_then >= 12,
        .used_last = facts.used_last,
        .used_before_last = facts.used_before_last,
    };
    struct leave_request_facts f = {
        .rule = &rule,
        .from_day = from_day,
        .to_day = to_day,
        .start_min = start_min,
        .end_min = end_min,
        .service_months = leave_service_months(facts.nip, from_day),
        .female = leave_nip_female(facts.nip),
        .working_days = leave_working_days(&week, from_day, to_day, facts.holidays, facts.holiday_count),
        .annual_balance = rule.annual_working_days ? leave_annual_balance(&rule, &history) : 0,
        .annual_taken = facts.annual_taken,
        .times_before = facts.times_before,
        .has_attachment = has_attachment,
        .deciding = except_id != 0,
    };
    struct leave_problem problem;
    if (!leave_request_ok(&f, &problem)) {
        reply_error_details(req, problem.code,
                            json_pack("{s:s?, s:i, s:i}", "field", problem.field, "working_days", f.working_days,
                                      "annual_balance", f.annual_balance),
                            "%s", problem.message);
        goto done;
    }
    *working_days = f.working_days;
    *unit_id = facts.unit_id;
    ok = true;
done:
    leave_facts_row_clear(&facts);
    json_decref(rule_doc);
    return ok;
}

/* ---- POST /v1/leave ---- */

struct leave_fields {
    const char *kind, *from, *to, *reason;
    int start_min, end_min;
};

/* An optional "HH:MM" member (start of 00:00-23:59, end up to 24:00); false after answering. */
static bool optional_hhmm(struct request *req, const json_t *body, const char *key, int *minutes)
{
    const json_t *v = json_object_get(body, key);
    *minutes = -1;
    if (!v || json_is_null(v))
        return true;
    const char *text = json_string_value(v);
    *minutes = text && strcmp(text, "24:00") == 0 && strcmp(key, "end") == 0 ? 1440 : text ? parse_hhmm(text) : -1;
    if (*minutes < 0) {
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s must be a time HH:MM", key);
        return false;
    }
    return true;
}

static bool decode_leave(struct request *req, json_t *body, struct leave_fields *l)
{
    const char *field;
    char err[256];
    int64_t from, to;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s, s:s, s:s}", "kind", &l->kind, "from", &l->from,
                           "to", &l->to, "reason", &l->reason) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    if (!optional_hhmm(req, body, "start", &l->start_min) || !optional_hhmm(req, body, "end", &l->end_min))
        return false;
    if (date_parse(l->from, &from) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "from", "from must be a date YYYY-MM-DD");
    else if (date_parse(l->to, &to) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "to", "to must be a date YYYY-MM-DD");
    else if ((l->start_min < 0) != (l->end_min < 0))
        reply_field_error(req, ERR_INVALID_FIELD, l->start_min < 0 ? "start" : "end",
                          "start and end go together (the hours of an izin)");
    else if (l->start_min >= 0 && l->start_min >= l->end_min)
        reply_field_error(req, ERR_INVALID_VALUE, "end", "end must be after start");
    else if (!json_text_ok(l->reason, 1, 2000))
        reply_field_error(req, ERR_INVALID_VALUE, "reason", "reason must be 1 to 2000 bytes of text");
    else if (from < date_today(0) - LEAVE_PAST_DAYS)
        reply_field_error(req, ERR_INVALID_VALUE, "from", "leave can be asked at most %d days after it began",
                          LEAVE_PAST_DAYS);
    return !req->response;
}

void h_leave_create(struct request *req)
{
    json_t *body = request_json(req), *doc = NULL;
    if (!body)
        return;
    struct leave_fields l;
    if (!decode_leave(req, body, &l) || !request_db(req))
        goto done;
    enum db_status st = db_begin(req->db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    int working_days = 0;
    long long unit_id = 0;
    if (!leave_judged(req, req->auth.employee_id, l.kind, l.from, l.to, l.start_min, l.end_min, 0, false,
                      &working_days, &unit_id))
        goto done;
    struct leave_new row = {.employee_id = req->auth.employee_id, .unit_id = unit_id, .kind = l.kind,
                            .from = l.from, .to = l.to, .reason = l.reason, .start_min = l.start_min,
                            .end_min = l.end_min, .working_days = working_days};
    doc = store_leave_insert(req->db, &row, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "request", "leave", NULL, doc);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    json_t *created = json_pack("{s:O}", "leave_id", json_object_get(doc, "id"));
    json_object_update(created, doc);
    reply_json(req, 201, created);
done:
    json_decref(doc);
    json_decref(body);
}

/* ---- reading ---- */

/* The request if the caller may see it (its employee, staff who see its unit); NULL after answering. */
static json_t *visible_leave(struct request *req, long long id, bool lock)
{
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such leave");
        return NULL;
    }
    if (!request_db(req))
        return NULL;
    enum db_status st;
    long long unit = 0, agency = 0;
    json_t *doc = store_leave_get(req->db, id, lock, &unit, &agency, &st);
    bool own = doc && req->auth.employee_id &&
               id_parse(json_string_value(json_object_get(doc, "employee_id"))) == req->auth.employee_id;
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (doc && (own || (req->auth.role != ROLE_EMPLOYEE && request_sees_unit(req, unit, agency))))
        return doc;
    else if (!req->response)
        reply_error(req, ERR_NOT_FOUND, "no such leave");
    json_decref(doc);
    return NULL;
}

void h_leave_get(struct request *req)
{
    json_t *doc = visible_leave(req, id_parse(req->params[0]), false);
    if (doc)
        reply_json(req, 200, doc);
}

static bool is_leave_status(const char *s)
{
    return strcmp(s, "pending") == 0 || strcmp(s, "approved") == 0 || strcmp(s, "rejected") == 0 ||
           strcmp(s, "withdrawn") == 0;
}

void h_leave_list(struct request *req)
{
    struct page page;
    struct leave_filter f = {0};
    int64_t days;
    if (!page_from_query(req, &page) || !query_id(req, "unit_id", &f.unit_id) ||
        !query_id(req, "employee_id", &f.employee_id))
        return;
    f.status = query_text(req, "status");
    f.from = query_text(req, "from");
    f.to = query_text(req, "to");
    if (f.status && !is_leave_status(f.status))
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be pending, approved, rejected or withdrawn");
    else if (f.from && date_parse(f.from, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "from", "from must be a date YYYY-MM-DD");
    else if (f.to && date_parse(f.to, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "to", "to must be a date YYYY-MM-DD");
    if (req->response || !request_db(req))
        return;
    enum db_status st;
    json_t *items = store_leave_list(req->db, &req->auth, &f, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

/* ---- the attachment ---- */

static void attachment_dir(const struct request *req, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", req->app->cfg.selfie_dir, LEAVE_ATTACHMENT_DIR);
}

/* "application/pdf", "image/jpeg" or "image/png" by the magic bytes, or NULL. */
static const char *attachment_type(const unsigned char *data, size_t len)
{
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
        return "application/pdf";
    return selfie_content_type(data, len);
}

void h_leave_attach(struct request *req)
{
    long long id = id_parse(req->params[0]);
    const char *declared = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const unsigned char *data = (const unsigned char *)req->body;
    const char *type = attachment_type(data, req->body_len);
    if (!declared || !type || strncmp(declared, type, strlen(type)) != 0) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE,
                    "the attachment must be application/pdf, image/jpeg or image/png, as its bytes and its "
                    "Content-Type both say");
        return;
    }
    json_t *before = visible_leave(req, id, true), *after = NULL;
    if (!before)
        return;
    if (id_parse(json_string_value(json_object_get(before, "employee_id"))) != req->auth.employee_id) {
        reply_error(req, ERR_FORBIDDEN, "only the employee who asked attaches its letter");
        goto done;
    }
    if (strcmp(json_string_value(json_object_get(before, "status")), "pending") != 0) {
        reply_error(req, ERR_CONFLICT, "only a pending leave takes an attachment");
        goto done;
    }
    char hex[SHA256_HEX_LEN + 1], dir[PATH_MAX];
    sha256_hex(data, req->body_len, hex);
    attachment_dir(req, dir, sizeof dir);
    if (files_make_dirs(dir, SELFIE_STORE_DIR_MODE) != 0 || selfie_store_put(dir, hex, data, req->body_len) != 0) {
        log_error("leave: the attachment %s of leave %lld cannot be stored in %s: %s", hex, id, dir, strerror(errno));
        reply_error(req, ERR_STORAGE_UNAVAILABLE, "the attachment cannot be stored now; retry shortly");
        goto done;
    }
    enum db_status st;
    after = store_leave_attach(req->db, id, req->auth.employee_id, hex, type, req->body_len, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "attach", "leave", before, after);
    if (st != DB_OK)
        reply_db_error(req, st);
    else
        reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
}

void h_leave_attachment(struct request *req)
{
    json_t *doc = visible_leave(req, id_parse(req->params[0]), false);
    if (!doc)
        return;
    const json_t *attachment = json_object_get(doc, "attachment");
    const char *sha = json_string_value(json_object_get(attachment, "sha256"));
    const char *type = json_string_value(json_object_get(attachment, "content_type"));
    char dir[PATH_MAX], hex[SHA256_HEX_LEN + 1];
    unsigned char *data = NULL;
    size_t len = 0;
    if (!sha || !type) {
        reply_error(req, ERR_NOT_FOUND, "this leave has no attachment");
        goto done;
    }
    request_db_release(req);
    attachment_dir(req, dir, sizeof dir);
    if (selfie_store_read(dir, sha, LEAVE_ATTACHMENT_MAX_BYTES, &data, &len) != 0) {
        log_error("leave: the attachment %s cannot be read from %s: %s", sha, dir, strerror(errno));
        reply_error(req, ERR_STORAGE_UNAVAILABLE, "the attachment cannot be read now; retry shortly");
        goto done;
    }
    sha256_hex(data, len, hex);
    if (strcmp(hex, sha) != 0) {
        free(data);
        reply_error(req, ERR_INTERNAL, "the stored attachment is damaged (request %s)", req->id);
        goto done;
    }
    reply_buffer(req, 200, type, data, len, MHD_RESPMEM_MUST_FREE);
done:
    json_decref(doc);
}

/* ---- DELETE /v1/leave/{leave_id} ---- */

void h_leave_withdraw(struct request *req)
{
    long long id = id_parse(req->params[0]);
    json_t *before = visible_leave(req, id, true), *after = NULL;
    if (!before)
        return;
    enum db_status st = DB_OK;
    if (id_parse(json_string_value(json_object_get(before, "employee_id"))) != req->auth.employee_id)
        reply_error(req, ERR_FORBIDDEN, "only the employee who asked withdraws its leave");
    else if (!(after = store_leave_withdraw(req->db, id, req->auth.employee_id, &st)) && st == DB_OK)
        reply_error(req, ERR_CONFLICT, "only a pending leave can be withdrawn; this one is %s",
                    json_string_value(json_object_get(before, "status")));
    else if (st == DB_OK && (st = request_commit_audited(req, "withdraw", "leave", before, after)) == DB_OK)
        reply_json(req, 200, json_incref(after));
    if (st != DB_OK)
        reply_db_error(req, st);
    json_decref(before);
    json_decref(after);
}

/* ---- GET /v1/leave/approvers, PUT /v1/leave/approvers/{kind} ---- */

/* The role that decides each kind in an agency (?agency_id=, default the caller's): its staff, and admins. */
void h_leave_approvers_get(struct request *req)
{
    long long agency_id;
    if (!query_id(req, "agency_id", &agency_id) || !request_db(req))
        return;
    if (!agency_id)
        agency_id = req->auth.agency_id;
    enum db_status st = DB_OK;
    bool visible = req->auth.role == ROLE_ADMIN || agency_id == req->auth.agency_id;
    json_t *items = agency_id && visible ? store_leave_approvers_of(req->db, agency_id, &st) : NULL;
    if (st == DB_OK && !items) {
        reply_error(req, ERR_NOT_FOUND, "no such agency");
        return;
    }
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    char agency[24];
    snprintf(agency, sizeof agency, "%lld", agency_id);
    reply_json(req, 200, json_pack("{s:s, s:o}", "agency_id", agency, "items", items));
}

/* An admin names the role that decides a kind in an agency: {"agency_id", "role"}; audited. */
void h_leave_approver_put(struct request *req)
{
    const char *kind = req->params[0];
    json_t *body = request_json(req), *doc = NULL;
    if (!body)
        return;
    const char *role, *field;
    char err[256];
    long long agency_id = json_id_field(body, "agency_id");
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s}", "role", &role) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
    else if (agency_id <= 0)
        reply_field_error(req, ERR_INVALID_FIELD, "agency_id", "agency_id must be an agency's id (a string)");
    else if (strcmp(role, "supervisor") != 0 && strcmp(role, "reviewer") != 0 && strcmp(role, "admin") != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "role", "role must be supervisor, reviewer or admin");
    if (req->response || !request_db(req))
        goto done;
    enum db_status st = db_begin(req->db);
    if (st == DB_OK)
        doc = store_leave_approver_set(req->db, agency_id, kind, role, &st);
    if (st == DB_OK && !doc) {
        reply_error(req, ERR_NOT_FOUND, "no agency %lld or no leave kind %.40s", agency_id, kind);
        goto done;
    }
    if (st == DB_OK)
        st = request_commit_audited(req, "set", "leave_approver", NULL, doc);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(doc));
done:
    json_decref(doc);
    json_decref(body);
}

/* ---- POST /v1/leave/{leave_id}/decision ---- */

static int hhmm_or(const char *text, int fallback)
{
    int m = text ? parse_hhmm(text) : -1;
    return m < 0 ? fallback : m;
}

/*
 * Dismisses, as the service's own decision, the pending flags of the leave's
 * days that it excuses (rules/leave.c), each audited with no actor.
 */
static enum db_status dismiss_excused(struct request *req, const json_t *leave, bool excuses_place, long long *count)
{
    long long leave_id = id_parse(json_string_value(json_object_get(leave, "id")));
    long long employee_id = id_parse(json_string_value(json_object_get(leave, "employee_id")));
    const char *start = json_string_value(json_object_get(leave, "start"));
    const char *end = json_string_value(json_object_get(leave, "end"));
    struct leave_cover cover = {.on_leave = true, .start_min = hhmm_or(start, -1),
                                .end_min = end && strcmp(end, "24:00") == 0 ? 1440 : hhmm_or(end, -1),
                                .excuses_place = excuses_place};
    enum db_status st;
    json_t *flags = store_leave_flags(req->db, employee_id, json_string_value(json_object_get(leave, "from")),
                                      json_string_value(json_object_get(leave, "to")), &st);
    char note[64];
    snprintf(note, sizeof note, "excused by approved leave %lld", leave_id);
    size_t i;
    json_t *flag;
    *count = 0;
    json_array_foreach(flags, i, flag) {
        const char *code = json_string_value(json_object_get(flag, "code"));
        int at = hhmm_or(json_string_value(json_object_get(flag, "local_time")), 0);
        int boundary = hhmm_or(json_string_value(json_object_get(flag, "boundary")), 0);
        if (st != DB_OK || !leave_excuses(&cover, code, at, boundary))
            continue;
        bool dismissed = false;
        const json_t *before = json_object_get(flag, "violation");
        st = store_leave_dismiss(req->db, id_parse(json_string_value(json_object_get(flag, "id"))),
                                 json_string_value(json_object_get(flag, "day")),
                                 (int)json_integer_value(json_object_get(flag, "version")), leave_id, note, &dismissed);
        if (st != DB_OK || !dismissed)
            continue;
        json_t *after = json_deep_copy(before);
        json_object_set_new(after, "status", json_string("dismissed"));
        json_object_set_new(after, "version", json_integer(json_integer_value(json_object_get(flag, "version")) + 1));
        json_object_set_new(after, "leave_id", json_string(json_string_value(json_object_get(leave, "id"))));
        st = store_audit(req->db, 0, "dismiss_by_leave", "violation", json_string_value(json_object_get(flag, "id")),
                         before, after);
        json_decref(after);
        (*count)++;
    }
    json_decref(flags);
    return st;
}

void h_leave_decide(struct request *req)
{
    long long id = id_parse(req->params[0]);
    json_t *body = request_json(req), *before = NULL, *after = NULL, *note_v = NULL, *version_v = NULL;
    if (!body)
        return;
    const char *decision, *field, *note = NULL;
    char err[256];
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s?o, s:o}", "decision", &decision, "note", &note_v,
                           "version", &version_v) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        goto done;
    }
    note = json_string_value(note_v);
    if (strcmp(decision, "approved") != 0 && strcmp(decision, "rejected") != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "decision", "decision must be approved or rejected");
    else if (!json_is_integer(version_v) || json_integer_value(version_v) < 1 || json_integer_value(version_v) > INT_MAX)
        reply_field_error(req, ERR_INVALID_FIELD, "version", "version must be the leave's version as read");
    else if (note_v && !json_is_null(note_v) && !(note && json_text_ok(note, 0, 2000)))
        reply_field_error(req, ERR_INVALID_FIELD, "note", "note must be at most 2000 bytes of text, or null");
    if (req->response || !request_db(req))
        goto done;
    enum db_status st = db_begin(req->db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!(before = visible_leave(req, id, true)))
        goto done;
    long long employee_id = id_parse(json_string_value(json_object_get(before, "employee_id")));
    int version = (int)json_integer_value(version_v);
    const char *status = json_string_value(json_object_get(before, "status"));
    if (employee_id == req->auth.employee_id) {
        reply_error(req, ERR_SELF_APPROVAL, "nobody decides its own leave");
        goto done;
    }
    /* The approver of the kind in the employee's agency (sql/0031): the unit's supervisor unless the agency names another role. */
    const char *kind = json_string_value(json_object_get(before, "kind"));
    char approver[16] = "supervisor";
    st = store_leave_approver(req->db, id_parse(json_string_value(json_object_get(before, "unit_id"))), kind, approver);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (strcmp(approver, role_name(req->auth.role)) != 0) {
        reply_error(req, ERR_FORBIDDEN, "in this agency %s is decided by the %s", kind, approver);
        goto done;
    }
    if (json_integer_value(json_object_get(before, "version")) != version) {
        reply_error_details(req, ERR_VERSION_CONFLICT, json_pack("{s:O}", "current_version",
                                                                 json_object_get(before, "version")),
                            "version %d is not the leave's version any more: read it again", version);
        goto done;
    }
    if (strcmp(status, "pending") != 0) {
        reply_error(req, ERR_CONFLICT, "only a pending leave can be decided; this one is %s", status);
        goto done;
    }
    bool approve = strcmp(decision, "approved") == 0;
    const char *start = json_string_value(json_object_get(before, "start"));
    const char *end = json_string_value(json_object_get(before, "end"));
    int days = 0;
    long long unit_id = 0;
    if (approve && !leave_judged(req, employee_id, kind, json_string_value(json_object_get(before, "from")),
                                 json_string_value(json_object_get(before, "to")), hhmm_or(start, -1),
                                 end && strcmp(end, "24:00") == 0 ? 1440 : hhmm_or(end, -1), id,
                                 json_is_object(json_object_get(before, "attachment")), &days, &unit_id))
        goto done;
    after = store_leave_decide(req->db, id, version, decision, note, req->auth.account_id, &st);
    long long dismissed = 0;
    if (st == DB_OK && approve) {
        struct leave_kind_rule rule;
        json_t *rule_doc = NULL;
        bool found;
        st = store_leave_kind(req->db, kind, &rule, &rule_doc, &found);
        if (st == DB_OK)
            st = dismiss_excused(req, after, found && rule.excuses_place, &dismissed);
        json_decref(rule_doc);
    }
    if (st == DB_OK)
        st = request_commit_audited(req, "decide", "leave", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    log_fields(LOG_LEVEL_INFO, "leave: decided",
               json_pack("{s:I, s:s, s:I, s:I}", "leave_id", (json_int_t)id, "decision", decision,
                         "flags_dismissed", (json_int_t)dismissed, "account_id", (json_int_t)req->auth.account_id));
    json_object_set_new(after, "flags_dismissed", json_integer(dismissed));
    reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

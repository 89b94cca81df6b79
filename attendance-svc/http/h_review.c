/*
 * The review of violations (CONTRACT.md, "Review"):
 *
 *   GET  /v1/violations                     the console's list, newest first (staff, in scope)
 *   GET  /v1/violations/{violation_id}      a violation with its evidence (staff, in scope)
 *   POST /v1/violations/{violation_id}/decision   dismissed or confirmed, no sanction (reviewer)
 *   GET  /v1/checkins/{checkin_id}/selfie   the dress-code photo (reviewer, the unit's supervisor)
 *
 * A violation is in the scope of its unit: a reviewer sees its agency's, a
 * supervisor its unit's (read-only), an admin every one (without selfies);
 * anything else is 404. Employees have no access (the contract's Review is
 * for reviewers and supervisors; a decision reaches the employee through its
 * superior, who is responsible for discipline). A decision names the version
 * it was made on, and of two decisions made on the same version only the first
 * is kept (409 for the other); every decision is kept as a revision and
 * audited. A reviewer who is also an employee cannot decide its own violations.
 */
#include "app.h"
#include "dates.h"
#include "digest.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "paging.h"
#include "rules/policy.h"
#include "rules/review.h"
#include "selfie_store.h"
#include "store/store_review.h"
#include "store/store_units.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Policies in force for one unit and day that are weighed; as in checkin/context.c. */
#define POLICIES_MAX 32

/* ---- GET /v1/violations ---- */

/* A violation code's shape (sql/0004: ^[A-Z_]{3,40}$); an unknown code simply matches nothing. */
static bool looks_like_code(const char *s)
{
    size_t n = strlen(s);
    return n >= 3 && n <= 40 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == n;
}

/* Reads the list's filters; false after answering 400. */
static bool filter_from_query(struct request *req, struct violation_filter *f)
{
    int64_t days;
    f->status = query_text(req, "status");
    f->code = query_text(req, "code");
    f->from = query_text(req, "from");
    f->to = query_text(req, "to");
    if (!query_id(req, "unit_id", &f->unit_id))
        return false;
    if (f->status && !violation_status_known(f->status))
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be pending, dismissed or confirmed");
    else if (f->code && !looks_like_code(f->code))
        reply_field_error(req, ERR_INVALID_FIELD, "code", "code must be a violation code such as OUTSIDE_GEOFENCE");
    else if (f->from && date_parse(f->from, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "from", "from must be a date YYYY-MM-DD");
    else if (f->to && date_parse(f->to, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "to", "to must be a date YYYY-MM-DD");
    return !req->response;
}

void h_violation_list(struct request *req)
{
    struct page page;
    struct violation_filter filter;
    if (!page_from_query(req, &page) || !filter_from_query(req, &filter))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    if (filter.unit_id) {
        long long agency = 0;
        st = store_unit_agency(db, filter.unit_id, &agency);
        if (st == DB_OK && (!agency || !request_sees_unit(req, filter.unit_id, agency))) {
            if (!req->response)
                reply_error(req, ERR_NOT_FOUND, "no such unit");
            return;
        }
    }
    if (st == DB_OK)
        st = db_begin(db);
    json_t *items = st == DB_OK ? store_violation_list(db, &req->auth, &filter, page.after, page.limit + 1, &st) : NULL;
    reply_page(req, &page, items, st);
}

/* ---- GET /v1/violations/{violation_id} ---- */

/* What the policies in force that day say together (rules/policy.c), and which of them govern. */
static json_t *policy_terms_json(const json_t *evidence)
{
    const json_t *in_force = json_object_get(evidence, "policies");
    const char *category = json_string_value(json_object_get(json_object_get(evidence, "unit"), "category"));
    struct policy_terms terms;
    policy_combine_json(in_force, category, &terms);
    json_t *governing = json_array();
    size_t listed = sizeof terms.governing_ids / sizeof terms.governing_ids[0];
    for (size_t k = 0; k < terms.governing && k < listed; k++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", terms.governing_ids[k]);
        json_array_append_new(governing, json_string(id));
    }
    json_t *selfie = json_array();
    if (terms.selfie_wfh)
        json_array_append_new(selfie, json_string("WFH"));
    if (terms.selfie_wfo)
        json_array_append_new(selfie, json_string("WFO"));
    return json_pack("{s:O, s:o, s:o, s:o, s:o, s:b}", "in_force", in_force, "governing", governing,
                     "max_wfh_percent", policy_cap_json(terms.max_wfh_percent), "max_wfo_percent",
                     policy_cap_json(terms.max_wfo_percent), "selfie_required_for", selfie, "wfo_only", terms.wfo_only);
}

/* Copies key from one object to the other (null when absent). */
static void copy_member(json_t *to, const json_t *from, const char *key)
{
    json_t *value = json_object_get(from, key);
    json_object_set(to, key, value ? value : json_null());
}

/*
 * The answer about one violation: its document, then its evidence as the
 * caller may see it (selfie_url for reviewers and the unit's supervisor only).
 * NULL when out of memory.
 */
static json_t *evidence_answer(const struct auth *a, const json_t *evidence)
{
    json_t *doc = json_deep_copy(json_object_get(evidence, "violation"));
    if (!doc)
        return NULL;
    static const char *const parts[] = {"employee", "unit", "checkin", "roster"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        copy_member(doc, evidence, parts[i]);
    json_object_set_new(doc, "policy", policy_terms_json(evidence));
    copy_member(doc, evidence, "decisions");
    copy_member(doc, evidence, "explanation");
    copy_member(doc, evidence, "leave");
    const json_t *checkin = json_object_get(evidence, "checkin");
    json_t *selfie_url = json_null();
    if ((a->role == ROLE_REVIEWER || a->role == ROLE_SUPERVISOR) &&
        json_is_true(json_object_get(checkin, "selfie_attached"))) {
        char url[64];
        snprintf(url, sizeof url, "/v1/checkins/%s/selfie", json_string_value(json_object_get(checkin, "id")));
        selfie_url = json_string(url);
    }
    json_object_set_new(doc, "selfie_url", selfie_url);
    return doc;
}

/* The violation's evidence if the caller may see it; NULL after answering (404 or the database's error). */
static json_t *visible_evidence(struct request *req, struct db_conn *db, long long id)
{
    enum db_status st;
    long long unit = 0, agency = 0;
    json_t *evidence = store_violation_evidence(db, id, &unit, &agency, &st);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (!evidence || !request_sees_unit(req, unit, agency)) {
        if (!req->response)
            reply_error(req, ERR_NOT_FOUND, "no such violation");
    } else
        return evidence;
    json_decref(evidence);
    return NULL;
}

static void reply_evidence(struct request *req, const json_t *evidence)
{
    json_t *answer = evidence_answer(&req->auth, evidence);
    if (answer)
        reply_json(req, 200, answer);
    else
        reply_error(req, ERR_INTERNAL, "out of memory");
}

void h_violation_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such violation");
        return;
    }
    struct db_conn *db = request_db(req);
    json_t *evidence = db ? visible_evidence(req, db, id) : NULL;
    if (evidence)
        reply_evidence(req, evidence);
    json_decref(evidence);
}

/* ---- POST /v1/violations/{violation_id}/decision ---- */

struct decision_fields {
    const char *decision;
    const char *sanction, *note; /* NULL: none */
    int version;
};

/* An optional string member: absent and null are NULL; false after answering 400 for another type. */
static bool optional_string(struct request *req, const json_t *value, const char *key, const char **out)
{
    *out = json_string_value(value);
    if (value && !json_is_null(value) && !json_is_string(value)) {
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s must be a string or null", key);
        return false;
    }
    return true;
}

/* Decodes and checks the body of a decision; false after answering. */
static bool decode_decision(struct request *req, json_t *body, struct decision_fields *d)
{
    const char *field;
    char err[256];
    json_t *sanction = NULL, *note = NULL, *version = NULL;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s?o, s?o, s:o}", "decision", &d->decision,
                           "sanction", &sanction, "note", &note, "version", &version) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    if (!json_is_integer(version) || json_integer_value(version) < 1 || json_integer_value(version) > INT_MAX) {
        reply_field_error(req, ERR_INVALID_FIELD, "version", "version must be the violation's version as read");
        return false;
    }
    d->version = (int)json_integer_value(version);
    if (!optional_string(req, sanction, "sanction", &d->sanction) || !optional_string(req, note, "note", &d->note))
        return false;
    const char *problem = review_decision_problem(d->decision, d->sanction, &field);
    if (problem)
        reply_field_error(req, strcmp(field, "sanction") == 0 ? ERR_SANCTION_NEEDS_CASE : ERR_INVALID_VALUE, field,
                          "%s", problem);
    else if (d->note && !review_note_ok(d->note))
        reply_field_error(req, ERR_INVALID_VALUE, "note", "note must be at most %d bytes of text",
                          REVIEW_NOTE_MAX_BYTES);
    return !req->response;
}

/* The version a competing decision left, for the 409's details. */
static void reply_version_conflict(struct request *req, struct db_conn *db, long long id, int version)
{
    json_t *now = visible_evidence(req, db, id);
    if (!now)
        return;
    json_t *current = json_object_get(json_object_get(now, "violation"), "version");
    reply_error_details(req, ERR_VERSION_CONFLICT, json_pack("{s:O}", "current_version", current),
                        "version %d is not the violation's version any more: another decision was made; read it "
                        "again and decide on what it now says", version);
    json_decref(now);
}

void h_violation_decide(struct request *req)
{
    long long id = id_parse(req->params[0]);
    json_t *body = request_json(req);
    if (!body)
        return;
    struct decision_fields d;
    json_t *before = NULL, *after = NULL;
    if (!decode_decision(req, body, &d))
        goto done;
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such violation");
        goto done;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!(before = visible_evidence(req, db, id)))
        goto done;
    const json_t *violation = json_object_get(before, "violation");
    long long employee_id = id_parse(json_string_value(json_object_get(violation, "employee_id")));
    if (req->auth.employee_id && req->auth.employee_id == employee_id) {
        reply_error(req, ERR_SELF_APPROVAL, "nobody decides its own violation");
        goto done;
    }
    bool decided = false;
    st = store_violation_decide(db, id, d.version, d.decision, d.sanction, d.note, req->auth.account_id, &decided);
    if (st == DB_OK && !decided) {
        reply_version_conflict(req, db, id, d.version);
        goto done;
    }
    long long unit, agency;
    if (st == DB_OK)
        after = store_violation_evidence(db, id, &unit, &agency, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "decide", "violation", violation, json_object_get(after, "violation"));
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    log_fields(LOG_LEVEL_INFO, "review: violation decided",
               json_pack("{s:I, s:s, s:s?, s:i, s:I}", "violation_id", (json_int_t)id, "decision", d.decision,
                         "sanction", d.sanction, "version", d.version + 1, "account_id",
                         (json_int_t)req->auth.account_id));
    reply_evidence(req, after);
done:
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

/* ---- POST /v1/violations/{violation_id}/explanation ---- */

/* The employee is heard before a sanction (PP 94/2021): its own violation, while pending. */
void h_violation_explain(struct request *req)
{
    long long id = id_parse(req->params[0]);
    json_t *body = request_json(req), *before = NULL, *after = NULL;
    if (!body)
        return;
    const char *text = json_string_value(json_object_get(body, "text"));
    if (!text)
        reply_field_error(req, ERR_INVALID_FIELD, "text", "text is required: a string");
    else if (!json_text_ok(text, 1, 4000))
        reply_field_error(req, ERR_INVALID_VALUE, "text", "text must be 1 to 4000 bytes of text");
    if (req->response || !request_db(req))
        goto done;
    long long unit, agency;
    enum db_status st = db_begin(req->db);
    if (st == DB_OK)
        before = store_violation_evidence(req->db, id, &unit, &agency, &st);
    const json_t *violation = json_object_get(before, "violation");
    if (st == DB_OK && (!before || id_parse(json_string_value(json_object_get(violation, "employee_id"))) !=
                                       req->auth.employee_id)) {
        reply_error(req, ERR_NOT_FOUND, "no such violation");
        goto done;
    }
    if (st == DB_OK)
        after = store_violation_explain(req->db, id, req->auth.employee_id, text, &st);
    if (st == DB_OK && !after) {
        reply_error(req, ERR_CONFLICT, "only a pending violation can be explained; this one is %s",
                    json_string_value(json_object_get(violation, "status")));
        goto done;
    }
    if (st == DB_OK) {
        json_object_set_new(after, "id", json_string(json_string_value(json_object_get(violation, "id"))));
        st = request_commit_audited(req, "explain", "violation", json_object_get(before, "explanation"), after);
    }
    if (st != DB_OK)
        reply_db_error(req, st);
    else
        reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
    json_decref(body);
}

/* ---- GET /v1/checkins/{checkin_id}/selfie ---- */

void h_checkin_selfie(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such selfie");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    struct checkin_selfie selfie;
    bool found = false;
    enum db_status st = store_checkin_selfie(db, id, &selfie, &found);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    if (!found || !selfie.sha256[0] || !request_sees_unit(req, selfie.unit_id, selfie.agency_id)) {
        if (!req->response)
            reply_error(req, ERR_NOT_FOUND, "no such selfie");
        return;
    }
    if (selfie.purged) {
        reply_error(req, ERR_SELFIE_PURGED, "the selfie was deleted after the retention period; its hash is kept");
        return;
    }
    request_db_release(req); /* the file needs no connection */
    unsigned char *data = NULL;
    size_t len = 0;
    const char *dir = req->app->cfg.selfie_dir;
    if (selfie_store_read(dir, selfie.sha256, SELFIE_STORE_MAX_BYTES, &data, &len) != 0) {
        int err = errno;
        log_error("review: the selfie %s of check-in %lld cannot be read from %s: %s", selfie.sha256, id, dir,
                  strerror(err));
        if (err == ENOENT)
            reply_error(req, ERR_NOT_FOUND, "the selfie of this check-in is missing from the store");
        else
            reply_error(req, ERR_STORAGE_UNAVAILABLE, "the selfie cannot be read now; retry shortly");
        return;
    }
    /* Evidence: answer only the very bytes the phone signed for. */
    char hex[SHA256_HEX_LEN + 1];
    sha256_hex(data, len, hex);
    const char *type = selfie_content_type(data, len);
    if (strcmp(hex, selfie.sha256) != 0 || !type || strcmp(type, selfie.content_type) != 0) {
        log_error("review: the stored selfie %s of check-in %lld does not match its hash or type", selfie.sha256, id);
        free(data);
        reply_error(req, ERR_INTERNAL, "the stored selfie is damaged (request %s)", req->id);
        return;
    }
    reply_buffer(req, 200, selfie.content_type, data, len, MHD_RESPMEM_MUST_FREE);
}

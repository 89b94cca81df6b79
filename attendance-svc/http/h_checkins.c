/*
 * POST /v1/checkins: a check-in signed by the employee's phone.
 *
 * The path: the multipart body is split by libmicrohttpd's post processor
 * (payload, signature, optional selfie) → the payload is decoded → one query
 * loads what the rules need (device, unit in its time zone, offices, home,
 * roster, policies, history) → the Ed25519 signature is checked with the
 * device's key → a replay of the same bytes gets the first answer again (200),
 * the same nonce with other bytes 409 → the place verdict and the rules run
 * (pure) → the selfie is stored on disk → one statement stores the check-in,
 * its selfie record and its violations → 201. No transaction is held open
 * while the signature and geometry are computed.
 */
#include "app.h"
#include "checkin/payload.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "rules/checkin_rules.h"
#include "rules/policy.h"
#include "selfie_store.h"
#include "store/store_checkins.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SIGNATURE_TEXT_MAX 128
#define SELFIE_MAX_BYTES (2u << 20)

/* ---- the multipart body ---- */

struct part {
    unsigned char *data;
    size_t len, cap, limit;
    unsigned seen; /* how many parts of this name began */
    bool too_large;
};

struct parts {
    struct part payload, signature, selfie;
};

static struct part *part_named(struct parts *parts, const char *key)
{
    if (strcmp(key, "payload") == 0)
        return &parts->payload;
    if (strcmp(key, "signature") == 0)
        return &parts->signature;
    if (strcmp(key, "selfie") == 0)
        return &parts->selfie;
    return NULL; /* other parts are ignored */
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    struct part *part = key ? part_named(cls, key) : NULL;
    if (!part)
        return MHD_YES;
    if (off == 0)
        part->seen++;
    if (part->seen > 1 || part->too_large)
        return MHD_YES;
    if (size > part->limit - part->len) {
        part->too_large = true;
        return MHD_YES;
    }
    if (part->len + size > part->cap) {
        size_t cap = part->cap ? part->cap : 1024;
        while (cap < part->len + size)
            cap *= 2;
        unsigned char *grown = realloc(part->data, cap);
        if (!grown)
            return MHD_NO;
        part->data = grown;
        part->cap = cap;
    }
    memcpy(part->data + part->len, data, size);
    part->len += size;
    return MHD_YES;
}

static void parts_free(struct parts *parts)
{
    free(parts->payload.data);
    free(parts->signature.data);
    free(parts->selfie.data);
}

/* Splits the body; false after answering. */
static bool read_parts(struct request *req, struct parts *parts)
{
    parts->payload.limit = PAYLOAD_MAX_BYTES;
    parts->signature.limit = SIGNATURE_TEXT_MAX;
    parts->selfie.limit = SELFIE_MAX_BYTES;
    const char *type = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the body must be multipart/form-data");
        return false;
    }
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->connection, 16384, on_part, parts);
    if (!pp) {
        reply_error(req, ERR_MALFORMED_REQUEST, "the multipart body has no usable boundary");
        return false;
    }
    enum MHD_Result fed = req->body_len ? MHD_post_process(pp, req->body, req->body_len) : MHD_YES;
    enum MHD_Result done = MHD_destroy_post_processor(pp);
    if (fed != MHD_YES || done != MHD_YES) {
        reply_error(req, ERR_MALFORMED_REQUEST, "the multipart body is malformed or truncated");
        return false;
    }
    const struct {
        const struct part *part;
        const char *name;
        bool required;
    } expected[] = {{&parts->payload, "payload", true}, {&parts->signature, "signature", true},
                    {&parts->selfie, "selfie", false}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct part *p = expected[i].part;
        if (p->seen > 1) {
            reply_field_error(req, ERR_MALFORMED_REQUEST, expected[i].name, "the part %s is repeated", expected[i].name);
            return false;
        }
        if (expected[i].required && (p->seen == 0 || p->len == 0)) {
            reply_field_error(req, ERR_MALFORMED_REQUEST, expected[i].name, "the part %s is missing", expected[i].name);
            return false;
        }
    }
    if (parts->selfie.too_large) {
        reply_field_error(req, ERR_PAYLOAD_TOO_LARGE, "selfie", "the selfie may be at most %u bytes", SELFIE_MAX_BYTES);
        return false;
    }
    if (parts->payload.too_large || parts->signature.too_large) {
        reply_error(req, ERR_PAYLOAD_TOO_LARGE, "the payload may be at most %d bytes and the signature %d",
                    PAYLOAD_MAX_BYTES, SIGNATURE_TEXT_MAX);
        return false;
    }
    return true;
}

/* ---- the answer ---- */

/* The 201/200 body, a pure function of stored facts, so that a replay gets the same bytes. */
static json_t *checkin_answer(const char *checkin_id, bool inside, double distance_m, const char *place,
                              bool selfie_attached, json_t *violations /* stolen */)
{
    return json_pack("{s:s, s:s, s:{s:b, s:f, s:s?}, s:b, s:o}", "checkin_id", checkin_id, "status", "accepted",
                     "geofence", "inside", inside, "distance_m", distance_m, "place", place, "selfie_attached",
                     selfie_attached, "violations", violations);
}

static void reply_replay(struct request *req, json_t *stored)
{
    const char *place = json_string_value(json_object_get(stored, "place"));
    metrics_checkin_result("replayed");
    reply_json(req, 200,
               checkin_answer(json_string_value(json_object_get(stored, "checkin_id")),
                              json_is_true(json_object_get(stored, "inside")),
                              json_number_value(json_object_get(stored, "distance_m")), place,
                              json_is_true(json_object_get(stored, "selfie_attached")),
                              json_incref(json_object_get(stored, "violations"))));
}

/* ---- facts from the context document ---- */

static size_t load_offices(const json_t *ctx, struct office_fence *out, size_t max)
{
    size_t n = 0, i;
    json_t *o;
    char err[128];
    json_array_foreach(json_object_get(ctx, "offices"), i, o) {
        if (n == max)
            break;
        out[n].id = id_parse(json_string_value(json_object_get(o, "id")));
        if (geofence_from_json(json_object_get(o, "geofence"), &out[n].fence, err, sizeof err) == 0)
            n++;
        else
            log_warn("checkin: office %lld has an unusable geofence: %s", out[n].id, err);
    }
    return n;
}

static bool selfie_required_by_policy(const json_t *ctx, enum work_mode mode)
{
    struct policy policies[32];
    size_t n = 0, i;
    json_t *doc;
    json_array_foreach(json_object_get(ctx, "policies"), i, doc) {
        if (n < sizeof policies / sizeof policies[0] && policy_from_json(doc, &policies[n]) == 0)
            n++;
    }
    struct policy_terms terms;
    const char *category = json_string_value(json_object_get(ctx, "category"));
    policy_combine(policies, n, category && strcmp(category, "direct_service") == 0, &terms);
    return mode == MODE_WFH ? terms.selfie_wfh : terms.selfie_wfo;
}

static int json_int_or(const json_t *v, int fallback) { return json_is_integer(v) ? (int)json_integer_value(v) : fallback; }

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the handler ---- */

struct checkin_work {
    long long employee_id; /* the caller's, from the context */
    struct parts parts;
    struct checkin_payload payload;
    unsigned char signature[crypto_sign_BYTES];
    json_t *ctx;
    struct office_fence offices[64];
    size_t office_count;
    struct geofence home;
    struct violation violations[CHECKIN_VIOLATIONS_MAX];
    size_t violation_count;
    json_t *violations_json;
    char *violations_text;
    json_t *stored;
};

static void work_free(struct checkin_work *w)
{
    parts_free(&w->parts);
    json_decref(w->ctx);
    for (size_t i = 0; i < w->office_count; i++)
        geofence_free(&w->offices[i].fence);
    geofence_free(&w->home);
    for (size_t i = 0; i < w->violation_count; i++)
        json_decref(w->violations[i].evidence);
    json_decref(w->violations_json);
    free(w->violations_text);
    json_decref(w->stored);
}

/* Decodes the parts: payload, signature, selfie hash and type. False after answering. */
static bool decode(struct request *req, struct checkin_work *w, const char **selfie_type, char selfie_hex[65])
{
    char err[256];
    switch (checkin_payload_decode((const char *)w->parts.payload.data, w->parts.payload.len, &w->payload, err,
                                   sizeof err)) {
    case PAYLOAD_OK:
        break;
    case PAYLOAD_INVALID_LOCATION:
        reply_error(req, ERR_INVALID_LOCATION, "%s", err);
        return false;
    case PAYLOAD_MALFORMED:
        reply_error(req, ERR_MALFORMED_REQUEST, "%s", err);
        return false;
    }
    size_t sig_len = 0;
    if (sodium_base642bin(w->signature, sizeof w->signature, (const char *)w->parts.signature.data,
                          w->parts.signature.len, "\r\n", &sig_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        sig_len != sizeof w->signature) {
        reply_error(req, ERR_BAD_SIGNATURE, "the signature must be base64url of 64 bytes");
        return false;
    }
    const struct part *selfie = &w->parts.selfie;
    *selfie_type = NULL;
    if (selfie->seen) {
        *selfie_type = selfie_content_type(selfie->data, selfie->len);
        if (!*selfie_type) {
            reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the selfie must be a JPEG or PNG image");
            return false;
        }
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, selfie->data, selfie->len);
        sodium_bin2hex(selfie_hex, 65, digest, sizeof digest);
    }
    if (selfie->seen != w->payload.has_selfie_sha256 ||
        (selfie->seen && strcmp(selfie_hex, w->payload.selfie_sha256) != 0)) {
        reply_error(req, ERR_SELFIE_HASH_MISMATCH, "the selfie's SHA-256 is not the payload's selfie_sha256");
        return false;
    }
    return true;
}

/* The device must be the caller's and active, and must have signed the payload. False after answering. */
static bool verify_device(struct request *req, struct checkin_work *w)
{
    const json_t *device = json_object_get(w->ctx, "device");
    long long owner = id_parse(json_string_value(json_object_get(device, "employee_id")));
    if (!device || owner != w->employee_id || !json_is_true(json_object_get(device, "active"))) {
        metrics_checkin_result("device_not_bound");
        reply_error(req, ERR_DEVICE_NOT_BOUND, "the device is not an active device of this employee");
        return false;
    }
    unsigned char key[crypto_sign_PUBLICKEYBYTES];
    const char *hex = json_string_value(json_object_get(device, "public_key"));
    if (!hex || sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, NULL, NULL) != 0 ||
        crypto_sign_verify_detached(w->signature, w->parts.payload.data, w->parts.payload.len, key) != 0) {
        metrics_checkin_result("bad_signature");
        reply_error(req, ERR_BAD_SIGNATURE, "the signature does not verify with the device's key");
        return false;
    }
    return true;
}

/* Runs the place verdict and the rules into w. */
static struct place_verdict judge(struct checkin_work *w, int64_t received_ms, bool selfie_attached)
{
    const struct checkin_payload *p = &w->payload;
    const json_t *ctx = w->ctx;
    struct place_verdict place;
    if (p->mode == MODE_WFO) {
        w->office_count = load_offices(ctx, w->offices, sizeof w->offices / sizeof w->offices[0]);
        place = place_for_offices(w->offices, w->office_count, p->lat, p->lon);
    } else {
        const json_t *home = json_object_get(ctx, "home");
        w->home = (struct geofence){.type = GEOFENCE_CIRCLE,
                                    .circle = {json_number_value(json_object_get(home, "lat")),
                                               json_number_value(json_object_get(home, "lon")),
                                               json_number_value(json_object_get(home, "radius_m"))}};
        place = place_for_home(json_is_object(home) ? &w->home : NULL, p->lat, p->lon);
    }
    place.distance_m = round(place.distance_m * 100.0) / 100.0; /* stored and answered alike */

    struct work_week week;
    char err[128];
    if (work_week_from_json(json_object_get(ctx, "work_hours"), &week, err, sizeof err) != 0)
        work_week_default(&week);
    const json_t *roster = json_object_get(ctx, "roster");
    const json_t *previous = json_object_get(ctx, "previous");
    struct checkin_facts facts = {
        .p = p,
        .received_at_ms = received_ms,
        .selfie_attached = selfie_attached,
        .place = place,
        .local_weekday = json_int_or(json_object_get(ctx, "local_weekday"), 0),
        .local_second_of_day = json_int_or(json_object_get(ctx, "local_second"), 0),
        .holiday = json_is_true(json_object_get(ctx, "holiday")),
        .week = &week,
        .grace_minutes = json_int_or(json_object_get(ctx, "grace_minutes"), 0),
        .rostered = json_is_object(roster),
        .roster_mode = strcmp(json_string_value(json_object_get(roster, "mode")) ?: "WFO", "WFH") == 0 ? MODE_WFH
                                                                                                        : MODE_WFO,
        .roster_start_min = json_int_or(json_object_get(roster, "start_min"), -1),
        .roster_end_min = json_int_or(json_object_get(roster, "end_min"), -1),
        .selfie_required = selfie_required_by_policy(ctx, p->mode),
        .first_in_of_day = json_is_true(json_object_get(ctx, "first_in_of_day")),
        .has_previous = json_is_object(previous),
        .previous_captured_at_ms = json_integer_value(json_object_get(previous, "captured_at_ms")),
        .previous_lat = json_number_value(json_object_get(previous, "lat")),
        .previous_lon = json_number_value(json_object_get(previous, "lon")),
        .previous_accuracy_m = json_number_value(json_object_get(previous, "accuracy_m")),
    };
    if (facts.local_weekday < 0 || facts.local_weekday > 6)
        facts.local_weekday = 0;
    w->violation_count = checkin_violations(&facts, w->violations);
    return place;
}

/* After a lost race for the nonce (or a revocation in between): replay, 409 or 403. */
static void answer_conflict(struct request *req, struct checkin_work *w, struct db_conn *db)
{
    enum db_status st;
    w->stored = store_checkin_replay(db, w->payload.device_id, w->payload.nonce, (const char *)w->parts.payload.data,
                                     w->parts.payload.len, w->signature, sizeof w->signature, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
    } else if (w->stored) {
        reply_replay(req, w->stored);
    } else {
        json_t *again = store_checkin_context(db, req->auth.account_id, w->payload.device_id, w->payload.nonce,
                                              w->payload.captured_at_ms, (const char *)w->parts.payload.data,
                                              w->parts.payload.len, w->signature, sizeof w->signature, &st);
        if (st != DB_OK)
            reply_db_error(req, st);
        else if (json_is_object(json_object_get(again, "existing"))) {
            metrics_checkin_result("nonce_reused");
            reply_error(req, ERR_NONCE_REUSED, "this nonce was used already with other bytes");
        } else {
            metrics_checkin_result("device_not_bound");
            reply_error(req, ERR_DEVICE_NOT_BOUND, "the device was revoked");
        }
        json_decref(again);
    }
}

void h_checkin_create(struct request *req)
{
    int64_t received_ms = now_ms();
    struct checkin_work w = {0};
    const char *selfie_type = NULL;
    char selfie_hex[65] = "";
    if (!read_parts(req, &w.parts) || !decode(req, &w, &selfie_type, selfie_hex)) {
        if (req->status != 415 && req->status != 413)
            metrics_checkin_result("invalid");
        goto done;
    }
    const struct checkin_payload *p = &w.payload;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st;
    w.ctx = store_checkin_context(db, req->auth.account_id, p->device_id, p->nonce, p->captured_at_ms,
                                  (const char *)w.parts.payload.data, w.parts.payload.len, w.signature,
                                  sizeof w.signature, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!w.ctx) { /* the account was disabled, or the employee deactivated, after the token was made */
        reply_error(req, ERR_INVALID_TOKEN, "the account of this token is disabled or has changed");
        goto done;
    }
    w.employee_id = id_parse(json_string_value(json_object_get(w.ctx, "employee_id")));
    /* A retry of the same bytes was verified the first time: answer it even if the device was revoked since. */
    const json_t *existing = json_object_get(w.ctx, "existing");
    bool own_device = id_parse(json_string_value(json_object_get(json_object_get(w.ctx, "device"), "employee_id"))) ==
                      w.employee_id;
    if (json_is_object(existing) && own_device && json_is_true(json_object_get(existing, "same"))) {
        answer_conflict(req, &w, db);
        goto done;
    }
    if (!verify_device(req, &w))
        goto done;
    if (json_is_object(existing)) {
        metrics_checkin_result("nonce_reused");
        reply_error(req, ERR_NONCE_REUSED, "this nonce was used already with other bytes");
        goto done;
    }
    if (checkin_clock_skewed(p, received_ms)) {
        metrics_checkin_result("clock_skew");
        reply_error(req, ERR_CLOCK_SKEW, "captured_at is more than 5 minutes ahead of the server's clock");
        goto done;
    }
    request_db_release(req); /* the rules and the selfie write need no connection */

    struct place_verdict place = judge(&w, received_ms, w.parts.selfie.seen > 0);
    char place_text[32] = "";
    if (place.checked && p->mode == MODE_WFO)
        snprintf(place_text, sizeof place_text, "office:%lld", place.office_id);
    else if (place.checked)
        snprintf(place_text, sizeof place_text, "home");

    w.violations_json = json_array();
    for (size_t i = 0; i < w.violation_count; i++)
        json_array_append_new(w.violations_json, json_pack("{s:s, s:O, s:i}", "code", w.violations[i].code,
                                                           "evidence", w.violations[i].evidence, "ord", (int)i));
    w.violations_text = json_dumps(w.violations_json, JSON_COMPACT);

    if (selfie_type && selfie_store_put(req->app->cfg.selfie_dir, selfie_hex, w.parts.selfie.data,
                                        w.parts.selfie.len) != 0) {
        log_error("checkin: cannot store a selfie in %s: %s", req->app->cfg.selfie_dir, strerror(errno));
        reply_error(req, ERR_STORAGE_UNAVAILABLE, "the selfie cannot be stored now; retry shortly");
        goto done;
    }
    if (!w.violations_text) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!(db = request_db(req)))
        goto done;
    const char *local_day = json_string_value(json_object_get(w.ctx, "local_day"));
    struct checkin_row row = {
        .employee_id = w.employee_id,
        .unit_id = id_parse(json_string_value(json_object_get(w.ctx, "unit_id"))),
        .device_id = p->device_id,
        .nonce = p->nonce,
        .type = checkin_type_name(p->type),
        .mode = work_mode_name(p->mode),
        .captured_at_ms = p->captured_at_ms,
        .received_at_ms = received_ms,
        .local_day = local_day,
        .lat = p->lat, .lon = p->lon, .accuracy_m = p->accuracy_m,
        .mock_location = p->mock_location,
        .inside = place.inside,
        .distance_m = place.distance_m,
        .place = place_text[0] ? place_text : NULL,
        .selfie_sha256 = selfie_type ? selfie_hex : NULL,
        .selfie_content_type = selfie_type,
        .selfie_size = w.parts.selfie.len,
        .payload = (const char *)w.parts.payload.data,
        .payload_len = w.parts.payload.len,
        .signature = w.signature,
        .signature_len = sizeof w.signature,
        .violations_json = w.violations_text,
    };
    w.stored = store_checkin_insert(db, &row, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!w.stored) {
        answer_conflict(req, &w, db);
        goto done;
    }
    json_t *ids = json_array_get(w.stored, 1);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) metrics_violation(json_string_value(json_object_get(v, "code")));
    metrics_checkin_result("accepted");
    reply_json(req, 201,
               checkin_answer(json_string_value(json_array_get(w.stored, 0)), place.inside, place.distance_m,
                              place_text[0] ? place_text : NULL, selfie_type != NULL, json_incref(ids)));
done:
    work_free(&w);
}

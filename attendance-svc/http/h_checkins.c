/*
 * POST /v1/checkins: a check-in signed by the employee's phone, with or
 * without a bearer token: the device's signature authenticates its employee
 * (contract, "Devices are the employee's credential in the morning"), and a
 * token, when given, must be that employee's.
 *
 * The path (see h_checkin_create): the multipart body is split
 * (multipart_split: payload, signature, optional selfie) → the payload is
 * decoded → the context the rules need (device key, unit in its time zone,
 * offices, home, roster, policies, history) comes from the cache, or from one
 * query → the Ed25519 signature is checked with the device's key → the place
 * verdict and the rules run (pure) → the selfie is stored on disk → one guarded
 * statement stores the check-in, its selfie record and its violations, with
 * the other check-ins that arrived with it (checkin_writer.h) → 201. A warm
 * check-in is one database round trip; none holds a transaction open while the
 * signature and geometry are computed.
 */
#include "app.h"
#include "checkin/context.h"
#include "checkin/payload.h"
#include "checkin_writer.h"
#include "dates.h"
#include "day_reader.h"
#include "digest.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "multipart.h"
#include "rate_limit.h"
#include "rules/checkin_rules.h"
#include "selfie/image.h"
#include "selfie/phash.h"
#include "selfie_store.h"
#include "store/store_checkins.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIGNATURE_TEXT_MAX 128
#define SELFIE_MAX_BYTES (2u << 20)

/* ---- the multipart body ---- */

enum { PART_PAYLOAD, PART_SIGNATURE, PART_SELFIE, PART_COUNT };

/* Splits the body into parts (pointing into req->body); false after answering. */
static bool read_parts(struct request *req, struct multipart_part parts[PART_COUNT])
{
    parts[PART_PAYLOAD] = (struct multipart_part){.name = "payload", .limit = PAYLOAD_MAX_BYTES};
    parts[PART_SIGNATURE] = (struct multipart_part){.name = "signature", .limit = SIGNATURE_TEXT_MAX};
    parts[PART_SELFIE] = (struct multipart_part){.name = "selfie", .limit = SELFIE_MAX_BYTES};
    const char *type = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the body must be multipart/form-data");
        return false;
    }
    switch (multipart_split(type, (const unsigned char *)req->body, req->body_len, parts, PART_COUNT)) {
    case MULTIPART_OK:
        break;
    case MULTIPART_NO_BOUNDARY:
        reply_error(req, ERR_MALFORMED_REQUEST, "the multipart body has no usable boundary");
        return false;
    case MULTIPART_MALFORMED:
        reply_error(req, ERR_MALFORMED_REQUEST, "the multipart body is malformed or truncated");
        return false;
    }
    for (size_t i = 0; i < PART_COUNT; i++) {
        const struct multipart_part *p = &parts[i];
        if (p->seen > 1) {
            reply_field_error(req, ERR_MALFORMED_REQUEST, p->name, "the part %s is repeated", p->name);
            return false;
        }
        if (i != PART_SELFIE && (p->seen == 0 || (p->len == 0 && !p->too_large))) {
            reply_field_error(req, ERR_MALFORMED_REQUEST, p->name, "the part %s is missing", p->name);
            return false;
        }
    }
    if (parts[PART_SELFIE].too_large) {
        reply_field_error(req, ERR_PAYLOAD_TOO_LARGE, "selfie", "the selfie may be at most %u bytes", SELFIE_MAX_BYTES);
        return false;
    }
    if (parts[PART_PAYLOAD].too_large || parts[PART_SIGNATURE].too_large) {
        reply_error(req, ERR_PAYLOAD_TOO_LARGE, "the payload may be at most %d bytes and the signature %d",
                    PAYLOAD_MAX_BYTES, SIGNATURE_TEXT_MAX);
        return false;
    }
    return true;
}

/* ---- the answer ---- */

/*
 * The 201/200 body, a pure function of stored facts, so that a replay gets the
 * same bytes; times: {"captured_at", "received_at", "judged_at"} as stored.
 */
static json_t *checkin_answer(const char *checkin_id, bool inside, double distance_m, const char *place,
                              bool selfie_attached, json_t *violations /* stolen */, const json_t *times)
{
    json_t *answer = json_pack("{s:s, s:s, s:{s:b, s:f, s:s?}, s:b, s:o}", "checkin_id", checkin_id, "status",
                               "accepted", "geofence", "inside", inside, "distance_m", distance_m, "place", place,
                               "selfie_attached", selfie_attached, "violations", violations);
    if (answer && json_object_update(answer, (json_t *)times) != 0) {
        json_decref(answer);
        return NULL;
    }
    return answer;
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
                              json_incref(json_object_get(stored, "violations")), json_object_get(stored, "times")));
}

/* ---- the handler ---- */

/*
 * A check-in judged on cached facts may find them stale; it is judged again on
 * fresh ones, this often at most. Check-ins of one employee sent at once are
 * stored one after the other (sql/0035), each finding its facts stale once per
 * one stored before it: a burst of five still gets five 201s.
 */
#define CHECKIN_ATTEMPTS 5

struct checkin_work {
    struct multipart_part parts[PART_COUNT];
    struct checkin_payload payload;
    unsigned char signature[crypto_sign_BYTES];
    const char *selfie_type; /* NULL: no selfie */
    char selfie_hex[65];
    struct selfie_phash selfie_phash; /* present when the selfie decoded */
    bool selfie_hashed;               /* decoded (or tried): after the signature verified, never before */
    struct checkin_context ctx;
    struct place_verdict place;
    char place_text[32];
    bool counts_for_day;
    struct violation violations[CHECKIN_VIOLATIONS_MAX];
    size_t violation_count;
    json_t *violation_list; /* [{"code", "evidence", "ord"}], as the store takes them */
    json_t *stored;
};

/* What one judgement made; the next attempt starts afresh. */
static void work_clear_judgement(struct checkin_work *w)
{
    checkin_context_clear(&w->ctx);
    for (size_t i = 0; i < w->violation_count; i++)
        json_decref(w->violations[i].evidence);
    w->violation_count = 0;
    json_decref(w->violation_list);
    w->violation_list = NULL;
}

static void work_free(struct checkin_work *w)
{
    work_clear_judgement(w);
    json_decref(w->stored);
}

/*
 * Whether the selfie part declares an image type (image/jpeg or image/png, or
 * image/jpg) other than the one its bytes are: a file passed off as another
 * kind is refused rather than stored under either type.
 */
static bool declared_image_type_differs(const struct multipart_part *selfie, const char *actual)
{
    static const struct {
        const char *declared, *is;
    } image_types[] = {{"image/jpeg", "image/jpeg"}, {"image/jpg", "image/jpeg"}, {"image/png", "image/png"}};
    size_t n = 0; /* the media type, without parameters */
    while (n < selfie->type_len && selfie->type[n] != ';' && selfie->type[n] != ' ' && selfie->type[n] != '\t')
        n++;
    for (size_t i = 0; i < sizeof image_types / sizeof image_types[0]; i++)
        if (strlen(image_types[i].declared) == n && strncasecmp(selfie->type, image_types[i].declared, n) == 0)
            return strcmp(image_types[i].is, actual) != 0;
    return false; /* no type, or a generic one (application/octet-stream): the bytes decide */
}

/*
 * The selfie's perceptual hash, for near copies; one that does not decode (or
 * breaks a limit against decompression bombs) is compared by SHA-256 only.
 */
static void hash_selfie(struct request *req, const struct multipart_part *selfie, struct selfie_phash *out)
{
    struct grey_image image;
    enum image_result decoded = image_decode_grey(selfie->data, selfie->len, &image);
    *out = (struct selfie_phash){.match_bits = (int)req->app->cfg.selfie_match_bits};
    if (decoded != IMAGE_OK) {
        log_info("checkin: a selfie of %zu bytes is compared by its SHA-256 only: %s", selfie->len,
                 image_result_name(decoded));
        return;
    }
    out->present = true;
    out->hash = phash_of(&image);
    free(image.pixels);
}

/* Decodes the parts: payload, signature, selfie hash and type. False after answering. */
static bool decode(struct request *req, struct checkin_work *w)
{
    char err[256];
    switch (checkin_payload_decode((const char *)w->parts[PART_PAYLOAD].data, w->parts[PART_PAYLOAD].len, &w->payload, err,
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
    if (sodium_base642bin(w->signature, sizeof w->signature, (const char *)w->parts[PART_SIGNATURE].data,
                          w->parts[PART_SIGNATURE].len, "\r\n", &sig_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        sig_len != sizeof w->signature) {
        reply_error(req, ERR_BAD_SIGNATURE, "the signature must be base64url of 64 bytes");
        return false;
    }
    const struct multipart_part *selfie = &w->parts[PART_SELFIE];
    w->selfie_type = NULL;
    if (selfie->seen) {
        w->selfie_type = selfie_content_type(selfie->data, selfie->len);
        if (!w->selfie_type) {
            reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the selfie must be a JPEG or PNG image");
            return false;
        }
        if (declared_image_type_differs(selfie, w->selfie_type)) {
            reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the selfie's bytes are %s but its part says %.*s",
                        w->selfie_type, (int)(selfie->type_len > 64 ? 64 : selfie->type_len), selfie->type);
            return false;
        }
        sha256_hex(selfie->data, selfie->len, w->selfie_hex);
    }
    if (selfie->seen != w->payload.has_selfie_sha256 ||
        (selfie->seen && strcmp(w->selfie_hex, w->payload.selfie_sha256) != 0)) {
        reply_error(req, ERR_SELFIE_HASH_MISMATCH, "the selfie's SHA-256 is not the payload's selfie_sha256");
        return false;
    }
    return true;
}

/*
 * The device must be active and its employee's, the token (when there is one)
 * that employee's, and the device must have signed the payload: without a
 * token the signature is what authenticates the employee. Then the check-in is
 * counted in its account's bucket: only once its signature verified, so that
 * nobody but the device's holder can use up an employee's check-ins (the work
 * before is bounded per client address). False after answering.
 */
static bool verify_device(struct request *req, struct checkin_work *w)
{
    const struct employee_facts *emp = &w->ctx.emp;
    if (emp->device_id != w->payload.device_id || emp->device_owner != emp->employee_id || !emp->device_active ||
        (req->auth.account_id && req->auth.account_id != emp->account_id)) {
        metrics_checkin_result("device_not_bound");
        reply_error(req, ERR_DEVICE_NOT_BOUND, "the device is not an active device of this employee");
        return false;
    }
    if (crypto_sign_verify_detached(w->signature, w->parts[PART_PAYLOAD].data, w->parts[PART_PAYLOAD].len, emp->public_key) != 0) {
        metrics_checkin_result("bad_signature");
        reply_error(req, ERR_BAD_SIGNATURE, "the signature does not verify with the device's key");
        return false;
    }
    unsigned wait_s = rate_limiter_take(req->app->checkin_rate, &emp->account_id, sizeof emp->account_id,
                                        rate_limit_now_ms());
    if (wait_s) {
        metrics_checkin_result("rate_limited");
        reply_rate_limited(req, wait_s, "too many check-ins from this device");
        return false;
    }
    return true;
}

/* The place verdict and the rules, into w; false (out of memory) after answering. */
static bool judge(struct request *req, struct checkin_work *w, int64_t received_ms)
{
    const struct checkin_payload *p = &w->payload;
    const struct unit_day *unit = w->ctx.unit;
    const struct employee_facts *emp = &w->ctx.emp;
    struct geofence home = {.type = GEOFENCE_CIRCLE, .circle = {emp->home_lat, emp->home_lon, emp->home_radius_m}};
    w->place = p->mode == MODE_WFO ? place_for_offices(unit->offices, unit->office_count, p->lat, p->lon)
                                   : place_for_home(emp->home_id ? &home : NULL, p->lat, p->lon);
    if (checkin_presence_proves(p, &w->ctx.presence)) /* the kiosk's office is the place: the point is weighed against it */
        for (size_t i = 0; i < unit->office_count; i++)
            if (unit->offices[i].id == w->ctx.presence.office_id)
                w->place = place_for_offices(&unit->offices[i], 1, p->lat, p->lon);
    w->place.distance_m = round(w->place.distance_m * 100.0) / 100.0; /* stored and answered alike */
    w->place_text[0] = '\0';
    if (w->place.checked && p->mode == MODE_WFO)
        snprintf(w->place_text, sizeof w->place_text, "office:%lld", w->place.office_id);
    else if (w->place.checked)
        snprintf(w->place_text, sizeof w->place_text, "home");

    struct checkin_facts facts = {
        .p = p,
        .received_at_ms = received_ms,
        .judged_at_ms = w->ctx.judged_ms,
        .selfie_attached = w->selfie_type != NULL,
        .selfie_first_use_id = w->ctx.selfie_first_use_id,
        .selfie_near_id = w->ctx.selfie_near_id,
        .selfie_near_bits = w->ctx.selfie_near_bits,
        .place = w->place,
        .presence = w->ctx.presence,
        .local_weekday = unit->weekday,
        .local_second_of_day = w->ctx.local_second,
        .holiday = unit->holiday,
        .week = &unit->week,
        .grace_minutes = unit->grace_minutes,
        .settings = &unit->settings,
        .day_closed = unit->closed,
        .rostered = emp->rostered,
        .rest_day = emp->roster_off,
        .roster_mode = emp->roster_mode,
        .roster_start_min = emp->roster_start_min,
        .roster_end_min = emp->roster_end_min,
        .selfie_required = p->mode == MODE_WFH ? unit->selfie_wfh : unit->selfie_wfo,
        .leave = emp->leave,
        .had_arrival = emp->had_arrival,
        .arrival_second = emp->arrival_second,
        .has_previous = emp->previous_id != 0,
        .previous_captured_at_ms = emp->previous_captured_at_ms,
        .previous_lat = emp->previous_lat,
        .previous_lon = emp->previous_lon,
        .previous_accuracy_m = emp->previous_accuracy_m,
    };
    w->violation_count = checkin_violations(&facts, w->violations);
    w->counts_for_day = checkin_counts_for_day(&facts);

    json_t *list = json_array();
    for (size_t i = 0; list && i < w->violation_count; i++)
        if (json_array_append_new(list, json_pack("{s:s, s:O, s:i}", "code", w->violations[i].code, "evidence",
                                                  w->violations[i].evidence, "ord", (int)i)) != 0) {
            json_decref(list);
            list = NULL;
        }
    w->violation_list = list;
    if (!w->violation_list) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return false;
    }
    return true;
}

/*
 * Loads the context of the instant judged_ms, on its calendar day or the day
 * before (day_offset -1), from the database into w->ctx; false after answering.
 */
static bool load_context_at(struct request *req, struct checkin_work *w, struct db_conn *db, int64_t judged_ms,
                            int day_offset)
{
    const struct checkin_payload *p = &w->payload;
    enum db_status st;
    json_t *doc = store_checkin_context(db, req->auth.account_id, p->device_id, p->nonce, judged_ms, day_offset,
                                       w->selfie_type ? w->selfie_hex : NULL, &w->selfie_phash,
                                       (const char *)w->parts[PART_PAYLOAD].data,
                                       w->parts[PART_PAYLOAD].len, w->signature, sizeof w->signature, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return false;
    }
    if (!doc && req->auth.account_id) { /* the account was disabled, or the employee deactivated, after the token was made */
        reply_error(req, ERR_INVALID_TOKEN, "the account of this token is disabled or has changed");
        return false;
    }
    if (!doc) { /* without a token: an unknown device, or one whose employee's login is disabled */
        metrics_checkin_result("device_not_bound");
        reply_error(req, ERR_DEVICE_NOT_BOUND, "the device is not an active device of an enabled employee login");
        return false;
    }
    char err[128];
    bool first_of_unit_day;
    long long account_id = id_parse(json_string_value(json_object_get(doc, "account_id")));
    int rc = checkin_context_from_json(doc, account_id, judged_ms, &w->ctx, &first_of_unit_day, err, sizeof err);
    json_decref(doc);
    if (rc != 0) {
        log_error("checkin: unusable context for account %lld: %s", account_id, err);
        reply_error(req, ERR_INTERNAL, "the check-in cannot be judged now");
        return false;
    }
    /* The facts of all the unit's employees, read off this request's path: their first check-ins find them. */
    if (first_of_unit_day)
        day_reader_ask(req->app->day_reader, w->ctx.unit->unit_id, 0);
    return true;
}

/*
 * Loads the context of the check-in's judged time; false after answering. The
 * judged time needs the unit's tolerance and kiosks, which the context brings:
 * it is read for the time the default tolerance gives, and read again in the
 * rare case that the unit's own tolerance, or a kiosk's code, judges another
 * instant. The morning after a night shift belongs to the day the shift
 * began: read again for that day.
 */
static bool load_context(struct request *req, struct checkin_work *w, struct db_conn *db, int64_t received_ms)
{
    int64_t captured_ms = w->payload.captured_at_ms;
    int64_t guess_ms = checkin_judged_at_ms(captured_ms, received_ms, RULE_SYNC_TOLERANCE_DEFAULT_S);
    if (!load_context_at(req, w, db, guess_ms, 0))
        return false;
    struct presence_verdict presence;
    int64_t judged_ms = context_judged_ms(w->ctx.unit, &w->payload, received_ms, &presence);
    if (judged_ms != guess_ms) {
        checkin_context_clear(&w->ctx);
        if (!load_context_at(req, w, db, judged_ms, 0))
            return false;
        /* The setup may have changed between the reads (a kiosk revoked): the verdict is the one read last. */
        if (context_judged_ms(w->ctx.unit, &w->payload, received_ms, &presence) != judged_ms) {
            reply_error(req, ERR_DATABASE_UNAVAILABLE, "the unit's setup is changing; retry shortly");
            return false;
        }
    }
    if (belongs_to_previous_day(w->ctx.emp.previous_overnight_end_min, w->ctx.local_second)) {
        checkin_context_clear(&w->ctx);
        if (!load_context_at(req, w, db, judged_ms, -1))
            return false;
    }
    w->ctx.presence = presence;
    return true;
}

/* The nonce was taken: the first answer again for the same bytes (200), else 409. */
static void answer_taken_nonce(struct request *req, struct checkin_work *w, struct db_conn *db)
{
    enum db_status st;
    w->stored = store_checkin_replay(db, w->payload.device_id, w->payload.nonce, (const char *)w->parts[PART_PAYLOAD].data,
                                     w->parts[PART_PAYLOAD].len, w->signature, sizeof w->signature, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    if (!w->stored) {
        metrics_checkin_result("nonce_reused");
        reply_error(req, ERR_NONCE_REUSED, "this nonce was used already with other bytes");
        return;
    }
    reply_replay(req, w->stored);
}

/* Stores the judged check-in under the guard of the facts it was judged by. */
static enum checkin_stored store(struct request *req, struct checkin_work *w, struct db_conn *db,
                                 int64_t received_ms, enum db_status *st)
{
    const struct checkin_payload *p = &w->payload;
    const struct employee_facts *emp = &w->ctx.emp;
    struct checkin_row row = {
        .employee_id = emp->employee_id,
        .unit_id = emp->unit_id,
        .device_id = p->device_id,
        .nonce = p->nonce,
        .type = checkin_type_name(p->type),
        .mode = work_mode_name(p->mode),
        .captured_at_ms = p->captured_at_ms,
        .received_at_ms = received_ms,
        .judged_at_ms = w->ctx.judged_ms,
        .local_day = w->ctx.unit->local_day,
        .counts_for_day = w->counts_for_day,
        .after_closure = w->ctx.unit->closed,
        .lat = p->lat, .lon = p->lon, .accuracy_m = p->accuracy_m,
        .mock_location = p->mock_location,
        .inside = w->place.inside,
        .distance_m = w->place.distance_m,
        .place = w->place_text[0] ? w->place_text : NULL,
        .selfie_sha256 = w->selfie_type ? w->selfie_hex : NULL,
        .selfie_content_type = w->selfie_type,
        .selfie_size = w->parts[PART_SELFIE].len,
        .payload = (const char *)w->parts[PART_PAYLOAD].data,
        .payload_len = w->parts[PART_PAYLOAD].len,
        .signature = w->signature,
        .signature_len = sizeof w->signature,
        .violations = w->violation_list,
        .account_id = emp->account_id,
        .generation = w->ctx.unit->generation,
        .home_id = emp->home_id,
        .previous_id = emp->previous_id,
        .selfie_first_use_id = w->selfie_type ? w->ctx.selfie_first_use_id : 0,
        .selfie_near_id = w->selfie_phash.present ? w->ctx.selfie_near_id : 0,
        .selfie_phash = &w->selfie_phash,
        .rostered = emp->rostered,
        .had_arrival = emp->had_arrival,
        .employee_seq = emp->last_seq + 1,
        .roster_mode = emp->roster_off ? "OFF" : work_mode_name(emp->roster_mode),
        .roster_start_min = emp->roster_start_min,
        .roster_end_min = emp->roster_end_min,
        .presence_kiosk_id = w->ctx.presence.result == PRESENCE_VALID ? w->ctx.presence.kiosk_id : 0,
        .presence_t = w->ctx.presence.t,
    };
    return checkin_writer_store(req->app->checkin_writer, db, &row, &w->stored, st);
}

/*
 * The path: the body is split and decoded → the context comes from the cache,
 * or from the database → a retry of stored bytes is answered (200) → the device
 * and the signature are verified → the rules run (pure) and the selfie is
 * written → one guarded statement stores the check-in, its selfie record and
 * its violations, in a batch with those that arrived with it → 201. When a
 * cached fact proved stale, the check-in is judged again on the database's facts.
 */
void h_checkin_create(struct request *req)
{
    int64_t received_ms = wall_clock_ms();
    struct checkin_work w = {0};
    if (!read_parts(req, w.parts) || !decode(req, &w)) {
        if (req->status != 415 && req->status != 413)
            metrics_checkin_result("invalid");
        goto done;
    }
    const struct checkin_payload *p = &w.payload;
    if (checkin_clock_skewed(p, received_ms)) {
        metrics_checkin_result("clock_skew");
        reply_error(req, ERR_CLOCK_SKEW, "captured_at is more than 5 minutes ahead of the server's clock");
        goto done;
    }
    bool selfie_written = false;
    for (int attempt = 1;; attempt++) {
        struct db_conn *db = NULL;
        if (context_cache_get(p, received_ms, &w.ctx)) {
            metrics_checkin_context("cache");
        } else {
            metrics_checkin_context("database");
            if (!(db = request_db(req)) || !load_context(req, &w, db, received_ms))
                goto done;
            /* A retry of the same bytes was verified the first time: answered even if the device was revoked since. */
            if (w.ctx.existing && w.ctx.existing_same && w.ctx.emp.device_owner == w.ctx.emp.employee_id) {
                answer_taken_nonce(req, &w, db);
                goto done;
            }
        }
        if (!verify_device(req, &w))
            goto done;
        if (w.ctx.existing) {
            metrics_checkin_result("nonce_reused");
            reply_error(req, ERR_NONCE_REUSED, "this nonce was used already with other bytes");
            goto done;
        }
        if (db)
            request_db_release(req); /* the rules and the selfie write need no connection */
        /*
         * Decoding costs milliseconds of CPU: only for a signed check-in. The
         * first context was read without the hash, so a near copy is found by
         * the store's guard (stale) and the check-in judged again with it.
         */
        if (w.selfie_type && !w.selfie_hashed) {
            hash_selfie(req, &w.parts[PART_SELFIE], &w.selfie_phash);
            w.selfie_hashed = true;
        }
        if (!judge(req, &w, received_ms))
            goto done;
        if (w.selfie_type && !selfie_written) {
            if (selfie_store_put(req->app->cfg.selfie_dir, w.selfie_hex, w.parts[PART_SELFIE].data, w.parts[PART_SELFIE].len) != 0) {
                log_error("checkin: cannot store a selfie in %s: %s", req->app->cfg.selfie_dir, strerror(errno));
                reply_error(req, ERR_STORAGE_UNAVAILABLE, "the selfie cannot be stored now; retry shortly");
                goto done;
            }
            selfie_written = true;
        }
        if (!(db = request_db(req)))
            goto done;
        enum db_status st;
        enum checkin_stored result = store(req, &w, db, received_ms, &st);
        if (st != DB_OK) {
            reply_db_error(req, st);
            goto done;
        }
        if (result == CHECKIN_STORED) {
            long long checkin_id = id_parse(json_string_value(json_array_get(w.stored, 0)));
            context_cache_note_checkin(&w.ctx, checkin_id, p, w.counts_for_day);
            break;
        }
        if (result == CHECKIN_NOT_STORED) {
            answer_taken_nonce(req, &w, db);
            goto done;
        }
        /* Stale: a fact changed since it was read (or cached). */
        metrics_checkin_context("stale");
        context_cache_forget(p->device_id);
        if (attempt == CHECKIN_ATTEMPTS) {
            log_warn("checkin: the facts of device %lld changed %d times in a row", p->device_id, attempt);
            reply_error(req, ERR_DATABASE_UNAVAILABLE, "the employee's setup is changing; retry shortly");
            goto done;
        }
        work_clear_judgement(&w);
    }
    json_t *ids = json_array_get(w.stored, 1);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) metrics_violation(json_string_value(json_object_get(v, "code")));
    metrics_checkin_result("accepted");
    reply_json(req, 201,
               checkin_answer(json_string_value(json_array_get(w.stored, 0)), w.place.inside, w.place.distance_m,
                              w.place_text[0] ? w.place_text : NULL, w.selfie_type != NULL, json_incref(ids),
                              json_array_get(w.stored, 2)));
done:
    work_free(&w);
}

/*
 * POST /v1/checkins/import (admin, or the supervisor of the employees' unit):
 * attendance from where there is no phone. A CSV of paper registers or a
 * fingerprint machine at the door, header "nip,type,time,office_code,source":
 * each record becomes a check-in of its own, with its source and the account
 * that vouched for it (the importer), judged at its own time (a person
 * vouches, not a phone), by the check-in rules, and flagged MANUAL_ENTRY for
 * review. A record imported again stores nothing (it is counted as a
 * duplicate), so a file can be sent again after a failure.
 *
 * The path: the body is read whole and every row checked (the rejected ones
 * are answered by line, and the others imported) → the rows are judged in the
 * order of their times, so that each employee's first "in" of a day is its
 * arrival → for each, one statement reads its context (the employee by NIP in
 * the caller's scope, the office by code among its unit's, the day's facts at
 * the record's time), the rules run (pure), one statement stores it → one
 * audit entry for the import → 200. All in one transaction.
 */
#include "app.h"
#include "checkin/context.h"
#include "csv_io.h"
#include "digest.h"
#include "handlers.h"
#include "ids.h"
#include "dates.h"
#include "log.h"
#include "rules/checkin_rules.h"
#include "store/store_checkins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_HEADER "nip,type,time,office_code,source"
#define RECORD_FIELDS 5
#define RECORD_MAX_ROWS 10000       /* a day of a large site; about 10 s of work: more is split into files */
#define RECORD_MAX_FIELD_BYTES 1024 /* no valid field is over 64 bytes */
#define RECORD_TEXT_MAX 160         /* the five fields, checked, with their commas */

struct record {
    unsigned long line;
    enum checkin_type type;
    int64_t at_ms;
    const char *source; /* "paper" or "fingerprint" (static) */
    char text[RECORD_TEXT_MAX]; /* nip,type,time,office_code,source as imported */
    char nip[19], office_code[33];
};

struct record_file {
    bool header_seen;
    struct record *rows;
    size_t count, capacity;
    int64_t now_ms;
    json_t *rejected; /* [{"line", "error"}] */
    bool too_many, out_of_memory;
};

static int reject(struct record_file *f, unsigned long line, const char *why)
{
    json_t *entry = json_pack("{s:I, s:s}", "line", (json_int_t)line, "error", why);
    if (json_array_append_new(f->rejected, entry) != 0) {
        f->out_of_memory = true;
        return 1;
    }
    return 0;
}

/* The row's problem, or NULL when r holds it checked. */
static const char *check_row(const struct csv_record *rec, int64_t now_ms, struct record *r)
{
    if (rec->nfields != RECORD_FIELDS)
        return "expected 5 fields (" RECORD_HEADER ")";
    const char *nip = rec->fields[0], *type = rec->fields[1], *at = rec->fields[2], *code = rec->fields[3],
               *source = rec->fields[4];
    int64_t us;
    if (!nip_valid(nip))
        return "nip must be exactly 18 digits";
    if (strcmp(type, "in") != 0 && strcmp(type, "out") != 0)
        return "type must be in or out";
    if (strlen(at) > 40 || rfc3339_parse_us(at, &us) != 0 || us < 0)
        return "time must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T07:25:00+07:00";
    if (us / 1000 - now_ms > RULE_CLOCK_SKEW_MS)
        return "time is in the future";
    if (!office_code_valid(code))
        return "office_code must be 1 to 32 of A-Z a-z 0-9 . _ -";
    if (strcmp(source, "paper") == 0)
        r->source = "paper";
    else if (strcmp(source, "fingerprint") == 0)
        r->source = "fingerprint";
    else
        return "source must be paper or fingerprint";
    r->type = type[0] == 'i' ? CHECKIN_IN : CHECKIN_OUT;
    r->at_ms = us / 1000;
    snprintf(r->nip, sizeof r->nip, "%s", nip);
    snprintf(r->office_code, sizeof r->office_code, "%s", code);
    snprintf(r->text, sizeof r->text, "%s,%s,%s,%s,%s", nip, type, at, code, r->source);
    return NULL;
}

static int read_row(const struct csv_record *rec, void *ctx)
{
    struct record_file *f = ctx;
    if (!f->header_seen) {
        f->header_seen = true;
        bool ok = rec->nfields == RECORD_FIELDS;
        static const char *const names[RECORD_FIELDS] = {"nip", "type", "time", "office_code", "source"};
        for (size_t i = 0; ok && i < RECORD_FIELDS; i++)
            ok = strcmp(rec->fields[i], names[i]) == 0;
        return ok ? 0 : 1;
    }
    if (f->count + json_array_size(f->rejected) >= RECORD_MAX_ROWS) {
        f->too_many = true;
        return 1;
    }
    if (f->count == f->capacity) {
        size_t capacity = f->capacity ? f->capacity * 2 : 64;
        struct record *grown = realloc(f->rows, capacity * sizeof *grown);
        if (!grown) {
            f->out_of_memory = true;
            return 1;
        }
        f->rows = grown;
        f->capacity = capacity;
    }
    struct record *r = &f->rows[f->count];
    r->line = rec->line;
    const char *problem = check_row(rec, f->now_ms, r);
    if (problem)
        return reject(f, rec->line, problem);
    f->count++;
    return 0;
}

/* By time, then by line: each employee's records in the order they happened. */
static int by_time(const void *a, const void *b)
{
    const struct record *x = a, *y = b;
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Reads and checks the file; false after answering. */
static bool read_file(struct request *req, struct record_file *f)
{
    char err[256];
    int rc = csv_read_records(req->body ? req->body : "", req->body_len, 64, RECORD_MAX_FIELD_BYTES, read_row, f, err,
                              sizeof err);
    if (f->out_of_memory)
        reply_error(req, ERR_INTERNAL, "out of memory");
    else if (rc == -1)
        reply_error(req, ERR_INVALID_VALUE, "the CSV is malformed: %s; nothing was imported", err);
    else if (f->too_many)
        reply_error(req, ERR_PAYLOAD_TOO_LARGE, "a file holds at most %d records; nothing was imported: split it",
                    RECORD_MAX_ROWS);
    else if (rc != 0 || !f->header_seen)
        reply_error(req, ERR_INVALID_VALUE, "the first line must be the header \"" RECORD_HEADER "\"; nothing was"
                    " imported");
    return !req->response;
}

/* What importing one record came to. */
enum record_outcome { RECORD_STORED, RECORD_DUPLICATE, RECORD_REJECTED, RECORD_FAILED };

/*
 * Judges and stores one record in the open transaction; RECORD_FAILED with
 * *st (or out of memory, *st DB_OK) when the import cannot go on.
 */
static enum record_outcome import_record(struct request *req, struct db_conn *db, const struct record *r,
                                         int64_t received_ms, json_t *created, json_t *rejected,
                                         enum db_status *st)
{
    enum record_outcome outcome = RECORD_FAILED;
    struct checkin_context ctx = {0};
    struct violation violations[CHECKIN_VIOLATIONS_MAX];
    size_t n = 0;
    char *violations_text = NULL;
    json_t *codes = NULL;
    struct geofence fence = {0};
    char err[128];
    json_t *doc = store_record_context(db, &req->auth, r->nip, r->office_code, r->at_ms, 0, st);
    if (*st != DB_OK)
        goto done;
    if (doc && checkin_context_for_record(doc, r->at_ms, &ctx, err, sizeof err) == 0 &&
        belongs_to_previous_day(ctx.emp.previous_overnight_end_min, ctx.local_second)) {
        /* The morning after a night shift is the day the shift began's (rules/work_hours.h). */
        json_decref(doc);
        doc = store_record_context(db, &req->auth, r->nip, r->office_code, r->at_ms, -1, st);
        if (*st != DB_OK)
            goto done;
    }
    checkin_context_clear(&ctx);
    const json_t *office = json_object_get(doc, "office");
    const char *why = !doc ? "no active employee with this NIP in your scope"
                      : !json_is_object(office) ? "no office with this office_code in the employee's unit"
                      : geofence_from_json(json_object_get(office, "geofence"), &fence, err, sizeof err) != 0
                          ? "the office has an unusable geofence"
                          : checkin_context_for_record(doc, r->at_ms, &ctx, err, sizeof err) != 0
                                ? "the record cannot be judged"
                                : NULL;
    if (why) {
        outcome = json_array_append_new(rejected, json_pack("{s:I, s:s}", "line", (json_int_t)r->line, "error", why))
                      ? RECORD_FAILED
                      : RECORD_REJECTED;
        goto done;
    }
    long long office_id = id_parse(json_string_value(json_object_get(office, "id")));
    struct geo_point at = geofence_center(&fence);
    struct checkin_payload p = {.type = r->type, .mode = MODE_WFO, .captured_at_ms = r->at_ms, .lat = at.lat,
                                .lon = at.lon};
    const struct unit_day *unit = ctx.unit;
    struct checkin_facts facts = {
        .p = &p,
        .received_at_ms = received_ms,
        .judged_at_ms = r->at_ms,
        .place = {.checked = true, .inside = true, .distance_m = 0, .office_id = office_id}, /* vouched there */
        .local_weekday = unit->weekday,
        .local_second_of_day = ctx.local_second,
        .holiday = unit->holiday,
        .week = &unit->week,
        .grace_minutes = unit->grace_minutes,
        .settings = &unit->settings,
        .day_closed = unit->closed,
        .rostered = ctx.emp.rostered,
        .rest_day = ctx.emp.roster_off,
        .roster_mode = ctx.emp.roster_mode,
        .roster_start_min = ctx.emp.roster_start_min,
        .roster_end_min = ctx.emp.roster_end_min,
        .leave = ctx.emp.leave,
        .had_arrival = ctx.emp.had_arrival,
        .arrival_second = ctx.emp.arrival_second,
        .vouched_source = r->source,
        .vouched_by = req->auth.account_id,
    };
    n = checkin_violations(&facts, violations);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:O, s:i}", "code", violations[i].code, "evidence",
                                              violations[i].evidence, "ord", (int)i));
    violations_text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    char nonce[7 + 65], place[32], sha[65];
    sha256_hex((const unsigned char *)r->text, strlen(r->text), sha);
    snprintf(nonce, sizeof nonce, "record:%s", sha);
    snprintf(place, sizeof place, "office:%lld", office_id);
    if (!violations_text)
        goto done;
    struct record_row row = {
        .employee_id = ctx.emp.employee_id, .unit_id = ctx.emp.unit_id, .nonce = nonce,
        .type = checkin_type_name(r->type), .judged_at_ms = r->at_ms, .received_at_ms = received_ms,
        .local_day = unit->local_day, .lat = at.lat, .lon = at.lon, .place = place, .record = r->text,
        .counts_for_day = checkin_counts_for_day(&facts), .after_closure = unit->closed, .source = r->source,
        .vouched_by = req->auth.account_id, .violations_json = violations_text,
    };
    long long checkin_id;
    if ((*st = store_record_insert(db, &row, &checkin_id, &codes)) != DB_OK)
        goto done;
    if (!checkin_id) {
        outcome = RECORD_DUPLICATE;
        goto done;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", checkin_id);
    outcome = json_array_append_new(created, json_pack("{s:I, s:s, s:O}", "line", (json_int_t)r->line,
                                                       "checkin_id", id, "violations", codes))
                  ? RECORD_FAILED
                  : RECORD_STORED;
done:
    for (size_t i = 0; i < n; i++)
        json_decref(violations[i].evidence);
    free(violations_text);
    json_decref(codes);
    json_decref(doc);
    geofence_free(&fence);
    checkin_context_clear(&ctx);
    return outcome;
}

void h_checkin_import(struct request *req)
{
    if (!csv_media_type_ok(request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the body must be text/csv (UTF-8) with the header \"" RECORD_HEADER
                    "\"");
        return;
    }
    int64_t received_ms = wall_clock_ms();
    struct record_file f = {.rejected = json_array(), .now_ms = received_ms};
    json_t *created = json_array(), *audited = NULL;
    long duplicates = 0;
    if (!f.rejected || !created) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!read_file(req, &f))
        goto done;
    qsort(f.rows, f.count, sizeof *f.rows, by_time);
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    for (size_t i = 0; st == DB_OK && i < f.count; i++) {
        enum record_outcome outcome = import_record(req, db, &f.rows[i], received_ms, created, f.rejected, &st);
        if (outcome == RECORD_FAILED && st == DB_OK) {
            db_rollback(db);
            reply_error(req, ERR_INTERNAL, "out of memory; nothing was imported");
            goto done;
        }
        duplicates += outcome == RECORD_DUPLICATE;
    }
    /* The import's entry names every check-in it made, with the line it came from. */
    if (st == DB_OK && !(audited = json_pack("{s:O, s:I, s:I}", "created", created, "duplicates",
                                             (json_int_t)duplicates, "rejected", (json_int_t)json_array_size(f.rejected))))
        st = DB_UNAVAILABLE;
    if (st == DB_OK)
        st = request_commit_audited(req, "import", "checkin", NULL, audited);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    log_fields(LOG_LEVEL_INFO, "checkin import: records stored",
               json_pack("{s:I, s:I, s:I, s:I}", "account_id", (json_int_t)req->auth.account_id, "created",
                         (json_int_t)json_array_size(created), "duplicates", (json_int_t)duplicates, "rejected",
                         (json_int_t)json_array_size(f.rejected)));
    reply_json(req, 200, json_pack("{s:I, s:I, s:O, s:O}", "created", (json_int_t)json_array_size(created),
                                   "duplicates", (json_int_t)duplicates, "checkins", created, "rejected", f.rejected));
done:
    json_decref(audited);
    json_decref(created);
    json_decref(f.rejected);
    free(f.rows);
}

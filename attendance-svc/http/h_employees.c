/*
 * Employees (ASN): POST /v1/employees and PATCH /v1/employees/{employee_id}
 * (admin); GET /v1/employees (staff, within their scope); GET
 * /v1/employees/{employee_id} (staff within their scope, an employee its own
 * record only; anything else is 404); POST /v1/employees/import, a CSV file of
 * employees created or updated in one transaction (admin).
 *
 * Every employee logs in with its NIP: its login account is written by the same
 * statements as the employee (see store_employees.c). Passwords and their hashes
 * are never answered, logged nor audited.
 */
#include "app.h"
#include "csv_io.h"
#include "dates.h"
#include "handlers.h"
#include "ids.h"
#include "json.h"
#include "paging.h"
#include "store/store_employees.h"
#include "store/store_units.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NIP_DIGITS 18
#define NAME_MAX_BYTES 200
#define PASSWORD_MIN_BYTES 8
#define PASSWORD_MAX_BYTES 1024


static bool password_ok(const char *p)
{
    size_t n = strlen(p);
    return n >= PASSWORD_MIN_BYTES && n <= PASSWORD_MAX_BYTES;
}

/*
 * A real date "YYYY-MM-DD" from 1900 up to today, where today is taken in the
 * zone furthest ahead (UTC+14) so that no caller's today is refused.
 */
static bool is_birth_date(const char *s)
{
    int64_t days;
    return date_parse(s, &days) == 0 && days <= date_today(14 * 3600);
}

/* Checks a birth_date value: absent, null, or a date; false after answering. */
static bool check_birth_date(struct request *req, const json_t *value)
{
    if (!value || json_is_null(value))
        return true;
    if (!json_is_string(value))
        reply_field_error(req, ERR_INVALID_FIELD, "birth_date", "birth_date must be a string \"YYYY-MM-DD\" or null");
    else if (!is_birth_date(json_string_value(value)))
        reply_field_error(req, ERR_INVALID_VALUE, "birth_date",
                          "birth_date must be a real date YYYY-MM-DD from 1900 up to today");
    return !req->response;
}

/* The unit_id value as an id; 0 after answering when it is not a string naming one. */
static long long unit_id_value(struct request *req, const json_t *value)
{
    if (!json_is_string(value)) {
        reply_field_error(req, ERR_INVALID_FIELD, "unit_id", "unit_id must be a unit id (a string)");
        return 0;
    }
    long long id = id_parse(json_string_value(value));
    if (!id)
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "unit_id names no unit");
    return id;
}

/* Decodes and checks the body of POST /v1/employees; false after answering. */
static bool decode_employee(struct request *req, json_t *body, struct employee_new *e, const char **password)
{
    const char *field;
    char err[256];
    json_t *unit = NULL, *birth = NULL;
    int vulnerable = 0;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s, s:o, s:s, s?o, s?b}", "nip", &e->nip, "name", &e->name,
                           "unit_id", &unit, "password", password, "birth_date", &birth, "vulnerable",
                           &vulnerable) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    if (!nip_valid(e->nip))
        reply_field_error(req, ERR_INVALID_VALUE, "nip", "nip must be exactly 18 digits");
    else if (!json_text_ok(e->name, 1, NAME_MAX_BYTES))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to %d bytes of text", NAME_MAX_BYTES);
    else if (!(e->unit_id = unit_id_value(req, unit)))
        ; /* answered */
    else if (!password_ok(*password))
        reply_field_error(req, ERR_INVALID_VALUE, "password", "password must be %d to %d bytes", PASSWORD_MIN_BYTES,
                          PASSWORD_MAX_BYTES);
    else
        check_birth_date(req, birth);
    if (req->response)
        return false;
    e->birth_date = json_string_value(birth); /* NULL when absent or null */
    e->vulnerable = vulnerable;
    return true;
}

void h_employee_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct employee_new e = {0};
    const char *password = NULL;
    char hash[128];
    json_t *doc = NULL;
    if (!decode_employee(req, body, &e, &password))
        goto done;
    /* Argon2id takes tens of milliseconds: not while holding a database connection. */
    request_db_release(req);
    if (password_hash(password, hash) != 0) {
        reply_error(req, ERR_INTERNAL, "the password could not be hashed");
        goto done;
    }
    e.password_hash = hash;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    long long agency = 0;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        st = store_unit_agency(db, e.unit_id, &agency);
    if (st == DB_OK && !agency) {
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "there is no unit %lld", e.unit_id);
        goto done;
    }
    if (st == DB_OK)
        doc = store_employee_insert(db, &e, &st);
    if (st == DB_UNIQUE_VIOLATION) {
        reply_field_error(req, ERR_ALREADY_EXISTS, "nip", "an employee or a login with NIP %s exists already", e.nip);
        goto done;
    }
    reply_created(req, st, "employee", doc);
done:
    json_decref(doc);
    json_decref(body);
}

json_t *employee_if_visible(struct request *req, long long id)
{
    bool own = id && id == req->auth.employee_id;
    if (!id || (req->auth.role == ROLE_EMPLOYEE && !own)) {
        reply_error(req, ERR_NOT_FOUND, "no such employee");
        return NULL;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return NULL;
    enum db_status st;
    long long unit = 0, agency = 0;
    json_t *doc = store_employee_get(db, id, false, &unit, &agency, &st);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (!doc || !(own || request_sees_unit(req, unit, agency))) {
        if (!req->response)
            reply_error(req, ERR_NOT_FOUND, "no such employee");
    }
    else
        return doc;
    json_decref(doc);
    return NULL;
}

void h_employee_get(struct request *req)
{
    json_t *doc = employee_if_visible(req, id_parse(req->params[0]));
    if (doc)
        reply_json(req, 200, doc);
}

void h_employee_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    long long unit_id;
    if (!query_id(req, "unit_id", &unit_id))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    if (unit_id) {
        long long agency = 0;
        st = store_unit_agency(db, unit_id, &agency);
        if (st == DB_OK && (!agency || !request_sees_unit(req, unit_id, agency))) {
            if (!req->response)
                reply_error(req, ERR_NOT_FOUND, "no such unit");
            return;
        }
    }
    json_t *items = st == DB_OK ? store_employee_list(db, &req->auth, unit_id, page.after, page.limit + 1, &st) : NULL;
    reply_page(req, &page, items, st);
}

/* Decodes and checks the body of PATCH /v1/employees/{id}; false after answering. */
static bool decode_change(struct request *req, json_t *body, struct employee_change *c, const char **password)
{
    const char *field;
    char err[256];
    json_t *unit = NULL, *birth = NULL;
    /* Strict ("!"): a field that cannot be changed (nip) or is misspelt must not be ignored silently. */
    if (json_unpack_fields(body, err, sizeof err, &field, "{s?s, s?o, s?o, s?b, s?b, s?s, s?s !}", "name", &c->name,
                           "unit_id", &unit, "birth_date", &birth, "vulnerable", &c->vulnerable, "active", &c->active,
                           "password", password, "status", &c->status) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field,
                          "%s (the fields that may change: name, unit_id, birth_date, vulnerable, active, status, "
                          "password)",
                          err);
        return false;
    }
    if (json_object_size(body) == 0)
        reply_error(req, ERR_INVALID_FIELD, "name at least one of name, unit_id, birth_date, vulnerable, active, "
                    "status, password");
    else if (c->status && strcmp(c->status, "pns") != 0 && strcmp(c->status, "cpns") != 0 &&
             strcmp(c->status, "pppk") != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "status", "status must be pns, cpns or pppk");
    else if (c->name && !json_text_ok(c->name, 1, NAME_MAX_BYTES))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to %d bytes of text", NAME_MAX_BYTES);
    else if (unit && !(c->unit_id = unit_id_value(req, unit)))
        ; /* answered */
    else if (*password && !password_ok(*password))
        reply_field_error(req, ERR_INVALID_VALUE, "password", "password must be %d to %d bytes", PASSWORD_MIN_BYTES,
                          PASSWORD_MAX_BYTES);
    else
        check_birth_date(req, birth);
    if (req->response)
        return false;
    c->set_birth_date = birth != NULL;
    c->birth_date = json_string_value(birth);
    return true;
}

void h_employee_update(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such employee");
        return;
    }
    json_t *body = request_json(req);
    if (!body)
        return;
    struct employee_change c = {.vulnerable = -1, .active = -1};
    const char *password = NULL;
    char hash[128];
    json_t *before = NULL, *doc = NULL, *audited = NULL;
    if (!decode_change(req, body, &c, &password))
        goto done;
    if (password) {
        request_db_release(req); /* as in h_employee_create */
        if (password_hash(password, hash) != 0) {
            reply_error(req, ERR_INTERNAL, "the password could not be hashed");
            goto done;
        }
        c.password_hash = hash;
    }

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    long long unit = 0, agency = 0, new_agency = 0;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        before = store_employee_get(db, id, true, &unit, &agency, &st);
    if (st == DB_OK && !before) {
        reply_error(req, ERR_NOT_FOUND, "no such employee");
        goto done;
    }
    if (st == DB_OK && c.unit_id)
        st = store_unit_agency(db, c.unit_id, &new_agency);
    if (st == DB_OK && c.unit_id && !new_agency) {
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "there is no unit %lld", c.unit_id);
        goto done;
    }
    if (st == DB_OK)
        doc = store_employee_update(db, id, &c, &st);
    if (st == DB_OK) {
        /* The document does not show a new password; the audit entry says there was one. */
        audited = c.password_hash ? json_copy(doc) : json_incref(doc);
        if (c.password_hash)
            json_object_set_new(audited, "password_changed", json_true());
        st = request_commit_audited(req, "update", "employee", before, audited);
    }
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(doc));
done:
    json_decref(audited);
    json_decref(doc);
    json_decref(before);
    json_decref(body);
}

/* ---- POST /v1/employees/import ----
 *
 * Two passes over the CSV. The first checks everything without writing: the
 * header, each row (reasons go to "rejected"), and the NIPs (the first row with
 * a NIP claims it; a later one is rejected). It ends in one bit per data record
 * saying whether to import it. The second pass reads the file again inside one
 * transaction and writes the accepted rows in batches, one statement each; a
 * malformed file is thus refused before anything is written, and memory beyond
 * the body stays at a bit and a NIP slot per row plus one batch.
 */

#define IMPORT_HEADER "nip,name,unit_code,password"
#define IMPORT_FIELDS 4
#define IMPORT_MAX_FIELDS 64          /* a wider record means a wrong file: refused whole */
#define IMPORT_MAX_FIELD_BYTES 65536  /* likewise; no valid field is over 1024 bytes */
#define IMPORT_BATCH 2000             /* rows per statement */
#define IMPORT_MAX_REJECTED 10000     /* past this, the file is refused whole (and the answer stays bounded) */

/* Why the checking pass stopped early (its callback's return values). */
enum { IMPORT_BAD_HEADER = 1, IMPORT_TOO_MANY_REJECTED, IMPORT_OUT_OF_MEMORY };


/*
 * Claims nip for line in nips, a JSON object used as a hash table of NIP to
 * the line that first gave it (0: the username of a staff login, which an
 * employee's login cannot take). 1 when claimed; 0 with the claiming line in
 * *first when it was taken; -1 when out of memory.
 */
static int nip_claim(json_t *nips, const char *nip, unsigned long line, unsigned long *first)
{
    const json_t *seen = json_object_get(nips, nip);
    if (seen) {
        *first = (unsigned long)json_integer_value(seen);
        return 0;
    }
    return json_object_set_new(nips, nip, json_integer((json_int_t)line)) == 0 ? 1 : -1;
}

struct import_check {
    json_t *unit_ids; /* unit code -> id (borrowed) */
    json_t *nips; /* see nip_claim */
    unsigned char *accepted; /* bit i: data record i is to be imported */
    size_t accepted_bytes, records;
    bool header_seen;
    json_t *rejected; /* [{"line", "error"}] */
};

static bool is_header(const struct csv_record *rec)
{
    static const char *const names[IMPORT_FIELDS] = {"nip", "name", "unit_code", "password"};
    if (rec->nfields != IMPORT_FIELDS)
        return false;
    for (size_t i = 0; i < IMPORT_FIELDS; i++)
        if (strcmp(rec->fields[i], names[i]) != 0)
            return false;
    return true;
}

/* 0 when the row can be imported; 1 with the reason in why; -1 when out of memory. */
static int check_row(struct import_check *ck, const struct csv_record *rec, char *why, size_t len)
{
    if (rec->nfields != IMPORT_FIELDS) {
        snprintf(why, len, "expected %d fields (" IMPORT_HEADER "), found %zu", IMPORT_FIELDS, rec->nfields);
        return 1;
    }
    const char *nip = rec->fields[0], *name = rec->fields[1], *unit_code = rec->fields[2], *password = rec->fields[3];
    const char *problem;
    unsigned long first = 0;
    int claimed = nip_valid(nip) ? nip_claim(ck->nips, nip, rec->line, &first) : 0;
    if (claimed < 0)
        return -1;
    if (!nip_valid(nip))
        problem = "nip must be exactly 18 digits";
    else if (!claimed && first) {
        snprintf(why, len, "NIP repeated: the row on line %lu has it", first);
        return 1;
    } else if (!claimed)
        problem = "this NIP is the username of a staff login";
    else if (!json_text_ok(name, 1, NAME_MAX_BYTES))
        problem = "name must be 1 to 200 bytes of text";
    else if (!json_integer_value(json_object_get(ck->unit_ids, unit_code)))
        problem = "no unit has this unit_code";
    else if (!password_ok(password))
        problem = "password must be 8 to 1024 bytes";
    else
        return 0;
    snprintf(why, len, "%s", problem);
    return 1;
}

static int check_record(const struct csv_record *rec, void *ctx)
{
    struct import_check *ck = ctx;
    if (!ck->header_seen) {
        ck->header_seen = true;
        return is_header(rec) ? 0 : IMPORT_BAD_HEADER;
    }
    size_t index = ck->records++;
    if (index / 8 >= ck->accepted_bytes) {
        size_t bytes = ck->accepted_bytes ? ck->accepted_bytes * 2 : 4096;
        unsigned char *grown = realloc(ck->accepted, bytes);
        if (!grown)
            return IMPORT_OUT_OF_MEMORY;
        memset(grown + ck->accepted_bytes, 0, bytes - ck->accepted_bytes);
        ck->accepted = grown;
        ck->accepted_bytes = bytes;
    }
    char why[128];
    int rc = check_row(ck, rec, why, sizeof why);
    if (rc < 0)
        return IMPORT_OUT_OF_MEMORY;
    if (rc == 0) {
        ck->accepted[index / 8] |= (unsigned char)(1u << (index % 8));
        return 0;
    }
    if (json_array_size(ck->rejected) == IMPORT_MAX_REJECTED)
        return IMPORT_TOO_MANY_REJECTED;
    json_t *entry = json_pack("{s:I, s:s}", "line", (json_int_t)rec->line, "error", why);
    return json_array_append_new(ck->rejected, entry) == 0 ? 0 : IMPORT_OUT_OF_MEMORY;
}

struct import_write {
    struct db_conn *db;
    json_t *unit_ids; /* borrowed */
    const unsigned char *accepted;
    size_t records;
    bool header_seen;
    json_t *batch;          /* the rows not yet written: [{"nip", "name", "unit_id", "password_hash"}] */
    json_t *created, *updated; /* the NIPs written so far, for the audit entry */
    enum db_status status;  /* of the last statement */
    const char *failure;    /* what failed outside the database, if anything did */
};

/* Writes the batch (if any) in one statement: 0, or -1 with w->status or w->failure saying why. */
static int write_batch(struct import_write *w)
{
    if (json_array_size(w->batch) == 0)
        return 0;
    char *text = json_dumps(w->batch, JSON_COMPACT);
    json_array_clear(w->batch);
    if (!text) {
        w->failure = "out of memory";
        return -1;
    }
    w->status = store_employee_import_batch(w->db, text, w->created, w->updated);
    free(text);
    return w->status == DB_OK ? 0 : -1;
}

static int write_record(const struct csv_record *rec, void *ctx)
{
    struct import_write *w = ctx;
    if (!w->header_seen) {
        w->header_seen = true;
        return 0;
    }
    size_t index = w->records++;
    if (!(w->accepted[index / 8] & (1u << (index % 8))))
        return 0;
    /* The cheap initial profile: a full-cost hash per row would take hours. It is changed at its first login,
     * and a login spends the time of a full-cost verification on it anyway (see password_verify). */
    char hash[128];
    if (password_hash_initial(rec->fields[3], hash) != 0) {
        w->failure = "a password could not be hashed";
        return 1;
    }
    json_int_t unit_id = json_integer_value(json_object_get(w->unit_ids, rec->fields[2]));
    json_t *row = json_pack("{s:s, s:s, s:I, s:s}", "nip", rec->fields[0], "name", rec->fields[1], "unit_id", unit_id,
                            "password_hash", hash);
    if (json_array_append_new(w->batch, row) != 0) {
        w->failure = "out of memory";
        return 1;
    }
    return json_array_size(w->batch) == IMPORT_BATCH && write_batch(w) != 0;
}

/* Seeds the NIP set with the staff logins' usernames (line 0); false when out of memory. */
static bool claim_staff_logins(json_t *nips, const json_t *usernames)
{
    size_t i;
    const json_t *name;
    unsigned long first;
    json_array_foreach(usernames, i, name) {
        const char *s = json_string_value(name);
        if (s && nip_valid(s) && nip_claim(nips, s, 0, &first) < 0)
            return false;
    }
    return true;
}

/* The checking pass; false after answering (422 for a file that cannot be imported). */
static bool check_file(struct request *req, struct import_check *ck)
{
    char err[256];
    int rc = csv_read_records(req->body ? req->body : "", req->body_len, IMPORT_MAX_FIELDS, IMPORT_MAX_FIELD_BYTES,
                              check_record, ck, err, sizeof err);
    if (rc == -1 && strncmp(err, "line ", 5) == 0)
        reply_error(req, ERR_INVALID_VALUE, "the CSV is malformed: %s; nothing was imported", err);
    else if (rc == -1 || rc == IMPORT_OUT_OF_MEMORY)
        reply_error(req, ERR_INTERNAL, "the file could not be read: %s", rc == -1 ? err : "out of memory");
    else if (rc == IMPORT_BAD_HEADER || !ck->header_seen)
        reply_error(req, ERR_INVALID_VALUE, "the first line must be the header \"" IMPORT_HEADER "\"; nothing was"
                    " imported");
    else if (rc == IMPORT_TOO_MANY_REJECTED)
        reply_error_details(req, ERR_INVALID_VALUE, json_pack("{s:O}", "rejected", ck->rejected),
                            "more than %d rows are wrong (the first %d are listed); nothing was imported",
                            IMPORT_MAX_REJECTED, IMPORT_MAX_REJECTED);
    return !req->response;
}

void h_employee_import(struct request *req)
{
    if (!csv_media_type_ok(request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE,
                    "the body must be text/csv (UTF-8) with the header \"" IMPORT_HEADER "\"");
        return;
    }
    struct import_check ck = {.rejected = json_array(), .nips = json_object()};
    struct import_write w = {.batch = json_array(), .created = json_array(), .updated = json_array()};
    json_t *lookups = NULL, *counts = NULL;
    if (!ck.rejected || !ck.nips || !w.batch || !w.created || !w.updated) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st;
    lookups = store_employee_import_lookups(db, &st);
    if (!lookups) {
        reply_db_error(req, st == DB_OK ? DB_ERROR : st);
        goto done;
    }
    ck.unit_ids = json_object_get(lookups, "unit_ids");
    if (!claim_staff_logins(ck.nips, json_object_get(lookups, "staff_logins"))) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!check_file(req, &ck))
        goto done;

    w.db = db;
    w.unit_ids = ck.unit_ids;
    w.accepted = ck.accepted;
    st = db_begin(db);
    if (st == DB_OK) {
        char err[256];
        int rc = csv_read_records(req->body ? req->body : "", req->body_len, IMPORT_MAX_FIELDS,
                                  IMPORT_MAX_FIELD_BYTES, write_record, &w, err, sizeof err);
        if (rc == 0)
            rc = write_batch(&w);
        else if (rc == -1) /* the same bytes read fine a moment ago: only memory can fail */
            w.failure = "out of memory";
        st = w.status;
        if (rc != 0 && st == DB_OK) {
            reply_error(req, ERR_INTERNAL, "the import failed: %s", w.failure ? w.failure : "unknown");
            goto done;
        }
    }
    json_int_t created = (json_int_t)json_array_size(w.created), updated = (json_int_t)json_array_size(w.updated);
    if (st == DB_OK) {
        /* The entry names every employee the import created or changed, by NIP (never a password). */
        counts = json_pack("{s:I, s:I, s:I, s:O, s:O}", "created", created, "updated", updated, "rejected",
                           (json_int_t)json_array_size(ck.rejected), "created_nips", w.created, "updated_nips",
                           w.updated);
        st = counts ? request_commit_audited(req, "import", "employee", NULL, counts) : DB_ERROR;
    }
    if (st == DB_UNIQUE_VIOLATION) {
        /* A login took one of the file's NIPs as its username after the check: nothing was written. */
        reply_error(req, ERR_CONFLICT, "a NIP of the file was taken meanwhile; nothing was imported, retry");
        goto done;
    }
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_pack("{s:I, s:I, s:O}", "created", created, "updated", updated, "rejected", ck.rejected));
done:
    json_decref(w.created);
    json_decref(w.updated);
    json_decref(w.batch);
    json_decref(ck.nips);
    free(ck.accepted);
    json_decref(ck.rejected);
    json_decref(counts);
    json_decref(lookups);
}

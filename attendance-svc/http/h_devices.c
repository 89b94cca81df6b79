/*
 * Devices (the phones whose Ed25519 keys sign check-ins): POST /v1/devices
 * (an employee enrols its phone), GET /v1/devices (an employee its own,
 * supervisors their unit's, admins all) and DELETE /v1/devices/{device_id}
 * (the supervisor of the employee's unit, or an admin, revokes it).
 */
#include "app.h"
#include "day_reader.h"
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_devices.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

/*
 * Decodes base64url (unpadded, or padded) into exactly DEVICE_KEY_BYTES bytes;
 * false for anything else: every character must belong to the encoding, and
 * libsodium refuses text that decodes to more bytes than the key holds.
 */
static bool decode_public_key(const char *text, unsigned char key[DEVICE_KEY_BYTES])
{
    size_t len = strlen(text), key_len = 0;
    if (sodium_base642bin(key, DEVICE_KEY_BYTES, text, len, NULL, &key_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 &&
        sodium_base642bin(key, DEVICE_KEY_BYTES, text, len, NULL, &key_len, NULL, sodium_base64_VARIANT_URLSAFE) != 0)
        return false;
    return key_len == DEVICE_KEY_BYTES;
}

/* Decodes and checks the body of POST /v1/devices; false after answering. */
static bool decode_device(struct request *req, const json_t *body, unsigned char key[DEVICE_KEY_BYTES],
                          const char **label)
{
    const json_t *key_value = json_object_get(body, "public_key");
    const json_t *label_value = json_object_get(body, "label");
    if (!json_is_string(key_value))
        reply_field_error(req, ERR_INVALID_FIELD, "public_key", "public_key is required: a string");
    else if (!json_is_string(label_value))
        reply_field_error(req, ERR_INVALID_FIELD, "label", "label is required: a string");
    else if (!decode_public_key(json_string_value(key_value), key))
        reply_field_error(req, ERR_INVALID_VALUE, "public_key",
                          "public_key must be an Ed25519 public key (32 bytes) in base64url");
    else if (!json_text_ok(json_string_value(label_value), 1, 100))
        reply_field_error(req, ERR_INVALID_VALUE, "label", "label must be 1 to 100 bytes of text");
    if (req->response)
        return false;
    *label = json_string_value(label_value);
    return true;
}

/* How recent the password login of an enrolment's token must be (contract: 5 minutes). */
#define ENROL_REAUTHENTICATION_S 300

void h_device_enrol(struct request *req)
{
    /* A token alone (stolen, or a device sign-in's) cannot bind a key: only a password just typed can. */
    long long now = (long long)time(NULL);
    if (!req->auth.password_at || now - req->auth.password_at > ENROL_REAUTHENTICATION_S) {
        reply_error(req, ERR_REAUTHENTICATION_REQUIRED,
                    "enrolling a device needs a token from a password login of the last 5 minutes: log in again");
        return;
    }
    json_t *body = request_json(req);
    if (!body)
        return;
    unsigned char key[DEVICE_KEY_BYTES];
    const char *label = NULL;
    json_t *doc = NULL;
    if (!decode_device(req, body, key, &label))
        goto done;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        doc = store_device_insert(db, req->auth.employee_id, key, label, &st);
    /* The unique indexes decide, so two enrolments at once cannot both win. */
    if (st == DB_UNIQUE_VIOLATION && strcmp(db_conn_constraint(db), "devices_active_key_idx") == 0) {
        reply_field_error(req, ERR_ALREADY_EXISTS, "public_key", "this key is already bound to an active device");
        goto done;
    }
    if (st == DB_UNIQUE_VIOLATION) {
        reply_error(req, ERR_DEVICE_ALREADY_BOUND,
                    "you have an active device already; your supervisor must revoke it before you enrol another");
        goto done;
    }
    if (st == DB_OK)
        st = request_commit_audited(req, "enrol", "device", NULL, doc);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    /* Its first check-in, today's too, finds the employee's facts cached (day_reader.h). */
    day_reader_ask(req->app->day_reader, req->auth.unit_id, req->auth.employee_id);
    /* The contract's {"device_id"}, then the rest of the device's document. */
    json_t *created = json_pack("{s:O}", "device_id", json_object_get(doc, "id"));
    json_object_update(created, doc);
    reply_json(req, 201, created);
done:
    json_decref(doc);
    json_decref(body);
}

void h_device_revoke(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such device");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *before = NULL, *after = NULL;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        before = store_device_lock(db, &req->auth, id, &st);
    if (st == DB_OK && !before) {
        reply_error(req, ERR_NOT_FOUND, "no such device");
        goto done;
    }
    /* Revoking again changes nothing and answers the same document (a retry is safe). */
    if (st == DB_OK && !json_is_true(json_object_get(before, "active"))) {
        reply_json(req, 200, json_incref(before));
        goto done;
    }
    if (st == DB_OK)
        after = store_device_revoke(db, id, req->auth.account_id, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "revoke", "device", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
}

void h_device_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    long long employee_id;
    if (!query_id(req, "employee_id", &employee_id))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_device_list(db, &req->auth, employee_id, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

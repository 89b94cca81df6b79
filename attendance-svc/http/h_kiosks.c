/*
 * Kiosks of an office (CONTRACT.md, "Proof of presence that GPS and a gallery
 * cannot fake"): POST /v1/offices/{office_id}/kiosks (admin) makes one and
 * shows its secret once; DELETE .../kiosks/{kiosk_id} (admin) revokes it;
 * GET .../kiosks (staff, within their scope) lists them with their last use.
 * Making and revoking are audited, without the secret.
 */
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_kiosks.h"
#include "store/store_offices.h"

#include <sodium.h>

void h_kiosk_create(struct request *req)
{
    long long office_id = id_parse(req->params[0]);
    json_t *body = request_json(req);
    if (!body)
        return;
    unsigned char secret[KIOSK_SECRET_BYTES];
    json_t *doc = NULL;
    const json_t *label = json_object_get(body, "label");
    if (!json_is_string(label)) {
        reply_field_error(req, ERR_INVALID_FIELD, "label", "label is required: a string");
        goto done;
    }
    if (!json_text_ok(json_string_value(label), 1, 200)) {
        reply_field_error(req, ERR_INVALID_VALUE, "label", "label must be 1 to 200 bytes of text");
        goto done;
    }
    if (!office_id) {
        reply_error(req, ERR_NOT_FOUND, "no such office");
        goto done;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    randombytes_buf(secret, sizeof secret);
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        doc = store_kiosk_insert(db, &req->auth, office_id, json_string_value(label), secret, &st);
    if (st == DB_OK && !doc) {
        reply_error(req, ERR_NOT_FOUND, "no such office");
        goto done;
    }
    if (st == DB_OK)
        st = request_commit_audited(req, "create", "kiosk", NULL, doc);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    /* The secret is in this answer only: the kiosk keeps it, the service never shows it again. */
    char secret_text[sodium_base64_ENCODED_LEN(KIOSK_SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(secret_text, sizeof secret_text, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    json_t *created = json_pack("{s:O, s:s, s:O}", "kiosk_id", json_object_get(doc, "id"), "secret", secret_text,
                                "period_s", json_object_get(doc, "period_s"));
    if (created)
        json_object_update_missing(created, doc);
    sodium_memzero(secret_text, sizeof secret_text);
    reply_json(req, 201, created);
done:
    sodium_memzero(secret, sizeof secret);
    json_decref(doc);
    json_decref(body);
}

void h_kiosk_revoke(struct request *req)
{
    long long office_id = id_parse(req->params[0]), kiosk_id = id_parse(req->params[1]);
    if (!office_id || !kiosk_id) {
        reply_error(req, ERR_NOT_FOUND, "no such kiosk");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *before = NULL, *after = NULL;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        before = store_kiosk_lock(db, &req->auth, office_id, kiosk_id, &st);
    if (st == DB_OK && !before) {
        reply_error(req, ERR_NOT_FOUND, "no such kiosk of this office");
        goto done;
    }
    /* Revoking again changes nothing and answers the same document (a retry is safe). */
    if (st == DB_OK && !json_is_true(json_object_get(before, "active"))) {
        reply_json(req, 200, json_incref(before));
        goto done;
    }
    if (st == DB_OK)
        after = store_kiosk_revoke(db, kiosk_id, req->auth.account_id, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "revoke", "kiosk", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
}

void h_kiosk_list(struct request *req)
{
    long long office_id = id_parse(req->params[0]);
    struct page page;
    if (!page_from_query(req, &page))
        return;
    if (!office_id) {
        reply_error(req, ERR_NOT_FOUND, "no such office");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *office = store_office_get(db, &req->auth, office_id, &st);
    if (st != DB_OK || !office) {
        reply_found(req, st, office, "no such office");
        return;
    }
    json_decref(office);
    json_t *items = store_kiosk_list(db, &req->auth, office_id, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

/*
 * Building, signing and packing a check-in (see checkin.h).
 */
#include "checkin.h"

#include "selfie_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 15 significant digits give back the decimal a person typed (-6.1818, not -6.1817999999999999). */
#define PAYLOAD_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

#define NONCE_TEXT sodium_base64_ENCODED_LEN(CHECKIN_NONCE_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

static void fresh_nonce(char nonce[NONCE_TEXT])
{
    unsigned char raw_nonce[CHECKIN_NONCE_BYTES];
    randombytes_buf(raw_nonce, sizeof raw_nonce);
    sodium_bin2base64(nonce, NONCE_TEXT, raw_nonce, sizeof raw_nonce, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void sign_text(const char *bytes, size_t len, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                      char out[CHECKIN_SIGNATURE_TEXT])
{
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, NULL, (const unsigned char *)bytes, len, secret_key);
    sodium_bin2base64(out, CHECKIN_SIGNATURE_TEXT, signature, sizeof signature, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

json_t *sign_in_body(const char *device_id, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES])
{
    char nonce[NONCE_TEXT], now[RFC3339_MS_SIZE], signature[CHECKIN_SIGNATURE_TEXT];
    fresh_nonce(nonce);
    rfc3339_ms(wall_ms(), now);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "device_id", device_id, "purpose", "sign-in", "signed_at", now,
                            "nonce", nonce);
    char *payload = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!payload)
        return NULL;
    size_t len = strlen(payload), encoded_size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *encoded = malloc(encoded_size);
    json_t *body = NULL;
    if (encoded) {
        sodium_bin2base64(encoded, encoded_size, (const unsigned char *)payload, len,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sign_text(payload, len, secret_key, signature);
        body = json_pack("{s:s, s:s}", "payload", encoded, "signature", signature);
    }
    free(encoded);
    free(payload);
    return body;
}

int checkin_sign(const struct checkin_fields *f, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                 struct signed_checkin *out)
{
    char nonce[NONCE_TEXT];
    fresh_nonce(nonce);

    /* jansson keeps the insertion order: the contract's order. */
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:b, s:s, s:s?}", "device_id", f->device_id, "type",
                            f->type, "mode", f->mode, "captured_at", f->captured_at, "lat", f->lat, "lon", f->lon,
                            "accuracy_m", f->accuracy_m, "mock_location", f->mock_location, "nonce", nonce,
                            "selfie_sha256", f->selfie_sha256);
    if (doc && f->presence && json_object_set_new(doc, "presence", json_string(f->presence)) != 0) {
        json_decref(doc);
        doc = NULL;
    }
    out->payload = doc ? json_dumps(doc, PAYLOAD_JSON_FLAGS) : NULL;
    json_decref(doc);
    if (!out->payload)
        return -1;
    out->payload_len = strlen(out->payload);
    sign_text(out->payload, out->payload_len, secret_key, out->signature);
    return 0;
}

void signed_checkin_free(struct signed_checkin *c)
{
    free(c->payload);
    c->payload = NULL;
}

static bool add_part(curl_mime *mime, const char *name, const void *data, size_t len, const char *type,
                     const char *filename)
{
    curl_mimepart *part = curl_mime_addpart(mime);
    return part && curl_mime_name(part, name) == CURLE_OK && curl_mime_data(part, data, len) == CURLE_OK &&
           curl_mime_type(part, type) == CURLE_OK && curl_mime_filename(part, filename) == CURLE_OK;
}

curl_mime *checkin_mime(CURL *curl, const char *payload, size_t payload_len, const char *signature,
                        const unsigned char *selfie, size_t selfie_len, const char *filename)
{
    curl_mime *mime = curl_mime_init(curl);
    if (!mime)
        return NULL;
    bool ok = add_part(mime, "payload", payload, payload_len, "application/json", NULL) &&
              add_part(mime, "signature", signature, strlen(signature), "text/plain", NULL);
    if (ok && selfie) {
        /* Typed by the magic bytes, as the service checks them; anything else goes as octet-stream (415). */
        const char *type = selfie_content_type(selfie, selfie_len);
        ok = add_part(mime, "selfie", selfie, selfie_len, type ? type : "application/octet-stream", filename);
    }
    if (!ok) {
        curl_mime_free(mime);
        return NULL;
    }
    return mime;
}

void rfc3339_ms(int64_t unix_ms, char out[RFC3339_MS_SIZE])
{
    time_t seconds = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    char whole[20];
    strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, RFC3339_MS_SIZE, "%s.%03uZ", whole, (unsigned)(unix_ms % 1000));
}

int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


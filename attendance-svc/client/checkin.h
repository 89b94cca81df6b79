/*
 * A check-in as a phone makes it (the contract's "Check-in"): the payload's
 * JSON built once, in the contract's field order, with a fresh random nonce,
 * signed with the device's Ed25519 key; and the multipart body that carries
 * the exact signed bytes, the signature and the optional selfie.
 */
#ifndef ATTENDANCE_CLIENT_CHECKIN_H
#define ATTENDANCE_CLIENT_CHECKIN_H

#include "digest.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECKIN_NONCE_BYTES 16
#define CHECKIN_SIGNATURE_TEXT \
    sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
/* "2024-05-06T07:08:09.123Z" (24 bytes) and its NUL, with room that the compiler can see. */
#define RFC3339_MS_SIZE 40

struct checkin_fields {
    const char *device_id;
    const char *type;        /* "in" or "out" */
    const char *mode;        /* "WFO" or "WFH" */
    const char *captured_at; /* RFC 3339 */
    double lat, lon, accuracy_m; /* finite */
    bool mock_location;
    const char *selfie_sha256; /* 64 lowercase hex digits, or NULL for none */
    const char *presence;      /* the kiosk's code the phone scanned, or NULL (then the payload has no such field) */
};

struct signed_checkin {
    char *payload; /* the exact bytes signed (NUL-terminated) */
    size_t payload_len;
    char signature[CHECKIN_SIGNATURE_TEXT]; /* base64url, no padding */
};

/* Builds the payload of f with a fresh nonce and signs it with secret_key; 0, or -1 when out of memory. */
int checkin_sign(const struct checkin_fields *f, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                 struct signed_checkin *out);

void signed_checkin_free(struct signed_checkin *c);

/*
 * The body of a device sign-in (POST /v1/auth/device): {"payload": base64url of
 * {"device_id", "purpose": "sign-in", "signed_at": now, "nonce": fresh}, "signature"}
 * signed with secret_key. The caller owns it; NULL when out of memory.
 */
json_t *sign_in_body(const char *device_id, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES]);

/*
 * The multipart body for curl: payload, signature and, when selfie is not
 * NULL, the selfie named filename (its type from its magic bytes). The bytes
 * are copied. NULL when out of memory.
 */
curl_mime *checkin_mime(CURL *curl, const char *payload, size_t payload_len, const char *signature,
                        const unsigned char *selfie, size_t selfie_len, const char *filename);

/* Unix time in milliseconds as RFC 3339 UTC with milliseconds. */
void rfc3339_ms(int64_t unix_ms, char out[RFC3339_MS_SIZE]);

/* The wall clock in Unix milliseconds. */
int64_t wall_ms(void);


#endif

/*
 * The manifest (see manifest.h).
 */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANONICAL_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

void manifest_csv_name(size_t i, const char *day, char out[64])
{
    static const char *const prefixes[MANIFEST_CSV_FILES] = {"attendance", "units", "violations", "cases"};
    snprintf(out, 64, "%s_%.10s.csv", i < MANIFEST_CSV_FILES ? prefixes[i] : "unknown", day);
}

void manifest_name(const char *day, char out[64]) { snprintf(out, 64, "manifest_%.10s.json", day); }

void manifest_key_text(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], char out[MANIFEST_KEY_TEXT_LEN])
{
    sodium_bin2base64(out, MANIFEST_KEY_TEXT_LEN, public_key, crypto_sign_PUBLICKEYBYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int manifest_key_parse(const char *text, unsigned char public_key[crypto_sign_PUBLICKEYBYTES])
{
    size_t len = 0;
    const char *end;
    if (sodium_base642bin(public_key, crypto_sign_PUBLICKEYBYTES, text, strlen(text), "=", &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        *end != '\0' || len != crypto_sign_PUBLICKEYBYTES)
        return -1;
    return 0;
}

json_t *manifest_new(const char *day, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                     const char *audit_head)
{
    char key[MANIFEST_KEY_TEXT_LEN];
    manifest_key_text(public_key, key);
    return json_pack("{s:s, s:s, s:[], s:s, s:s}", "audit_head", audit_head, "date", day, "files", "format",
                     MANIFEST_FORMAT, "public_key", key);
}

int manifest_add_file(json_t *manifest, const char *name, long long rows, const char *sha256_hex)
{
    json_t *file = json_pack("{s:s, s:I, s:s}", "name", name, "rows", (json_int_t)rows, "sha256", sha256_hex);
    return file ? json_array_append_new(json_object_get(manifest, "files"), file) : -1;
}

char *manifest_signed_form(const json_t *manifest)
{
    json_t *unsigned_part = json_copy((json_t *)manifest); /* shallow: the members are shared, not changed */
    if (!unsigned_part)
        return NULL;
    json_object_del(unsigned_part, "signature");
    char *text = json_dumps(unsigned_part, CANONICAL_FLAGS);
    json_decref(unsigned_part);
    return text;
}

int manifest_sign(json_t *manifest, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES])
{
    char *form = manifest_signed_form(manifest);
    if (!form)
        return -1;
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, NULL, (const unsigned char *)form, strlen(form), secret_key);
    free(form);
    char text[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(text, sizeof text, signature, sizeof signature, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return json_object_set_new(manifest, "signature", json_string(text));
}

char *manifest_text(const json_t *manifest)
{
    char *text = json_dumps(manifest, CANONICAL_FLAGS);
    if (!text)
        return NULL;
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;
}

int manifest_check_signature(const json_t *manifest, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                             char *why, size_t why_len)
{
    const char *text = json_string_value(json_object_get(manifest, "signature"));
    const char *signer = json_string_value(json_object_get(manifest, "public_key"));
    unsigned char signature[crypto_sign_BYTES], signer_key[crypto_sign_PUBLICKEYBYTES];
    size_t len = 0;
    const char *end;
    if (!text) {
        snprintf(why, why_len, "the manifest has no signature");
        return -1;
    }
    if (sodium_base642bin(signature, sizeof signature, text, strlen(text), NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        *end != '\0' || len != sizeof signature) {
        snprintf(why, why_len, "the signature is not 64 bytes of base64url");
        return -1;
    }
    if (signer && (manifest_key_parse(signer, signer_key) != 0 ||
                   sodium_memcmp(signer_key, public_key, sizeof signer_key) != 0)) {
        snprintf(why, why_len, "the manifest says it was signed by another key (public_key %.60s)", signer);
        return -1;
    }
    char *form = manifest_signed_form(manifest);
    if (!form) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    int rc = crypto_sign_verify_detached(signature, (const unsigned char *)form, strlen(form), public_key);
    free(form);
    if (rc != 0) {
        snprintf(why, why_len, "the signature does not verify with the public key given");
        return -1;
    }
    return 0;
}

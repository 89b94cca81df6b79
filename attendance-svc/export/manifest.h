/*
 * The export's manifest (docs/export.md): for day D, each file's name, rows and
 * SHA-256, signed with Ed25519 by the service's export key.
 *
 *   {"audit_head":"<hex>","date":"2023-09-04",
 *    "files":[{"name":"attendance_2023-09-04.csv","rows":3,"sha256":"..."},...],
 *    "format":"attendance-export/2","public_key":"<base64url>","signature":"<base64url>"}
 *
 * audit_head is the hash of the audit log's last entry when the day was closed:
 * published with the signed manifest, it anchors the chain outside the database
 * (attendance-svc audit-verify --head).
 *
 * The signed form is the manifest without its "signature" member, as JSON with
 * no white space and every object's members sorted by key (bytewise): what
 * json.dumps(m, sort_keys=True, separators=(",", ":")) writes, since every
 * value is an ASCII string or a whole number. The file is the whole manifest in
 * the same form, followed by a line feed. Pure functions, no I/O.
 */
#ifndef ATTENDANCE_EXPORT_MANIFEST_H
#define ATTENDANCE_EXPORT_MANIFEST_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>

#define MANIFEST_FORMAT "attendance-export/2"
/* A public key as base64url without padding, and its NUL. */
#define MANIFEST_KEY_TEXT_LEN \
    sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

/* The CSV files of a day, in the manifest's order. */
#define MANIFEST_CSV_FILES 4
/* The name of the i-th CSV file of day: attendance_D.csv, units_D.csv, violations_D.csv. */
void manifest_csv_name(size_t i, const char *day, char out[64]);
/* manifest_D.json */
void manifest_name(const char *day, char out[64]);

/* An unsigned manifest of day, with no files yet; audit_head is the audit chain's head when the day was closed
 * (64 hex digits). NULL when out of memory. */
json_t *manifest_new(const char *day, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                     const char *audit_head);

/* Appends a file; 0, or -1 when out of memory. */
int manifest_add_file(json_t *manifest, const char *name, long long rows, const char *sha256_hex);

/* The signed form (see above), malloc'd and NUL-terminated; NULL when out of memory. */
char *manifest_signed_form(const json_t *manifest);

/* Signs the manifest with secret_key (libsodium's 64 bytes), setting "signature"; 0, or -1 when out of memory. */
int manifest_sign(json_t *manifest, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES]);

/* The file's bytes (see above), malloc'd and NUL-terminated; NULL when out of memory. */
char *manifest_text(const json_t *manifest);

/*
 * Checks the signature of a manifest read back: 0 when public_key signed its
 * signed form; -1 with the reason in why (no signature, not base64url, signed
 * by another key, or a signature that does not verify).
 */
int manifest_check_signature(const json_t *manifest, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                             char *why, size_t why_len);

/* Encodes a public key as base64url (the form keygen prints and --public-key takes). */
void manifest_key_text(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], char out[MANIFEST_KEY_TEXT_LEN]);

/* Decodes a public key from base64url (padding or not); 0, or -1 when it is not 32 bytes of base64url. */
int manifest_key_parse(const char *text, unsigned char public_key[crypto_sign_PUBLICKEYBYTES]);

#endif

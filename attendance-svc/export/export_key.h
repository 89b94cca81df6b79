/*
 * The service's export key: the Ed25519 key that signs each night's manifest.
 * The file holds libsodium's 64-byte secret key (the seed, then the public
 * key), as attendance-client's device.key does, with mode 0600.
 */
#ifndef ATTENDANCE_EXPORT_KEY_H
#define ATTENDANCE_EXPORT_KEY_H

#include <sodium.h>
#include <stddef.h>

/*
 * Makes a new key and writes it to path, created (never replaced: EEXIST when
 * path exists), mode 0600, fsynced with its directory; the public half in
 * public_key. 0, or -1 with errno set.
 */
int export_key_generate(const char *path, unsigned char public_key[crypto_sign_PUBLICKEYBYTES]);

/*
 * Reads the key at path into secret_key; 0, or -1 with the reason in why: it
 * cannot be read, is not 64 bytes, does not hold together (the public half is
 * not the seed's), or group or others may read it.
 */
int export_key_load(const char *path, unsigned char secret_key[crypto_sign_SECRETKEYBYTES], char *why, size_t why_len);

#endif

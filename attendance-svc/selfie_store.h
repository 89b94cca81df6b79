/*
 * The selfie store: dress-code photos on disk, content-addressed by their
 * SHA-256 (DIR/ab/abcdef...). A file is written under a temporary name,
 * fsynced and renamed, then its directory fsynced (and a directory made for it
 * fsynced in its parent), before the check-in that claims it is committed; so
 * an acknowledged check-in never lacks its selfie, even after a power cut, and
 * a photo stored for a check-in that then failed is harmless (the retry finds
 * it in place, and fsyncs its directory again). A full or read-only disk fails
 * the put (ENOSPC, EROFS) with nothing left under the final name.
 */
#ifndef ATTENDANCE_SELFIE_STORE_H
#define ATTENDANCE_SELFIE_STORE_H

#include <stddef.h>

/*
 * The store's directories: the instances' user and its group (the nightly job
 * is in it, to delete the selfies past their retention), nobody else. serve
 * makes the store's directory at start (files_make_dirs) or refuses to start.
 */
#define SELFIE_STORE_DIR_MODE 0770

/* The largest selfie a check-in may carry (CONTRACT.md), so the largest the store holds. */
#define SELFIE_STORE_MAX_BYTES (2u << 20)

/* "image/jpeg" or "image/png" by the magic bytes, or NULL. */
const char *selfie_content_type(const unsigned char *data, size_t len);

/* Stores data under sha256_hex in dir; 0, or -1 with errno set (ENOSPC, EROFS, EACCES, ...). */
int selfie_store_put(const char *dir, const char *sha256_hex, const unsigned char *data, size_t len);

/* The path of a stored selfie into out; 0, or -1 if it does not fit. */
int selfie_store_path(const char *dir, const char *sha256_hex, char *out, size_t out_len);

/*
 * Reads the selfie stored under sha256_hex into a new buffer (*data, which the
 * caller frees) of *len bytes, at most max; 0, or -1 with errno set (ENOENT:
 * not in the store; EFBIG: larger than max; EIO, EACCES, ...).
 */
int selfie_store_read(const char *dir, const char *sha256_hex, size_t max, unsigned char **data, size_t *len);

#endif

/*
 * attendance-svc verify-export: what a receiver runs on a night's files
 * (docs/export.md). The manifest must be in its canonical form, name the
 * day's four CSV files, and carry a signature that verifies with the
 * public key given; each file must have the manifest's SHA-256 and as many
 * records after its header as the manifest says (read as RFC 4180, UTF-8).
 */
#ifndef ATTENDANCE_EXPORT_VERIFY_H
#define ATTENDANCE_EXPORT_VERIFY_H

#include <sodium.h>

/*
 * Checks the export in dir: of day ("YYYY-MM-DD", already checked), or, when
 * day is NULL, of the one manifest_*.json there. Logs each thing that is
 * wrong, naming the file; prints one line on stdout when all is well.
 * 0 when all is well, 1 when something is wrong.
 */
int verify_export(const char *dir, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], const char *day);

#endif

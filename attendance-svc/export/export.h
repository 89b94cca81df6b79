/*
 * The nightly export of a day (CONTRACT.md, "Export (nightly)"; docs/export.md):
 * attendance_D.csv, units_D.csv, violations_D.csv and manifest_D.json in a
 * directory. The rows are streamed from one database snapshot straight into
 * the files, so memory stays flat however many employees there are; the same
 * day and data give the same bytes. Each file is written under a temporary
 * name, fsynced, and renamed into place only once all four are complete (the
 * manifest last), then the directory is fsynced: a crash never leaves a
 * partial file under a final name.
 */
#ifndef ATTENDANCE_EXPORT_H
#define ATTENDANCE_EXPORT_H

#include "db.h"
#include "digest.h"

#include <sodium.h>

#define EXPORT_FILE_COUNT 5 /* the four CSV files, then the manifest */
#define EXPORT_NAME_MAX 64

/* A file written: its name, its records after the header (-1 for the manifest) and its SHA-256. */
struct export_file {
    char name[EXPORT_NAME_MAX];
    long long rows;
    char sha256[SHA256_HEX_LEN + 1];
};

/*
 * Writes day's files ("YYYY-MM-DD", already checked) into dir (made if it does
 * not exist), the manifest signed with secret_key and carrying the audit
 * chain's head as the day's closure left it (store_audit_anchor; call it after
 * the closure), and logs a line with the
 * counts. 0 with the files in files, manifest last (the order to upload
 * them in); or -1 after logging why, its temporary files removed. Should a
 * rename fail half way, a CSV file may be new while its manifest is not: the
 * manifest no longer matches, and verify-export says so.
 */
int export_day(struct db_conn *db, const char *day, const char *dir,
               const unsigned char secret_key[crypto_sign_SECRETKEYBYTES], struct export_file files[EXPORT_FILE_COUNT]);

#endif

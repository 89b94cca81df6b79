/*
 * The nightly export's files (see export.h). Each CSV file is one streamed
 * statement of store_exports.c written through common/csv_io.c: a header
 * row, then a record per row, CRLF-terminated (RFC 4180). The statements give
 * every column as the text to write, except the units file's cap, which the
 * policy rules decide (policy_combine) from the policies the statement gives.
 */
#include "export.h"

#include "csv_io.h"
#include "digest.h"
#include "export/manifest.h"
#include "files.h"
#include "log.h"
#include "rules/policy.h"
#include "store/store_audit.h"
#include "store/store_exports.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(EXPORT_FILE_COUNT == MANIFEST_CSV_FILES + 1, "the CSV files and the manifest");

/* A file being written under a temporary name in the export directory. */
struct output {
    char name[EXPORT_NAME_MAX];
    char path[PATH_MAX], tmp[PATH_MAX];
    FILE *f;
    long long rows;   /* records after the header */
    int error;        /* errno of the first failed write, or 0 */
    char sha256[SHA256_HEX_LEN + 1];
};

typedef enum db_status (*export_read_fn)(struct db_conn *db, const char *day, db_row_fn fn, void *ctx);

/* One CSV file (in the manifest's order): its header, statement, and how a row becomes a record. */
struct csv_file {
    const char *const *header;
    size_t columns;
    export_read_fn read;
    db_row_fn write_row;
};

/* Creates dir/.name.PID.tmp (a leftover of a crashed run of the same pid is removed first). */
static int output_open(struct output *out, const char *dir, const char *name)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    if (snprintf(out->path, sizeof out->path, "%s/%s", dir, name) >= (int)sizeof out->path ||
        snprintf(out->tmp, sizeof out->tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid()) >= (int)sizeof out->tmp) {
        errno = ENAMETOOLONG;
        out->tmp[0] = '\0';
        return -1;
    }
    unlink(out->tmp);
    int fd = open(out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666); /* the umask decides */
    if (fd < 0) {
        out->tmp[0] = '\0';
        return -1;
    }
    if (!(out->f = fdopen(fd, "w"))) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return 0;
}

/* Writes a record; 0, or -1 with out->error set. */
static int output_record(struct output *out, size_t n, const char *const *fields, const size_t *lengths)
{
    if (csv_write_record(out->f, n, fields, lengths) != 0) {
        out->error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* Flushes, fsyncs and closes the temporary file, then hashes what is on disk; 0, or -1 with errno set. */
static int output_finish(struct output *out)
{
    FILE *f = out->f;
    out->f = NULL;
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    int saved = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && out->error) {
        rc = -1;
        saved = out->error;
    }
    if (rc == 0 && sha256_file_hex(out->tmp, out->sha256) != 0) {
        rc = -1;
        saved = errno;
    }
    errno = saved;
    return rc;
}

/* Closes the file if open and removes the temporary name. */
static void output_discard(struct output *out)
{
    if (out->f)
        fclose(out->f);
    out->f = NULL;
    if (out->tmp[0])
        unlink(out->tmp);
    out->tmp[0] = '\0';
}

/* A row whose columns are the record as they stand (NULL is an empty field). */
static int write_columns(const PGresult *row, void *ctx)
{
    struct output *out = ctx;
    const char *fields[16];
    size_t lengths[16];
    int n = PQnfields(row);
    if (n < 1 || n > (int)(sizeof fields / sizeof fields[0])) { /* a statement of store_exports.c changed */
        out->error = E2BIG;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        fields[i] = PQgetvalue(row, 0, i); /* "" for NULL */
        lengths[i] = (size_t)PQgetlength(row, 0, i);
    }
    if (output_record(out, (size_t)n, fields, lengths) != 0)
        return -1;
    out->rows++;
    return 0;
}

/*
 * The WFH cap of the policies in force for a unit (policies_json: a JSON array
 * of policy documents, or "" for none), as policy_combine decides it:
 * POLICY_NO_CAP when none governs; 0 for a WFO-only unit. -1 for a broken document.
 */
static int unit_wfh_cap(const char *category, const char *policies_json, int *cap)
{
    json_t *docs = *policies_json ? json_loads(policies_json, 0, NULL) : json_array();
    if (!docs)
        return -1;
    struct policy_terms terms;
    size_t left_out = policy_combine_json(docs, category, &terms);
    json_decref(docs);
    *cap = terms.max_wfh_percent;
    return left_out == 0 ? 0 : -1;
}

/* units_D.csv: the statement's first six columns, then cap_percent and over_cap from the policies. */
static int write_unit_row(const PGresult *row, void *ctx)
{
    struct output *out = ctx;
    const char *fields[8];
    for (int i = 0; i < 6; i++)
        fields[i] = PQgetvalue(row, 0, i);
    int cap;
    if (unit_wfh_cap(PQgetvalue(row, 0, 6), PQgetvalue(row, 0, 7), &cap) != 0) {
        log_error("nightly: unit %s: its policies cannot be read; no cap is written for it", fields[0]);
        cap = POLICY_NO_CAP;
    }
    char cap_text[16] = "";
    if (cap != POLICY_NO_CAP)
        snprintf(cap_text, sizeof cap_text, "%d", cap);
    fields[6] = cap_text;
    fields[7] = policy_over_cap(cap, strtoll(fields[1], NULL, 10), strtoll(fields[3], NULL, 10)) ? "true" : "false";
    if (output_record(out, 8, fields, NULL) != 0)
        return -1;
    out->rows++;
    return 0;
}

static const char *const attendance_header[] = {"nip",          "name",          "unit_code",      "mode",
                                                "first_in",     "last_out",      "late_minutes",   "early_minutes",
                                                "selfie_attached", "inside_geofence", "presence", "violations",
                                                "leave"};
static const char *const units_header[] = {"unit_code", "headcount",   "wfo",         "wfh",
                                           "absent",    "wfh_percent", "cap_percent", "over_cap"};
static const char *const violations_header[] = {"violation_id", "nip",      "unit_code", "code",
                                                "checkin_id",   "evidence", "status",    "sanction",
                                                "note",         "decided_by", "decided_at"};

/* The discipline cases decided on day D (PP 94/2021; sql/0025), with the violations they judged. */
static const char *const cases_header[] = {"case_id", "nip", "unit_code", "year", "violation_ids", "suggested_sanction",
                                           "sanction", "reason", "decided_by", "decided_at"};

#define COLUMNS(header) (sizeof header / sizeof header[0])
static const struct csv_file csv_files[MANIFEST_CSV_FILES] = {
    {attendance_header, COLUMNS(attendance_header), store_export_attendance, write_columns},
    {units_header, COLUMNS(units_header), store_export_units, write_unit_row},
    {violations_header, COLUMNS(violations_header), store_export_violations, write_columns},
    {cases_header, COLUMNS(cases_header), store_export_cases, write_columns},
};

/* Writes one CSV file under its temporary name; 0, or -1 after logging why. */
static int write_csv(struct db_conn *db, const char *day, const char *dir, size_t i, struct output *out)
{
    const struct csv_file *spec = &csv_files[i];
    char name[EXPORT_NAME_MAX];
    manifest_csv_name(i, day, name);
    if (output_open(out, dir, name) != 0) {
        log_error("nightly: cannot create a temporary file for %s in %s: %s", name, dir, strerror(errno));
        return -1;
    }
    if (output_record(out, spec->columns, spec->header, NULL) != 0) {
        log_error("nightly: cannot write %s: %s", out->tmp, strerror(out->error));
        return -1;
    }
    enum db_status st = spec->read(db, day, spec->write_row, out);
    if (st != DB_OK) {
        log_error("nightly: cannot read the rows of %s from the database (status %d; see above)", name, (int)st);
        return -1;
    }
    if (output_finish(out) != 0) {
        log_error("nightly: cannot write %s: %s", out->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes the signed manifest of the CSV files under its temporary name; 0, or -1 after logging why. */
static int write_manifest(const char *day, const char *dir, const struct output *csv, size_t ncsv,
                          const unsigned char secret_key[crypto_sign_SECRETKEYBYTES], const char *audit_head,
                          struct output *out)
{
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(public_key, secret_key);
    json_t *manifest = manifest_new(day, public_key, audit_head);
    for (size_t i = 0; manifest && i < ncsv; i++)
        if (manifest_add_file(manifest, csv[i].name, csv[i].rows, csv[i].sha256) != 0) {
            json_decref(manifest);
            manifest = NULL;
        }
    char *text = manifest && manifest_sign(manifest, secret_key) == 0 ? manifest_text(manifest) : NULL;
    json_decref(manifest);
    if (!text) {
        log_error("nightly: out of memory making the manifest");
        return -1;
    }
    char name[EXPORT_NAME_MAX];
    manifest_name(day, name);
    int rc = -1;
    if (output_open(out, dir, name) != 0)
        log_error("nightly: cannot create a temporary file for %s in %s: %s", name, dir, strerror(errno));
    else if (fputs(text, out->f) == EOF || output_finish(out) != 0)
        log_error("nightly: cannot write %s: %s", out->tmp, strerror(errno));
    else
        rc = 0;
    free(text);
    return rc;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int export_day(struct db_conn *db, const char *day, const char *dir,
               const unsigned char secret_key[crypto_sign_SECRETKEYBYTES], struct export_file written[EXPORT_FILE_COUNT])
{
    char audit_head[65];
    enum db_status anchored = store_audit_anchor(db, day, audit_head);
    if (anchored != DB_OK) {
        log_error("nightly: cannot read the audit chain's head (status %d; see above)", (int)anchored);
        return -1;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        log_error("nightly: cannot make the output directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct output files[EXPORT_FILE_COUNT] = {0};
    size_t ncsv = MANIFEST_CSV_FILES;
    int rc = -1;
    enum db_status st = store_export_begin(db);
    if (st != DB_OK) {
        log_error("nightly: cannot begin the export's transaction (status %d; see above)", (int)st);
        goto done;
    }
    for (size_t i = 0; i < ncsv; i++)
        if (write_csv(db, day, dir, i, &files[i]) != 0)
            goto done;
    db_rollback(db); /* read only: nothing to commit */
    if (write_manifest(day, dir, files, ncsv, secret_key, audit_head, &files[ncsv]) != 0)
        goto done;
    /* Every file is complete: now the final names, the manifest last. */
    for (size_t i = 0; i < EXPORT_FILE_COUNT; i++) {
        if (rename(files[i].tmp, files[i].path) != 0) {
            log_error("nightly: cannot rename %s to %s: %s", files[i].tmp, files[i].path, strerror(errno));
            goto done;
        }
        files[i].tmp[0] = '\0';
    }
    if (fsync_dir(dir) != 0) {
        log_error("nightly: cannot fsync the directory %s: %s", dir, strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < EXPORT_FILE_COUNT; i++) {
        memcpy(written[i].name, files[i].name, EXPORT_NAME_MAX);
        written[i].rows = i < ncsv ? files[i].rows : -1;
        memcpy(written[i].sha256, files[i].sha256, sizeof written[i].sha256);
    }
    log_fields(LOG_LEVEL_INFO, "nightly: export written",
               json_pack("{s:s, s:s, s:I, s:I, s:I, s:f}", "date", day, "dir", dir, "attendance_rows",
                         (json_int_t)files[0].rows, "unit_rows", (json_int_t)files[1].rows, "violation_rows",
                         (json_int_t)files[2].rows, "seconds", seconds_since(&start)));
    rc = 0;
done:
    db_rollback(db);
    for (size_t i = 0; i < EXPORT_FILE_COUNT; i++)
        output_discard(&files[i]);
    return rc;
}

/*
 * verify-export (see verify.h). Every check runs, so that one run names
 * everything that is wrong; a problem is one error log line naming its file.
 */
#include "verify.h"

#include "csv_io.h"
#include "dates.h"
#include "digest.h"
#include "export/manifest.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX_BYTES (1 << 20)

/* The day of the one manifest_*.json in dir, in day; 0, or -1 after logging why. */
static int find_manifest_day(const char *dir, char day[11])
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("verify-export: cannot open the directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len == strlen("manifest_YYYY-MM-DD.json") && strncmp(e->d_name, "manifest_", 9) == 0 &&
            strcmp(e->d_name + len - 5, ".json") == 0) {
            if (found++ == 0)
                snprintf(day, 11, "%.10s", e->d_name + 9);
        }
    }
    closedir(d);
    if (found == 1 && date_parse(day, NULL) == 0)
        return 0;
    if (found > 1)
        log_error("verify-export: %s holds the manifests of %d days: say which with --date", dir, found);
    else
        log_error("verify-export: %s holds no manifest_YYYY-MM-DD.json", dir);
    return -1;
}

/* The whole of a small file (NUL-terminated) in *data; 0, or -1 with the reason in why. */
static int read_small_file(const char *path, char **data, size_t *len, char *why, size_t why_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "cannot be opened: %s", strerror(errno));
        return -1;
    }
    char *buf = malloc(MANIFEST_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MANIFEST_MAX_BYTES + 1, f) : 0;
    bool failed = !buf || ferror(f);
    fclose(f);
    if (failed || n > MANIFEST_MAX_BYTES) {
        snprintf(why, why_len, "%s", !buf ? "out of memory" : failed ? "cannot be read" : "is over 1 MiB");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

static int count_record(const struct csv_record *rec, void *ctx)
{
    (void)rec;
    (*(long long *)ctx)++;
    return 0;
}

/*
 * The records of the CSV file at path after its header in *rows; 0, or -1 with
 * the reason in why (it cannot be read, is empty, or is not RFC 4180 UTF-8).
 */
static int count_rows(const char *path, long long *rows, char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, why_len, "cannot be read: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (st.st_size == 0) {
        close(fd);
        snprintf(why, why_len, "is empty (not even a header)");
        return -1;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0); /* pages come and go: memory stays flat */
    int saved = errno;
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(why, why_len, "cannot be read: %s", strerror(saved));
        return -1;
    }
    long long records = 0;
    char err[160];
    int rc = csv_read_records(map, (size_t)st.st_size, SIZE_MAX, SIZE_MAX, count_record, &records, err, sizeof err);
    munmap(map, (size_t)st.st_size);
    if (rc != 0) {
        snprintf(why, why_len, "is not RFC 4180 CSV in UTF-8: %s", err);
        return -1;
    }
    *rows = records - 1;
    return 0;
}

/* Checks one file the manifest lists; the number of problems found (logged). */
static int check_file(const char *dir, const json_t *entry, const char *expected_name)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    const char *sha256 = json_string_value(json_object_get(entry, "sha256"));
    const json_t *rows = json_object_get(entry, "rows");
    if (!name || !sha256 || !json_is_integer(rows) || json_object_size(entry) != 3) {
        log_error("verify-export: the manifest's entry for %s is not {\"name\", \"rows\", \"sha256\"}", expected_name);
        return 1;
    }
    if (strcmp(name, expected_name) != 0) {
        log_error("verify-export: the manifest lists %.80s where %s belongs", name, expected_name);
        return 1;
    }
    char path[PATH_MAX], actual[SHA256_HEX_LEN + 1], why[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (sha256_file_hex(path, actual) != 0) {
        log_error("verify-export: %s cannot be read: %s", name, strerror(errno));
        return 1;
    }
    int problems = 0;
    if (strcmp(actual, sha256) != 0) {
        log_fields(LOG_LEVEL_ERROR, "verify-export: a file's SHA-256 is not the manifest's",
                   json_pack("{s:s, s:s, s:s}", "file", name, "manifest_sha256", sha256, "file_sha256", actual));
        problems++;
    }
    long long counted;
    if (count_rows(path, &counted, why, sizeof why) != 0) {
        log_error("verify-export: %s %s", name, why);
        problems++;
    } else if (counted != json_integer_value(rows)) {
        log_fields(LOG_LEVEL_ERROR, "verify-export: a file's rows are not the manifest's",
                   json_pack("{s:s, s:I, s:I}", "file", name, "manifest_rows", json_integer_value(rows), "file_rows",
                             (json_int_t)counted));
        problems++;
    }
    return problems;
}

/* Checks the manifest's own form and signature; the number of problems found (logged). */
static int check_manifest(const char *name, const char *text, size_t len, const json_t *manifest, const char *day,
                          const unsigned char public_key[crypto_sign_PUBLICKEYBYTES])
{
    int problems = 0;
    char *canonical = manifest_text(manifest);
    if (!canonical || strlen(canonical) != len || memcmp(canonical, text, len) != 0) {
        log_error("verify-export: %s is not in its canonical form (compact JSON, keys sorted, one line)", name);
        problems++;
    }
    free(canonical);
    const char *format = json_string_value(json_object_get(manifest, "format"));
    if (!format || strcmp(format, MANIFEST_FORMAT) != 0) {
        log_error("verify-export: %s: format is not \"%s\"", name, MANIFEST_FORMAT);
        problems++;
    }
    const char *date = json_string_value(json_object_get(manifest, "date"));
    if (!date || strcmp(date, day) != 0) {
        log_error("verify-export: %s: its date is %.20s, not %s", name, date ? date : "missing", day);
        problems++;
    }
    const char *audit_head = json_string_value(json_object_get(manifest, "audit_head"));
    if (!audit_head || strlen(audit_head) != SHA256_HEX_LEN || strspn(audit_head, "0123456789abcdef") != SHA256_HEX_LEN) {
        log_error("verify-export: %s: audit_head is not the 64 hex digits of an audit entry's hash", name);
        problems++;
    }
    char why[200];
    if (manifest_check_signature(manifest, public_key, why, sizeof why) != 0) {
        log_error("verify-export: %s: %s", name, why);
        problems++;
    }
    return problems;
}

int verify_export(const char *dir, const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], const char *day)
{
    char found_day[11];
    if (!day) {
        if (find_manifest_day(dir, found_day) != 0)
            return 1;
        day = found_day;
    }
    char name[64], path[PATH_MAX], why[200];
    manifest_name(day, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text;
    size_t len;
    if (read_small_file(path, &text, &len, why, sizeof why) != 0) {
        log_error("verify-export: %s %s", path, why);
        return 1;
    }
    json_error_t error;
    json_t *manifest = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
    if (!json_is_object(manifest)) {
        log_error("verify-export: %s is not a JSON object: %s", name, manifest ? "another value" : error.text);
        json_decref(manifest);
        free(text);
        return 1;
    }
    int problems = check_manifest(name, text, len, manifest, day, public_key);
    const json_t *files = json_object_get(manifest, "files");
    if (json_array_size(files) != MANIFEST_CSV_FILES) {
        log_error("verify-export: %s lists %zu files, not the %zu of a day", name, json_array_size(files),
                  (size_t)MANIFEST_CSV_FILES);
        problems++;
    } else {
        for (size_t i = 0; i < MANIFEST_CSV_FILES; i++) {
            char expected[64];
            manifest_csv_name(i, day, expected);
            problems += check_file(dir, json_array_get(files, i), expected);
        }
    }
    if (problems) {
        log_error("verify-export: %s: %d problem%s (see above)", name, problems, problems == 1 ? "" : "s");
        json_decref(manifest);
        free(text);
        return 1;
    }
    char key[MANIFEST_KEY_TEXT_LEN];
    manifest_key_text(public_key, key);
    printf("verify-export: %s: %zu files, their SHA-256 and rows as listed, signed by %s; audit head %s\n", name,
           (size_t)MANIFEST_CSV_FILES, key, json_string_value(json_object_get(manifest, "audit_head")));
    json_decref(manifest);
    free(text);
    return 0;
}

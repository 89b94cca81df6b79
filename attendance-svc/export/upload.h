/*
 * The nightly export's upload (docs/export.md): each file PUT to URL/<name>
 * with libcurl, TLS verified, with connect and total timeouts; a try that
 * fails with a 5xx or a network error is repeated after an exponential
 * backoff with jitter (common/retry.h), a 4xx is not. The manifest goes last,
 * and only once every other file is up, so that a receiver that sees a
 * manifest has its files. One JSON log line per try.
 */
#ifndef ATTENDANCE_EXPORT_UPLOAD_H
#define ATTENDANCE_EXPORT_UPLOAD_H

#include <stddef.h>

struct upload_options {
    const char *url;         /* the base: each file goes to url/<name> */
    unsigned tries;          /* per file, the first included */
    long backoff_ms;         /* the first wait */
    long connect_timeout_s, timeout_s;
    const char *token_file;  /* a bearer token for the receiver, or NULL */
    const char *ca_file;     /* CA certificates, or NULL for the system's */
};

/*
 * Whether url may receive the export: https, or http only to a loopback
 * address (a receiver on the same machine); 0, or -1 with the reason in why.
 */
int upload_url_check(const char *url, char *why, size_t why_len);

/*
 * url (already checked) as it may be shown and stored: without a user,
 * password, query or fragment, which may carry secrets. A string to free, or
 * NULL when out of memory.
 */
char *upload_url_public(const char *url);

/*
 * PUTs dir/<names[i]> to url/<names[i]> in order, the last (the manifest)
 * only if all before it went up. 0 when every file went up; -1 when one
 * finally failed (logged), or the upload could not be set up.
 */
int upload_files(const struct upload_options *o, const char *dir, const char *const *names, size_t n);

#endif

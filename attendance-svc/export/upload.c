/*
 * The upload of the export's files (see upload.h). One easy handle serves
 * every try, so that its connection is reused; each try reopens the file and
 * sends it from its first byte.
 */
#include "upload.h"

#include "log.h"
#include "retry.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define USER_AGENT "attendance-svc-nightly/0.1"
#define BACKOFF_MAX_MS (5 * 60 * 1000L)
#define TOKEN_MAX 4096
#define ANSWER_EXCERPT 200 /* bytes of a failed answer's body that go into the log */

int upload_url_check(const char *url, char *why, size_t why_len)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, why_len, "is not a URL");
    } else if (strcasecmp(scheme, "https") == 0) {
        rc = 0;
    } else if (strcasecmp(scheme, "http") == 0 && (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
                                                    strcasecmp(host, "localhost") == 0)) {
        rc = 0; /* the same machine: nothing crosses a network */
    } else {
        snprintf(why, why_len, "must be https (plain http only to a loopback address)");
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

char *upload_url_public(const char *url)
{
    CURLU *u = curl_url();
    char *shown = NULL, *copy = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_URL, &shown, 0) == CURLUE_OK)
        copy = strdup(shown);
    curl_free(shown);
    curl_url_cleanup(u);
    return copy;
}

/* The bearer token in path, without trailing white space, in out; 0, or -1 after logging why. */
static int read_token(const char *path, char out[TOKEN_MAX + 1])
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(out, 1, TOKEN_MAX + 1, f) : 0;
    bool failed = !f || ferror(f);
    if (f)
        fclose(f);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        n--;
    out[n < TOKEN_MAX ? n : TOKEN_MAX] = '\0';
    if (failed || n == 0 || n > TOKEN_MAX || strpbrk(out, "\r\n")) {
        log_error("nightly: ATTENDANCE_EXPORT_UPLOAD_TOKEN_FILE %s %s", path,
                  failed ? "cannot be read" : "must hold one line of at most 4096 bytes");
        sodium_memzero(out, TOKEN_MAX + 1);
        return -1;
    }
    return 0;
}

/* The start of a failed answer's body, kept for the log. */
struct answer {
    char text[ANSWER_EXCERPT + 1];
    size_t len;
};

static size_t on_answer(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct answer *a = userdata;
    size_t n = size * nmemb, room = ANSWER_EXCERPT - a->len;
    memcpy(a->text + a->len, data, n < room ? n : room);
    a->len += n < room ? n : room;
    a->text[a->len] = '\0';
    return n;
}

/* What one try came to. */
struct try_outcome {
    long status;          /* HTTP status, or 0 when no answer came */
    CURLcode transport;
    char error[CURL_ERROR_SIZE];
    long retry_after_s;
    struct answer answer;
};

static CURLcode set_up(CURL *curl, const struct upload_options *o, const char *url, FILE *f, curl_off_t size,
                       struct curl_slist *headers, struct try_outcome *t)
{
    curl_easy_reset(curl);
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_URL, url);
    const struct {
        CURLoption option;
        long value;
    } longs[] = {
        {CURLOPT_UPLOAD, 1L}, /* PUT */
        {CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s},
        {CURLOPT_TIMEOUT, o->timeout_s},
        {CURLOPT_SSL_VERIFYPEER, 1L},
        {CURLOPT_SSL_VERIFYHOST, 2L},
        {CURLOPT_NOSIGNAL, 1L},
        {CURLOPT_FOLLOWLOCATION, 0L}, /* a redirect is the receiver's mistake, not a place to send data */
    };
    for (size_t i = 0; rc == CURLE_OK && i < sizeof longs / sizeof longs[0]; i++)
        rc = curl_easy_setopt(curl, longs[i].option, longs[i].value);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, size);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_READDATA, f); /* libcurl's default reader is fread */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK && o->ca_file)
        rc = curl_easy_setopt(curl, CURLOPT_CAINFO, o->ca_file);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t->answer);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->error);
    return rc;
}

/* One try: PUT the file at path to url. */
static void try_once(CURL *curl, const struct upload_options *o, const char *url, const char *path,
                     struct curl_slist *headers, struct try_outcome *t)
{
    memset(t, 0, sizeof *t);
    t->retry_after_s = -1;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        t->transport = CURLE_READ_ERROR;
        snprintf(t->error, sizeof t->error, "cannot read the file: %s", strerror(errno));
        if (f)
            fclose(f);
        return;
    }
    t->transport = set_up(curl, o, url, f, (curl_off_t)st.st_size, headers, t);
    if (t->transport == CURLE_OK)
        t->transport = curl_easy_perform(curl);
    if (t->transport == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t->status);
        curl_off_t after = 0;
        if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
            t->retry_after_s = (long)after;
    } else if (!t->error[0]) {
        snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(t->transport));
    }
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL); /* t goes out of scope */
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
    fclose(f);
}

/* The headers of a file's PUT; NULL when out of memory. */
static struct curl_slist *headers_for(const char *name, const char *authorization)
{
    size_t len = strlen(name);
    bool csv = len > 4 && strcmp(name + len - 4, ".csv") == 0;
    const char *lines[] = {
        "Expect:", /* send the body at once rather than wait for "100 Continue" */
        csv ? "Content-Type: text/csv; charset=utf-8; header=present" : "Content-Type: application/json",
        authorization,
    };
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0] && lines[i]; i++) {
        struct curl_slist *grown = curl_slist_append(headers, lines[i]);
        if (!grown) {
            curl_slist_free_all(headers);
            return NULL;
        }
        headers = grown;
    }
    return headers;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* PUTs one file until it is taken, refused, or out of tries; 0 when it went up. */
static int put_file(CURL *curl, const struct upload_options *o, const char *dir, const char *name,
                    const char *authorization)
{
    char path[PATH_MAX], url[4096];
    size_t base = strlen(o->url);
    while (base > 0 && o->url[base - 1] == '/') /* "https://host/in/" and a name make one slash */
        base--;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        snprintf(url, sizeof url, "%.*s/%s", (int)base, o->url, name) >= (int)sizeof url) {
        log_error("nightly: the path or URL of %s is too long", name);
        return -1;
    }
    struct curl_slist *headers = headers_for(name, authorization);
    if (!headers) {
        log_error("nightly: out of memory setting up the upload of %s", name);
        return -1;
    }
    int rc = -1;
    for (unsigned attempt = 1;; attempt++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        struct try_outcome t;
        try_once(curl, o, url, path, headers, &t);
        clock_gettime(CLOCK_MONOTONIC, &end);
        bool done = t.transport == CURLE_OK && t.status >= 200 && t.status <= 299;
        bool again = !done && attempt < o->tries && retry_worth_it(t.status, t.transport);
        long wait = again ? retry_backoff_ms(attempt, o->backoff_ms, BACKOFF_MAX_MS, t.retry_after_s,
                                             randombytes_random())
                          : 0;
        json_t *fields = json_pack("{s:s, s:I, s:I, s:s, s:f}", "file", name, "attempt", (json_int_t)attempt,
                                   "tries", (json_int_t)o->tries, "outcome",
                                   done ? "uploaded" : again ? "retrying" : "failed", "seconds",
                                   seconds_between(&start, &end));
        if (fields && t.status)
            json_object_set_new(fields, "status", json_integer(t.status));
        if (fields && t.status == 0)
            json_object_set_new(fields, "error", json_string(t.error));
        if (fields && !done && t.answer.len)
            json_object_set_new(fields, "answer", json_stringn(t.answer.text, t.answer.len)); /* NULL: not UTF-8 */
        if (fields && again)
            json_object_set_new(fields, "wait_ms", json_integer(wait));
        log_fields(done ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "nightly: upload attempt", fields);
        if (done || !again) {
            rc = done ? 0 : -1;
            break;
        }
        retry_sleep_ms(wait);
    }
    curl_slist_free_all(headers);
    return rc;
}

int upload_files(const struct upload_options *o, const char *dir, const char *const *names, size_t n)
{
    char token[TOKEN_MAX + 1], authorization[TOKEN_MAX + 32] = "";
    if (o->token_file) {
        if (read_token(o->token_file, token) != 0)
            return -1;
        snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", token);
        sodium_memzero(token, sizeof token);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("nightly: libcurl cannot start");
        return -1;
    }
    CURL *curl = curl_easy_init();
    size_t sent = 0;
    if (!curl)
        log_error("nightly: libcurl cannot start (out of memory?)");
    while (curl && sent < n && put_file(curl, o, dir, names[sent], o->token_file ? authorization : NULL) == 0)
        sent++;
    if (sent == n)
        log_fields(LOG_LEVEL_INFO, "nightly: upload done", json_pack("{s:I}", "files", (json_int_t)n));
    else if (curl)
        log_error("nightly: the upload of %s failed; %zu of %zu files went up%s", names[sent], sent, n,
                  sent + 1 < n ? " (the manifest was not sent)" : "");
    sodium_memzero(authorization, sizeof authorization);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return sent == n ? 0 : -1;
}

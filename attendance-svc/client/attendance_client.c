/*
 * attendance-client: the reference phone client, a command-line stand-in for
 * the phone app. It logs an employee in with a password only to enrol the
 * phone's Ed25519 key; from then on the device is the credential (contract,
 * "Devices are the employee's credential in the morning"): check-ins go
 * without a token, and the other calls (a home) with the token of a device
 * sign-in. It sends signed check-ins that survive a flaky network:
 * the payload is built and signed once, and every retry re-sends those exact
 * bytes, which the service answers with the first check-in (200), never with
 * a second one.
 *
 * State, in DIR (--state, else $ATTENDANCE_CLIENT_STATE, else
 * ~/.attendance-client; made with mode 0700):
 *   token       the access token of the last password login or device sign-in (0600)
 *   device.key  the device's Ed25519 secret key, libsodium's 64 bytes (0600)
 *   device.id   the id the service gave the device
 *
 * Exit status: 0 done (200/201), 1 refused by the service or no answer after
 * the retries, 2 bad usage (options, numbers, an unreadable selfie file).
 */
#include "api.h"
#include "checkin.h"
#include "dates.h"
#include "retry.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

#define DEFAULT_URL "http://127.0.0.1:8080"
#define DEFAULT_LABEL "attendance-client"
#define CHECKIN_TRIES 5
#define BACKOFF_BASE_MS 250L
#define BACKOFF_MAX_MS 10000L
#define SELFIE_READ_MAX (16u << 20) /* the service takes 2 MiB: let it say 413 for what lies between */
#define STATE_TEXT_MAX 8192

static const char usage_text[] =
    "usage: attendance-client [--url URL] [--state DIR] [--json] COMMAND ...\n"
    "  login NIP PASSWORD             log in with the password (needed to enrol, within 5 minutes)\n"
    "  password NIP CURRENT NEW       change the password (one an admin or an import gave must be changed\n"
    "                                 first) and log in again with the new one\n"
    "  enrol [--label L]              make this device's Ed25519 key and enrol it\n"
    "  home --lat LAT --lon LON --address TEXT\n"
    "                                 register a home (pending until the supervisor approves it)\n"
    "  checkin --type in|out --mode WFO|WFH --lat LAT --lon LON --accuracy M\n"
    "          [--selfie FILE] [--mock] [--captured-at RFC3339] [--presence CODE]\n"
    "                                 sign and send a check-in (retried safely on network errors and 5xx)\n"
    "  leave --kind KIND --from DATE --to DATE --reason TEXT [--start HH:MM --end HH:MM] [--attach FILE]\n"
    "                                 ask for leave (cuti_*, izin, dinas_luar), with its letter (PDF, JPEG, PNG)\n"
    "  explain VIOLATION_ID TEXT      explain one of your pending violations to the reviewers\n"
    "--url      the service (default $ATTENDANCE_CLIENT_URL, else " DEFAULT_URL ")\n"
    "--state    where the token and the device key live (default $ATTENDANCE_CLIENT_STATE,\n"
    "           else ~/.attendance-client)\n"
    "--json     print the service's raw answer instead of a sentence\n"
    "Exit status: 0 done, 1 refused or no answer, 2 bad usage. Put -- before a password that begins with -.\n";

enum option_id {
    OPT_URL,
    OPT_STATE,
    OPT_JSON,
    OPT_HELP,
    OPT_LABEL,
    OPT_LAT,
    OPT_LON,
    OPT_ADDRESS,
    OPT_TYPE,
    OPT_MODE,
    OPT_ACCURACY,
    OPT_SELFIE,
    OPT_MOCK,
    OPT_CAPTURED_AT,
    OPT_PRESENCE,
    OPT_KIND,
    OPT_FROM,
    OPT_TO,
    OPT_START,
    OPT_END,
    OPT_REASON,
    OPT_ATTACH,
    OPT_COUNT
};
#define BIT(o) (1u << (o))
#define GLOBAL_OPTIONS (BIT(OPT_URL) | BIT(OPT_STATE) | BIT(OPT_JSON) | BIT(OPT_HELP))

static const struct option long_options[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"state", required_argument, NULL, OPT_STATE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {"label", required_argument, NULL, OPT_LABEL},
    {"lat", required_argument, NULL, OPT_LAT},
    {"lon", required_argument, NULL, OPT_LON},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"type", required_argument, NULL, OPT_TYPE},
    {"mode", required_argument, NULL, OPT_MODE},
    {"accuracy", required_argument, NULL, OPT_ACCURACY},
    {"selfie", required_argument, NULL, OPT_SELFIE},
    {"mock", no_argument, NULL, OPT_MOCK},
    {"captured-at", required_argument, NULL, OPT_CAPTURED_AT},
    {"presence", required_argument, NULL, OPT_PRESENCE},
    {"kind", required_argument, NULL, OPT_KIND},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    {"reason", required_argument, NULL, OPT_REASON},
    {"attach", required_argument, NULL, OPT_ATTACH},
    {NULL, 0, NULL, 0},
};

struct client {
    const char *url;
    char state_dir[PATH_MAX];
    bool json;
    const char *text[OPT_COUNT]; /* each option's argument as given */
    double lat, lon, accuracy;
    CURL *curl;
};

/* ---- usage ---- */

static int usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "attendance-client: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

static bool parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return *text && !*end && errno == 0 && isfinite(*out);
}

/* ---- the state directory ---- */

static int state_path(const struct client *c, const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s/%s", c->state_dir, name);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Writes DIR/name with mode 0600: created with O_EXCL so it is private from
 * its first byte. exclusive: name itself must not exist (a key is never
 * replaced); otherwise a private temporary file is renamed over name. 0, or
 * -1 with errno set.
 */
static int write_private_file(const struct client *c, const char *name, const void *data, size_t len, bool exclusive)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (state_path(c, name, path, sizeof path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const char *target = exclusive ? path : tmp;
    if (!exclusive)
        unlink(tmp); /* a leftover of an interrupted run */
    int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, data, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    int saved = errno;
    close(fd);
    if (rc == 0 && !exclusive)
        rc = rename(tmp, path);
    else if (rc != 0)
        unlink(target);
    errno = rc == 0 ? 0 : saved;
    return rc;
}

/* Reads DIR/name (at most cap - 1 bytes, NUL-terminated); its length, or -1 with errno set (ENOENT: absent). */
static ssize_t read_state_file(const struct client *c, const char *name, void *buf, size_t cap)
{
    char path[PATH_MAX];
    if (state_path(c, name, path, sizeof path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && ((n = read(fd, (char *)buf + len, cap - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
        len += n > 0 ? (size_t)n : 0;
    close(fd);
    ((char *)buf)[len] = '\0';
    return (ssize_t)len;
}

/* A text file of the state (token, device id), without trailing white space; false after saying what is missing. */
static bool read_state_text(const struct client *c, const char *name, char *buf, size_t cap, const char *missing)
{
    ssize_t n = read_state_file(c, name, buf, cap);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n > 0)
        return true;
    if (n < 0 && errno != ENOENT)
        fprintf(stderr, "attendance-client: cannot read %s/%s: %s\n", c->state_dir, name, strerror(errno));
    else
        fprintf(stderr, "attendance-client: %s\n", missing);
    return false;
}

static bool read_token(const struct client *c, char *buf, size_t cap)
{
    return read_state_text(c, "token", buf, cap, "not logged in: run `attendance-client login NIP PASSWORD` first");
}

static bool state_exists(const struct client *c, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    return state_path(c, name, path, sizeof path) == 0 && lstat(path, &st) == 0;
}

/* The enrolled device's id and secret key; false after saying what is missing. */
static bool read_device(const struct client *c, char device_id[64], unsigned char sk[crypto_sign_SECRETKEYBYTES + 1])
{
    if (!read_state_text(c, "device.id", device_id, 64, "no device: run `attendance-client enrol` first"))
        return false;
    if (read_state_file(c, "device.key", sk, crypto_sign_SECRETKEYBYTES + 1) != crypto_sign_SECRETKEYBYTES) {
        fprintf(stderr, "attendance-client: %s/device.key is missing or not a key\n", c->state_dir);
        sodium_memzero(sk, crypto_sign_SECRETKEYBYTES + 1);
        return false;
    }
    return true;
}

/* ---- answers ---- */

/*
 * After a call: prints the raw answer with --json, or why it failed.
 * EXIT_DONE for a 2xx, else EXIT_REFUSED.
 */
static int report(const struct client *c, const struct api_call *call, const char *what)
{
    if (c->json && call->answer.len)
        printf("%s\n", call->answer.data);
    if (api_call_ok(call))
        return EXIT_DONE;
    char why[1024];
    api_describe_failure(call, why, sizeof why);
    fprintf(stderr, "%s %s: %s\n", what, call->status ? "rejected" : "failed", why);
    if (call->status == 401)
        fprintf(stderr, "(if the token has expired, log in again)\n");
    return EXIT_REFUSED;
}

static int out_of_memory(void)
{
    fprintf(stderr, "attendance-client: out of memory\n");
    return EXIT_REFUSED;
}

/* ---- login ---- */

/* Logs nip in with password and keeps the token; says so unless quiet. EXIT_DONE or EXIT_REFUSED. */
static int log_in(struct client *c, const char *nip, const char *password, bool quiet)
{
    json_t *body = json_pack("{s:s, s:s}", "username", nip, "password", password);
    struct api_call *call = body ? api_call_json("POST", NULL, body, "/v1/auth/login") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    int rc = report(c, call, "login");
    const char *token = api_answer_string(call, "access_token");
    if (rc == EXIT_DONE && !token) {
        fprintf(stderr, "login: the answer has no access_token\n");
        rc = EXIT_REFUSED;
    }
    if (rc == EXIT_DONE && write_private_file(c, "token", token, strlen(token), false) != 0) {
        fprintf(stderr, "attendance-client: cannot write %s/token: %s\n", c->state_dir, strerror(errno));
        rc = EXIT_REFUSED;
    }
    if (rc == EXIT_DONE && !c->json && !quiet)
        printf("logged in as %s (%s); the token lasts %lld s and is kept in %s/token\n", nip,
               api_answer_string(call, "role") ?: "?",
               (long long)json_integer_value(json_object_get(call->json, "expires_in")), c->state_dir);
    if (rc == EXIT_DONE && !quiet && json_is_true(json_object_get(call->json, "password_change_required")))
        fprintf(stderr, "login: this password was given by an admin or an import: change it first with "
                        "`attendance-client password NIP CURRENT NEW`\n");
    api_call_free(call);
    return rc;
}

static int cmd_login(struct client *c, char **args) { return log_in(c, args[0], args[1], false); }

/*
 * The token for a call other than a check-in: an enrolled phone signs in with
 * its device (POST /v1/auth/device; no password), and keeps the token; before
 * enrolment, the password login's. False after saying why not.
 */
static bool session_token(struct client *c, char *token, size_t cap)
{
    if (!state_exists(c, "device.id"))
        return read_token(c, token, cap);
    char device_id[64];
    unsigned char sk[crypto_sign_SECRETKEYBYTES + 1];
    if (!read_device(c, device_id, sk))
        return false;
    json_t *body = sign_in_body(device_id, sk);
    sodium_memzero(sk, sizeof sk);
    struct api_call *call = body ? api_call_json("POST", NULL, body, "/v1/auth/device") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        out_of_memory();
        return false;
    }
    const char *answer = api_call_ok(call) ? api_answer_string(call, "access_token") : NULL;
    bool ok = answer && strlen(answer) < cap;
    if (ok) {
        memcpy(token, answer, strlen(answer) + 1);
        if (write_private_file(c, "token", token, strlen(token), false) != 0)
            fprintf(stderr, "attendance-client: cannot write %s/token: %s\n", c->state_dir, strerror(errno));
    } else {
        char why[1024];
        api_describe_failure(call, why, sizeof why);
        fprintf(stderr, "device sign-in %s: %s\n", call->status ? "rejected" : "failed", why);
    }
    api_call_free(call);
    return ok;
}

/* ---- password ---- */

/* password NIP CURRENT NEW: logs in, changes the password, and logs in again with the new one. */
static int cmd_password(struct client *c, char **args)
{
    int rc = log_in(c, args[0], args[1], true);
    char token[STATE_TEXT_MAX];
    if (rc != EXIT_DONE || !read_token(c, token, sizeof token))
        return EXIT_REFUSED;
    json_t *body = json_pack("{s:s, s:s}", "current_password", args[1], "new_password", args[2]);
    struct api_call *call = body ? api_call_json("POST", token, body, "/v1/auth/password") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    rc = report(c, call, "password");
    api_call_free(call);
    if (rc != EXIT_DONE)
        return rc;
    /* The token of the old password stopped working with the change. */
    rc = log_in(c, args[0], args[2], true);
    if (rc == EXIT_DONE && !c->json)
        printf("password changed; logged in again as %s (the token is kept in %s/token)\n", args[0], c->state_dir);
    return rc;
}

/* ---- enrol ---- */

/* The id of the caller's active device with public_key, or NULL: an enrolment whose answer was lost. */
static char *find_bound_device(struct client *c, const char *token, const char *public_key)
{
    struct api_call *call = api_call_json("GET", token, NULL, "/v1/devices?limit=500");
    char *id = NULL;
    if (call && api_call_perform(c->curl, c->url, call) == 0 && api_call_ok(call)) {
        size_t i;
        json_t *device;
        json_array_foreach(json_object_get(call->json, "items"), i, device) {
            const char *key = json_string_value(json_object_get(device, "public_key"));
            if (key && strcmp(key, public_key) == 0 && json_is_true(json_object_get(device, "active")))
                id = strdup(json_string_value(json_object_get(device, "id")) ?: "");
        }
    }
    api_call_free(call);
    return id;
}

/* Loads device.key, or makes a new key and writes it; false after saying why not. */
static bool device_key(struct client *c, unsigned char sk[crypto_sign_SECRETKEYBYTES], bool *resumed)
{
    unsigned char buf[crypto_sign_SECRETKEYBYTES + 1];
    ssize_t n = read_state_file(c, "device.key", buf, sizeof buf);
    *resumed = n >= 0;
    if (n == crypto_sign_SECRETKEYBYTES) {
        /* A key with no device.id: an enrolment that was interrupted. Reusing the key finishes it. */
        memcpy(sk, buf, crypto_sign_SECRETKEYBYTES);
        sodium_memzero(buf, sizeof buf);
        return true;
    }
    if (n >= 0) {
        fprintf(stderr, "attendance-client: %s/device.key is not a key (%zd bytes); remove it to enrol again\n",
                c->state_dir, n);
        return false;
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, sk);
    if (write_private_file(c, "device.key", sk, crypto_sign_SECRETKEYBYTES, true) != 0) {
        fprintf(stderr, "attendance-client: cannot write %s/device.key: %s\n", c->state_dir, strerror(errno));
        return false;
    }
    return true;
}

static int cmd_enrol(struct client *c, char **args)
{
    char token[STATE_TEXT_MAX], id_text[64];
    if (!read_token(c, token, sizeof token))
        return EXIT_REFUSED;
    if (state_exists(c, "device.id")) {
        ssize_t n = read_state_file(c, "device.id", id_text, sizeof id_text);
        fprintf(stderr, "attendance-client: already enrolled as device %s (its key is %s/device.key)\n",
                n > 0 ? id_text : "?", c->state_dir);
        return EXIT_REFUSED;
    }
    unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    bool resumed;
    if (!device_key(c, sk, &resumed))
        return EXIT_REFUSED;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    sodium_memzero(sk, sizeof sk);
    char pk_text[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(pk_text, sizeof pk_text, pk, sizeof pk, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

    const char *label = c->text[OPT_LABEL] ? c->text[OPT_LABEL] : DEFAULT_LABEL;
    json_t *body = json_pack("{s:s, s:s}", "public_key", pk_text, "label", label);
    struct api_call *call = body ? api_call_json("POST", token, body, "/v1/devices") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    char *device_id = NULL;
    if (call->status == 201)
        device_id = strdup(api_answer_string(call, "device_id") ?: "");
    else if (call->status == 409 && resumed)
        device_id = find_bound_device(c, token, pk_text);
    int rc;
    if (device_id && *device_id) {
        if (c->json && call->answer.len)
            printf("%s\n", call->answer.data);
        rc = write_private_file(c, "device.id", device_id, strlen(device_id), false) == 0 ? EXIT_DONE : EXIT_REFUSED;
        if (rc != EXIT_DONE)
            fprintf(stderr, "attendance-client: cannot write %s/device.id: %s\n", c->state_dir, strerror(errno));
        else if (!c->json)
            printf("device %s enrolled%s (label \"%s\"); its key is in %s/device.key\n", device_id,
                   call->status == 201 ? "" : " earlier with this key (that answer was lost)", label, c->state_dir);
    } else {
        rc = report(c, call, "enrol");
        char path[PATH_MAX];
        /* Refused: the key is bound to nothing and goes. No answer: the service may have it; keep it. */
        if (call->status != 0 && state_path(c, "device.key", path, sizeof path) == 0)
            unlink(path);
        else if (call->status == 0)
            fprintf(stderr, "run enrol again to finish: the same key will be used\n");
    }
    free(device_id);
    api_call_free(call);
    return rc;
}

/* ---- home ---- */

static int cmd_home(struct client *c, char **args)
{
    char token[STATE_TEXT_MAX];
    if (!session_token(c, token, sizeof token))
        return EXIT_REFUSED;
    json_t *body = json_pack("{s:f, s:f, s:s}", "lat", c->lat, "lon", c->lon, "address", c->text[OPT_ADDRESS]);
    struct api_call *call = body ? api_call_json("POST", token, body, "/v1/homes") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    int rc = report(c, call, "home");
    if (rc == EXIT_DONE && !c->json)
        printf("home %s registered (%s): it counts for WFH once your supervisor approves it\n",
               api_answer_string(call, "home_id") ?: "?", api_answer_string(call, "status") ?: "?");
    api_call_free(call);
    return rc;
}

/* ---- checkin ---- */

/* Reads the file to send (what: "selfie", "attachment") into *data; false after saying why not. */
static bool read_upload(const char *path, const char *what, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "attendance-client: cannot open the %s %s: %s\n", what, path, strerror(errno));
        return false;
    }
    struct buffer b = {0};
    unsigned char chunk[65536];
    size_t n;
    const char *problem = NULL;
    while (!problem && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > SELFIE_READ_MAX)
            problem = "it is over 16 MiB";
        else if (buffer_append(&b, chunk, n) != 0)
            problem = "out of memory";
    }
    if (!problem && ferror(f))
        problem = strerror(errno);
    if (!problem && b.len == 0)
        problem = "it is empty";
    fclose(f);
    if (problem) {
        fprintf(stderr, "attendance-client: cannot use the %s %s: %s\n", what, path, problem);
        buffer_free(&b);
        return false;
    }
    *data = (unsigned char *)b.data;
    *len = b.len;
    return true;
}

static void print_accepted(const struct api_call *call)
{
    const json_t *geofence = json_object_get(call->json, "geofence");
    const char *place = json_string_value(json_object_get(geofence, "place"));
    printf("check-in accepted (id %s%s): ", api_answer_string(call, "checkin_id") ?: "?",
           call->status == 200 ? "; the service had it already" : "");
    if (place)
        printf("%s %s, %g m", json_is_true(json_object_get(geofence, "inside")) ? "inside" : "outside", place,
               json_number_value(json_object_get(geofence, "distance_m")));
    else
        printf("no place to check against");
    if (json_is_true(json_object_get(call->json, "selfie_attached")))
        printf("; selfie attached");
    printf("; violations: ");
    size_t i;
    json_t *v;
    const json_t *violations = json_object_get(call->json, "violations");
    json_array_foreach(violations, i, v) printf("%s%s", i ? ", " : "", json_string_value(json_object_get(v, "code")));
    printf("%s\n", json_array_size(violations) ? "" : "none");
}

/* What every try of a check-in sends: the bytes signed once. */
struct checkin_body {
    const struct signed_checkin *signed_checkin;
    const unsigned char *selfie;
    size_t selfie_len;
    const char *filename;
};

/* Sends the check-in until it is answered, refused, or out of tries; the same bytes every time. */
static int send_with_retries(struct client *c, struct api_call *call, const struct checkin_body *body)
{
    for (int attempt = 1;; attempt++) {
        /* A new multipart body of the same bytes for each try (see api_call.mime). */
        curl_mime_free(call->mime);
        call->mime = checkin_mime(c->curl, body->signed_checkin->payload, body->signed_checkin->payload_len,
                                  body->signed_checkin->signature, body->selfie, body->selfie_len, body->filename);
        if (!call->mime || api_call_perform(c->curl, c->url, call) != 0)
            return out_of_memory();
        if (!retry_worth_it(call->status, call->transport) || attempt == CHECKIN_TRIES)
            return report(c, call, "check-in");
        long wait = retry_backoff_ms((unsigned)attempt, BACKOFF_BASE_MS, BACKOFF_MAX_MS, call->retry_after_s,
                                     randombytes_random());
        char why[1024];
        api_describe_failure(call, why, sizeof why);
        fprintf(stderr, "try %d of %d: %s; sending the same signed check-in again in %.2f s\n", attempt,
                CHECKIN_TRIES, why, wait / 1000.0);
        retry_sleep_ms(wait);
    }
}

static int cmd_checkin(struct client *c, char **args)
{
    unsigned char *selfie = NULL;
    size_t selfie_len = 0;
    char selfie_hex[crypto_hash_sha256_BYTES * 2 + 1];
    if (c->text[OPT_SELFIE]) {
        if (!read_upload(c->text[OPT_SELFIE], "selfie", &selfie, &selfie_len))
            return EXIT_USAGE;
        sha256_hex(selfie, selfie_len, selfie_hex);
    }
    char device_id[64];
    unsigned char sk[crypto_sign_SECRETKEYBYTES + 1];
    if (!read_device(c, device_id, sk)) {
        free(selfie);
        return EXIT_REFUSED;
    }
    char now[RFC3339_MS_SIZE];
    rfc3339_ms(wall_ms(), now);
    struct checkin_fields fields = {
        .device_id = device_id,
        .type = c->text[OPT_TYPE],
        .mode = c->text[OPT_MODE],
        .captured_at = c->text[OPT_CAPTURED_AT] ? c->text[OPT_CAPTURED_AT] : now,
        .lat = c->lat,
        .lon = c->lon,
        .accuracy_m = c->accuracy,
        .mock_location = c->text[OPT_MOCK] != NULL,
        .selfie_sha256 = selfie ? selfie_hex : NULL,
        .presence = c->text[OPT_PRESENCE],
    };
    struct signed_checkin signed_checkin = {0};
    int signed_ok = checkin_sign(&fields, sk, &signed_checkin);
    sodium_memzero(sk, sizeof sk);
    /* No token: the signature is the credential, so a phone checks in at 07:00 without a login. */
    struct api_call *call = signed_ok == 0 ? api_call_json("POST", NULL, NULL, "/v1/checkins") : NULL;
    const char *filename = c->text[OPT_SELFIE] ? strrchr(c->text[OPT_SELFIE], '/') : NULL;
    struct checkin_body body = {&signed_checkin, selfie, selfie_len, filename ? filename + 1 : c->text[OPT_SELFIE]};
    int rc = call ? send_with_retries(c, call, &body) : out_of_memory();
    if (rc == EXIT_DONE && !c->json)
        print_accepted(call);
    api_call_free(call);
    signed_checkin_free(&signed_checkin);
    free(selfie);
    return rc;
}

/* ---- leave and explain ---- */

/* The attachment's type by its magic bytes, as the service judges it; NULL for another kind of file. */
static const char *attachment_type(const unsigned char *data, size_t len)
{
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
        return "application/pdf";
    if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0)
        return "image/jpeg";
    if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    return NULL;
}

/* PUTs the file as the leave's attachment; EXIT_DONE, EXIT_REFUSED or EXIT_USAGE. */
static int attach_letter(struct client *c, const char *token, const char *leave_id, const char *path)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (!read_upload(path, "attachment", &data, &len))
        return EXIT_USAGE;
    const char *type = attachment_type(data, len);
    if (!type) {
        fprintf(stderr, "attendance-client: the attachment %s is not a PDF, JPEG or PNG\n", path);
        free(data);
        return EXIT_USAGE;
    }
    struct api_call *call = api_call_json("PUT", token, NULL, "/v1/leave/%s/attachment", leave_id);
    if (!call) {
        free(data);
        return out_of_memory();
    }
    call->body = (char *)data; /* the call owns it now */
    call->body_len = len;
    call->content_type = type;
    int rc = api_call_perform(c->curl, c->url, call) == 0 ? report(c, call, "attachment") : out_of_memory();
    if (rc == EXIT_DONE && !c->json)
        printf("attached %s (%s)\n", path, type);
    api_call_free(call);
    return rc;
}

static int cmd_leave(struct client *c, char **args)
{
    (void)args;
    char token[STATE_TEXT_MAX];
    if (!read_token(c, token, sizeof token))
        return EXIT_REFUSED;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "kind", c->text[OPT_KIND], "from", c->text[OPT_FROM], "to",
                             c->text[OPT_TO], "reason", c->text[OPT_REASON]);
    if (body && c->text[OPT_START])
        json_object_set_new(body, "start", json_string(c->text[OPT_START]));
    if (body && c->text[OPT_END])
        json_object_set_new(body, "end", json_string(c->text[OPT_END]));
    struct api_call *call = body ? api_call_json("POST", token, body, "/v1/leave") : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    int rc = report(c, call, "leave");
    const char *id = api_answer_string(call, "leave_id");
    if (rc == EXIT_DONE && !c->json)
        printf("leave %s asked (%s): it counts once your supervisor approves it\n", id ? id : "?",
               api_answer_string(call, "status") ?: "?");
    if (rc == EXIT_DONE && id && c->text[OPT_ATTACH])
        rc = attach_letter(c, token, id, c->text[OPT_ATTACH]);
    api_call_free(call);
    return rc;
}

static int cmd_explain(struct client *c, char **args)
{
    char token[STATE_TEXT_MAX];
    if (strspn(args[0], "0123456789") != strlen(args[0]) || !*args[0])
        return usage_error("the violation id must be a number, not %s", args[0]);
    if (!read_token(c, token, sizeof token))
        return EXIT_REFUSED;
    json_t *body = json_pack("{s:s}", "text", args[1]);
    struct api_call *call = body ? api_call_json("POST", token, body, "/v1/violations/%s/explanation", args[0]) : NULL;
    json_decref(body);
    if (!call || api_call_perform(c->curl, c->url, call) != 0) {
        api_call_free(call);
        return out_of_memory();
    }
    int rc = report(c, call, "explanation");
    if (rc == EXIT_DONE && !c->json)
        printf("violation %s explained: the reviewers read it with the evidence\n", args[0]);
    api_call_free(call);
    return rc;
}

/* ---- main ---- */

struct command {
    const char *name;
    int positional;
    const char *arguments; /* what the positional arguments are, for the usage error */
    unsigned options;  /* the command's own options */
    unsigned required; /* those it cannot do without */
    int (*run)(struct client *c, char **args);
};

static const struct command commands[] = {
    {"login", 2, "NIP PASSWORD", 0, 0, cmd_login},
    {"password", 3, "NIP CURRENT NEW", 0, 0, cmd_password},
    {"enrol", 0, NULL, BIT(OPT_LABEL), 0, cmd_enrol},
    {"home", 0, NULL, BIT(OPT_LAT) | BIT(OPT_LON) | BIT(OPT_ADDRESS), BIT(OPT_LAT) | BIT(OPT_LON) | BIT(OPT_ADDRESS),
     cmd_home},
    {"checkin", 0, NULL,
     BIT(OPT_TYPE) | BIT(OPT_MODE) | BIT(OPT_LAT) | BIT(OPT_LON) | BIT(OPT_ACCURACY) | BIT(OPT_SELFIE) |
         BIT(OPT_MOCK) | BIT(OPT_CAPTURED_AT) | BIT(OPT_PRESENCE),
     BIT(OPT_TYPE) | BIT(OPT_MODE) | BIT(OPT_LAT) | BIT(OPT_LON) | BIT(OPT_ACCURACY), cmd_checkin},
    {"leave", 0, NULL,
     BIT(OPT_KIND) | BIT(OPT_FROM) | BIT(OPT_TO) | BIT(OPT_REASON) | BIT(OPT_START) | BIT(OPT_END) | BIT(OPT_ATTACH),
     BIT(OPT_KIND) | BIT(OPT_FROM) | BIT(OPT_TO) | BIT(OPT_REASON), cmd_leave},
    {"explain", 2, "VIOLATION_ID TEXT", 0, 0, cmd_explain},
};

/* Checks the command's options and reads its numbers; EXIT_DONE, or EXIT_USAGE after saying why. */
static int check_options(struct client *c, const struct command *cmd, unsigned given)
{
    for (int o = 0; o < OPT_COUNT; o++) {
        if ((given & BIT(o)) && !((GLOBAL_OPTIONS | cmd->options) & BIT(o)))
            return usage_error("--%s does not go with this command", long_options[o].name);
        if ((cmd->required & BIT(o)) && !(given & BIT(o)))
            return usage_error("--%s is required", long_options[o].name);
    }
    const struct {
        enum option_id option;
        double *out;
    } numbers[] = {{OPT_LAT, &c->lat}, {OPT_LON, &c->lon}, {OPT_ACCURACY, &c->accuracy}};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        if (c->text[numbers[i].option] && !parse_number(c->text[numbers[i].option], numbers[i].out))
            return usage_error("--%s must be a finite number", long_options[numbers[i].option].name);
    const char *type = c->text[OPT_TYPE], *mode = c->text[OPT_MODE];
    if (type && strcmp(type, "in") != 0 && strcmp(type, "out") != 0)
        return usage_error("--type must be in or out, not %s", type);
    if (mode && strcmp(mode, "WFO") != 0 && strcmp(mode, "WFH") != 0)
        return usage_error("--mode must be WFO or WFH, not %s", mode);
    int64_t us;
    if (c->text[OPT_CAPTURED_AT] && rfc3339_parse_us(c->text[OPT_CAPTURED_AT], &us) != 0)
        return usage_error("--captured-at must be an RFC 3339 time with an offset, not %s", c->text[OPT_CAPTURED_AT]);
    return EXIT_DONE;
}

/* --state, else $ATTENDANCE_CLIENT_STATE, else ~/.attendance-client; EXIT_USAGE after saying why not. */
static int choose_state_dir(struct client *c)
{
    const char *dir = c->text[OPT_STATE] ? c->text[OPT_STATE] : getenv("ATTENDANCE_CLIENT_STATE");
    const char *home = getenv("HOME");
    int n = dir && *dir ? snprintf(c->state_dir, sizeof c->state_dir, "%s", dir)
            : home && *home ? snprintf(c->state_dir, sizeof c->state_dir, "%s/.attendance-client", home)
                            : -1;
    if (n < 0 || (size_t)n >= sizeof c->state_dir)
        return usage_error("%s", "no state directory: give --state DIR (or set HOME)");
    if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "attendance-client: cannot make %s: %s\n", c->state_dir, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    umask(077); /* whatever this program creates is the user's alone */
    struct client c = {0};
    unsigned given = 0;
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (opt == '?')
            return usage_error("unknown option or missing value: %s", argv[optind - 1]);
        given |= BIT(opt);
        c.text[opt] = optarg ? optarg : "";
    }
    if (given & BIT(OPT_HELP)) {
        fputs(usage_text, stdout);
        return EXIT_DONE;
    }
    if (optind >= argc)
        return usage_error("%s", "a command is needed");
    const struct command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, argv[optind]) == 0)
            cmd = &commands[i];
    if (!cmd)
        return usage_error("unknown command %s", argv[optind]);
    if (argc - optind - 1 != cmd->positional)
        return cmd->positional ? usage_error("this command takes %s", cmd->arguments)
                               : usage_error("%s takes no arguments", cmd->name);
    int rc = check_options(&c, cmd, given);
    if (rc == EXIT_DONE)
        rc = choose_state_dir(&c);
    if (rc != EXIT_DONE)
        return rc;
    const char *env_url = getenv("ATTENDANCE_CLIENT_URL");
    c.url = c.text[OPT_URL] ? c.text[OPT_URL] : env_url && *env_url ? env_url : DEFAULT_URL;
    c.json = given & BIT(OPT_JSON);

    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "attendance-client: cannot initialise libsodium or libcurl\n");
        return EXIT_REFUSED;
    }
    c.curl = curl_easy_init();
    rc = c.curl ? cmd->run(&c, argv + optind + 1) : out_of_memory();
    curl_easy_cleanup(c.curl);
    curl_global_cleanup();
    return rc;
}

/*
 * attendance-loadgen: drives POST /v1/checkins of a service on this machine
 * (loopback only) and reports throughput, latency percentiles, answers by
 * HTTP status and the service's peak RSS.
 *
 * It prepares everything through the API (a unit with no work days so that
 * no lateness is flagged, one circle office, M employees by one CSV import,
 * their logins (only to enrol: check-ins go without a token, as a phone's in
 * the morning), one enrolled Ed25519 device each, approved homes and, where
 * the service has rosters, a WFH roster for the WFH share), then sends check-ins in the mix of a working day: 80% WFO inside the
 * office, 10% WFH at the approved home, 5% outside the geofence, 5% WFO with
 * a 200 KB selfie. Each employee always checks in from the same place, so no
 * IMPOSSIBLE_TRAVEL comes from the mix.
 *
 * Check-ins are pre-signed while the clock is stopped, in rounds of about
 * ROUND_SECONDS of the run at the pace measured so far, and a run lasts at
 * most MAX_RUN_SECONDS, so no captured_at is the 15 minutes old that
 * LATE_SYNC flags when it is sent. Closed loop (default): N
 * connections, each sending the next check-in as soon as its answer came.
 * Open loop (--rate R): check-in i is due at i/R seconds, sent then if a
 * connection is free, and its latency counts from when it was due, so a slow
 * service is not hidden by the generator waiting for it (coordinated omission).
 */
#include "api.h"
#include "checkin.h"
#include "dates.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define OFFICE_LAT (-6.1818)
#define OFFICE_LON 106.8283
#define OFFICE_RADIUS_M 150.0
#define METRES_PER_DEGREE 111195.0 /* of latitude; near the equator, of longitude too */
#define SELFIE_BYTES (200u * 1024u)
#define NO_SELFIE UINT32_MAX
#define PREP_PARALLEL 8 /* logins cost a full Argon2id hash each: more would only queue */
#define PREP_RETRIES 30
#define ROUND_SECONDS 30.0
#define ROUND_MAX_ITEMS 1000000u
#define MAX_RUN_SECONDS 600.0
/* Open loop: how long after the schedule's end check-ins still queued for a connection may be sent. */
#define OPEN_LOOP_GRACE_S 10.0
#define DEFAULT_DURATION_S 10.0
#define DEFAULT_CONNECTIONS 8u
#define MAX_EMPLOYEES 100000u
#define MAX_CONNECTIONS 1024u
#define MAX_REQUESTS 10000000u
#define MAX_RATE 100000.0
#define HTTP_STATUSES 600

static const char usage_text[] =
    "usage: attendance-loadgen --url URL --admin USER:PASSWORD --employees M [--connections N]\n"
    "                          [--duration S | --requests K] [--rate R] [--unit-code CODE]\n"
    "                          [--service-pid PID] [--seed-only] [--latency-log FILE]\n"
    "  --url          the service, on this machine only (127.0.0.0/8, localhost, [::1])\n"
    "  --admin        an admin login, to make the unit, office, employees and supervisor\n"
    "  --employees    how many employees check in (at least 3)\n"
    "  --connections  keep-alive connections (default 8)\n"
    "  --duration     seconds of load (default 10; at most 600), or\n"
    "  --requests     how many check-ins (the run still stops after 600 s)\n"
    "  --rate         open loop: R check-ins per second on schedule (default: closed loop, full speed)\n"
    "  --unit-code    the code of the unit made for the run (default LG-<random>)\n"
    "  --service-pid  report the service's peak RSS (VmHWM)\n"
    "  --seed-only    prepare the data and stop\n"
    "  --latency-log  write a line per check-in to FILE: seconds from the start when it was due, milliseconds\n"
    "                 the generator sent it late by, its latency in milliseconds (from when due), HTTP status\n"
    "                 (0: no answer), kind (0 WFO inside, 1 WFH, 2 outside, 3 with a selfie)\n"
    "Check-ins go without a token, as a phone's in the morning: the device's signature authenticates them;\n"
    "the employees' password logins are made only to enrol their devices.\n"
    "Prints a table and, last, one JSON line: {\"checkins\", \"seconds\", \"per_s\", \"p50_ms\", \"p90_ms\",\n"
    "\"p99_ms\", \"max_ms\", \"status\": {\"201\": n, ...} (\"0\": no answer), \"rss_mb\"}.\n";

/* ---- latency histogram: log-linear buckets of microseconds ---- */

/* 64 sub-buckets per power of two (under 1.6% error above 128 us); exact below. */
#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct histogram {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total, max_us;
};

static size_t bucket_of(uint64_t us)
{
    if (us < 2 * HIST_SUB)
        return (size_t)us;
    unsigned e = 63u - (unsigned)__builtin_clzll(us);
    return (size_t)(e - HIST_SUB_BITS) * HIST_SUB + (size_t)(us >> (e - HIST_SUB_BITS));
}

/* The highest value that falls in bucket i. */
static uint64_t bucket_top(size_t i)
{
    if (i < 2 * HIST_SUB)
        return i;
    unsigned e = (unsigned)(i / HIST_SUB) + HIST_SUB_BITS - 1;
    uint64_t m = i % HIST_SUB + HIST_SUB;
    return ((m + 1) << (e - HIST_SUB_BITS)) - 1;
}

static void hist_record(struct histogram *h, uint64_t us)
{
    h->counts[bucket_of(us)]++;
    h->total++;
    if (us > h->max_us)
        h->max_us = us;
}

static double hist_percentile_ms(const struct histogram *h, double p)
{
    if (h->total == 0)
        return 0;
    uint64_t want = (uint64_t)ceil(p * (double)h->total), seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= want && h->counts[i]) {
            uint64_t top = bucket_top(i);
            return (double)(top < h->max_us ? top : h->max_us) / 1000.0;
        }
    }
    return (double)h->max_us / 1000.0;
}

/* ---- the run's state ---- */

enum checkin_kind { WFO_OFFICE, WFH_HOME, WFO_OUTSIDE, WFO_SELFIE, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = {"WFO in the office", "WFH at the approved home",
                                                   "WFO outside the geofence", "WFO with a 200 KB selfie"};

/* The pools of employees by where they check in: office (WFO and selfies), home (WFH), outside. */
enum pool { POOL_OFFICE, POOL_HOME, POOL_OUTSIDE, POOL_COUNT };

struct employee {
    char nip[32]; /* 18 digits; room that the compiler can see */
    char *token, *employee_id, *device_id;
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    double lat, lon; /* where its check-ins are made */
};

struct presigned {
    size_t offset, len; /* the payload in the round's arena */
    uint32_t employee;
    uint32_t selfie; /* the selfie's number, or NO_SELFIE */
    enum checkin_kind kind;
    char signature[CHECKIN_SIGNATURE_TEXT];
};

struct round {
    struct presigned *items;
    size_t count;
    struct buffer arena;
};

struct slot {
    CURL *easy;
    struct api_call *call;
    double due; /* monotonic seconds: when its check-in was due (open loop) or sent (closed loop) */
    double sent; /* monotonic seconds: when it was handed to curl (later than due when the generator lags) */
    enum checkin_kind kind;
    bool busy;
    unsigned char *selfie; /* SELFIE_BYTES, made when first needed */
};

struct options {
    const char *url, *admin, *unit_code, *latency_log;
    unsigned employees, connections;
    double duration_s, rate;
    unsigned long requests;
    long service_pid;
    bool seed_only;
};

struct loadgen {
    struct options o;
    char url[1024];
    char unit_code[40];
    char *unit_id;
    char *admin_token, *supervisor_token;
    char password[33]; /* the password the admin gives the employees and the supervisor for this run */
    char own_password[40]; /* the one each of them changes it to at its first login (contract, "Passwords") */
    struct employee *employees;
    size_t pool_start[POOL_COUNT], pool_size[POOL_COUNT], pool_next[POOL_COUNT];

    unsigned char selfie_key[randombytes_SEEDBYTES];
    unsigned char *scratch; /* SELFIE_BYTES, for hashing selfies while pre-signing */
    uint32_t selfies_made;

    CURLM *multi;
    struct slot *slots;
    FILE *latency_log; /* --latency-log: a line per check-in */
    double driving_since; /* monotonic seconds when the first round began */

    /* What the run measured. */
    size_t sent, unsent; /* unsent: scheduled (open loop) but never sent within the grace */
    double measured_s, presign_s;
    unsigned rounds;
    struct histogram hist;
    struct histogram hist_by_kind[KIND_COUNT]; /* which kind of check-in sets the tail */
    uint64_t status[HTTP_STATUSES];
    char *first_error[HTTP_STATUSES];
    uint64_t kinds[KIND_COUNT];
    json_t *violations; /* code -> count */
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Says that memory or libcurl failed; -1. */
static int out_of_memory(void)
{
    fprintf(stderr, "attendance-loadgen: out of memory, or libcurl failed\n");
    return -1;
}

/* ---- preparation through the API ---- */

/* A call with body (stolen; NULL when json_pack ran out of memory); NULL when out of memory. */
static struct api_call *new_call(const char *method, const char *token, json_t *body, const char *path)
{
    struct api_call *call = body ? api_call_json(method, token, body, "%s", path) : NULL;
    json_decref(body);
    return call;
}

/* Sends one call and wants status; the call for its answer, or NULL after saying what failed. */
static struct api_call *call_once(struct loadgen *g, CURL *curl, struct api_call *call, long status, const char *what)
{
    if (!call || api_call_perform(curl, g->url, call) != 0) {
        out_of_memory();
    } else if (call->status == status) {
        return call;
    } else {
        char why[1024];
        api_describe_failure(call, why, sizeof why);
        fprintf(stderr, "attendance-loadgen: %s: %s\n", what, why);
    }
    api_call_free(call);
    return NULL;
}

/*
 * Sends calls, PREP_PARALLEL at a time, and wants status of each; 0, or -1
 * after saying what failed. Those answered 503 (a login that found every
 * hashing thread busy: login_busy) are sent again a second later, as a phone
 * would, up to PREP_RETRIES times.
 */
static int run_batch(struct loadgen *g, struct api_call **calls, size_t n, long status, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!calls[i])
            return out_of_memory();
    struct api_call **again = malloc(n * sizeof *again);
    if (!again || api_calls_parallel(g->url, calls, n, PREP_PARALLEL) != 0) {
        free(again);
        return out_of_memory();
    }
    for (int retry = 0; retry < PREP_RETRIES; retry++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (calls[i]->status == 503) {
                api_call_clear_outcome(calls[i]);
                again[m++] = calls[i];
            }
        if (m == 0)
            break;
        struct timespec pause = {1, 0};
        nanosleep(&pause, NULL);
        if (api_calls_parallel(g->url, again, m, PREP_PARALLEL) != 0) {
            free(again);
            return out_of_memory();
        }
    }
    free(again);
    for (size_t i = 0; i < n; i++) {
        if (calls[i]->status != status) {
            char why[1024];
            api_describe_failure(calls[i], why, sizeof why);
            fprintf(stderr, "attendance-loadgen: %s (%zu of %zu): %s\n", what, i + 1, n, why);
            return -1;
        }
    }
    return 0;
}

static void free_calls(struct api_call **calls, size_t n)
{
    for (size_t i = 0; calls && i < n; i++)
        api_call_free(calls[i]);
    free(calls);
}

/* Logs username in; its token (to free), or NULL after saying why not. */
static char *login(struct loadgen *g, CURL *curl, const char *username, const char *password)
{
    struct api_call *call = call_once(g, curl,
                                      new_call("POST", NULL,
                                               json_pack("{s:s, s:s}", "username", username, "password", password),
                                               "/v1/auth/login"),
                                      200, "login");
    const char *token = call ? api_answer_string(call, "access_token") : NULL;
    char *copy = token ? strdup(token) : NULL;
    if (call && !token)
        fprintf(stderr, "attendance-loadgen: the login of %s answered no access_token\n", username);
    api_call_free(call);
    return copy;
}

/*
 * The first logins of accounts the admin made with g->password: each logs in,
 * changes its password to g->own_password (a password an admin or an import
 * set must be changed before anything else) and logs in again. tokens[i]
 * receives username i's token (to free); 0, or -1 after saying why not.
 */
static int first_logins(struct loadgen *g, const char *const *usernames, size_t n, char **tokens)
{
    struct api_call **logins = calloc(n, sizeof *logins), **changes = calloc(n, sizeof *changes);
    int rc = logins && changes ? 0 : out_of_memory();
    for (size_t i = 0; rc == 0 && i < n; i++)
        logins[i] = new_call("POST", NULL, json_pack("{s:s, s:s}", "username", usernames[i], "password", g->password),
                             "/v1/auth/login");
    if (rc == 0)
        rc = run_batch(g, logins, n, 200, "logging in with the password the admin gave");
    for (size_t i = 0; rc == 0 && i < n; i++) /* each change borrows its login's token */
        changes[i] = new_call(
            "POST", api_answer_string(logins[i], "access_token"),
            json_pack("{s:s, s:s}", "current_password", g->password, "new_password", g->own_password),
            "/v1/auth/password");
    if (rc == 0)
        rc = run_batch(g, changes, n, 204, "changing the password the admin gave");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        api_call_free(logins[i]);
        logins[i] = new_call("POST", NULL,
                             json_pack("{s:s, s:s}", "username", usernames[i], "password", g->own_password),
                             "/v1/auth/login");
    }
    if (rc == 0)
        rc = run_batch(g, logins, n, 200, "logging in with the password of its own");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!(tokens[i] = strdup(api_answer_string(logins[i], "access_token") ?: "")))
            rc = out_of_memory();
    free_calls(changes, n);
    free_calls(logins, n);
    return rc;
}

/* The unit, its office and its supervisor; 0, or -1 after saying why not. */
static int prepare_unit(struct loadgen *g, CURL *curl)
{
    char username[80];
    struct api_call *call = call_once(
        g, curl,
        new_call("POST", g->admin_token,
                 json_pack("{s:s, s:s, s:s, s:s, s:{}}", "code", g->unit_code, "name", "Load generator unit",
                           "category", "administrative", "timezone", "Asia/Jakarta", "work_hours"),
                 "/v1/units"),
        201, "creating the unit (give another --unit-code if it exists)");
    if (!call || !(g->unit_id = strdup(api_answer_string(call, "id") ?: ""))) {
        api_call_free(call);
        return -1;
    }
    api_call_free(call);
    call = call_once(g, curl,
                     new_call("POST", g->admin_token,
                              json_pack("{s:s, s:s, s:{s:s, s:f, s:f, s:f}}", "unit_id", g->unit_id, "name",
                                        "Balai Kota (load)", "geofence", "type", "circle", "lat", OFFICE_LAT, "lon",
                                        OFFICE_LON, "radius_m", OFFICE_RADIUS_M),
                              "/v1/offices"),
                     201, "creating the office");
    bool made = call != NULL;
    api_call_free(call);
    if (!made)
        return -1;
    /* Homes are approved by the unit's supervisor. */
    snprintf(username, sizeof username, "lg-sup-%s", g->unit_code);
    call = call_once(g, curl,
                     new_call("POST", g->admin_token,
                              json_pack("{s:s, s:s, s:s, s:s}", "username", username, "password", g->password, "role",
                                        "supervisor", "unit_id", g->unit_id),
                              "/v1/staff"),
                     201, "creating the supervisor");
    made = call != NULL;
    api_call_free(call);
    const char *usernames[] = {username};
    if (!made || first_logins(g, usernames, 1, &g->supervisor_token) != 0)
        return -1;
    return 0;
}

/* Where each employee checks in: office staff near the centre, homes 3 km north, the outside pool 2 km south. */
static void place_employees(struct loadgen *g)
{
    size_t m = g->o.employees;
    g->pool_size[POOL_HOME] = m / 10 ? m / 10 : 1;
    g->pool_size[POOL_OUTSIDE] = m / 20 ? m / 20 : 1;
    g->pool_size[POOL_OFFICE] = m - g->pool_size[POOL_HOME] - g->pool_size[POOL_OUTSIDE];
    g->pool_start[POOL_OFFICE] = 0;
    g->pool_start[POOL_HOME] = g->pool_size[POOL_OFFICE];
    g->pool_start[POOL_OUTSIDE] = g->pool_start[POOL_HOME] + g->pool_size[POOL_HOME];
    for (size_t i = 0; i < m; i++) {
        struct employee *e = &g->employees[i];
        double north_m, east_m;
        if (i < g->pool_start[POOL_HOME]) { /* a desk up to 60 m north or south and east or west of the centre */
            north_m = (double)randombytes_uniform(121) - 60;
            east_m = (double)randombytes_uniform(121) - 60;
        } else if (i < g->pool_start[POOL_OUTSIDE]) {
            north_m = 3000;
            east_m = 30.0 * (double)(i - g->pool_start[POOL_HOME]);
        } else {
            north_m = -2000;
            east_m = 30.0 * (double)(i - g->pool_start[POOL_OUTSIDE]);
        }
        e->lat = OFFICE_LAT + north_m / METRES_PER_DEGREE;
        e->lon = OFFICE_LON + east_m / (METRES_PER_DEGREE * cos(OFFICE_LAT * M_PI / 180.0));
    }
}

/* The employees by one CSV import; 0, or -1 after saying why not. */
static int import_employees(struct loadgen *g, CURL *curl)
{
    /* NIPs of 18 digits: a random run number, then the employee's. */
    unsigned long run = 10000000ul + randombytes_uniform(90000000u);
    struct buffer csv = {0};
    int bad = buffer_append(&csv, "nip,name,unit_code,password\r\n", 29);
    for (size_t i = 0; !bad && i < g->o.employees; i++) {
        char row[256];
        snprintf(g->employees[i].nip, sizeof g->employees[i].nip, "%08lu%010zu", run, i);
        int n = snprintf(row, sizeof row, "%s,Pegawai Uji Beban %zu,%s,%s\r\n", g->employees[i].nip, i, g->unit_code,
                         g->password);
        bad = buffer_append(&csv, row, (size_t)n);
    }
    struct api_call *call = bad ? NULL : api_call_json("POST", g->admin_token, NULL, "/v1/employees/import");
    if (!call) {
        buffer_free(&csv);
        return out_of_memory();
    }
    call->content_type = "text/csv";
    call->body = csv.data; /* the call owns it now */
    call->body_len = csv.len;
    call = call_once(g, curl, call, 200, "importing the employees");
    json_int_t created = call ? json_integer_value(json_object_get(call->json, "created")) : -1;
    if (call && created != (json_int_t)g->o.employees)
        fprintf(stderr, "attendance-loadgen: the import created %lld employees, not %u: %s\n", (long long)created,
                g->o.employees, call->answer.data);
    api_call_free(call);
    return created == (json_int_t)g->o.employees ? 0 : -1;
}

static int login_employees(struct loadgen *g)
{
    size_t m = g->o.employees;
    const char **nips = calloc(m, sizeof *nips);
    char **tokens = calloc(m, sizeof *tokens);
    double began = mono_s();
    for (size_t i = 0; nips && i < m; i++)
        nips[i] = g->employees[i].nip;
    int rc = nips && tokens ? first_logins(g, nips, m, tokens) : out_of_memory();
    for (size_t i = 0; tokens && i < m; i++)
        g->employees[i].token = tokens[i]; /* the employee owns it now; NULL where none was made */
    if (rc == 0)
        fprintf(stderr,
                "logged %zu employees in in %.1f s, %u at a time (each first login changes the imported password: "
                "three Argon2id hashes)\n",
                m, mono_s() - began, PREP_PARALLEL);
    free(tokens);
    free(nips);
    return rc;
}

static int enrol_devices(struct loadgen *g)
{
    size_t m = g->o.employees;
    struct api_call **calls = calloc(m, sizeof *calls);
    for (size_t i = 0; calls && i < m; i++) {
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        char pk_text[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
        crypto_sign_keypair(pk, g->employees[i].sk);
        sodium_bin2base64(pk_text, sizeof pk_text, pk, sizeof pk, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        calls[i] = new_call("POST", g->employees[i].token,
                            json_pack("{s:s, s:s}", "public_key", pk_text, "label", "loadgen phone"), "/v1/devices");
    }
    int rc = calls ? run_batch(g, calls, m, 201, "enrolling a device") : out_of_memory();
    for (size_t i = 0; rc == 0 && i < m; i++) {
        struct employee *e = &g->employees[i];
        e->device_id = strdup(api_answer_string(calls[i], "device_id") ?: "");
        if (!e->employee_id) /* the home pool's are known from their homes */
            e->employee_id = strdup(api_answer_string(calls[i], "employee_id") ?: "");
        if (!e->device_id || !e->employee_id)
            rc = out_of_memory();
    }
    free_calls(calls, m);
    return rc;
}

/* Registers each home of the home pool and has the supervisor approve it. */
static int approve_homes(struct loadgen *g)
{
    size_t n = g->pool_size[POOL_HOME], first = g->pool_start[POOL_HOME];
    struct api_call **calls = calloc(n, sizeof *calls);
    for (size_t i = 0; calls && i < n; i++) {
        struct employee *e = &g->employees[first + i];
        char address[64];
        snprintf(address, sizeof address, "Jl. Uji Beban No. %zu, Jakarta", i + 1);
        calls[i] = new_call("POST", e->token,
                            json_pack("{s:f, s:f, s:s}", "lat", e->lat, "lon", e->lon, "address", address),
                            "/v1/homes");
    }
    int rc = calls ? run_batch(g, calls, n, 201, "registering a home") : out_of_memory();
    for (size_t i = 0; rc == 0 && i < n; i++) { /* the employee's id, which the roster needs, from its home */
        struct employee *e = &g->employees[first + i];
        if (!(e->employee_id = strdup(api_answer_string(calls[i], "employee_id") ?: "")))
            rc = out_of_memory();
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct api_call *approve = api_call_json("POST", g->supervisor_token, NULL, "/v1/homes/%s/approve",
                                                 api_answer_string(calls[i], "home_id") ?: "");
        api_call_free(calls[i]);
        calls[i] = approve;
    }
    if (rc == 0)
        rc = run_batch(g, calls, n, 200, "approving a home");
    free_calls(calls, n);
    return rc;
}

/*
 * Rosters the home pool WFH for today and tomorrow (unit-local), so that WFH
 * check-ins are not MODE_MISMATCH; a service without rosters only warns.
 */
static void roster_homes(struct loadgen *g, CURL *curl)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < g->pool_size[POOL_HOME]; i++) {
        const struct employee *e = &g->employees[g->pool_start[POOL_HOME] + i];
        json_array_append_new(entries, json_pack("{s:s, s:s}", "employee_id", e->employee_id, "mode", "WFH"));
    }
    int64_t today = date_today(7 * 3600); /* Asia/Jakarta is UTC+7 all year */
    for (int64_t day = today; day <= today + 1; day++) {
        time_t t = (time_t)(day * 86400);
        struct tm tm;
        char date[16], path[128];
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        snprintf(path, sizeof path, "/v1/units/%s/roster/%s", g->unit_id, date);
        struct api_call *call = new_call("PUT", g->supervisor_token, json_pack("{s:O}", "entries", entries), path);
        if (call && api_call_perform(curl, g->url, call) == 0 && !api_call_ok(call)) {
            char why[1024];
            api_describe_failure(call, why, sizeof why);
            fprintf(stderr, "no WFH roster for %s (%s): WFH check-ins will be flagged MODE_MISMATCH\n", date, why);
        }
        api_call_free(call);
    }
    json_decref(entries);
}

static int prepare(struct loadgen *g)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return out_of_memory();
    const char *colon = strchr(g->o.admin, ':');
    char *admin_user = strndup(g->o.admin, (size_t)(colon - g->o.admin));
    double began = mono_s();
    int rc = admin_user && (g->admin_token = login(g, curl, admin_user, colon + 1)) ? 0 : -1;
    free(admin_user);
    if (rc == 0)
        rc = prepare_unit(g, curl);
    if (rc == 0)
        rc = import_employees(g, curl);
    if (rc == 0)
        fprintf(stderr, "made unit %s (id %s) with one office and a supervisor, imported %u employees: %.1f s\n",
                g->unit_code, g->unit_id, g->o.employees, mono_s() - began);
    if (rc == 0)
        rc = login_employees(g);
    /*
     * The homes and their roster before the devices, as they are older than
     * the morning on a real one: the service reads an employee's facts of the
     * day when its device is enrolled (attendance-svc/day_reader.h), and a
     * fact changed after it would send the first check-in to the database.
     */
    double step = mono_s();
    if (rc == 0)
        rc = approve_homes(g);
    if (rc == 0)
        roster_homes(g, curl);
    if (rc == 0)
        rc = enrol_devices(g);
    if (rc == 0)
        fprintf(stderr, "approved %zu homes and enrolled %u devices in %.1f s\n", g->pool_size[POOL_HOME],
                g->o.employees, mono_s() - step);
    curl_easy_cleanup(curl);
    return rc;
}

/* ---- pre-signing ---- */

static enum checkin_kind kind_of_request(size_t n)
{
    unsigned s = (unsigned)(n % 20);
    return s < 16 ? WFO_OFFICE : s < 18 ? WFH_HOME : s < 19 ? WFO_OUTSIDE : WFO_SELFIE;
}

static uint32_t next_employee(struct loadgen *g, enum checkin_kind kind)
{
    enum pool p = kind == WFH_HOME ? POOL_HOME : kind == WFO_OUTSIDE ? POOL_OUTSIDE : POOL_OFFICE;
    return (uint32_t)(g->pool_start[p] + g->pool_next[p]++ % g->pool_size[p]);
}

/* Selfie number n: a JPEG by its magic bytes, then bytes made from the run's key and n (remade when sent). */
static void make_selfie(const struct loadgen *g, uint32_t n, unsigned char *out)
{
    unsigned char seed[randombytes_SEEDBYTES];
    memcpy(seed, g->selfie_key, sizeof seed);
    for (int i = 0; i < 4; i++)
        seed[i] ^= (unsigned char)(n >> (8 * i));
    randombytes_buf_deterministic(out, SELFIE_BYTES, seed);
    memcpy(out, "\xff\xd8\xff\xe0", 4);
}

/*
 * Signs count check-ins into r. Open loop (rate > 0): captured_at is when
 * each is due counted from now; sending starts after signing, so each is sent
 * at or after its captured_at. Closed loop: captured_at is when it was signed.
 */
static int presign(struct loadgen *g, struct round *r, size_t count, double rate)
{
    double began = mono_s();
    r->items = calloc(count, sizeof *r->items);
    if (!r->items)
        return -1;
    int64_t base_ms = wall_ms();
    for (size_t i = 0; i < count; i++) {
        struct presigned *p = &r->items[i];
        p->kind = kind_of_request(g->sent + i);
        p->employee = next_employee(g, p->kind);
        const struct employee *e = &g->employees[p->employee];
        char captured_at[RFC3339_MS_SIZE], hex[crypto_hash_sha256_BYTES * 2 + 1];
        rfc3339_ms(rate > 0 ? base_ms + (int64_t)((double)i * 1000.0 / rate) : wall_ms(), captured_at);
        p->selfie = NO_SELFIE;
        if (p->kind == WFO_SELFIE) {
            p->selfie = g->selfies_made++;
            make_selfie(g, p->selfie, g->scratch);
            sha256_hex(g->scratch, SELFIE_BYTES, hex);
        }
        struct checkin_fields f = {
            .device_id = e->device_id,
            .type = "in",
            .mode = p->kind == WFH_HOME ? "WFH" : "WFO",
            .captured_at = captured_at,
            .lat = e->lat,
            .lon = e->lon,
            .accuracy_m = 5 + randombytes_uniform(16), /* 5 to 20 m, as phones report outdoors */
            .mock_location = false,
            .selfie_sha256 = p->selfie == NO_SELFIE ? NULL : hex,
        };
        struct signed_checkin s;
        if (checkin_sign(&f, e->sk, &s) != 0)
            return -1;
        p->offset = r->arena.len;
        p->len = s.payload_len;
        memcpy(p->signature, s.signature, sizeof p->signature);
        int appended = buffer_append(&r->arena, s.payload, s.payload_len);
        signed_checkin_free(&s);
        if (appended != 0)
            return -1;
        r->count++;
    }
    g->presign_s += mono_s() - began;
    return 0;
}

static void round_free(struct round *r)
{
    free(r->items);
    buffer_free(&r->arena);
    *r = (struct round){0};
}

/* ---- driving ---- */

static int start(struct loadgen *g, struct slot *s, const struct round *r, size_t item, double due)
{
    const struct presigned *p = &r->items[item];
    const unsigned char *selfie = NULL;
    if (p->selfie != NO_SELFIE) {
        if (!s->selfie && !(s->selfie = malloc(SELFIE_BYTES)))
            return -1;
        make_selfie(g, p->selfie, s->selfie);
        selfie = s->selfie;
    }
    s->call->token = NULL; /* the morning's phone: the device's signature is its credential, no login needed */
    s->call->mime = checkin_mime(s->easy, r->arena.data + p->offset, p->len, p->signature, selfie,
                                 selfie ? SELFIE_BYTES : 0, "selfie.jpg");
    if (!s->call->mime || api_call_prepare(s->easy, g->url, s->call) != 0 ||
        curl_multi_add_handle(g->multi, s->easy) != CURLM_OK)
        return -1;
    s->busy = true;
    s->due = due;
    s->sent = mono_s();
    s->kind = p->kind;
    g->kinds[p->kind]++;
    return 0;
}

static void count_violations(struct loadgen *g, const json_t *answer)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(answer, "violations"), i, v) {
        const char *code = json_string_value(json_object_get(v, "code"));
        if (code)
            json_object_set_new(g->violations, code,
                                json_integer(json_integer_value(json_object_get(g->violations, code)) + 1));
    }
}

static void complete(struct loadgen *g, struct slot *s, CURLcode rc)
{
    api_call_finish(s->easy, rc, s->call);
    double latency_s = mono_s() - s->due;
    uint64_t latency_us = (uint64_t)(latency_s > 0 ? latency_s * 1e6 : 0);
    hist_record(&g->hist, latency_us);
    hist_record(&g->hist_by_kind[s->kind], latency_us);
    long status = s->call->status >= 0 && s->call->status < HTTP_STATUSES ? s->call->status : 0;
    g->status[status]++;
    if (g->latency_log)
        fprintf(g->latency_log, "%.4f %.3f %.3f %ld %d\n", s->due - g->driving_since, (s->sent - s->due) * 1e3,
                latency_s * 1e3, status, (int)s->kind);
    if (status == 201)
        count_violations(g, s->call->json);
    else if (!g->first_error[status]) {
        char why[1024];
        api_describe_failure(s->call, why, sizeof why);
        g->first_error[status] = strdup(why);
    }
    curl_mime_free(s->call->mime);
    s->call->mime = NULL;
    s->busy = false;
}

/*
 * Sends the round's check-ins, issuing none after time_left seconds; 0, or -1
 * when curl fails. In open loop every check-in of the round is due within
 * time_left, and one still waiting for a connection then is sent late (its
 * latency counting from when it was due) rather than left out, up to
 * OPEN_LOOP_GRACE_S.
 */
static int run_round(struct loadgen *g, const struct round *r, double rate, double time_left)
{
    unsigned n = g->o.connections;
    size_t next = 0, active = 0;
    double t0 = mono_s(), deadline = t0 + time_left + (rate > 0 ? OPEN_LOOP_GRACE_S : 0);
    int rc = 0;
    for (;;) {
        double now = mono_s();
        bool issuing = next < r->count && now < deadline;
        for (unsigned i = 0; rc == 0 && issuing && i < n && next < r->count; i++) {
            double due = rate > 0 ? t0 + (double)next / rate : now;
            if (g->slots[i].busy)
                continue;
            if (due > now)
                break;
            if (start(g, &g->slots[i], r, next, due) != 0) {
                rc = -1;
                break;
            }
            next++;
            active++;
        }
        if (rc != 0 || (!issuing && active == 0))
            break;
        int running;
        if (curl_multi_perform(g->multi, &running) != CURLM_OK) {
            rc = -1;
            break;
        }
        size_t finished = 0;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(g->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            unsigned i = 0;
            while (g->slots[i].easy != msg->easy_handle)
                i++;
            CURLcode result = msg->data.result; /* msg does not survive the handle's removal */
            curl_multi_remove_handle(g->multi, g->slots[i].easy);
            complete(g, &g->slots[i], result);
            active--;
            finished++;
        }
        if (finished && issuing)
            continue; /* a connection is free: send at once */
        int wait_ms = 100;
        if (issuing && rate > 0 && active < n) {
            double until = (t0 + (double)next / rate - mono_s()) * 1000.0;
            wait_ms = until <= 0 ? 0 : until < 100 ? (int)ceil(until) : 100;
        }
        if (curl_multi_poll(g->multi, NULL, 0, wait_ms, NULL) != CURLM_OK) {
            rc = -1;
            break;
        }
    }
    g->sent += next;
    if (rate > 0)
        g->unsent += r->count - next;
    g->measured_s += mono_s() - t0;
    g->rounds++;
    return rc;
}

/* Pre-signs and sends rounds until the count or the time is used up. */
static int drive(struct loadgen *g)
{
    double limit = g->o.duration_s > 0 ? g->o.duration_s : MAX_RUN_SECONDS;
    size_t total = g->o.requests ? g->o.requests
                   : g->o.rate > 0 ? (size_t)ceil(g->o.rate * g->o.duration_s)
                                   : SIZE_MAX;
    int rc = 0;
    g->driving_since = mono_s();
    while (rc == 0 && g->sent + g->unsent < total && g->measured_s < limit) {
        double span = fmin(limit - g->measured_s, ROUND_SECONDS);
        double count;
        if (g->o.rate > 0)
            count = ceil(g->o.rate * span);
        else if (g->hist.total == 0) /* nothing measured yet: a first round to learn the pace */
            count = 200.0 * g->o.connections;
        else /* the pace so far, with room to spare; a short round is followed by another */
            count = ceil((double)g->hist.total / g->measured_s * span * 1.2) + g->o.connections;
        count = fmin(fmin(count, (double)(total - g->sent - g->unsent)), ROUND_MAX_ITEMS);
        struct round r = {0};
        rc = presign(g, &r, (size_t)count, g->o.rate);
        if (rc == 0)
            rc = run_round(g, &r, g->o.rate, limit - g->measured_s);
        round_free(&r);
    }
    return rc == 0 ? 0 : out_of_memory();
}

/* ---- the report ---- */

/* A memory figure of /proc/PID/status ("VmHWM:", "VmRSS:") in MiB, or -1. */
static double service_memory_mb(long pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    double kib = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0)
            kib = strtod(line + len, NULL);
    if (f)
        fclose(f);
    return kib < 0 ? -1 : kib / 1024.0;
}

static double round_to(double x, double unit) { return round(x / unit) * unit; }

static int report(struct loadgen *g)
{
    double seconds = g->measured_s;
    uint64_t n = g->hist.total;
    double per_s = seconds > 0 ? (double)n / seconds : 0;
    double p50 = hist_percentile_ms(&g->hist, 0.50), p90 = hist_percentile_ms(&g->hist, 0.90);
    double p99 = hist_percentile_ms(&g->hist, 0.99), max = (double)g->hist.max_us / 1000.0;
    double rss = g->o.service_pid ? service_memory_mb(g->o.service_pid, "VmHWM:") : -1;

    printf("attendance-loadgen: %llu check-ins, %u connections, ", (unsigned long long)n, g->o.connections);
    if (g->o.rate > 0)
        printf("open loop at %g/s (latency from the scheduled send time)\n", g->o.rate);
    else
        printf("closed loop\n");
    printf("  duration          %.3f s (%u round%s; pre-signing took %.2f s, not counted)\n", seconds, g->rounds,
           g->rounds == 1 ? "" : "s", g->presign_s);
    printf("  throughput        %.1f check-ins/s\n", per_s);
    if (g->unsent)
        printf("  never sent        %zu scheduled check-ins: the service fell more than %.0f s behind\n", g->unsent,
               OPEN_LOOP_GRACE_S);
    printf("  latency           p50 %.3f ms   p90 %.3f ms   p99 %.3f ms   max %.3f ms\n", p50, p90, p99, max);
    const char *label = "latency by kind";
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!g->hist_by_kind[k].total)
            continue;
        printf("  %-17s p50 %.3f ms   p99 %.3f ms   (%s)\n", label, hist_percentile_ms(&g->hist_by_kind[k], 0.50),
               hist_percentile_ms(&g->hist_by_kind[k], 0.99), kind_names[k]);
        label = "";
    }
    printf("  mix              ");
    for (int k = 0; k < KIND_COUNT; k++)
        printf(" %llu %s%s", (unsigned long long)g->kinds[k], kind_names[k], k + 1 < KIND_COUNT ? "," : "\n");
    json_t *status = json_object();
    printf("  status           ");
    for (int s = 0; s < HTTP_STATUSES; s++) {
        if (!g->status[s])
            continue;
        char key[8];
        snprintf(key, sizeof key, "%d", s);
        json_object_set_new(status, key, json_integer((json_int_t)g->status[s]));
        printf(" %s: %llu", s ? key : "no answer", (unsigned long long)g->status[s]);
    }
    printf("\n");
    for (int s = 0; s < HTTP_STATUSES; s++)
        if (g->first_error[s])
            printf("  for example       %s\n", g->first_error[s]);
    printf("  violations       ");
    const char *code;
    json_t *count;
    const char *separator = " ";
    json_object_foreach(g->violations, code, count) {
        printf("%s%s: %lld", separator, code, (long long)json_integer_value(count));
        separator = ", ";
    }
    printf("%s\n", json_object_size(g->violations) ? "" : " none");
    /* The peak includes the preparation (each login's Argon2id memory): the RSS now tells the steady state. */
    if (rss >= 0)
        printf("  service peak RSS  %.1f MiB (VmHWM of pid %ld; VmRSS now %.1f MiB)\n", rss, g->o.service_pid,
               service_memory_mb(g->o.service_pid, "VmRSS:"));
    else if (g->o.service_pid)
        printf("  service peak RSS  unknown: cannot read /proc/%ld/status\n", g->o.service_pid);

    json_t *line = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "checkins", (json_int_t)n, "seconds",
                             round_to(seconds, 0.001), "per_s", round_to(per_s, 0.1), "p50_ms", round_to(p50, 0.001),
                             "p90_ms", round_to(p90, 0.001), "p99_ms", round_to(p99, 0.001), "max_ms",
                             round_to(max, 0.001), "status", status, "rss_mb",
                             rss >= 0 ? json_real(round_to(rss, 0.1)) : json_null());
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    if (text)
        printf("%s\n", text);
    else
        out_of_memory();
    free(text);
    json_decref(line);
    return text ? EXIT_DONE : EXIT_FAILED;
}

/* ---- options ---- */

static bool parse_unsigned(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || errno || *text == '-' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* The URL must name this machine: the generator never loads anything else. */
static bool loopback_url(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    if (ok) {
        struct in_addr a;
        ok = strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
             (inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static int usage_error(const char *what, const char *value)
{
    fprintf(stderr, "attendance-loadgen: %s%s\n%s", what, value ? value : "", usage_text);
    return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum {
        O_URL = 1, O_ADMIN, O_EMPLOYEES, O_CONNECTIONS, O_DURATION, O_REQUESTS, O_RATE, O_UNIT, O_PID, O_SEED,
        O_LATENCY_LOG, O_HELP
    };
    static const struct option table[] = {
        {"url", required_argument, NULL, O_URL},
        {"admin", required_argument, NULL, O_ADMIN},
        {"employees", required_argument, NULL, O_EMPLOYEES},
        {"connections", required_argument, NULL, O_CONNECTIONS},
        {"duration", required_argument, NULL, O_DURATION},
        {"requests", required_argument, NULL, O_REQUESTS},
        {"rate", required_argument, NULL, O_RATE},
        {"unit-code", required_argument, NULL, O_UNIT},
        {"service-pid", required_argument, NULL, O_PID},
        {"seed-only", no_argument, NULL, O_SEED},
        {"latency-log", required_argument, NULL, O_LATENCY_LOG},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.connections = DEFAULT_CONNECTIONS};
    int opt;
    unsigned long v;
    char *end;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", table, NULL)) != -1) {
        switch (opt) {
        case O_URL:
            o->url = optarg;
            break;
        case O_ADMIN:
            if (!strchr(optarg, ':'))
                return usage_error("--admin must be USER:PASSWORD", NULL);
            o->admin = optarg;
            break;
        case O_EMPLOYEES:
            if (!parse_unsigned(optarg, 3, MAX_EMPLOYEES, &v))
                return usage_error("--employees must be 3 to 100000, not ", optarg);
            o->employees = (unsigned)v;
            break;
        case O_CONNECTIONS:
            if (!parse_unsigned(optarg, 1, MAX_CONNECTIONS, &v))
                return usage_error("--connections must be 1 to 1024, not ", optarg);
            o->connections = (unsigned)v;
            break;
        case O_DURATION:
            o->duration_s = strtod(optarg, &end);
            if (*end || !(o->duration_s >= 1 && o->duration_s <= MAX_RUN_SECONDS))
                return usage_error("--duration must be 1 to 600 seconds, not ", optarg);
            break;
        case O_REQUESTS:
            if (!parse_unsigned(optarg, 1, MAX_REQUESTS, &o->requests))
                return usage_error("--requests must be 1 to 10000000, not ", optarg);
            break;
        case O_RATE:
            o->rate = strtod(optarg, &end);
            if (*end || !(o->rate > 0 && o->rate <= MAX_RATE))
                return usage_error("--rate must be above 0 and at most 100000, not ", optarg);
            break;
        case O_UNIT:
            o->unit_code = optarg;
            break;
        case O_PID:
            if (!parse_unsigned(optarg, 1, 4194304, &v))
                return usage_error("--service-pid must be a process id, not ", optarg);
            o->service_pid = (long)v;
            break;
        case O_SEED:
            o->seed_only = true;
            break;
        case O_LATENCY_LOG:
            o->latency_log = optarg;
            break;
        case O_HELP:
            fputs(usage_text, stdout);
            exit(EXIT_DONE);
        default:
            return usage_error("unknown option or missing value: ", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument: ", argv[optind]);
    if (!o->url || !o->admin || !o->employees)
        return usage_error("--url, --admin and --employees are required", NULL);
    if (o->duration_s > 0 && o->requests)
        return usage_error("give --duration or --requests, not both", NULL);
    if (!o->requests && o->duration_s == 0)
        o->duration_s = DEFAULT_DURATION_S;
    if (o->unit_code && (!*o->unit_code || strlen(o->unit_code) > 32))
        return usage_error("--unit-code must be 1 to 32 characters", NULL);
    if (!loopback_url(o->url))
        return usage_error("--url must be an http(s) URL of this machine (127.0.0.0/8, localhost, [::1]), not ",
                           o->url);
    return EXIT_DONE;
}

/* ---- main ---- */

static int setup_run(struct loadgen *g)
{
    g->violations = json_object();
    g->scratch = malloc(SELFIE_BYTES);
    g->slots = calloc(g->o.connections, sizeof *g->slots);
    g->multi = curl_multi_init();
    if (!g->violations || !g->scratch || !g->slots || !g->multi)
        return -1;
    /* One keep-alive connection per slot, kept between check-ins. */
    curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)g->o.connections);
    curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long)g->o.connections);
    for (unsigned i = 0; i < g->o.connections; i++)
        if (!(g->slots[i].easy = curl_easy_init()) ||
            !(g->slots[i].call = api_call_json("POST", NULL, NULL, "/v1/checkins")))
            return -1;
    randombytes_buf(g->selfie_key, sizeof g->selfie_key);
    return 0;
}

static void loadgen_free(struct loadgen *g)
{
    for (unsigned i = 0; g->slots && i < g->o.connections; i++) {
        struct slot *s = &g->slots[i];
        if (s->busy)
            curl_multi_remove_handle(g->multi, s->easy);
        curl_easy_cleanup(s->easy);
        api_call_free(s->call);
        free(s->selfie);
    }
    free(g->slots);
    curl_multi_cleanup(g->multi);
    for (size_t i = 0; g->employees && i < g->o.employees; i++) {
        struct employee *e = &g->employees[i];
        free(e->token);
        free(e->employee_id);
        free(e->device_id);
    }
    sodium_memzero(g->employees, g->employees ? g->o.employees * sizeof *g->employees : 0);
    free(g->employees);
    for (int s = 0; s < HTTP_STATUSES; s++)
        free(g->first_error[s]);
    free(g->unit_id);
    free(g->admin_token);
    free(g->supervisor_token);
    free(g->scratch);
    json_decref(g->violations);
    if (g->latency_log && fclose(g->latency_log) != 0)
        fprintf(stderr, "attendance-loadgen: cannot write %s: %s\n", g->o.latency_log, strerror(errno));
}

int main(int argc, char **argv)
{
    static struct loadgen g; /* large (the histogram): not on the stack */
    int rc = parse_options(argc, argv, &g.o);
    if (rc != EXIT_DONE)
        return rc;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "attendance-loadgen: cannot initialise libsodium or libcurl\n");
        return EXIT_FAILED;
    }
    snprintf(g.url, sizeof g.url, "%s", g.o.url);
    if (g.o.unit_code)
        snprintf(g.unit_code, sizeof g.unit_code, "%s", g.o.unit_code);
    else
        snprintf(g.unit_code, sizeof g.unit_code, "LG-%06X", (unsigned)randombytes_uniform(1u << 24));
    unsigned char secret[16];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(g.password, sizeof g.password, secret, sizeof secret);
    snprintf(g.own_password, sizeof g.own_password, "%s-own", g.password);
    g.employees = calloc(g.o.employees, sizeof *g.employees);
    /* Before the preparation's minutes of logins, so that a wrong path fails at once. */
    if (g.o.latency_log && !(g.latency_log = fopen(g.o.latency_log, "w"))) {
        fprintf(stderr, "attendance-loadgen: cannot write %s: %s\n", g.o.latency_log, strerror(errno));
        free(g.employees);
        return EXIT_FAILED;
    }

    double began = mono_s();
    rc = g.employees ? EXIT_DONE : EXIT_FAILED;
    if (rc == EXIT_DONE) {
        place_employees(&g);
        rc = prepare(&g) == 0 ? EXIT_DONE : EXIT_FAILED;
    } else {
        out_of_memory();
    }
    if (rc == EXIT_DONE && g.o.seed_only) {
        json_t *line = json_pack("{s:i, s:s, s:s, s:f}", "seeded", (int)g.o.employees, "unit_code", g.unit_code,
                                 "unit_id", g.unit_id, "seconds", round_to(mono_s() - began, 0.001));
        char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
        if (text)
            printf("%s\n", text);
        else
            rc = EXIT_FAILED;
        free(text);
        json_decref(line);
    } else if (rc == EXIT_DONE) {
        if (setup_run(&g) != 0) {
            out_of_memory();
            rc = EXIT_FAILED;
        } else {
            rc = drive(&g) == 0 ? report(&g) : EXIT_FAILED;
        }
    }
    loadgen_free(&g);
    curl_global_cleanup();
    return rc;
}

/*
 * HTTP calls to the attendance service, shared by attendance-client (the
 * reference phone client) and attendance-loadgen: one call is described by a
 * struct api_call, set up on a libcurl easy handle by api_call_prepare and
 * recorded by api_call_finish, so that the blocking path (api_call_perform)
 * and the curl multi paths (api_calls_parallel, the load generator's loop)
 * send and read calls the same way. TLS verification is libcurl's default (on).
 */
#ifndef ATTENDANCE_CLIENT_API_H
#define ATTENDANCE_CLIENT_API_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define API_CONNECT_TIMEOUT_MS 5000L
#define API_TOTAL_TIMEOUT_MS 30000L

/* A growable byte buffer (answers, CSV bodies). */
struct buffer {
    char *data;
    size_t len, cap;
};

/* Appends len bytes, keeping a NUL after them; 0, or -1 when out of memory. */
int buffer_append(struct buffer *b, const void *data, size_t len);
void buffer_free(struct buffer *b);

/*
 * One HTTP call. The call owns path, body and mime (freed by api_call_free);
 * method, token and content_type are borrowed and must outlive the transfer.
 */
struct api_call {
    const char *method;       /* "GET", "POST", "PUT", "DELETE" */
    char *path;               /* "/v1/...", appended to the base URL */
    const char *token;        /* bearer token, or NULL */
    const char *content_type; /* of body */
    char *body;               /* or NULL */
    size_t body_len;
    curl_mime *mime;          /* a multipart body instead of body, or NULL; sent once: after the reset in
                                 api_call_prepare, libcurl 7.88 sends a used one's headers without its body */

    /* The outcome, set by api_call_finish. */
    long status;              /* the HTTP status; 0 when no answer came */
    CURLcode transport;       /* why no answer came, when status is 0 */
    char transport_text[CURL_ERROR_SIZE];
    long retry_after_s;       /* the Retry-After header in seconds, or -1 */
    struct buffer answer;     /* the answer's body */
    json_t *json;             /* the answer parsed, or NULL if it is not JSON */

    struct curl_slist *headers; /* in use during the transfer */
};

/* A call with a JSON body (body is dumped, not stolen) and a formatted path; NULL when out of memory. */
struct api_call *api_call_json(const char *method, const char *token, const json_t *body, const char *path_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Frees what the call owns and the call itself; NULL is fine. */
void api_call_free(struct api_call *call);

/* Forgets the outcome of a previous try, so that the call can be sent again. */
void api_call_clear_outcome(struct api_call *call);

/*
 * Sets curl (reset first, so a handle and its open connection can be reused)
 * up to send call to base_url: method, headers, body, timeouts, and the sink
 * of the answer. 0, or -1 when out of memory.
 */
int api_call_prepare(CURL *curl, const char *base_url, struct api_call *call);

/* Records the outcome of the transfer that ended with rc. */
void api_call_finish(CURL *curl, CURLcode rc, struct api_call *call);

/* Sends call and waits for the answer; 0, or -1 when it could not be set up. */
int api_call_perform(CURL *curl, const char *base_url, struct api_call *call);

/*
 * Sends every call of calls, at most parallel at a time, over keep-alive
 * connections, and waits for all; 0, or -1 when curl could not be set up
 * (each call's outcome says how it went).
 */
int api_calls_parallel(const char *base_url, struct api_call **calls, size_t n, unsigned parallel);

/* True for a 2xx answer. */
bool api_call_ok(const struct api_call *call);

/* The error code of an error answer ({"error": {"code"}}), or NULL. */
const char *api_error_code(const struct api_call *call);

/* What went wrong, for people: "HTTP 422 invalid_location: ..." or "no answer: ...". */
void api_describe_failure(const struct api_call *call, char *out, size_t len);

/* The string member key of the answer, or NULL. */
const char *api_answer_string(const struct api_call *call, const char *key);

#endif

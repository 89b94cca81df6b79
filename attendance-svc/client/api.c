/*
 * HTTP calls to the attendance service over libcurl (see api.h).
 */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_AGENT "attendance-client/0.1"
/* Loopback is never sent through a proxy, whatever http_proxy says. */
#define NO_PROXY_FOR "localhost,127.0.0.0/8,::1"

int buffer_append(struct buffer *b, const void *data, size_t len)
{
    if (len >= b->cap - b->len || !b->data) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap - b->len <= len)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return -1;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

void buffer_free(struct buffer *b)
{
    free(b->data);
    *b = (struct buffer){0};
}

struct api_call *api_call_json(const char *method, const char *token, const json_t *body, const char *path_fmt, ...)
{
    struct api_call *call = calloc(1, sizeof *call);
    if (!call)
        return NULL;
    call->method = method;
    call->token = token;
    va_list ap;
    va_start(ap, path_fmt);
    int n = vasprintf(&call->path, path_fmt, ap);
    va_end(ap);
    if (n < 0) {
        call->path = NULL;
        api_call_free(call);
        return NULL;
    }
    if (body) {
        call->content_type = "application/json";
        call->body = json_dumps(body, JSON_COMPACT);
        if (!call->body) {
            api_call_free(call);
            return NULL;
        }
        call->body_len = strlen(call->body);
    }
    call->retry_after_s = -1;
    return call;
}

void api_call_clear_outcome(struct api_call *call)
{
    call->status = 0;
    call->transport = CURLE_OK;
    call->transport_text[0] = '\0';
    call->retry_after_s = -1;
    buffer_free(&call->answer);
    json_decref(call->json);
    call->json = NULL;
}

void api_call_free(struct api_call *call)
{
    if (!call)
        return;
    api_call_clear_outcome(call);
    curl_slist_free_all(call->headers);
    curl_mime_free(call->mime);
    free(call->body);
    free(call->path);
    free(call);
}

static size_t on_answer(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct api_call *call = userdata;
    /* Returning less than given makes libcurl fail the transfer (out of memory). */
    return buffer_append(&call->answer, data, size * nmemb) == 0 ? size * nmemb : 0;
}

static int add_header(struct curl_slist **list, const char *fmt, const char *value)
{
    char line[4096];
    int n = snprintf(line, sizeof line, fmt, value);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    struct curl_slist *grown = curl_slist_append(*list, line);
    if (!grown)
        return -1;
    *list = grown;
    return 0;
}

int api_call_prepare(CURL *curl, const char *base_url, struct api_call *call)
{
    curl_easy_reset(curl);
    api_call_clear_outcome(call);
    curl_slist_free_all(call->headers);
    call->headers = NULL;

    char *url = NULL;
    size_t base_len = strlen(base_url);
    while (base_len && base_url[base_len - 1] == '/') /* "http://host/" and "/v1/..." make one slash */
        base_len--;
    if (asprintf(&url, "%.*s%s", (int)base_len, base_url, call->path) < 0)
        return -1;
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_URL, url); /* libcurl copies the string */
    free(url);

    /* An empty "Expect:" sends a large body at once rather than waiting for "100 Continue" first. */
    int bad = add_header(&call->headers, "%s", "Expect:") ||
              add_header(&call->headers, "%s", "Accept: application/json");
    if (call->token)
        bad = bad || add_header(&call->headers, "Authorization: Bearer %s", call->token);
    if (call->body && call->content_type)
        bad = bad || add_header(&call->headers, "Content-Type: %s", call->content_type);
    if (bad || rc != CURLE_OK)
        return -1;

    if (call->mime)
        rc = curl_easy_setopt(curl, CURLOPT_MIMEPOST, call->mime);
    else if (call->body) {
        rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call->body);
    }
    /* POST is implied by a body; any other method is named. */
    if (rc == CURLE_OK && strcmp(call->method, "GET") != 0 && strcmp(call->method, "POST") != 0)
        rc = curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call->method);
    else if (rc == CURLE_OK && strcmp(call->method, "POST") == 0 && !call->body && !call->mime)
        rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L) ?: curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");

    const struct {
        CURLoption option;
        long value;
    } longs[] = {
        {CURLOPT_CONNECTTIMEOUT_MS, API_CONNECT_TIMEOUT_MS},
        {CURLOPT_TIMEOUT_MS, API_TOTAL_TIMEOUT_MS},
        {CURLOPT_NOSIGNAL, 1L}, /* timeouts without SIGALRM: safe with several handles */
    };
    for (size_t i = 0; rc == CURLE_OK && i < sizeof longs / sizeof longs[0]; i++)
        rc = curl_easy_setopt(curl, longs[i].option, longs[i].value);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_NOPROXY, NO_PROXY_FOR);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, call->headers);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, call);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, call->transport_text);
    return rc == CURLE_OK ? 0 : -1;
}

void api_call_finish(CURL *curl, CURLcode rc, struct api_call *call)
{
    call->transport = rc;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &call->status);
        curl_off_t retry_after = 0;
        if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
            call->retry_after_s = (long)retry_after;
        if (call->answer.len)
            call->json = json_loadb(call->answer.data, call->answer.len, 0, NULL);
    } else if (!call->transport_text[0]) {
        snprintf(call->transport_text, sizeof call->transport_text, "%s", curl_easy_strerror(rc));
    }
    /* The handle must not point at the buffer or the headers once the call may be freed. */
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(call->headers);
    call->headers = NULL;
}

int api_call_perform(CURL *curl, const char *base_url, struct api_call *call)
{
    if (api_call_prepare(curl, base_url, call) != 0)
        return -1;
    api_call_finish(curl, curl_easy_perform(curl), call);
    return 0;
}

int api_calls_parallel(const char *base_url, struct api_call **calls, size_t n, unsigned parallel)
{
    if (parallel == 0)
        parallel = 1;
    CURLM *multi = curl_multi_init();
    CURL **handles = calloc(parallel, sizeof *handles);
    struct api_call **current = calloc(parallel, sizeof *current); /* the call on each handle, or NULL */
    int result = multi && handles && current ? 0 : -1;
    for (unsigned i = 0; result == 0 && i < parallel; i++)
        if (!(handles[i] = curl_easy_init()))
            result = -1;

    size_t next = 0, done = 0;
    while (result == 0 && done < n) {
        for (unsigned i = 0; result == 0 && i < parallel && next < n; i++) {
            if (current[i])
                continue;
            if (api_call_prepare(handles[i], base_url, calls[next]) != 0 ||
                curl_multi_add_handle(multi, handles[i]) != CURLM_OK)
                result = -1;
            else
                current[i] = calls[next++];
        }
        int running = 0;
        if (result == 0 && curl_multi_perform(multi, &running) != CURLM_OK)
            result = -1;
        CURLMsg *msg;
        int left;
        while (result == 0 && (msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            unsigned i = 0;
            while (handles[i] != msg->easy_handle)
                i++;
            CURLcode rc = msg->data.result; /* msg does not survive the handle's removal */
            curl_multi_remove_handle(multi, handles[i]);
            api_call_finish(handles[i], rc, current[i]);
            current[i] = NULL;
            done++;
        }
        if (result == 0 && done < n && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
            result = -1;
    }
    for (unsigned i = 0; handles && i < parallel; i++) {
        if (current && current[i])
            curl_multi_remove_handle(multi, handles[i]);
        curl_easy_cleanup(handles[i]);
    }
    free(current);
    free(handles);
    curl_multi_cleanup(multi);
    return result;
}

bool api_call_ok(const struct api_call *call) { return call->status >= 200 && call->status < 300; }

static const json_t *error_member(const struct api_call *call, const char *key)
{
    return json_object_get(json_object_get(call->json, "error"), key);
}

const char *api_error_code(const struct api_call *call) { return json_string_value(error_member(call, "code")); }

void api_describe_failure(const struct api_call *call, char *out, size_t len)
{
    if (call->status == 0) {
        snprintf(out, len, "no answer: %s", call->transport_text);
        return;
    }
    const char *code = api_error_code(call);
    const char *message = json_string_value(error_member(call, "message"));
    if (code)
        snprintf(out, len, "HTTP %ld %s: %s", call->status, code, message ? message : "");
    else
        snprintf(out, len, "HTTP %ld", call->status);
}

const char *api_answer_string(const struct api_call *call, const char *key)
{
    return json_string_value(json_object_get(call->json, key));
}

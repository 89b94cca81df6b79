/*
 * Structured logging to stderr, one JSON object per line (see log.h).
 */
#include "log.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_LEVEL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void log_set_level(enum log_level level) { atomic_store(&current_level, (int)level); }

int log_enabled(enum log_level level) { return (int)level >= atomic_load(&current_level); }

static void format_now(char *out, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t len = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + len, n - len, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_fields(enum log_level level, const char *msg, json_t *fields)
{
    if (!log_enabled(level)) {
        json_decref(fields);
        return;
    }
    char ts[40];
    format_now(ts, sizeof ts);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "msg", msg ? msg : "");
    if (line && fields)
        json_object_update_missing(line, fields);
    json_decref(fields);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(line);
    if (!text) {
        static const char fallback[] = "{\"level\":\"error\",\"msg\":\"log line could not be encoded\"}\n";
        (void)!write(STDERR_FILENO, fallback, sizeof fallback - 1);
        return;
    }
    size_t len = strlen(text);
    char *out = realloc(text, len + 2);
    if (out) {
        out[len] = '\n';
        (void)!write(STDERR_FILENO, out, len + 1);
        free(out);
    } else {
        free(text);
    }
}

static void log_vformat(enum log_level level, const char *fmt, va_list ap)
{
    if (!log_enabled(level))
        return;
    /* A message may quote bytes from outside (a client's, a file's): those that are not UTF-8 are escaped. */
    char raw[1024], msg[4 * sizeof raw];
    vsnprintf(raw, sizeof raw, fmt, ap);
    utf8_escape_invalid(raw, msg, sizeof msg);
    log_fields(level, msg, NULL);
}

#define LOG_FN(fn, level)                   \
    void fn(const char *fmt, ...)           \
    {                                       \
        va_list ap;                         \
        va_start(ap, fmt);                  \
        log_vformat(level, fmt, ap);        \
        va_end(ap);                         \
    }

LOG_FN(log_debug, LOG_LEVEL_DEBUG)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_error, LOG_LEVEL_ERROR)

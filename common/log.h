/*
 * Structured logging: one JSON object per line on stderr.
 *
 * Every line carries "ts" (UTC, RFC 3339 with milliseconds), "level" and "msg";
 * callers may add fields. A line is written with a single write(2), so lines from
 * concurrent threads never interleave.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <jansson.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Parses "debug", "info", "warn" or "error"; returns -1 on anything else. */
int log_level_parse(const char *name);
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);

/* Writes msg with the fields of `fields` (stolen; may be NULL). */
void log_fields(enum log_level level, const char *msg, json_t *fields);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

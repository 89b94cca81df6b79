/*
 * JSON request bodies: parsing with the limits the service needs, and field
 * extraction through jansson's declarative json_unpack format strings, so every
 * handler validates its input the same way and reports the same errors.
 */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <jansson.h>
#include <stddef.h>

/*
 * Parses a request body that must be one JSON object (UTF-8, no duplicate keys).
 * Returns the object, or NULL with a human-readable reason in err.
 */
json_t *json_parse_object(const char *buf, size_t len, char *err, size_t err_len);

/*
 * json_unpack_ex on obj with a flat object format ("{s:T, s?T, ...}", "!" for
 * strict); returns 0, or -1 with the reason in err and, in *field (may be
 * NULL), the first key that is missing, of another type, or not expected.
 */
int json_unpack_fields(json_t *obj, char *err, size_t err_len, const char **field, const char *fmt, ...);

/* A finite JSON number (integer or real) as a double; -1 if the value is not a number. */
int json_number(const json_t *value, double *out);

/* True when s is min to max bytes long and holds no control characters (jansson has checked the UTF-8). */
int json_text_ok(const char *s, size_t min, size_t max);

/* The string value of an optional id field: 0 when absent or null, -1 when not a decimal id string. */
long long json_id_field(const json_t *obj, const char *key);

#endif

#include "json.h"

#include "ids.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

json_t *json_parse_object(const char *buf, size_t len, char *err, size_t err_len)
{
    json_error_t error;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        snprintf(err, err_len, "invalid JSON at line %d, column %d: %s", error.line, error.column, error.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(err, err_len, "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

int json_unpack_fields(json_t *obj, char *err, size_t err_len, const char *fmt, ...)
{
    json_error_t error;
    va_list ap;
    va_start(ap, fmt);
    int rc = json_vunpack_ex(obj, &error, 0, fmt, ap);
    va_end(ap);
    if (rc != 0) {
        snprintf(err, err_len, "%s", error.text);
        return -1;
    }
    return 0;
}

int json_number(const json_t *value, double *out)
{
    if (!json_is_number(value))
        return -1;
    double v = json_number_value(value);
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int json_text_ok(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

long long json_id_field(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    long long id = json_is_string(v) ? id_parse(json_string_value(v)) : 0;
    return id ? id : -1;
}

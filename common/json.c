#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

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

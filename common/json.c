#include "json.h"

#include "ids.h"

#include <math.h>
#include <stdbool.h>
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

static bool has_type(const json_t *v, char type)
{
    switch (type) {
    case 's': return json_is_string(v);
    case 'b': return json_is_boolean(v);
    case 'i': case 'I': return json_is_integer(v);
    case 'f': return json_is_real(v);
    case 'F': return json_is_number(v);
    case 'n': return json_is_null(v);
    default: return true; /* o, O: any value */
    }
}

/*
 * After a failed unpack, walks the flat format with the same arguments to name
 * the key at fault: jansson's message names a missing key but not a mistyped one.
 */
static const char *key_at_fault(const json_t *obj, const char *fmt, va_list ap)
{
    const char *keys[64];
    size_t nkeys = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != 's')
            continue; /* '{', '}', ',', ' ', '!' */
        const char *key = va_arg(ap, const char *);
        bool optional = p[1] == '?';
        char type = p[2];
        if ((p[1] != ':' && p[1] != '?') || !type)
            return NULL; /* not a flat format */
        (void)va_arg(ap, void *); /* the destination */
        p += 2;
        if (nkeys < sizeof keys / sizeof keys[0])
            keys[nkeys++] = key;
        const json_t *v = json_object_get(obj, key);
        if ((!v && !optional) || (v && !has_type(v, type)))
            return key;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool known = false;
        for (size_t i = 0; i < nkeys && !known; i++)
            known = strcmp(keys[i], key) == 0;
        if (!known)
            return key; /* "!": a key the format does not take */
    }
    return NULL;
}

int json_unpack_fields(json_t *obj, char *err, size_t err_len, const char **field, const char *fmt, ...)
{
    json_error_t error;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int rc = json_vunpack_ex(obj, &error, 0, fmt, ap);
    va_end(ap);
    const char *key = rc != 0 && json_is_object(obj) ? key_at_fault(obj, fmt, again) : NULL;
    va_end(again);
    if (field)
        *field = key;
    if (rc != 0 && key)
        snprintf(err, err_len, "%s: %s", key, error.text);
    else if (rc != 0)
        snprintf(err, err_len, "%s", error.text);
    return rc == 0 ? 0 : -1;
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

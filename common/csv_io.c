/*
 * libcsv tokenizes; this file adds what the service needs on top: line numbers,
 * UTF-8 validation, limits, a callback that can stop, and one owner for memory.
 *
 * The input is fed to libcsv one line at a time (a line ends at LF, CRLF or a
 * lone CR, inside quoted fields too). Every record-ending line break is the last
 * byte(s) of such a chunk, so a record starts on the line of the first non-blank
 * chunk fed while no record is open, and later lines of a quoted field only move
 * the line counter. Each line is checked for UTF-8 before libcsv sees it, which
 * gives invalid bytes their exact line.
 */
#include "csv_io.h"

#include "utf8.h"

#include <csv.h> /* libcsv */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct reader {
    struct csv_parser parser;
    size_t max_fields, max_field_bytes;
    csv_record_fn fn;
    void *ctx;
    char *err;
    size_t err_len;
    int rc;                 /* 0 while going on, then -1 (error) or the callback's value */

    unsigned long line;     /* the line being fed */
    unsigned long rec_line; /* where the open record started */
    bool in_record;

    /* The open record: its fields' bytes, each followed by a NUL, and their lengths. */
    char *data;
    size_t data_len, data_cap;
    size_t *lengths;
    const char **fields; /* filled when the record ends; one more slot for the NULL */
    size_t nfields, fields_cap;
};

__attribute__((format(printf, 2, 3))) static void fail(struct reader *r, const char *fmt, ...)
{
    if (r->rc != 0)
        return;
    r->rc = -1;
    if (r->err && r->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, r->err_len, fmt, ap);
        va_end(ap);
    }
}

/* The capacity, doubling from cap, that holds need elements of elem bytes; 0 if too large. */
static size_t grown(size_t cap, size_t need, size_t elem)
{
    size_t n = cap ? cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return 0;
        n *= 2;
    }
    return n > SIZE_MAX / elem ? 0 : n;
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->rc != 0)
        return;
    if (r->nfields >= r->max_fields) {
        fail(r, "line %lu: more than %zu fields", r->rec_line, r->max_fields);
        return;
    }
    if (len > r->max_field_bytes) {
        fail(r, "line %lu: field %zu is longer than %zu bytes", r->rec_line, r->nfields + 1, r->max_field_bytes);
        return;
    }
    if (r->nfields + 2 > r->fields_cap) { /* room for this field and the final NULL */
        size_t cap = grown(r->fields_cap, r->nfields + 2, sizeof(size_t) + sizeof(char *));
        const char **fields = cap ? realloc(r->fields, cap * sizeof *fields) : NULL;
        if (fields)
            r->fields = fields;
        size_t *lengths = fields ? realloc(r->lengths, cap * sizeof *lengths) : NULL;
        if (!lengths) {
            fail(r, "out of memory");
            return;
        }
        r->lengths = lengths;
        r->fields_cap = cap;
    }
    if (r->data_cap - r->data_len <= len) { /* room for the field and its NUL */
        size_t cap = len < SIZE_MAX - 1 - r->data_len ? grown(r->data_cap, r->data_len + len + 1, 1) : 0;
        char *d = cap ? realloc(r->data, cap) : NULL;
        if (!d) {
            fail(r, "out of memory");
            return;
        }
        r->data = d;
        r->data_cap = cap;
    }
    if (len)
        memcpy(r->data + r->data_len, s, len);
    r->data[r->data_len + len] = '\0';
    r->data_len += len + 1;
    r->lengths[r->nfields++] = len;
}

static void on_record(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    if (r->rc != 0)
        return;
    size_t off = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        r->fields[i] = r->data + off;
        off += r->lengths[i] + 1;
    }
    r->fields[r->nfields] = NULL;
    struct csv_record rec = {r->rec_line, r->nfields, r->fields, r->lengths};
    r->rc = r->fn(&rec, r->ctx);
    r->nfields = r->data_len = 0;
    r->in_record = false;
}

/* Measures the line at s up to and including its line break; NULL, or what is wrong with it. */
static const char *scan_line(const unsigned char *s, size_t n, size_t *line_len)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '\n') {
            i++;
            break;
        }
        if (c == '\r') {
            i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            break;
        }
        if (c == '\0')
            return "NUL byte";
        size_t k = c < 0x80 ? 1 : utf8_sequence_len(s + i, n - i);
        if (k == 0)
            return "not valid UTF-8";
        i += k;
    }
    *line_len = i;
    return NULL;
}

/* RFC 4180: spaces are part of a field; libcsv would trim them from unquoted ones. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int csv_read_records(const char *buf, size_t len, size_t max_fields, size_t max_field_bytes, csv_record_fn fn,
                     void *ctx, char *err, size_t err_len)
{
    struct reader r = {.max_fields = max_fields,
                       .max_field_bytes = max_field_bytes,
                       .fn = fn,
                       .ctx = ctx,
                       .err = err,
                       .err_len = err_len,
                       .line = 1};
    if (err && err_len)
        err[0] = '\0';
    if (csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fail(&r, "cannot initialise the CSV parser");
        return r.rc;
    }
    csv_set_space_func(&r.parser, no_space);

    const unsigned char *p = (const unsigned char *)buf, *end = len ? p + len : p;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end && r.rc == 0) {
        size_t n;
        const char *why = scan_line(p, (size_t)(end - p), &n);
        if (why) {
            fail(&r, "line %lu: %s", r.line, why);
            break;
        }
        if (!r.in_record && *p != '\r' && *p != '\n') { /* not a blank line */
            r.in_record = true;
            r.rec_line = r.line;
        }
        /* libcsv grows its field buffer by a fixed block: make the block at least
           the chunk, so that it grows at most once per chunk and geometrically. */
        size_t have = csv_get_buffer_size(&r.parser);
        csv_set_blk_size(&r.parser, have > n + 2 ? have : n + 2);
        if (csv_parse(&r.parser, p, n, on_field, on_record, &r) != n) {
            int status = csv_error(&r.parser);
            if (status == CSV_EPARSE)
                fail(&r, "line %lu: malformed quoting (a quote in an unquoted field, or text after a closing quote)",
                     r.line);
            else if (status == CSV_ENOMEM)
                fail(&r, "out of memory");
            else
                fail(&r, "line %lu: %s", r.line, csv_strerror(status));
            break;
        }
        p += n;
        if (p[-1] == '\n' || p[-1] == '\r')
            r.line++;
    }
    if (r.rc == 0 && csv_fini(&r.parser, on_field, on_record, &r) != 0)
        fail(&r, "line %lu: quoted field not closed at the end of the input", r.rec_line);

    csv_free(&r.parser);
    free(r.data);
    free(r.lengths);
    free(r.fields);
    return r.rc;
}

static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

bool csv_field_is_formula(const char *s, size_t len)
{
    return len > 0 && strchr("=+-@\t\r", s[0]) && s[0] != '\0';
}

/* The field as it stands, quoted when it needs to be. */
static int write_plain(FILE *out, const char *s, size_t len)
{
    if (needs_quotes(s, len))
        return csv_fwrite(out, s, len) == 0 ? 0 : -1;
    return fwrite(s, 1, len, out) == len ? 0 : -1;
}

int csv_write_field(FILE *out, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (!csv_field_is_formula(s, len))
        return write_plain(out, s, len);
    /* OWASP's advice against CSV injection: a leading ' makes a spreadsheet take the field as text. */
    char *neutral = malloc(len + 1);
    if (!neutral)
        return -1;
    neutral[0] = '\'';
    memcpy(neutral + 1, s, len);
    int rc = write_plain(out, neutral, len + 1);
    free(neutral);
    return rc;
}

int csv_write_record(FILE *out, size_t nfields, const char *const *fields, const size_t *lengths)
{
    if (nfields == 0)
        return -1;
    for (size_t i = 0; i < nfields; i++) {
        size_t len = lengths ? lengths[i] : strlen(fields[i]);
        if (i > 0 && fputc(',', out) == EOF)
            return -1;
        if (nfields == 1 && len == 0) {
            if (fputs("\"\"", out) == EOF)
                return -1;
        } else if (csv_write_field(out, fields[i], len) != 0) {
            return -1;
        }
    }
    return fputs("\r\n", out) == EOF ? -1 : 0;
}

bool csv_media_type_ok(const char *type)
{
    if (!type || strncasecmp(type, "text/csv", 8) != 0 || (type[8] && type[8] != ';' && type[8] != ' '))
        return false;
    const char *charset = strcasestr(type + 8, "charset=");
    if (!charset)
        return true;
    charset += 8;
    if (*charset == '"')
        charset++;
    /* strchr also finds the terminating NUL: "utf-8" may end the header. */
    return strncasecmp(charset, "utf-8", 5) == 0 && strchr("\"; ", charset[5]);
}

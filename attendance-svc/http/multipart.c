/*
 * multipart/form-data splitting (see multipart.h).
 *
 * The body is: an optional preamble, then for each part "--boundary" CRLF,
 * header lines, an empty line and the content, and at the end
 * "--boundary--". A part's content ends where CRLF "--boundary" begins (the
 * boundary never occurs inside a part, RFC 2046). Of a part's headers only
 * Content-Disposition (its name says which wanted part it is) and
 * Content-Type are read.
 */
#include "multipart.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define BOUNDARY_MAX 70        /* RFC 2046 */
#define PART_HEADERS_MAX 8192  /* a part's header block, at most */

/* The boundary parameter of a multipart/form-data Content-Type; its length, or 0. */
static size_t boundary_of(const char *content_type, const char **boundary)
{
    const char *p = content_type + strspn(content_type, " \t");
    static const char type[] = "multipart/form-data";
    if (strncasecmp(p, type, sizeof type - 1) != 0)
        return 0;
    p += sizeof type - 1;
    if (*p && *p != ';' && *p != ' ' && *p != '\t')
        return 0;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t n;
        if (*p == '"') {
            p++;
            const char *close = strchr(p, '"');
            if (!close)
                return 0;
            n = (size_t)(close - p);
        } else {
            n = strcspn(p, "; \t");
        }
        if (n == 0 || n > BOUNDARY_MAX)
            return 0;
        *boundary = p;
        return n;
    }
    return 0;
}

static const unsigned char *find(const unsigned char *from, const unsigned char *end, const void *needle,
                                 size_t nlen)
{
    return from >= end ? NULL : memmem(from, (size_t)(end - from), needle, nlen);
}

/*
 * The name parameter of a Content-Disposition value [v, end) of type form-data;
 * its length, or 0 when it has none.
 */
static size_t disposition_name(const char *v, const char *end, const char **name)
{
    v += strspn(v, " \t");
    if (end - v < 9 || strncasecmp(v, "form-data", 9) != 0)
        return 0;
    v += 9;
    while (v < end) {
        const char *semi = memchr(v, ';', (size_t)(end - v));
        if (!semi)
            return 0;
        v = semi + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        if (end - v < 5 || strncasecmp(v, "name=", 5) != 0)
            continue; /* filename=, or another parameter */
        v += 5;
        if (v < end && *v == '"') {
            const char *start = ++v;
            while (v < end && *v != '"')
                v += *v == '\\' && v + 1 < end ? 2 : 1;
            if (v >= end)
                return 0;
            *name = start;
            return (size_t)(v - start);
        }
        const char *start = v;
        while (v < end && *v != ';' && *v != ' ' && *v != '\t')
            v++;
        *name = start;
        return (size_t)(v - start);
    }
    return 0;
}

/* What a part's headers say: its name (required) and its Content-Type (optional). */
struct part_headers {
    const char *name, *type;
    size_t name_len, type_len;
};

/* Reads the header block [h, end) (lines ending CRLF); false when it names no part. */
static bool read_part_headers(const unsigned char *h, const unsigned char *end, struct part_headers *out)
{
    static const char disposition[] = "content-disposition:", type[] = "content-type:";
    *out = (struct part_headers){0};
    while (h < end) {
        const unsigned char *eol = find(h, end, "\r\n", 2);
        if (!eol)
            return false;
        size_t n = (size_t)(eol - h);
        if (n >= sizeof disposition - 1 && strncasecmp((const char *)h, disposition, sizeof disposition - 1) == 0) {
            out->name_len = disposition_name((const char *)h + sizeof disposition - 1, (const char *)eol, &out->name);
        } else if (n >= sizeof type - 1 && strncasecmp((const char *)h, type, sizeof type - 1) == 0) {
            const char *v = (const char *)h + sizeof type - 1, *v_end = (const char *)eol;
            while (v < v_end && (*v == ' ' || *v == '\t'))
                v++;
            while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
                v_end--;
            out->type = v;
            out->type_len = (size_t)(v_end - v);
        }
        h = eol + 2;
    }
    return out->name_len > 0;
}

static void take(struct multipart_part *wanted, size_t nwanted, const struct part_headers *h,
                 const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < nwanted; i++) {
        struct multipart_part *w = &wanted[i];
        if (strlen(w->name) != h->name_len || memcmp(w->name, h->name, h->name_len) != 0)
            continue;
        if (++w->seen > 1)
            return;
        w->type = h->type;
        w->type_len = h->type_len;
        if (len > w->limit) {
            w->too_large = true;
            return;
        }
        w->data = data;
        w->len = len;
        return;
    }
}

enum multipart_result multipart_split(const char *content_type, const unsigned char *body, size_t len,
                                      struct multipart_part *wanted, size_t nwanted)
{
    for (size_t i = 0; i < nwanted; i++) {
        wanted[i].data = NULL;
        wanted[i].type = NULL;
        wanted[i].len = wanted[i].type_len = wanted[i].seen = 0;
        wanted[i].too_large = false;
    }
    const char *boundary;
    size_t blen = content_type ? boundary_of(content_type, &boundary) : 0;
    if (blen == 0)
        return MULTIPART_NO_BOUNDARY;
    /* delimiter = CRLF "--" boundary; the first may stand at the very start, without the CRLF. */
    unsigned char delimiter[4 + BOUNDARY_MAX];
    memcpy(delimiter, "\r\n--", 4);
    memcpy(delimiter + 4, boundary, blen);
    const size_t dlen = 4 + blen;

    const unsigned char *end = body + len, *p;
    if (len >= dlen - 2 && memcmp(body, delimiter + 2, dlen - 2) == 0) {
        p = body + dlen - 2;
    } else {
        const unsigned char *first = find(body, end, delimiter, dlen);
        if (!first)
            return MULTIPART_MALFORMED;
        p = first + dlen;
    }
    for (;;) {
        /* Just after a delimiter: "--" closes the body; else transport padding, CRLF, a part. */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return MULTIPART_OK; /* what follows is the epilogue, ignored */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return MULTIPART_MALFORMED;
        p += 2;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
            return MULTIPART_MALFORMED; /* no header lines, so no name */
        const unsigned char *headers_end =
            find(p, (size_t)(end - p) > PART_HEADERS_MAX ? p + PART_HEADERS_MAX : end, "\r\n\r\n", 4);
        if (!headers_end)
            return MULTIPART_MALFORMED; /* no header block, or one too long */
        struct part_headers headers;
        if (!read_part_headers(p, headers_end + 2, &headers))
            return MULTIPART_MALFORMED;
        const unsigned char *content = headers_end + 4;
        const unsigned char *next = find(content, end, delimiter, dlen);
        if (!next)
            return MULTIPART_MALFORMED; /* truncated */
        take(wanted, nwanted, &headers, content, (size_t)(next - content));
        p = next + dlen;
    }
}

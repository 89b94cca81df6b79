/*
 * A multipart/form-data body (RFC 7578) split into the parts a handler names,
 * from bytes alone: no connection, no I/O, no allocation. The parts point into
 * the body, which must outlive them. The check-in route uses it, and
 * tests/fuzz/fuzz_multipart.c drives it with arbitrary bytes.
 */
#ifndef ATTENDANCE_HTTP_MULTIPART_H
#define ATTENDANCE_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

/* A part the caller wants: set name and limit; the rest is filled in. */
struct multipart_part {
    const char *name;          /* the form field (Content-Disposition name) */
    size_t limit;              /* bytes at most; a longer part is flagged too_large, not kept */
    const unsigned char *data; /* the first part of this name, within the limit (NULL: none) */
    size_t len;
    const char *type; /* that part's Content-Type value, trimmed, not NUL-terminated (NULL: none) */
    size_t type_len;
    unsigned seen; /* how many parts of this name the body has */
    bool too_large;
};

enum multipart_result {
    MULTIPART_OK,
    MULTIPART_NO_BOUNDARY, /* Content-Type not multipart/form-data with a usable boundary */
    MULTIPART_MALFORMED,   /* truncated, no closing delimiter, a part without a name, headers too long */
};

/*
 * Splits body by the boundary of content_type into the wanted parts (parts of
 * other names are skipped). MULTIPART_OK means the whole body is well formed,
 * up to its closing delimiter; the caller then judges counts and limits.
 */
enum multipart_result multipart_split(const char *content_type, const unsigned char *body, size_t len,
                                      struct multipart_part *wanted, size_t nwanted);

#endif

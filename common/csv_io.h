/*
 * CSV in and out (RFC 4180), on libcsv in strict mode.
 *
 * Reading hands every record, the header included, to a callback together with
 * the line it starts on, so that importers can report their rejections by line.
 * Fields are taken exactly as written: quotes are removed and "" unescaped, but
 * spaces are data (RFC 4180; libcsv's default of trimming them is turned off,
 * since a password may begin or end with one). A comma, quote, CR or LF belongs
 * in a field only when the field is quoted.
 */
#ifndef COMMON_CSV_IO_H
#define COMMON_CSV_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct csv_record {              /* one record as handed to the callback */
    unsigned long line;          /* 1-based line where the record starts (a quoted field may span lines) */
    size_t nfields;              /* at least 1 */
    const char *const *fields;   /* nfields NUL-terminated copies, then NULL; valid only during the callback */
    const size_t *lengths;       /* their lengths in bytes */
};

/* Returns 0 to go on, non-zero to stop (that value is returned by csv_read_records). */
typedef int (*csv_record_fn)(const struct csv_record *rec, void *ctx);

/*
 * Parses buf: comma separator, double-quote quoting, lines ending in CRLF or LF
 * (or a lone CR, as libcsv does), a UTF-8 BOM at the start skipped, blank lines
 * skipped, a missing final newline fine. A line of spaces is a record. Calls fn
 * for every record in order.
 *
 * Returns 0; the callback's non-zero value; or -1 with "line N: reason" in err:
 * malformed quoting, a quoted field not closed at the end of the input, a field
 * over max_field_bytes (after unquoting), a record with more than max_fields
 * fields, input that is not valid UTF-8 or holds a NUL byte. Pass SIZE_MAX for no
 * limit. Records before the one in error have already been passed to fn.
 * Thread-safe: all state is local to the call.
 */
int csv_read_records(const char *buf, size_t len, size_t max_fields, size_t max_field_bytes, csv_record_fn fn,
                     void *ctx, char *err, size_t err_len);

/* A Content-Type of text/csv, with no charset parameter or a UTF-8 one. */
#include <stdbool.h>
bool csv_media_type_ok(const char *content_type);

/*
 * Whether a spreadsheet would take the field as a formula: it begins with =,
 * +, -, @, a tab or a carriage return (OWASP, "CSV Injection").
 */
bool csv_field_is_formula(const char *s, size_t len);

/*
 * Writes one field, quoted (and its quotes doubled) only when it holds a comma,
 * quote, CR or LF; a field a spreadsheet would take as a formula
 * (csv_field_is_formula) with a ' before it, so that it is shown as the text it
 * is. Every field the service writes is text of this kind: no number it
 * exports is negative. Returns 0, or -1 on a write error or out of memory.
 */
int csv_write_field(FILE *out, const char *s, size_t len);

/*
 * Writes a record of nfields >= 1 fields, separated by commas, ending in CRLF.
 * lengths may be NULL for NUL-terminated fields. A record of one empty field is
 * written as "" so that it does not read back as a blank line. Returns 0, or -1
 * on a write error or when nfields is 0.
 */
int csv_write_record(FILE *out, size_t nfields, const char *const *fields, const size_t *lengths);

#endif

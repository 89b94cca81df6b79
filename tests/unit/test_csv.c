/* The CSV reader and writer: RFC 4180 on libcsv, line numbers, limits, UTF-8, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "csv_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records rendered as "line:field|field\n", for compact assertions. */
struct collected {
    char text[4096];
    size_t len;
    size_t records;
    size_t stop_after; /* 0: never */
};

static int collect(const struct csv_record *rec, void *ctx)
{
    struct collected *c = ctx;
    assert_true(rec->nfields >= 1);
    assert_null(rec->fields[rec->nfields]);
    c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%lu:", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        assert_int_equal(strlen(rec->fields[i]), rec->lengths[i]);
        assert_true(c->len + rec->lengths[i] + 2 < sizeof c->text);
        if (i > 0)
            c->text[c->len++] = '|';
        memcpy(c->text + c->len, rec->fields[i], rec->lengths[i]);
        c->len += rec->lengths[i];
    }
    c->text[c->len++] = '\n';
    c->text[c->len] = '\0';
    c->records++;
    return c->stop_after && c->records == c->stop_after ? 7 : 0;
}

static int read_n(const char *csv, size_t len, struct collected *c, char *err)
{
    memset(c, 0, sizeof *c);
    return csv_read_records(csv, len, 8, 64, collect, c, err, 256);
}

static int read_csv(const char *csv, struct collected *c, char *err)
{
    return read_n(csv, strlen(csv), c, err);
}

/* Reads csv, which must succeed, and checks the rendering. */
static void expect_records(const char *csv, const char *expected)
{
    struct collected c;
    char err[256];
    assert_int_equal(read_csv(csv, &c, err), 0);
    assert_string_equal(err, "");
    assert_string_equal(c.text, expected);
}

/* Reads csv, which must fail, and checks the error. */
static void expect_error(const char *csv, size_t len, const char *expected)
{
    struct collected c;
    char err[256];
    assert_int_equal(read_n(csv, len, &c, err), -1);
    assert_string_equal(err, expected);
}

static void expect_failure(const char *csv, const char *expected)
{
    expect_error(csv, strlen(csv), expected);
}

static void plain_records_with_lines(void **state)
{
    expect_records("nip,name,unit_code,password\n"
                   "198501012010011001,Budi,DKI-01,rahasia1\n"
                   "198702022011022002,Ani,DKI-02,rahasia2\n",
                   "1:nip|name|unit_code|password\n"
                   "2:198501012010011001|Budi|DKI-01|rahasia1\n"
                   "3:198702022011022002|Ani|DKI-02|rahasia2\n");
}

static void empty_input_has_no_records(void **state)
{
    struct collected c;
    char err[256];
    assert_int_equal(read_n(NULL, 0, &c, err), 0);
    assert_int_equal(c.records, 0);
    expect_records("", "");
    expect_records("\n\r\n\n", "");
    expect_records("\xEF\xBB\xBF", "");
}

static void quoted_comma(void **state)
{
    expect_records("nip,name\n1,\"Siti, S.Kom\"\n2,\"\"\n", "1:nip|name\n2:1|Siti, S.Kom\n3:2|\n");
}

static void escaped_quotes(void **state)
{
    expect_records("1,\"Ahmad \"\"Didi\"\" Santoso\",\"\"\"\"\n", "1:1|Ahmad \"Didi\" Santoso|\"\n");
}

static void embedded_newline_keeps_line_numbers(void **state)
{
    expect_records("nip,address\n"
                   "1,\"Jl. Merdeka 1\nJakarta\r\nIndonesia\"\n"
                   "2,\"\n\"\n"
                   "3,x\n",
                   "1:nip|address\n"
                   "2:1|Jl. Merdeka 1\nJakarta\r\nIndonesia\n"
                   "5:2|\n\n"
                   "7:3|x\n");
}

static void bom_skipped(void **state)
{
    expect_records("\xEF\xBB\xBFnip,name\n1,Budi\n", "1:nip|name\n2:1|Budi\n");
    /* Only at the start: elsewhere it is data (U+FEFF). */
    expect_records("a\n\xEF\xBB\xBF" "b\n", "1:a\n2:\xEF\xBB\xBF" "b\n");
}

static void crlf_line_ends(void **state)
{
    expect_records("nip,name\r\n1,Budi\r\n2,\"Ani\"\r\n", "1:nip|name\n2:1|Budi\n3:2|Ani\n");
}

static void mixed_line_ends(void **state)
{
    expect_records("a,b\r\nc,d\ne,f\r\n\r\ng,h\n", "1:a|b\n2:c|d\n3:e|f\n5:g|h\n");
    /* A lone CR ends a line too, as libcsv has it. */
    expect_records("a\rb\r\nc\n", "1:a\n2:b\n3:c\n");
}

static void blank_lines_skipped(void **state)
{
    expect_records("\n\nnip,name\n\n\r\n1,Budi\n\n", "3:nip|name\n6:1|Budi\n");
}

static void missing_final_newline(void **state)
{
    expect_records("nip,name\n1,Budi", "1:nip|name\n2:1|Budi\n");
    expect_records("nip,name\r\n1,\"Budi\"", "1:nip|name\n2:1|Budi\n");
}

static void trailing_empty_field(void **state)
{
    expect_records("a,b,\nc,,\n,\n", "1:a|b|\n2:c||\n3:|\n");
    expect_records("a,b,", "1:a|b|\n");
}

static void spaces_are_data(void **state)
{
    expect_records(" a , b \n\"  \",\t\n   \n", "1: a | b \n2:  |\t\n3:   \n");
}

static void malformed_quoting_rejected(void **state)
{
    static const char reason[] = "malformed quoting (a quote in an unquoted field, or text after a closing quote)";
    char expected[256];
    snprintf(expected, sizeof expected, "line 2: %s", reason);
    expect_failure("nip,name\n1,Bu\"di\n", expected);
    expect_failure("nip,name\n1,\"Budi\"x\n", expected);
    expect_failure("nip,name\n1,\"Budi\" \n", expected);
    expect_failure("nip,name\n1, \"Budi\"\n", expected);
    snprintf(expected, sizeof expected, "line 4: %s", reason);
    expect_failure("nip,name\n1,\"Bu\ndi\n\"x,2\n", expected);
}

static void unclosed_quote_rejected(void **state)
{
    const char *csv = "nip,name\n\n1,\"Budi\n2,Ani\n";
    expect_failure(csv, "line 3: quoted field not closed at the end of the input");
    csv = "nip,name\n1,\"Budi\"\"";
    expect_failure(csv, "line 2: quoted field not closed at the end of the input");
}

static void invalid_utf8_rejected(void **state)
{
    static const char *const bad[] = {
        "\x80",             /* lone continuation byte */
        "\xC3",             /* truncated */
        "\xC3(",            /* bad continuation */
        "\xC0\xAF",         /* overlong '/' */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\xAF",     /* overlong */
        "\xE0\x9F\xBF",     /* overlong */
        "\xED\xA0\x80",     /* surrogate U+D800 */
        "\xED\xBF\xBF",     /* surrogate U+DFFF */
        "\xF0\x80\x80\xAF", /* overlong */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80", /* beyond */
        "\xFF",
        "\xE2\x82",         /* truncated, at the end of the input */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char csv[64];
        int n = snprintf(csv, sizeof csv, "nip,name\n1,Budi\n\"2\",\"x%s\"\n", bad[i]);
        expect_error(csv, (size_t)n, "line 3: not valid UTF-8");
        n = snprintf(csv, sizeof csv, "a\n%s", bad[i]);
        expect_error(csv, (size_t)n, "line 2: not valid UTF-8");
    }
    /* The edges that are valid. */
    expect_records("\xC2\x80,\xDF\xBF,\xE0\xA0\x80,\xED\x9F\xBF,\xEE\x80\x80\n"
                   "\xEF\xBF\xBF,\xF0\x90\x80\x80,\xF4\x8F\xBF\xBF,Bj\xC3\xB6rk \xE2\x82\xAC\n",
                   "1:\xC2\x80|\xDF\xBF|\xE0\xA0\x80|\xED\x9F\xBF|\xEE\x80\x80\n"
                   "2:\xEF\xBF\xBF|\xF0\x90\x80\x80|\xF4\x8F\xBF\xBF|Bj\xC3\xB6rk \xE2\x82\xAC\n");
}

static void nul_byte_rejected(void **state)
{
    expect_error("a\nb,\"c\0d\"\n", 10, "line 2: NUL byte");
}

static void too_many_fields(void **state)
{
    expect_records("1,2,3,4,5,6,7,8\n", "1:1|2|3|4|5|6|7|8\n");
    const char *csv = "a\n\"x\ny\",2,3,4,5,6,7,8,9\n";
    expect_failure(csv, "line 2: more than 8 fields");
    csv = "a\n1,2,3,4,5,6,7,8,";
    expect_failure(csv, "line 2: more than 8 fields");
}

static void field_too_long(void **state)
{
    char x[66], y[64], csv[256];
    memset(x, 'x', sizeof x);
    memset(y, 'y', sizeof y);
    /* 64 bytes is the limit, counted after unquoting: "yyy...""" is 63 y and a quote. */
    int n = snprintf(csv, sizeof csv, "a\n1,%.64s\n2,\"%.63s\"\"\"\n", x, y);
    struct collected c;
    char err[256];
    assert_int_equal(read_n(csv, (size_t)n, &c, err), 0);
    assert_int_equal(c.records, 3);
    n = snprintf(csv, sizeof csv, "a\nb\n1,%.65s\n", x);
    expect_error(csv, (size_t)n, "line 3: field 2 is longer than 64 bytes");
    n = snprintf(csv, sizeof csv, "a\nb\n1,\"%.63s\"\"\"\"\"\n", y);
    expect_error(csv, (size_t)n, "line 3: field 2 is longer than 64 bytes");
}

static void callback_stops_early(void **state)
{
    struct collected c;
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    char err[256];
    const char *csv = "a\nb\nc\nd,\"unclosed\n";
    assert_int_equal(csv_read_records(csv, strlen(csv), 8, 64, collect, &c, err, sizeof err), 7);
    assert_int_equal(c.records, 2);
    assert_string_equal(c.text, "1:a\n2:b\n");
    assert_string_equal(err, "");

    /* At the last record, without a final newline: the value still comes back. */
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    assert_int_equal(csv_read_records("a", 1, 8, 64, collect, &c, err, sizeof err), 7);
}

/* What csv_write_field writes for s. */
static char *write_field(const char *s, size_t len)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_non_null(f);
    assert_int_equal(csv_write_field(f, s, len), 0);
    assert_int_equal(fclose(f), 0);
    return out;
}

static void writer_quotes_only_when_needed(void **state)
{
    static const char *const cases[][2] = {
        {"Budi", "Budi"},
        {"", ""},
        {" spaced ", " spaced "},
        {"Siti, S.Kom", "\"Siti, S.Kom\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\r", "\"cr\r\""},
        {"Jalan Ki Hajar Dewantara No. 5", "Jalan Ki Hajar Dewantara No. 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = write_field(cases[i][0], strlen(cases[i][0]));
        assert_string_equal(out, cases[i][1]);
        free(out);
    }
    /* Only len bytes count. */
    char *out = write_field("ab,c", 2);
    assert_string_equal(out, "ab");
    free(out);
}

static void writer_neutralises_what_a_spreadsheet_would_evaluate(void **state)
{
    static const struct {
        const char *in, *out;
        bool formula;
    } cases[] = {
        {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"", true},
        {"+62 812", "'+62 812", true},
        {"-1", "'-1", true},
        {"@SUM(A1)", "'@SUM(A1)", true},
        {"\tpadded", "'\tpadded", true},
        {"\rcarriage", "\"'\rcarriage\"", true},
        {"a=b", "a=b", false},          /* only the first character counts */
        {"'quoted", "'quoted", false},  /* already text */
        {"2023-09-04T07:25:00+07:00", "2023-09-04T07:25:00+07:00", false},
        {"", "", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = write_field(cases[i].in, strlen(cases[i].in));
        assert_string_equal(out, cases[i].out);
        free(out);
        assert_int_equal(csv_field_is_formula(cases[i].in, strlen(cases[i].in)), cases[i].formula);
    }
}

static void writer_round_trips(void **state)
{
    static const char *const rows[][3] = {
        {"nip", "name", "note"},
        {"198501012010011001", "Siti, S.Kom", "said \"ok\"\r\nthen left"},
        {"", "", ""},
        {" lead", "trail ", "\xF0\x9F\x98\x80,\""},
    };
    static const char *const single_empty[] = {""};
    static const char *const single[] = {"x"};
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_non_null(f);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(csv_write_record(f, 3, rows[i], NULL), 0);
    assert_int_equal(csv_write_record(f, 1, single_empty, NULL), 0);
    size_t one = 1;
    assert_int_equal(csv_write_record(f, 1, single, &one), 0);
    assert_int_equal(csv_write_record(f, 0, single, NULL), -1);
    assert_int_equal(fclose(f), 0);

    assert_string_equal(out, "nip,name,note\r\n"
                             "198501012010011001,\"Siti, S.Kom\",\"said \"\"ok\"\"\r\nthen left\"\r\n"
                             ",,\r\n"
                             " lead,trail ,\"\xF0\x9F\x98\x80,\"\"\"\r\n"
                             "\"\"\r\n"
                             "x\r\n");
    struct collected c;
    char err[256];
    assert_int_equal(read_n(out, out_len, &c, err), 0);
    assert_string_equal(c.text, "1:nip|name|note\n"
                                "2:198501012010011001|Siti, S.Kom|said \"ok\"\r\nthen left\n"
                                "4:||\n"
                                "5: lead|trail |\xF0\x9F\x98\x80,\"\n"
                                "6:\n"
                                "7:x\n");
    free(out);
}

struct counted {
    size_t records;
    unsigned long last_line;
    int ok;
};

static int count(const struct csv_record *rec, void *ctx)
{
    struct counted *c = ctx;
    c->records++;
    c->last_line = rec->line;
    if (rec->nfields != 4 || rec->line != c->records * 2 - 1)
        c->ok = 0;
    return 0;
}

static void hundred_thousand_rows(void **state)
{
    enum { ROWS = 100000 };
    size_t cap = 64 + (size_t)ROWS * 80, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv, cap, "\xEF\xBB\xBFnip,name,unit_code,password\r\n\r\n");
    for (int i = 0; i < ROWS; i++)
        len += (size_t)snprintf(csv + len, cap - len, "%018d,\"Pegawai %d, S.E.\",DKI-%02d,\"pw\"\"%d\"\r\n%s", i, i,
                                i % 100, i, i % 2 ? "\n" : "\r\n");
    struct counted c = {0, 0, 1};
    char err[256];
    int rc = csv_read_records(csv, len, 8, 64, count, &c, err, sizeof err);
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_int_equal(c.records, ROWS + 1);
    assert_int_equal(c.last_line, 2 * ROWS + 1);
    assert_true(c.ok);
    free(csv);
}

static int check_long_field(const struct csv_record *rec, void *ctx)
{
    size_t *expected = ctx;
    assert_int_equal(rec->nfields, 2);
    assert_int_equal(rec->lengths[0], *expected);
    assert_int_equal(rec->fields[0][0], 'x');
    assert_int_equal(rec->fields[0][*expected - 1], '\n');
    return 0;
}

static void long_multiline_field(void **state)
{
    /* 8 MiB in one quoted field over 2 Mi lines: fast only if buffering is linear. */
    size_t n = (size_t)8 << 20;
    char *csv = malloc(n + 8);
    assert_non_null(csv);
    csv[0] = '"';
    for (size_t i = 0; i < n; i += 4)
        memcpy(csv + 1 + i, "xyz\n", 4);
    memcpy(csv + 1 + n, "\",2\n", 4);
    char err[256];
    assert_int_equal(csv_read_records(csv, n + 5, 2, SIZE_MAX, check_long_field, &n, err, sizeof err), 0);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_records_with_lines),
        cmocka_unit_test(empty_input_has_no_records),
        cmocka_unit_test(quoted_comma),
        cmocka_unit_test(escaped_quotes),
        cmocka_unit_test(embedded_newline_keeps_line_numbers),
        cmocka_unit_test(bom_skipped),
        cmocka_unit_test(crlf_line_ends),
        cmocka_unit_test(mixed_line_ends),
        cmocka_unit_test(blank_lines_skipped),
        cmocka_unit_test(missing_final_newline),
        cmocka_unit_test(trailing_empty_field),
        cmocka_unit_test(spaces_are_data),
        cmocka_unit_test(malformed_quoting_rejected),
        cmocka_unit_test(unclosed_quote_rejected),
        cmocka_unit_test(invalid_utf8_rejected),
        cmocka_unit_test(nul_byte_rejected),
        cmocka_unit_test(too_many_fields),
        cmocka_unit_test(field_too_long),
        cmocka_unit_test(callback_stops_early),
        cmocka_unit_test(writer_quotes_only_when_needed),
        cmocka_unit_test(writer_neutralises_what_a_spreadsheet_would_evaluate),
        cmocka_unit_test(writer_round_trips),
        cmocka_unit_test(hundred_thousand_rows),
        cmocka_unit_test(long_multiline_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

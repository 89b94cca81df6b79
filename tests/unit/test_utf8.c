/* UTF-8: well-formed sequences, and the repair of messages that quote bytes from outside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "utf8.h"

#include <string.h>

static void sequences_are_measured_as_unicode_table_3_7_says(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
    } cases[] = {
        {"a", 1},
        {"\xC3\xA9", 2},         /* é */
        {"\xE2\x82\xAC", 3},     /* € */
        {"\xF0\x9F\x98\x80", 4}, /* 😀 */
        {"\xC0\xAF", 0},         /* overlong */
        {"\xE0\x80\xAF", 0},     /* overlong */
        {"\xED\xA0\x80", 0},     /* a surrogate */
        {"\xF4\x90\x80\x80", 0}, /* above U+10FFFF */
        {"\xFF", 0},
        {"\x80", 0},             /* a continuation byte alone */
        {"\xE2\x82", 0},         /* cut short */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(utf8_sequence_len((const unsigned char *)cases[i].bytes, strlen(cases[i].bytes)),
                         cases[i].len);
}

static void invalid_bytes_are_escaped_and_nothing_is_cut_in_half(void **state)
{
    static const char *const cases[][2] = {
        {"image/jpeg; q=\xFF\xFE", "image/jpeg; q=\\xFF\\xFE"},
        {"Dinas \xC3\x96 and \xC3", "Dinas \xC3\x96 and \\xC3"},
        {"plain", "plain"},
        {"", ""},
        {"\xED\xA0\x80", "\\xED\\xA0\\x80"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        utf8_escape_invalid(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
    /* Too long for out: whole sequences and escapes only. */
    utf8_escape_invalid("ab\xE2\x82\xAC", out, 5); /* room for 4 bytes: "ab" and not half of the euro */
    assert_string_equal(out, "ab");
    utf8_escape_invalid("ab\xFF", out, 6); /* "ab" and no room for the 4 of \xFF */
    assert_string_equal(out, "ab");
    utf8_escape_invalid("ab\xFF", out, 7);
    assert_string_equal(out, "ab\\xFF");
    utf8_escape_invalid("anything", out, 1);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequences_are_measured_as_unicode_table_3_7_says),
        cmocka_unit_test(invalid_bytes_are_escaped_and_nothing_is_cut_in_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

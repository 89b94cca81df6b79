/* multipart/form-data splitting: parts by name, boundaries, repeats, limits, and bodies that are not whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "multipart.h"

#include <string.h>

#define CT "multipart/form-data; boundary=XyZ"

static enum multipart_result split(const char *type, const char *body, struct multipart_part parts[2])
{
    parts[0] = (struct multipart_part){.name = "payload", .limit = 16};
    parts[1] = (struct multipart_part){.name = "selfie", .limit = 4};
    return multipart_split(type, (const unsigned char *)body, strlen(body), parts, 2);
}

static void parts_are_found_by_name_and_others_skipped(void **state)
{
    struct multipart_part p[2];
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\nContent-Type: application/json\r\n"
                       "\r\n{\"a\":1}\r\n--XyZ\r\ncontent-disposition: form-data; filename=\"s.jpg\"; name=selfie\r\n\r\n"
                       "\xff\xd8\r\n--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nignored\r\n--XyZ--\r\n";
    assert_int_equal(split(CT, body, p), MULTIPART_OK);
    assert_int_equal(p[0].len, 7);
    assert_memory_equal(p[0].data, "{\"a\":1}", 7);
    assert_int_equal(p[0].seen, 1);
    assert_int_equal(p[1].len, 2);
    assert_null(p[1].type);
    assert_int_equal(p[0].type_len, 16);
    assert_memory_equal(p[0].type, "application/json", 16);
    assert_memory_equal(p[1].data, "\xff\xd8", 2);
}

static void a_quoted_boundary_a_preamble_and_an_epilogue(void **state)
{
    struct multipart_part p[2];
    const char *body = "preamble\r\n--a b\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n\r\n-x-\r\n"
                       "--a b--\r\nepilogue";
    assert_int_equal(split("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", body, p), MULTIPART_OK);
    assert_int_equal(p[0].len, 5);
    assert_memory_equal(p[0].data, "\r\n-x-", 5);
}

static void repeats_and_oversized_parts_are_reported(void **state)
{
    struct multipart_part p[2];
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"selfie\"\r\n\r\n12345\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nx\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\ny\r\n--XyZ--";
    assert_int_equal(split(CT, body, p), MULTIPART_OK);
    assert_int_equal(p[0].seen, 2);
    assert_memory_equal(p[0].data, "x", 1); /* the first is kept */
    assert_true(p[1].too_large);
    assert_null(p[1].data);
}

static void bodies_that_are_not_whole_are_malformed(void **state)
{
    struct multipart_part p[2];
    const char *truncated = "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{\"a\":";
    const char *unclosed = "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nx\r\n--XyZ";
    const char *no_name = "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--";
    const char *no_headers = "--XyZ\r\n\r\nx\r\n--XyZ--";
    const char *unterminated_quote = "--XyZ\r\nContent-Disposition: form-data; name=\"payload\r\n\r\nx\r\n--XyZ--";
    const char *other_boundary = "--AbC\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nx\r\n--AbC--";
    const char *bodies[] = {truncated, unclosed, no_name, no_headers, unterminated_quote, other_boundary, ""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        assert_int_equal(split(CT, bodies[i], p), MULTIPART_MALFORMED);
}

static void a_content_type_without_a_usable_boundary(void **state)
{
    struct multipart_part p[2];
    const char *body = "--XyZ--";
    assert_int_equal(split("multipart/form-data", body, p), MULTIPART_NO_BOUNDARY);
    assert_int_equal(split("multipart/form-data; boundary=", body, p), MULTIPART_NO_BOUNDARY);
    assert_int_equal(split("multipart/form-data; boundary=\"XyZ", body, p), MULTIPART_NO_BOUNDARY);
    assert_int_equal(split("multipart/form-database; boundary=XyZ", body, p), MULTIPART_NO_BOUNDARY);
    assert_int_equal(split("multipart/form-data; boundary="
                           "12345678901234567890123456789012345678901234567890123456789012345678901",
                           body, p),
                     MULTIPART_NO_BOUNDARY); /* 71 characters: RFC 2046 allows 70 */
    assert_int_equal(split("multipart/form-data; boundary=XyZ", body, p), MULTIPART_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parts_are_found_by_name_and_others_skipped),
        cmocka_unit_test(a_quoted_boundary_a_preamble_and_an_epilogue),
        cmocka_unit_test(repeats_and_oversized_parts_are_reported),
        cmocka_unit_test(bodies_that_are_not_whole_are_malformed),
        cmocka_unit_test(a_content_type_without_a_usable_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

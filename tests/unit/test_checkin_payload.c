/* The signed payload's decoder and the shared date parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checkin/payload.h"
#include "dates.h"

#include <stdio.h>
#include <string.h>

#define NONCE "AAECAwQFBgcICQoLDA0ODw" /* 16 bytes */

static enum payload_result decode(const char *json, struct checkin_payload *p)
{
    char err[256];
    return checkin_payload_decode(json, strlen(json), p, err, sizeof err);
}

static void a_good_payload_decodes(void **state)
{
    struct checkin_payload p;
    assert_int_equal(decode("{\"device_id\": \"12\", \"type\": \"out\", \"mode\": \"WFH\", "
                            "\"captured_at\": \"2026-11-24T07:31:05.250+07:00\", \"lat\": -6.2, \"lon\": 106, "
                            "\"accuracy_m\": 12.5, \"mock_location\": true, \"nonce\": \"" NONCE "\", "
                            "\"selfie_sha256\": null}",
                            &p),
                     PAYLOAD_OK);
    assert_int_equal(p.device_id, 12);
    assert_int_equal(p.type, CHECKIN_OUT);
    assert_int_equal(p.mode, MODE_WFH);
    assert_true(p.mock_location);
    assert_false(p.has_selfie_sha256);
    assert_int_equal(p.captured_at_ms, 1795480265250LL); /* 2026-11-24T00:31:05.250Z */
    assert_string_equal(p.nonce, NONCE);
}

/* The kiosk's code is optional: absent or null is none, a string of 1 to 127 bytes is kept, anything else refused. */
static void the_presence_field(void **state)
{
    char json[512], code[200];
    struct checkin_payload p;
    const char *head = "{\"device_id\": \"1\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T07:31:05Z\", "
                       "\"lat\": -6.2, \"lon\": 106, \"accuracy_m\": 5, \"mock_location\": false, \"nonce\": \"" NONCE "\", "
                       "\"selfie_sha256\": null";
    snprintf(json, sizeof json, "%s}", head);
    assert_int_equal(decode(json, &p), PAYLOAD_OK);
    assert_false(p.has_presence);
    snprintf(json, sizeof json, "%s, \"presence\": null}", head);
    assert_int_equal(decode(json, &p), PAYLOAD_OK);
    assert_false(p.has_presence);
    snprintf(json, sizeof json, "%s, \"presence\": \"ATT1.5.59850000.AAAAAAAAAAAAAAAAAAAAAA\"}", head);
    assert_int_equal(decode(json, &p), PAYLOAD_OK);
    assert_true(p.has_presence);
    assert_string_equal(p.presence, "ATT1.5.59850000.AAAAAAAAAAAAAAAAAAAAAA");
    memset(code, 'x', 127), code[127] = '\0';
    snprintf(json, sizeof json, "%s, \"presence\": \"%s\"}", head, code);
    assert_int_equal(decode(json, &p), PAYLOAD_OK); /* 127 bytes: kept (and judged PRESENCE_INVALID) */
    memset(code, 'x', 128), code[128] = '\0';
    snprintf(json, sizeof json, "%s, \"presence\": \"%s\"}", head, code);
    assert_int_equal(decode(json, &p), PAYLOAD_MALFORMED);
    static const char *const bad[] = {"\"\"", "5", "true", "{}", "[\"ATT1\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json, "%s, \"presence\": %s}", head, bad[i]);
        assert_int_equal(decode(json, &p), PAYLOAD_MALFORMED);
    }
}

static void rfc3339_forms(void **state)
{
    int64_t a, b;
    assert_int_equal(rfc3339_parse_us("2026-11-24T00:31:05Z", &a), 0);
    assert_int_equal(rfc3339_parse_us("2026-11-24T09:31:05+09:00", &b), 0);
    assert_true(a == b);
    assert_int_equal(rfc3339_parse_us("2026-11-23T20:31:05.5-04:00", &b), 0);
    assert_true(b == a + 500000);
    assert_int_equal(rfc3339_parse_us("2024-02-29T00:00:00Z", &a), 0);
    static const char *const bad[] = {"2026-11-24T00:31:05", "2026-11-24 00:31:05Z", "2023-02-29T00:00:00Z",
                                      "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T00:31:05+0700",
                                      "2026-11-24T00:31:05.Z", "2026-11-24T00:31:05Zjunk", "", "1899-12-31T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rfc3339_parse_us(bad[i], &a), -1);
}

static void dates_exist_or_are_refused(void **state)
{
    int64_t days;
    assert_int_equal(date_parse("1970-01-02", &days), 0);
    assert_int_equal(days, 1);
    assert_int_equal(date_parse("2024-02-29", &days), 0);
    assert_int_equal(date_parse("2023-02-29", &days), -1);
    assert_int_equal(date_parse("2023-04-31", &days), -1);
    assert_int_equal(date_parse("2023-4-30", &days), -1);
    assert_int_equal(date_parse("2023-04-30T00:00:00Z", &days), -1);
    assert_int_equal(date_parse("", &days), -1);
    assert_int_equal(date_parse(NULL, &days), -1);
    int64_t us;
    assert_int_equal(rfc3339_parse_us("2023-04-30t01:00:00.123456789z", &us), 0);
    assert_true(us % 1000000 == 123456);
    assert_int_equal(rfc3339_parse_us("2023-04-30T01:00:00+16:00", &us), -1);
}

static void malformed_payloads(void **state)
{
    static const char *const bad[] = {
        "not json",
        "[]",
        "{\"device_id\": 12}",
        "{\"device_id\": \"12\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T00:00:00Z\", "
        "\"lat\": \"-6\", \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, \"nonce\": \"" NONCE
        "\", \"selfie_sha256\": null}",
        "{\"device_id\": \"12\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T00:00:00Z\", "
        "\"lat\": -6, \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, \"nonce\": \"short\", "
        "\"selfie_sha256\": null}",
        "{\"device_id\": \"12\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T00:00:00Z\", "
        "\"lat\": -6, \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, \"nonce\": \"" NONCE
        "\", \"selfie_sha256\": \"ABCDEF\"}",
        "{\"device_id\": \"x\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T00:00:00Z\", "
        "\"lat\": -6, \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, \"nonce\": \"" NONCE
        "\", \"selfie_sha256\": null}",
        "{\"device_id\": \"12\", \"device_id\": \"13\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": "
        "\"2026-11-24T00:00:00Z\", \"lat\": -6, \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, "
        "\"nonce\": \"" NONCE "\", \"selfie_sha256\": null}",
    };
    struct checkin_payload p;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(decode(bad[i], &p), PAYLOAD_MALFORMED);
}

static void locations_out_of_range(void **state)
{
    static const char *const fmt = "{\"device_id\": \"12\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": "
                                   "\"2026-11-24T00:00:00Z\", \"lat\": %s, \"lon\": %s, \"accuracy_m\": %s, "
                                   "\"mock_location\": false, \"nonce\": \"" NONCE "\", \"selfie_sha256\": null}";
    static const char *const cases[][3] = {{"91", "0", "1"}, {"0", "-180.5", "1"}, {"0", "0", "-0.1"},
                                           {"1e400", "0", "1"}};
    char json[512];
    struct checkin_payload p;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(json, sizeof json, fmt, cases[i][0], cases[i][1], cases[i][2]);
        enum payload_result r = decode(json, &p);
        /* 1e400 is not a finite double: jansson refuses it as malformed JSON. */
        assert_int_equal(r, i == 3 ? PAYLOAD_MALFORMED : PAYLOAD_INVALID_LOCATION);
    }
    snprintf(json, sizeof json, fmt, "90", "-180", "0");
    assert_int_equal(decode(json, &p), PAYLOAD_OK);
}

static void sign_in_payloads(void **state)
{
    static const char good[] = "{\"device_id\": \"12\", \"purpose\": \"sign-in\", \"signed_at\": "
                               "\"2026-11-24T07:00:00+07:00\", \"nonce\": \"" NONCE "\"}";
    struct sign_in_payload p;
    char err[256];
    assert_true(sign_in_payload_decode(good, strlen(good), &p, err, sizeof err));
    assert_int_equal(p.device_id, 12);
    assert_int_equal(p.signed_at_ms, 1795478400000LL);
    assert_string_equal(p.nonce, NONCE);
    static const char *const bad[] = {
        /* another purpose, a check-in's payload, a field more, one missing, a short nonce, no offset */
        "{\"device_id\": \"12\", \"purpose\": \"check-in\", \"signed_at\": \"2026-11-24T00:00:00Z\", \"nonce\": \"" NONCE "\"}",
        "{\"device_id\": \"12\", \"type\": \"in\", \"mode\": \"WFO\", \"captured_at\": \"2026-11-24T00:00:00Z\", "
        "\"lat\": -6, \"lon\": 106, \"accuracy_m\": 1, \"mock_location\": false, \"nonce\": \"" NONCE "\", "
        "\"selfie_sha256\": null}",
        "{\"device_id\": \"12\", \"purpose\": \"sign-in\", \"signed_at\": \"2026-11-24T00:00:00Z\", \"nonce\": \"" NONCE
        "\", \"extra\": 1}",
        "{\"device_id\": \"12\", \"purpose\": \"sign-in\", \"nonce\": \"" NONCE "\"}",
        "{\"device_id\": \"12\", \"purpose\": \"sign-in\", \"signed_at\": \"2026-11-24T00:00:00Z\", \"nonce\": \"AAAA\"}",
        "{\"device_id\": \"12\", \"purpose\": \"sign-in\", \"signed_at\": \"2026-11-24T00:00:00\", \"nonce\": \"" NONCE "\"}",
        "{\"device_id\": \"x\", \"purpose\": \"sign-in\", \"signed_at\": \"2026-11-24T00:00:00Z\", \"nonce\": \"" NONCE "\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(sign_in_payload_decode(bad[i], strlen(bad[i]), &p, err, sizeof err));
}

static void a_sign_in_is_good_for_five_minutes_either_way(void **state)
{
    struct sign_in_payload p = {.signed_at_ms = 1000000000000LL};
    assert_false(sign_in_clock_skewed(&p, p.signed_at_ms + SIGN_IN_CLOCK_SKEW_MS));
    assert_false(sign_in_clock_skewed(&p, p.signed_at_ms - SIGN_IN_CLOCK_SKEW_MS));
    assert_true(sign_in_clock_skewed(&p, p.signed_at_ms + SIGN_IN_CLOCK_SKEW_MS + 1));
    assert_true(sign_in_clock_skewed(&p, p.signed_at_ms - SIGN_IN_CLOCK_SKEW_MS - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_payload_decodes),
        cmocka_unit_test(the_presence_field),
        cmocka_unit_test(rfc3339_forms),
        cmocka_unit_test(dates_exist_or_are_refused),
        cmocka_unit_test(malformed_payloads),
        cmocka_unit_test(locations_out_of_range),
        cmocka_unit_test(sign_in_payloads),
        cmocka_unit_test(a_sign_in_is_good_for_five_minutes_either_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

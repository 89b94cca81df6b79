/* Kiosk codes (rules/presence.c) and what a valid one does to the check-in rules, with plain values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/checkin_rules.h"
#include "rules/presence.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PERIOD_MS 30000LL
#define T 59850000LL                       /* a window: 2026-11-26T07:00:00Z / 30 s */
#define WINDOW_MS (T * PERIOD_MS)
#define CREATED_MS (WINDOW_MS - 3600 * 1000) /* the kiosk was made an hour before */

static struct kiosk kiosks[2];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    kiosks[0] = (struct kiosk){.id = 5, .office_id = 7, .period_s = 30, .created_ms = CREATED_MS};
    memset(kiosks[0].secret, 0xA5, sizeof kiosks[0].secret);
    kiosks[1] = (struct kiosk){.id = 6, .office_id = 8, .period_s = 30, .created_ms = CREATED_MS};
    memset(kiosks[1].secret, 0x3C, sizeof kiosks[1].secret);
    return 0;
}

static enum presence_result verdict(const char *code, int64_t captured_ms)
{
    return presence_verify(code, kiosks, 2, captured_ms, captured_ms + 1000).result;
}

static void a_code_is_valid_from_one_period_before_its_window_to_one_after(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1];
    presence_code(5, T, kiosks[0].secret, code);
    /* The window's first and last second. */
    assert_int_equal(verdict(code, WINDOW_MS), PRESENCE_VALID);
    assert_int_equal(verdict(code, WINDOW_MS + PERIOD_MS - 1000), PRESENCE_VALID);
    /* One period of slack either side, and not a millisecond more. */
    assert_int_equal(verdict(code, WINDOW_MS - PERIOD_MS), PRESENCE_VALID);
    assert_int_equal(verdict(code, WINDOW_MS - PERIOD_MS - 1), PRESENCE_STALE);
    assert_int_equal(verdict(code, WINDOW_MS + 2 * PERIOD_MS - 1), PRESENCE_VALID);
    assert_int_equal(verdict(code, WINDOW_MS + 2 * PERIOD_MS), PRESENCE_STALE);
    struct presence_verdict v = presence_verify(code, kiosks, 2, WINDOW_MS, WINDOW_MS + 3600 * 1000);
    assert_int_equal(v.result, PRESENCE_VALID); /* however late it arrives */
    assert_int_equal(v.kiosk_id, 5);
    assert_int_equal(v.office_id, 7);
    assert_int_equal(v.t, T);
}

static void a_revoked_kiosk_proves_nothing_once_revoked(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1];
    presence_code(5, T, kiosks[0].secret, code);
    kiosks[0].revoked_ms = WINDOW_MS + 10 * 60 * 1000;
    /* Captured before the revocation but received after it: its secret may be in other hands by then. */
    assert_int_equal(presence_verify(code, kiosks, 2, WINDOW_MS, WINDOW_MS + 11 * 60 * 1000).result, PRESENCE_REVOKED);
    assert_int_equal(presence_verify(code, kiosks, 2, WINDOW_MS, WINDOW_MS + 1000).result, PRESENCE_VALID);
    kiosks[0].revoked_ms = 0;
}

static void another_units_kiosk_is_unknown(void **state)
{
    (void)state;
    unsigned char foreign_secret[KIOSK_SECRET_BYTES];
    memset(foreign_secret, 0x11, sizeof foreign_secret);
    char code[PRESENCE_CODE_MAX + 1];
    presence_code(99, T, foreign_secret, code); /* a good code of a kiosk of another unit's office */
    struct presence_verdict v = presence_verify(code, kiosks, 2, WINDOW_MS, WINDOW_MS);
    assert_int_equal(v.result, PRESENCE_UNKNOWN_KIOSK);
    assert_int_equal(v.office_id, 0);
    /* Nor does one kiosk's secret make another's codes. */
    presence_code(6, T, kiosks[0].secret, code);
    assert_int_equal(verdict(code, WINDOW_MS), PRESENCE_BAD_MAC);
}

static void a_mac_wrong_by_one_bit_is_refused(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1];
    presence_code(5, T, kiosks[0].secret, code);
    char *mac_text = strrchr(code, '.') + 1;
    unsigned char mac[KIOSK_MAC_BYTES];
    size_t len;
    assert_int_equal(sodium_base642bin(mac, sizeof mac, mac_text, strlen(mac_text), NULL, &len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    for (int bit = 0; bit < KIOSK_MAC_BYTES * 8; bit += 37) {
        mac[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        char bad[PRESENCE_CODE_MAX + 1];
        char bad_mac[32];
        sodium_bin2base64(bad_mac, sizeof bad_mac, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        snprintf(bad, sizeof bad, "ATT1.5.%lld.%s", T, bad_mac);
        assert_int_equal(verdict(bad, WINDOW_MS), PRESENCE_BAD_MAC);
        mac[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    /* Another window with this window's MAC. */
    char moved[PRESENCE_CODE_MAX + 1];
    snprintf(moved, sizeof moved, "ATT1.5.%lld.%s", T + 1, mac_text);
    assert_int_equal(verdict(moved, WINDOW_MS + PERIOD_MS), PRESENCE_BAD_MAC);
}

static void a_window_before_the_kiosk_was_made_is_refused(void **state)
{
    (void)state;
    int64_t first = CREATED_MS / PERIOD_MS; /* the window the kiosk was made in */
    char code[PRESENCE_CODE_MAX + 1];
    presence_code(5, first - 1, kiosks[0].secret, code);
    assert_int_equal(verdict(code, (first - 1) * PERIOD_MS), PRESENCE_VALID);
    presence_code(5, first - 2, kiosks[0].secret, code);
    assert_int_equal(verdict(code, (first - 2) * PERIOD_MS), PRESENCE_BEFORE_KIOSK);
}

static void malformed_codes(void **state)
{
    (void)state;
    char good[PRESENCE_CODE_MAX + 1], text[PRESENCE_CODE_MAX * 2];
    presence_code(5, T, kiosks[0].secret, good);
    const char *mac = strrchr(good, '.') + 1;
    assert_int_equal(verdict(NULL, WINDOW_MS), PRESENCE_NONE);
    const char *bad[] = {"", "ATT1", "ATT1.", "ATT2.5.1.x", "att1.5.59850000.AAAAAAAAAAAAAAAAAAAAAA", "ATT1.5..", "ATT1.05.59850000.AAAAAAAAAAAAAAAAAAAAAA",
                         "ATT1.0.59850000.AAAAAAAAAAAAAAAAAAAAAA", "ATT1.5.-1.AAAAAAAAAAAAAAAAAAAAAA",
                         "ATT1.5.1234567890123.AAAAAAAAAAAAAAAAAAAAAA", "ATT1.1234567890123456789.1.AAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(verdict(bad[i], WINDOW_MS), PRESENCE_MALFORMED);
    snprintf(text, sizeof text, "ATT1.5.%lld.%s=", T, mac); /* padding */
    assert_int_equal(verdict(text, WINDOW_MS), PRESENCE_MALFORMED);
    snprintf(text, sizeof text, "ATT1.5.%lld.%.21s", T, mac); /* a character short */
    assert_int_equal(verdict(text, WINDOW_MS), PRESENCE_MALFORMED);
    snprintf(text, sizeof text, "ATT1.5.%lld.%s ", T, mac);
    assert_int_equal(verdict(text, WINDOW_MS), PRESENCE_MALFORMED);
    assert_int_equal(verdict(good, WINDOW_MS), PRESENCE_VALID);
}

/* ---- the rules ---- */

static struct work_week week;

static struct checkin_payload payload_at(int64_t captured_ms, const char *code)
{
    struct checkin_payload p = {.device_id = 1, .type = CHECKIN_IN, .mode = MODE_WFO, .captured_at_ms = captured_ms,
                                .lat = -6.1818, .lon = 106.8283, .accuracy_m = 10};
    if (code) {
        p.has_presence = true;
        snprintf(p.presence, sizeof p.presence, "%s", code);
    }
    return p;
}

static const char *codes(const struct checkin_facts *f, char *buf, size_t n)
{
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    size_t count = checkin_violations(f, v);
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i)
            strncat(buf, ",", n - strlen(buf) - 1);
        strncat(buf, v[i].code, n - strlen(buf) - 1);
        json_decref(v[i].evidence);
    }
    return buf;
}

static void an_offline_phone_with_a_code_is_judged_when_it_was_at_the_office(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1], buf[256];
    presence_code(5, T, kiosks[0].secret, code);
    struct checkin_payload p = payload_at(WINDOW_MS + 5000, code);
    int64_t received = p.captured_at_ms + 3600 * 1000; /* an hour later */
    struct presence_verdict v = presence_verify(p.presence, kiosks, 2, p.captured_at_ms, received);
    assert_int_equal(checkin_judged_ms(&p, received, 120, &v), p.captured_at_ms);
    /* Without the code, the moment received. */
    struct presence_verdict none = {.result = PRESENCE_NONE};
    assert_int_equal(checkin_judged_ms(&p, received, 120, &none), received);
    /* Never later than the moment received, whatever the phone says. */
    assert_int_equal(checkin_judged_ms(&p, p.captured_at_ms - 20000, 120, &v), p.captured_at_ms - 20000);

    work_week_default(&week);
    /* Outside the geofence by 300 m (a basement's fix), and no LATE_SYNC for the hour. */
    struct checkin_facts f = {.p = &p, .received_at_ms = received, .judged_at_ms = p.captured_at_ms,
                              .place = {true, false, 300, 7}, .presence = v, .local_weekday = WD_MON,
                              .local_second_of_day = 7 * 3600, .week = &week, .roster_start_min = -1,
                              .roster_end_min = -1};
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    assert_true(checkin_counts_for_day(&f));
    /* The same check-in without the code: outside, and late to sync. */
    f.presence = none;
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE,LATE_SYNC");
    assert_false(checkin_counts_for_day(&f));
}

static void a_relayed_code_far_from_the_office_is_flagged_and_counts_for_nothing(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1], buf[256];
    presence_code(5, T, kiosks[0].secret, code);
    struct checkin_payload p = payload_at(WINDOW_MS, code);
    struct presence_verdict v = presence_verify(p.presence, kiosks, 2, p.captured_at_ms, p.captured_at_ms);
    work_week_default(&week);
    struct checkin_facts f = {.p = &p, .received_at_ms = p.captured_at_ms, .judged_at_ms = p.captured_at_ms,
                              .place = {true, false, 1000.5, 7}, .presence = v, .local_weekday = WD_MON,
                              .local_second_of_day = 7 * 3600, .week = &week, .roster_start_min = -1,
                              .roster_end_min = -1};
    assert_string_equal(codes(&f, buf, sizeof buf), "PRESENCE_MISMATCH");
    assert_false(checkin_counts_for_day(&f));
    f.place.distance_m = 1000; /* at 1 km exactly, not beyond */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    assert_true(checkin_counts_for_day(&f));
}

static void an_invalid_code_is_flagged_and_judged_as_if_absent(void **state)
{
    (void)state;
    char code[PRESENCE_CODE_MAX + 1], buf[256];
    presence_code(5, T, kiosks[1].secret, code); /* kiosk 6's secret for kiosk 5 */
    struct checkin_payload p = payload_at(WINDOW_MS, code);
    struct presence_verdict v = presence_verify(p.presence, kiosks, 2, p.captured_at_ms, p.captured_at_ms);
    assert_int_equal(v.result, PRESENCE_BAD_MAC);
    int64_t received = p.captured_at_ms + 3600 * 1000;
    assert_int_equal(checkin_judged_ms(&p, received, 120, &v), received);
    work_week_default(&week);
    struct checkin_facts f = {.p = &p, .received_at_ms = received, .judged_at_ms = received,
                              .place = {true, true, 0, 7}, .presence = v, .local_weekday = WD_MON,
                              .local_second_of_day = 8 * 3600, .week = &week, .roster_start_min = -1,
                              .roster_end_min = -1};
    struct violation out[CHECKIN_VIOLATIONS_MAX];
    size_t n = checkin_violations(&f, out);
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL,PRESENCE_INVALID,LATE_SYNC");
    assert_int_equal(n, 3);
    assert_string_equal(json_string_value(json_object_get(out[1].evidence, "reason")), "bad_mac");
    assert_string_equal(json_string_value(json_object_get(out[1].evidence, "kiosk_id")), "5");
    for (size_t i = 0; i < n; i++)
        json_decref(out[i].evidence);
    /* A valid code in a WFH check-in proves nothing the mode claims. */
    presence_code(5, T, kiosks[0].secret, code);
    p = payload_at(WINDOW_MS, code);
    p.mode = MODE_WFH;
    v = presence_verify(p.presence, kiosks, 2, p.captured_at_ms, p.captured_at_ms);
    assert_false(checkin_presence_proves(&p, &v));
    f = (struct checkin_facts){.p = &p, .received_at_ms = p.captured_at_ms, .judged_at_ms = p.captured_at_ms,
                               .place = {true, true, 0, 0}, .presence = v, .rostered = true, .roster_mode = MODE_WFH,
                               .local_weekday = WD_MON, .local_second_of_day = 7 * 3600, .week = &week,
                               .roster_start_min = -1, .roster_end_min = -1};
    assert_string_equal(codes(&f, buf, sizeof buf), "PRESENCE_INVALID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_code_is_valid_from_one_period_before_its_window_to_one_after),
        cmocka_unit_test(a_revoked_kiosk_proves_nothing_once_revoked),
        cmocka_unit_test(another_units_kiosk_is_unknown),
        cmocka_unit_test(a_mac_wrong_by_one_bit_is_refused),
        cmocka_unit_test(a_window_before_the_kiosk_was_made_is_refused),
        cmocka_unit_test(malformed_codes),
        cmocka_unit_test(an_offline_phone_with_a_code_is_judged_when_it_was_at_the_office),
        cmocka_unit_test(a_relayed_code_far_from_the_office_is_flagged_and_counts_for_nothing),
        cmocka_unit_test(an_invalid_code_is_flagged_and_judged_as_if_absent),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

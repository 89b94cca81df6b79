/* Working time as the rules set it (rules/work_hours.c), at its edges, alone and through the check-in rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/checkin_rules.h"
#include "rules/work_hours.h"

#include <string.h>

#define T0 1795500000000LL
#define HM(h, m) (((h) * 60 + (m)) * 60) /* a local second of the day */

static struct work_week week;
static struct work_settings settings;

static struct checkin_payload payload(enum checkin_type type)
{
    return (struct checkin_payload){.device_id = 1, .type = type, .mode = MODE_WFO, .captured_at_ms = T0,
                                    .lat = -6.1818, .lon = 106.8283, .accuracy_m = 10};
}

/* A WFO check-in inside the office on a Monday of the common week, judged at local_second. */
static struct checkin_facts facts(const struct checkin_payload *p, int local_second)
{
    work_week_default(&week);
    return (struct checkin_facts){
        .p = p, .received_at_ms = T0 + 1000, .judged_at_ms = T0, .place = {true, true, 0, 7},
        .local_weekday = WD_MON, .local_second_of_day = local_second, .week = &week, .settings = &settings,
        .roster_start_min = -1, .roster_end_min = -1,
    };
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

static int setup(void **state)
{
    work_settings_default(&settings);
    return 0;
}

static void windows_parse_and_refuse(void **state)
{
    char err[160];
    json_t *ok = json_loads("{\"in\": [\"06:00\", \"10:00\"], \"out\": [\"15:00\", \"18:00\"]}", 0, NULL);
    assert_int_equal(checkin_windows_from_json(ok, &settings, err, sizeof err), 0);
    assert_int_equal(settings.in_from, 360);
    assert_int_equal(settings.out_to, 1080);
    json_t *back = checkin_windows_to_json(&settings);
    assert_true(json_equal(ok, back));
    json_decref(back);
    json_decref(ok);
    assert_int_equal(checkin_windows_from_json(json_null(), &settings, err, sizeof err), 0);
    assert_int_equal(settings.in_from, -1);
    back = checkin_windows_to_json(&settings);
    assert_true(json_is_null(back));
    json_decref(back);
    const char *bad[] = {"[]", "{\"lunch\": [\"12:00\", \"13:00\"]}", "{\"in\": [\"10:00\", \"06:00\"]}",
                         "{\"in\": [\"6:00\", \"10:00\"]}", "{\"out\": [\"15:00\"]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_int_equal(checkin_windows_from_json(j, &settings, err, sizeof err), -1);
        json_decref(j);
    }
}

/* The window's first second and its last minute, whole, are in; the second before and the minute after are not. */
static void a_window_holds_its_first_and_last_minute(void **state)
{
    char buf[256];
    settings.in_from = 6 * 60, settings.in_to = 10 * 60, settings.out_from = 15 * 60, settings.out_to = 18 * 60;
    struct checkin_payload in = payload(CHECKIN_IN), out = payload(CHECKIN_OUT);
    struct checkin_facts f = facts(&in, HM(5, 59) + 59);
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_WINDOW");
    assert_false(checkin_counts_for_day(&f));
    f.local_second_of_day = HM(6, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    assert_true(checkin_counts_for_day(&f));
    f.local_second_of_day = HM(10, 0) + 59; /* in the window, and late (start 07:30): the arrival is judged */
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    f.local_second_of_day = HM(10, 1); /* no arrival, so nothing to be late by */
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_WINDOW");
    assert_false(checkin_counts_for_day(&f));

    f = facts(&out, HM(18, 0) + 59);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = HM(18, 1);
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_WINDOW");
    f.local_second_of_day = HM(14, 59) + 59; /* an out before its window is no departure: no EARLY_DEPARTURE either */
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_WINDOW");
    assert_false(checkin_counts_for_day(&f));
}

/* The unit's windows judge its own hours: not a rostered shift, not a rest day, not a day off. */
static void windows_do_not_judge_shifts_or_days_off(void **state)
{
    char buf[256];
    settings.in_from = 6 * 60, settings.in_to = 10 * 60;
    struct checkin_payload in = payload(CHECKIN_IN);
    struct checkin_facts f = facts(&in, HM(18, 55));
    f.rostered = true, f.roster_start_min = 19 * 60, f.roster_end_min = 7 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f = facts(&in, HM(12, 0));
    f.local_weekday = WD_SUN;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_weekday = WD_MON, f.rostered = true, f.rest_day = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void flex_of_exactly_60(void **state)
{
    char buf[256];
    settings.flex_minutes = 60;
    struct checkin_payload in = payload(CHECKIN_IN), out = payload(CHECKIN_OUT);
    struct checkin_facts f = facts(&in, HM(8, 30) + 59); /* 07:30 + 60, to its last second */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = HM(8, 31);
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    assert_int_equal(checkin_violations(&f, v), 1);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    assert_int_equal(json_integer_value(json_object_get(v[0].evidence, "late_minutes")), 1);
    assert_string_equal(json_string_value(json_object_get(v[0].evidence, "start")), "08:30");
    json_decref(v[0].evidence);

    /* Arrived 08:30: the day ends at 17:00, 60 minutes after 16:00. */
    f = facts(&out, HM(16, 59) + 59);
    f.had_arrival = true, f.arrival_second = HM(8, 30) + 40;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    f.local_second_of_day = HM(17, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    /* Arrived 07:10 (before the start): the day is the unit's, 16:00. */
    f.arrival_second = HM(7, 10), f.local_second_of_day = HM(16, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    /* Arrived 09:15, late: the flexible hour is used whole, the end is 17:00. */
    struct day_hours h = day_hours_of(&week, WD_MON, false, false, -1, -1);
    assert_int_equal(effective_start_min(&h, &settings, HM(9, 15)), 8 * 60 + 30);
    assert_int_equal(effective_end_min(&h, &settings, 0, HM(9, 15)), 17 * 60);
    assert_int_equal(effective_end_min(&h, &settings, 0, -1), 16 * 60);
}

static void grace_made_up_moves_the_end(void **state)
{
    char buf[256];
    struct checkin_payload out = payload(CHECKIN_OUT);
    struct checkin_facts f = facts(&out, HM(16, 14) + 30);
    f.grace_minutes = 30, f.had_arrival = true, f.arrival_second = HM(7, 45) + 30; /* 15 minutes late, within grace */
    assert_string_equal(codes(&f, buf, sizeof buf), ""); /* not made up: the end is 16:00 */
    settings.grace_made_up = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    f.local_second_of_day = HM(16, 15);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    /* 50 minutes late: only the 30 of the grace are made up (the rest is LATE_ARRIVAL's). */
    f.arrival_second = HM(8, 20), f.local_second_of_day = HM(16, 29) + 59;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    f.local_second_of_day = HM(16, 30);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

/*
 * 19:00-07:00 starting on the 31st: the day is the 31st, its end 07:00 on the
 * 1st, and the morning of the 1st belongs to it for 4 hours after the end.
 */
static void a_night_shift_across_a_months_end(void **state)
{
    char buf[256];
    struct day_hours h = day_hours_of(&week, WD_SAT, true, false, 19 * 60, 7 * 60);
    assert_true(h.works); /* a shift is worked on a weekend and on a holiday */
    assert_true(h.own_hours);
    assert_int_equal(h.end_min, 24 * 60 + 7 * 60);
    assert_int_equal(overnight_end_min(19 * 60, 7 * 60), 7 * 60);
    assert_int_equal(overnight_end_min(7 * 60, 19 * 60), -1);
    assert_int_equal(overnight_end_min(-1, 7 * 60), -1);
    assert_true(belongs_to_previous_day(7 * 60, HM(6, 50)));
    assert_true(belongs_to_previous_day(7 * 60, HM(10, 59) + 59));
    assert_false(belongs_to_previous_day(7 * 60, HM(11, 0)));
    assert_false(belongs_to_previous_day(-1, HM(0, 10)));

    struct checkin_payload in = payload(CHECKIN_IN), out = payload(CHECKIN_OUT);
    struct checkin_facts f = facts(&in, HM(19, 0) + 59);
    f.local_weekday = WD_SAT, f.rostered = true, f.roster_start_min = 19 * 60, f.roster_end_min = 7 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = HM(19, 1);
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    f.p = &out, f.had_arrival = true, f.arrival_second = HM(18, 55);
    f.local_second_of_day = HM(24 + 6, 50); /* 06:50 on the 1st, judged on the 31st's day */
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    assert_int_equal(checkin_violations(&f, v), 1);
    assert_string_equal(v[0].code, "EARLY_DEPARTURE");
    assert_int_equal(json_integer_value(json_object_get(v[0].evidence, "early_minutes")), 10);
    assert_string_equal(json_string_value(json_object_get(v[0].evidence, "end")), "07:00");
    json_decref(v[0].evidence);
    f.local_second_of_day = HM(24 + 7, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    /* The same out at 23:00 on the 31st, in the middle of the night, is early by 8 hours. */
    f.local_second_of_day = HM(23, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
}

static void a_rest_day_has_no_time_rule_and_no_mode(void **state)
{
    char buf[256];
    struct checkin_payload in = payload(CHECKIN_IN);
    in.mode = MODE_WFH;
    struct checkin_facts f = facts(&in, HM(10, 0));
    f.rostered = true, f.rest_day = true;
    f.place = (struct place_verdict){true, true, 0, 0};
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    assert_false(day_hours_of(&week, WD_MON, false, true, -1, -1).works);
    assert_false(day_hours_of(&week, WD_MON, false, true, 19 * 60, 7 * 60).works);
    f.rest_day = false, f.roster_mode = MODE_WFO; /* the same check-in on a WFO day is judged */
    assert_string_equal(codes(&f, buf, sizeof buf), "MODE_MISMATCH");
}

/* Ramadan 2023 in DKI (Kepgub 199/2023): 07:00-14:00 over the week; its first day is judged by it. */
static void ramadans_first_day_is_judged_by_its_hours(void **state)
{
    char buf[256], err[160];
    json_t *ramadan = json_loads("{\"mon\": [\"07:00\", \"14:00\"], \"tue\": [\"07:00\", \"14:00\"],"
                                 " \"wed\": [\"07:00\", \"14:00\"], \"thu\": [\"07:00\", \"14:00\"],"
                                 " \"fri\": [\"07:00\", \"14:00\"]}", 0, NULL);
    struct work_week w;
    assert_int_equal(work_week_from_json(ramadan, &w, err, sizeof err), 0);
    json_decref(ramadan);
    struct checkin_payload in = payload(CHECKIN_IN), out = payload(CHECKIN_OUT);
    struct checkin_facts f = facts(&in, HM(7, 0) + 59);
    f.local_weekday = WD_THU, f.week = &w; /* 23 March 2023 */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = HM(7, 1);
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    f.p = &out, f.had_arrival = true, f.arrival_second = HM(6, 55), f.local_second_of_day = HM(14, 0);
    assert_string_equal(codes(&f, buf, sizeof buf), ""); /* the common week would end at 16:00 */
    f.week = &week;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(windows_parse_and_refuse, setup),
        cmocka_unit_test_setup(a_window_holds_its_first_and_last_minute, setup),
        cmocka_unit_test_setup(windows_do_not_judge_shifts_or_days_off, setup),
        cmocka_unit_test_setup(flex_of_exactly_60, setup),
        cmocka_unit_test_setup(grace_made_up_moves_the_end, setup),
        cmocka_unit_test_setup(a_night_shift_across_a_months_end, setup),
        cmocka_unit_test_setup(a_rest_day_has_no_time_rule_and_no_mode, setup),
        cmocka_unit_test_setup(ramadans_first_day_is_judged_by_its_hours, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

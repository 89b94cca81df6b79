/* The check-in rules, the policy combination and the work week, with plain values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/checkin_rules.h"
#include "rules/policy.h"

#include <math.h>
#include <string.h>

#define T0 1795500000000LL /* some instant, in ms */

static struct work_week dki_week;

static struct checkin_payload base_payload(void)
{
    struct checkin_payload p = {.device_id = 1, .type = CHECKIN_IN, .mode = MODE_WFO, .captured_at_ms = T0,
                                .lat = -6.1818, .lon = 106.8283, .accuracy_m = 10};
    return p;
}

/* A clean WFO check-in at 07:00 on a Monday, inside the office. */
static struct checkin_facts base_facts(const struct checkin_payload *p)
{
    work_week_default(&dki_week);
    struct checkin_facts f = {
        .p = p, .received_at_ms = p->captured_at_ms + 1000, .judged_at_ms = p->captured_at_ms, .place = {true, true, 0, 7},
        .local_weekday = WD_MON, .local_second_of_day = 7 * 3600, .week = &dki_week,
        .roster_start_min = -1, .roster_end_min = -1,
    };
    return f;
}

/* The codes flagged, comma-separated, into buf. */
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

static void clean_check_in_has_no_violation(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void late_at_0731_not_at_073059(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.local_second_of_day = 7 * 3600 + 30 * 60 + 59;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = 7 * 3600 + 31 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    /* The same instant read in WIT (UTC+9) is two hours later than in WIB: the caller passes local time. */
    f.local_second_of_day = 5 * 3600 + 31 * 60; /* 07:31 WIT is 05:31 WIB */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void late_minutes_count_from_the_start_and_grace_excuses(void **state)
{
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.grace_minutes = 15;
    f.local_second_of_day = 7 * 3600 + 45 * 60 + 30; /* 07:45:30: within grace */
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    assert_int_equal(checkin_violations(&f, v), 0);
    f.local_second_of_day = 7 * 3600 + 50 * 60; /* 07:50 */
    assert_int_equal(checkin_violations(&f, v), 1);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    assert_int_equal(json_integer_value(json_object_get(v[0].evidence, "late_minutes")), 20);
    json_decref(v[0].evidence);
}

static void only_the_first_in_can_be_late(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.local_second_of_day = 9 * 3600;
    f.had_arrival = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void no_lateness_on_a_weekend_or_holiday(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.local_second_of_day = 9 * 3600;
    f.local_weekday = WD_SAT;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_weekday = WD_TUE;
    f.holiday = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    p.type = CHECKIN_OUT;
    f.local_second_of_day = 12 * 3600;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void early_departure_before_the_end(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.type = CHECKIN_OUT;
    struct checkin_facts f = base_facts(&p);
    f.local_second_of_day = 15 * 3600 + 59 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    f.local_second_of_day = 16 * 3600;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_weekday = WD_FRI; /* Friday ends at 16:30 */
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
}

static void a_roster_session_overrides_the_units_hours(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.rostered = true;
    f.roster_mode = MODE_WFO;
    f.roster_start_min = 12 * 60;
    f.roster_end_min = 17 * 60;
    f.local_second_of_day = 11 * 3600;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.local_second_of_day = 12 * 3600 + 5 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
}

/* Approved leave is one input (rules/leave.c decides what it excuses): an izin's hours, a day of official duty. */
static void approved_leave_excuses_what_it_covers(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.local_second_of_day = 9 * 3600 + 40 * 60;
    f.leave = (struct leave_cover){.on_leave = true, .start_min = 7 * 60 + 30, .end_min = 9 * 60 + 40};
    assert_string_equal(codes(&f, buf, sizeof buf), ""); /* arrived when the izin ended */
    f.local_second_of_day = 9 * 3600 + 41 * 60;
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    f.leave = (struct leave_cover){.on_leave = true, .start_min = -1, .end_min = -1, .excuses_place = true};
    f.place = (struct place_verdict){true, false, 4000, 7}; /* on duty elsewhere */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.leave.excuses_place = false; /* sick leave does not excuse a check-in far from the office */
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE");
    p.type = CHECKIN_OUT;
    f = base_facts(&p);
    f.local_second_of_day = 14 * 3600;
    f.leave = (struct leave_cover){.on_leave = true, .start_min = 14 * 60, .end_min = 16 * 60};
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.leave.start_min = 14 * 60 + 1;
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    (void)state;
}

static void place_rules_honour_accuracy(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.place = (struct place_verdict){true, false, 8, 7};
    assert_string_equal(codes(&f, buf, sizeof buf), ""); /* 8 m outside, accuracy 10 m */
    f.place.distance_m = 400;
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE");
    f.place = (struct place_verdict){false, false, 0, 0};
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE"); /* no office at all */
    p.accuracy_m = 500;                                                  /* capped at 100 m */
    f.place = (struct place_verdict){true, false, 150, 7};
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE,LOW_ACCURACY");
}

static void wfh_rules(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.mode = MODE_WFH;
    struct checkin_facts f = base_facts(&p);
    f.rostered = true;
    f.roster_mode = MODE_WFH;
    f.place = (struct place_verdict){false, false, 0, 0};
    assert_string_equal(codes(&f, buf, sizeof buf), "NO_HOME_REGISTERED");
    f.place = (struct place_verdict){true, false, 250, 0};
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_HOME");
    f.place = (struct place_verdict){true, true, 0, 0};
    f.rostered = false;
    assert_string_equal(codes(&f, buf, sizeof buf), "MODE_MISMATCH");
    f.selfie_required = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "NO_SELFIE,MODE_MISMATCH");
    f.selfie_attached = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "MODE_MISMATCH");
}

static void mock_low_accuracy_and_late_sync(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.mock_location = true;
    p.accuracy_m = 100.5;
    struct checkin_facts f = base_facts(&p);
    f.place = (struct place_verdict){true, true, 0, 7};
    f.received_at_ms = p.captured_at_ms + 15 * 60 * 1000;
    assert_string_equal(codes(&f, buf, sizeof buf), "MOCK_LOCATION,LOW_ACCURACY");
    f.received_at_ms += 1;
    assert_string_equal(codes(&f, buf, sizeof buf), "MOCK_LOCATION,LOW_ACCURACY,LATE_SYNC");
}

static void clock_skew_beyond_five_minutes(void **state)
{
    struct checkin_payload p = base_payload();
    assert_false(checkin_clock_skewed(&p, p.captured_at_ms - 5 * 60 * 1000));
    assert_true(checkin_clock_skewed(&p, p.captured_at_ms - 5 * 60 * 1000 - 1));
}

static void impossible_travel_over_300_kmh(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    f.had_arrival = true;
    f.has_previous = true;
    f.previous_lat = p.lat - 0.1; /* about 11.1 km south */
    f.previous_lon = p.lon;
    f.previous_accuracy_m = 10;
    f.previous_captured_at_ms = p.captured_at_ms - 60 * 1000; /* a minute: ~667 km/h */
    assert_string_equal(codes(&f, buf, sizeof buf), "IMPOSSIBLE_TRAVEL");
    f.previous_captured_at_ms = p.captured_at_ms - 3600 * 1000; /* an hour: ~11 km/h */
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    /* Jitter within the accuracies is no travel, even at the same instant. */
    f.previous_lat = p.lat + 0.0001;
    f.previous_captured_at_ms = p.captured_at_ms;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

/* The violation coded code among those flagged, its evidence borrowed from v; NULL if none. */
static const json_t *evidence_of(const struct violation *v, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].code, code) == 0)
            return v[i].evidence;
    return NULL;
}

static void free_violations(struct violation *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(v[i].evidence);
}

static void judged_time_is_the_phones_within_the_tolerance(void **state)
{
    const int64_t received = T0;
    assert_int_equal(checkin_judged_at_ms(received - 119 * 1000, received, 120), received - 119 * 1000);
    assert_int_equal(checkin_judged_at_ms(received - 120 * 1000, received, 120), received - 120 * 1000);
    assert_int_equal(checkin_judged_at_ms(received - 120 * 1000 - 1, received, 120), received);
    assert_int_equal(checkin_judged_at_ms(received - 121 * 1000, received, 120), received);
    assert_int_equal(checkin_judged_at_ms(received - 121 * 1000, received, 300), received - 121 * 1000);
    assert_int_equal(checkin_judged_at_ms(received, received, 0), received);
    assert_int_equal(checkin_judged_at_ms(received - 1, received, 0), received);
    /* A phone ahead (within the 5 minutes clock_skew allows) is judged when the service received it. */
    assert_int_equal(checkin_judged_at_ms(received + 1, received, 120), received);
    assert_int_equal(checkin_judged_at_ms(received + 4 * 60 * 1000, received, 120), received);
}

/* The facts as the handler makes them: the local time is the judged time's. */
static void judge_at(struct checkin_facts *f, int captured_second, int received_second, int tolerance_s)
{
    int64_t midnight = T0 - 7 * 3600 * 1000LL; /* base_payload's instant is 07:00 local */
    struct checkin_payload *p = (struct checkin_payload *)f->p;
    p->captured_at_ms = midnight + captured_second * 1000LL;
    f->received_at_ms = midnight + received_second * 1000LL;
    f->judged_at_ms = checkin_judged_at_ms(p->captured_at_ms, f->received_at_ms, tolerance_s);
    f->local_second_of_day = (int)((f->judged_at_ms - midnight) / 1000);
}

static void a_clock_set_back_gains_nothing(void **state)
{
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    /* Arrived at 07:44, the phone says 07:30:30: late by the arrival, and no LATE_SYNC (13.5 minutes). */
    judge_at(&f, 7 * 3600 + 30 * 60 + 30, 7 * 3600 + 44 * 60, 120);
    size_t n = checkin_violations(&f, v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    assert_int_equal(json_integer_value(json_object_get(v[0].evidence, "late_minutes")), 14);
    assert_string_equal(json_string_value(json_object_get(v[0].evidence, "judged_on")), "received_at");
    assert_string_equal(json_string_value(json_object_get(v[0].evidence, "local_time")), "07:44");
    free_violations(v, n);
    /* 119 s behind at 07:31:30 is believed: 07:29:31 is on time; 121 s behind is not. */
    judge_at(&f, 7 * 3600 + 29 * 60 + 31, 7 * 3600 + 31 * 60 + 30, 120);
    assert_int_equal(checkin_violations(&f, v), 0);
    judge_at(&f, 7 * 3600 + 29 * 60 + 29, 7 * 3600 + 31 * 60 + 30, 120);
    n = checkin_violations(&f, v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    free_violations(v, n);
    /* The day skipped and sent at 23:00 as 07:25 and 16:05: late by 930 minutes, and LATE_SYNC. */
    judge_at(&f, 7 * 3600 + 25 * 60, 23 * 3600, 120);
    n = checkin_violations(&f, v);
    assert_int_equal(n, 2);
    assert_int_equal(json_integer_value(json_object_get(evidence_of(v, n, "LATE_ARRIVAL"), "late_minutes")), 930);
    assert_non_null(evidence_of(v, n, "LATE_SYNC"));
    free_violations(v, n);
}

static void a_clock_ahead_hides_no_early_departure(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.type = CHECKIN_OUT;
    struct checkin_facts f = base_facts(&p);
    /* Leaves at 15:56 with the phone 4 minutes ahead (16:00, the end on a Monday): 4 minutes early. */
    judge_at(&f, 16 * 3600, 15 * 3600 + 56 * 60, 120);
    assert_false(checkin_clock_skewed(&p, f.received_at_ms));
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    judge_at(&f, 16 * 3600, 16 * 3600 + 1, 120);
    assert_string_equal(codes(&f, buf, sizeof buf), "");
}

static void an_in_that_fails_its_place_check_is_no_arrival(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    /* 07:25 from home, in WFO mode: flagged, and no arrival. */
    judge_at(&f, 7 * 3600 + 25 * 60, 7 * 3600 + 25 * 60, 120);
    f.place = (struct place_verdict){true, false, 9000, 7};
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE");
    assert_false(checkin_counts_for_day(&f));
    /* 09:40 at the office: the day's arrival, late. */
    judge_at(&f, 9 * 3600 + 40 * 60, 9 * 3600 + 40 * 60, 120);
    f.place = (struct place_verdict){true, true, 0, 7};
    assert_true(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "LATE_ARRIVAL");
    /* A mock location inside the office is no arrival either; nor is a WFH "in" without a home. */
    p.mock_location = true;
    assert_false(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "MOCK_LOCATION");
    p.mock_location = false;
    p.mode = MODE_WFH;
    f.rostered = true;
    f.roster_mode = MODE_WFH;
    f.place = (struct place_verdict){false, false, 0, 0};
    assert_false(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "NO_HOME_REGISTERED");
    /* From an approved home in WFH mode on a day rostered WFO (no entry): checked against the wrong place. */
    p.mode = MODE_WFH;
    f.rostered = false;
    f.place = (struct place_verdict){true, true, 0, 0};
    assert_false(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "MODE_MISMATCH");
    /* The other way round, at the office on a WFH day: there in person, it counts. */
    p.mode = MODE_WFO;
    f.rostered = true;
    f.roster_mode = MODE_WFH;
    f.place = (struct place_verdict){true, true, 0, 7};
    assert_true(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "MODE_MISMATCH,LATE_ARRIVAL");
    /* Low accuracy alone is no place failure. */
    p.mode = MODE_WFO;
    f.rostered = false;
    p.accuracy_m = 150;
    f.place = (struct place_verdict){true, true, 0, 7};
    assert_true(checkin_counts_for_day(&f));
}

static void an_out_that_fails_its_place_check_is_no_departure(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.type = CHECKIN_OUT;
    struct checkin_facts f = base_facts(&p);
    /* 14:00 at the office: early. */
    judge_at(&f, 14 * 3600, 14 * 3600, 120);
    assert_string_equal(codes(&f, buf, sizeof buf), "EARLY_DEPARTURE");
    /* 16:30 from anywhere else: flagged, and it hides nothing (it is no departure). */
    judge_at(&f, 16 * 3600 + 30 * 60, 16 * 3600 + 30 * 60, 120);
    f.place = (struct place_verdict){true, false, 12000, 7};
    assert_false(checkin_counts_for_day(&f));
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE");
    /* An early "out" outside: flagged outside, not early (no departure to judge). */
    judge_at(&f, 14 * 3600, 14 * 3600, 120);
    assert_string_equal(codes(&f, buf, sizeof buf), "OUTSIDE_GEOFENCE");
}

static void a_check_in_for_a_closed_day_changes_nothing(void **state)
{
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    /* A day of a unit that believes phones for a day, closed: an "in" at 09:00 sent after the closure. */
    judge_at(&f, 9 * 3600, 9 * 3600 + 60, 86400);
    f.day_closed = true;
    assert_false(checkin_counts_for_day(&f));
    size_t n = checkin_violations(&f, v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "LATE_SYNC");
    assert_true(json_is_true(json_object_get(v[0].evidence, "day_closed")));
    free_violations(v, n);
    /* The same, not closed: the arrival, late. */
    f.day_closed = false;
    n = checkin_violations(&f, v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    free_violations(v, n);
}

static void a_selfie_attached_before_is_reused(void **state)
{
    char buf[256];
    struct checkin_payload p = base_payload();
    p.has_selfie_sha256 = true;
    memset(p.selfie_sha256, 'a', 64);
    struct checkin_facts f = base_facts(&p);
    f.selfie_attached = true;
    assert_string_equal(codes(&f, buf, sizeof buf), "");
    f.selfie_first_use_id = 4242;
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    size_t n = checkin_violations(&f, v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "SELFIE_REUSED");
    assert_string_equal(json_string_value(json_object_get(v[0].evidence, "earlier_checkin_id")), "4242");
    free_violations(v, n);
}

static void a_vouched_record_is_manual_and_judged_at_its_time(void **state)
{
    struct checkin_payload p = base_payload();
    struct checkin_facts f = base_facts(&p);
    struct violation v[CHECKIN_VIOLATIONS_MAX];
    /* A paper register's 08:10, imported the next day: late by its time, no LATE_SYNC, no selfie asked. */
    judge_at(&f, 8 * 3600 + 10 * 60, 8 * 3600 + 10 * 60 + 86000, 120);
    f.judged_at_ms = p.captured_at_ms;
    f.local_second_of_day = 8 * 3600 + 10 * 60;
    f.vouched_source = "paper";
    f.vouched_by = 17;
    f.selfie_required = true;
    f.has_previous = true; /* a record is no point on a track */
    f.previous_lat = p.lat + 1;
    f.previous_captured_at_ms = p.captured_at_ms - 1000;
    size_t n = checkin_violations(&f, v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].code, "LATE_ARRIVAL");
    assert_string_equal(v[1].code, "MANUAL_ENTRY");
    assert_string_equal(json_string_value(json_object_get(v[1].evidence, "source")), "paper");
    assert_string_equal(json_string_value(json_object_get(v[1].evidence, "vouched_by")), "17");
    assert_int_equal(json_integer_value(json_object_get(v[1].evidence, "office_id")), 7);
    free_violations(v, n);
    /* For a closed day, the closure's verdict stands: LATE_SYNC says why. */
    f.day_closed = true;
    n = checkin_violations(&f, v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].code, "LATE_SYNC");
    free_violations(v, n);
}

static void place_verdict_picks_the_nearest_office(void **state)
{
    struct office_fence offices[2] = {
        {1, {.type = GEOFENCE_CIRCLE, .circle = {-6.0, 106.0, 100}}},
        {2, {.type = GEOFENCE_CIRCLE, .circle = {-6.1818, 106.8283, 100}}},
    };
    struct place_verdict v = place_for_offices(offices, 2, -6.1818 + 500 / 111195.0, 106.8283);
    assert_true(v.checked);
    assert_false(v.inside);
    assert_int_equal(v.office_id, 2);
    assert_true(fabs(v.distance_m - 400) < 2);
    v = place_for_offices(offices, 2, -6.1818, 106.8283);
    assert_true(v.inside);
    assert_int_equal(v.office_id, 2);
    v = place_for_offices(offices, 0, -6.1818, 106.8283);
    assert_false(v.checked);
    v = place_for_home(NULL, 0, 0);
    assert_false(v.checked);
}

static struct policy pol(long long id, int priority, int wfh, int wfo, bool selfie_wfh)
{
    return (struct policy){id, priority, wfh, wfo, selfie_wfh, false};
}

static void policies_combine_by_priority_then_lowest_cap(void **state)
{
    struct policy_terms t;
    /* Jakarta 2023: 50% WFH all period (priority 0), 75% on 4-7 September (priority 1). */
    struct policy jakarta[] = {pol(1, 0, 50, POLICY_NO_CAP, true), pol(2, 1, 75, POLICY_NO_CAP, false)};
    policy_combine(jakarta, 1, false, &t);
    assert_int_equal(t.max_wfh_percent, 50);
    assert_true(t.selfie_wfh);
    policy_combine(jakarta, 2, false, &t);
    assert_int_equal(t.max_wfh_percent, 75);
    assert_int_equal(t.governing, 1);
    assert_int_equal(t.governing_ids[0], 2);
    assert_false(t.selfie_wfh); /* the lower-priority policy does not govern */
    /* Two of the same priority: the lowest cap of each kind wins, selfie if either asks. */
    struct policy same[] = {pol(3, 0, 60, 80, false), pol(4, 0, 40, POLICY_NO_CAP, true)};
    policy_combine(same, 2, false, &t);
    assert_int_equal(t.max_wfh_percent, 40);
    assert_int_equal(t.max_wfo_percent, 80);
    assert_true(t.selfie_wfh);
    assert_false(t.wfo_only);
}

static void direct_service_is_wfo_only_unless_named(void **state)
{
    struct policy_terms t;
    policy_combine(NULL, 0, true, &t);
    assert_int_equal(t.max_wfh_percent, 0);
    assert_true(t.wfo_only);
    struct policy named[] = {pol(5, 0, 30, POLICY_NO_CAP, false)};
    policy_combine(named, 1, true, &t);
    assert_int_equal(t.max_wfh_percent, 30);
    assert_false(t.wfo_only);
    policy_combine(NULL, 0, false, &t);
    assert_int_equal(t.max_wfh_percent, POLICY_NO_CAP);
    assert_false(t.wfo_only);
    /* Malang 2021: non-essential units WFO 0% (all WFH). */
    struct policy malang[] = {pol(6, 0, POLICY_NO_CAP, 0, false)};
    policy_combine(malang, 1, false, &t);
    assert_int_equal(t.max_wfo_percent, 0);
}

static void policy_documents_combine_and_count_what_is_left_out(void **state)
{
    json_t *docs = json_loads("[{\"id\": \"7\", \"priority\": 0, \"max_wfh_percent\": 50,"
                              "  \"selfie_required_for\": [\"WFH\"]},"
                              " {\"id\": \"8\", \"priority\": \"high\"},"
                              " {\"id\": \"9\", \"priority\": 0, \"max_wfh_percent\": 40, \"max_wfo_percent\": null}]",
                              0, NULL);
    assert_non_null(docs);
    struct policy_terms t;
    assert_int_equal(policy_combine_json(docs, "administrative", &t), 1); /* the one without a number priority */
    assert_int_equal(t.max_wfh_percent, 40);
    assert_int_equal(t.max_wfo_percent, POLICY_NO_CAP);
    assert_true(t.selfie_wfh);
    assert_int_equal(t.governing, 2);
    json_decref(docs);
    /* No documents: a direct-service unit is WFO only, an unknown category is not. */
    json_t *none = json_array();
    assert_int_equal(policy_combine_json(none, "direct_service", &t), 0);
    assert_true(t.wfo_only);
    assert_int_equal(policy_combine_json(none, NULL, &t), 0);
    assert_false(t.wfo_only);
    json_decref(none);
}

static void a_cap_allows_whole_people_rounded_down(void **state)
{
    assert_int_equal(policy_cap_people(50, 4), 2);
    assert_int_equal(policy_cap_people(50, 5), 2);  /* 2.5 people: 2 */
    assert_int_equal(policy_cap_people(75, 3), 2);  /* 2.25 */
    assert_int_equal(policy_cap_people(25, 3), 0);  /* 0.75: nobody */
    assert_int_equal(policy_cap_people(100, 7), 7);
    assert_int_equal(policy_cap_people(0, 7), 0);
    assert_int_equal(policy_cap_people(50, 0), 0);
    assert_int_equal(policy_cap_people(33, 100000), 33000);
    assert_false(policy_over_cap(50, 5, 2));  /* 2 of the 2 allowed */
    assert_true(policy_over_cap(50, 5, 3));
    assert_true(policy_over_cap(0, 5, 1));    /* WFO only */
    assert_false(policy_over_cap(POLICY_NO_CAP, 5, 5));
    json_t *none = policy_cap_json(POLICY_NO_CAP), *half = policy_cap_json(50);
    assert_true(json_is_null(none));
    assert_int_equal(json_integer_value(half), 50);
    json_decref(none);
    json_decref(half);
}

static void work_week_parses_and_refuses(void **state)
{
    char err[128];
    struct work_week w;
    json_t *ok = json_loads("{\"mon\": [\"07:30\", \"16:00\"], \"sat\": [\"08:00\", \"12:00\"]}", 0, NULL);
    assert_int_equal(work_week_from_json(ok, &w, err, sizeof err), 0);
    assert_true(w.works[WD_MON] && w.works[WD_SAT] && !w.works[WD_TUE]);
    assert_int_equal(w.start_min[WD_MON], 450);
    json_t *back = work_week_to_json(&w);
    assert_true(json_equal(ok, back));
    json_decref(back);
    json_decref(ok);
    static const char *const bad[] = {"{\"mon\": [\"16:00\", \"07:30\"]}", "{\"xyz\": [\"07:00\", \"08:00\"]}",
                                      "{\"mon\": [\"7:30\", \"16:00\"]}", "{\"mon\": [\"24:00\", \"25:00\"]}",
                                      "{\"mon\": \"07:30-16:00\"}", "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_int_equal(work_week_from_json(j, &w, err, sizeof err), -1);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_check_in_has_no_violation),
        cmocka_unit_test(late_at_0731_not_at_073059),
        cmocka_unit_test(late_minutes_count_from_the_start_and_grace_excuses),
        cmocka_unit_test(only_the_first_in_can_be_late),
        cmocka_unit_test(no_lateness_on_a_weekend_or_holiday),
        cmocka_unit_test(early_departure_before_the_end),
        cmocka_unit_test(a_roster_session_overrides_the_units_hours),
        cmocka_unit_test(approved_leave_excuses_what_it_covers),
        cmocka_unit_test(place_rules_honour_accuracy),
        cmocka_unit_test(wfh_rules),
        cmocka_unit_test(mock_low_accuracy_and_late_sync),
        cmocka_unit_test(clock_skew_beyond_five_minutes),
        cmocka_unit_test(impossible_travel_over_300_kmh),
        cmocka_unit_test(judged_time_is_the_phones_within_the_tolerance),
        cmocka_unit_test(a_clock_set_back_gains_nothing),
        cmocka_unit_test(a_clock_ahead_hides_no_early_departure),
        cmocka_unit_test(an_in_that_fails_its_place_check_is_no_arrival),
        cmocka_unit_test(an_out_that_fails_its_place_check_is_no_departure),
        cmocka_unit_test(a_check_in_for_a_closed_day_changes_nothing),
        cmocka_unit_test(a_selfie_attached_before_is_reused),
        cmocka_unit_test(a_vouched_record_is_manual_and_judged_at_its_time),
        cmocka_unit_test(place_verdict_picks_the_nearest_office),
        cmocka_unit_test(policies_combine_by_priority_then_lowest_cap),
        cmocka_unit_test(policy_documents_combine_and_count_what_is_left_out),
        cmocka_unit_test(direct_service_is_wfo_only_unless_named),
        cmocka_unit_test(a_cap_allows_whole_people_rounded_down),
        cmocka_unit_test(work_week_parses_and_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

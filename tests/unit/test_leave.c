/* The leave rules (rules/leave.c) at their edges, with plain values: each table's rows are the cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dates.h"
#include "rules/leave.h"

#include <string.h>

/* The rows of sql/0023's leave_kinds that the cases use. */
static const struct leave_kind_rule annual = {.kind = "cuti_tahunan", .min_service_months = 12,
                                              .annual_working_days = 12, .carry_max_days = 6,
                                              .carry_two_years_total = 24, .attachment_beyond_days = -1};
static const struct leave_kind_rule sick = {.kind = "cuti_sakit", .max_calendar_days = 548,
                                            .attachment_beyond_days = 1};
static const struct leave_kind_rule maternity = {.kind = "cuti_melahirkan", .max_calendar_days = 92, .max_times = 3,
                                                 .female_only = true, .attachment_beyond_days = -1};
static const struct leave_kind_rule big = {.kind = "cuti_besar", .min_service_months = 60, .max_calendar_days = 92,
                                           .attachment_beyond_days = -1};
static const struct leave_kind_rule permission = {.kind = "izin", .max_calendar_days = 1, .hours_allowed = true,
                                                  .single_day = true, .attachment_beyond_days = -1};
static const struct leave_kind_rule important = {.kind = "cuti_alasan_penting", .max_calendar_days = 31,
                                                 .attachment_beyond_days = -1};

static int64_t day(const char *text)
{
    int64_t d;
    assert_int_equal(date_parse(text, &d), 0);
    return d;
}

static void service_months_from_the_nip(void **state)
{
    (void)state;
    const struct { const char *nip, *on; int want; } cases[] = {
        {"198503122010012001", "2011-01-01", 12}, /* appointed January 2010: a year on 1 January 2011 */
        {"198503122010012001", "2010-12-31", 11},
        {"198503122010012001", "2015-01-01", 60}, /* five years: cuti besar */
        {"198503122010012001", "2014-12-31", 59},
        {"198503122010012001", "2009-06-01", 0},  /* before the appointment */
        {"198503122010132001", "2020-01-01", -1}, /* month 13 */
        {"19850312201001200", "2020-01-01", -1},  /* 17 digits */
        {"19850312201001200x", "2020-01-01", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(leave_service_months(cases[i].nip, day(cases[i].on)), cases[i].want);
    assert_true(leave_nip_female("198503122010012001"));
    assert_false(leave_nip_female("198503122010011001"));
}

static void working_days_by_the_week_and_holidays(void **state)
{
    (void)state;
    struct work_week week;
    work_week_default(&week);
    int64_t holiday = day("2023-08-17"); /* a Thursday */
    assert_int_equal(leave_working_days(&week, day("2023-08-14"), day("2023-08-20"), NULL, 0), 5);
    assert_int_equal(leave_working_days(&week, day("2023-08-14"), day("2023-08-20"), &holiday, 1), 4);
    assert_int_equal(leave_working_days(&week, day("2023-08-19"), day("2023-08-20"), NULL, 0), 0);
    assert_int_equal(leave_working_days(&week, day("2023-08-17"), day("2023-08-17"), &holiday, 1), 0);
}

static void annual_balance_and_its_carry(void **state)
{
    (void)state;
    const struct { struct annual_history h; int want; } cases[] = {
        {{false, false, 0, 0}, 12},  /* a year the record never saw carries nothing */
        {{true, false, 0, 0}, 18},   /* 12 unused: at most 6 carried */
        {{true, false, 7, 0}, 17},   /* 5 unused */
        {{true, false, 12, 0}, 12},
        {{true, true, 0, 0}, 24},    /* two years unused */
        {{true, true, 0, 1}, 18},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(leave_annual_balance(&annual, &cases[i].h), cases[i].want);
}

static struct leave_request_facts request(const struct leave_kind_rule *rule, const char *from, const char *to,
                                          int working_days)
{
    return (struct leave_request_facts){.rule = rule, .from_day = day(from), .to_day = day(to), .start_min = -1,
                                        .end_min = -1, .service_months = 120, .female = true,
                                        .working_days = working_days, .annual_balance = 12};
}

static void requests_at_the_edges_of_their_rules(void **state)
{
    (void)state;
    struct leave_problem p;
    struct leave_request_facts f = request(&annual, "2023-08-14", "2023-08-29", 12);
    assert_true(leave_request_ok(&f, &p)); /* exactly the balance */
    f.annual_taken = 1;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_BALANCE_EXCEEDED);
    f = request(&annual, "2023-08-14", "2023-08-14", 1);
    f.service_months = 11;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_SERVICE_TOO_SHORT);
    f.service_months = 12;
    assert_true(leave_request_ok(&f, &p));
    f = request(&annual, "2023-12-29", "2024-01-02", 2);
    assert_false(leave_request_ok(&f, &p)); /* across the year */
    assert_int_equal(p.code, ERR_INVALID_VALUE);

    f = request(&sick, "2023-08-14", "2023-08-14", 1);
    f.deciding = true;
    assert_true(leave_request_ok(&f, &p)); /* one day: no letter */
    f = request(&sick, "2023-08-14", "2023-08-15", 2);
    assert_true(leave_request_ok(&f, &p)); /* asked: the letter may follow */
    f.deciding = true;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_ATTACHMENT_REQUIRED);
    f.has_attachment = true;
    assert_true(leave_request_ok(&f, &p));

    f = request(&maternity, "2023-08-01", "2023-10-31", 60); /* 92 days */
    f.times_before = 2;
    assert_true(leave_request_ok(&f, &p));
    f.times_before = 3;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_LIMIT_REACHED);
    f.times_before = 0;
    f.female = false;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_NOT_ELIGIBLE);
    f = request(&maternity, "2023-08-01", "2023-11-01", 61);
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_TOO_LONG);

    f = request(&big, "2023-08-01", "2023-08-31", 20);
    f.service_months = 59;
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_SERVICE_TOO_SHORT);
    f.service_months = 60;
    assert_true(leave_request_ok(&f, &p));

    f = request(&important, "2023-08-01", "2023-08-31", 23);
    assert_true(leave_request_ok(&f, &p)); /* 31 days */
    f = request(&important, "2023-08-01", "2023-09-01", 24);
    assert_false(leave_request_ok(&f, &p));

    f = request(&permission, "2023-08-14", "2023-08-14", 1);
    f.start_min = 8 * 60, f.end_min = 10 * 60;
    assert_true(leave_request_ok(&f, &p));
    f = request(&permission, "2023-08-14", "2023-08-15", 2);
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_LEAVE_TOO_LONG);
    f = request(&sick, "2023-08-14", "2023-08-14", 1);
    f.start_min = 8 * 60, f.end_min = 10 * 60;
    assert_false(leave_request_ok(&f, &p)); /* hours are for an izin */
    f = request(&sick, "2023-08-19", "2023-08-20", 0);
    assert_false(leave_request_ok(&f, &p));
    assert_int_equal(p.code, ERR_NO_WORKING_DAY);
}

static void what_approved_leave_excuses(void **state)
{
    (void)state;
    const struct leave_cover none = {.on_leave = false, .start_min = -1, .end_min = -1};
    const struct leave_cover day_off = {.on_leave = true, .start_min = -1, .end_min = -1};
    const struct leave_cover duty = {.on_leave = true, .start_min = -1, .end_min = -1, .excuses_place = true};
    const struct leave_cover morning = {.on_leave = true, .start_min = 7 * 60 + 30, .end_min = 10 * 60};
    const struct leave_cover afternoon = {.on_leave = true, .start_min = 14 * 60, .end_min = 16 * 60};
    const struct { const struct leave_cover *leave; const char *code; int at, boundary; bool want; } cases[] = {
        {&none, "ABSENT", 0, 0, false},
        {&day_off, "ABSENT", 0, 0, true},
        {&day_off, "LATE_ARRIVAL", 600, 450, true},
        {&day_off, "OUTSIDE_GEOFENCE", 0, 0, false},
        {&duty, "OUTSIDE_GEOFENCE", 0, 0, true},
        {&day_off, "MOCK_LOCATION", 0, 0, false},
        {&morning, "ABSENT", 0, 0, false},                  /* hours do not excuse the day */
        {&morning, "LATE_ARRIVAL", 10 * 60, 450, true},      /* arrived when the izin ended */
        {&morning, "LATE_ARRIVAL", 10 * 60 + 1, 450, false}, /* a minute after it */
        {&morning, "EARLY_DEPARTURE", 15 * 60, 16 * 60, false},
        {&afternoon, "EARLY_DEPARTURE", 14 * 60, 16 * 60, true},
        {&afternoon, "EARLY_DEPARTURE", 13 * 60 + 59, 16 * 60, false},
        {&afternoon, "LATE_ARRIVAL", 8 * 60, 450, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(leave_excuses(cases[i].leave, cases[i].code, cases[i].at, cases[i].boundary), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(service_months_from_the_nip),
        cmocka_unit_test(working_days_by_the_week_and_holidays),
        cmocka_unit_test(annual_balance_and_its_carry),
        cmocka_unit_test(requests_at_the_edges_of_their_rules),
        cmocka_unit_test(what_approved_leave_excuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The roster's quota arithmetic and suggestion, and discipline accumulation, with plain values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/discipline.h"
#include "rules/policy.h"
#include "rules/roster.h"

#include <string.h>

static struct policy_terms caps(int wfh, int wfo)
{
    struct policy p = {.id = 1, .priority = 0, .max_wfh_percent = wfh, .max_wfo_percent = wfo};
    struct policy_terms t;
    policy_combine(&p, 1, false, &t);
    return t;
}

static void cap_people_rounds_down(void **state)
{
    (void)state;
    assert_int_equal(roster_cap_people(50, 7), 3); /* 50% of 7 is 3 people */
    assert_int_equal(roster_cap_people(50, 3), 1);
    assert_int_equal(roster_cap_people(50, 1), 0);
    assert_int_equal(roster_cap_people(75, 7), 5);
    assert_int_equal(roster_cap_people(25, 7), 1);
    assert_int_equal(roster_cap_people(100, 7), 7);
    assert_int_equal(roster_cap_people(0, 7), 0);
    assert_int_equal(roster_cap_people(50, 0), 0);
}

static void wfh_cap_at_the_edges(void **state)
{
    (void)state;
    struct policy_terms half = caps(50, POLICY_NO_CAP);
    const struct { int headcount, wfh; enum roster_verdict want; } cases[] = {
        {7, 3, ROSTER_OK}, {7, 4, ROSTER_WFH_OVER_CAP}, {3, 1, ROSTER_OK}, {3, 2, ROSTER_WFH_OVER_CAP},
        {1, 0, ROSTER_OK}, {1, 1, ROSTER_WFH_OVER_CAP}, {0, 0, ROSTER_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(roster_check(&half, cases[i].headcount, cases[i].wfh, 0).verdict, cases[i].want);
    struct roster_check r = roster_check(&half, 7, 4, 0);
    assert_int_equal(r.cap_percent, 50);
    assert_true(r.requested_percent > 57.13 && r.requested_percent < 57.15);
    assert_int_equal(r.headcount, 7);
}

static void wfo_cap_counts_those_without_an_entry(void **state)
{
    (void)state;
    struct policy_terms quarter = caps(POLICY_NO_CAP, 25); /* Malang 2021, essential units */
    assert_int_equal(roster_check(&quarter, 8, 6, 0).verdict, ROSTER_OK); /* 2 at the office: 25% of 8 */
    struct roster_check r = roster_check(&quarter, 8, 5, 0);
    assert_int_equal(r.verdict, ROSTER_WFO_OVER_CAP);
    assert_int_equal(r.cap_percent, 25);
    assert_int_equal(r.wfo, 3);
    struct policy_terms none_in = caps(POLICY_NO_CAP, 0); /* non-essential: 100% WFH */
    assert_int_equal(roster_check(&none_in, 4, 4, 0).verdict, ROSTER_OK);
    assert_int_equal(roster_check(&none_in, 4, 3, 0).verdict, ROSTER_WFO_OVER_CAP);
    /* A rest day (OFF) is at neither place: 4 WFH and 2 OFF of 8 leave 2 at the office, within 25%. */
    r = roster_check(&quarter, 8, 4, 2);
    assert_int_equal(r.verdict, ROSTER_OK);
    assert_int_equal(r.wfo, 2);
    assert_int_equal(roster_check(&quarter, 8, 4, 1).verdict, ROSTER_WFO_OVER_CAP);
}

static void direct_service_is_wfo_only_unless_named(void **state)
{
    (void)state;
    struct policy_terms t;
    policy_combine(NULL, 0, true, &t);
    assert_true(t.wfo_only);
    assert_int_equal(roster_check(&t, 5, 1, 0).verdict, ROSTER_WFO_ONLY);
    assert_int_equal(roster_check(&t, 5, 0, 0).verdict, ROSTER_OK);
    struct policy named = {.id = 2, .max_wfh_percent = 50, .max_wfo_percent = POLICY_NO_CAP};
    policy_combine(&named, 1, true, &t);
    assert_false(t.wfo_only);
    assert_int_equal(roster_check(&t, 4, 2, 0).verdict, ROSTER_OK);
}

static void the_suggestion_puts_priority_then_fewest_wfh_days_first(void **state)
{
    (void)state;
    struct roster_candidate c[] = {
        {.employee_id = 1, .wfh_days_30 = 0}, {.employee_id = 2, .wfh_days_30 = 5, .priority = true},
        {.employee_id = 3, .wfh_days_30 = 1}, {.employee_id = 4, .wfh_days_30 = 0},
        {.employee_id = 5, .wfh_days_30 = 9}, {.employee_id = 6, .wfh_days_30 = 2, .priority = true},
        {.employee_id = 7, .wfh_days_30 = 3},
    };
    struct policy_terms half = caps(50, POLICY_NO_CAP);
    assert_int_equal(roster_suggest(&half, c, 7), 3);
    const long long order[] = {6, 2, 1, 4, 3, 7, 5};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(c[i].employee_id, order[i]);
        assert_int_equal(c[i].wfh, i < 3);
    }
    struct policy_terms quarter_in = caps(POLICY_NO_CAP, 25);
    assert_int_equal(roster_suggest(&quarter_in, c, 7), 6); /* 25% of 7 is 1 at the office */
    struct policy_terms t;
    policy_combine(NULL, 0, true, &t);
    assert_int_equal(roster_suggest(&t, c, 7), 0);
    assert_int_equal(roster_suggest(&half, c, 0), 0);
}

static const struct discipline_threshold pp94[] = {
    {THRESHOLD_CUMULATIVE, 3, 1, "teguran_lisan", "ringan"},
    {THRESHOLD_CUMULATIVE, 4, 2, "teguran_tertulis", "ringan"},
    {THRESHOLD_CUMULATIVE, 7, 3, "pernyataan_tidak_puas", "ringan"},
    {THRESHOLD_CUMULATIVE, 11, 4, "potong_tukin_6_bulan", "sedang"},
    {THRESHOLD_CUMULATIVE, 14, 5, "potong_tukin_9_bulan", "sedang"},
    {THRESHOLD_CUMULATIVE, 17, 6, "potong_tukin_12_bulan", "sedang"},
    {THRESHOLD_CUMULATIVE, 21, 7, "penurunan_jabatan", "berat"},
    {THRESHOLD_CUMULATIVE, 25, 8, "pembebasan_jabatan", "berat"},
    {THRESHOLD_CUMULATIVE, 28, 9, "pemberhentian", "berat"},
    {THRESHOLD_CONSECUTIVE, 10, 9, "pemberhentian", "berat"},
};

static const char *sanction_for(int absent_days, int run)
{
    struct discipline_totals t = {.absent_days = absent_days, .minutes_per_day = 450, .longest_absent_run = run};
    struct discipline_summary s = discipline_assess(&t, pp94, sizeof pp94 / sizeof pp94[0]);
    return s.suggested ? s.suggested->sanction : "none";
}

static void thresholds_one_below_and_at_each_level(void **state)
{
    (void)state;
    const struct { int days; const char *want; } cases[] = {
        {0, "none"}, {2, "none"}, {3, "teguran_lisan"}, {4, "teguran_tertulis"}, {6, "teguran_tertulis"},
        {7, "pernyataan_tidak_puas"}, {10, "pernyataan_tidak_puas"}, {11, "potong_tukin_6_bulan"},
        {13, "potong_tukin_6_bulan"}, {14, "potong_tukin_9_bulan"}, {16, "potong_tukin_9_bulan"},
        {17, "potong_tukin_12_bulan"}, {20, "potong_tukin_12_bulan"}, {21, "penurunan_jabatan"},
        {24, "penurunan_jabatan"}, {25, "pembebasan_jabatan"}, {27, "pembebasan_jabatan"}, {28, "pemberhentian"},
        {200, "pemberhentian"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(sanction_for(cases[i].days, 1), cases[i].want);
    assert_string_equal(sanction_for(9, 9), "pernyataan_tidak_puas");
    assert_string_equal(sanction_for(10, 10), "pemberhentian"); /* 10 consecutive work days */
}

static void minutes_count_in_whole_days_of_seven_and_a_half_hours(void **state)
{
    (void)state;
    struct discipline_totals t = {.absent_days = 2, .late_minutes = 400, .early_minutes = 49, .minutes_per_day = 450};
    struct discipline_summary s = discipline_assess(&t, pp94, sizeof pp94 / sizeof pp94[0]);
    assert_int_equal(s.minute_days, 0); /* 449 minutes: not yet a day */
    assert_int_equal(s.total_days, 2);
    assert_null(s.suggested);
    t.early_minutes = 50;
    s = discipline_assess(&t, pp94, sizeof pp94 / sizeof pp94[0]);
    assert_int_equal(s.minute_days, 1);
    assert_string_equal(s.suggested->sanction, "teguran_lisan");
    t.late_minutes = 450 * 5;
    t.early_minutes = 0;
    s = discipline_assess(&t, pp94, 0);
    assert_int_equal(s.total_days, 7);
    assert_null(s.suggested); /* no thresholds in force, no suggestion */
}

static void consecutive_runs_count_work_days(void **state)
{
    (void)state;
    const int gaps[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(discipline_longest_run(gaps, NULL, 3), 3);
    assert_int_equal(discipline_longest_run(gaps, NULL, 4), 3);  /* a work day present in between */
    assert_int_equal(discipline_longest_run(gaps, NULL, 13), 10);
    assert_int_equal(discipline_longest_run(gaps, NULL, 12), 9);
    assert_int_equal(discipline_longest_run(gaps, NULL, 0), 0);
}

/* Ten days from 21 December to 4 January are one run, counted in both years; a run wholly outside is not. */
static void a_run_across_the_year_end_is_one_run(void **state)
{
    (void)state;
    const int gaps[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0};
    const bool in_2023[] = {true, true, true, true, true, true, false, false, false, false, false, false};
    const bool in_2024[] = {false, false, false, false, false, false, true, true, true, true, true, true};
    const bool in_2022[] = {false, false, false, false, false, false, false, false, false, false, false, false};
    assert_int_equal(discipline_longest_run(gaps, in_2023, 12), 10);
    assert_int_equal(discipline_longest_run(gaps, in_2024, 12), 10);
    assert_int_equal(discipline_longest_run(gaps, in_2022, 12), 0);
    const bool last_two[] = {false, false, false, false, false, false, false, false, false, false, true, true};
    assert_int_equal(discipline_longest_run(gaps, last_two, 12), 2); /* only the run after the gap is the year's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cap_people_rounds_down),
        cmocka_unit_test(wfh_cap_at_the_edges),
        cmocka_unit_test(wfo_cap_counts_those_without_an_entry),
        cmocka_unit_test(direct_service_is_wfo_only_unless_named),
        cmocka_unit_test(the_suggestion_puts_priority_then_fewest_wfh_days_first),
        cmocka_unit_test(thresholds_one_below_and_at_each_level),
        cmocka_unit_test(minutes_count_in_whole_days_of_seven_and_a_half_hours),
        cmocka_unit_test(consecutive_runs_count_work_days),
        cmocka_unit_test(a_run_across_the_year_end_is_one_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

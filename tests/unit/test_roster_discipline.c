/* The roster's quota arithmetic and suggestion, and discipline accumulation, with plain values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dates.h"
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

/* The dates the ladders are in force (days since 1970-01-01), checked against date_days below. */
#define PP53_FROM 14766 /* 2010-06-06 */
#define PP53_TO 18869   /* 2021-08-30 */
#define PP94_FROM 18870 /* 2021-08-31 */

#define PP94(kind, days, severity, sanction, level) \
    {kind, days, severity, sanction, level, "PP 94/2021", PP94_FROM, DISCIPLINE_NO_END}
#define PP53(days, severity, sanction, level) \
    {THRESHOLD_CUMULATIVE, days, severity, sanction, level, "PP 53/2010", PP53_FROM, PP53_TO}

/* PNS: PP 53/2010 Art. 8-10 to 30 August 2021, PP 94/2021 Art. 9-11 from 31 August 2021 (sql/0032, sql/0007). */
static const struct discipline_threshold pns[] = {
    PP53(5, 1, "teguran_lisan", "ringan"),
    PP53(6, 2, "teguran_tertulis", "ringan"),
    PP53(11, 3, "pernyataan_tidak_puas", "ringan"),
    PP53(16, 4, "penundaan_kgb_1_tahun", "sedang"),
    PP53(21, 5, "penundaan_pangkat_1_tahun", "sedang"),
    PP53(26, 6, "penurunan_pangkat_1_tahun", "sedang"),
    PP53(31, 7, "penurunan_pangkat_3_tahun", "berat"),
    PP53(36, 8, "pemindahan_penurunan_jabatan", "berat"),
    PP53(41, 9, "pembebasan_jabatan", "berat"),
    PP53(46, 10, "pemberhentian", "berat"),
    PP94(THRESHOLD_CUMULATIVE, 3, 1, "teguran_lisan", "ringan"),
    PP94(THRESHOLD_CUMULATIVE, 4, 2, "teguran_tertulis", "ringan"),
    PP94(THRESHOLD_CUMULATIVE, 7, 3, "pernyataan_tidak_puas", "ringan"),
    PP94(THRESHOLD_CUMULATIVE, 11, 4, "potong_tukin_6_bulan", "sedang"),
    PP94(THRESHOLD_CUMULATIVE, 14, 5, "potong_tukin_9_bulan", "sedang"),
    PP94(THRESHOLD_CUMULATIVE, 17, 6, "potong_tukin_12_bulan", "sedang"),
    PP94(THRESHOLD_CUMULATIVE, 21, 7, "penurunan_jabatan", "berat"),
    PP94(THRESHOLD_CUMULATIVE, 25, 8, "pembebasan_jabatan", "berat"),
    PP94(THRESHOLD_CUMULATIVE, 28, 9, "pemberhentian", "berat"),
    PP94(THRESHOLD_CONSECUTIVE, 10, 9, "pemberhentian", "berat"),
};
#define PNS_COUNT (sizeof pns / sizeof pns[0])
#define PP94_ONLY (pns + 10) /* PPPK's and a reading from 2022 on: no ladder before 31 August 2021 */

static const struct discipline_divisor bkn_6_2022[] = {{19088 /* 2022-04-06 */, 450}};

#define ABSENCES_MAX 64

struct year_builder {
    struct discipline_absence absences[ABSENCES_MAX];
    struct discipline_minutes minutes[ABSENCES_MAX];
    struct discipline_facts facts;
};

static void year_start(struct year_builder *b, int year, const struct discipline_threshold *th, size_t n)
{
    memset(b, 0, sizeof *b);
    b->facts = (struct discipline_facts){.year_first = date_days(year, 1, 1), .year_last = date_days(year, 12, 31),
                                         .absences = b->absences, .minutes = b->minutes, .divisors = bkn_6_2022,
                                         .divisor_count = 1, .thresholds = th, .threshold_count = n};
}

/* An absence on y-m-d, work_days_since_previous after the one before (0: the next work day). */
static void absent(struct year_builder *b, int y, int m, int d, int work_days_since_previous)
{
    assert_true(b->facts.absence_count < ABSENCES_MAX);
    b->absences[b->facts.absence_count++] = (struct discipline_absence){date_days(y, m, d), work_days_since_previous};
}

/* n absences apart from each other (a work day present between each two), from y-m-d on, every other day. */
static void absent_apart(struct year_builder *b, int y, int m, int d, int n)
{
    for (int i = 0; i < n; i++) {
        assert_true(b->facts.absence_count < ABSENCES_MAX);
        b->absences[b->facts.absence_count++] = (struct discipline_absence){date_days(y, m, d) + 2 * i, 1};
    }
}

static void late(struct year_builder *b, int y, int m, int d, long minutes)
{
    assert_true(b->facts.minutes_count < ABSENCES_MAX);
    b->minutes[b->facts.minutes_count++] = (struct discipline_minutes){date_days(y, m, d), minutes, 0};
}

static const char *sanction_of(const struct discipline_threshold *th) { return th ? th->sanction : "none"; }

static const char *pp94_sanction_for(int absent_days)
{
    struct year_builder b;
    year_start(&b, 2023, pns, PNS_COUNT);
    absent_apart(&b, 2023, 1, 2, absent_days);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.regime_count, 1);
    return sanction_of(s.suggested);
}

static void the_ladders_dates_are_what_they_say(void **state)
{
    (void)state;
    assert_int_equal(PP53_FROM, date_days(2010, 6, 6));
    assert_int_equal(PP53_TO, date_days(2021, 8, 30));
    assert_int_equal(PP94_FROM, date_days(2021, 8, 31));
    assert_int_equal(bkn_6_2022[0].in_force_from, date_days(2022, 4, 6));
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
        {60, "pemberhentian"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(pp94_sanction_for(cases[i].days), cases[i].want);
    struct year_builder b;
    year_start(&b, 2023, pns, PNS_COUNT);
    absent_apart(&b, 2023, 3, 1, 1);
    for (int i = 0; i < 9; i++)
        absent(&b, 2023, 4, 3 + i, i == 0); /* nine in a row, the weekend not a work day: counted as such by the store */
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.longest_absent_run, 9);
    assert_string_equal(sanction_of(s.suggested), "pernyataan_tidak_puas");
    absent(&b, 2023, 4, 12, 0);
    s = discipline_assess(&b.facts);
    assert_int_equal(s.longest_absent_run, 10);
    assert_string_equal(sanction_of(s.suggested), "pemberhentian"); /* 10 consecutive work days */
    assert_string_equal(s.suggested->regulation, "PP 94/2021");
}

/* PP 53/2010 Art. 8-10: 5 days teguran lisan ... 46 days dismissal, and no rung for a run of days. */
static void pp53s_ladder_at_its_edges(void **state)
{
    (void)state;
    const struct { int days; const char *want; } cases[] = {
        {4, "none"}, {5, "teguran_lisan"}, {6, "teguran_tertulis"}, {10, "teguran_tertulis"},
        {11, "pernyataan_tidak_puas"}, {15, "pernyataan_tidak_puas"}, {16, "penundaan_kgb_1_tahun"},
        {21, "penundaan_pangkat_1_tahun"}, {26, "penurunan_pangkat_1_tahun"}, {31, "penurunan_pangkat_3_tahun"},
        {36, "pemindahan_penurunan_jabatan"}, {41, "pembebasan_jabatan"}, {45, "pembebasan_jabatan"},
        {46, "pemberhentian"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct year_builder b;
        year_start(&b, 2019, pns, PNS_COUNT);
        absent_apart(&b, 2019, 1, 2, cases[i].days);
        struct discipline_summary s = discipline_assess(&b.facts);
        assert_int_equal(s.regime_count, 1);
        assert_string_equal(s.regimes[0].regulation, "PP 53/2010");
        assert_string_equal(sanction_of(s.suggested), cases[i].want);
    }
    struct year_builder b;
    year_start(&b, 2019, pns, PNS_COUNT);
    absent(&b, 2019, 3, 4, 1);
    for (int i = 1; i < 12; i++)
        absent(&b, 2019, 3, 4 + i, 0);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.longest_absent_run, 12);
    assert_string_equal(sanction_of(s.suggested), "pernyataan_tidak_puas"); /* 12 days (11-15): a run is no rung of PP 53/2010 */
}

/* 30 August 2021 is PP 53/2010's last day, 31 August PP 94/2021's first. */
static void an_absence_on_30_august_2021_is_pp53s_on_31_august_pp94s(void **state)
{
    (void)state;
    struct year_builder b;
    year_start(&b, 2021, pns, PNS_COUNT);
    absent(&b, 2021, 8, 30, 1);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.regime_count, 2);
    assert_string_equal(s.regimes[0].regulation, "PP 53/2010");
    assert_int_equal(s.regimes[0].from, date_days(2021, 1, 1));
    assert_int_equal(s.regimes[0].to, date_days(2021, 8, 30));
    assert_string_equal(s.regimes[1].regulation, "PP 94/2021");
    assert_int_equal(s.regimes[1].from, date_days(2021, 8, 31));
    assert_int_equal(s.regimes[1].to, date_days(2021, 12, 31));
    assert_int_equal(s.regimes[0].absent_days, 1);
    assert_int_equal(s.regimes[1].absent_days, 0);
    year_start(&b, 2021, pns, PNS_COUNT);
    absent(&b, 2021, 8, 31, 1);
    s = discipline_assess(&b.facts);
    assert_int_equal(s.regimes[0].absent_days, 0);
    assert_int_equal(s.regimes[1].absent_days, 1);
    /* Three days to 30 August are below PP 53/2010's five; the same three from 31 August meet PP 94/2021's three. */
    year_start(&b, 2021, pns, PNS_COUNT);
    absent_apart(&b, 2021, 8, 26, 3); /* 26, 28, 30 August */
    s = discipline_assess(&b.facts);
    assert_int_equal(s.absent_days, 3);
    assert_null(s.suggested);
    year_start(&b, 2021, pns, PNS_COUNT);
    absent_apart(&b, 2021, 8, 31, 3);
    s = discipline_assess(&b.facts);
    assert_string_equal(sanction_of(s.suggested), "teguran_lisan");
    assert_string_equal(s.suggested->regulation, "PP 94/2021");
}

/* Each side judged by its own ladder, the days not added up; the heavier suggestion, the later one on a tie. */
static void a_year_with_days_on_both_sides(void **state)
{
    (void)state;
    struct year_builder b;
    year_start(&b, 2021, pns, PNS_COUNT);
    absent_apart(&b, 2021, 7, 1, 12); /* PP 53/2010: 11-15 days, pernyataan tidak puas (ringan, third rung) */
    absent_apart(&b, 2021, 9, 1, 4);  /* PP 94/2021: 4 days, teguran tertulis (ringan, second rung) */
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.absent_days, 16);
    assert_int_equal(s.total_days, 16);
    assert_int_equal(s.regimes[0].total_days, 12);
    assert_int_equal(s.regimes[1].total_days, 4);
    assert_string_equal(sanction_of(s.regimes[0].suggested), "pernyataan_tidak_puas");
    assert_string_equal(sanction_of(s.regimes[1].suggested), "teguran_tertulis");
    assert_string_equal(sanction_of(s.suggested), "pernyataan_tidak_puas"); /* not PP 94/2021's 16: tukin 9 months */
    assert_string_equal(s.suggested->regulation, "PP 53/2010");
    /* A case about September's days only is PP 94/2021's; one about days on both sides, the heavier. */
    const int64_t september[] = {date_days(2021, 9, 1)}, both[] = {date_days(2021, 7, 1), date_days(2021, 9, 1)};
    assert_string_equal(sanction_of(discipline_suggestion_judging(&s, september, 1)), "teguran_tertulis");
    assert_string_equal(sanction_of(discipline_suggestion_judging(&s, both, 2)), "pernyataan_tidak_puas");
    assert_null(discipline_suggestion_judging(&s, both, 0));

    year_start(&b, 2021, pns, PNS_COUNT);
    absent_apart(&b, 2021, 7, 1, 5);  /* PP 53/2010: teguran lisan */
    absent_apart(&b, 2021, 9, 1, 11); /* PP 94/2021: tukin cut 6 months, sedang */
    s = discipline_assess(&b.facts);
    assert_string_equal(sanction_of(s.suggested), "potong_tukin_6_bulan");
    assert_string_equal(s.suggested->regulation, "PP 94/2021");

    year_start(&b, 2021, pns, PNS_COUNT);
    absent_apart(&b, 2021, 7, 1, 5); /* teguran lisan under each */
    absent_apart(&b, 2021, 9, 1, 3);
    s = discipline_assess(&b.facts);
    assert_string_equal(sanction_of(s.suggested), "teguran_lisan");
    assert_string_equal(s.suggested->regulation, "PP 94/2021"); /* a tie: the regulation in force now */
}

/* A run of 24 August to 6 September 2021: ten work days, five under each regulation, no dismissal. */
static void a_run_across_31_august_2021_counts_under_pp94_from_its_first_day(void **state)
{
    (void)state;
    struct year_builder b;
    year_start(&b, 2021, pns, PNS_COUNT);
    const int days[][2] = {{8, 24}, {8, 25}, {8, 26}, {8, 27}, {8, 30}, {8, 31}, {9, 1}, {9, 2}, {9, 3}, {9, 6}};
    for (size_t i = 0; i < 10; i++)
        absent(&b, 2021, days[i][0], days[i][1], 0);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.longest_absent_run, 10);
    assert_int_equal(s.regimes[0].longest_absent_run, 5);
    assert_int_equal(s.regimes[1].longest_absent_run, 5);
    assert_string_equal(sanction_of(s.regimes[0].suggested), "teguran_lisan");    /* 5 days */
    assert_string_equal(sanction_of(s.regimes[1].suggested), "teguran_tertulis"); /* 5 days */
    assert_string_equal(sanction_of(s.suggested), "teguran_tertulis");
    absent(&b, 2021, 9, 7, 0);
    absent(&b, 2021, 9, 8, 0);
    absent(&b, 2021, 9, 9, 0);
    absent(&b, 2021, 9, 10, 0);
    absent(&b, 2021, 9, 13, 0); /* the tenth work day in a row from 31 August */
    s = discipline_assess(&b.facts);
    assert_int_equal(s.regimes[1].longest_absent_run, 10);
    assert_string_equal(sanction_of(s.suggested), "pemberhentian");
}

/* Ten work days from 18 December 2023 to 3 January 2024 (holidays between) are one run, counted in both years. */
static void a_run_across_31_december_is_one_run(void **state)
{
    (void)state;
    const int days[][3] = {{2023, 12, 18}, {2023, 12, 19}, {2023, 12, 20}, {2023, 12, 21}, {2023, 12, 22},
                           {2023, 12, 27}, {2023, 12, 28}, {2023, 12, 29}, {2024, 1, 2}, {2024, 1, 3},
                           {2024, 1, 9},   {2024, 1, 10}};
    const int gaps[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0};
    for (int year = 2022; year <= 2024; year++) {
        struct year_builder b;
        year_start(&b, year, pns, PNS_COUNT);
        for (size_t i = 0; i < 12; i++)
            absent(&b, days[i][0], days[i][1], days[i][2], gaps[i]);
        struct discipline_summary s = discipline_assess(&b.facts);
        assert_int_equal(s.regime_count, 1);
        assert_int_equal(s.longest_absent_run, year == 2022 ? 0 : 10);
        assert_int_equal(s.absent_days, year == 2022 ? 0 : year == 2023 ? 8 : 4);
        assert_string_equal(sanction_of(s.suggested), year == 2022 ? "none" : "pemberhentian");
    }
    struct year_builder b;
    year_start(&b, 2024, pns, PNS_COUNT);
    absent(&b, 2023, 12, 29, 1);
    absent(&b, 2024, 1, 9, 3);
    absent(&b, 2024, 1, 10, 0);
    assert_int_equal(discipline_assess(&b.facts).longest_absent_run, 2); /* only the run after the gap is the year's */
}

/*
 * Peraturan BKN 6/2022 (6 April 2022) dates the 7.5-hour divisor: minutes of a day before it make no days, those
 * from it on make a day every full 450 minutes.
 */
static void minutes_before_6_april_2022_make_no_days(void **state)
{
    (void)state;
    struct year_builder b;
    year_start(&b, 2022, pns, PNS_COUNT);
    late(&b, 2022, 3, 1, 900);
    late(&b, 2022, 4, 5, 450);
    late(&b, 2022, 4, 6, 400);
    late(&b, 2022, 5, 2, 49);
    absent_apart(&b, 2022, 6, 1, 2);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.late_minutes, 1799);
    assert_int_equal(s.minute_days, 0); /* 449 minutes from 6 April: not yet a day */
    assert_int_equal(s.total_days, 2);
    assert_null(s.suggested);
    late(&b, 2022, 5, 3, 1);
    s = discipline_assess(&b.facts);
    assert_int_equal(s.minute_days, 1);
    assert_int_equal(s.regimes[0].minute_days, 1);
    assert_int_equal(s.regimes[0].late_minutes, 1800);
    assert_string_equal(sanction_of(s.suggested), "teguran_lisan");
    assert_int_equal(discipline_minute_days(b.minutes, b.facts.minutes_count, bkn_6_2022, 1, date_days(2022, 1, 1),
                                            date_days(2022, 4, 5)),
                     0);
    assert_int_equal(discipline_minute_days(b.minutes, b.facts.minutes_count, bkn_6_2022, 0, date_days(2022, 1, 1),
                                            date_days(2022, 12, 31)),
                     0); /* no divisor at all */
}

/* A status without rows (or without rows yet on the day): its days are counted and judged by nothing. */
static void a_status_without_rows_is_suggested_nothing(void **state)
{
    (void)state;
    struct year_builder b;
    year_start(&b, 2023, pns, 0);
    absent_apart(&b, 2023, 2, 1, 30);
    struct discipline_summary s = discipline_assess(&b.facts);
    assert_int_equal(s.regime_count, 0);
    assert_int_equal(s.absent_days, 30);
    assert_int_equal(s.unjudged_days, 30);
    assert_null(s.suggested);
    /* A ladder from 31 August 2021 only (PPPK's rows): July's days are judged by none, September's by it. */
    year_start(&b, 2021, PP94_ONLY, PNS_COUNT - 10);
    absent_apart(&b, 2021, 7, 1, 5);
    absent_apart(&b, 2021, 9, 1, 2);
    s = discipline_assess(&b.facts);
    assert_int_equal(s.regime_count, 1);
    assert_int_equal(s.unjudged_days, 5);
    assert_int_equal(s.regimes[0].absent_days, 2);
    assert_null(s.suggested);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cap_people_rounds_down),
        cmocka_unit_test(wfh_cap_at_the_edges),
        cmocka_unit_test(wfo_cap_counts_those_without_an_entry),
        cmocka_unit_test(direct_service_is_wfo_only_unless_named),
        cmocka_unit_test(the_suggestion_puts_priority_then_fewest_wfh_days_first),
        cmocka_unit_test(the_ladders_dates_are_what_they_say),
        cmocka_unit_test(thresholds_one_below_and_at_each_level),
        cmocka_unit_test(pp53s_ladder_at_its_edges),
        cmocka_unit_test(an_absence_on_30_august_2021_is_pp53s_on_31_august_pp94s),
        cmocka_unit_test(a_year_with_days_on_both_sides),
        cmocka_unit_test(a_run_across_31_august_2021_counts_under_pp94_from_its_first_day),
        cmocka_unit_test(a_run_across_31_december_is_one_run),
        cmocka_unit_test(minutes_before_6_april_2022_make_no_days),
        cmocka_unit_test(a_status_without_rows_is_suggested_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

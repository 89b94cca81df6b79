/* Discipline case rules (rules/cases.c) at their edges, with plain values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/cases.h"

static void a_case_is_about_the_employees_confirmed_violations(void **state)
{
    (void)state;
    enum error_code code;
    const struct case_violation ok[] = {{7, "confirmed", false}, {7, "confirmed", false}};
    assert_null(case_open_problem(7, 2, 2, ok, &code));
    assert_non_null(case_open_problem(7, 0, 0, ok, &code));            /* none named */
    assert_non_null(case_open_problem(7, 3, 2, ok, &code));            /* one does not exist */
    const struct case_violation other[] = {{7, "confirmed", false}, {8, "confirmed", false}};
    assert_non_null(case_open_problem(7, 2, 2, other, &code));         /* another employee's */
    const struct case_violation pending[] = {{7, "pending", false}};
    assert_non_null(case_open_problem(7, 1, 1, pending, &code));       /* not yet unexcused */
    const struct case_violation dismissed[] = {{7, "dismissed", false}};
    assert_non_null(case_open_problem(7, 1, 1, dismissed, &code));
    const struct case_violation taken[] = {{7, "confirmed", true}};
    assert_non_null(case_open_problem(7, 1, 1, taken, &code));         /* in another case */
    assert_int_equal(code, ERR_INVALID_VALUE);
}

static void a_case_is_decided_once_examined_and_a_heavier_sanction_has_its_reason(void **state)
{
    (void)state;
    enum error_code code;
    assert_non_null(case_decide_problem("summoned", "2023-10-02", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_NOT_EXAMINED);
    assert_null(case_decide_problem("examined", "2023-10-02", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_non_null(case_decide_problem("examined", "2023-10-02", "pemberhentian", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_non_null(case_decide_problem("examined", "2023-10-02", "pemberhentian", "teguran_lisan", "", &code));
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_null(case_decide_problem("examined", "2023-10-02", "pemberhentian", "teguran_lisan", "10 hari berturut-turut", &code));
    assert_non_null(case_decide_problem("examined", "2023-10-02", "teguran_lisan", NULL, NULL, &code)); /* nothing suggested */
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_non_null(case_decide_problem("examined", "2023-10-02", "dipecat", "teguran_lisan", "x", &code));
    assert_int_equal(code, ERR_INVALID_VALUE);
    assert_non_null(case_decide_problem("decided", "2023-10-02", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_CONFLICT);
}

/* PP 53/2010's own sanctions only on a case that judges an absence before 31 August 2021. */
static void a_sanction_of_pp53_only_on_a_case_before_31_august_2021(void **state)
{
    (void)state;
    enum error_code code;
    const char *kgb = "penundaan_kgb_1_tahun";
    assert_null(case_decide_problem("examined", "2021-08-30", kgb, kgb, NULL, &code));
    assert_null(case_decide_problem("examined", "2021-07-01", "penurunan_pangkat_3_tahun", kgb, "46 hari", &code));
    assert_non_null(case_decide_problem("examined", "2021-08-31", kgb, kgb, NULL, &code));
    assert_int_equal(code, ERR_INVALID_VALUE);
    assert_non_null(case_decide_problem("examined", NULL, kgb, kgb, NULL, &code)); /* no violation day */
    assert_int_equal(code, ERR_INVALID_VALUE);
    assert_null(case_decide_problem("examined", "2021-07-01", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_non_null(case_decide_problem("examined", "2021-07-01", "penundaan_kgb_2_tahun", kgb, "x", &code));
    assert_int_equal(code, ERR_INVALID_VALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_case_is_about_the_employees_confirmed_violations),
        cmocka_unit_test(a_case_is_decided_once_examined_and_a_heavier_sanction_has_its_reason),
        cmocka_unit_test(a_sanction_of_pp53_only_on_a_case_before_31_august_2021),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

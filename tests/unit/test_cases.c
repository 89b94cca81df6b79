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
    assert_non_null(case_decide_problem("summoned", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_NOT_EXAMINED);
    assert_null(case_decide_problem("examined", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_non_null(case_decide_problem("examined", "pemberhentian", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_non_null(case_decide_problem("examined", "pemberhentian", "teguran_lisan", "", &code));
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_null(case_decide_problem("examined", "pemberhentian", "teguran_lisan", "10 hari berturut-turut", &code));
    assert_non_null(case_decide_problem("examined", "teguran_lisan", NULL, NULL, &code)); /* nothing suggested */
    assert_int_equal(code, ERR_REASON_REQUIRED);
    assert_non_null(case_decide_problem("examined", "dipecat", "teguran_lisan", "x", &code));
    assert_int_equal(code, ERR_INVALID_VALUE);
    assert_non_null(case_decide_problem("decided", "teguran_lisan", "teguran_lisan", NULL, &code));
    assert_int_equal(code, ERR_CONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_case_is_about_the_employees_confirmed_violations),
        cmocka_unit_test(a_case_is_decided_once_examined_and_a_heavier_sanction_has_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

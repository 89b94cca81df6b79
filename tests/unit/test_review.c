/* What a reviewer's decision may say (rules/review.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/review.h"

#include <string.h>

static void sanction_codes_are_those_of_pp_94_2021(void **state)
{
    const char *known[] = {"teguran_lisan", "teguran_tertulis", "pernyataan_tidak_puas", "potong_tukin_6_bulan",
                           "potong_tukin_9_bulan", "potong_tukin_12_bulan", "penurunan_jabatan",
                           "pembebasan_jabatan", "pemberhentian"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        assert_true(sanction_code_known(known[i]));
    const char *unknown[] = {"", "teguran", "Teguran_Lisan", "teguran_lisan ", "potong_tukin_3_bulan", "dismissed"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_false(sanction_code_known(unknown[i]));
    assert_false(sanction_code_known(NULL));
    /* PP 53/2010's own, for cases before 31 August 2021 (rules/cases.c), are not PP 94/2021's. */
    const char *pp53[] = {"penundaan_kgb_1_tahun", "penundaan_pangkat_1_tahun", "penurunan_pangkat_1_tahun",
                          "penurunan_pangkat_3_tahun", "pemindahan_penurunan_jabatan"};
    for (size_t i = 0; i < sizeof pp53 / sizeof pp53[0]; i++) {
        assert_false(sanction_code_known(pp53[i]));
        assert_true(sanction_code_of_pp53_only(pp53[i]));
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        assert_false(sanction_code_of_pp53_only(known[i]));
    assert_false(sanction_code_of_pp53_only(NULL));
}

static void statuses(void **state)
{
    assert_true(violation_status_known("pending"));
    assert_true(violation_status_known("dismissed"));
    assert_true(violation_status_known("confirmed"));
    assert_false(violation_status_known("Pending"));
    assert_false(violation_status_known("decided"));
    assert_false(violation_status_known(""));
}

static void a_confirmation_needs_a_sanction_and_a_dismissal_takes_none(void **state)
{
    const char *field = NULL;
    assert_null(review_decision_problem("dismissed", NULL, &field));
    assert_null(review_decision_problem("confirmed", NULL, &field));

    /* A sanction is decided on a discipline case, never on one flag (422 sanction_needs_case). */
    assert_non_null(review_decision_problem("confirmed", "teguran_lisan", &field));
    assert_string_equal(field, "sanction");
    assert_non_null(review_decision_problem("confirmed", "pemberhentian", &field));
    assert_string_equal(field, "sanction");
    assert_non_null(review_decision_problem("dismissed", "teguran_lisan", &field));
    assert_string_equal(field, "sanction");

    const char *bad[] = {"pending", "approved", "Confirmed", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        field = NULL;
        assert_non_null(review_decision_problem(bad[i], NULL, &field));
        assert_string_equal(field, "decision");
    }
    assert_non_null(review_decision_problem(NULL, "teguran_lisan", &field));
    assert_string_equal(field, "decision");
}

static void a_note_is_bounded_text_with_line_breaks(void **state)
{
    assert_true(review_note_ok(""));
    assert_true(review_note_ok("Sakit, surat dokter terlampir.\nDiterima.\r\n\tOK"));
    assert_true(review_note_ok("Pakaian dinas tidak sesuai \xe2\x80\x94 dicek"));
    assert_false(review_note_ok("bell\a"));
    assert_false(review_note_ok("escape\x1b[0m"));
    assert_false(review_note_ok("del\x7f"));
    char note[REVIEW_NOTE_MAX_BYTES + 2];
    memset(note, 'x', REVIEW_NOTE_MAX_BYTES);
    note[REVIEW_NOTE_MAX_BYTES] = '\0';
    assert_true(review_note_ok(note));
    note[REVIEW_NOTE_MAX_BYTES] = 'x';
    note[REVIEW_NOTE_MAX_BYTES + 1] = '\0';
    assert_false(review_note_ok(note));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanction_codes_are_those_of_pp_94_2021),
        cmocka_unit_test(statuses),
        cmocka_unit_test(a_confirmation_needs_a_sanction_and_a_dismissal_takes_none),
        cmocka_unit_test(a_note_is_bounded_text_with_line_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

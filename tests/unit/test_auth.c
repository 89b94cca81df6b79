/* Passwords and tokens: what a new password must be, and the claims a token carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void a_new_password_is_checked_as_the_contract_says(void **state)
{
    static const struct {
        const char *new_password, *username, *current;
        bool good;
    } cases[] = {
        {"long-enough-1", "siti", "old-password", true},
        {"123456789", "siti", "old-password", false},            /* 9 characters */
        {"1234567890", "siti", "old-password", true},             /* 10 */
        {"ééééééééé", "siti", "old-password", false},             /* 9 characters in 18 bytes */
        {"éééééééééé", "siti", "old-password", true},             /* 10 characters */
        {"198503122010012001", "198503122010012001", "x", false}, /* the NIP */
        {"Supervisor.BKD", "supervisor.bkd", "x", false},         /* the username, in another case */
        {"same-as-before", "siti", "same-as-before", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = password_weakness(cases[i].new_password, cases[i].username, cases[i].current);
        if (cases[i].good != (why == NULL))
            fail_msg("case %zu (%s): %s", i, cases[i].new_password, why ? why : "accepted");
    }
    char *huge = malloc(PASSWORD_MAX_BYTES + 2);
    memset(huge, 'x', PASSWORD_MAX_BYTES + 1);
    huge[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_non_null(password_weakness(huge, "siti", "old"));
    huge[PASSWORD_MAX_BYTES] = '\0';
    assert_null(password_weakness(huge, "siti", "old"));
    free(huge);
}

static const unsigned char secret[] = "unit-test-secret-0123456789abcdef0123";

static void a_token_carries_its_credential_version_and_the_change_required(void **state)
{
    const struct token_settings ts = {secret, sizeof secret - 1, "attendance-svc", "attendance-api", 900};
    for (int required = 0; required <= 1; required++) {
        struct token_claims made = {.account_id = 42, .role = ROLE_EMPLOYEE, .credential_version = 7,
                                    .password_change_required = required};
        char *token = token_issue(&ts, &made, 1795480000);
        assert_non_null(token);
        struct token_claims got;
        assert_int_equal(token_verify(&ts, token, 1795480100, &got), 0);
        assert_int_equal(got.account_id, 42);
        assert_int_equal(got.role, ROLE_EMPLOYEE);
        assert_int_equal(got.credential_version, 7);
        assert_int_equal(got.password_change_required, required);
        assert_int_equal(token_verify(&ts, token, 1795480000 + 901, &got), -1); /* expired */
        free(token);
    }
}

static void a_token_says_how_it_was_had_password_or_device(void **state)
{
    const struct token_settings ts = {secret, sizeof secret - 1, "attendance-svc", "attendance-api", 900};
    const struct token_claims kinds[] = {
        {.account_id = 42, .role = ROLE_EMPLOYEE, .credential_version = 1, .password_at = 1795480000},
        {.account_id = 42, .role = ROLE_EMPLOYEE, .credential_version = 1, .device_id = 9},
        {.account_id = 42, .role = ROLE_EMPLOYEE, .credential_version = 1}, /* neither: a token from before */
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char *token = token_issue(&ts, &kinds[i], 1795480000);
        assert_non_null(token);
        struct token_claims got;
        assert_int_equal(token_verify(&ts, token, 1795480010, &got), 0);
        assert_int_equal(got.password_at, kinds[i].password_at); /* absent: 0, never libjwt's -1 */
        assert_int_equal(got.device_id, kinds[i].device_id);
        free(token);
    }
}

static void an_imported_hash_takes_the_time_of_a_full_one(void **state)
{
    char cheap[128], full[128];
    assert_int_equal(password_hash_initial("imported-password", cheap), 0);
    assert_int_equal(password_hash("chosen-password", full), 0);
    bool rehash;
    assert_true(password_verify(cheap, "imported-password", &rehash));
    assert_true(rehash);
    assert_false(password_verify(cheap, "wrong", &rehash));
    assert_true(password_verify(full, "chosen-password", &rehash));
    assert_false(rehash);
    assert_false(password_verify(full, "wrong", &rehash));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_password_is_checked_as_the_contract_says),
        cmocka_unit_test(a_token_carries_its_credential_version_and_the_change_required),
        cmocka_unit_test(a_token_says_how_it_was_had_password_or_device),
        cmocka_unit_test(an_imported_hash_takes_the_time_of_a_full_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The retry schedule (exponential backoff with jitter, Retry-After, the cap) and what is worth a retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "retry.h"

static void the_step_doubles_and_jitter_keeps_half_to_all(void **state)
{
    /* random 0: the least wait, half the step; random at the top of the range: the whole step. */
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, -1, 0), 500);
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, -1, 500), 1000);
    assert_int_equal(retry_backoff_ms(2, 1000, 60000, -1, 0), 1000);
    assert_int_equal(retry_backoff_ms(3, 1000, 60000, -1, 0), 2000);
    assert_int_equal(retry_backoff_ms(4, 1000, 60000, -1, 4000), 8000);
    /* The random number wraps into [0, step/2]. */
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, -1, 501), 500);
    for (uint32_t r = 0; r < 5000; r += 37) {
        long w = retry_backoff_ms(3, 1000, 60000, -1, r * 2654435761u);
        assert_true(w >= 2000 && w <= 4000);
    }
}

static void the_wait_is_capped_however_many_tries(void **state)
{
    assert_int_equal(retry_backoff_ms(6, 1000, 60000, -1, 0), 16000);     /* a 32 s step */
    assert_int_equal(retry_backoff_ms(7, 1000, 60000, -1, 0), 30000);     /* 64 s: the step is the cap */
    assert_int_equal(retry_backoff_ms(7, 1000, 60000, -1, 30000), 60000);
    for (unsigned attempt = 8; attempt < 200; attempt += 7) { /* no overflow of the shift */
        long w = retry_backoff_ms(attempt, 1000, 60000, -1, 0xffffffffu);
        assert_true(w >= 30000 && w <= 60000);
    }
}

static void retry_after_is_a_floor_within_the_cap(void **state)
{
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, 5, 0), 5000);
    assert_int_equal(retry_backoff_ms(3, 1000, 60000, 1, 0), 2000); /* the backoff is longer already */
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, 3600, 0), 60000);
    assert_int_equal(retry_backoff_ms(1, 1000, 60000, 0, 0), 500);
}

static void only_5xx_and_passing_network_failures_are_retried(void **state)
{
    assert_true(retry_worth_it(500, CURLE_OK));
    assert_true(retry_worth_it(503, CURLE_OK));
    assert_true(retry_worth_it(599, CURLE_OK));
    assert_false(retry_worth_it(200, CURLE_OK));
    assert_false(retry_worth_it(400, CURLE_OK));
    assert_false(retry_worth_it(403, CURLE_OK));
    assert_false(retry_worth_it(404, CURLE_OK));
    assert_false(retry_worth_it(429, CURLE_OK));
    assert_true(retry_worth_it(0, CURLE_COULDNT_CONNECT));
    assert_true(retry_worth_it(0, CURLE_OPERATION_TIMEDOUT));
    assert_true(retry_worth_it(0, CURLE_COULDNT_RESOLVE_HOST));
    assert_true(retry_worth_it(0, CURLE_SEND_ERROR));
    assert_true(retry_worth_it(0, CURLE_RECV_ERROR));
    assert_true(retry_worth_it(0, CURLE_GOT_NOTHING));
    assert_false(retry_worth_it(0, CURLE_URL_MALFORMAT));
    assert_false(retry_worth_it(0, CURLE_PEER_FAILED_VERIFICATION)); /* a certificate does not get better */
    assert_false(retry_worth_it(0, CURLE_UNSUPPORTED_PROTOCOL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_step_doubles_and_jitter_keeps_half_to_all),
        cmocka_unit_test(the_wait_is_capped_however_many_tries),
        cmocka_unit_test(retry_after_is_a_floor_within_the_cap),
        cmocka_unit_test(only_5xx_and_passing_network_failures_are_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Token buckets: the burst, the refill, Retry-After, keys apart, bounded memory, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rate_limit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>

static void a_burst_is_allowed_then_429_with_the_wait(void **state)
{
    struct rate_limiter *rl = rate_limiter_new(6, 3, 64); /* one every 10 s, 3 at once */
    for (int i = 0; i < 3; i++)
        assert_int_equal(rate_limiter_take(rl, "k", 1, 1000), 0);
    assert_int_equal(rate_limiter_take(rl, "k", 1, 1000), 10);
    assert_int_equal(rate_limiter_take(rl, "k", 1, 5000), 6);  /* 4 s of 10 refilled */
    assert_int_equal(rate_limiter_take(rl, "k", 1, 11000), 0); /* one token back after 10 s */
    assert_int_equal(rate_limiter_take(rl, "k", 1, 11000), 10);
    /* Idle for an hour: the bucket is full again, never more than the burst. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(rate_limiter_take(rl, "k", 1, 3611000), 0);
    assert_true(rate_limiter_take(rl, "k", 1, 3611000) > 0);
    rate_limiter_free(rl);
}

static void an_address_is_counted_by_its_ipv4_or_its_ipv6_64(void **state)
{
    static const struct {
        const char *address, *key;
    } cases[] = {
        {"192.0.2.7", "192.0.2.7"},
        {"::ffff:192.0.2.7", "192.0.2.7"}, /* an IPv4 client on an IPv6 socket */
        {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
        {"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
        {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
        {"::1", "::/64"},
        {"not an address", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[RATE_LIMIT_ADDRESS_TEXT];
        rate_limit_address_text(cases[i].address, text);
        assert_string_equal(text, cases[i].key);
    }
    unsigned char a[8], b[8];
    assert_int_equal(rate_limit_address_key("2001:db8:1:2::1", a), 8);
    assert_int_equal(rate_limit_address_key("2001:db8:1:2:9::9", b), 8);
    assert_memory_equal(a, b, 8);
}

static void keys_are_counted_apart_and_a_clock_going_back_gives_nothing(void **state)
{
    struct rate_limiter *rl = rate_limiter_new(60, 1, 64);
    assert_int_equal(rate_limiter_take(rl, "a", 1, 50000), 0);
    assert_int_equal(rate_limiter_take(rl, "b", 1, 50000), 0);
    assert_int_equal(rate_limiter_take(rl, "a", 1, 50000), 1);
    assert_int_equal(rate_limiter_take(rl, "a", 1, 10000), 1); /* earlier than the last use */
    assert_int_equal(rate_limiter_take(rl, "a", 1, 51000), 0);
    rate_limiter_free(rl);
}

static void no_limit_is_a_null_limiter_that_allows_all(void **state)
{
    assert_null(rate_limiter_new(0, 10, 64));
    assert_int_equal(rate_limiter_take(NULL, "k", 1, 0), 0);
}

static void the_table_stays_its_size_and_forgets_the_least_recent(void **state)
{
    /* 64 entries: a million keys pass through; the most recent keep their state. */
    struct rate_limiter *rl = rate_limiter_new(1, 1, 64);
    for (uint32_t i = 0; i < 1000000; i++)
        rate_limiter_take(rl, &i, sizeof i, 1000 + i / 1000);
    uint32_t last = 999999;
    assert_true(rate_limiter_take(rl, &last, sizeof last, 2000) > 0);
    rate_limiter_free(rl);
}

#define THREADS 8
#define TAKES 20000
static struct rate_limiter *shared;
static atomic_uint allowed;

static void *take_many(void *arg)
{
    for (int i = 0; i < TAKES; i++)
        if (rate_limiter_take(shared, "one key", 7, 1000) == 0)
            atomic_fetch_add(&allowed, 1);
    return NULL;
}

static void threads_together_get_exactly_the_burst(void **state)
{
    shared = rate_limiter_new(1, 1000, 1024);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, take_many, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&allowed), 1000);
    rate_limiter_free(shared);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_is_allowed_then_429_with_the_wait),
        cmocka_unit_test(an_address_is_counted_by_its_ipv4_or_its_ipv6_64),
        cmocka_unit_test(keys_are_counted_apart_and_a_clock_going_back_gives_nothing),
        cmocka_unit_test(no_limit_is_a_null_limiter_that_allows_all),
        cmocka_unit_test(the_table_stays_its_size_and_forgets_the_least_recent),
        cmocka_unit_test(threads_together_get_exactly_the_burst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

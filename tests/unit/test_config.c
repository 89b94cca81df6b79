/* Configuration from the environment: defaults, required settings, bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

static void clear_env(void)
{
    static const char *const names[] = {"ATTENDANCE_DATABASE_URL", "ATTENDANCE_LISTEN", "ATTENDANCE_JWT_SECRET",
                                        "ATTENDANCE_JWT_SECRET_FILE", "ATTENDANCE_THREADS", "ATTENDANCE_DB_POOL_SIZE",
                                        "ATTENDANCE_BOOTSTRAP_ADMIN", "ATTENDANCE_MAX_BODY_BYTES",
                                        "ATTENDANCE_EXPORT_KEY_FILE", "ATTENDANCE_EXPORT_UPLOAD_TRIES",
                                        "ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS", "ATTENDANCE_EXPORT_UPLOAD_TOKEN_FILE",
                                        "ATTENDANCE_SELFIE_RETENTION_DAYS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

static void listen_forms(void **state)
{
    char host[64];
    unsigned port;
    assert_int_equal(config_parse_listen("127.0.0.1:8080", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(config_parse_listen("[::1]:9000", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 9000);
    assert_int_equal(config_parse_listen("localhost", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_listen(":8080", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_listen("h:0", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_listen("h:65536", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_listen("h:80x", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_listen("[::1]8080", host, sizeof host, &port), -1);
}

static void defaults_apply(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.listen_port, 8080);
    assert_null(cfg.jwt_secret);
    config_free(&cfg);
}

/* One slow client may not hold every connection: a tenth of them per address unless set (0: none), none behind a proxy. */
static void per_address_limit_follows_the_connection_limit(void **state)
{
    clear_env();
    unsetenv("ATTENDANCE_CONNECTION_LIMIT");
    unsetenv("ATTENDANCE_PER_IP_CONNECTION_LIMIT");
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.connection_limit, 1000);
    assert_int_equal(cfg.per_ip_connection_limit, 100);
    config_free(&cfg);
    setenv("ATTENDANCE_CONNECTION_LIMIT", "45", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.per_ip_connection_limit, 5);
    config_free(&cfg);
    setenv("ATTENDANCE_TRUSTED_PROXIES", "127.0.0.1", 1); /* every client has the proxy's address */
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.per_ip_connection_limit, 0);
    config_free(&cfg);
    setenv("ATTENDANCE_PER_IP_CONNECTION_LIMIT", "7", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.per_ip_connection_limit, 7);
    config_free(&cfg);
    unsetenv("ATTENDANCE_TRUSTED_PROXIES");
    setenv("ATTENDANCE_PER_IP_CONNECTION_LIMIT", "0", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.per_ip_connection_limit, 0);
    config_free(&cfg);
    unsetenv("ATTENDANCE_CONNECTION_LIMIT");
    unsetenv("ATTENDANCE_PER_IP_CONNECTION_LIMIT");
}

/* Twice the CPUs the process may run on and a pool as large as the threads, unless set. */
static void threads_and_pool_follow_the_cpus(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    cpu_set_t all;
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    unsigned cpus = config_cpu_count();
    assert_int_equal(cpus, CPU_COUNT(&all));
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.threads, cpus > 128 ? 256 : 2 * cpus);
    assert_int_equal(cfg.db_pool_size, cfg.threads);
    config_free(&cfg);

    /* On one CPU (taskset -c N), two of each. */
    cpu_set_t one;
    CPU_ZERO(&one);
    int first = 0;
    while (!CPU_ISSET(first, &all))
        first++;
    CPU_SET(first, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    assert_int_equal(config_cpu_count(), 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.threads, 2);
    assert_int_equal(cfg.db_pool_size, 2);
    config_free(&cfg);
    assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);

    /* Set, they are what they say; the pool follows the threads set unless set itself. */
    setenv("ATTENDANCE_THREADS", "7", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.threads, 7);
    assert_int_equal(cfg.db_pool_size, 7);
    config_free(&cfg);
    setenv("ATTENDANCE_DB_POOL_SIZE", "3", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.threads, 7);
    assert_int_equal(cfg.db_pool_size, 3);
    config_free(&cfg);
    setenv("ATTENDANCE_DB_POOL_SIZE", "257", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
    config_free(&cfg);
    clear_env();
}

static void missing_database_url_fails(void **state)
{
    clear_env();
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
    config_free(&cfg);
}

static void short_secret_fails(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    setenv("ATTENDANCE_JWT_SECRET", "too-short", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT), -1);
    config_free(&cfg);
    setenv("ATTENDANCE_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT), 0);
    assert_int_equal(cfg.jwt_secret_len, 32);
    config_free(&cfg);
}

static void secret_file_and_value_conflict(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    setenv("ATTENDANCE_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    setenv("ATTENDANCE_JWT_SECRET_FILE", "/nonexistent", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT), -1);
    config_free(&cfg);
}

static void bad_numbers_fail(void **state)
{
    static const char *const bad[] = {"0", "-1", "abc", "257", "12x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
        setenv("ATTENDANCE_THREADS", bad[i], 1);
        struct config cfg;
        assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
        config_free(&cfg);
    }
}

static void bootstrap_admin_needs_both_parts(void **state)
{
    static const char *const bad[] = {"admin", ":pw", "admin:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        setenv("ATTENDANCE_BOOTSTRAP_ADMIN", bad[i], 1);
        struct config cfg;
        assert_int_equal(config_load(&cfg, 0), -1);
        config_free(&cfg);
    }
}

static void the_nightly_needs_its_key_and_has_upload_defaults(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_EXPORT_KEY), -1);
    config_free(&cfg);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0); /* only the nightly needs it */
    assert_null(cfg.export_key_file);
    assert_int_equal(cfg.upload_tries, 6);
    assert_int_equal(cfg.upload_backoff_ms, 2000);
    assert_int_equal(cfg.upload_connect_timeout_s, 10);
    assert_int_equal(cfg.upload_timeout_s, 600);
    assert_null(cfg.upload_token_file);
    config_free(&cfg);
    setenv("ATTENDANCE_EXPORT_KEY_FILE", "/etc/attendance/export.key", 1);
    setenv("ATTENDANCE_EXPORT_UPLOAD_TRIES", "3", 1);
    setenv("ATTENDANCE_EXPORT_UPLOAD_TOKEN_FILE", "/etc/attendance/upload.token", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_EXPORT_KEY), 0);
    assert_string_equal(cfg.export_key_file, "/etc/attendance/export.key");
    assert_string_equal(cfg.upload_token_file, "/etc/attendance/upload.token");
    assert_int_equal(cfg.upload_tries, 3);
    config_free(&cfg);
    setenv("ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS", "0", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
    config_free(&cfg);
}

static void selfie_retention_defaults_to_400_days_and_0_keeps_all(void **state)
{
    clear_env();
    setenv("ATTENDANCE_DATABASE_URL", "dbname=x", 1);
    struct config cfg;
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.selfie_retention_days, 400);
    config_free(&cfg);
    setenv("ATTENDANCE_SELFIE_RETENTION_DAYS", "0", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), 0);
    assert_int_equal(cfg.selfie_retention_days, 0);
    config_free(&cfg);
    setenv("ATTENDANCE_SELFIE_RETENTION_DAYS", "-1", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
    config_free(&cfg);
    setenv("ATTENDANCE_SELFIE_RETENTION_DAYS", "36501", 1);
    assert_int_equal(config_load(&cfg, CONFIG_NEED_DATABASE), -1);
    config_free(&cfg);
    unsetenv("ATTENDANCE_SELFIE_RETENTION_DAYS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listen_forms),
        cmocka_unit_test(defaults_apply),
        cmocka_unit_test(per_address_limit_follows_the_connection_limit),
        cmocka_unit_test(threads_and_pool_follow_the_cpus),
        cmocka_unit_test(missing_database_url_fails),
        cmocka_unit_test(short_secret_fails),
        cmocka_unit_test(secret_file_and_value_conflict),
        cmocka_unit_test(bad_numbers_fail),
        cmocka_unit_test(bootstrap_admin_needs_both_parts),
        cmocka_unit_test(the_nightly_needs_its_key_and_has_upload_defaults),
        cmocka_unit_test(selfie_retention_defaults_to_400_days_and_0_keeps_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

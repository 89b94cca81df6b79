/* The routing table: matching, parameters, 404 and 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/router.h"

#include <string.h>

static enum route_match match(const char *method, const char *path, const struct route **route, char *allow)
{
    static char buf[256];
    const char *params[REQUEST_MAX_PARAMS];
    unsigned n = 0;
    snprintf(buf, sizeof buf, "%s", path);
    return router_match(method, buf, route, params, &n, allow, 64);
}

static void finds_known_routes(void **state)
{
    const struct route *route = NULL;
    char allow[64];
    assert_int_equal(match("GET", "/healthz", &route, allow), ROUTE_FOUND);
    assert_string_equal(route->pattern, "/healthz");
    assert_int_equal(match("GET", "/metrics", &route, allow), ROUTE_FOUND);
    assert_string_equal(route->pattern, "/metrics");
}

static void unknown_paths_are_not_found(void **state)
{
    const struct route *route = NULL;
    char allow[64];
    assert_int_equal(match("GET", "/", &route, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/healthz/", &route, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/healthzz", &route, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "", &route, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "//healthz", &route, allow), ROUTE_NOT_FOUND);
}

static void wrong_method_lists_allowed(void **state)
{
    const struct route *route = NULL;
    char allow[64];
    assert_int_equal(match("POST", "/healthz", &route, allow), ROUTE_WRONG_METHOD);
    assert_string_equal(allow, "GET");
}

static void every_route_has_a_handler_and_a_unique_pattern(void **state)
{
    size_t count;
    const struct route *routes = router_routes(&count);
    assert_true(count > 0);
    for (size_t i = 0; i < count; i++) {
        assert_non_null(routes[i].handler);
        assert_int_equal(routes[i].pattern[0], '/');
        assert_int_equal(router_index(&routes[i]), i);
        for (size_t j = i + 1; j < count; j++)
            assert_false(strcmp(routes[i].method, routes[j].method) == 0 &&
                         strcmp(routes[i].pattern, routes[j].pattern) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_known_routes),
        cmocka_unit_test(unknown_paths_are_not_found),
        cmocka_unit_test(wrong_method_lists_allowed),
        cmocka_unit_test(every_route_has_a_handler_and_a_unique_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

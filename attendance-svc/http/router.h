/*
 * The routing table: every endpoint the service answers, with the method, the
 * path pattern ("{name}" matches one segment), the handler, the roles admitted
 * and the body limit. The table itself is in router.c; opening it shows the API.
 */
#ifndef ATTENDANCE_HTTP_ROUTER_H
#define ATTENDANCE_HTTP_ROUTER_H

#include "auth.h"
#include "request.h"

#include <stddef.h>

typedef void (*handler_fn)(struct request *req);

#define ROLES_PUBLIC 0 /* no authentication */

/* Route flags. ROUTE_CHECKS_ACCOUNT is 1, so that a table row written with true/false keeps its meaning. */
enum route_flag {
    /* The handler's own statement checks that the token's account is still usable
     * (saves the hot path a round trip); otherwise the dispatcher asks first. */
    ROUTE_CHECKS_ACCOUNT = 1 << 0,
    /* Only reads that may lag the primary by the replica's delay: with
     * ATTENDANCE_READ_DATABASE_URL set, the request's connection (the account
     * check included) comes from the replica's pool (docs/deploy.md). */
    ROUTE_READS_REPLICA = 1 << 1,
    /* Admits a token whose password must be changed first (contract, "Passwords"): every
     * other route answers it 403 password_change_required. */
    ROUTE_PASSWORD_CHANGE = 1 << 2,
    /* A request without any token goes on unauthenticated (req->auth.account_id 0), for the handler to
     * authenticate otherwise (a check-in, by its device's signature); a token, when given, must be valid. */
    ROUTE_TOKEN_OPTIONAL = 1 << 3,
};

struct route {
    const char *method;
    const char *pattern;
    handler_fn handler;
    unsigned roles;  /* enum role bits admitted; ROLES_PUBLIC for none needed */
    size_t max_body; /* 0: the configured default */
    unsigned flags;  /* enum route_flag bits */
};

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_WRONG_METHOD };

/*
 * Finds the route for method and path. On ROUTE_FOUND, *route is set and the
 * pattern's parameters point into `path`, which is modified (segments are cut
 * at '/'). On ROUTE_WRONG_METHOD, allow receives the methods the path accepts.
 */
enum route_match router_match(const char *method, char *path, const struct route **route,
                              const char **params, unsigned *nparams, char *allow, size_t allow_len);

/* The table, for metrics. */
const struct route *router_routes(size_t *count);
size_t router_index(const struct route *route);

#endif

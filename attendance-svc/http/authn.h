/*
 * The authentication step of the request path, between routing and the handler.
 */
#ifndef ATTENDANCE_HTTP_AUTHN_H
#define ATTENDANCE_HTTP_AUTHN_H

#include "request.h"

/* The review console's session (docs/console.md): the access token in an
 * HttpOnly cookie, and the CSRF token in a cookie the page reads and sends back
 * in the header on every request that changes something. */
#define SESSION_COOKIE "attendance_session"
#define CSRF_COOKIE "attendance_csrf"
#define CSRF_HEADER "X-CSRF-Token"

/*
 * Checks the access token against the route's roles, before the body is read:
 * the bearer token of the Authorization header, else the console's session
 * cookie, which on any method but GET and HEAD also needs the session's CSRF
 * token in X-CSRF-Token. 401 without a valid token, 403 for a missing or wrong
 * CSRF token or a role the route does not admit, and 403 password_change_required
 * for the token of a password still to be changed on a route not marked
 * ROUTE_PASSWORD_CHANGE. A route marked ROUTE_TOKEN_OPTIONAL goes on without any
 * token, its req->auth left empty. Returns true when the request may go on (an answer has
 * been made otherwise).
 */
bool authn_check_token(struct request *req);

/*
 * Confirms with the database that the token's account is still enabled, still
 * has that role and the token's credential version (no password change since
 * the token was issued) and, for a device sign-in's token, that its device is
 * still active, and fills req->auth. Returns true to go on.
 */
bool authn_check_account(struct request *req);

#endif

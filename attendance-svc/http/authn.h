/*
 * The authentication step of the request path, between routing and the handler.
 */
#ifndef ATTENDANCE_HTTP_AUTHN_H
#define ATTENDANCE_HTTP_AUTHN_H

#include "request.h"

/*
 * Checks the bearer token against the route's roles, before the body is read:
 * 401 without a valid token, 403 for a role the route does not admit. Returns
 * true when the request may go on (an answer has been made otherwise).
 */
bool authn_check_token(struct request *req);

/*
 * Confirms with the database that the token's account is still enabled and
 * still has that role, and fills req->auth. Returns true to go on.
 */
bool authn_check_account(struct request *req);

#endif

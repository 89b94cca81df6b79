/*
 * Authentication (see authn.h). A token is checked without the database when
 * the headers arrive; the account behind it is checked with one query just
 * before the handler runs, so a disabled account's tokens stop working at once.
 */
#include "authn.h"

#include "app.h"
#include "router.h"
#include "store/store_accounts.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

/* Whether a request authenticated by cookie carries its session's CSRF token (in constant time). */
static bool csrf_matches(struct request *req, const char *token)
{
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return true;
    const char *given = request_header(req, CSRF_HEADER);
    char expected[CSRF_TOKEN_HEX];
    token_csrf(&req->app->tokens, token, expected);
    return given && strlen(given) == CSRF_TOKEN_HEX - 1 && sodium_memcmp(given, expected, CSRF_TOKEN_HEX - 1) == 0;
}

bool authn_check_token(struct request *req)
{
    const char *header = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, SESSION_COOKIE);
    const char *token;
    if (header) {
        if (strncasecmp(header, "Bearer ", 7) != 0) {
            reply_error(req, ERR_INVALID_TOKEN, "the Authorization header must be \"Bearer <token>\"");
            return false;
        }
        token = header + 7;
    } else if (cookie && *cookie) {
        token = cookie;
    } else if (req->route->flags & ROUTE_TOKEN_OPTIONAL) {
        return true; /* the handler authenticates the request itself */
    } else {
        reply_error(req, ERR_UNAUTHENTICATED, "this endpoint needs an access token (Authorization: Bearer ...)");
        return false;
    }
    struct token_claims claims;
    if (token_verify(&req->app->tokens, token, time(NULL), &claims) != 0) {
        reply_error(req, ERR_INVALID_TOKEN, "the access token is invalid or has expired");
        return false;
    }
    if (!header && !csrf_matches(req, token)) {
        reply_error(req, ERR_FORBIDDEN, "a request that changes something needs the session's " CSRF_HEADER);
        return false;
    }
    req->auth.account_id = claims.account_id;
    req->auth.role = claims.role;
    req->auth.credential_version = claims.credential_version;
    req->auth.device_id = claims.device_id;
    req->auth.password_at = claims.password_at;
    if (!(req->route->roles & claims.role)) {
        reply_error(req, ERR_FORBIDDEN, "the role %s may not do this", role_name(claims.role));
        return false;
    }
    if (claims.password_change_required && !(req->route->flags & ROUTE_PASSWORD_CHANGE)) {
        reply_error(req, ERR_PASSWORD_CHANGE_REQUIRED,
                    "this password was set by an admin or an import: change it first (POST /v1/auth/password)");
        return false;
    }
    return true;
}

bool authn_check_account(struct request *req)
{
    struct db_conn *db = request_db(req);
    if (!db)
        return false;
    struct auth current;
    bool usable;
    long long credential_version = 0;
    enum db_status st =
        store_account_state(db, req->auth.account_id, req->auth.device_id, &current, &usable, &credential_version);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return false;
    }
    if (!usable || current.role != req->auth.role) {
        reply_error(req, ERR_INVALID_TOKEN, "the account of this token is disabled or has changed");
        return false;
    }
    if (credential_version != req->auth.credential_version) {
        reply_error(req, ERR_INVALID_TOKEN, "the password of this account has changed since the token was issued");
        return false;
    }
    current.credential_version = credential_version;
    current.device_id = req->auth.device_id;
    current.password_at = req->auth.password_at;
    req->auth = current;
    return true;
}

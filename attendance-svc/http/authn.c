/*
 * Authentication (see authn.h). A token is checked without the database when
 * the headers arrive; the account behind it is checked with one query just
 * before the handler runs, so a disabled account's tokens stop working at once.
 */
#include "authn.h"

#include "app.h"
#include "router.h"
#include "store/store_accounts.h"

#include <string.h>
#include <strings.h>

bool authn_check_token(struct request *req)
{
    const char *header = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!header) {
        reply_error(req, ERR_UNAUTHENTICATED, "this endpoint needs an access token (Authorization: Bearer ...)");
        return false;
    }
    if (strncasecmp(header, "Bearer ", 7) != 0) {
        reply_error(req, ERR_INVALID_TOKEN, "the Authorization header must be \"Bearer <token>\"");
        return false;
    }
    enum role role;
    if (token_verify(&req->app->tokens, header + 7, time(NULL), &req->auth.account_id, &role) != 0) {
        reply_error(req, ERR_INVALID_TOKEN, "the access token is invalid or has expired");
        return false;
    }
    req->auth.role = role;
    if (!(req->route->roles & role)) {
        reply_error(req, ERR_FORBIDDEN, "the role %s may not do this", role_name(role));
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
    enum db_status st = store_account_state(db, req->auth.account_id, &current, &usable);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return false;
    }
    if (!usable || current.role != req->auth.role) {
        reply_error(req, ERR_INVALID_TOKEN, "the account of this token is disabled or has changed");
        return false;
    }
    req->auth = current;
    return true;
}

/*
 * POST /v1/auth/login: a username (an employee's NIP, or a staff username)
 * and password for an access token. The review console's session
 * (docs/console.md) signs in the same way:
 *
 *   POST /v1/console/login    staff only: the token in an HttpOnly cookie, and the CSRF cookie
 *   GET  /v1/console/session  who the session's cookie is (the page cannot read it)
 *   POST /v1/console/logout   clears both cookies
 *
 * Both logins share the rate limits below.
 *
 * An unknown user and a wrong password get the same 401 after the same work
 * (a verification against a dummy hash). Failures are counted per username
 * and per client address in the database, so that several instances share
 * the count; over the limit, 429 with Retry-After. A success clears the
 * username's count. The database connection is given back during the
 * Argon2id verification (tens of milliseconds) so logins do not hold the pool.
 */
#include "app.h"
#include "authn.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "store/store_accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USERNAME_MAX 64
#define PASSWORD_MAX 1024

static void reply_bad_pair(struct request *req)
{
    reply_error(req, ERR_INVALID_CREDENTIALS, "the username or password is wrong");
}

/*
 * Checks the request's username and password within the rate limits; true
 * with the account when they match, false after answering (400, 401, 429, 503).
 */
static bool login_check(struct request *req, struct login_account *account)
{
    json_t *body = request_json(req);
    if (!body)
        return false;
    char err[256];
    const char *username, *password, *field;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s}", "username", &username, "password", &password) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        json_decref(body);
        return false;
    }
    if (!*username || strlen(username) > USERNAME_MAX || !*password || strlen(password) > PASSWORD_MAX) {
        reply_error(req, ERR_INVALID_FIELD, "username must be 1 to %d bytes and password 1 to %d", USERNAME_MAX,
                    PASSWORD_MAX);
        json_decref(body);
        return false;
    }

    const struct config *cfg = &req->app->cfg;
    char address[64], user_key[USERNAME_MAX + 8], address_key[72];
    snprintf(user_key, sizeof user_key, "user:%s", username);
    snprintf(address_key, sizeof address_key, "addr:%s", request_client_address(req, address, sizeof address));

    bool found = false;
    int blocked_for = 0;
    struct db_conn *db = request_db(req);
    enum db_status st = db ? store_login_blocked_for(db, user_key, address_key, cfg->login_window_s,
                                                     cfg->login_max_failures, cfg->login_max_failures_per_address,
                                                     &blocked_for)
                           : DB_UNAVAILABLE;
    if (st == DB_OK && blocked_for == 0)
        st = store_login_lookup(db, username, account, &found);
    if (!db || st != DB_OK) {
        if (db)
            reply_db_error(req, st);
        json_decref(body);
        return false;
    }
    if (blocked_for > 0) {
        reply_rate_limited(req, (unsigned)blocked_for, "too many failed logins");
        json_decref(body);
        return false;
    }
    request_db_release(req);

    bool needs_rehash = false;
    bool ok;
    if (found) {
        ok = password_verify(account->password_hash, password, &needs_rehash) && account->usable;
    } else {
        password_verify_dummy(password);
        ok = false;
    }
    char new_hash[128] = "";
    if (ok && needs_rehash && password_hash(password, new_hash) != 0)
        new_hash[0] = '\0';
    json_decref(body); /* password and username point into it */

    db = request_db(req);
    if (!db)
        return false;
    if (!ok) {
        st = store_login_failed(db, user_key, address_key, cfg->login_window_s);
        if (st != DB_OK)
            reply_db_error(req, st);
        else
            reply_bad_pair(req);
        return false;
    }
    st = store_login_succeeded(db, user_key);
    if (st == DB_OK && new_hash[0])
        st = store_account_set_password_hash(db, account->account_id, new_hash);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return false;
    }
    return true;
}

void h_login(struct request *req)
{
    struct login_account account = {0};
    if (!login_check(req, &account))
        return;
    char *token = token_issue(&req->app->tokens, account.account_id, account.role, time(NULL));
    if (!token) {
        reply_error(req, ERR_INTERNAL, "the token could not be made");
        return;
    }
    reply_json(req, 200,
               json_pack("{s:s, s:s, s:i, s:s}", "access_token", token, "token_type", "Bearer", "expires_in",
                         (int)req->app->tokens.ttl_s, "role", role_name(account.role)));
    free(token);
}

/* ---- the console's session ---- */

/* Whether the browser reached the service over TLS, as far as the settings let the service know. */
static bool over_tls(struct request *req)
{
    const struct config *cfg = &req->app->cfg;
    const char *proto = request_header(req, "X-Forwarded-Proto");
    return cfg->behind_tls || (cfg->trust_forwarded_proto && proto && strcasecmp(proto, "https") == 0);
}

/* Adds a Set-Cookie header to the answer: value NULL clears the cookie. */
static void set_cookie(struct request *req, const char *name, const char *value, bool http_only, unsigned max_age)
{
    char cookie[4608];
    int n = snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%u; SameSite=Strict%s%s", name,
                     value ? value : "", value ? max_age : 0, http_only ? "; HttpOnly" : "",
                     over_tls(req) ? "; Secure" : "");
    if (n > 0 && (size_t)n < sizeof cookie)
        reply_header(req, "Set-Cookie", cookie);
}

void h_console_login(struct request *req)
{
    struct login_account account = {0};
    if (!login_check(req, &account))
        return;
    if (!(account.role & ROLES_STAFF)) {
        reply_error(req, ERR_FORBIDDEN, "the console is for staff; employees use the app on their phone");
        return;
    }
    char *token = token_issue(&req->app->tokens, account.account_id, account.role, time(NULL));
    if (!token) {
        reply_error(req, ERR_INTERNAL, "the token could not be made");
        return;
    }
    char csrf[CSRF_TOKEN_HEX];
    token_csrf(&req->app->tokens, token, csrf);
    unsigned ttl = req->app->tokens.ttl_s;
    reply_json(req, 200, json_pack("{s:s, s:i, s:s}", "role", role_name(account.role), "expires_in", (int)ttl,
                                   "csrf_token", csrf));
    set_cookie(req, SESSION_COOKIE, token, true, ttl);
    set_cookie(req, CSRF_COOKIE, csrf, false, ttl);
    free(token);
}

/* An id as the contract writes it: a decimal string, or null for none. */
static json_t *id_json(long long id)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", id);
    return id ? json_string(text) : json_null();
}

void h_console_session(struct request *req)
{
    const struct auth *a = &req->auth;
    reply_json(req, 200, json_pack("{s:o, s:s, s:o, s:o}", "account_id", id_json(a->account_id), "role",
                                   role_name(a->role), "unit_id", id_json(a->unit_id), "agency_id",
                                   id_json(a->agency_id)));
}

void h_console_logout(struct request *req)
{
    reply_json(req, 200, json_pack("{s:b}", "signed_out", 1));
    set_cookie(req, SESSION_COOKIE, NULL, true, 0);
    set_cookie(req, CSRF_COOKIE, NULL, false, 0);
}

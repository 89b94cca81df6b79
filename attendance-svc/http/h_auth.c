/*
 * POST /v1/auth/login: a username (an employee's NIP, or a staff username)
 * and password for an access token.
 *
 * An unknown user and a wrong password get the same 401 after the same work
 * (a verification against a dummy hash). Failures are counted per username
 * and per client address in the database, so that several instances share
 * the count; over the limit, 429 with Retry-After. A success clears the
 * username's count. The database connection is given back during the
 * Argon2id verification (tens of milliseconds) so logins do not hold the pool.
 */
#include "app.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "store/store_accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERNAME_MAX 64
#define PASSWORD_MAX 1024

static void reply_bad_pair(struct request *req)
{
    reply_error(req, ERR_INVALID_CREDENTIALS, "the username or password is wrong");
}

void h_login(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    char err[256];
    const char *username, *password, *field;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s}", "username", &username, "password", &password) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        json_decref(body);
        return;
    }
    if (!*username || strlen(username) > USERNAME_MAX || !*password || strlen(password) > PASSWORD_MAX) {
        reply_error(req, ERR_INVALID_FIELD, "username must be 1 to %d bytes and password 1 to %d", USERNAME_MAX,
                    PASSWORD_MAX);
        json_decref(body);
        return;
    }

    const struct config *cfg = &req->app->cfg;
    char address[64], user_key[USERNAME_MAX + 8], address_key[72];
    snprintf(user_key, sizeof user_key, "user:%s", username);
    snprintf(address_key, sizeof address_key, "addr:%s", request_client_address(req, address, sizeof address));

    struct login_account account = {0};
    bool found = false;
    int blocked_for = 0;
    struct db_conn *db = request_db(req);
    enum db_status st = db ? store_login_blocked_for(db, user_key, address_key, cfg->login_window_s,
                                                     cfg->login_max_failures, cfg->login_max_failures_per_address,
                                                     &blocked_for)
                           : DB_UNAVAILABLE;
    if (st == DB_OK && blocked_for == 0)
        st = store_login_lookup(db, username, &account, &found);
    if (!db || st != DB_OK) {
        if (db)
            reply_db_error(req, st);
        json_decref(body);
        return;
    }
    if (blocked_for > 0) {
        reply_rate_limited(req, (unsigned)blocked_for, "too many failed logins");
        json_decref(body);
        return;
    }
    request_db_release(req);

    bool needs_rehash = false;
    bool ok;
    if (found) {
        ok = password_verify(account.password_hash, password, &needs_rehash) && account.usable;
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
        return;
    if (!ok) {
        st = store_login_failed(db, user_key, address_key, cfg->login_window_s);
        if (st != DB_OK)
            reply_db_error(req, st);
        else
            reply_bad_pair(req);
        return;
    }
    st = store_login_succeeded(db, user_key);
    if (st == DB_OK && new_hash[0])
        st = store_account_set_password_hash(db, account.account_id, new_hash);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
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

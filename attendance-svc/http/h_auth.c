/*
 * POST /v1/auth/login: a username (an employee's NIP, or a staff username)
 * and password for an access token. POST /v1/auth/password (any role): the
 * caller's own password change (contract, "Passwords"). The review console's
 * session (docs/console.md) signs in the same way:
 *
 *   POST /v1/console/login    staff only: the token in an HttpOnly cookie, and the CSRF cookie
 *   GET  /v1/console/session  who the session's cookie is (the page cannot read it)
 *   POST /v1/console/logout   clears both cookies
 *
 * Both logins share the rate limits below.
 *
 * An unknown user and a wrong password get the same 401 after the same work
 * (a verification against a dummy hash, and after a cheap initial hash too).
 * Every attempt is counted per username and per client address (an IPv6
 * address's /64) in the database before its password is verified, so that
 * several instances share the count and concurrent guesses cannot all pass
 * the check. A username is never locked: past ATTENDANCE_LOGIN_MAX_FAILURES,
 * each further try waits a delay that doubles with each failure (up to
 * ATTENDANCE_LOGIN_MAX_DELAY_S); an address over its limit waits out its
 * window; either way 429 with Retry-After. A success clears the username's
 * count and forgives the address its attempt. The Argon2id verification (tens of milliseconds,
 * 64 MiB) runs on the password pool (password_pool.h) while the request is suspended: it holds
 * neither an HTTP thread nor a database connection, and a login that cannot get a hashing thread
 * within ATTENDANCE_PASSWORD_WAIT_MS is 503 login_busy, its attempt forgiven.
 *
 * POST /v1/auth/device: a device sign-in, no password (h_device_sign_in).
 *
 * A password set by an admin or an import must be changed: its login answers
 * "password_change_required": true, and its token carries the claim "pcr",
 * which every route but the password change refuses (authn.c). A change moves
 * the account's credential version on, and the tokens of older versions stop
 * working (authn_check_account).
 */
#include "app.h"
#include "authn.h"
#include "checkin/payload.h"
#include "dates.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "password_pool.h"
#include "rate_limit.h"
#include "store/store_accounts.h"
#include "store/store_devices.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define USERNAME_MAX 64

static void reply_bad_pair(struct request *req)
{
    reply_error(req, ERR_INVALID_CREDENTIALS, "the username or password is wrong");
}

/* The keys a password check is counted under: its username's, and its client address's (an IPv6 one's /64). */
struct login_keys {
    char user[USERNAME_MAX + 8];
    char address[8 + RATE_LIMIT_ADDRESS_TEXT];
};

static void login_keys(struct request *req, const char *username, struct login_keys *keys)
{
    char address[INET6_ADDRSTRLEN], counted[RATE_LIMIT_ADDRESS_TEXT];
    rate_limit_address_text(request_client_address(req, address, sizeof address), counted);
    snprintf(keys->user, sizeof keys->user, "user:%s", username);
    snprintf(keys->address, sizeof keys->address, "addr:%s", counted);
}

/*
 * Counts a password check before it is made (store_login_attempt); true when it
 * may be made now, false after answering 429 with Retry-After (or the database's error).
 */
static bool attempt_counted(struct request *req, struct db_conn *db, const struct login_keys *keys)
{
    const struct config *cfg = &req->app->cfg;
    const struct login_limits limits = {
        .window_s = cfg->login_window_s,
        .free_failures = cfg->login_max_failures,
        .delay_s = cfg->login_delay_s,
        .max_delay_s = cfg->login_max_delay_s,
        .max_per_address = cfg->login_max_failures_per_address,
    };
    int retry_after = 0;
    enum db_status st = store_login_attempt(db, keys->user, keys->address, &limits, &retry_after);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (retry_after > 0)
        reply_rate_limited(req, (unsigned)retry_after, "too many failed password checks");
    return st == DB_OK && retry_after == 0;
}

/*
 * A password check's state while its Argon2id runs on the password pool
 * (password_pool.h): the request is suspended meanwhile, its HTTP thread free
 * for check-ins. Owned by the request (request_suspend), freed with it.
 */
struct password_wait {
    json_t *body; /* the passwords and the username point into it */
    struct login_keys keys;
    struct login_account account; /* a login's */
    bool found;
    struct account_password own;  /* a password change's */
    void (*answer)(struct request *req, const struct login_account *account); /* a login's, once it passed */
    struct password_job job;
};

static void password_wait_free(void *pending)
{
    struct password_wait *w = pending;
    json_decref(w->body);
    sodium_memzero(w, sizeof *w);
    free(w);
}

static void wake_request(void *req) { request_resume(req); }

/* Hands the wait's job to the pool and suspends the request until it is done (then resumed runs). */
static void wait_for_password(struct request *req, struct password_wait *w, void (*resumed)(struct request *req))
{
    w->job.done = wake_request;
    w->job.cls = req;
    request_suspend(req, resumed, w, password_wait_free);
    password_pool_submit(req->app->passwords, &w->job);
}

/* The job waited too long for a hashing thread: nothing was checked, so the attempt is forgiven. 503. */
static void reply_busy(struct request *req, const struct login_keys *keys)
{
    struct db_conn *db = request_db(req);
    if (!db)
        return; /* 503 database_unavailable */
    if (store_login_forgive(db, keys->user, keys->address) != DB_OK)
        log_warn("login: an attempt answered 503 could not be forgiven (request %s)", req->id);
    reply_error(req, ERR_LOGIN_BUSY, "too many logins at once; retry shortly");
}

/* A login's password was checked: the answer (200, or 401, 503). */
static void login_resumed(struct request *req)
{
    struct password_wait *w = req->pending;
    if (w->job.timed_out) {
        reply_busy(req, &w->keys);
        return;
    }
    if (!w->found || !w->job.ok || !w->account.usable) {
        reply_bad_pair(req); /* the attempt was counted as a failure already */
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = store_login_succeeded(db, w->keys.user, w->keys.address);
    if (st == DB_OK && w->job.new_hash[0])
        st = store_account_set_password_hash(db, w->account.account_id, w->job.new_hash);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    w->answer(req, &w->account);
}

/*
 * Checks the request's username and password within the rate limits, the
 * password on the pool: answer(req, account) makes the answer when they
 * match; otherwise the answer is made here (400, 401, 429, 503).
 */
static void login_start(struct request *req, void (*answer)(struct request *req, const struct login_account *account))
{
    struct password_wait *w = calloc(1, sizeof *w);
    if (!w) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return;
    }
    w->answer = answer;
    if (!(w->body = request_json(req)))
        goto failed;
    char err[256];
    const char *username, *password, *field;
    if (json_unpack_fields(w->body, err, sizeof err, &field, "{s:s, s:s}", "username", &username, "password",
                           &password) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        goto failed;
    }
    if (!*username || strlen(username) > USERNAME_MAX || !*password || strlen(password) > PASSWORD_MAX_BYTES) {
        reply_error(req, ERR_INVALID_FIELD, "username must be 1 to %d bytes and password 1 to %d", USERNAME_MAX,
                    PASSWORD_MAX_BYTES);
        goto failed;
    }
    login_keys(req, username, &w->keys);
    struct db_conn *db = request_db(req);
    if (!db || !attempt_counted(req, db, &w->keys))
        goto failed;
    enum db_status st = store_login_lookup(db, username, &w->account, &w->found);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto failed;
    }
    w->job = (struct password_job){.kind = w->found ? PASSWORD_VERIFY : PASSWORD_VERIFY_DUMMY,
                                   .hash = w->account.password_hash, .password = password};
    wait_for_password(req, w, login_resumed);
    return;
failed:
    password_wait_free(w);
}

/* The access token of an account that just logged in; the caller frees it. NULL after answering 500. */
static char *issue_token(struct request *req, const struct token_claims *claims)
{
    char *token = token_issue(&req->app->tokens, claims, time(NULL));
    if (!token)
        reply_error(req, ERR_INTERNAL, "the token could not be made");
    return token;
}

/* A password login's token: it says when the password was checked (POST /v1/devices needs that to be recent). */
static char *login_token(struct request *req, const struct login_account *account)
{
    struct token_claims claims = {
        .account_id = account->account_id,
        .role = account->role,
        .credential_version = account->credential_version,
        .password_change_required = account->password_change_required,
        .password_at = (long long)time(NULL),
    };
    return issue_token(req, &claims);
}

/* The answer of a login, by password or by device. */
static void reply_token(struct request *req, const char *token, enum role role, bool password_change_required)
{
    reply_json(req, 200,
               json_pack("{s:s, s:s, s:i, s:s, s:b}", "access_token", token, "token_type", "Bearer", "expires_in",
                         (int)req->app->tokens.ttl_s, "role", role_name(role), "password_change_required",
                         password_change_required));
}

static void answer_login(struct request *req, const struct login_account *account)
{
    char *token = login_token(req, account);
    if (!token)
        return;
    reply_token(req, token, account->role, account->password_change_required);
    free(token);
}

void h_login(struct request *req) { login_start(req, answer_login); }

/* ---- POST /v1/auth/device ---- */

/*
 * Decodes {"payload": base64url of the signed bytes, "signature": base64url}
 * into payload_bytes (payload_len of them), the payload and the signature;
 * false after answering 400.
 */
static bool decode_sign_in(struct request *req, json_t *body, char payload_bytes[SIGN_IN_PAYLOAD_MAX_BYTES + 1],
                           size_t *payload_len, struct sign_in_payload *payload,
                           unsigned char signature[crypto_sign_BYTES])
{
    char err[256];
    const char *payload_text, *signature_text, *field;
    size_t signature_len = 0;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s !}", "payload", &payload_text, "signature",
                           &signature_text) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    if (sodium_base642bin((unsigned char *)payload_bytes, SIGN_IN_PAYLOAD_MAX_BYTES, payload_text,
                          strlen(payload_text), NULL, payload_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "payload", "payload must be base64url (no padding) of at most %d bytes",
                          SIGN_IN_PAYLOAD_MAX_BYTES);
        return false;
    }
    payload_bytes[*payload_len] = '\0';
    if (!sign_in_payload_decode(payload_bytes, *payload_len, payload, err, sizeof err)) {
        reply_field_error(req, ERR_MALFORMED_REQUEST, "payload", "%s", err);
        return false;
    }
    if (sodium_base642bin(signature, crypto_sign_BYTES, signature_text, strlen(signature_text), NULL, &signature_len,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        signature_len != crypto_sign_BYTES) {
        reply_error(req, ERR_BAD_SIGNATURE, "the signature must be base64url of 64 bytes");
        return false;
    }
    return true;
}

/*
 * A sign-in signed by an enrolled device, for an employee token without a
 * password: the device must be active and its employee's login enabled
 * (else 403 device_not_bound), the signature its key's (else 401), signed_at
 * within 5 minutes of the service's clock (else 422 clock_skew) and the nonce
 * new for the device (else 409 nonce_reused; taken only once the signature
 * verified). No password is checked, so the login limits do not apply: a
 * lock-out of the username never keeps its phone out. The token names the
 * device ("dev"): its revocation ends the token at once (authn_check_account).
 */
void h_device_sign_in(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    char payload_bytes[SIGN_IN_PAYLOAD_MAX_BYTES + 1];
    size_t payload_len = 0;
    struct sign_in_payload payload;
    unsigned char signature[crypto_sign_BYTES];
    bool decoded = decode_sign_in(req, body, payload_bytes, &payload_len, &payload, signature);
    json_decref(body);
    if (!decoded)
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    struct device_sign_in device;
    enum db_status st = store_device_sign_in_lookup(db, payload.device_id, &device);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    if (!device.found || !device.usable || !device.account_id) {
        reply_error(req, ERR_DEVICE_NOT_BOUND, "the device is not an active device of an enabled employee login");
        return;
    }
    if (crypto_sign_verify_detached(signature, (const unsigned char *)payload_bytes, payload_len, device.public_key) != 0) {
        reply_error(req, ERR_BAD_SIGNATURE, "the signature does not verify with the device's key");
        return;
    }
    if (sign_in_clock_skewed(&payload, wall_clock_ms())) {
        reply_error(req, ERR_CLOCK_SKEW, "signed_at is more than 5 minutes away from the server's clock");
        return;
    }
    bool fresh = false;
    if ((st = store_device_sign_in_record(db, payload.device_id, payload.nonce, payload.signed_at_ms, &fresh)) != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    if (!fresh) {
        reply_error(req, ERR_NONCE_REUSED, "this device has used this nonce before");
        return;
    }
    struct token_claims claims = {
        .account_id = device.account_id,
        .role = ROLE_EMPLOYEE,
        .credential_version = device.credential_version,
        .password_change_required = device.password_change_required,
        .device_id = payload.device_id,
    };
    char *token = issue_token(req, &claims);
    if (!token)
        return;
    reply_token(req, token, ROLE_EMPLOYEE, device.password_change_required);
    free(token);
}

/* ---- POST /v1/auth/password ---- */

/* Decodes the body; false after answering. The strings point into body. */
static bool decode_password_change(struct request *req, json_t *body, const char **current, const char **new_password)
{
    char err[256];
    const char *field;
    if (json_unpack_fields(body, err, sizeof err, &field, "{s:s, s:s !}", "current_password", current,
                           "new_password", new_password) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, field, "%s", err);
        return false;
    }
    if (!**current || strlen(*current) > PASSWORD_MAX_BYTES) {
        reply_field_error(req, ERR_INVALID_FIELD, "current_password", "current_password must be 1 to %d bytes",
                          PASSWORD_MAX_BYTES);
        return false;
    }
    return true;
}

/* The current password was checked, and the new one hashed if it is good: the change (204, 403, 422, 503). */
static void password_change_resumed(struct request *req)
{
    struct password_wait *w = req->pending;
    if (w->job.timed_out) {
        reply_busy(req, &w->keys);
        return;
    }
    if (!w->job.ok) {
        reply_field_error(req, ERR_WRONG_PASSWORD, "current_password", "current_password is not this account's password");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = store_login_succeeded(db, w->keys.user, w->keys.address);
    if (st != DB_OK) {
        reply_db_error(req, st);
        return;
    }
    if (w->job.weakness) {
        reply_field_error(req, ERR_WEAK_PASSWORD, "new_password", "%s", w->job.weakness);
        return;
    }
    if (w->job.hash_failed) {
        reply_error(req, ERR_INTERNAL, "the password could not be hashed");
        return;
    }
    bool changed = false;
    st = db_begin(db);
    if (st == DB_OK)
        st = store_account_password_change(db, req->auth.account_id, w->job.new_hash, req->auth.credential_version,
                                           &changed);
    if (st == DB_OK && !changed) {
        reply_error(req, ERR_INVALID_TOKEN, "the password of this account has changed since the token was issued");
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", req->auth.account_id);
    json_t *audited = json_pack("{s:s, s:b}", "id", id, "password_changed", 1);
    if (st == DB_OK)
        st = audited ? request_commit_audited(req, "password_change", "account", NULL, audited) : DB_ERROR;
    json_decref(audited);
    if (st != DB_OK)
        reply_db_error(req, st);
    else
        reply_buffer(req, 204, NULL, (void *)"", 0, MHD_RESPMEM_PERSISTENT);
}

/*
 * The caller's own change: its current password is checked within the login
 * limits (its username's and its address's counts), as a login would, and the
 * new one hashed, both on the password pool.
 */
void h_password_change(struct request *req)
{
    struct password_wait *w = calloc(1, sizeof *w);
    if (!w) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return;
    }
    const char *current = NULL, *new_password = NULL;
    if (!(w->body = request_json(req)) || !decode_password_change(req, w->body, &current, &new_password))
        goto failed;
    struct db_conn *db = request_db(req);
    if (!db)
        goto failed;
    bool found = false;
    enum db_status st = store_account_password_lookup(db, req->auth.account_id, &w->own, &found);
    if (st == DB_OK && !found)
        st = DB_ERROR; /* authn_check_account found it a moment ago; it cannot be deleted */
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto failed;
    }
    login_keys(req, w->own.username, &w->keys);
    if (!attempt_counted(req, db, &w->keys))
        goto failed;
    w->job = (struct password_job){.kind = PASSWORD_CHANGE, .hash = w->own.password_hash, .password = current,
                                   .new_password = new_password, .username = w->own.username};
    wait_for_password(req, w, password_change_resumed);
    return;
failed:
    password_wait_free(w);
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

static void answer_console_login(struct request *req, const struct login_account *account)
{
    if (!(account->role & ROLES_STAFF)) {
        reply_error(req, ERR_FORBIDDEN, "the console is for staff; employees use the app on their phone");
        return;
    }
    char *token = login_token(req, account);
    if (!token)
        return;
    char csrf[CSRF_TOKEN_HEX];
    token_csrf(&req->app->tokens, token, csrf);
    unsigned ttl = req->app->tokens.ttl_s;
    reply_json(req, 200, json_pack("{s:s, s:i, s:s, s:b}", "role", role_name(account->role), "expires_in", (int)ttl,
                                   "csrf_token", csrf, "password_change_required", account->password_change_required));
    set_cookie(req, SESSION_COOKIE, token, true, ttl);
    set_cookie(req, CSRF_COOKIE, csrf, false, ttl);
    free(token);
}

void h_console_login(struct request *req) { login_start(req, answer_console_login); }

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

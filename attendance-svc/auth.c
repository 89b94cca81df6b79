/*
 * Passwords, tokens and roles (see auth.h).
 *
 * libjwt 1.10 checks no claims and takes the algorithm from the token's header,
 * so every check is made here: the algorithm must be HS256, the key is never
 * empty, and iss, aud, exp, iat, sub, role and jti are all required and checked.
 */
#include "auth.h"

#include "ids.h"

#include <errno.h>
#include <jwt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_MAX_LEN 4096
#define CLOCK_SKEW_S 60
/* Initial passwords from an import: about 0.1 ms each, so 100,000 rows take seconds, not hours. */
#define INITIAL_OPSLIMIT 1
#define INITIAL_MEMLIMIT (64 * 1024)

static const char *const role_names[] = {"employee", "supervisor", "reviewer", "admin"};

const char *role_name(enum role role)
{
    for (int i = 0; i < 4; i++)
        if ((unsigned)role == 1u << i)
            return role_names[i];
    return NULL;
}

enum role role_parse(const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, role_names[i]) == 0)
            return (enum role)(1u << i);
    return 0;
}

bool auth_sees_unit(const struct auth *a, long long unit_id, long long unit_agency_id)
{
    switch (a->role) {
    case ROLE_ADMIN:
        return true;
    case ROLE_REVIEWER:
        return a->agency_id == unit_agency_id;
    case ROLE_SUPERVISOR:
        return a->unit_id == unit_id;
    default:
        return false;
    }
}

char *token_issue(const struct token_settings *ts, const struct token_claims *claims, time_t now)
{
    if (!ts->secret || ts->secret_len == 0 || !role_name(claims->role))
        return NULL;
    jwt_t *jwt = NULL;
    char sub[24], jti[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(jti, sizeof jti, raw, sizeof raw);
    snprintf(sub, sizeof sub, "%lld", claims->account_id);
    char *token = NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grant(jwt, "iss", ts->issuer) == 0 &&
        jwt_add_grant(jwt, "aud", ts->audience) == 0 && jwt_add_grant(jwt, "sub", sub) == 0 &&
        jwt_add_grant(jwt, "role", role_name(claims->role)) == 0 && jwt_add_grant(jwt, "jti", jti) == 0 &&
        jwt_add_grant_int(jwt, "iat", (long)now) == 0 && jwt_add_grant_int(jwt, "exp", (long)now + ts->ttl_s) == 0 &&
        jwt_add_grant_int(jwt, "cv", (long)claims->credential_version) == 0 &&
        (!claims->password_change_required || jwt_add_grant_bool(jwt, "pcr", 1) == 0) &&
        (!claims->password_at || jwt_add_grant_int(jwt, "pwd", (long)claims->password_at) == 0) &&
        (!claims->device_id || jwt_add_grant_int(jwt, "dev", (long)claims->device_id) == 0) &&
        jwt_set_alg(jwt, JWT_ALG_HS256, ts->secret, (int)ts->secret_len) == 0)
        token = jwt_encode_str(jwt);
    jwt_free(jwt);
    return token;
}

void token_csrf(const struct token_settings *ts, const char *token, char out[CSRF_TOKEN_HEX])
{
    /* A key of its own for this use, so that a CSRF token says nothing about the signing key. */
    static const char context[] = "attendance-svc csrf v1";
    unsigned char key[32], tag[32];
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof key);
    crypto_generichash_update(&state, (const unsigned char *)context, sizeof context - 1);
    crypto_generichash_update(&state, ts->secret, ts->secret_len);
    crypto_generichash_final(&state, key, sizeof key);
    crypto_generichash(tag, sizeof tag, (const unsigned char *)token, strlen(token), key, sizeof key);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, CSRF_TOKEN_HEX, tag, sizeof tag);
}

/*
 * Verified tokens, so that a token is decoded and its HMAC checked once, not on
 * every request (libjwt's decoding was a tenth of a check-in's CPU). A
 * direct-mapped table keyed by a keyed BLAKE2b digest of the token's bytes: a
 * token that hashes to a slot another one holds simply replaces it. Only the
 * times are checked again on a hit; the claims cannot change under the same bytes.
 */
#define VERIFIED_SLOTS 4096u
#define VERIFIED_LOCKS 64u

struct verified_token {
    unsigned char digest[crypto_generichash_BYTES];
    const struct token_settings *ts; /* the settings it was verified under */
    long exp, iat;
    struct token_claims claims;
};

static struct {
    pthread_once_t once;
    unsigned char key[crypto_generichash_KEYBYTES];
    pthread_mutex_t locks[VERIFIED_LOCKS];
    struct verified_token slots[VERIFIED_SLOTS];
} verified = {.once = PTHREAD_ONCE_INIT};

static void verified_init(void)
{
    randombytes_buf(verified.key, sizeof verified.key);
    for (size_t i = 0; i < VERIFIED_LOCKS; i++)
        pthread_mutex_init(&verified.locks[i], NULL);
}

static size_t verified_slot(const unsigned char digest[crypto_generichash_BYTES])
{
    size_t index;
    memcpy(&index, digest, sizeof index);
    return index % VERIFIED_SLOTS;
}

static bool times_valid(long exp, long iat, time_t now)
{
    return exp > (long)now && iat <= (long)now + CLOCK_SKEW_S && exp - iat <= 86400;
}

/* An integer grant that may be absent: 0 and *value (0 when absent), or -1 when it is not an integer. */
static int optional_int_grant(jwt_t *jwt, const char *grant, long long *value)
{
    errno = 0;
    long v = jwt_get_grant_int(jwt, grant);
    if (errno == ENOENT) {
        *value = 0;
        return 0;
    }
    if (errno || v < 0)
        return -1;
    *value = v;
    return 0;
}

/* Decodes and checks every claim: 0, or -1. */
static int token_decode(const struct token_settings *ts, const char *token, time_t now, struct verified_token *out)
{
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, ts->secret, (int)ts->secret_len) != 0 || !jwt)
        return -1;
    int rc = -1;
    const char *iss, *aud, *jti;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        goto done;
    iss = jwt_get_grant(jwt, "iss");
    aud = jwt_get_grant(jwt, "aud");
    jti = jwt_get_grant(jwt, "jti");
    errno = 0;
    out->exp = jwt_get_grant_int(jwt, "exp");
    if (errno)
        goto done;
    out->iat = jwt_get_grant_int(jwt, "iat");
    if (errno)
        goto done;
    if (!iss || strcmp(iss, ts->issuer) != 0 || !aud || strcmp(aud, ts->audience) != 0 || !jti || !*jti)
        goto done;
    if (!times_valid(out->exp, out->iat, now))
        goto done;
    /* A token made before credential versions (sql/0017) has none: version 1, the first. */
    errno = 0;
    out->claims.credential_version = jwt_get_grant_int(jwt, "cv");
    if (errno == ENOENT)
        out->claims.credential_version = 1;
    else if (errno)
        goto done;
    errno = 0;
    out->claims.password_change_required = jwt_get_grant_bool(jwt, "pcr") == 1;
    if (errno && errno != ENOENT)
        goto done;
    /* Each is absent from the other kind of token: 0 (libjwt answers -1 for a grant that is absent). */
    if (optional_int_grant(jwt, "pwd", &out->claims.password_at) != 0 ||
        optional_int_grant(jwt, "dev", &out->claims.device_id) != 0)
        goto done;
    out->claims.role = role_parse(jwt_get_grant(jwt, "role"));
    if (!out->claims.role || !(out->claims.account_id = id_parse(jwt_get_grant(jwt, "sub"))))
        goto done;
    rc = 0;
done:
    jwt_free(jwt);
    return rc;
}

int token_verify(const struct token_settings *ts, const char *token, time_t now, struct token_claims *claims)
{
    if (!ts->secret || ts->secret_len == 0 || !token || strlen(token) > TOKEN_MAX_LEN)
        return -1;
    pthread_once(&verified.once, verified_init);
    struct verified_token t = {.ts = ts};
    crypto_generichash(t.digest, sizeof t.digest, (const unsigned char *)token, strlen(token), verified.key,
                       sizeof verified.key);
    size_t slot = verified_slot(t.digest);
    pthread_mutex_t *lock = &verified.locks[slot % VERIFIED_LOCKS];

    pthread_mutex_lock(lock);
    const struct verified_token *cached = &verified.slots[slot];
    bool hit = cached->ts == ts && sodium_memcmp(cached->digest, t.digest, sizeof t.digest) == 0;
    if (hit)
        t = *cached;
    pthread_mutex_unlock(lock);

    if (hit) {
        if (!times_valid(t.exp, t.iat, now))
            return -1;
    } else {
        if (token_decode(ts, token, now, &t) != 0)
            return -1;
        pthread_mutex_lock(lock);
        verified.slots[slot] = t;
        pthread_mutex_unlock(lock);
    }
    *claims = t.claims;
    return 0;
}

/*
 * The bound on full-cost hashes at once, whoever makes them (the password
 * pool's threads, an admin setting a password): each holds 64 MiB. Off until
 * password_hashes_limit is called (the commands other than serve hash alone).
 */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned limit, running; /* limit 0: none */
} hashes = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

void password_hashes_limit(unsigned limit)
{
    pthread_mutex_lock(&hashes.lock);
    hashes.limit = limit;
    pthread_cond_broadcast(&hashes.freed);
    pthread_mutex_unlock(&hashes.lock);
}

static void hash_slot_take(void)
{
    pthread_mutex_lock(&hashes.lock);
    while (hashes.limit && hashes.running >= hashes.limit)
        pthread_cond_wait(&hashes.freed, &hashes.lock);
    hashes.running++;
    pthread_mutex_unlock(&hashes.lock);
}

static void hash_slot_give(void)
{
    pthread_mutex_lock(&hashes.lock);
    hashes.running--;
    pthread_cond_signal(&hashes.freed);
    pthread_mutex_unlock(&hashes.lock);
}

int password_hash(const char *password, char out[128])
{
    hash_slot_take();
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    hash_slot_give();
    return rc;
}

int password_hash_initial(const char *password, char out[128])
{
    return crypto_pwhash_str(out, password, strlen(password), INITIAL_OPSLIMIT, INITIAL_MEMLIMIT);
}

static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    char random_password[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(random_password, sizeof random_password, raw, sizeof raw);
    if (password_hash(random_password, dummy_hash) != 0)
        dummy_hash[0] = '\0';
}

void password_init(void) { pthread_once(&dummy_once, make_dummy_hash); }

bool password_verify(const char *hash, const char *password, bool *needs_rehash)
{
    hash_slot_take();
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    hash_slot_give();
    *needs_rehash = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    if (*needs_rehash)
        password_verify_dummy(password); /* the cheap hash alone would answer at once */
    return ok;
}

void password_verify_dummy(const char *password)
{
    password_init();
    /* The answer is known (no); only the time spent matters. */
    hash_slot_take();
    if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
        dummy_hash[0] = '\0';
    hash_slot_give();
}

/* The number of characters (code points) of s, which is valid UTF-8: its bytes that begin one. */
static size_t utf8_characters(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

const char *password_weakness(const char *new_password, const char *username, const char *current_password)
{
    if (utf8_characters(new_password) < PASSWORD_MIN_CHARS)
        return "the new password must have at least 10 characters";
    if (strlen(new_password) > PASSWORD_MAX_BYTES)
        return "the new password may have at most 1024 bytes";
    if (strcasecmp(new_password, username) == 0)
        return "the new password must not be the username";
    if (strcmp(new_password, current_password) == 0)
        return "the new password must not be the current one";
    return NULL;
}

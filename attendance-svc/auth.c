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

char *token_issue(const struct token_settings *ts, long long account_id, enum role role, time_t now)
{
    if (!ts->secret || ts->secret_len == 0 || !role_name(role))
        return NULL;
    jwt_t *jwt = NULL;
    char sub[24], jti[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(jti, sizeof jti, raw, sizeof raw);
    snprintf(sub, sizeof sub, "%lld", account_id);
    char *token = NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grant(jwt, "iss", ts->issuer) == 0 &&
        jwt_add_grant(jwt, "aud", ts->audience) == 0 && jwt_add_grant(jwt, "sub", sub) == 0 &&
        jwt_add_grant(jwt, "role", role_name(role)) == 0 && jwt_add_grant(jwt, "jti", jti) == 0 &&
        jwt_add_grant_int(jwt, "iat", (long)now) == 0 && jwt_add_grant_int(jwt, "exp", (long)now + ts->ttl_s) == 0 &&
        jwt_set_alg(jwt, JWT_ALG_HS256, ts->secret, (int)ts->secret_len) == 0)
        token = jwt_encode_str(jwt);
    jwt_free(jwt);
    return token;
}

int token_verify(const struct token_settings *ts, const char *token, time_t now, long long *account_id,
                 enum role *role)
{
    if (!ts->secret || ts->secret_len == 0 || !token || strlen(token) > TOKEN_MAX_LEN)
        return -1;
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, ts->secret, (int)ts->secret_len) != 0 || !jwt)
        return -1;
    int rc = -1;
    const char *iss, *aud, *jti;
    long exp, iat;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        goto done;
    iss = jwt_get_grant(jwt, "iss");
    aud = jwt_get_grant(jwt, "aud");
    jti = jwt_get_grant(jwt, "jti");
    errno = 0;
    exp = jwt_get_grant_int(jwt, "exp");
    if (errno)
        goto done;
    iat = jwt_get_grant_int(jwt, "iat");
    if (errno)
        goto done;
    if (!iss || strcmp(iss, ts->issuer) != 0 || !aud || strcmp(aud, ts->audience) != 0 || !jti || !*jti)
        goto done;
    if (exp <= (long)now || iat > (long)now + CLOCK_SKEW_S || exp - iat > 86400)
        goto done;
    *role = role_parse(jwt_get_grant(jwt, "role"));
    if (!*role || !(*account_id = id_parse(jwt_get_grant(jwt, "sub"))))
        goto done;
    rc = 0;
done:
    jwt_free(jwt);
    return rc;
}

int password_hash(const char *password, char out[128])
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int password_hash_initial(const char *password, char out[128])
{
    return crypto_pwhash_str(out, password, strlen(password), INITIAL_OPSLIMIT, INITIAL_MEMLIMIT);
}

bool password_verify(const char *hash, const char *password, bool *needs_rehash)
{
    if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
        return false;
    *needs_rehash = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    return true;
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

void password_verify_dummy(const char *password)
{
    password_init();
    /* The answer is known (no); only the time spent matters. */
    if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
        dummy_hash[0] = '\0';
}

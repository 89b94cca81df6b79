/*
 * Who is calling: password hashing (Argon2id via libsodium), access tokens
 * (JWT, HS256 pinned, made and checked with libjwt), roles, and what each role
 * may see. No I/O here: the account's current state is read by the caller.
 */
#ifndef ATTENDANCE_AUTH_H
#define ATTENDANCE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum role {
    ROLE_EMPLOYEE = 1 << 0,
    ROLE_SUPERVISOR = 1 << 1,
    ROLE_REVIEWER = 1 << 2,
    ROLE_ADMIN = 1 << 3,
};
#define ROLES_STAFF (ROLE_SUPERVISOR | ROLE_REVIEWER | ROLE_ADMIN)
#define ROLES_ALL (ROLE_EMPLOYEE | ROLES_STAFF)

/* "employee", ... for a single role; NULL otherwise. */
const char *role_name(enum role role);
/* The role named, or 0. */
enum role role_parse(const char *name);

/* The caller, once authenticated; ids are 0 when absent. */
struct auth {
    long long account_id;
    enum role role;
    long long unit_id;     /* supervisor: its unit; reviewer: its agency; employee: its unit */
    long long agency_id;   /* the top-level unit of unit_id */
    long long employee_id; /* the employee record, for employees (and staff who are employees) */
    long long credential_version; /* the token's (sql/0017), which must still be the account's */
    long long device_id;   /* a device sign-in's token: the device, which must still be active; 0 otherwise */
    long long password_at; /* a password login's token: when the password was checked (Unix s); 0 otherwise */
};

/* Whether a can see data of a unit whose top-level unit is unit_agency_id. */
bool auth_sees_unit(const struct auth *a, long long unit_id, long long unit_agency_id);

struct token_settings {
    const unsigned char *secret;
    size_t secret_len;
    const char *issuer;
    const char *audience;
    unsigned ttl_s;
};

/* What an access token says about its account. */
struct token_claims {
    long long account_id;
    enum role role;
    /* The account's credential_version when the token was made (sql/0017): a password
     * change moves it on, and every token made before stops working. */
    long long credential_version;
    /* The password was set by an admin or an import: the token is good for changing it only. */
    bool password_change_required;
    /* A password login's token: the Unix time of the login ("pwd"), which POST /v1/devices needs to be recent. */
    long long password_at;
    /* A device sign-in's token (POST /v1/auth/device): the device ("dev"), whose revocation ends the token. */
    long long device_id;
};

/* A signed access token with these claims; the caller frees it. NULL on failure. */
char *token_issue(const struct token_settings *ts, const struct token_claims *claims, time_t now);

/* Checks the token's signature, algorithm and claims at time now. 0 and the claims, or -1. */
int token_verify(const struct token_settings *ts, const char *token, time_t now, struct token_claims *claims);

/*
 * The CSRF token of a console session (the double-submit cookie's value): a
 * BLAKE2b of the access token keyed by a key derived from the signing secret,
 * in hex. Bound to the session, and nothing an attacker can make without the secret.
 */
#define CSRF_TOKEN_HEX (2 * 32 + 1)
void token_csrf(const struct token_settings *ts, const char *token, char out[CSRF_TOKEN_HEX]);

/* At most limit full-cost hashes and verifications at once, in the whole process (each holds 64 MiB);
 * the others wait. 0: no limit (the default). */
void password_hashes_limit(unsigned limit);

/* Argon2id hash in libsodium's string form; the cost of an interactive login. 0 or -1. */
int password_hash(const char *password, char out[128]);
/* A cheap Argon2id hash for initial passwords set in bulk (CSV import): it is
 * replaced by a full-cost one at the first successful login, and
 * password_verify spends the time of a full-cost one on it anyway. 0 or -1. */
int password_hash_initial(const char *password, char out[128]);
/*
 * Verifies in constant time; *needs_rehash is set when the stored cost is below
 * the interactive one. A hash below that cost is also followed by a dummy
 * verification at full cost, so that an account with an initial (imported)
 * password answers in the time of any other: no oracle of who never logged in.
 */
bool password_verify(const char *hash, const char *password, bool *needs_rehash);
/* Makes the dummy hash below ahead of the first login (it takes one full hash). */
void password_init(void);
/* Spends the time of one verification against a hash of no account, so an unknown user costs the same. */
void password_verify_dummy(const char *password);

/*
 * Why a new password is refused (contract, "Passwords"), or NULL when it is
 * good: at least PASSWORD_MIN_CHARS characters (UTF-8 code points), at most
 * PASSWORD_MAX_BYTES bytes, valid UTF-8, not the username (whatever its case)
 * and not the current password. Pure: no I/O.
 */
#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024
const char *password_weakness(const char *new_password, const char *username, const char *current_password);

#endif

/*
 * Accounts and logins (store_accounts.c).
 */
#ifndef ATTENDANCE_STORE_ACCOUNTS_H
#define ATTENDANCE_STORE_ACCOUNTS_H

#include "store.h"

/* The account's current role, unit, agency, employee and credential version (sql/0017); *usable is false if it
 * is missing or disabled, or when device_id (a device sign-in's token; 0: none) is no longer its active device. */
enum db_status store_account_state(struct db_conn *db, long long account_id, long long device_id, struct auth *out,
                                   bool *usable, long long *credential_version);

struct login_account {
    long long account_id;
    char password_hash[128];
    enum role role;
    bool usable; /* not disabled, and (for employees) still active */
    long long credential_version;
    bool password_change_required;
};
enum db_status store_login_lookup(struct db_conn *db, const char *username, struct login_account *out, bool *found);
/* How often a login may be tried (docs/configuration.md, ATTENDANCE_LOGIN_*). */
struct login_limits {
    unsigned window_s;        /* an address's window; a key idle this long starts again */
    unsigned free_failures;   /* a user's failures before each next try waits */
    unsigned delay_s;         /* the first wait, doubling with each further failure */
    unsigned max_delay_s;     /* the longest wait */
    unsigned max_per_address; /* an address's failures per window */
};
/*
 * Counts a login attempt (user_key 'user:<name>', address_key 'addr:<address>')
 * before its password is verified, as a failure until store_login_succeeded
 * says otherwise. *retry_after_s is 0 when it may be tried now, else the
 * seconds to wait (the attempt is then not counted).
 */
enum db_status store_login_attempt(struct db_conn *db, const char *user_key, const char *address_key,
                                  const struct login_limits *limits, int *retry_after_s);
/* The attempt was right: the user's count is cleared, and the address's attempt forgiven. */
enum db_status store_login_succeeded(struct db_conn *db, const char *user_key, const char *address_key);
/* The attempt was never checked (no hash could be had in time): both keys forgive it. */
enum db_status store_login_forgive(struct db_conn *db, const char *user_key, const char *address_key);
enum db_status store_account_set_password_hash(struct db_conn *db, long long account_id, const char *hash);
struct account_password {
    char username[65];
    char password_hash[128];
    long long credential_version;
};
/* The account's username, password hash and credential version; *found false when there is no such account. */
enum db_status store_account_password_lookup(struct db_conn *db, long long account_id, struct account_password *out,
                                            bool *found);
/*
 * The owner's change of its password: the new hash, no change required any
 * more, the credential version moved on (every older token stops working). Only
 * while the version is still credential_version: *changed false otherwise.
 */
enum db_status store_account_password_change(struct db_conn *db, long long account_id, const char *hash,
                                             long long credential_version, bool *changed);
/* Creates the admin unless the username exists: its account document, or NULL with DB_OK when it did. */
json_t *store_bootstrap_admin(struct db_conn *db, const char *username, const char *hash, enum db_status *status);

#endif

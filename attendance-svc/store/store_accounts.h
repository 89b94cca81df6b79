/*
 * Accounts and logins (store_accounts.c).
 */
#ifndef ATTENDANCE_STORE_ACCOUNTS_H
#define ATTENDANCE_STORE_ACCOUNTS_H

#include "store.h"

/* The account's current role, unit, agency and employee; *usable is false if it is missing or disabled. */
enum db_status store_account_state(struct db_conn *db, long long account_id, struct auth *out, bool *usable);

struct login_account {
    long long account_id;
    char password_hash[128];
    enum role role;
    bool usable; /* not disabled, and (for employees) still active */
};
enum db_status store_login_lookup(struct db_conn *db, const char *username, struct login_account *out, bool *found);
/* Seconds until neither key is over its limit in the window; 0 when login may be tried now. */
enum db_status store_login_blocked_for(struct db_conn *db, const char *user_key, const char *address_key,
                                       unsigned window_s, unsigned max_user, unsigned max_address, int *seconds);
enum db_status store_login_failed(struct db_conn *db, const char *user_key, const char *address_key,
                                  unsigned window_s);
enum db_status store_login_succeeded(struct db_conn *db, const char *user_key);
enum db_status store_account_set_password_hash(struct db_conn *db, long long account_id, const char *hash);
/* Creates the admin unless the username exists: its account document, or NULL with DB_OK when it did. */
json_t *store_bootstrap_admin(struct db_conn *db, const char *username, const char *hash, enum db_status *status);

#endif

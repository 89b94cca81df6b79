/*
 * The database behind one interface. Each store_*.c file owns the prepared
 * statements of one table group (their SQL sits next to the C that binds them)
 * and exports them in a set; store_statement_sets lists every set, and the pool
 * prepares them all on each connection. Nothing outside store/ writes SQL.
 */
#ifndef ATTENDANCE_STORE_H
#define ATTENDANCE_STORE_H

#include "auth.h"
#include "db.h"

#include <jansson.h>
#include <stdbool.h>

extern const struct db_statement *const store_statement_sets[];

/* store_health.c */
/* The newest migration version applied, or -1 with *status set. */
int store_schema_version(struct db_conn *conn, enum db_status *status);

/* store_accounts.c */
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
/* Creates the admin unless the username exists; *created_id is 0 when it did. */
enum db_status store_bootstrap_admin(struct db_conn *db, const char *username, const char *hash,
                                     long long *created_id);

/* store_audit.c */
/* Appends an audit entry; before/after may be NULL. Call it inside the change's transaction. */
enum db_status store_audit(struct db_conn *db, long long actor_account_id, const char *action, const char *entity,
                           const char *entity_id, const json_t *before, const json_t *after);

#endif

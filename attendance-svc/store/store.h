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

/* Shared by the store files. */
/* id as decimal text in buf, or NULL (SQL NULL) when id is 0. */
const char *id_text(char buf[24], long long id);
/* The JSON document in column col of row (parsed), or NULL if it is SQL NULL or unparsable. */
json_t *store_doc(const PGresult *r, int row, int col);
/* Column col of every row as a JSON array of documents. */
json_t *store_docs(const PGresult *r, int col);
/*
 * Runs a statement whose only column is a document and returns that of its
 * first row (NULL with *status DB_OK when there is no row).
 */
json_t *store_doc_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                       enum db_status *status);
/* The same for every row, as an array (NULL only on failure). */
json_t *store_docs_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                        enum db_status *status);

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

/* store_units.c */
/* The agency (top-level unit) of a unit; *agency_id is 0 when the unit does not exist. */
enum db_status store_unit_agency(struct db_conn *db, long long unit_id, long long *agency_id);
enum db_status store_timezone_known(struct db_conn *db, const char *timezone, bool *known);
struct unit_fields {
    long long parent_id, parent_agency_id; /* 0 for a top-level unit */
    const char *code, *name, *category, *timezone;
    const char *work_hours_json;
    int grace_minutes;
};
/* The new unit's document; NULL on failure (DB_UNIQUE_VIOLATION: the code is taken). */
json_t *store_unit_insert(struct db_conn *db, const struct unit_fields *u, enum db_status *status);
/* The unit's document and agency; NULL with DB_OK when there is no such unit. */
json_t *store_unit_get(struct db_conn *db, long long unit_id, long long *agency_id, enum db_status *status);
/* The units the caller may see, after the cursor, limit + 1 of them at most. */
json_t *store_unit_list(struct db_conn *db, const struct auth *a, long long after, int limit,
                        enum db_status *status);
/*
 * Binds the caller's scope as parameters $1 (role), $2 (agency id) and $3 (unit
 * id) for statements that filter with the pattern of UNIT_SCOPE in store_units.c.
 */
void store_scope_params(const struct auth *a, char agency[24], char unit[24], const char *out[3]);

/* store_audit.c */
/* Appends an audit entry; before/after may be NULL. Call it inside the change's transaction. */
enum db_status store_audit(struct db_conn *db, long long actor_account_id, const char *action, const char *entity,
                           const char *entity_id, const json_t *before, const json_t *after);

#endif

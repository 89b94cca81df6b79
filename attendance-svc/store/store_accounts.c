/*
 * Accounts and logins: the account behind a token, password checks, login
 * throttling and the bootstrap admin.
 */
#include "store_accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct db_statement store_accounts_statements[] = {
    {"account_state",
     "SELECT a.role, coalesce(a.unit_id, 0), coalesce(u.agency_id, 0), coalesce(a.employee_id, 0),"
     "       NOT a.disabled AND coalesce(e.active, true)"
     "  FROM accounts a LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN employees e ON e.id = a.employee_id"
     " WHERE a.id = $1"},
    {"login_lookup",
     "SELECT a.id, a.password_hash, a.role, NOT a.disabled AND coalesce(e.active, true)"
     "  FROM accounts a LEFT JOIN employees e ON e.id = a.employee_id WHERE a.username = $1"},
    /* Seconds until the earliest blocked key ($1 user, $2 address) is free again; 0 when none is blocked. */
    {"login_blocked_for",
     "SELECT coalesce(max(ceil(extract(epoch FROM window_started + make_interval(secs => $3) - now()))), 0)::int"
     "  FROM login_failures"
     " WHERE window_started > now() - make_interval(secs => $3)"
     "   AND ((key = $1 AND failures >= $4) OR (key = $2 AND failures >= $5))"},
    {"login_failed",
     "INSERT INTO login_failures AS f (key, failures, window_started)"
     " SELECT k, 1, now() FROM unnest(ARRAY[$1::text, $2::text]) AS k"
     " ON CONFLICT (key) DO UPDATE SET"
     "   failures = CASE WHEN f.window_started > now() - make_interval(secs => $3) THEN f.failures + 1 ELSE 1 END,"
     "   window_started = CASE WHEN f.window_started > now() - make_interval(secs => $3)"
     "                         THEN f.window_started ELSE now() END"},
    {"login_succeeded", "DELETE FROM login_failures WHERE key = $1"},
    {"account_set_password_hash", "UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1"},
    {"bootstrap_admin",
     "INSERT INTO accounts (username, password_hash, role) VALUES ($1, $2, 'admin')"
     " ON CONFLICT (username) DO NOTHING RETURNING account_doc(accounts)"},
    {NULL, NULL},
};

enum db_status store_account_state(struct db_conn *db, long long account_id, struct auth *out, bool *usable)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", account_id);
    const char *params[] = {id};
    enum db_status st;
    PGresult *r = db_exec(db, "account_state", 1, params, &st);
    if (!r)
        return st;
    *usable = false;
    if (PQntuples(r) == 1) {
        out->account_id = account_id;
        out->role = role_parse(PQgetvalue(r, 0, 0));
        out->unit_id = atoll(PQgetvalue(r, 0, 1));
        out->agency_id = atoll(PQgetvalue(r, 0, 2));
        out->employee_id = atoll(PQgetvalue(r, 0, 3));
        *usable = PQgetvalue(r, 0, 4)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

enum db_status store_login_lookup(struct db_conn *db, const char *username, struct login_account *out, bool *found)
{
    const char *params[] = {username};
    enum db_status st;
    PGresult *r = db_exec(db, "login_lookup", 1, params, &st);
    if (!r)
        return st;
    *found = PQntuples(r) == 1;
    if (*found) {
        out->account_id = atoll(PQgetvalue(r, 0, 0));
        snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 1));
        out->role = role_parse(PQgetvalue(r, 0, 2));
        out->usable = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

enum db_status store_login_blocked_for(struct db_conn *db, const char *user_key, const char *address_key,
                                       unsigned window_s, unsigned max_user, unsigned max_address, int *seconds)
{
    char w[16], mu[16], ma[16];
    snprintf(w, sizeof w, "%u", window_s);
    snprintf(mu, sizeof mu, "%u", max_user);
    snprintf(ma, sizeof ma, "%u", max_address);
    const char *params[] = {user_key, address_key, w, mu, ma};
    enum db_status st;
    PGresult *r = db_exec(db, "login_blocked_for", 5, params, &st);
    if (!r)
        return st;
    *seconds = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DB_OK;
}

enum db_status store_login_failed(struct db_conn *db, const char *user_key, const char *address_key, unsigned window_s)
{
    char w[16];
    snprintf(w, sizeof w, "%u", window_s);
    const char *params[] = {user_key, address_key, w};
    enum db_status st;
    PGresult *r = db_exec(db, "login_failed", 3, params, &st);
    PQclear(r);
    return st;
}

enum db_status store_login_succeeded(struct db_conn *db, const char *user_key)
{
    const char *params[] = {user_key};
    enum db_status st;
    PQclear(db_exec(db, "login_succeeded", 1, params, &st));
    return st;
}

enum db_status store_account_set_password_hash(struct db_conn *db, long long account_id, const char *hash)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", account_id);
    const char *params[] = {id, hash};
    enum db_status st;
    PQclear(db_exec(db, "account_set_password_hash", 2, params, &st));
    return st;
}

json_t *store_bootstrap_admin(struct db_conn *db, const char *username, const char *hash, enum db_status *status)
{
    const char *params[] = {username, hash};
    return store_doc_exec(db, "bootstrap_admin", 2, params, status);
}

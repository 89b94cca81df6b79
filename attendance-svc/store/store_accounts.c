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
     "       AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM devices d"
     "                                          WHERE d.id = $2 AND d.active AND d.employee_id = a.employee_id)),"
     "       a.credential_version"
     "  FROM accounts a LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN employees e ON e.id = a.employee_id"
     " WHERE a.id = $1"},
    {"login_lookup",
     "SELECT a.id, a.password_hash, a.role, NOT a.disabled AND coalesce(e.active, true), a.credential_version,"
     "       a.password_change_required"
     "  FROM accounts a LEFT JOIN employees e ON e.id = a.employee_id WHERE a.username = $1"},
    /*
     * One login attempt, counted before its password is verified: the address
     * key ($2) first, within $7 attempts per window of $3 s, then the user key
     * ($1), whose next try must wait login_delay (sql/0017) after its last one;
     * a key idle for a window starts again. The row locks of ON CONFLICT order
     * concurrent attempts, each seeing the count of those before it, so that
     * they cannot all pass. now() is an attempt's transaction start: one that
     * waited for the row may have started before the last failure it then
     * sees, so with no delay due (login_delay 0) it is compared with that
     * failure, not with its own start (such attempts got 429 while free). Says
     * which key took the attempt.
     */
    {"login_attempt",
     "WITH addr AS ("
     "  INSERT INTO login_failures AS f (key, failures, window_started, last_failure) VALUES ($2, 1, now(), now())"
     "  ON CONFLICT (key) DO UPDATE SET"
     "   failures = CASE WHEN f.window_started > now() - make_interval(secs => $3) THEN f.failures + 1 ELSE 1 END,"
     "   window_started = CASE WHEN f.window_started > now() - make_interval(secs => $3)"
     "                         THEN f.window_started ELSE now() END,"
     "   last_failure = now()"
     "  WHERE f.window_started <= now() - make_interval(secs => $3) OR f.failures < $7"
     "  RETURNING key),"
     " usr AS ("
     "  INSERT INTO login_failures AS f (key, failures, window_started, last_failure)"
     "  SELECT $1, 1, now(), now() FROM addr"
     "  ON CONFLICT (key) DO UPDATE SET"
     "   failures = CASE WHEN f.last_failure > now() - make_interval(secs => $3) THEN f.failures + 1 ELSE 1 END,"
     "   window_started = CASE WHEN f.last_failure > now() - make_interval(secs => $3)"
     "                         THEN f.window_started ELSE now() END,"
     "   last_failure = now()"
     "  WHERE f.last_failure <= now() - make_interval(secs => $3)"
     "     OR f.last_failure + login_delay(f.failures, $4, $5, $6) <= greatest(now(), f.last_failure)"
     "  RETURNING key)"
     " SELECT EXISTS (SELECT 1 FROM addr), EXISTS (SELECT 1 FROM usr)"},
    /* Seconds (at least 1) until both keys would take an attempt again. */
    {"login_retry_after",
     "SELECT greatest(1,"
     " (SELECT ceil(extract(epoch FROM f.last_failure + login_delay(f.failures, $4, $5, $6) - now()))"
     "    FROM login_failures f WHERE f.key = $1 AND f.last_failure > now() - make_interval(secs => $3)),"
     " (SELECT ceil(extract(epoch FROM f.window_started + make_interval(secs => $3) - now()))"
     "    FROM login_failures f WHERE f.key = $2 AND f.failures >= $7"
     "     AND f.window_started > now() - make_interval(secs => $3)))::int"},
    /* An attempt that was no failure after all (the password was right, or the user's key refused it). */
    {"login_forgive", "UPDATE login_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0"},
    {"login_succeeded", "DELETE FROM login_failures WHERE key = $1"},
    /* A rehash at the interactive cost: the same password, so the same credential version. */
    {"account_set_password_hash", "UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1"},
    {"account_password_lookup", "SELECT username, password_hash, credential_version FROM accounts WHERE id = $1"},
    /* The owner's own change: only over the version its token was issued under, so a reset meanwhile wins. */
    {"account_password_change",
     "UPDATE accounts SET password_hash = $2, password_change_required = false,"
     "       credential_version = credential_version + 1, updated_at = now()"
     " WHERE id = $1 AND credential_version = $3 RETURNING credential_version"},
    {"bootstrap_admin",
     "INSERT INTO accounts (username, password_hash, role) VALUES ($1, $2, 'admin')"
     " ON CONFLICT (username) DO NOTHING RETURNING account_doc(accounts)"},
    {NULL, NULL},
};

enum db_status store_account_state(struct db_conn *db, long long account_id, long long device_id, struct auth *out,
                                   bool *usable, long long *credential_version)
{
    char id[24], device[24];
    snprintf(id, sizeof id, "%lld", account_id);
    const char *params[] = {id, id_text(device, device_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "account_state", 2, params, &st);
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
        *credential_version = atoll(PQgetvalue(r, 0, 5));
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
        out->credential_version = atoll(PQgetvalue(r, 0, 4));
        out->password_change_required = PQgetvalue(r, 0, 5)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

/* The limits as the statements' parameters $3 to $7, into params[2..6] (texts in buf). */
static void limits_params(const struct login_limits *l, char buf[5][16], const char **params)
{
    const unsigned values[] = {l->window_s, l->free_failures, l->delay_s, l->max_delay_s, l->max_per_address};
    for (int i = 0; i < 5; i++) {
        snprintf(buf[i], 16, "%u", values[i]);
        params[2 + i] = buf[i];
    }
}

static enum db_status forgive(struct db_conn *db, const char *key)
{
    const char *params[] = {key};
    enum db_status st;
    PQclear(db_exec(db, "login_forgive", 1, params, &st));
    return st;
}

enum db_status store_login_attempt(struct db_conn *db, const char *user_key, const char *address_key,
                                  const struct login_limits *limits, int *retry_after_s)
{
    char buf[5][16];
    const char *params[7] = {user_key, address_key};
    limits_params(limits, buf, params);
    enum db_status st;
    PGresult *r = db_exec(db, "login_attempt", 7, params, &st);
    if (!r)
        return st;
    bool address_took = PQgetvalue(r, 0, 0)[0] == 't', user_took = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    *retry_after_s = 0;
    if (user_took)
        return DB_OK;
    if (address_took && (st = forgive(db, address_key)) != DB_OK)
        return st;
    if (!(r = db_exec(db, "login_retry_after", 7, params, &st)))
        return st;
    *retry_after_s = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DB_OK;
}

enum db_status store_login_succeeded(struct db_conn *db, const char *user_key, const char *address_key)
{
    const char *params[] = {user_key};
    enum db_status st;
    PQclear(db_exec(db, "login_succeeded", 1, params, &st));
    return st == DB_OK ? forgive(db, address_key) : st;
}

enum db_status store_login_forgive(struct db_conn *db, const char *user_key, const char *address_key)
{
    enum db_status st = forgive(db, user_key);
    return st == DB_OK ? forgive(db, address_key) : st;
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

enum db_status store_account_password_lookup(struct db_conn *db, long long account_id, struct account_password *out,
                                            bool *found)
{
    char id[24];
    const char *params[] = {id_text(id, account_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "account_password_lookup", 1, params, &st);
    if (!r)
        return st;
    *found = PQntuples(r) == 1;
    if (*found) {
        snprintf(out->username, sizeof out->username, "%s", PQgetvalue(r, 0, 0));
        snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 1));
        out->credential_version = atoll(PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return DB_OK;
}

enum db_status store_account_password_change(struct db_conn *db, long long account_id, const char *hash,
                                             long long credential_version, bool *changed)
{
    char id[24], version[24];
    snprintf(version, sizeof version, "%lld", credential_version);
    const char *params[] = {id_text(id, account_id), hash, version};
    enum db_status st;
    PGresult *r = db_exec(db, "account_password_change", 3, params, &st);
    if (!r)
        return st;
    *changed = PQntuples(r) == 1;
    PQclear(r);
    return DB_OK;
}

json_t *store_bootstrap_admin(struct db_conn *db, const char *username, const char *hash, enum db_status *status)
{
    const char *params[] = {username, hash};
    return store_doc_exec(db, "bootstrap_admin", 2, params, status);
}

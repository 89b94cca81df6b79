/*
 * Schema migrations (see migrate.h).
 *
 * Files must not contain transaction control: the runner wraps each one in
 * BEGIN/COMMIT, so a failing file leaves nothing behind. Concurrent runs are
 * serialised by an advisory lock.
 */
#include "migrate.h"

#include "config.h"
#include "digest.h"
#include "log.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGRATION_LOCK_KEY "7318201"

struct migration {
    int version;
    char name[128];
    char *sql;
    char sha256[SHA256_HEX_LEN + 1];
};

struct migration_list {
    struct migration *items;
    size_t count;
};

static void migration_list_free(struct migration_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].sql);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* NNNN_name.sql with a name of [a-z0-9_-]. */
static int parse_migration_name(const char *name)
{
    size_t len = strlen(name);
    if (len < 10 || len >= 128 || strcmp(name + len - 4, ".sql") != 0 || name[4] != '_')
        return -1;
    for (int i = 0; i < 4; i++)
        if (name[i] < '0' || name[i] > '9')
            return -1;
    if (strspn(name + 5, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len - 9)
        return -1;
    return atoi(name) > 0 ? atoi(name) : -1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap + 4096 + 1) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int compare_versions(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

static int load_migrations(const char *dir, struct migration_list *list)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("migrate: cannot open the SQL directory %s (set ATTENDANCE_SQL_DIR)", dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        int version = parse_migration_name(e->d_name);
        if (version < 0)
            continue;
        struct migration *grown = realloc(list->items, (list->count + 1) * sizeof *grown);
        if (!grown) {
            rc = -1;
            break;
        }
        list->items = grown;
        struct migration *m = &list->items[list->count];
        memset(m, 0, sizeof *m);
        m->version = version;
        snprintf(m->name, sizeof m->name, "%s", e->d_name);
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        m->sql = read_file(path, &len);
        if (!m->sql) {
            log_error("migrate: cannot read %s", path);
            rc = -1;
            break;
        }
        list->count++;
        sha256_hex(m->sql, len, m->sha256);
    }
    closedir(d);
    if (rc != 0)
        return -1;
    qsort(list->items, list->count, sizeof *list->items, compare_versions);
    for (size_t i = 1; i < list->count; i++) {
        if (list->items[i].version == list->items[i - 1].version) {
            log_error("migrate: %s and %s have the same number", list->items[i - 1].name, list->items[i].name);
            return -1;
        }
    }
    if (list->count == 0) {
        log_error("migrate: no migration files (NNNN_name.sql) in %s", dir);
        return -1;
    }
    return 0;
}

static void quiet_notice(void *arg, const char *message) { log_debug("postgres: %s", message); }

static PGconn *connect_db(const char *conninfo, bool quiet)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        if (!quiet) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
            msg[strcspn(msg, "\n")] = '\0';
            log_error("migrate: cannot connect to the database: %s", msg);
        }
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    return pg;
}

/* Runs a statement that returns no rows; logs and returns -1 on failure. */
static int exec_command(PGconn *pg, const char *sql, int nparams, const char *const *params, const char *what)
{
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (rc != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_error("migrate: %s failed: %s", what, msg);
    }
    PQclear(r);
    return rc;
}

/* The line of sql holding the 1-based character position pos. */
static int line_of(const char *sql, const char *pos_text)
{
    long pos = pos_text ? atol(pos_text) : 0;
    int line = 1;
    for (long i = 0; sql[i] && i < pos - 1; i++)
        if (sql[i] == '\n')
            line++;
    return line;
}

static int apply_one(PGconn *pg, const struct migration *m)
{
    if (exec_command(pg, "BEGIN", 0, NULL, "BEGIN") != 0)
        return -1;
    PGresult *r = PQexec(pg, m->sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_fields(LOG_LEVEL_ERROR, "migrate: migration failed; nothing of it was applied",
                   json_pack("{s:s, s:i, s:s, s:s}", "file", m->name,
                             "line", line_of(m->sql, PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)),
                             "sqlstate", PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "",
                             "error", msg));
        PQclear(r);
        PQclear(PQexec(pg, "ROLLBACK"));
        return -1;
    }
    PQclear(r);
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version, m->name, m->sha256};
    if (exec_command(pg, "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", 3, params,
                     "recording the migration") != 0 ||
        exec_command(pg, "COMMIT", 0, NULL, "COMMIT") != 0) {
        PQclear(PQexec(pg, "ROLLBACK"));
        return -1;
    }
    log_fields(LOG_LEVEL_INFO, "migrate: applied", json_pack("{s:s}", "file", m->name));
    return 0;
}

/* Whether the schema has sql/0018's grant_application_role (a SQL directory of older migrations has not). */
static bool schema_grants_roles(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT to_regprocedure('grant_application_role(name)') IS NOT NULL");
    bool has = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return has;
}

/*
 * Grants the role of app_conninfo (ATTENDANCE_DATABASE_URL) what serve and
 * nightly need and no more (sql/0018's grant_application_role), after every
 * run, so that the tables of each new migration are granted too. Nothing to do
 * when it is the owner itself. 0, or -1 after logging why.
 */
static int grant_application_role(PGconn *pg, const char *app_conninfo)
{
    char *err = NULL;
    PQconninfoOption *options = PQconninfoParse(app_conninfo, &err);
    if (!options) {
        log_error("migrate: ATTENDANCE_DATABASE_URL cannot be read: %s", err ? err : "out of memory");
        PQfreemem(err);
        return -1;
    }
    const char *app = NULL;
    for (PQconninfoOption *o = options; o->keyword; o++)
        if (strcmp(o->keyword, "user") == 0 && o->val && *o->val)
            app = o->val;
    int rc = 0;
    if (!app) {
        log_error("migrate: ATTENDANCE_DATABASE_URL names no user: the application role cannot be granted");
        rc = -1;
    } else if (strcmp(app, PQuser(pg)) != 0 && schema_grants_roles(pg)) {
        const char *params[] = {app};
        rc = exec_command(pg, "SELECT grant_application_role($1)", 1, params, "granting the application role");
        if (rc == 0)
            log_fields(LOG_LEVEL_INFO, "migrate: the application role is granted", json_pack("{s:s}", "role", app));
    }
    PQconninfoFree(options);
    return rc;
}

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/* The applied versions as a result (version, name, sha256), or NULL if the table is missing. */
static PGresult *applied_migrations(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT version, name, sha256 FROM schema_migrations ORDER BY version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return NULL;
    }
    return r;
}

/* The row of r with this version, or -1. */
static int find_applied(PGresult *r, int version)
{
    for (int i = 0; r && i < PQntuples(r); i++)
        if (atoi(PQgetvalue(r, i, 0)) == version)
            return i;
    return -1;
}

int migrate_run(const struct config *cfg)
{
    struct migration_list list = {0};
    if (load_migrations(cfg->sql_dir, &list) != 0) {
        migration_list_free(&list);
        return 1;
    }
    PGconn *pg = connect_db(cfg->migrate_database_url ? cfg->migrate_database_url : cfg->database_url, false);
    if (!pg) {
        migration_list_free(&list);
        return 1;
    }
    int rc = 1;
    PGresult *applied = NULL;
    if (exec_command(pg, "SET client_min_messages = warning", 0, NULL, "setting up") != 0 ||
        exec_command(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", 0, NULL, "taking the migration lock") != 0 ||
        exec_command(pg, create_table_sql, 0, NULL, "creating schema_migrations") != 0 ||
        !(applied = applied_migrations(pg)))
        goto done;

    size_t done_now = 0;
    for (size_t i = 0; i < list.count; i++) {
        const struct migration *m = &list.items[i];
        int row = find_applied(applied, m->version);
        if (row >= 0) {
            if (strcmp(PQgetvalue(applied, row, 2), m->sha256) != 0) {
                log_error("migrate: %s was changed after it was applied; add a new migration instead", m->name);
                goto done;
            }
            continue;
        }
        if (apply_one(pg, m) != 0)
            goto done;
        done_now++;
    }
    if (cfg->migrate_database_url && grant_application_role(pg, cfg->database_url) != 0)
        goto done;
    log_fields(LOG_LEVEL_INFO, "migrate: schema is current",
               json_pack("{s:i, s:i}", "applied_now", (int)done_now, "version", list.items[list.count - 1].version));
    rc = 0;
done:
    PQclear(applied);
    PQfinish(pg);
    migration_list_free(&list);
    return rc;
}

int migrate_check_current(const struct config *cfg, unsigned wait_s, int *latest)
{
    struct migration_list list = {0};
    if (load_migrations(cfg->sql_dir, &list) != 0) {
        migration_list_free(&list);
        return -1;
    }
    PGconn *pg = NULL;
    for (unsigned waited = 0;; waited++) {
        pg = connect_db(cfg->database_url, waited < wait_s);
        if (pg || waited >= wait_s)
            break;
        if (waited == 0)
            log_warn("the database is not reachable yet; waiting up to %u s", wait_s);
        sleep(1);
    }
    if (!pg) {
        migration_list_free(&list);
        return -1;
    }
    PGresult *applied = applied_migrations(pg);
    size_t pending = 0;
    const char *first = NULL;
    for (size_t i = 0; i < list.count; i++) {
        if (find_applied(applied, list.items[i].version) < 0) {
            pending++;
            if (!first)
                first = list.items[i].name;
        }
    }
    int rc = 0;
    if (pending) {
        log_fields(LOG_LEVEL_ERROR, "the database schema is behind; run `attendance-svc migrate` first",
                   json_pack("{s:i, s:s}", "pending", (int)pending, "first_pending", first));
        rc = -1;
    }
    *latest = list.items[list.count - 1].version;
    PQclear(applied);
    PQfinish(pg);
    migration_list_free(&list);
    return rc;
}

/*
 * attendance-svc: the attendance service and its subcommands.
 *
 *   serve (default)  the HTTP API, after checking that the schema is current
 *   migrate          apply pending migrations from the SQL directory
 *   audit-verify     check the audit log's hash chain
 *
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or configuration,
 * 3 (audit-verify) the chain is broken.
 */
#include "app.h"
#include "audit_verify.h"
#include "checkin/context.h"
#include "http/server.h"
#include "log.h"
#include "migrate.h"
#include "store/store.h"
#include "store/store_accounts.h"
#include "store/store_audit.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define STARTUP_DB_WAIT_S 30

static int usage(FILE *out)
{
    fprintf(out, "usage: attendance-svc [serve | migrate | audit-verify | help]\n"
                 "  serve         run the HTTP API (the default)\n"
                 "  migrate       apply pending database migrations\n"
                 "  audit-verify  check the audit log's hash chain: exit 0 when intact, 3 when broken\n"
                 "Configuration is read from the environment: see docs/configuration.md.\n");
    return out == stdout ? 0 : 2;
}

static int cmd_migrate(void)
{
    struct config cfg;
    int rc = 2;
    if (config_load(&cfg, CONFIG_NEED_DATABASE) == 0)
        rc = migrate_run(&cfg);
    config_free(&cfg);
    return rc;
}

static int cmd_audit_verify(void)
{
    struct config cfg;
    int rc = 2;
    if (config_load(&cfg, CONFIG_NEED_DATABASE) == 0)
        rc = audit_verify_run(&cfg, stdout);
    config_free(&cfg);
    return rc;
}

/* ATTENDANCE_BOOTSTRAP_ADMIN=username:password: creates that admin once, if absent. */
static int bootstrap_admin(struct app *app)
{
    const char *colon = strchr(app->cfg.bootstrap_admin, ':');
    char username[65];
    snprintf(username, sizeof username, "%.*s", (int)(colon - app->cfg.bootstrap_admin), app->cfg.bootstrap_admin);
    char hash[128];
    if (password_hash(colon + 1, hash) != 0) {
        log_error("serve: cannot hash the bootstrap admin's password (out of memory?)");
        return -1;
    }
    enum db_status st;
    struct db_conn *db = db_acquire(app->pool, &st);
    if (!db) {
        log_error("serve: cannot create the bootstrap admin: the database is unavailable");
        return -1;
    }
    json_t *created = NULL;
    if ((st = db_begin(db)) == DB_OK && (created = store_bootstrap_admin(db, username, hash, &st)))
        st = store_audit(db, 0, "create", "account", json_string_value(json_object_get(created, "id")), NULL,
                         created);
    if (st == DB_OK)
        st = db_commit(db);
    db_rollback(db);
    db_release(app->pool, db);
    bool made = created != NULL;
    json_decref(created);
    if (st != DB_OK) {
        log_error("serve: cannot create the bootstrap admin (database status %d)", (int)st);
        return -1;
    }
    if (made)
        log_fields(LOG_LEVEL_INFO, "serve: bootstrap admin created", json_pack("{s:s}", "username", username));
    return 0;
}

static int cmd_serve(void)
{
    struct app app = {0};
    if (config_load(&app.cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT) != 0) {
        config_free(&app.cfg);
        return 2;
    }
    int rc = 1;
    if (migrate_check_current(&app.cfg, STARTUP_DB_WAIT_S, &app.schema_version) != 0)
        goto done;
    struct db_pool_options opts = {
        .conninfo = app.cfg.database_url,
        .size = app.cfg.db_pool_size,
        .acquire_timeout_ms = app.cfg.db_acquire_timeout_ms,
        .statement_timeout_ms = app.cfg.db_statement_timeout_ms,
        .statement_sets = store_statement_sets,
    };
    app.pool = db_pool_new(&opts);
    if (!app.pool) {
        log_error("serve: out of memory");
        goto done;
    }
    if (db_pool_warm(app.pool) != 0) {
        log_error("serve: cannot prepare the statements on a first connection; see above");
        goto done;
    }
    password_init();
    app.tokens = (struct token_settings){
        .secret = app.cfg.jwt_secret,
        .secret_len = app.cfg.jwt_secret_len,
        .issuer = app.cfg.jwt_issuer,
        .audience = app.cfg.jwt_audience,
        .ttl_s = app.cfg.token_ttl_s,
    };
    if (app.cfg.bootstrap_admin && bootstrap_admin(&app) != 0)
        goto done;
    context_cache_init(app.cfg.context_cache_employees);
    rc = server_run(&app);
    context_cache_shutdown();
done:
    db_pool_free(app.pool);
    config_free(&app.cfg);
    return rc;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        log_error("libsodium cannot start");
        return 1;
    }
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (argc > 2)
        return usage(stderr);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve();
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate();
    if (strcmp(cmd, "audit-verify") == 0)
        return cmd_audit_verify();
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return usage(stdout);
    fprintf(stderr, "attendance-svc: unknown command \"%s\"\n", cmd);
    return usage(stderr);
}

/*
 * attendance-svc: the attendance service and its subcommands.
 *
 *   serve (default)  the HTTP API, after checking that the schema is current
 *   migrate          apply pending migrations from the SQL directory
 *   close-day --date D
 *                    flag ABSENT and NO_CHECKOUT for day D (closure.c)
 *   nightly --date D --out DIR [--upload URL]
 *                    the nightly job of day D: the monthly partitions ahead
 *                    (retention.c), the closure, its export (export/export.c),
 *                    the selfie retention, the upload if asked (export/upload.c)
 *   export-keygen --out FILE
 *                    make the Ed25519 key that signs the exports
 *   verify-export DIR --public-key KEY [--date D]
 *                    check a night's files as a receiver would (export/verify.c)
 *   audit-verify [--head HASH]
 *                    check the audit log's hash chain (and that a published head is in it)
 *
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or configuration,
 * 3 (audit-verify) the chain is broken.
 */
#include "app.h"
#include "audit_verify.h"
#include "checkin/context.h"
#include "closure.h"
#include "dates.h"
#include "checkin_writer.h"
#include "day_reader.h"
#include "export/export.h"
#include "export/export_key.h"
#include "export/manifest.h"
#include "export/upload.h"
#include "export/verify.h"
#include "http/rate_limit.h"
#include "http/server.h"
#include "log.h"
#include "migrate.h"
#include "password_pool.h"
#include "files.h"
#include "retention.h"
#include "selfie_store.h"
#include "store/store.h"
#include "store/store_accounts.h"
#include "store/store_audit.h"
#include "store/store_export_runs.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STARTUP_DB_WAIT_S 30

static int usage(FILE *out)
{
    fprintf(out, "usage: attendance-svc [serve | migrate | close-day | nightly | export-keygen | verify-export |\n"
                 "                      audit-verify | help]\n"
                 "  serve          run the HTTP API (the default)\n"
                 "  migrate        apply pending database migrations\n"
                 "  close-day --date YYYY-MM-DD\n"
                 "                 flag ABSENT and NO_CHECKOUT for a day that is over (once, however often it\n"
                 "                 runs); nightly does it first\n"
                 "  nightly --date YYYY-MM-DD --out DIR [--upload URL]\n"
                 "                 make the months ahead, close the day, write its export into DIR, purge\n"
                 "                 selfies past their retention (and PUT the export to URL/<name>; the URL is\n"
                 "                 better given as ATTENDANCE_EXPORT_UPLOAD_URL, off the command line)\n"
                 "  export-keygen --out FILE\n"
                 "                 make the export's signing key (never over an existing file); prints its\n"
                 "                 public key\n"
                 "  verify-export DIR --public-key KEY [--date YYYY-MM-DD]\n"
                 "                 check an export's manifest, signature, hashes and rows\n"
                 "  audit-verify [--head HASH]\n"
                 "                 check the audit log's hash chain: exit 0 when intact (and HASH, a published\n"
                 "                 head such as a manifest's audit_head, is one of its entries), 3 when broken\n"
                 "Configuration is read from the environment: see docs/configuration.md and docs/export.md.\n");
    return out == stdout ? 0 : 2;
}

/*
 * The options "--name value" of a subcommand, into values (in the order of
 * names), and at most one operand; 0, or -1 after saying what is wrong.
 */
static int subcommand_options(const char *cmd, int argc, char **argv, const char *const *names, size_t n,
                              const char **values, const char **operand)
{
    for (int i = 0; i < argc; i++) {
        size_t k = n;
        for (size_t j = 0; j < n; j++)
            if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, names[j]) == 0)
                k = j;
        if (k < n && i + 1 < argc && !values[k]) {
            values[k] = argv[++i];
        } else if (k == n && operand && !*operand && strncmp(argv[i], "--", 2) != 0) {
            *operand = argv[i];
        } else {
            fprintf(stderr, "attendance-svc %s: unexpected or repeated \"%s\" (see attendance-svc help)\n", cmd,
                    argv[i]);
            return -1;
        }
    }
    return 0;
}

/* The pool of a subcommand, every statement prepared on each connection; NULL when out of memory. */
static struct db_pool *open_pool(const struct config *cfg, unsigned size)
{
    struct db_pool_options opts = {
        .conninfo = cfg->database_url,
        .size = size,
        .acquire_timeout_ms = cfg->db_acquire_timeout_ms,
        .statement_timeout_ms = cfg->db_statement_timeout_ms,
        .statement_sets = store_statement_sets,
    };
    return db_pool_new(&opts);
}

/* Closes the day, saying so, with what it flagged in counts; 0 or -1. */
static int close_day(struct db_conn *db, const char *cmd, const char *day, struct closure_counts *counts)
{
    enum db_status st = closure_run(db, day, counts);
    if (st == DB_OK)
        return 0;
    log_error("%s: the day %s was not closed (%s); nothing was flagged: run it again", cmd, day,
              st == DB_UNAVAILABLE ? "database unavailable" : "database error");
    return -1;
}

/* close-day --date D: the nightly closure alone. */
static int cmd_close_day(int argc, char **argv)
{
    static const char *const names[] = {"date"};
    const char *day = NULL;
    if (subcommand_options("close-day", argc, argv, names, 1, &day, NULL) != 0)
        return 2;
    if (!day) {
        fprintf(stderr, "usage: attendance-svc close-day --date YYYY-MM-DD\n");
        return 2;
    }
    if (date_parse(day, NULL) != 0) {
        log_error("close-day: \"%.40s\" is not a date YYYY-MM-DD (from 1900-01-01)", day);
        return 2;
    }
    struct config cfg;
    if (config_load(&cfg, CONFIG_NEED_DATABASE) != 0) {
        config_free(&cfg);
        return 2;
    }
    int rc = 1, version;
    struct db_pool *pool = NULL;
    struct db_conn *db = NULL;
    enum db_status st;
    if (migrate_check_current(&cfg, STARTUP_DB_WAIT_S, &version) != 0)
        goto done;
    if (!(pool = open_pool(&cfg, 1)) || !(db = db_acquire(pool, &st))) {
        log_error("close-day: the database is unavailable (see above); the day was not closed");
        goto done;
    }
    struct closure_counts counts;
    rc = close_day(db, "close-day", day, &counts) == 0 ? 0 : 1;
    db_release(pool, db);
done:
    db_pool_free(pool);
    config_free(&cfg);
    return rc;
}

/* The files written as export_runs.files wants them (rows null for the manifest); a string to free, or NULL. */
static char *export_files_json(const struct export_file *files, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:o, s:s}", "name", files[i].name, "rows",
                                              files[i].rows < 0 ? json_null() : json_integer(files[i].rows), "sha256",
                                              files[i].sha256));
    char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    return text;
}

/*
 * Records how the nightly's run ended (sql/0011) on a connection of its own:
 * the one of the export may have been released for the upload. A run that
 * cannot be recorded is logged; its files stand regardless.
 */
static void record_run_end(struct db_pool *pool, long long run_id, const struct export_run_end *end)
{
    if (!run_id)
        return;
    enum db_status st;
    struct db_conn *db = db_acquire(pool, &st);
    if (db)
        st = store_export_run_finish(db, run_id, end);
    if (st != DB_OK)
        log_error("nightly: the end of run %lld was not recorded (status %d; see above); it stays \"running\"",
                  run_id, (int)st);
    if (db)
        db_release(pool, db);
}

/*
 * nightly --date D --out DIR [--upload URL]: the day's closure, its export
 * (export/export.h) and the upload (export/upload.h), the run recorded in
 * export_runs from its start, so that a run that died shows as one.
 */
static int cmd_nightly(int argc, char **argv)
{
    static const char *const names[] = {"date", "out", "upload"};
    const char *opt[3] = {NULL, NULL, NULL};
    if (subcommand_options("nightly", argc, argv, names, 3, opt, NULL) != 0)
        return 2;
    const char *day = opt[0], *dir = opt[1], *url;
    char why[160];
    if (!day || !dir || !*dir) {
        fprintf(stderr, "usage: attendance-svc nightly --date YYYY-MM-DD --out DIR [--upload URL]\n");
        return 2;
    }
    if (date_parse(day, NULL) != 0) {
        log_error("nightly: \"%.40s\" is not a date YYYY-MM-DD (from 1900-01-01)", day);
        return 2;
    }
    struct config cfg;
    unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
    if (config_load(&cfg, CONFIG_NEED_DATABASE | CONFIG_NEED_EXPORT_KEY) != 0) {
        config_free(&cfg);
        return 2;
    }
    /* ATTENDANCE_EXPORT_UPLOAD_URL keeps the URL (and whatever it holds) off the command line, where ps shows it. */
    url = opt[2] ? opt[2] : cfg.upload_url;
    if (url && upload_url_check(url, why, sizeof why) != 0) {
        log_error("nightly: the upload URL %s", why);
        config_free(&cfg);
        return 2;
    }
    if (export_key_load(cfg.export_key_file, secret_key, why, sizeof why) != 0) {
        log_error("configuration: ATTENDANCE_EXPORT_KEY_FILE %s %s", cfg.export_key_file, why);
        config_free(&cfg);
        return 2;
    }
    int rc = 1, version;
    struct db_pool *pool = NULL;
    struct db_conn *db = NULL;
    struct export_file files[EXPORT_FILE_COUNT];
    struct closure_counts counts = {.absent = -1, .no_checkout = -1};
    struct export_run_end end = {.failed_step = "partitions", .absent = -1, .no_checkout = -1};
    long long run_id = 0;
    char *shown_url = url ? upload_url_public(url) : NULL, *files_json = NULL;
    if (migrate_check_current(&cfg, STARTUP_DB_WAIT_S, &version) != 0)
        goto done;
    if ((url && !shown_url) || !(pool = open_pool(&cfg, 1))) {
        log_error("nightly: out of memory");
        goto done;
    }
    enum db_status st;
    if (!(db = db_acquire(pool, &st))) {
        log_error("nightly: the database is unavailable (see above); nothing was exported");
        goto done;
    }
    /* The record names the directory as an absolute path: the job's working directory is not the reader's. */
    char cwd[PATH_MAX], shown_dir[PATH_MAX + 256];
    if (dir[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(shown_dir, sizeof shown_dir, "%s", dir);
    else
        snprintf(shown_dir, sizeof shown_dir, "%s/%s", cwd, dir);
    if (store_export_run_start(db, day, shown_dir, shown_url, &run_id) != DB_OK)
        log_error("nightly: this run cannot be recorded in export_runs (see above); it goes on");
    /* Partitions first: tomorrow's check-ins must find their month whatever else fails. */
    if (partitions_make_ahead(db) != 0)
        goto done;
    end.failed_step = "close";
    if (close_day(db, "nightly", day, &counts) != 0)
        goto done;
    end.absent = counts.absent;
    end.no_checkout = counts.no_checkout;
    end.failed_step = "write";
    if (export_day(db, day, dir, secret_key, files) != 0)
        goto done;
    /* A failed retention fails the run, but the export is uploaded all the same. */
    bool retained = selfie_retention_run(db, cfg.selfie_dir, day, cfg.selfie_retention_days) == 0;
    db_release(pool, db);
    db = NULL;
    files_json = export_files_json(files, EXPORT_FILE_COUNT);
    end.files_json = files_json;
    end.failed_step = "upload";
    if (url) {
        const char *upload[EXPORT_FILE_COUNT];
        for (size_t i = 0; i < EXPORT_FILE_COUNT; i++)
            upload[i] = files[i].name;
        struct upload_options o = {
            .url = url,
            .tries = cfg.upload_tries,
            .backoff_ms = cfg.upload_backoff_ms,
            .connect_timeout_s = cfg.upload_connect_timeout_s,
            .timeout_s = cfg.upload_timeout_s,
            .token_file = cfg.upload_token_file,
            .ca_file = cfg.upload_ca_file,
        };
        if (upload_files(&o, dir, upload, EXPORT_FILE_COUNT) != 0)
            goto done;
    }
    end.failed_step = retained ? NULL : "retention";
    rc = retained ? 0 : 1;
done:
    sodium_memzero(secret_key, sizeof secret_key);
    if (db)
        db_release(pool, db);
    if (pool)
        record_run_end(pool, run_id, &end);
    free(files_json);
    free(shown_url);
    db_pool_free(pool);
    config_free(&cfg);
    return rc;
}

/* export-keygen --out FILE: see export/export_key.h. */
static int cmd_export_keygen(int argc, char **argv)
{
    static const char *const names[] = {"out"};
    const char *path = NULL;
    if (subcommand_options("export-keygen", argc, argv, names, 1, &path, NULL) != 0)
        return 2;
    if (!path || !*path) {
        fprintf(stderr, "usage: attendance-svc export-keygen --out FILE\n");
        return 2;
    }
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    if (export_key_generate(path, public_key) != 0) {
        if (errno == EEXIST)
            log_error("export-keygen: %s exists; a key is never replaced (move it away first)", path);
        else
            log_error("export-keygen: cannot write %s: %s", path, strerror(errno));
        return 1;
    }
    char text[MANIFEST_KEY_TEXT_LEN];
    manifest_key_text(public_key, text);
    printf("%s\n", text);
    log_fields(LOG_LEVEL_INFO, "export-keygen: key written; give receivers its public key (printed on stdout)",
               json_pack("{s:s, s:s}", "file", path, "public_key", text));
    return 0;
}

/* verify-export DIR --public-key KEY [--date D]: see export/verify.h. */
static int cmd_verify_export(int argc, char **argv)
{
    static const char *const names[] = {"public-key", "date"};
    const char *opt[2] = {NULL, NULL}, *dir = NULL;
    if (subcommand_options("verify-export", argc, argv, names, 2, opt, &dir) != 0)
        return 2;
    if (!dir || !opt[0]) {
        fprintf(stderr, "usage: attendance-svc verify-export DIR --public-key KEY [--date YYYY-MM-DD]\n");
        return 2;
    }
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    if (manifest_key_parse(opt[0], public_key) != 0) {
        log_error("verify-export: --public-key must be 32 bytes in base64url, as export-keygen prints it");
        return 2;
    }
    if (opt[1] && date_parse(opt[1], NULL) != 0) {
        log_error("verify-export: \"%.40s\" is not a date YYYY-MM-DD (from 1900-01-01)", opt[1]);
        return 2;
    }
    return verify_export(dir, public_key, opt[1]);
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

/* audit-verify [--head HASH]: see audit_verify.h. */
static int cmd_audit_verify(int argc, char **argv)
{
    static const char *const names[] = {"head"};
    const char *head = NULL;
    if (subcommand_options("audit-verify", argc, argv, names, 1, &head, NULL) != 0)
        return 2;
    if (head && (strlen(head) != SHA256_HEX_LEN || strspn(head, "0123456789abcdef") != SHA256_HEX_LEN)) {
        log_error("audit-verify: --head must be an entry's hash: 64 lowercase hex digits (a manifest's audit_head)");
        return 2;
    }
    struct config cfg;
    int rc = 2;
    if (config_load(&cfg, CONFIG_NEED_DATABASE) == 0)
        rc = audit_verify_run(&cfg, head, stdout);
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
    /* The one directory serve writes; a fresh checkout has none (CONTRACT.md, "Running it from a fresh checkout"). */
    if (files_make_dirs(app.cfg.selfie_dir, SELFIE_STORE_DIR_MODE) != 0) {
        log_fields(LOG_LEVEL_ERROR, "serve: the selfie store (ATTENDANCE_SELFIE_DIR) cannot be made or written to",
                   json_pack("{s:s, s:s}", "dir", app.cfg.selfie_dir, "error", strerror(errno)));
        goto done;
    }
    if (migrate_check_current(&app.cfg, STARTUP_DB_WAIT_S, &app.schema_version) != 0)
        goto done;
    struct db_pool_options opts = {
        .conninfo = app.cfg.database_url,
        .size = app.cfg.db_pool_size,
        .acquire_timeout_ms = app.cfg.db_acquire_timeout_ms,
        .statement_timeout_ms = app.cfg.db_statement_timeout_ms,
        .statement_sets = store_statement_sets,
        .warm_ups = store_warm_ups,
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
    if (app.cfg.read_database_url) {
        /* The same statements on the replica (a standby prepares writes too; it refuses only to run them). */
        opts.conninfo = app.cfg.read_database_url;
        opts.warm_ups = NULL; /* the warm-ups write (to nothing), which a standby refuses */
        if (!(app.read_pool = db_pool_new(&opts))) {
            log_error("serve: out of memory");
            goto done;
        }
        /* A replica still away at start is no reason to refuse: its reads go to the primary meanwhile. */
        if (db_pool_warm(app.read_pool) != 0)
            log_warn("serve: the read replica (ATTENDANCE_READ_DATABASE_URL) is unavailable; its reads go to the "
                     "primary until it is back");
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
    app.address_rate = rate_limiter_new(app.cfg.rate_per_address, app.cfg.rate_per_address_burst,
                                        app.cfg.rate_limit_entries);
    app.checkin_rate = rate_limiter_new(app.cfg.checkin_rate_per_device, app.cfg.checkin_rate_burst,
                                        app.cfg.rate_limit_entries);
    if ((!app.address_rate && app.cfg.rate_per_address) || (!app.checkin_rate && app.cfg.checkin_rate_per_device)) {
        log_error("serve: out of memory for the rate limiters");
        goto done;
    }
    password_hashes_limit(app.cfg.password_hashes);
    if (!(app.passwords = password_pool_start(app.cfg.password_hashes, app.cfg.password_wait_ms)) ||
        !(app.checkin_writer = checkin_writer_new()))
        goto done;
    context_cache_init(app.cfg.context_cache_employees);
    if (app.cfg.context_cache_employees)
        app.day_reader = day_reader_start(app.pool, app.cfg.day_read_ahead_s);
    rc = server_run(&app);
    day_reader_stop(app.day_reader); /* after the server: no request asks it any more */
    context_cache_shutdown();
done:
    password_pool_stop(app.passwords); /* after the server: no request waits for it any more */
    checkin_writer_free(app.checkin_writer);
    rate_limiter_free(app.address_rate);
    rate_limiter_free(app.checkin_rate);
    db_pool_free(app.read_pool);
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
    if (strcmp(cmd, "close-day") == 0)
        return cmd_close_day(argc - 2, argv + 2);
    if (strcmp(cmd, "nightly") == 0)
        return cmd_nightly(argc - 2, argv + 2);
    if (strcmp(cmd, "export-keygen") == 0)
        return cmd_export_keygen(argc - 2, argv + 2);
    if (strcmp(cmd, "verify-export") == 0)
        return cmd_verify_export(argc - 2, argv + 2);
    if (strcmp(cmd, "audit-verify") == 0)
        return cmd_audit_verify(argc - 2, argv + 2);
    if (argc > 2)
        return usage(stderr);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve();
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate();
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return usage(stdout);
    fprintf(stderr, "attendance-svc: unknown command \"%s\"\n", cmd);
    return usage(stderr);
}

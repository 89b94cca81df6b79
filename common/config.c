/*
 * Reads the environment into struct config (see config.h).
 */
#include "config.h"

#include "log.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ATTENDANCE_SQL_DIR
#define ATTENDANCE_SQL_DIR "sql"
#endif

#define JWT_SECRET_MIN 32
#define JWT_SECRET_MAX 4096

static int bad(const char *name, const char *why)
{
    log_error("configuration: %s %s", name, why);
    return -1;
}

static int env_unsigned(const char *name, unsigned long dflt, unsigned long min, unsigned long max,
                        unsigned long *out)
{
    const char *text = getenv(name);
    if (!text || !*text) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || text[0] == '-' || v < min || v > max) {
        char why[128];
        snprintf(why, sizeof why, "must be a whole number from %lu to %lu (got \"%.32s\")", min, max, text);
        return bad(name, why);
    }
    *out = v;
    return 0;
}

unsigned config_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (unsigned)online : 1;
}

int config_parse_listen(const char *text, char *host, size_t host_len, unsigned *port)
{
    const char *colon;
    const char *h = text;
    size_t hlen;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        h = text + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - text);
    }
    if (hlen == 0 || hlen >= host_len)
        return -1;
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || colon[1] == '-' || p == 0 || p > 65535)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (unsigned)p;
    return 0;
}

static int read_secret_file(const char *path, struct config *cfg)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bad("ATTENDANCE_JWT_SECRET_FILE", "cannot be opened");
    unsigned char *buf = malloc(JWT_SECRET_MAX + 1);
    size_t n = buf ? fread(buf, 1, JWT_SECRET_MAX + 1, f) : 0;
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return bad("ATTENDANCE_JWT_SECRET_FILE", "cannot be read");
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--; /* a trailing newline from an editor is not part of the secret */
    if (n > JWT_SECRET_MAX) {
        free(buf);
        return bad("ATTENDANCE_JWT_SECRET_FILE", "is longer than 4096 bytes");
    }
    cfg->jwt_secret = buf;
    cfg->jwt_secret_len = n;
    return 0;
}

static int load_jwt_secret(struct config *cfg, unsigned needs)
{
    const char *secret = getenv("ATTENDANCE_JWT_SECRET");
    const char *file = getenv("ATTENDANCE_JWT_SECRET_FILE");
    if (secret && *secret && file && *file)
        return bad("ATTENDANCE_JWT_SECRET", "and ATTENDANCE_JWT_SECRET_FILE are both set: choose one");
    if (secret && *secret) {
        size_t n = strlen(secret);
        if (n > JWT_SECRET_MAX)
            return bad("ATTENDANCE_JWT_SECRET", "is longer than 4096 bytes");
        cfg->jwt_secret = (unsigned char *)strdup(secret);
        cfg->jwt_secret_len = n;
    } else if (file && *file) {
        if (read_secret_file(file, cfg) != 0)
            return -1;
    } else if (needs & CONFIG_NEED_JWT) {
        return bad("ATTENDANCE_JWT_SECRET", "is not set (nor ATTENDANCE_JWT_SECRET_FILE)");
    } else {
        return 0;
    }
    if (cfg->jwt_secret_len < JWT_SECRET_MIN)
        return bad(secret && *secret ? "ATTENDANCE_JWT_SECRET" : "ATTENDANCE_JWT_SECRET_FILE",
                   "must be at least 32 bytes");
    return 0;
}

int config_load(struct config *cfg, unsigned needs)
{
    memset(cfg, 0, sizeof *cfg);

    const char *level = getenv("ATTENDANCE_LOG_LEVEL");
    if (level && *level) {
        int l = log_level_parse(level);
        if (l < 0)
            return bad("ATTENDANCE_LOG_LEVEL", "must be debug, info, warn or error");
        log_set_level((enum log_level)l);
    }

    const char *url = getenv("ATTENDANCE_DATABASE_URL");
    if (url && *url)
        cfg->database_url = strdup(url);
    else if (needs & CONFIG_NEED_DATABASE)
        return bad("ATTENDANCE_DATABASE_URL", "is not set (a libpq conninfo or postgresql:// URI)");
    const char *migrate_url = getenv("ATTENDANCE_MIGRATE_DATABASE_URL");
    if (migrate_url && *migrate_url)
        cfg->migrate_database_url = strdup(migrate_url);
    const char *read_url = getenv("ATTENDANCE_READ_DATABASE_URL");
    if (read_url && *read_url)
        cfg->read_database_url = strdup(read_url);

    const char *listen = getenv("ATTENDANCE_LISTEN");
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    if (config_parse_listen(listen, cfg->listen_host, sizeof cfg->listen_host, &cfg->listen_port) != 0)
        return bad("ATTENDANCE_LISTEN", "must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080");

    if (load_jwt_secret(cfg, needs) != 0)
        return -1;

    const char *admin = getenv("ATTENDANCE_BOOTSTRAP_ADMIN");
    if (admin && *admin) {
        const char *colon = strchr(admin, ':');
        if (!colon || colon == admin || colon[1] == '\0')
            return bad("ATTENDANCE_BOOTSTRAP_ADMIN", "must be username:password");
        cfg->bootstrap_admin = strdup(admin);
    }

    const char *sql_dir = getenv("ATTENDANCE_SQL_DIR");
    cfg->sql_dir = strdup(sql_dir && *sql_dir ? sql_dir : ATTENDANCE_SQL_DIR);

    const char *selfie_dir = getenv("ATTENDANCE_SELFIE_DIR");
    cfg->selfie_dir = strdup(selfie_dir && *selfie_dir ? selfie_dir : "var/selfies");

    const char *proxies = getenv("ATTENDANCE_TRUSTED_PROXIES");
    if (proxies && *proxies)
        cfg->trusted_proxies = strdup(proxies);
    const char *console_dir = getenv("ATTENDANCE_CONSOLE_DIR");
    cfg->console_dir = strdup(console_dir && *console_dir ? console_dir : ATTENDANCE_CONSOLE_DIR);

    const char *key_file = getenv("ATTENDANCE_EXPORT_KEY_FILE");
    if (key_file && *key_file)
        cfg->export_key_file = strdup(key_file);
    else if (needs & CONFIG_NEED_EXPORT_KEY)
        return bad("ATTENDANCE_EXPORT_KEY_FILE", "is not set (make the key with attendance-svc export-keygen)");
    const char *upload_url = getenv("ATTENDANCE_EXPORT_UPLOAD_URL");
    if (upload_url && *upload_url)
        cfg->upload_url = strdup(upload_url);
    const char *token_file = getenv("ATTENDANCE_EXPORT_UPLOAD_TOKEN_FILE");
    if (token_file && *token_file)
        cfg->upload_token_file = strdup(token_file);
    const char *ca_file = getenv("ATTENDANCE_EXPORT_UPLOAD_CA_FILE");
    if (ca_file && *ca_file)
        cfg->upload_ca_file = strdup(ca_file);

    unsigned long v;
#define UNSIGNED_SETTING(field, name, dflt, min, max)          \
    if (env_unsigned(name, dflt, min, max, &v) != 0)           \
        return -1;                                             \
    cfg->field = (unsigned)v;
    /*
     * A worker thread waits on the database for much of a request, so twice the CPUs
     * keeps them busy; it holds at most one connection, so the pool matches the workers.
     */
    unsigned cpus = config_cpu_count();
    UNSIGNED_SETTING(threads, "ATTENDANCE_THREADS", cpus > 128 ? 256 : 2 * cpus, 1, 256)
    UNSIGNED_SETTING(db_pool_size, "ATTENDANCE_DB_POOL_SIZE", cfg->threads, 1, 256)
    UNSIGNED_SETTING(db_acquire_timeout_ms, "ATTENDANCE_DB_ACQUIRE_TIMEOUT_MS", 2000, 10, 60000)
    UNSIGNED_SETTING(db_statement_timeout_ms, "ATTENDANCE_DB_STATEMENT_TIMEOUT_MS", 10000, 100, 600000)
    UNSIGNED_SETTING(connection_limit, "ATTENDANCE_CONNECTION_LIMIT", 1000, 4, 60000)
    /*
     * A tenth of all by default, so that one slow client (slowloris) cannot hold
     * every connection; none behind a trusted proxy, whose address every client has
     * (the proxy limits per client).
     */
    UNSIGNED_SETTING(per_ip_connection_limit, "ATTENDANCE_PER_IP_CONNECTION_LIMIT",
                     cfg->trusted_proxies ? 0 : (cfg->connection_limit + 9) / 10, 0, 60000)
    UNSIGNED_SETTING(connection_timeout_s, "ATTENDANCE_CONNECTION_TIMEOUT_S", 30, 1, 3600)
    UNSIGNED_SETTING(connection_memory_kb, "ATTENDANCE_CONNECTION_MEMORY_KB", 64, 16, 1024)
    UNSIGNED_SETTING(shutdown_grace_s, "ATTENDANCE_SHUTDOWN_GRACE_S", 20, 0, 600)
    UNSIGNED_SETTING(context_cache_employees, "ATTENDANCE_CONTEXT_CACHE_EMPLOYEES", 200000, 0, 10000000)
    UNSIGNED_SETTING(day_read_ahead_s, "ATTENDANCE_DAY_READ_AHEAD_S", 30, 0, 86400)
    UNSIGNED_SETTING(rate_per_address, "ATTENDANCE_RATE_PER_ADDRESS", 1200, 0, 10000000)
    UNSIGNED_SETTING(rate_per_address_burst, "ATTENDANCE_RATE_PER_ADDRESS_BURST", 200, 1, 1000000)
    UNSIGNED_SETTING(checkin_rate_per_device, "ATTENDANCE_CHECKIN_RATE_PER_DEVICE", 6, 0, 1000000)
    UNSIGNED_SETTING(checkin_rate_burst, "ATTENDANCE_CHECKIN_RATE_BURST", 20, 1, 100000)
    UNSIGNED_SETTING(rate_limit_entries, "ATTENDANCE_RATE_LIMIT_ENTRIES", 65536, 64, 16777216)
    UNSIGNED_SETTING(token_ttl_s, "ATTENDANCE_TOKEN_TTL_S", 900, 60, 86400)
    UNSIGNED_SETTING(login_max_failures, "ATTENDANCE_LOGIN_MAX_FAILURES", 5, 1, 1000)
    UNSIGNED_SETTING(login_delay_s, "ATTENDANCE_LOGIN_DELAY_S", 1, 1, 3600)
    UNSIGNED_SETTING(login_max_delay_s, "ATTENDANCE_LOGIN_MAX_DELAY_S", 300, 1, 86400)
    UNSIGNED_SETTING(login_max_failures_per_address, "ATTENDANCE_LOGIN_MAX_FAILURES_PER_ADDRESS", 50, 1, 100000)
    UNSIGNED_SETTING(login_window_s, "ATTENDANCE_LOGIN_WINDOW_S", 900, 1, 86400)
    /* Each Argon2id hash holds 64 MiB and a CPU for tens of milliseconds: no more at once than there are CPUs. */
    UNSIGNED_SETTING(password_hashes, "ATTENDANCE_PASSWORD_HASHES", cpus, 1, 256)
    UNSIGNED_SETTING(password_wait_ms, "ATTENDANCE_PASSWORD_WAIT_MS", 2000, 10, 60000)
    UNSIGNED_SETTING(behind_tls, "ATTENDANCE_BEHIND_TLS", 0, 0, 1)
    UNSIGNED_SETTING(trust_forwarded_proto, "ATTENDANCE_TRUST_FORWARDED_PROTO", 0, 0, 1)
    UNSIGNED_SETTING(upload_tries, "ATTENDANCE_EXPORT_UPLOAD_TRIES", 6, 1, 100)
    UNSIGNED_SETTING(upload_backoff_ms, "ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS", 2000, 1, 60000)
    UNSIGNED_SETTING(upload_connect_timeout_s, "ATTENDANCE_EXPORT_UPLOAD_CONNECT_TIMEOUT_S", 10, 1, 600)
    UNSIGNED_SETTING(upload_timeout_s, "ATTENDANCE_EXPORT_UPLOAD_TIMEOUT_S", 600, 1, 86400)
    UNSIGNED_SETTING(selfie_retention_days, "ATTENDANCE_SELFIE_RETENTION_DAYS", 400, 0, 36500)
    UNSIGNED_SETTING(selfie_match_bits, "ATTENDANCE_SELFIE_MATCH_BITS", 8, 0, 11) /* PHASH_MATCH_BITS_MAX */
#undef UNSIGNED_SETTING
    const char *issuer = getenv("ATTENDANCE_JWT_ISSUER");
    const char *audience = getenv("ATTENDANCE_JWT_AUDIENCE");
    snprintf(cfg->jwt_issuer, sizeof cfg->jwt_issuer, "%s", issuer && *issuer ? issuer : "attendance-svc");
    snprintf(cfg->jwt_audience, sizeof cfg->jwt_audience, "%s", audience && *audience ? audience : "attendance-api");
    if (env_unsigned("ATTENDANCE_MAX_BODY_BYTES", 65536, 1024, 16u << 20, &v) != 0)
        return -1;
    cfg->max_body_bytes = v;

    if ((cfg->database_url == NULL && url && *url) || (!cfg->read_database_url && read_url && *read_url) ||
        (!cfg->migrate_database_url && migrate_url && *migrate_url) || (!cfg->upload_url && upload_url && *upload_url) ||
        (!cfg->trusted_proxies && proxies && *proxies) ||
        cfg->sql_dir == NULL || cfg->selfie_dir == NULL ||
        cfg->console_dir == NULL ||
        (!cfg->export_key_file && key_file && *key_file) || (!cfg->upload_token_file && token_file && *token_file) ||
        (!cfg->upload_ca_file && ca_file && *ca_file)) {
        log_error("configuration: out of memory");
        return -1;
    }
    return 0;
}

void config_free(struct config *cfg)
{
    free(cfg->database_url);
    free(cfg->read_database_url);
    free(cfg->migrate_database_url);
    free(cfg->upload_url);
    if (cfg->jwt_secret)
        memset(cfg->jwt_secret, 0, cfg->jwt_secret_len);
    free(cfg->jwt_secret);
    free(cfg->bootstrap_admin);
    free(cfg->sql_dir);
    free(cfg->selfie_dir);
    free(cfg->trusted_proxies);
    free(cfg->console_dir);
    free(cfg->export_key_file);
    free(cfg->upload_token_file);
    free(cfg->upload_ca_file);
    memset(cfg, 0, sizeof *cfg);
}

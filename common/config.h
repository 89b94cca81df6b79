/*
 * Configuration, read once from the environment into one struct.
 *
 * The contract's settings (ATTENDANCE_DATABASE_URL, ATTENDANCE_LISTEN,
 * ATTENDANCE_JWT_SECRET[_FILE], ATTENDANCE_BOOTSTRAP_ADMIN) and the service's own
 * limits, each with its default. docs/configuration.md lists them all.
 * A missing or invalid setting is reported as one log line and config_load fails;
 * the caller exits with status 2.
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stddef.h>

enum config_needs {
    CONFIG_NEED_DATABASE = 1 << 0,
    CONFIG_NEED_JWT = 1 << 1,
};

struct config {
    char *database_url;
    char listen_host[256];
    unsigned listen_port;
    unsigned char *jwt_secret; /* not NUL-terminated */
    size_t jwt_secret_len;
    char *bootstrap_admin; /* "username:password" or NULL */
    char *sql_dir;
    char *selfie_dir;

    unsigned threads;
    unsigned db_pool_size;
    unsigned db_acquire_timeout_ms;
    unsigned db_statement_timeout_ms;
    size_t max_body_bytes;
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    unsigned connection_timeout_s;
    unsigned shutdown_grace_s;
    unsigned context_cache_employees; /* 0: no check-in context cache */

    char jwt_issuer[128];
    char jwt_audience[128];
    unsigned token_ttl_s;
    unsigned login_max_failures;             /* per username, per window */
    unsigned login_max_failures_per_address; /* per client address, per window */
    unsigned login_window_s;
};

/* Fills cfg from the environment; returns 0, or -1 after logging the one bad setting. */
int config_load(struct config *cfg, unsigned needs);
void config_free(struct config *cfg);

/* Splits "host:port" or "[v6]:port"; returns 0 or -1. */
int config_parse_listen(const char *text, char *host, size_t host_len, unsigned *port);

#endif

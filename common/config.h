/*
 * Configuration, read once from the environment into one struct.
 *
 * The contract's settings (ATTENDANCE_DATABASE_URL, ATTENDANCE_LISTEN,
 * ATTENDANCE_JWT_SECRET[_FILE], ATTENDANCE_BOOTSTRAP_ADMIN), the service's own
 * limits and the nightly export's settings, each with its default. docs/configuration.md lists them all.
 * A missing or invalid setting is reported as one log line and config_load fails;
 * the caller exits with status 2.
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stddef.h>

enum config_needs {
    CONFIG_NEED_DATABASE = 1 << 0,
    CONFIG_NEED_JWT = 1 << 1,
    CONFIG_NEED_EXPORT_KEY = 1 << 2,
};

struct config {
    char *database_url; /* the application role's: serve, nightly, audit-verify */
    /* The tables' owner's, for migrate (docs/security.md, "The database roles"); NULL: database_url's. */
    char *migrate_database_url;
    char *read_database_url; /* a streaming replica for the reads that may lag (docs/deploy.md), or NULL */
    char listen_host[256];
    unsigned listen_port;
    unsigned char *jwt_secret; /* not NUL-terminated */
    size_t jwt_secret_len;
    char *bootstrap_admin; /* "username:password" or NULL */
    char *sql_dir;
    char *selfie_dir;
    char *trusted_proxies; /* comma-separated addresses whose X-Forwarded-For names the client, or NULL */
    char *console_dir; /* the review console's static files, served at /console/ */

    unsigned threads;
    unsigned db_pool_size;
    unsigned db_acquire_timeout_ms;
    unsigned db_statement_timeout_ms;
    size_t max_body_bytes;
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    unsigned connection_timeout_s;
    unsigned connection_memory_kb; /* libmicrohttpd's memory pool per connection (headers, read buffer) */
    unsigned shutdown_grace_s;
    unsigned context_cache_employees; /* 0: no check-in context cache */
    unsigned day_read_ahead_s;        /* how often the day reader looks for units' new days; 0: never */
    unsigned rate_per_address;         /* requests a minute per client address; 0: no limit */
    unsigned rate_per_address_burst;
    unsigned checkin_rate_per_device;  /* check-ins a minute per device (employee account); 0: no limit */
    unsigned checkin_rate_burst;
    unsigned rate_limit_entries;       /* keys each rate limiter remembers */

    char jwt_issuer[128];
    char jwt_audience[128];
    unsigned token_ttl_s;
    unsigned login_max_failures;             /* per username: failures before each further try waits */
    unsigned login_delay_s;                  /* the first wait, doubling with each further failure */
    unsigned login_max_delay_s;              /* the longest wait */
    unsigned login_max_failures_per_address; /* per client address (an IPv6 one's /64), per window */
    unsigned login_window_s;
    unsigned password_hashes;  /* Argon2id hashes at once, at most (each 64 MiB), off the serving threads */
    unsigned password_wait_ms; /* a login waiting longer than this for a hash gets 503 with Retry-After */
    /* The console's cookies are Secure when the service is behind TLS, or when a
     * trusted proxy says the request arrived over https (X-Forwarded-Proto). */
    unsigned behind_tls;
    unsigned trust_forwarded_proto;

    /* The nightly export (docs/export.md). */
    char *export_key_file;          /* the Ed25519 key that signs the manifests */
    unsigned upload_tries;          /* per file, the first included */
    unsigned upload_backoff_ms;     /* the first wait; each next one doubles, with jitter */
    unsigned upload_connect_timeout_s;
    unsigned upload_timeout_s;      /* per try, the whole transfer */
    char *upload_url;               /* ATTENDANCE_EXPORT_UPLOAD_URL: where to PUT the files, or NULL (--upload wins) */
    char *upload_token_file;        /* a bearer token for the receiver, or NULL */
    char *upload_ca_file;           /* CA certificates to verify the receiver by, or NULL: the system's */
    /* The nightly deletes selfies of days more than this before its day; 0: keeps them all. */
    unsigned selfie_retention_days;
    /* A selfie whose perceptual hash is within this many bits of one of the last 90 days is SELFIE_REUSED. */
    unsigned selfie_match_bits;
};

/* Fills cfg from the environment; returns 0, or -1 after logging the one bad setting. */
int config_load(struct config *cfg, unsigned needs);
void config_free(struct config *cfg);

/* The CPUs this process may run on (its affinity: taskset, cpusets), at least 1: the default
 * ATTENDANCE_THREADS is twice this, and ATTENDANCE_DB_POOL_SIZE the threads. */
unsigned config_cpu_count(void);

/* Splits "host:port" or "[v6]:port"; returns 0 or -1. */
int config_parse_listen(const char *text, char *host, size_t host_len, unsigned *port);

#endif

/*
 * The password pool: every Argon2id verification and hash of a login or a
 * password change runs here, on a few threads of its own (ATTENDANCE_PASSWORD_HASHES,
 * by default the CPUs), never on the threads that serve check-ins. So a burst of
 * logins neither stalls the check-ins that share an HTTP thread with them nor
 * holds more than that many times the Argon2id memory (64 MiB each). A job that
 * waited longer than ATTENDANCE_PASSWORD_WAIT_MS for a thread is not run: the
 * login answers 503 with Retry-After rather than queue without end.
 */
#ifndef ATTENDANCE_PASSWORD_POOL_H
#define ATTENDANCE_PASSWORD_POOL_H

#include <stdbool.h>
#include <stdint.h>

enum password_job_kind {
    PASSWORD_VERIFY,       /* hash against password; the rehash too when ok and the cost is below the interactive one */
    PASSWORD_VERIFY_DUMMY, /* an unknown user: the time of a verification, and ok false */
    PASSWORD_CHANGE,       /* verify password against hash; then, when new_password is good, hash it */
};

struct password_job {
    enum password_job_kind kind;
    const char *hash, *password;             /* borrowed until done runs */
    const char *new_password, *username;     /* PASSWORD_CHANGE */
    /* results */
    bool timed_out;          /* waited too long: nothing was computed */
    bool ok;                 /* the password is the hash's */
    bool hash_failed;        /* a hash that was due could not be made */
    const char *weakness;    /* PASSWORD_CHANGE: why new_password is refused (password_weakness), or NULL */
    char new_hash[128];      /* the rehash (VERIFY) or the new password's hash (CHANGE); "" when none */
    /* the pool's */
    int64_t queued_ms;
    void (*done)(void *cls); /* on the pool's thread, once the results are in */
    void *cls;
    struct password_job *next;
};

struct password_pool;

/* Starts threads workers; NULL when they cannot be started. */
struct password_pool *password_pool_start(unsigned threads, unsigned wait_ms);
/* Runs the jobs queued, then stops the threads. */
void password_pool_stop(struct password_pool *pool);
/* Queues job; its done callback runs on a pool thread later (with timed_out when it waited too long). */
void password_pool_submit(struct password_pool *pool, struct password_job *job);

#endif

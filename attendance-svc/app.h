/*
 * What every part of the running service shares: its configuration, the
 * database pools and the schema version it was built for. One instance lives in
 * main.c for the life of the process.
 */
#ifndef ATTENDANCE_APP_H
#define ATTENDANCE_APP_H

#include "auth.h"
#include "config.h"
#include "db.h"

struct checkin_writer;
struct day_reader;
struct password_pool;
struct rate_limiter;

struct app {
    struct config cfg;
    struct db_pool *pool;      /* the primary: every write, and every read that must see them */
    struct db_pool *read_pool; /* a replica for the routes marked ROUTE_READS_REPLICA; NULL: none set */
    struct token_settings tokens; /* points into cfg */
    int schema_version;           /* the newest migration in sql/ */
    struct rate_limiter *address_rate; /* every request, per client address; NULL: no limit */
    struct rate_limiter *checkin_rate; /* check-ins, per device (its employee's account); NULL: no limit */
    struct password_pool *passwords;   /* the logins' Argon2id hashes, off the HTTP threads */
    struct day_reader *day_reader;     /* units' days read ahead into the check-in cache; NULL: cache off */
    struct checkin_writer *checkin_writer; /* judged check-ins, stored together when they arrive together */
};

#endif

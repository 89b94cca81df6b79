/*
 * The day reader (see day_reader.h): one thread, a short queue of asks, and a
 * scan of every unit every scan_s seconds. A read takes a pool connection
 * for one unit at a time, so that check-ins are never held behind a scan.
 */
#include "day_reader.h"

#include "checkin/context.h"
#include "dates.h"
#include "ids.h"
#include "log.h"
#include "store/store_checkins.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ASKS_MAX 256    /* units waiting; a unit beyond it reads at its check-ins */
#define ASK_EMPLOYEES 64 /* employees of one unit waiting; more make it the whole unit's ask */

struct ask {
    long long unit_id;
    size_t employee_count; /* 0: all the unit's employees */
    long long employee_ids[ASK_EMPLOYEES];
};

struct day_reader {
    struct db_pool *pool;
    unsigned scan_s;
    size_t last_no_room; /* units the last scan left for want of room: said again only when it changes */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    size_t ask_count;
    struct ask asks[ASKS_MAX];
};

/*
 * Reads the ask's unit's day of now and its employees' facts (all, or the
 * ask's) into the cache. Employees' facts need the unit's day: when the cache
 * has none of today, the whole unit is read.
 */
static void read_unit(struct db_conn *db, const struct ask *a)
{
    int64_t at_ms = wall_clock_ms();
    long long unit_id = a->unit_id;
    bool all = a->employee_count == 0;
    enum db_status st = DB_OK;
    char err[128];
    struct unit_day *day = all ? NULL : context_cache_unit_day_at(unit_id, at_ms);
    if (!day) {
        all = true;
        json_t *doc = store_unit_day_context(db, unit_id, at_ms, &st);
        if (doc && !(day = context_cache_remember_unit_day(doc, err, sizeof err)))
            log_warn("day reader: unit %lld's day is not cached: %s", unit_id, err);
        json_decref(doc);
        if (!day) {
            if (st != DB_OK)
                log_warn("day reader: unit %lld's day was not read (db status %d)", unit_id, (int)st);
            return;
        }
    }
    json_t *employees = store_unit_day_employees(db, unit_id, day->local_day, all ? NULL : a->employee_ids,
                                                 a->employee_count, &st);
    if (employees)
        context_cache_remember_unit(day, employees);
    else
        log_warn("day reader: the facts of unit %lld's employees for %s were not read (db status %d)", unit_id,
                 day->local_day, (int)st);
    json_decref(employees);
    context_cache_unit_day_release(day);
}

/* One read on a connection of its own; false when the pool gave none. */
static bool read_on_pool(struct day_reader *r, const struct ask *a)
{
    enum db_status st;
    struct db_conn *db = db_acquire(r->pool, &st);
    if (!db)
        return false;
    read_unit(db, a);
    db_release(r->pool, db);
    return true;
}

static bool stopping(struct day_reader *r)
{
    pthread_mutex_lock(&r->lock);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

/* Every unit with a device whose day of now the cache lacks, while the cache has room for its employees. */
static void scan(struct day_reader *r)
{
    enum db_status st;
    struct db_conn *db = db_acquire(r->pool, &st);
    json_t *units = db ? store_units_to_read(db, &st) : NULL;
    if (db)
        db_release(r->pool, db);
    if (!units) {
        log_warn("day reader: the units were not listed (db status %d); again in %u s", (int)st, r->scan_s);
        return;
    }
    size_t i, read = 0, no_room = 0;
    json_t *unit;
    int64_t began = wall_clock_ms();
    json_array_foreach(units, i, unit) {
        long long unit_id = id_parse(json_string_value(json_object_get(unit, "unit_id")));
        json_int_t employees = json_integer_value(json_object_get(unit, "employees"));
        struct unit_day *day = context_cache_unit_day_at(unit_id, wall_clock_ms());
        context_cache_unit_day_release(day);
        if (day || !unit_id)
            continue;
        /* A full cache is emptied: reading more than it holds would only throw away what was read. */
        if ((json_int_t)context_cache_room() < employees) {
            no_room++;
            continue;
        }
        if (stopping(r) || !read_on_pool(r, &(struct ask){.unit_id = unit_id}))
            break;
        read++;
    }
    if (read || no_room != r->last_no_room)
        log_info("day reader: %zu of %zu units' days read ahead in %lld ms; %zu not, for want of room in the cache "
                 "(ATTENDANCE_CONTEXT_CACHE_EMPLOYEES)",
                 read, json_array_size(units), (long long)(wall_clock_ms() - began), no_room);
    r->last_no_room = no_room;
    json_decref(units);
}

static void *day_reader_main(void *arg)
{
    struct day_reader *r = arg;
    struct timespec next_scan = {0};
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        if (r->ask_count) {
            struct ask a = r->asks[0];
            memmove(r->asks, r->asks + 1, --r->ask_count * sizeof *r->asks);
            pthread_mutex_unlock(&r->lock);
            read_on_pool(r, &a);
            pthread_mutex_lock(&r->lock);
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (r->scan_s && (now.tv_sec > next_scan.tv_sec ||
                          (now.tv_sec == next_scan.tv_sec && now.tv_nsec >= next_scan.tv_nsec))) {
            pthread_mutex_unlock(&r->lock);
            scan(r);
            clock_gettime(CLOCK_MONOTONIC, &next_scan);
            next_scan.tv_sec += r->scan_s;
            pthread_mutex_lock(&r->lock);
            continue;
        }
        int err = 0;
        while (!r->stop && !r->ask_count && err != ETIMEDOUT)
            err = r->scan_s ? pthread_cond_timedwait(&r->wake, &r->lock, &next_scan)
                            : pthread_cond_wait(&r->wake, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

struct day_reader *day_reader_start(struct db_pool *pool, unsigned scan_s)
{
    struct day_reader *r = calloc(1, sizeof *r);
    if (!r) {
        log_error("day reader: out of memory; units' days are read at their first check-ins");
        return NULL;
    }
    r->pool = pool;
    r->scan_s = scan_s;
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &attr);
    pthread_condattr_destroy(&attr);
    /* The thread takes no signal: SIGTERM is the main thread's, by sigwait (this thread would die of it). */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    int err = pthread_create(&r->thread, NULL, day_reader_main, r);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (err != 0) {
        log_error("day reader: cannot start its thread: %s; units' days are read at their first check-ins",
                  strerror(err));
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    return r;
}

void day_reader_stop(struct day_reader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void day_reader_ask(struct day_reader *r, long long unit_id, long long employee_id)
{
    if (!r || !unit_id)
        return;
    pthread_mutex_lock(&r->lock);
    /*
     * One ask per unit, with the employees asked for meanwhile: a burst of
     * enrolments in a unit is read in a few queries of the new employees, not
     * one per employee nor the whole unit each time.
     */
    size_t i = 0;
    while (i < r->ask_count && r->asks[i].unit_id != unit_id)
        i++;
    if (i < r->ask_count) {
        struct ask *a = &r->asks[i];
        if (!employee_id || a->employee_count == ASK_EMPLOYEES)
            a->employee_count = 0;
        else if (a->employee_count) {
            size_t k = 0;
            while (k < a->employee_count && a->employee_ids[k] != employee_id)
                k++;
            if (k == a->employee_count)
                a->employee_ids[a->employee_count++] = employee_id;
        }
    } else if (r->ask_count < ASKS_MAX) {
        struct ask *a = &r->asks[r->ask_count++];
        a->unit_id = unit_id;
        a->employee_count = employee_id ? 1 : 0;
        a->employee_ids[0] = employee_id;
        pthread_cond_signal(&r->wake);
    } else {
        log_warn("day reader: %d units' asks wait already; unit %lld's is dropped (its check-ins read for "
                 "themselves)", ASKS_MAX, unit_id);
    }
    pthread_mutex_unlock(&r->lock);
}

/*
 * What a check-in is judged by, and the cache that lets most check-ins be
 * judged without asking the database first.
 *
 * The facts come in two parts. A unit's day (time zone, hours, grace, offices,
 * the policies' selfie terms) is shared by every employee of the unit and only
 * changes with the setup, which bumps setup_generation (sql/0006). An
 * employee's facts (unit, device key, approved home, the day's roster entry,
 * the latest check-in and whether the day has an "in") change one employee at
 * a time. Both are loaded by the context query when not cached; a cached fact
 * is only ever used under the guard of checkin_insert, which stores the
 * check-in only if every fact it was judged by still holds, and otherwise
 * says "stale", so that the check-in is judged again on fresh facts. The
 * cache can therefore be wrong for a moment but never makes a check-in wrong.
 */
#ifndef ATTENDANCE_CHECKIN_CONTEXT_H
#define ATTENDANCE_CHECKIN_CONTEXT_H

#include "checkin/payload.h"
#include "rules/checkin_rules.h"
#include "rules/work_hours.h"

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

/* A unit's local day: immutable once made, shared by reference. */
struct unit_day {
    long long unit_id;
    char local_day[11];        /* YYYY-MM-DD in the unit's time zone */
    int64_t start_ms, end_ms;  /* the UTC instants the local day spans */
    int weekday;               /* enum weekday of local_day */
    long long generation;      /* setup_generation when it was read */
    struct work_week week;
    int grace_minutes;
    struct work_settings settings; /* windows, grace made up, flexible start */
    int sync_tolerance_s;      /* how far behind the moment received a phone's time is believed */
    bool holiday;
    bool closed;               /* the nightly closure has closed this day of the unit */
    bool selfie_wfh, selfie_wfo; /* required by the policies in force */
    size_t office_count;
    struct office_fence *offices;
    size_t kiosk_count;
    struct kiosk *kiosks;      /* of the unit's offices, revoked ones too (with their secrets: zeroed when freed) */
    unsigned refs; /* guarded by the cache's lock */
};

/* One employee's facts for one local day (the roster entry and had_in are that day's). */
struct employee_facts {
    long long account_id, employee_id, unit_id;
    char local_day[11];
    long long device_id, device_owner;
    bool device_active;
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    long long home_id; /* 0: no approved home */
    double home_lat, home_lon, home_radius_m;
    bool rostered;
    bool roster_off;          /* the entry is a rest day (OFF) */
    enum work_mode roster_mode;
    int roster_start_min, roster_end_min; /* -1: the unit's hours */
    struct leave_cover leave; /* local_day's approved leave (a change of it bumps setup_generation) */
    int previous_overnight_end_min; /* the calendar day before ended a night shift then (overnight_end_min); -1: no */
    bool had_arrival;         /* local_day has its arrival already (an "in" that counts for the day) */
    int arrival_second;       /* its local second of the day, when had_arrival */
    long long previous_id;    /* the latest check-in by captured_at; 0: none */
    int64_t previous_captured_at_ms;
    double previous_lat, previous_lon, previous_accuracy_m;
    long long last_seq;       /* the highest number the employee's check-ins claimed (sql/0035); 0: none */
};

struct checkin_context {
    struct employee_facts emp;
    struct unit_day *unit; /* one reference, released by checkin_context_clear */
    int64_t judged_ms;     /* the instant the context's day and local_second are of */
    struct presence_verdict presence; /* the payload's kiosk code against the unit's kiosks */
    int local_second;      /* of judged_ms, in the unit's time zone */
    long long selfie_first_use_id; /* an earlier check-in with this selfie (known only from the database); 0: none */
    long long selfie_near_id;      /* an earlier one with a near copy of it (likewise); 0: none */
    int selfie_near_bits;
    bool from_database;    /* false: from the cache */
    bool existing, existing_same; /* the nonce was used (with the same bytes): known only from the database */
};

/* Sets the cache's size in employees (0: no cache). Call once before serving. */
void context_cache_init(size_t max_employees);
void context_cache_shutdown(void);

/*
 * Fills ctx from the cache for a check-in p with its device (the employee's
 * facts are cached by its active device: a check-in without a token names
 * nothing else), received at received_ms, when the cached day is the day of
 * its judged time (and not the morning a night shift of the day before still
 * owns); false on a miss (nothing to release then). The caller checks that a
 * token, if any, is ctx->emp.account_id's.
 */
bool context_cache_get(const struct checkin_payload *p, int64_t received_ms, struct checkin_context *ctx);

/* The verdict on p's kiosk code under the unit's kiosks into *presence, and the judged instant it gives. */
int64_t context_judged_ms(const struct unit_day *unit, const struct checkin_payload *p, int64_t received_ms,
                          struct presence_verdict *presence);

/*
 * Fills ctx from the context query's document (see store_checkin_context),
 * read for the instant judged_ms, and caches it; *first_of_unit_day tells that
 * the cache had not this day of the unit before (its employees' facts are then
 * worth reading: context_cache_remember_unit). 0, or -1 with the reason in err
 * (a document the query cannot make).
 */
int checkin_context_from_json(const json_t *doc, long long account_id, int64_t judged_ms, struct checkin_context *ctx,
                              bool *first_of_unit_day, char *err, size_t err_len);

/*
 * Caches the facts of the employees of unit's day from store_unit_day_employees'
 * document, beside those cached already (which may be newer): a morning's first
 * check-ins then find them, as a phone checking in again does.
 */
void context_cache_remember_unit(struct unit_day *unit, const json_t *employees);

/*
 * Caches a unit's day from store_unit_day_context's document (read ahead of its
 * check-ins) unless the cache has that day already, under the same or a newer
 * generation; the day cached then, with a reference for the caller to
 * release (context_cache_unit_day_release), or NULL with the reason in err
 * (the cache is off, a day with a clock change, a document it cannot make).
 */
struct unit_day *context_cache_remember_unit_day(const json_t *doc, char *err, size_t err_len);

/* The unit's cached day whose span holds the instant at_ms (of any generation), with a reference; NULL: none. */
struct unit_day *context_cache_unit_day_at(long long unit_id, int64_t at_ms);

/* Gives back a reference to a unit's day; day may be NULL. */
void context_cache_unit_day_release(struct unit_day *day);

/* How many more employees the cache takes before it is full (and emptied); 0 when it is off. */
size_t context_cache_room(void);

/*
 * Fills ctx from a record's context document (store_record_context), read for
 * the instant judged_ms, without caching it: a record an account vouched for
 * (POST /v1/checkins/import) has no device, and no phone follows it.
 */
int checkin_context_for_record(const json_t *doc, int64_t judged_ms, struct checkin_context *ctx, char *err,
                               size_t err_len);

/* After a check-in was stored under ctx's facts: the employee's history moves on. */
void context_cache_note_checkin(const struct checkin_context *ctx, long long checkin_id,
                                const struct checkin_payload *p, bool counts_for_day);

/* The cached facts of this device's employee failed the guard: forget them. */
void context_cache_forget(long long device_id);

void checkin_context_clear(struct checkin_context *ctx);

#endif

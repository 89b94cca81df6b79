/*
 * The check-in context: read from the context query's document, and cached
 * (see context.h for why a cached fact can never make a check-in wrong).
 *
 * The cache is two small hash tables under one lock: employees by the id of
 * their active device (a check-in without a token names only its device),
 * and the latest day of each unit by unit id (so that employees of one unit
 * share one parsed copy of its offices). Lookups copy the employee's facts
 * out and take a reference to the unit's day; nothing is held across the
 * database round trip. When the employee table is full it is emptied: a
 * crude bound, but the only cost of a miss is one query more.
 */
#include "context.h"

#include "ids.h"
#include "log.h"
#include "rules/policy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24 * 3600 * 1000LL)
#define BUCKETS 65536u /* a power of two */

struct employee_entry {
    struct employee_facts facts;
    struct unit_day *unit; /* one reference */
    struct employee_entry *next;
};

struct unit_entry {
    struct unit_day *day; /* one reference */
    struct unit_entry *next;
};

static struct {
    pthread_mutex_t lock;
    size_t max_employees, employee_count;
    struct employee_entry **employees; /* BUCKETS chains, NULL when the cache is off */
    struct unit_entry **units;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t bucket(long long id) { return (size_t)((unsigned long long)id * 0x9E3779B97F4A7C15ull >> 48) & (BUCKETS - 1); }

/* ---- unit days ---- */

static void unit_day_free(struct unit_day *day)
{
    for (size_t i = 0; i < day->office_count; i++)
        geofence_free(&day->offices[i].fence);
    free(day->offices);
    if (day->kiosks)
        sodium_memzero(day->kiosks, day->kiosk_count * sizeof *day->kiosks);
    free(day->kiosks);
    free(day);
}

/* Under the lock. */
static void unit_day_release_locked(struct unit_day *day)
{
    if (day && --day->refs == 0)
        unit_day_free(day);
}

void context_cache_unit_day_release(struct unit_day *day)
{
    if (!day)
        return;
    pthread_mutex_lock(&cache.lock);
    unit_day_release_locked(day);
    pthread_mutex_unlock(&cache.lock);
}

static int64_t json_ms(const json_t *v) { return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0; }

static int json_int_or(const json_t *v, int fallback) { return json_is_integer(v) ? (int)json_integer_value(v) : fallback; }

/* The unit's kiosks from the context's "kiosks" (absent: none); -1 out of memory. A kiosk that cannot be read is left out. */
static int kiosks_from_json(const json_t *kiosks, struct unit_day *day)
{
    if (!json_array_size(kiosks))
        return 0;
    if (!(day->kiosks = calloc(json_array_size(kiosks), sizeof *day->kiosks)))
        return -1;
    size_t i;
    json_t *k;
    json_array_foreach(kiosks, i, k) {
        struct kiosk *out = &day->kiosks[day->kiosk_count];
        const char *hex = json_string_value(json_object_get(k, "secret"));
        size_t secret_len = 0;
        out->id = id_parse(json_string_value(json_object_get(k, "id")));
        out->office_id = id_parse(json_string_value(json_object_get(k, "office_id")));
        out->period_s = json_int_or(json_object_get(k, "period_s"), 0);
        out->created_ms = json_ms(json_object_get(k, "created_ms"));
        out->revoked_ms = json_ms(json_object_get(k, "revoked_ms"));
        if (out->id && out->period_s > 0 && hex &&
            sodium_hex2bin(out->secret, sizeof out->secret, hex, strlen(hex), NULL, &secret_len, NULL) == 0 &&
            secret_len == sizeof out->secret)
            day->kiosk_count++;
        else
            log_warn("checkin: kiosk %lld cannot be read from the context", out->id);
    }
    return 0;
}

/* A new unit day from the document (refs 1), or NULL with the reason in err. */
static struct unit_day *unit_day_from_json(const json_t *doc, char *err, size_t err_len)
{
    struct unit_day *day = calloc(1, sizeof *day);
    const json_t *offices = json_object_get(doc, "offices");
    if (!day || !(day->offices = calloc(json_array_size(offices) + 1, sizeof *day->offices))) {
        free(day);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    day->refs = 1;
    day->unit_id = id_parse(json_string_value(json_object_get(doc, "unit_id")));
    const char *local_day = json_string_value(json_object_get(doc, "local_day"));
    if (!day->unit_id || !local_day || strlen(local_day) != 10) {
        snprintf(err, err_len, "the context has no unit or local day");
        unit_day_free(day);
        return NULL;
    }
    memcpy(day->local_day, local_day, 11);
    day->start_ms = json_ms(json_object_get(doc, "day_start_ms"));
    day->end_ms = json_ms(json_object_get(doc, "day_end_ms"));
    day->weekday = json_int_or(json_object_get(doc, "local_weekday"), 0);
    if (day->weekday < WD_MON || day->weekday > WD_SUN)
        day->weekday = WD_MON;
    day->generation = json_int_or(json_object_get(doc, "generation"), 0);
    char why[128];
    if (work_week_from_json(json_object_get(doc, "work_hours"), &day->week, why, sizeof why) != 0)
        work_week_default(&day->week);
    day->grace_minutes = json_int_or(json_object_get(doc, "grace_minutes"), 0);
    if (checkin_windows_from_json(json_object_get(doc, "checkin_windows"), &day->settings, why, sizeof why) != 0)
        log_warn("checkin: unit %lld has unusable checkin_windows: %s", day->unit_id, why);
    day->settings.grace_made_up = json_is_true(json_object_get(doc, "grace_made_up"));
    day->settings.flex_minutes = json_int_or(json_object_get(doc, "flex_minutes"), 0);
    day->sync_tolerance_s = json_int_or(json_object_get(doc, "sync_tolerance_s"), RULE_SYNC_TOLERANCE_DEFAULT_S);
    day->holiday = json_is_true(json_object_get(doc, "holiday"));
    day->closed = json_is_true(json_object_get(doc, "closed"));

    struct policy_terms terms;
    policy_combine_json(json_object_get(doc, "policies"), json_string_value(json_object_get(doc, "category")), &terms);
    day->selfie_wfh = terms.selfie_wfh;
    day->selfie_wfo = terms.selfie_wfo;

    size_t i;
    json_t *o;
    json_array_foreach(offices, i, o) {
        struct office_fence *f = &day->offices[day->office_count];
        f->id = id_parse(json_string_value(json_object_get(o, "id")));
        if (geofence_from_json(json_object_get(o, "geofence"), &f->fence, why, sizeof why) == 0)
            day->office_count++;
        else
            log_warn("checkin: office %lld has an unusable geofence: %s", f->id, why);
    }
    if (kiosks_from_json(json_object_get(doc, "kiosks"), day) != 0) {
        snprintf(err, err_len, "out of memory");
        unit_day_free(day);
        return NULL;
    }
    return day;
}

/* The cached day of this unit if it is the same day under the same generation, with a reference; under the lock. */
static struct unit_day *unit_day_cached_locked(long long unit_id, const char *local_day, long long generation)
{
    if (!cache.units)
        return NULL;
    for (struct unit_entry *e = cache.units[bucket(unit_id)]; e; e = e->next) {
        if (e->day->unit_id == unit_id && e->day->generation == generation &&
            strcmp(e->day->local_day, local_day) == 0) {
            e->day->refs++;
            return e->day;
        }
    }
    return NULL;
}

/*
 * Makes day the unit's cached day; under the lock. True when the cache had not
 * this day of the unit under this generation: the first reader of it.
 */
static bool unit_day_remember_locked(struct unit_day *day)
{
    struct unit_entry **head = &cache.units[bucket(day->unit_id)];
    for (struct unit_entry *e = *head; e; e = e->next) {
        if (e->day->unit_id == day->unit_id) {
            if (e->day->generation > day->generation) /* a slower reader brings older facts */
                return false;
            if (e->day->generation == day->generation && strcmp(e->day->local_day, day->local_day) == 0)
                return false; /* a reader beside this one was first */
            unit_day_release_locked(e->day);
            e->day = day;
            day->refs++;
            return true;
        }
    }
    struct unit_entry *e = malloc(sizeof *e);
    if (!e)
        return false;
    e->day = day;
    day->refs++;
    e->next = *head;
    *head = e;
    return true;
}

/* The unit's cached day whose span holds at_ms (of any generation), with a reference; under the lock. */
static struct unit_day *unit_day_at_locked(long long unit_id, int64_t at_ms)
{
    if (!cache.units)
        return NULL;
    for (struct unit_entry *e = cache.units[bucket(unit_id)]; e; e = e->next) {
        if (e->day->unit_id == unit_id && at_ms >= e->day->start_ms && at_ms < e->day->end_ms) {
            e->day->refs++;
            return e->day;
        }
    }
    return NULL;
}

/* ---- employees ---- */

static void employees_clear_locked(void)
{
    for (size_t b = 0; b < BUCKETS; b++) {
        for (struct employee_entry *e = cache.employees[b], *next; e; e = next) {
            next = e->next;
            unit_day_release_locked(e->unit);
            free(e);
        }
        cache.employees[b] = NULL;
    }
    cache.employee_count = 0;
}

static struct employee_entry **employee_slot_locked(long long device_id)
{
    struct employee_entry **slot = &cache.employees[bucket(device_id)];
    while (*slot && (*slot)->facts.device_id != device_id)
        slot = &(*slot)->next;
    return slot;
}

/*
 * Caches facts of unit's day; under the lock. With keep_cached, facts cached
 * already for this same day stay (they may be newer); those of another day go.
 */
static void employee_remember_locked(const struct employee_facts *facts, struct unit_day *unit, bool keep_cached)
{
    if (cache.employees) {
        struct employee_entry **slot = employee_slot_locked(facts->device_id);
        if (*slot && keep_cached && (*slot)->unit == unit)
            return;
        if (!*slot) {
            if (cache.employee_count >= cache.max_employees) {
                log_info("checkin: the context cache holds %zu employees, its limit: emptied", cache.employee_count);
                employees_clear_locked();
                slot = employee_slot_locked(facts->device_id);
            }
            if ((*slot = calloc(1, sizeof **slot)))
                cache.employee_count++;
        }
        if (*slot) {
            unit_day_release_locked((*slot)->unit);
            (*slot)->facts = *facts;
            (*slot)->unit = unit;
            unit->refs++;
        }
    }
}

void context_cache_init(size_t max_employees)
{
    pthread_mutex_lock(&cache.lock);
    cache.max_employees = max_employees;
    if (max_employees && !cache.employees) {
        cache.employees = calloc(BUCKETS, sizeof *cache.employees);
        cache.units = calloc(BUCKETS, sizeof *cache.units);
        if (!cache.employees || !cache.units) {
            free(cache.employees), free(cache.units);
            cache.employees = NULL, cache.units = NULL;
        }
    }
    pthread_mutex_unlock(&cache.lock);
}

void context_cache_shutdown(void)
{
    pthread_mutex_lock(&cache.lock);
    if (cache.employees) {
        employees_clear_locked();
        for (size_t b = 0; b < BUCKETS; b++) {
            for (struct unit_entry *e = cache.units[b], *next; e; e = next) {
                next = e->next;
                unit_day_release_locked(e->day);
                free(e);
            }
        }
        free(cache.employees), free(cache.units);
        cache.employees = NULL, cache.units = NULL;
    }
    pthread_mutex_unlock(&cache.lock);
}

int64_t context_judged_ms(const struct unit_day *unit, const struct checkin_payload *p, int64_t received_ms,
                          struct presence_verdict *presence)
{
    *presence = presence_verify(p->has_presence ? p->presence : NULL, unit->kiosks, unit->kiosk_count,
                                p->captured_at_ms, received_ms);
    return checkin_judged_ms(p, received_ms, unit->sync_tolerance_s, presence);
}

bool context_cache_get(const struct checkin_payload *p, int64_t received_ms, struct checkin_context *ctx)
{
    bool hit = false;
    pthread_mutex_lock(&cache.lock);
    if (cache.employees) {
        struct employee_entry *e = *employee_slot_locked(p->device_id);
        struct presence_verdict presence = {.result = PRESENCE_NONE};
        int64_t judged_ms = e ? context_judged_ms(e->unit, p, received_ms, &presence) : 0;
        int local_second = e ? (int)((judged_ms - e->unit->start_ms) / 1000) : 0;
        if (e && judged_ms >= e->unit->start_ms && judged_ms < e->unit->end_ms &&
            !belongs_to_previous_day(e->facts.previous_overnight_end_min, local_second)) {
            *ctx = (struct checkin_context){.emp = e->facts, .unit = e->unit, .judged_ms = judged_ms,
                                            .presence = presence};
            ctx->local_second = local_second;
            e->unit->refs++;
            hit = true;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    return hit;
}

void context_cache_forget(long long device_id)
{
    pthread_mutex_lock(&cache.lock);
    if (cache.employees) {
        struct employee_entry **slot = employee_slot_locked(device_id), *e = *slot;
        if (e) {
            *slot = e->next;
            unit_day_release_locked(e->unit);
            free(e);
            cache.employee_count--;
        }
    }
    pthread_mutex_unlock(&cache.lock);
}

void context_cache_note_checkin(const struct checkin_context *ctx, long long checkin_id,
                                const struct checkin_payload *p, bool counts_for_day)
{
    pthread_mutex_lock(&cache.lock);
    if (cache.employees) {
        struct employee_entry *e = *employee_slot_locked(ctx->emp.device_id);
        /* Only facts this check-in was judged by move on; anything else is left to the guard. */
        if (e && e->unit == ctx->unit && e->facts.previous_id == ctx->emp.previous_id &&
            e->facts.last_seq == ctx->emp.last_seq) {
            e->facts.last_seq++; /* this check-in's claim */
            if (!e->facts.previous_id || p->captured_at_ms >= e->facts.previous_captured_at_ms) {
                e->facts.previous_id = checkin_id;
                e->facts.previous_captured_at_ms = p->captured_at_ms;
                e->facts.previous_lat = p->lat;
                e->facts.previous_lon = p->lon;
                e->facts.previous_accuracy_m = p->accuracy_m;
            }
            if (p->type == CHECKIN_IN && counts_for_day && !e->facts.had_arrival) {
                e->facts.had_arrival = true;
                e->facts.arrival_second = ctx->local_second;
            }
        } else if (e) {
            struct employee_entry **slot = employee_slot_locked(ctx->emp.device_id);
            *slot = e->next;
            unit_day_release_locked(e->unit);
            free(e);
            cache.employee_count--;
        }
    }
    pthread_mutex_unlock(&cache.lock);
}

/* ---- the document ---- */

static void employee_facts_from_json(const json_t *doc, long long account_id, const char *local_day,
                                     struct employee_facts *f)
{
    *f = (struct employee_facts){.account_id = account_id, .roster_start_min = -1, .roster_end_min = -1};
    f->employee_id = id_parse(json_string_value(json_object_get(doc, "employee_id")));
    f->unit_id = id_parse(json_string_value(json_object_get(doc, "unit_id")));
    memcpy(f->local_day, local_day, 11);

    const json_t *device = json_object_get(doc, "device");
    f->device_id = id_parse(json_string_value(json_object_get(device, "id")));
    f->device_owner = id_parse(json_string_value(json_object_get(device, "employee_id")));
    f->device_active = json_is_true(json_object_get(device, "active"));
    const char *hex = json_string_value(json_object_get(device, "public_key"));
    if (!hex || sodium_hex2bin(f->public_key, sizeof f->public_key, hex, strlen(hex), NULL, NULL, NULL) != 0)
        f->device_active = false; /* a key that cannot be read verifies nothing */

    const json_t *home = json_object_get(doc, "home");
    f->home_id = id_parse(json_string_value(json_object_get(home, "id")));
    f->home_lat = json_number_value(json_object_get(home, "lat"));
    f->home_lon = json_number_value(json_object_get(home, "lon"));
    f->home_radius_m = json_number_value(json_object_get(home, "radius_m"));

    const json_t *roster = json_object_get(doc, "roster");
    f->rostered = json_is_object(roster);
    const char *mode = json_string_value(json_object_get(roster, "mode"));
    f->roster_mode = mode && strcmp(mode, "WFH") == 0 ? MODE_WFH : MODE_WFO;
    f->roster_off = mode && strcmp(mode, "OFF") == 0;
    f->roster_start_min = json_int_or(json_object_get(roster, "start_min"), -1);
    f->roster_end_min = json_int_or(json_object_get(roster, "end_min"), -1);
    const json_t *before = json_object_get(doc, "roster_before");
    f->previous_overnight_end_min = overnight_end_min(json_int_or(json_object_get(before, "start_min"), -1),
                                                      json_int_or(json_object_get(before, "end_min"), -1));

    const json_t *leave = json_object_get(doc, "leave");
    f->leave = (struct leave_cover){.on_leave = json_is_object(leave),
                                    .start_min = json_int_or(json_object_get(leave, "start_min"), -1),
                                    .end_min = json_int_or(json_object_get(leave, "end_min"), -1),
                                    .excuses_place = json_is_true(json_object_get(leave, "excuses_place"))};

    const json_t *arrival = json_object_get(doc, "arrival_second");
    f->had_arrival = json_is_integer(arrival);
    f->arrival_second = json_int_or(arrival, -1);
    const json_t *previous = json_object_get(doc, "previous");
    f->previous_id = id_parse(json_string_value(json_object_get(previous, "id")));
    f->previous_captured_at_ms = json_ms(json_object_get(previous, "captured_at_ms"));
    f->previous_lat = json_number_value(json_object_get(previous, "lat"));
    f->previous_lon = json_number_value(json_object_get(previous, "lon"));
    f->previous_accuracy_m = json_number_value(json_object_get(previous, "accuracy_m"));
    const json_t *last_seq = json_object_get(doc, "last_seq");
    f->last_seq = json_is_integer(last_seq) ? (long long)json_integer_value(last_seq) : 0;
}

/* Fills ctx from the document, its unit's day shared with the cache's when the cache has it. */
static int context_from_doc(const json_t *doc, long long account_id, int64_t judged_ms, struct checkin_context *ctx,
                            char *err, size_t err_len)
{
    *ctx = (struct checkin_context){.from_database = true, .judged_ms = judged_ms};
    const char *local_day = json_string_value(json_object_get(doc, "local_day"));
    long long unit_id = id_parse(json_string_value(json_object_get(doc, "unit_id")));
    long long generation = json_int_or(json_object_get(doc, "generation"), 0);
    if (!local_day || strlen(local_day) != 10 || !unit_id) {
        snprintf(err, err_len, "the context has no unit or local day");
        return -1;
    }
    pthread_mutex_lock(&cache.lock);
    ctx->unit = unit_day_cached_locked(unit_id, local_day, generation);
    pthread_mutex_unlock(&cache.lock);
    if (!ctx->unit && !(ctx->unit = unit_day_from_json(doc, err, err_len)))
        return -1;
    employee_facts_from_json(doc, account_id, local_day, &ctx->emp);
    ctx->local_second = json_int_or(json_object_get(doc, "local_second"), 0);
    const json_t *existing = json_object_get(doc, "existing");
    ctx->existing = json_is_object(existing);
    ctx->existing_same = json_is_true(json_object_get(existing, "same"));
    ctx->selfie_first_use_id = id_parse(json_string_value(json_object_get(doc, "selfie_first_use_id")));
    const json_t *near = json_object_get(doc, "selfie_near");
    ctx->selfie_near_id = id_parse(json_string_value(json_object_get(near, "checkin_id")));
    ctx->selfie_near_bits = json_int_or(json_object_get(near, "distance"), 0);
    return 0;
}

int checkin_context_for_record(const json_t *doc, int64_t judged_ms, struct checkin_context *ctx, char *err,
                               size_t err_len)
{
    return context_from_doc(doc, 0, judged_ms, ctx, err, err_len);
}

int checkin_context_from_json(const json_t *doc, long long account_id, int64_t judged_ms, struct checkin_context *ctx,
                              bool *first_of_unit_day, char *err, size_t err_len)
{
    *first_of_unit_day = false;
    if (context_from_doc(doc, account_id, judged_ms, ctx, err, err_len) != 0)
        return -1;
    /*
     * Cache only what a later check-in can use: a day of 24 hours (no clock
     * change), of the device's owner, that is the calendar day of the judged
     * time (not the day a night shift began).
     */
    if (ctx->unit->end_ms - ctx->unit->start_ms == DAY_MS && ctx->emp.device_owner == ctx->emp.employee_id &&
        ctx->emp.device_active && judged_ms >= ctx->unit->start_ms && judged_ms < ctx->unit->end_ms) {
        pthread_mutex_lock(&cache.lock);
        *first_of_unit_day = cache.units && unit_day_remember_locked(ctx->unit);
        employee_remember_locked(&ctx->emp, ctx->unit, false);
        pthread_mutex_unlock(&cache.lock);
    }
    return 0;
}

struct unit_day *context_cache_unit_day_at(long long unit_id, int64_t at_ms)
{
    pthread_mutex_lock(&cache.lock);
    struct unit_day *day = unit_day_at_locked(unit_id, at_ms);
    pthread_mutex_unlock(&cache.lock);
    return day;
}

struct unit_day *context_cache_remember_unit_day(const json_t *doc, char *err, size_t err_len)
{
    struct unit_day *day = unit_day_from_json(doc, err, err_len);
    if (!day)
        return NULL;
    if (day->end_ms - day->start_ms != DAY_MS) { /* a day with a clock change: read at each check-in */
        snprintf(err, err_len, "the unit's day %s is not 24 hours long", day->local_day);
        unit_day_free(day);
        return NULL;
    }
    pthread_mutex_lock(&cache.lock);
    if (!cache.units || !unit_day_remember_locked(day)) {
        /* The cache is off, or has this day already (or a newer reading of it): that one, if it is this day. */
        struct unit_day *cached = unit_day_at_locked(day->unit_id, day->start_ms);
        unit_day_release_locked(day);
        day = cached;
        if (!day)
            snprintf(err, err_len, "the cache keeps no day of this unit now");
    }
    pthread_mutex_unlock(&cache.lock);
    return day;
}

size_t context_cache_room(void)
{
    pthread_mutex_lock(&cache.lock);
    size_t room = cache.employees ? cache.max_employees - cache.employee_count : 0;
    pthread_mutex_unlock(&cache.lock);
    return room;
}

void context_cache_remember_unit(struct unit_day *unit, const json_t *employees)
{
    size_t i, n = 0;
    json_t *doc;
    pthread_mutex_lock(&cache.lock);
    json_array_foreach(employees, i, doc) {
        struct employee_facts f;
        long long account_id = id_parse(json_string_value(json_object_get(doc, "account_id")));
        employee_facts_from_json(doc, account_id, unit->local_day, &f);
        if (f.unit_id != unit->unit_id || !f.device_active || f.device_owner != f.employee_id)
            continue;
        employee_remember_locked(&f, unit, true);
        n++;
    }
    pthread_mutex_unlock(&cache.lock);
    log_info("checkin: unit %lld's day %s read for %zu employees", unit->unit_id, unit->local_day, n);
}

void checkin_context_clear(struct checkin_context *ctx)
{
    context_cache_unit_day_release(ctx->unit);
    ctx->unit = NULL;
}

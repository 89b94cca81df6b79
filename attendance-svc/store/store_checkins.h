/*
 * Check-ins (store_checkins.c): what a check-in needs to be judged, and its
 * storage with its selfie record and violations in one statement.
 */
#ifndef ATTENDANCE_STORE_CHECKINS_H
#define ATTENDANCE_STORE_CHECKINS_H

#include "store.h"

#include <stdint.h>

/* A selfie's perceptual hash (selfie/phash.h) and the distance within which another is a near copy. */
struct selfie_phash {
    bool present; /* false: no selfie, or one that did not decode (compared by SHA-256 only) */
    uint64_t hash;
    int match_bits;
};

/*
 * Everything the rules need, as one JSON document, for the token's account if
 * it is an enabled login of an active employee (employee_id): the unit (work hours, grace,
 * sync_tolerance_s, category), whether its agency's calendar or the national one makes the
 * day a holiday, whether the nightly closed the day (closed), and the instant judged_at_ms in
 * its time zone, or of the day before with day_offset -1 (the morning after a night shift:
 * rules/work_hours.h, belongs_to_previous_day), with the calendar day's roster_before (local_day, its UTC bounds day_start_ms and
 * day_end_ms, local_weekday 0 = Monday, local_second), setup_generation, the device
 * (id, employee_id, active, public_key hex), whether this device's nonce is taken
 * (existing: {id, same}), the unit's offices, the approved home (id, lat, lon,
 * radius_m), the kiosks of the unit's offices (kiosks: id, office_id, secret hex,
 * period_s, created_ms, revoked_ms or null), the roster entry, the policies in force, the day's
 * arrival (arrival_second of the day, null without one), the latest check-in by captured_at
 * (previous: id, captured_at_ms, lat, lon, accuracy_m), the first check-in that attached the
 * selfie selfie_sha256 (selfie_first_use_id; NULL selfie_sha256: none), the nearest check-in of
 * the last 90 days whose selfie's perceptual hash is within phash->match_bits of phash->hash
 * (selfie_near: {checkin_id, distance}; none without phash->present), and the employee's
 * account_id. day_offset moves the day read from the instant's (-1: the morning after a night
 * shift belongs to the day before). account_id 0: the account is the employee login of the
 * device's employee (a check-in without a token). NULL with DB_OK when the account is not
 * usable (or, without a token, the device is unknown).
 */
json_t *store_checkin_context(struct db_conn *db, long long account_id, long long device_id, const char *nonce,
                              int64_t judged_at_ms, int day_offset, const char *selfie_sha256,
                              const struct selfie_phash *phash, const char *payload, size_t payload_len,
                              const unsigned char *signature, size_t signature_len, enum db_status *status);

/*
 * The employee's part of store_checkin_context's document (employee_id, unit_id, account_id,
 * device, home, roster, roster_before, leave, arrival_second, previous) for the local day
 * local_day (YYYY-MM-DD) of every employee of unit unit_id that can check in without a token
 * (an enabled employee login, an active device), or of those of them in employee_ids (NULL: all),
 * as one JSON array.
 */
json_t *store_unit_day_employees(struct db_conn *db, long long unit_id, const char *local_day,
                                 const long long *employee_ids, size_t employee_count, enum db_status *status);

/*
 * The unit's part of store_checkin_context's document alone (unit_id, local_day, work hours,
 * offices, policies, kiosks, generation, ...) for unit unit_id's local day at the instant at_ms;
 * NULL with DB_OK when there is no such unit.
 */
json_t *store_unit_day_context(struct db_conn *db, long long unit_id, int64_t at_ms, enum db_status *status);

/*
 * The units worth reading ahead, as a JSON array of {unit_id, employees}: how many of the unit's
 * active employees have an active device (at least one).
 */
json_t *store_units_to_read(struct db_conn *db, enum db_status *status);

struct checkin_row {
    long long employee_id, unit_id, device_id;
    const char *nonce, *type, *mode;
    int64_t captured_at_ms, received_at_ms, judged_at_ms;
    const char *local_day; /* of the judged time */
    bool counts_for_day, after_closure;
    double lat, lon, accuracy_m;
    bool mock_location, inside;
    double distance_m;
    const char *place; /* NULL */
    const char *selfie_sha256, *selfie_content_type; /* NULL without a selfie */
    size_t selfie_size;
    const char *payload;
    size_t payload_len;
    const unsigned char *signature;
    size_t signature_len;
    json_t *violations; /* [{"code", "evidence", "ord"}]; the caller's */
    const struct selfie_phash *selfie_phash; /* kept with the row; its near copy is a fact (selfie_near_id) */
    long long presence_kiosk_id; /* the kiosk whose valid code proved the check-in; 0: none */
    int64_t presence_t;          /* that code's window */

    /* The facts the check-in was judged by, which must still hold when it is stored. */
    long long account_id, generation, home_id, previous_id, selfie_first_use_id, selfie_near_id; /* 0: none */
    bool rostered, had_arrival;
    const char *roster_mode;
    long long employee_seq; /* the employee's number the check-in claims: last_seq + 1 (sql/0035) */
    int roster_start_min, roster_end_min; /* -1: none */
};

enum checkin_stored { CHECKIN_STORED, CHECKIN_NOT_STORED, CHECKIN_STALE };

/* What became of one row of a batch. */
struct checkin_outcome {
    enum checkin_stored result;
    json_t *stored; /* CHECKIN_STORED: [checkin_id, [{"violation_id", "code"}...], {"captured_at", "received_at",
                       "judged_at"}], the caller's */
};

/*
 * Stores each of n check-ins (of n different employees), its selfie record and
 * its violations, in one statement, if the facts it was judged by still hold
 * (the account, the employee's unit, the active device, setup_generation, the
 * home, the roster entry, the latest check-in, had_arrival, the selfie's first
 * use and its nearest near copy): out[i] is CHECKIN_STORED with its stored
 * answer; CHECKIN_STALE when a fact changed (nothing stored; judge again on
 * fresh facts); CHECKIN_NOT_STORED when the nonce was taken meanwhile (or the
 * row was stored but its answer could not be made: it is answered as a replay). With
 * *status not DB_OK nothing was stored and out means nothing: with
 * DB_UNIQUE_VIOLATION (n > 1 only), another check-in claimed one row's
 * employee_seq first, and which one is found by storing the rows one by one.
 */
void store_checkin_insert_batch(struct db_conn *db, const struct checkin_row *const *rows, size_t n,
                                struct checkin_outcome *out, enum db_status *status);

/*
 * The stored answer facts of the check-in with this device and nonce if its
 * payload and signature are these exact bytes: {"checkin_id", "inside",
 * "distance_m", "place", "selfie_attached", "violations", "times": {"captured_at",
 * "received_at", "judged_at"}}. NULL with DB_OK when
 * there is none.
 */
json_t *store_checkin_replay(struct db_conn *db, long long device_id, const char *nonce, const char *payload,
                             size_t payload_len, const unsigned char *signature, size_t signature_len,
                             enum db_status *status);

/*
 * The context of a record an account vouched for, made at the office with code
 * office_code (POST /v1/checkins/import): as store_checkin_context's but
 * without the device's part, for the employee with this NIP if it is active
 * and its unit in the caller's scope, with "office": {id, geofence} when the
 * office is one of that unit's. NULL with DB_OK when there is no such employee.
 */
json_t *store_record_context(struct db_conn *db, const struct auth *a, const char *nip, const char *office_code,
                             int64_t judged_at_ms, int day_offset, enum db_status *status);

struct record_row {
    long long employee_id, unit_id;
    const char *nonce;    /* names the record: "record:" and its SHA-256 */
    const char *type;     /* in, out */
    int64_t judged_at_ms; /* the record's time (its captured_at too) */
    int64_t received_at_ms;
    const char *local_day;
    double lat, lon;      /* the office's centre */
    const char *place;    /* office:<id> */
    const char *record;   /* the record as imported (kept as the check-in's payload) */
    bool counts_for_day, after_closure;
    const char *source;   /* paper, fingerprint */
    long long vouched_by; /* the importing account */
    const char *violations_json;
};

/*
 * Stores the record and its violations in the caller's transaction:
 * *checkin_id and *codes (a JSON array of the violation codes) when stored,
 * *checkin_id 0 when the same record was stored before.
 */
enum db_status store_record_insert(struct db_conn *db, const struct record_row *row, long long *checkin_id,
                                   json_t **codes);

#endif

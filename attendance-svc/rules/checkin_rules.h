/*
 * The violations flagged at check-in (CONTRACT.md, "Check-in"): a pure
 * function of the check-in and of what was known when it arrived: the place
 * verdict, the unit's hours in its own time zone, the day's roster entry, the
 * policy in force and the employee's previous check-in. Each violation comes
 * with its evidence: the numbers that caused it.
 */
#ifndef ATTENDANCE_RULES_CHECKIN_RULES_H
#define ATTENDANCE_RULES_CHECKIN_RULES_H

#include "checkin/payload.h"
#include "geo.h"
#include "rules/leave.h"
#include "rules/presence.h"
#include "rules/work_hours.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The contract's thresholds. */
#define RULE_LOW_ACCURACY_M 100.0
#define RULE_LATE_SYNC_MS (15 * 60 * 1000)
#define RULE_CLOCK_SKEW_MS (5 * 60 * 1000)
#define RULE_MAX_SPEED_KMH 300.0
#define RULE_SYNC_TOLERANCE_DEFAULT_S 120 /* a unit's sync_tolerance_s unless set */

/* Where the point was checked against: the nearest office or the approved home. */
struct place_verdict {
    bool checked;        /* false: nothing to check against (no office, no approved home) */
    bool inside;         /* geometry only; accuracy is weighed by the rules */
    double distance_m;   /* 0 inside, else metres outside the nearest geofence */
    long long office_id; /* 0 for the home */
};

struct office_fence {
    long long id;
    struct geofence fence;
};

/* The verdict for WFO: inside any office, else the nearest. */
struct place_verdict place_for_offices(const struct office_fence *offices, size_t n, double lat, double lon);
/* The verdict for WFH against the approved home (NULL: none approved). */
struct place_verdict place_for_home(const struct geofence *home, double lat, double lon);

/*
 * The judged time (CONTRACT.md, "The record is judged on times the service
 * can trust"): the phone's captured_at when it lies within sync_tolerance_s
 * before the moment received, else the moment received. A phone whose clock
 * is behind gains nothing by it, and neither does one whose clock is ahead
 * (within the 5 minutes that clock_skew allows): a time after the moment the
 * service received it cannot be true, so the moment received stands.
 */
int64_t checkin_judged_at_ms(int64_t captured_at_ms, int64_t received_at_ms, int sync_tolerance_s);

/*
 * A kiosk's code proves a WFO check-in's place and time (presence.h); in a WFH
 * check-in it proves nothing the mode claims, and is flagged PRESENCE_INVALID.
 */
bool checkin_presence_proves(const struct checkin_payload *p, const struct presence_verdict *presence);

/*
 * The judged time with the kiosk's code considered: a code that proves the
 * check-in fixes it at captured_at however late the check-in arrives (the code
 * bounds captured_at to within a period of the kiosk's clock), but never after
 * the moment received; else checkin_judged_at_ms.
 */
int64_t checkin_judged_ms(const struct checkin_payload *p, int64_t received_at_ms, int sync_tolerance_s,
                          const struct presence_verdict *presence);

struct checkin_facts {
    const struct checkin_payload *p;
    int64_t received_at_ms;
    int64_t judged_at_ms;     /* checkin_judged_at_ms */
    bool selfie_attached;
    long long selfie_first_use_id; /* an earlier check-in that attached the same selfie; 0: none */
    long long selfie_near_id;      /* else an earlier one of the last 90 days whose selfie is a near copy; 0: none */
    int selfie_near_bits;          /* the Hamming distance of their perceptual hashes */
    struct place_verdict place; /* against the kiosk's office when the code proves the check-in */
    struct presence_verdict presence;

    /* The unit and its judged day, in the unit's time zone. */
    int local_weekday;        /* enum weekday */
    int local_second_of_day;  /* of the judged time, after the judged day's midnight (past 86400 for the
                                 morning after a night shift: work_hours.h, belongs_to_previous_day) */
    bool holiday;
    const struct work_week *week;
    int grace_minutes;
    const struct work_settings *settings; /* windows, grace made up, flexible start; NULL: none */
    bool day_closed;          /* the nightly closure had closed the judged day when the check-in arrived */

    /* The roster entry of the day, if any (none means WFO at the unit's hours). */
    bool rostered;
    bool rest_day;            /* the entry is OFF: no time rule, no mode to mismatch */
    enum work_mode roster_mode;
    int roster_start_min, roster_end_min; /* -1: the unit's hours */

    bool selfie_required; /* by the policy in force, for this check-in's mode */

    struct leave_cover leave; /* the day's approved leave (rules/leave.c says what it excuses) */

    /*
     * A record an account vouched for (a paper register, a fingerprint
     * machine): source "paper" or "fingerprint", NULL for a phone's. It is
     * judged at its own time; it has no phone that syncs late, no selfie and
     * no track to travel, and it is flagged MANUAL_ENTRY for review.
     */
    const char *vouched_source;
    long long vouched_by; /* the account */

    bool had_arrival;     /* the judged day has its arrival already (an earlier "in" that counts) */
    int arrival_second;   /* that arrival's local second of the day, when had_arrival */
    bool has_previous;
    int64_t previous_captured_at_ms;
    double previous_lat, previous_lon, previous_accuracy_m;
};

#define CHECKIN_VIOLATIONS_MAX 12

struct violation {
    const char *code;
    json_t *evidence; /* owned by the caller after the call */
};

/*
 * Whether the check-in may be the day's arrival (an "in") or departure (an
 * "out"): it passed its place check (no OUTSIDE_GEOFENCE, OUTSIDE_HOME,
 * NO_HOME_REGISTERED or MOCK_LOCATION; a kiosk's valid code passes it at the
 * kiosk's office), its point does not contradict that code (PRESENCE_MISMATCH),
 * it was not a WFH check-in on a day rostered WFO, it lies within the unit's
 * window of its kind (no OUTSIDE_WINDOW), and its day was not closed yet. One that does not count is
 * stored and flagged, and no time rule judges it.
 */
bool checkin_counts_for_day(const struct checkin_facts *f);

/* Fills out with the violations (at most CHECKIN_VIOLATIONS_MAX) and returns how many. */
size_t checkin_violations(const struct checkin_facts *f, struct violation *out);

/* True when the payload's time is more than RULE_CLOCK_SKEW_MS ahead of the server's. */
bool checkin_clock_skewed(const struct checkin_payload *p, int64_t received_at_ms);

#endif

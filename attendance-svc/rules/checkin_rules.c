/*
 * Check-in rules (see checkin_rules.h).
 *
 * GPS accuracy is honoured in the place rules: a point geometrically outside
 * is a violation only when it lies farther outside than its reported accuracy
 * (capped at RULE_LOW_ACCURACY_M, beyond which LOW_ACCURACY is flagged
 * instead of being trusted). The geofence verdict itself stays geometric.
 * Impossible travel likewise subtracts both points' accuracies from the
 * distance before judging the speed, so GPS jitter is not travel.
 */
#include "checkin_rules.h"

#include <math.h>
#include <stdio.h>

struct place_verdict place_for_offices(const struct office_fence *offices, size_t n, double lat, double lon)
{
    struct place_verdict best = {.checked = false, .inside = false, .distance_m = 0, .office_id = 0};
    for (size_t i = 0; i < n; i++) {
        struct geofence_verdict v = geofence_check(&offices[i].fence, lat, lon);
        if (!isfinite(v.distance_m))
            continue;
        if (!best.checked || (v.inside && !best.inside) || (!best.inside && v.distance_m < best.distance_m)) {
            best = (struct place_verdict){true, v.inside, v.distance_m, offices[i].id};
            if (v.inside)
                break;
        }
    }
    return best;
}

struct place_verdict place_for_home(const struct geofence *home, double lat, double lon)
{
    if (!home)
        return (struct place_verdict){false, false, 0, 0};
    struct geofence_verdict v = geofence_check(home, lat, lon);
    return (struct place_verdict){isfinite(v.distance_m), v.inside, isfinite(v.distance_m) ? v.distance_m : 0, 0};
}

bool checkin_clock_skewed(const struct checkin_payload *p, int64_t received_at_ms)
{
    return p->captured_at_ms - received_at_ms > RULE_CLOCK_SKEW_MS;
}

int64_t checkin_judged_at_ms(int64_t captured_at_ms, int64_t received_at_ms, int sync_tolerance_s)
{
    int64_t behind_ms = received_at_ms - captured_at_ms;
    return behind_ms >= 0 && behind_ms <= (int64_t)sync_tolerance_s * 1000 ? captured_at_ms : received_at_ms;
}

bool checkin_presence_proves(const struct checkin_payload *p, const struct presence_verdict *presence)
{
    return p->mode == MODE_WFO && presence->result == PRESENCE_VALID;
}

int64_t checkin_judged_ms(const struct checkin_payload *p, int64_t received_at_ms, int sync_tolerance_s,
                          const struct presence_verdict *presence)
{
    if (checkin_presence_proves(p, presence))
        return p->captured_at_ms < received_at_ms ? p->captured_at_ms : received_at_ms;
    return checkin_judged_at_ms(p->captured_at_ms, received_at_ms, sync_tolerance_s);
}

static double round2(double x) { return round(x * 100.0) / 100.0; }

static void flag(struct violation *out, size_t *n, const char *code, json_t *evidence)
{
    if (*n >= CHECKIN_VIOLATIONS_MAX) {
        json_decref(evidence);
        return;
    }
    out[*n].code = code;
    out[*n].evidence = evidence ? evidence : json_object();
    (*n)++;
}

/* Outside by more than the accuracy (capped) allows. */
static bool beyond_tolerance(const struct checkin_facts *f)
{
    double tolerance = fmin(f->p->accuracy_m, RULE_LOW_ACCURACY_M);
    return !f->place.inside && f->place.distance_m > tolerance;
}

/* The place verdict fails the check-in: the code it is flagged with, or NULL if it passes. */
static const char *place_failure(const struct checkin_facts *f)
{
    if (checkin_presence_proves(f->p, &f->presence))
        return NULL;
    if (f->p->mode == MODE_WFO)
        return !f->place.checked || beyond_tolerance(f) ? "OUTSIDE_GEOFENCE" : NULL;
    if (!f->place.checked)
        return "NO_HOME_REGISTERED";
    return beyond_tolerance(f) ? "OUTSIDE_HOME" : NULL;
}

/*
 * A valid code with a point farther than PRESENCE_MISMATCH_M from the kiosk's
 * office: the two proofs contradict each other. The cheap fraud looks exactly
 * like this (a colleague at the office sends a picture of the code), so such a
 * check-in is flagged and counts for nothing; a reviewer sees both.
 */
static bool presence_mismatch(const struct checkin_facts *f)
{
    return checkin_presence_proves(f->p, &f->presence) && f->place.checked &&
           f->place.distance_m > PRESENCE_MISMATCH_M;
}

/* The mode the day's roster sets (no entry: WFO). */
static enum work_mode rostered_mode(const struct checkin_facts *f) { return f->rostered ? f->roster_mode : MODE_WFO; }

/*
 * A WFH check-in on a day rostered WFO was checked against the home, which is
 * not where the day was to be worked: it counts for nothing (else a WFH "in"
 * from home at 07:25 would be the on-time arrival of someone who reached the
 * office at 09:40). A WFO check-in on a WFH day was at an office: it counts.
 */
static struct day_hours hours_of_day(const struct checkin_facts *f)
{
    return day_hours_of(f->week, f->local_weekday, f->holiday, f->rest_day, f->roster_start_min, f->roster_end_min);
}

/*
 * The unit's windows judge the days worked on its hours; a shift of the
 * roster has hours of its own (a night's "in" at 19:00 is no "in" outside
 * 06:00-10:00), and a day off has no window to miss.
 */
static bool outside_window(const struct checkin_facts *f)
{
    struct day_hours h = hours_of_day(f);
    return f->settings && h.works && !h.own_hours &&
           !checkin_within_window(f->settings, f->p->type == CHECKIN_IN, f->local_second_of_day);
}

bool checkin_counts_for_day(const struct checkin_facts *f)
{
    bool home_on_an_office_day = f->p->mode == MODE_WFH && !f->rest_day && rostered_mode(f) == MODE_WFO;
    return !place_failure(f) && !presence_mismatch(f) && !f->p->mock_location && !f->day_closed &&
           !home_on_an_office_day && !outside_window(f);
}

static void place_rules(const struct checkin_facts *f, struct violation *out, size_t *n)
{
    const struct checkin_payload *p = f->p;
    const char *code = place_failure(f);
    if (!code || leave_excuses(&f->leave, code, 0, 0))
        return;
    if (!f->place.checked)
        flag(out, n, code,
             json_pack("{s:s}", "reason", p->mode == MODE_WFO ? "the unit has no office geofence" : "no approved home"));
    else if (p->mode == MODE_WFO)
        flag(out, n, code,
             json_pack("{s:f, s:f, s:I}", "distance_m", round2(f->place.distance_m), "accuracy_m", p->accuracy_m,
                       "nearest_office_id", (json_int_t)f->place.office_id));
    else
        flag(out, n, code, json_pack("{s:f, s:f}", "distance_m", round2(f->place.distance_m), "accuracy_m", p->accuracy_m));
}

/* Judged on the judged time, and only for a check-in that may be the day's arrival or departure. */
static void time_rules(const struct checkin_facts *f, struct violation *out, size_t *n)
{
    const struct checkin_payload *p = f->p;
    struct day_hours h = hours_of_day(f);
    if (!h.works || !checkin_counts_for_day(f))
        return;
    struct work_settings none;
    work_settings_default(&none);
    const struct work_settings *s = f->settings ? f->settings : &none;
    const char *judged_on = f->judged_at_ms == p->captured_at_ms ? "captured_at" : "received_at";
    char local[16], at[16];
    format_hhmm(f->local_second_of_day / 60, local);
    if (p->type == CHECKIN_IN && !f->had_arrival) {
        /* Late once the minute after start + grace has begun: 07:30:59 is on time for 07:30. */
        int start = effective_start_min(&h, s, f->local_second_of_day);
        int late_seconds = f->local_second_of_day - (start + f->grace_minutes) * 60;
        if (late_seconds >= 60 && !leave_excuses(&f->leave, "LATE_ARRIVAL", f->local_second_of_day / 60, start))
            flag(out, n, "LATE_ARRIVAL",
                 json_pack("{s:s, s:s, s:i, s:i, s:i, s:s}", "local_time", local, "start", format_hhmm(start, at),
                           "grace_minutes", f->grace_minutes, "flex_minutes", s->flex_minutes, "late_minutes",
                           (f->local_second_of_day - start * 60) / 60, "judged_on", judged_on));
    } else if (p->type == CHECKIN_OUT) {
        int end = effective_end_min(&h, s, f->grace_minutes, f->had_arrival ? f->arrival_second : -1);
        if (f->local_second_of_day < end * 60 &&
            !leave_excuses(&f->leave, "EARLY_DEPARTURE", f->local_second_of_day / 60, end))
            flag(out, n, "EARLY_DEPARTURE",
                 json_pack("{s:s, s:s, s:i, s:s}", "local_time", local, "end", format_hhmm(end, at), "early_minutes",
                           (end * 60 - f->local_second_of_day + 59) / 60, "judged_on", judged_on));
    }
}

static void presence_rules(const struct checkin_facts *f, struct violation *out, size_t *n)
{
    const struct presence_verdict *v = &f->presence;
    if (v->result == PRESENCE_NONE)
        return;
    char kiosk[24], office[24];
    snprintf(kiosk, sizeof kiosk, "%lld", v->kiosk_id);
    snprintf(office, sizeof office, "%lld", v->office_id);
    if (presence_mismatch(f))
        flag(out, n, "PRESENCE_MISMATCH",
             json_pack("{s:s, s:s, s:I, s:f, s:f, s:f}", "kiosk_id", kiosk, "office_id", office, "t", (json_int_t)v->t,
                       "distance_m", round2(f->place.distance_m), "accuracy_m", f->p->accuracy_m, "limit_m",
                       PRESENCE_MISMATCH_M));
    else if (v->result != PRESENCE_VALID || f->p->mode != MODE_WFO)
        flag(out, n, "PRESENCE_INVALID",
             json_pack("{s:s, s:s?, s:s?, s:I}", "reason",
                       v->result == PRESENCE_VALID ? "wfh_mode" : presence_result_name(v->result), "kiosk_id",
                       v->kiosk_id ? kiosk : NULL, "office_id", v->kiosk_id ? office : NULL, "t",
                       (json_int_t)v->t));
}

static void travel_rule(const struct checkin_facts *f, struct violation *out, size_t *n)
{
    if (!f->has_previous)
        return;
    const struct checkin_payload *p = f->p;
    double distance = geo_distance_m(f->previous_lat, f->previous_lon, p->lat, p->lon);
    double effective = distance - p->accuracy_m - f->previous_accuracy_m;
    if (effective <= 0)
        return;
    double seconds = fabs((double)(p->captured_at_ms - f->previous_captured_at_ms)) / 1000.0;
    double kmh = effective / fmax(seconds, 1.0) * 3.6;
    if (kmh > RULE_MAX_SPEED_KMH)
        flag(out, n, "IMPOSSIBLE_TRAVEL",
             json_pack("{s:f, s:f, s:f}", "distance_m", round2(distance), "seconds", seconds, "speed_kmh",
                       round2(kmh)));
}

size_t checkin_violations(const struct checkin_facts *f, struct violation *out)
{
    const struct checkin_payload *p = f->p;
    size_t n = 0;
    place_rules(f, out, &n);
    if (f->selfie_required && !f->selfie_attached && !f->vouched_source)
        flag(out, &n, "NO_SELFIE", json_pack("{s:s}", "mode", work_mode_name(p->mode)));
    if (p->mock_location)
        flag(out, &n, "MOCK_LOCATION", json_pack("{s:b}", "mock_location", 1));
    if (p->accuracy_m > RULE_LOW_ACCURACY_M)
        flag(out, &n, "LOW_ACCURACY", json_pack("{s:f, s:f}", "accuracy_m", p->accuracy_m, "limit_m",
                                                RULE_LOW_ACCURACY_M));
    enum work_mode rostered = rostered_mode(f);
    if (!f->rest_day && p->mode != rostered)
        flag(out, &n, "MODE_MISMATCH",
             json_pack("{s:s, s:s, s:b}", "mode", work_mode_name(p->mode), "rostered", work_mode_name(rostered),
                       "roster_entry", f->rostered));
    if (outside_window(f)) {
        char local[16], from[16], to[16];
        bool is_in = p->type == CHECKIN_IN;
        flag(out, &n, "OUTSIDE_WINDOW",
             json_pack("{s:s, s:s, s:[s, s]}", "local_time", format_hhmm(f->local_second_of_day / 60, local), "type",
                       is_in ? "in" : "out", "window",
                       format_hhmm(is_in ? f->settings->in_from : f->settings->out_from, from),
                       format_hhmm(is_in ? f->settings->in_to : f->settings->out_to, to)));
    }
    time_rules(f, out, &n);
    presence_rules(f, out, &n);
    int64_t delay = f->received_at_ms - p->captured_at_ms;
    /* A kiosk's code proves when the phone was at the office: its late arrival is no reason to doubt the time. */
    bool late = delay > RULE_LATE_SYNC_MS && !f->vouched_source && !checkin_presence_proves(p, &f->presence);
    if (late || f->day_closed)
        flag(out, &n, "LATE_SYNC",
             json_pack("{s:I, s:b}", "delay_seconds", (json_int_t)(delay / 1000), "day_closed", f->day_closed));
    if (f->selfie_attached && f->selfie_first_use_id) {
        char earlier[24];
        snprintf(earlier, sizeof earlier, "%lld", f->selfie_first_use_id);
        flag(out, &n, "SELFIE_REUSED",
             json_pack("{s:s, s:s, s:s, s:i}", "earlier_checkin_id", earlier, "sha256", p->selfie_sha256, "match",
                       "sha256", "distance_bits", 0));
    } else if (f->selfie_attached && f->selfie_near_id) {
        char earlier[24];
        snprintf(earlier, sizeof earlier, "%lld", f->selfie_near_id);
        flag(out, &n, "SELFIE_REUSED",
             json_pack("{s:s, s:s, s:s, s:i}", "earlier_checkin_id", earlier, "sha256", p->selfie_sha256, "match",
                       "perceptual", "distance_bits", f->selfie_near_bits));
    }
    if (f->vouched_source) {
        char by[24];
        snprintf(by, sizeof by, "%lld", f->vouched_by);
        flag(out, &n, "MANUAL_ENTRY",
             json_pack("{s:s, s:s, s:I}", "source", f->vouched_source, "vouched_by", by, "office_id",
                       (json_int_t)f->place.office_id));
    } else {
        travel_rule(f, out, &n);
    }
    return n;
}

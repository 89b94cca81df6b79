/*
 * A unit's working week: for each weekday, whether it is a work day and its
 * start and end in minutes after local midnight. Parsed from and written to the
 * API's form {"mon": ["07:30", "16:00"], ...}; a weekday left out is a day off.
 * Pure functions, no I/O.
 */
#ifndef ATTENDANCE_RULES_WORK_HOURS_H
#define ATTENDANCE_RULES_WORK_HOURS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum weekday { WD_MON, WD_TUE, WD_WED, WD_THU, WD_FRI, WD_SAT, WD_SUN };

struct work_week {
    bool works[7];
    int start_min[7];
    int end_min[7];
};

/*
 * The common government week as many agencies' rules spell it: Mon-Thu
 * 07:30-16:00, Fri 07:30-16:30 (DOMAIN.md; DKI's own 2023 week began at 08:00,
 * SE Sekda DKI 1/2023, and is entered as a unit's work_hours).
 */
void work_week_default(struct work_week *week);

/* Parses "HH:MM" (00:00 to 23:59) into minutes; -1 if malformed. */
int parse_hhmm(const char *text);

/* Writes minutes after midnight as "HH:MM"; returns out. */
const char *format_hhmm(int minutes, char out[16]);

/* 0, or -1 with the reason (naming the weekday) in err. Start must be before end. */
int work_week_from_json(const json_t *obj, struct work_week *week, char *err, size_t err_len);
json_t *work_week_to_json(const struct work_week *week);

/*
 * A unit's rules of working time besides its week (CONTRACT.md, "Working time
 * as the rules set it"). Windows are in minutes after local midnight, both
 * ends included to the last second of their minute (06:00:00 to 10:00:59 for
 * ["06:00", "10:00"]); from > to: no window of that kind.
 */
struct work_settings {
    int in_from, in_to;   /* the "in" window; -1, -1: none */
    int out_from, out_to; /* the "out" window; -1, -1: none */
    bool grace_made_up;   /* lateness within the grace moves the day's end later by as much */
    int flex_minutes;     /* the day may start up to this much later, and end later by as much */
};

/* No windows, no grace made up, no flexible start. */
void work_settings_default(struct work_settings *s);

/* {"in": ["HH:MM", "HH:MM"], "out": [...]}, either optional, or null: 0, or -1 with the reason in err. */
int checkin_windows_from_json(const json_t *obj, struct work_settings *s, char *err, size_t err_len);
/* The windows as the API shows them; null when there are none. */
json_t *checkin_windows_to_json(const struct work_settings *s);

/* Whether local_second (of the unit's day) lies within the window of an "in" (is_in) or an "out". */
bool checkin_within_window(const struct work_settings *s, bool is_in, int local_second);

/*
 * A person's hours for one day. works: a day on which an arrival is due (no
 * ABSENT otherwise). own_hours: set by the roster entry (a shift), not by the
 * unit's week, so the unit's windows do not judge it. end_min is after the
 * day's local midnight and passes 1440 for a shift that ends the next day.
 */
struct day_hours {
    bool works, own_hours;
    int start_min, end_min;
};

/*
 * The day's hours: a rest day (roster OFF) works not; a roster entry with its
 * own start and end is a shift, worked whatever the week or a holiday says
 * (a 24-hour unit works holidays), and an end not after its start is the next
 * day's (19:00-07:00); otherwise the week's hours on a work day that is no
 * holiday, with the entry's start or end (-1: the week's) over them.
 */
struct day_hours day_hours_of(const struct work_week *week, int weekday, bool holiday, bool rest_day,
                              int roster_start_min, int roster_end_min);

/* A shift that ends past midnight: its end in minutes after the next day's midnight; -1 for any other. */
int overnight_end_min(int roster_start_min, int roster_end_min);

/*
 * How long after a night shift's end its check-ins still belong to the day
 * it started: a check-out up to 4 hours late is that shift's, not the next
 * day's (DOMAIN.md: a hospital's night ends the next morning).
 */
#define NIGHT_SHIFT_CARRY_MIN 240

/*
 * Whether a check-in at local_second of a calendar day belongs to the day
 * before, whose shift ended that morning at previous_overnight_end_min
 * (overnight_end_min; -1: none did).
 */
bool belongs_to_previous_day(int previous_overnight_end_min, int local_second);

/*
 * The start an arrival at arrival_second is judged against: the day's start
 * moved later by the flexible minutes the arrival used (whole minutes, at most
 * flex_minutes); the day's start when there is no arrival (-1).
 */
int effective_start_min(const struct day_hours *h, const struct work_settings *s, int arrival_second);

/*
 * The end a departure is judged against: the day's end moved later as the
 * start was (flexible start), and, with grace_made_up, by the whole minutes of
 * lateness within the grace.
 */
int effective_end_min(const struct day_hours *h, const struct work_settings *s, int grace_minutes,
                      int arrival_second);

#endif

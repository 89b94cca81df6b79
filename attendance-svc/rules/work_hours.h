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

/* The common DKI week: Mon-Thu 07:30-16:00, Fri 07:30-16:30. */
void work_week_default(struct work_week *week);

/* Parses "HH:MM" (00:00 to 23:59) into minutes; -1 if malformed. */
int parse_hhmm(const char *text);

/* Writes minutes after midnight as "HH:MM"; returns out. */
const char *format_hhmm(int minutes, char out[16]);

/* 0, or -1 with the reason (naming the weekday) in err. Start must be before end. */
int work_week_from_json(const json_t *obj, struct work_week *week, char *err, size_t err_len);
json_t *work_week_to_json(const struct work_week *week);

#endif

#include "work_hours.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

void work_week_default(struct work_week *week)
{
    memset(week, 0, sizeof *week);
    for (int d = WD_MON; d <= WD_FRI; d++) {
        week->works[d] = true;
        week->start_min[d] = 7 * 60 + 30;
        week->end_min[d] = d == WD_FRI ? 16 * 60 + 30 : 16 * 60;
    }
}

int parse_hhmm(const char *text)
{
    if (!text || strlen(text) != 5 || text[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (text[i] < '0' || text[i] > '9'))
            return -1;
    int h = (text[0] - '0') * 10 + (text[1] - '0');
    int m = (text[3] - '0') * 10 + (text[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

const char *format_hhmm(int minutes, char out[16])
{
    unsigned m = (unsigned)(((minutes % 1440) + 1440) % 1440);
    snprintf(out, 16, "%02u:%02u", m / 60, m % 60);
    return out;
}

int work_week_from_json(const json_t *obj, struct work_week *week, char *err, size_t err_len)
{
    if (!json_is_object(obj)) {
        snprintf(err, err_len, "work_hours must be an object of weekdays");
        return -1;
    }
    memset(week, 0, sizeof *week);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        int d = -1;
        for (int i = 0; i < 7; i++)
            if (strcmp(key, day_keys[i]) == 0)
                d = i;
        if (d < 0) {
            snprintf(err, err_len, "work_hours.%.8s is not a weekday (mon ... sun)", key);
            return -1;
        }
        int start = json_array_size(value) == 2 ? parse_hhmm(json_string_value(json_array_get(value, 0))) : -1;
        int end = json_array_size(value) == 2 ? parse_hhmm(json_string_value(json_array_get(value, 1))) : -1;
        if (start < 0 || end < 0 || start >= end) {
            snprintf(err, err_len, "work_hours.%s must be [\"HH:MM\", \"HH:MM\"] with the start before the end",
                     day_keys[d]);
            return -1;
        }
        week->works[d] = true;
        week->start_min[d] = start;
        week->end_min[d] = end;
    }
    return 0;
}

json_t *work_week_to_json(const struct work_week *week)
{
    json_t *obj = json_object();
    for (int d = 0; obj && d < 7; d++) {
        if (!week->works[d])
            continue;
        char start[16], end[16];
        json_object_set_new(obj, day_keys[d],
                            json_pack("[s, s]", format_hhmm(week->start_min[d], start),
                                      format_hhmm(week->end_min[d], end)));
    }
    return obj;
}

void work_settings_default(struct work_settings *s)
{
    *s = (struct work_settings){.in_from = -1, .in_to = -1, .out_from = -1, .out_to = -1};
}

/* One window ["HH:MM", "HH:MM"], its start not after its end; false if malformed. */
static bool window_from_json(const json_t *pair, int *from, int *to)
{
    if (!json_is_array(pair) || json_array_size(pair) != 2)
        return false;
    *from = parse_hhmm(json_string_value(json_array_get(pair, 0)));
    *to = parse_hhmm(json_string_value(json_array_get(pair, 1)));
    return *from >= 0 && *to >= *from;
}

int checkin_windows_from_json(const json_t *obj, struct work_settings *s, char *err, size_t err_len)
{
    s->in_from = s->in_to = s->out_from = s->out_to = -1;
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj)) {
        snprintf(err, err_len, "checkin_windows must be an object {\"in\": [\"HH:MM\", \"HH:MM\"], \"out\": [...]}");
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        bool is_in = strcmp(key, "in") == 0;
        if (!is_in && strcmp(key, "out") != 0) {
            snprintf(err, err_len, "checkin_windows.%.8s is neither in nor out", key);
            return -1;
        }
        if (!window_from_json(value, is_in ? &s->in_from : &s->out_from, is_in ? &s->in_to : &s->out_to)) {
            snprintf(err, err_len, "checkin_windows.%s must be [\"HH:MM\", \"HH:MM\"] with the first not after the second",
                     key);
            return -1;
        }
    }
    return 0;
}

json_t *checkin_windows_to_json(const struct work_settings *s)
{
    if (s->in_from < 0 && s->out_from < 0)
        return json_null();
    json_t *obj = json_object();
    char a[16], b[16];
    if (obj && s->in_from >= 0)
        json_object_set_new(obj, "in", json_pack("[s, s]", format_hhmm(s->in_from, a), format_hhmm(s->in_to, b)));
    if (obj && s->out_from >= 0)
        json_object_set_new(obj, "out", json_pack("[s, s]", format_hhmm(s->out_from, a), format_hhmm(s->out_to, b)));
    return obj;
}

bool checkin_within_window(const struct work_settings *s, bool is_in, int local_second)
{
    int from = is_in ? s->in_from : s->out_from, to = is_in ? s->in_to : s->out_to;
    /* The last minute is whole: 10:00:59 is within a window that ends at 10:00. */
    return from < 0 || (local_second >= from * 60 && local_second < (to + 1) * 60);
}

struct day_hours day_hours_of(const struct work_week *week, int weekday, bool holiday, bool rest_day,
                              int roster_start_min, int roster_end_min)
{
    struct day_hours h = {.works = false, .own_hours = false, .start_min = 0, .end_min = 0};
    if (rest_day)
        return h;
    if (roster_start_min >= 0 && roster_end_min >= 0) {
        h.works = h.own_hours = true;
        h.start_min = roster_start_min;
        h.end_min = roster_end_min > roster_start_min ? roster_end_min : roster_end_min + 1440;
        return h;
    }
    h.works = week->works[weekday] && !holiday;
    h.start_min = roster_start_min >= 0 ? roster_start_min : week->start_min[weekday];
    h.end_min = roster_end_min >= 0 ? roster_end_min : week->end_min[weekday];
    return h;
}

int overnight_end_min(int roster_start_min, int roster_end_min)
{
    return roster_start_min >= 0 && roster_end_min >= 0 && roster_end_min <= roster_start_min ? roster_end_min : -1;
}

bool belongs_to_previous_day(int previous_overnight_end_min, int local_second)
{
    return previous_overnight_end_min >= 0 && local_second < (previous_overnight_end_min + NIGHT_SHIFT_CARRY_MIN) * 60;
}

int effective_start_min(const struct day_hours *h, const struct work_settings *s, int arrival_second)
{
    if (arrival_second < 0 || s->flex_minutes <= 0)
        return h->start_min;
    int used = arrival_second / 60 - h->start_min;
    return h->start_min + (used < 0 ? 0 : used > s->flex_minutes ? s->flex_minutes : used);
}

int effective_end_min(const struct day_hours *h, const struct work_settings *s, int grace_minutes,
                      int arrival_second)
{
    int start = effective_start_min(h, s, arrival_second);
    int end = h->end_min + (start - h->start_min);
    if (s->grace_made_up && arrival_second >= 0) {
        int late = arrival_second / 60 - start;
        end += late < 0 ? 0 : late > grace_minutes ? grace_minutes : late;
    }
    return end;
}

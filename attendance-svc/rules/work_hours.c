#include "work_hours.h"

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

#include "dates.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

/* The value of n ASCII digits, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil(int64_t days, int *year, int *month, int *day)
{
    /* Howard Hinnant's civil_from_days, the inverse of days_from_civil. */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

int64_t date_days(int year, int month, int day) { return days_from_civil(year, month, day); }

int date_weekday(int64_t days) { return (int)(((days % 7) + 7 + 3) % 7); }

/* Parses the leading "YYYY-MM-DD" of text (which may go on). */
static int date_prefix(const char *s, int64_t *days)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > month_days[m - 1] + (m == 2 && leap))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

int date_parse(const char *text, int64_t *days)
{
    int64_t ignored;
    return text && strlen(text) == 10 ? date_prefix(text, days ? days : &ignored) : -1;
}

int rfc3339_parse_us(const char *s, int64_t *us)
{
    int64_t days;
    if (!s || date_prefix(s, &days) != 0 || (s[10] != 'T' && s[10] != 't') || strnlen(s, 20) < 20 || s[13] != ':' ||
        s[16] != ':')
        return -1;
    int hour = digits(s + 11, 2), minute = digits(s + 14, 2), second = digits(s + 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return -1;
    if (second == 60)
        second = 59;
    const char *p = s + 19;
    int64_t fraction = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 6)
                fraction = fraction * 10 + (*p - '0');
        if (n == 0 || n > 9)
            return -1;
        for (; n < 6; n++)
            fraction *= 10;
    }
    int offset_min;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset_min = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || om < 0 || oh > 15 || om > 59) /* PostgreSQL's range of offsets */
            return -1;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - (int64_t)offset_min * 60;
    *us = seconds * 1000000 + fraction;
    return 0;
}

int64_t wall_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t date_today(long offset_s)
{
    time_t now = time(NULL) + offset_s;
    return (int64_t)now / 86400 - (now < 0 && now % 86400 != 0);
}

/*
 * Dates and times as the API writes them: calendar dates "YYYY-MM-DD" and
 * RFC 3339 date-times with an offset. One strict parser for every handler,
 * so that a date means the same thing on every endpoint.
 */
#ifndef COMMON_DATES_H
#define COMMON_DATES_H

#include <stdint.h>

#define US_PER_DAY (86400LL * 1000000LL)

/* A date that exists (1900-01-01 to 9999-12-31) as days since 1970-01-01; 0 or -1. */
int date_parse(const char *text, int64_t *days);

/*
 * An RFC 3339 date-time with an offset ("2026-11-24T07:31:05.25+07:00"; "T"
 * and "Z" in either case; up to 9 fraction digits, kept to the microsecond; a
 * leap second is read as the second before it) as microseconds since the Unix
 * epoch; 0 or -1.
 */
int rfc3339_parse_us(const char *text, int64_t *us);

/* The year, month (1-12) and day of days since 1970-01-01. */
void date_civil(int64_t days, int *year, int *month, int *day);
/* Days since 1970-01-01 of a date (not checked: 2023-02-31 is 2023-03-03). */
int64_t date_days(int year, int month, int day);
/* The ISO weekday less one (0 Monday ... 6 Sunday: rules/work_hours.h's enum weekday) of days since 1970-01-01. */
int date_weekday(int64_t days);

/* Today's date in UTC as days since 1970-01-01, shifted by offset_s. */
int64_t date_today(long offset_s);

/* The wall clock now, in milliseconds since 1970-01-01T00:00Z. */
int64_t wall_clock_ms(void);

#endif

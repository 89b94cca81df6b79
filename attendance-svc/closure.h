/*
 * The nightly closure of a day (issue 6): flags ABSENT and NO_CHECKOUT once,
 * however often it runs. `attendance-svc close-day --date D` runs it alone;
 * the nightly export runs it first.
 */
#ifndef ATTENDANCE_CLOSURE_H
#define ATTENDANCE_CLOSURE_H

#include "db.h"

struct closure_counts {
    long absent, no_checkout; /* flagged by this run */
    long units_open;          /* units where the day is not over yet: left for a later run */
};

/* Closes day (YYYY-MM-DD, unit-local) in one transaction; DB_OK or why not. */
enum db_status closure_run(struct db_conn *db, const char *day, struct closure_counts *out);

#endif

#include "closure.h"

#include "dates.h"
#include "log.h"
#include "store/store_closure.h"

#include <stdio.h>
#include <time.h>

/*
 * Three transactions. The day is marked closed first and committed: a
 * check-in judged from then on sees it (its facts' generation changed) and is
 * stored as after_closure, counting for nothing. Then the closure waits for
 * the check-ins already being stored, which were judged before, to commit.
 * Only then are ABSENT and NO_CHECKOUT flagged, on every check-in that counts.
 * Run again after a failure, each step is idempotent.
 */
static enum db_status close_one_day(struct db_conn *db, const char *day, bool night_units_only,
                                    struct closure_counts *out)
{
    *out = (struct closure_counts){0};
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        st = store_closure_mark_closed(db, day, night_units_only);
    if (st == DB_OK)
        st = db_commit(db);
    if (st == DB_OK)
        st = db_begin(db);
    if (st == DB_OK)
        st = store_closure_wait_for_checkins(db);
    if (st == DB_OK)
        st = db_commit(db);
    if (st == DB_OK)
        st = db_begin(db);
    if (st == DB_OK)
        st = store_closure_units_open(db, day, &out->units_open);
    if (st == DB_OK)
        st = store_closure_absent(db, day, night_units_only, &out->absent);
    if (st == DB_OK)
        st = store_closure_no_checkout(db, day, night_units_only, &out->no_checkout);
    if (st == DB_OK)
        st = db_commit(db);
    if (st != DB_OK)
        db_rollback(db);
    else
        log_fields(LOG_LEVEL_INFO, "closure: day closed",
                   json_pack("{s:s, s:I, s:I, s:I}", "day", day, "absent_flagged", (json_int_t)out->absent,
                             "no_checkout_flagged", (json_int_t)out->no_checkout, "units_not_over_yet",
                             (json_int_t)out->units_open));
    return st;
}

/* The date before day (YYYY-MM-DD) into out; false if day is no date. */
static bool day_before(const char *day, char out[11])
{
    int64_t days;
    if (date_parse(day, &days) != 0)
        return false;
    time_t t = (time_t)((days - 1) * 86400);
    struct tm tm;
    return gmtime_r(&t, &tm) && strftime(out, 11, "%Y-%m-%d", &tm) == 10;
}

/*
 * A unit's day with a night shift is over only the next morning, after the
 * nightly of that day ran: the units with a night shift the day before are
 * closed first, which closes what that nightly left open and adds nothing to
 * what it closed (each step flags once).
 */
enum db_status closure_run(struct db_conn *db, const char *day, struct closure_counts *out)
{
    char before[11];
    struct closure_counts earlier = {0};
    enum db_status st = day_before(day, before) ? close_one_day(db, before, true, &earlier) : DB_OK;
    if (st != DB_OK)
        return st;
    st = close_one_day(db, day, false, out);
    out->absent += earlier.absent;
    out->no_checkout += earlier.no_checkout;
    return st;
}

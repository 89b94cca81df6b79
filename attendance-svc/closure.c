#include "closure.h"

#include "log.h"
#include "store/store_closure.h"

/*
 * Three transactions. The day is marked closed first and committed: a
 * check-in judged from then on sees it (its facts' generation changed) and is
 * stored as after_closure, counting for nothing. Then the closure waits for
 * the check-ins already being stored, which were judged before, to commit.
 * Only then are ABSENT and NO_CHECKOUT flagged, on every check-in that counts.
 * Run again after a failure, each step is idempotent.
 */
enum db_status closure_run(struct db_conn *db, const char *day, struct closure_counts *out)
{
    *out = (struct closure_counts){0};
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        st = store_closure_mark_closed(db, day);
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
        st = store_closure_absent(db, day, &out->absent);
    if (st == DB_OK)
        st = store_closure_no_checkout(db, day, &out->no_checkout);
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

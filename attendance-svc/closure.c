#include "closure.h"

#include "log.h"
#include "store/store_closure.h"

enum db_status closure_run(struct db_conn *db, const char *day, struct closure_counts *out)
{
    *out = (struct closure_counts){0};
    enum db_status st = db_begin(db);
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

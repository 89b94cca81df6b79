/*
 * The nightly closure's statements (store_closure.c).
 */
#ifndef ATTENDANCE_STORE_CLOSURE_H
#define ATTENDANCE_STORE_CLOSURE_H

#include "store.h"

/*
 * Marks day closed (closed_days) in every unit where it is over: a check-in
 * judged on it from then on is stored as after_closure. Once; later runs keep
 * the first closed_at. With night_units_only, each of these three touches only the
 * units with a night shift that day (the nightly of the day after closes those).
 */
enum db_status store_closure_mark_closed(struct db_conn *db, const char *day, bool night_units_only);

/*
 * Waits, in the caller's transaction, until every check-in being stored has
 * committed (a lock that inserts hold until they commit); new ones wait too
 * while it is held, so commit at once.
 */
enum db_status store_closure_wait_for_checkins(struct db_conn *db);

/*
 * Flags ABSENT for day (unit-local) in every unit where the day is over and is a
 * work day: each employee that belonged to the unit when the day began and has
 * no arrival that day. Once per employee and day, however often it runs.
 */
enum db_status store_closure_absent(struct db_conn *db, const char *day, bool night_units_only, long *flagged);
/* Flags NO_CHECKOUT for each employee whose last "in" of day that counts has no later "out" that counts; once, likewise. */
enum db_status store_closure_no_checkout(struct db_conn *db, const char *day, bool night_units_only, long *flagged);
/* How many units have not reached the end of day yet (in their own time zone). */
enum db_status store_closure_units_open(struct db_conn *db, const char *day, long *open);

#endif

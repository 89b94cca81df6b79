/*
 * The nightly closure's statements (store_closure.c).
 */
#ifndef ATTENDANCE_STORE_CLOSURE_H
#define ATTENDANCE_STORE_CLOSURE_H

#include "store.h"

/*
 * Flags ABSENT for day (unit-local) in every unit where the day is over and is a
 * work day: each employee that belonged to the unit when the day began and has
 * no "in" that day. Once per employee and day, however often it runs.
 */
enum db_status store_closure_absent(struct db_conn *db, const char *day, long *flagged);
/* Flags NO_CHECKOUT for each employee whose last "in" of day has no later "out"; once, likewise. */
enum db_status store_closure_no_checkout(struct db_conn *db, const char *day, long *flagged);
/* How many units have not reached the end of day yet (in their own time zone). */
enum db_status store_closure_units_open(struct db_conn *db, const char *day, long *open);

#endif

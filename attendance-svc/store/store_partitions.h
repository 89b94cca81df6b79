/*
 * The monthly partitions of checkins, violations and selfies (sql/0015) and
 * the selfie retention's statements (store_partitions.c).
 */
#ifndef ATTENDANCE_STORE_PARTITIONS_H
#define ATTENDANCE_STORE_PARTITIONS_H

#include "store.h"

/*
 * Makes the monthly partitions of the current month and the next two
 * (idempotent): *made is how many were missing;
 * *stray how many rows sit in the default partitions (0 when every month has its own).
 */
enum db_status store_partitions_make(struct db_conn *db, long *made, long *stray);

/*
 * Up to max hashes (into hashes, *count of them) of selfie files past their
 * retention: every record of them is of a day more than `days` before day
 * (YYYY-MM-DD), and some is not marked purged yet.
 */
enum db_status store_selfies_to_purge(struct db_conn *db, const char *day, unsigned days, size_t max,
                                      char (*hashes)[65], size_t *count);

/* Marks purged the records of those days of the count hashes given; *marked is how many. */
enum db_status store_selfies_mark_purged(struct db_conn *db, const char *day, unsigned days, char (*hashes)[65],
                                         size_t count, long *marked);

#endif

/*
 * What the nightly job does for the data's growth (docs/scaling.md): the
 * monthly partitions made ahead, and the selfie retention.
 */
#ifndef ATTENDANCE_RETENTION_H
#define ATTENDANCE_RETENTION_H

#include "db.h"

/* Makes the partitions of this month and the next two, if missing; 0, or -1 (logged). */
int partitions_make_ahead(struct db_conn *db);

/*
 * Deletes from the selfie store dir the selfies of days more than `days`
 * before day (YYYY-MM-DD) and marks their records purged; days 0 keeps all.
 * A file is deleted before its records are marked, so a run cut short
 * leaves nothing marked that is still stored, and the next run finishes it.
 * 0, or -1 (logged).
 */
int selfie_retention_run(struct db_conn *db, const char *dir, const char *day, unsigned days);

#endif

/*
 * What discipline accumulation reads (store_discipline.c).
 */
#ifndef ATTENDANCE_STORE_DISCIPLINE_H
#define ATTENDANCE_STORE_DISCIPLINE_H

#include "store.h"

/*
 * An employee's year, counting violations not dismissed: {"absent_days",
 * "late_minutes", "early_minutes", "gaps": [work days between each ABSENT day
 * and the one before, by day], "minutes_per_day", "thresholds": [{"kind",
 * "min_days", "severity", "sanction", "level", "regulation"}]} with the
 * thresholds and minutes per day in force that year.
 */
json_t *store_discipline_year(struct db_conn *db, long long employee_id, int year, enum db_status *status);

#endif

/*
 * What discipline accumulation reads (store_discipline.c).
 */
#ifndef ATTENDANCE_STORE_DISCIPLINE_H
#define ATTENDANCE_STORE_DISCIPLINE_H

#include "store.h"

/*
 * An employee's year, counting violations not dismissed: {"confirmed_days",
 * "pending_days", "minutes": [{"day", "late", "early", "confirmed"}] of each
 * LATE_ARRIVAL, counted EARLY_DEPARTURE and NO_CHECKOUT, "absences": [{"day",
 * "between": work days since the confirmed ABSENT before}] from a month either
 * side of the year, "minutes_per_day" (the divisor in force at the year's
 * end), "divisors": [{"in_force_from", "minutes", "regulation"}], "thresholds":
 * [{"kind", "min_days", "severity", "sanction", "level", "regulation",
 * "article", "in_force_from", "in_force_to", "status"}] of every ladder in
 * force during the year for its status, "status"}.
 */
json_t *store_discipline_year(struct db_conn *db, long long employee_id, int year, enum db_status *status);

#endif

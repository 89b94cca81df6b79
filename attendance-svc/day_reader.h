/*
 * The day reader: a thread that reads units' days and their employees' facts
 * into the check-in context cache (checkin/context.h) ahead of their
 * check-ins, so that an employee's first check-in of the day finds its facts
 * cached, as a phone checking in again does, and the morning costs what the
 * rest of the day costs (issue 21). It reads:
 *
 *  - every unit with an active device, when the service starts and when the
 *    unit's local day has turned (looked for every scan_s seconds), while the
 *    cache has room for it;
 *  - a unit asked for with day_reader_ask(unit, 0): one whose day a check-in
 *    found not cached (a setup change bumped the generation, a new unit);
 *  - an employee asked for with day_reader_ask(unit, employee): one whose
 *    device was just enrolled, which the unit's day read earlier lacks.
 *
 * Only ever a gain: what it reads is used under checkin_insert's guard like
 * every cached fact, and what it did not read a check-in reads for itself.
 */
#ifndef ATTENDANCE_DAY_READER_H
#define ATTENDANCE_DAY_READER_H

#include "db.h"

struct day_reader;

/*
 * Starts the thread on pool's connections, scanning every scan_s seconds (0:
 * asks only); NULL (logged) when it cannot start: the cache then fills at the
 * check-ins.
 */
struct day_reader *day_reader_start(struct db_pool *pool, unsigned scan_s);

/* Stops the thread after the read in hand; r may be NULL. */
void day_reader_stop(struct day_reader *r);

/*
 * Asks for unit_id's day of today to be read, all its employees (employee_id
 * 0) or the one; returns at once. A unit has one ask waiting at most, which
 * gathers the employees asked for meanwhile (past a few dozen, or with an ask
 * for all, it is the whole unit's). When too many units wait, this one is
 * dropped (its check-ins read for themselves then). r may be NULL (no reader:
 * nothing happens).
 */
void day_reader_ask(struct day_reader *r, long long unit_id, long long employee_id);

#endif

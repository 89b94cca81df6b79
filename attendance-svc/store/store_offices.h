/*
 * Offices and their geofences (store_offices.c).
 */
#ifndef ATTENDANCE_STORE_OFFICES_H
#define ATTENDANCE_STORE_OFFICES_H

#include "store.h"

/*
 * Inserts an office of unit_id with its code (NULL: none) and geofence (the
 * normalised JSON text) and returns its document; NULL with *status DB_OK when
 * there is no such unit, DB_UNIQUE_VIOLATION when the code is taken.
 */
json_t *store_office_insert(struct db_conn *db, long long unit_id, const char *name, const char *code,
                            const char *geofence_json, enum db_status *status);
/* The office's document if it exists and the caller may see its unit; else NULL (with DB_OK). */
json_t *store_office_get(struct db_conn *db, const struct auth *a, long long office_id, enum db_status *status);
/*
 * The offices the caller may see, of unit_id only unless it is 0, after the
 * cursor, limit of them at most.
 */
json_t *store_office_list(struct db_conn *db, const struct auth *a, long long unit_id, long long after, int limit,
                          enum db_status *status);

#endif

/*
 * Health and readiness (store_health.c).
 */
#ifndef ATTENDANCE_STORE_HEALTH_H
#define ATTENDANCE_STORE_HEALTH_H

#include "store.h"

/* The newest migration version applied, or -1 with *status set. */
int store_schema_version(struct db_conn *conn, enum db_status *status);

#endif

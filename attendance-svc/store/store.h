/*
 * The database behind one interface. Each store_*.c file owns the prepared
 * statements of one table group (their SQL sits next to the C that binds them)
 * and exports them in a set; store_statement_sets lists every set, and the pool
 * prepares them all on each connection. Nothing outside store/ writes SQL.
 */
#ifndef ATTENDANCE_STORE_H
#define ATTENDANCE_STORE_H

#include "db.h"

extern const struct db_statement *const store_statement_sets[];

/* store_health.c */
/* The newest migration version applied, or -1 with *status set. */
int store_schema_version(struct db_conn *conn, enum db_status *status);

#endif

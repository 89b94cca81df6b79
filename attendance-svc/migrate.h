/*
 * Schema migrations: the numbered files NNNN_name.sql of the SQL directory,
 * applied in order, each in its own transaction, and recorded (with the
 * SHA-256 of the file) in schema_migrations. A file that fails is rolled back
 * and stops the run; a file changed after it was applied is refused.
 */
#ifndef ATTENDANCE_MIGRATE_H
#define ATTENDANCE_MIGRATE_H

struct config;

/* `attendance-svc migrate`: applies what is pending. Returns the exit status. */
int migrate_run(const struct config *cfg);

/*
 * For `serve`: 0 when every migration file has been applied (*latest is the
 * newest version), -1 after logging why not (schema behind, database
 * unreachable within wait_s seconds, unreadable directory).
 */
int migrate_check_current(const struct config *cfg, unsigned wait_s, int *latest);

#endif

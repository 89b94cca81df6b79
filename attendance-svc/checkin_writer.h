/*
 * The check-in writer: check-ins that arrive together are stored together.
 * A request that has judged its check-in hands the row here; if fewer than
 * CHECKIN_WRITERS batches are being written, it writes the oldest waiting rows
 * (its own among them, up to CHECKIN_BATCH_MAX, one per employee) in one
 * statement on its own connection; else it waits until a writer has stored
 * its row or it may write. Alone, a check-in is written at once, as before;
 * under load, the statement's start, its commit and its round trip are shared
 * by the batch (docs/performance.md, "Check-ins stored together").
 */
#ifndef ATTENDANCE_CHECKIN_WRITER_H
#define ATTENDANCE_CHECKIN_WRITER_H

#include "store/store_checkins.h"

/* Batches written at once: one executing while another's commit waits on the disk. */
#define CHECKIN_WRITERS 2
#define CHECKIN_BATCH_MAX 32

struct checkin_writer;

/* NULL out of memory. */
struct checkin_writer *checkin_writer_new(void);
void checkin_writer_free(struct checkin_writer *w);

/*
 * Stores row as store_checkin_insert_batch stores one (the same results), in a
 * batch written on db or on another waiting request's connection.
 */
enum checkin_stored checkin_writer_store(struct checkin_writer *w, struct db_conn *db, const struct checkin_row *row,
                                         json_t **stored, enum db_status *status);

#endif

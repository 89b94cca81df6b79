/*
 * The check-in writer (see checkin_writer.h): a queue of rows under one lock,
 * and whichever waiting request may write takes the oldest ones.
 */
#include "checkin_writer.h"

#include "metrics.h"

#include <pthread.h>
#include <stdlib.h>

/* A request's row while it waits, on the request's stack. */
struct slot {
    const struct checkin_row *row;
    struct checkin_outcome outcome;
    enum db_status status;
    bool taken; /* in a batch being written: it waits for done alone */
    bool done;
    pthread_cond_t wake; /* done, or the slot is first in the queue and may write */
    struct slot *next;
};

struct checkin_writer {
    pthread_mutex_t lock;
    struct slot *head, **tail; /* waiting, oldest first */
    unsigned writing;          /* batches being written */
};

struct checkin_writer *checkin_writer_new(void)
{
    struct checkin_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    w->tail = &w->head;
    return w;
}

void checkin_writer_free(struct checkin_writer *w)
{
    if (!w)
        return;
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* Takes up to CHECKIN_BATCH_MAX of the oldest waiting slots, one per employee, into batch; under the lock. */
static size_t take_batch_locked(struct checkin_writer *w, struct slot **batch)
{
    size_t n = 0;
    for (struct slot **at = &w->head; *at && n < CHECKIN_BATCH_MAX;) {
        struct slot *s = *at;
        bool same_employee = false;
        for (size_t i = 0; i < n && !same_employee; i++)
            same_employee = batch[i]->row->employee_id == s->row->employee_id;
        if (same_employee) { /* its history may be this batch's: stored after it, in a later batch */
            at = &s->next;
            continue;
        }
        *at = s->next;
        s->taken = true;
        batch[n++] = s;
    }
    w->tail = &w->head;
    while (*w->tail)
        w->tail = &(*w->tail)->next;
    return n;
}

/*
 * Writes the batch on db. A statement that failed for one row's sake (a claim
 * taken, a constraint) fails them all: each is then written alone, so that it
 * gets its own result. A lost connection is every row's answer.
 */
static void write_batch(struct db_conn *db, struct slot **batch, size_t n)
{
    const struct checkin_row *rows[CHECKIN_BATCH_MAX];
    struct checkin_outcome outcomes[CHECKIN_BATCH_MAX];
    for (size_t i = 0; i < n; i++)
        rows[i] = batch[i]->row;
    enum db_status st;
    metrics_checkin_batch(n);
    store_checkin_insert_batch(db, rows, n, outcomes, &st);
    if (st != DB_OK && st != DB_UNAVAILABLE && n > 1) {
        for (size_t i = 0; i < n; i++)
            store_checkin_insert_batch(db, &rows[i], 1, &batch[i]->outcome, &batch[i]->status);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        batch[i]->status = st;
        batch[i]->outcome = outcomes[i];
    }
}

enum checkin_stored checkin_writer_store(struct checkin_writer *w, struct db_conn *db, const struct checkin_row *row,
                                         json_t **stored, enum db_status *status)
{
    struct slot me = {.row = row};
    pthread_cond_init(&me.wake, NULL);
    pthread_mutex_lock(&w->lock);
    *w->tail = &me;
    w->tail = &me.next;
    while (!me.done) {
        /* A slot woken to write may have been taken meanwhile by another writer, with the queue now empty. */
        if (me.taken || w->writing >= CHECKIN_WRITERS) {
            pthread_cond_wait(&me.wake, &w->lock);
            continue;
        }
        struct slot *batch[CHECKIN_BATCH_MAX];
        size_t n = take_batch_locked(w, batch);
        w->writing++;
        pthread_mutex_unlock(&w->lock);
        write_batch(db, batch, n);
        pthread_mutex_lock(&w->lock);
        w->writing--;
        for (size_t i = 0; i < n; i++) {
            batch[i]->done = true;
            pthread_cond_signal(&batch[i]->wake);
        }
        /* Rows wait that no writer took: the oldest may write now, as many as may write. */
        unsigned may_write = CHECKIN_WRITERS - w->writing;
        for (struct slot *s = w->head; s && may_write; s = s->next, may_write--)
            pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&w->lock);
    pthread_cond_destroy(&me.wake);
    *status = me.status;
    *stored = me.outcome.stored;
    return me.outcome.result;
}

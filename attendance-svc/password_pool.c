/*
 * The password pool (see password_pool.h): a FIFO of jobs under one lock,
 * taken by a fixed set of threads.
 */
#include "password_pool.h"

#include "auth.h"
#include "log.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct password_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct password_job *head, *tail;
    bool stopping;
    unsigned wait_ms, thread_count;
    pthread_t threads[];
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_job(struct password_job *job)
{
    bool needs_rehash = false;
    job->new_hash[0] = '\0';
    switch (job->kind) {
    case PASSWORD_VERIFY:
        job->ok = password_verify(job->hash, job->password, &needs_rehash);
        if (job->ok && needs_rehash && password_hash(job->password, job->new_hash) != 0)
            job->new_hash[0] = '\0'; /* the rehash waits for the next login */
        break;
    case PASSWORD_VERIFY_DUMMY:
        password_verify_dummy(job->password);
        job->ok = false;
        break;
    case PASSWORD_CHANGE:
        job->ok = password_verify(job->hash, job->password, &needs_rehash);
        job->weakness = job->ok ? password_weakness(job->new_password, job->username, job->password) : NULL;
        if (job->ok && !job->weakness && password_hash(job->new_password, job->new_hash) != 0) {
            job->new_hash[0] = '\0';
            job->hash_failed = true;
        }
        break;
    }
}

static void *worker(void *arg)
{
    struct password_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->head && !pool->stopping)
            pthread_cond_wait(&pool->wake, &pool->lock);
        struct password_job *job = pool->head;
        if (!job)
            break; /* stopping, and nothing left */
        pool->head = job->next;
        if (!pool->head)
            pool->tail = NULL;
        pthread_mutex_unlock(&pool->lock);
        int64_t waited_ms = monotonic_ms() - job->queued_ms;
        job->timed_out = waited_ms > (int64_t)pool->wait_ms;
        if (job->timed_out)
            log_warn("password: a hash waited %lld ms for a thread (ATTENDANCE_PASSWORD_WAIT_MS %u): answered 503",
                     (long long)waited_ms, pool->wait_ms);
        else
            run_job(job);
        job->done(job->cls); /* the job may be freed from here on */
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

struct password_pool *password_pool_start(unsigned threads, unsigned wait_ms)
{
    struct password_pool *pool = calloc(1, sizeof *pool + threads * sizeof(pthread_t));
    if (!pool)
        return NULL;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->wait_ms = wait_ms;
    password_init(); /* the dummy hash, before the first login needs it */
    /* The workers take no signal: SIGTERM is the main thread's, by sigwait (a worker would die of it). */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    bool started = true;
    for (; started && pool->thread_count < threads; pool->thread_count++)
        started = pthread_create(&pool->threads[pool->thread_count], NULL, worker, pool) == 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (!started) {
        pool->thread_count--;
        log_error("password: cannot start the hashing threads (%u of %u started)", pool->thread_count, threads);
        password_pool_stop(pool);
        return NULL;
    }
    return pool;
}

void password_pool_stop(struct password_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->thread_count; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

void password_pool_submit(struct password_pool *pool, struct password_job *job)
{
    job->queued_ms = monotonic_ms();
    job->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->tail)
        pool->tail->next = job;
    else
        pool->head = job;
    pool->tail = job;
    pthread_cond_signal(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
}

/*
 * Token buckets in a fixed, set-associative table (see rate_limit.h).
 *
 * A bucket holds up to burst tokens and gains per_minute of them a minute; a
 * request takes one. Sets are guarded by striped mutexes, so two threads
 * contend only when their keys fall in sets of the same stripe.
 */
#include "rate_limit.h"

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAYS 8     /* entries per set */
#define STRIPES 64 /* mutexes */

struct bucket {
    uint64_t key_hash; /* 0: a free entry */
    uint64_t used_ms;  /* when a request last took from it */
    double tokens;
};

struct rate_limiter {
    double per_ms; /* tokens gained per millisecond */
    double burst;
    size_t sets;   /* a power of two */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    pthread_mutex_t locks[STRIPES];
    struct bucket buckets[]; /* sets * WAYS */
};

struct rate_limiter *rate_limiter_new(unsigned per_minute, unsigned burst, size_t entries)
{
    if (per_minute == 0)
        return NULL;
    size_t sets = 1;
    while (sets * WAYS < entries)
        sets *= 2;
    struct rate_limiter *rl = calloc(1, sizeof *rl + sets * WAYS * sizeof(struct bucket));
    if (!rl)
        return NULL;
    rl->per_ms = per_minute / 60000.0;
    rl->burst = burst ? burst : 1;
    rl->sets = sets;
    randombytes_buf(rl->hash_key, sizeof rl->hash_key);
    for (size_t i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    return rl;
}

void rate_limiter_free(struct rate_limiter *rl)
{
    if (!rl)
        return;
    for (size_t i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl);
}

unsigned rate_limiter_take(struct rate_limiter *rl, const void *key, size_t key_len, uint64_t now_ms)
{
    if (!rl)
        return 0;
    unsigned char digest[crypto_shorthash_BYTES];
    crypto_shorthash(digest, key, key_len, rl->hash_key);
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof digest; i++)
        h = h << 8 | digest[i];
    if (h == 0)
        h = 1; /* 0 marks a free entry */
    size_t set = (size_t)h & (rl->sets - 1);
    struct bucket *ways = &rl->buckets[set * WAYS];
    pthread_mutex_t *lock = &rl->locks[set % STRIPES];

    pthread_mutex_lock(lock);
    struct bucket *b = NULL, *oldest = &ways[0];
    for (size_t i = 0; i < WAYS && !b; i++) {
        if (ways[i].key_hash == h)
            b = &ways[i];
        else if (ways[i].key_hash == 0 || (oldest->key_hash != 0 && ways[i].used_ms < oldest->used_ms))
            oldest = &ways[i];
    }
    if (!b) {
        b = oldest;
        *b = (struct bucket){.key_hash = h, .used_ms = now_ms, .tokens = rl->burst};
    }
    if (now_ms > b->used_ms) {
        b->tokens += (double)(now_ms - b->used_ms) * rl->per_ms;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
    }
    b->used_ms = now_ms > b->used_ms ? now_ms : b->used_ms;
    unsigned wait_s = 0;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        double wait_s_exact = (1.0 - b->tokens) / rl->per_ms / 1000.0;
        wait_s = wait_s_exact < 1.0 ? 1 : (unsigned)ceil(wait_s_exact);
    }
    pthread_mutex_unlock(lock);
    return wait_s;
}

uint64_t rate_limit_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

size_t rate_limit_address_key(const char *address, unsigned char key[8])
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, address, &a4) == 1) {
        memcpy(key, &a4, 4);
        return 4;
    }
    if (inet_pton(AF_INET6, address, &a6) != 1)
        return 0;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(key, a6.s6_addr + 12, 4);
        return 4;
    }
    memcpy(key, a6.s6_addr, 8);
    return 8;
}

void rate_limit_address_text(const char *address, char out[RATE_LIMIT_ADDRESS_TEXT])
{
    unsigned char key[8];
    struct in6_addr prefix = {0};
    out[0] = '\0';
    switch (rate_limit_address_key(address, key)) {
    case 4:
        inet_ntop(AF_INET, key, out, RATE_LIMIT_ADDRESS_TEXT);
        break;
    case 8:
        memcpy(prefix.s6_addr, key, 8);
        if (inet_ntop(AF_INET6, &prefix, out, RATE_LIMIT_ADDRESS_TEXT - 4))
            strcat(out, "/64");
        break;
    }
}

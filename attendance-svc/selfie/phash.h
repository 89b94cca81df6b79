/*
 * A selfie's 64-bit perceptual hash, and the search for near copies
 * (CONTRACT.md: SELFIE_REUSED for a Hamming distance of at most
 * selfie_match_bits to a selfie of the last 90 days). Pure.
 *
 * The hash is the DCT hash: the grey picture averaged down to 32 x 32, its
 * 2-D DCT, and of the 8 x 8 lowest frequencies but the first row and column
 * (the mean and the pure gradients, which brightening and lighting move) one
 * bit each: above their median or not. Re-encoding, rescaling, light crops and
 * brightening move few bits; another picture about half of them.
 *
 * The search is multi-index hashing: the hash in PHASH_PARTS parts (21, 21
 * and 22 bits), each B-tree indexed (sql/0030). Two hashes within r bits agree
 * within floor(r / PHASH_PARTS) bits on at least one part (pigeonhole), so the
 * candidates are the rows whose part equals one of the values that close to
 * the query's part: 232 + 232 + 254 probes for r = 8, whatever the number of
 * hashes kept, and about that many times rows / 2^21 candidates.
 */
#ifndef ATTENDANCE_SELFIE_PHASH_H
#define ATTENDANCE_SELFIE_PHASH_H

#include "image.h"

#include <stddef.h>
#include <stdint.h>

#define PHASH_PARTS 3
#define PHASH_MATCH_BITS_MAX 11 /* radius 3 in a part: 1 + 22 + 231 + 1540 probes; more grows combinatorially */
#define PHASH_PROBES_MAX 1800   /* of one part, at PHASH_MATCH_BITS_MAX */

uint64_t phash_of(const struct grey_image *image);

int phash_distance(uint64_t a, uint64_t b);

/* Part i (0 most significant) of the hash, as sql/0030's generated columns make it. */
uint32_t phash_part(uint64_t hash, int i);

/*
 * The values of part i within floor(match_bits / PHASH_PARTS) bits of the
 * hash's, into out (PHASH_PROBES_MAX at most); how many.
 */
size_t phash_probes(uint64_t hash, int i, int match_bits, uint32_t *out);

#endif

/* The perceptual hash, its parts and probes (selfie/phash.c) and the decoder's refusals (selfie/image.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "selfie/image.h"
#include "selfie/phash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A picture of a few soft blobs on a gradient, drawn by a seeded generator; brightness added, clipped. */
static struct grey_image picture(unsigned seed, unsigned width, unsigned height, int brighter)
{
    struct grey_image im = {width, height, malloc((size_t)width * height)};
    assert_non_null(im.pixels);
    srand(seed);
    double cx[6], cy[6], r[6], v[6];
    for (int k = 0; k < 6; k++)
        cx[k] = rand() % 1000 / 1000.0, cy[k] = rand() % 1000 / 1000.0, r[k] = 0.05 + rand() % 200 / 1000.0,
        v[k] = rand() % 200 - 100;
    for (unsigned y = 0; y < height; y++)
        for (unsigned x = 0; x < width; x++) {
            double fx = (double)x / width, fy = (double)y / height, p = 60 + 120 * fx;
            for (int k = 0; k < 6; k++)
                p += v[k] * exp(-((fx - cx[k]) * (fx - cx[k]) + (fy - cy[k]) * (fy - cy[k])) / (r[k] * r[k]));
            p += brighter;
            im.pixels[(size_t)y * width + x] = (unsigned char)(p < 0 ? 0 : p > 255 ? 255 : p);
        }
    return im;
}

static uint64_t hash_of(unsigned seed, unsigned width, unsigned height, int brighter)
{
    struct grey_image im = picture(seed, width, height, brighter);
    uint64_t h = phash_of(&im);
    free(im.pixels);
    return h;
}

static void near_copies_are_near_and_others_far(void **state)
{
    (void)state;
    uint64_t original = hash_of(1, 640, 480, 0);
    assert_true(phash_distance(original, hash_of(1, 320, 240, 0)) <= 4);   /* rescaled */
    assert_true(phash_distance(original, hash_of(1, 640, 480, 25)) <= 6);  /* brightened */
    for (unsigned seed = 2; seed < 12; seed++)
        assert_true(phash_distance(original, hash_of(seed, 640, 480, 0)) > 12);
    /* Half the bits are set: the median splits them. */
    assert_int_equal(__builtin_popcountll(original), 32);
}

static void parts_cover_the_hash_and_probes_find_every_near_value(void **state)
{
    (void)state;
    uint64_t h = 0xF0E1D2C3B4A59687ull;
    assert_int_equal(phash_part(h, 0), (uint32_t)(h >> 43));
    assert_int_equal(phash_part(h, 1), (uint32_t)(h >> 22 & 0x1FFFFF));
    assert_int_equal(phash_part(h, 2), (uint32_t)(h & 0x3FFFFF));
    static uint32_t probes[PHASH_PROBES_MAX];
    assert_int_equal(phash_probes(h, 0, 8, probes), 1 + 21 + 210);
    assert_int_equal(phash_probes(h, 2, 8, probes), 1 + 22 + 231);
    assert_int_equal(phash_probes(h, 2, 2, probes), 1);
    assert_int_equal(phash_probes(h, 2, PHASH_MATCH_BITS_MAX, probes), 1 + 22 + 231 + 1540);
    /* Any hash within 8 bits has a part among the probes: flip 8 bits anywhere, many ways. */
    srand(7);
    for (int trial = 0; trial < 2000; trial++) {
        uint64_t other = h;
        for (int k = 0; k < 8; k++)
            other ^= 1ull << (rand() % 64);
        int found = 0;
        for (int i = 0; i < PHASH_PARTS && !found; i++) {
            size_t n = phash_probes(h, i, 8, probes);
            for (size_t j = 0; j < n && !found; j++)
                found = probes[j] == phash_part(other, i);
        }
        assert_true(found);
    }
}

static void the_decoder_refuses_what_is_not_an_image_or_too_large(void **state)
{
    (void)state;
    struct grey_image im;
    const unsigned char garbage[] = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(image_decode_grey(garbage, sizeof garbage, &im), IMAGE_UNDECODABLE);
    assert_null(im.pixels);
    assert_int_equal(image_decode_grey((const unsigned char *)"GIF89a", 6, &im), IMAGE_UNDECODABLE);
    /* A PNG whose header declares 100000 x 100000 pixels (a decompression bomb): refused from the header. */
    static const unsigned char bomb[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x01,
        0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 0x08, 0x00, 0x00, 0x00, 0x00, 0x8d, 0x39, 0x54, 0x14, 0x00, 0x00, 0x00,
        0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0xa0, 0x0c, 0x00, 0x00, 0x00, 0x40, 0x00, 0x01, 0xb7,
        0x34, 0x7c, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    assert_int_equal(image_decode_grey(bomb, sizeof bomb, &im), IMAGE_TOO_LARGE);
    assert_null(im.pixels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(near_copies_are_near_and_others_far),
        cmocka_unit_test(parts_cover_the_hash_and_probes_find_every_near_value),
        cmocka_unit_test(the_decoder_refuses_what_is_not_an_image_or_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

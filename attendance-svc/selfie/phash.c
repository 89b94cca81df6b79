/*
 * The perceptual hash and its probes (see phash.h).
 */
#include "phash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIDE 32
#define LOW 8

static const int part_bits[PHASH_PARTS] = {21, 21, 22};
static const int part_shift[PHASH_PARTS] = {43, 22, 0};

/* Averages the picture down to SIDE x SIDE: each cell the mean of the pixels whose centres fall in it. */
static void shrink(const struct grey_image *image, double cells[SIDE][SIDE])
{
    double sums[SIDE][SIDE] = {{0}};
    unsigned counts[SIDE][SIDE] = {{0}};
    for (unsigned y = 0; y < image->height; y++) {
        unsigned cy = (unsigned)((uint64_t)y * SIDE / image->height);
        const unsigned char *row = image->pixels + (size_t)y * image->width;
        for (unsigned x = 0; x < image->width; x++) {
            unsigned cx = (unsigned)((uint64_t)x * SIDE / image->width);
            sums[cy][cx] += row[x];
            counts[cy][cx]++;
        }
    }
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
            cells[y][x] = counts[y][x] ? sums[y][x] / counts[y][x] : 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

uint64_t phash_of(const struct grey_image *image)
{
    double cells[SIDE][SIDE], basis[LOW + 1][SIDE], rows[SIDE][LOW + 1], coefficients[LOW * LOW];
    shrink(image, cells);
    for (int u = 0; u <= LOW; u++)
        for (int x = 0; x < SIDE; x++)
            basis[u][x] = cos((2 * x + 1) * u * M_PI / (2 * SIDE));
    /* The separable DCT-II, of the frequencies 1..LOW only (no scale factors: only their order matters). */
    for (int y = 0; y < SIDE; y++)
        for (int u = 1; u <= LOW; u++) {
            double s = 0;
            for (int x = 0; x < SIDE; x++)
                s += cells[y][x] * basis[u][x];
            rows[y][u] = s;
        }
    for (int v = 1; v <= LOW; v++)
        for (int u = 1; u <= LOW; u++) {
            double s = 0;
            for (int y = 0; y < SIDE; y++)
                s += rows[y][u] * basis[v][y];
            coefficients[(v - 1) * LOW + (u - 1)] = s;
        }
    double sorted[LOW * LOW];
    memcpy(sorted, coefficients, sizeof sorted);
    qsort(sorted, LOW * LOW, sizeof sorted[0], compare_doubles);
    double median = (sorted[LOW * LOW / 2 - 1] + sorted[LOW * LOW / 2]) / 2;
    uint64_t hash = 0;
    for (int i = 0; i < LOW * LOW; i++)
        hash = hash << 1 | (coefficients[i] > median);
    return hash;
}

int phash_distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

uint32_t phash_part(uint64_t hash, int i)
{
    return (uint32_t)(hash >> part_shift[i] & ((1u << part_bits[i]) - 1));
}

size_t phash_probes(uint64_t hash, int i, int match_bits, uint32_t *out)
{
    int bits = part_bits[i], radius = match_bits / PHASH_PARTS;
    uint32_t part = phash_part(hash, i);
    size_t n = 0;
    out[n++] = part;
    for (int a = 0; radius >= 1 && a < bits; a++) {
        out[n++] = part ^ 1u << a;
        for (int b = a + 1; radius >= 2 && b < bits; b++) {
            out[n++] = part ^ 1u << a ^ 1u << b;
            for (int c = b + 1; radius >= 3 && c < bits; c++)
                out[n++] = part ^ 1u << a ^ 1u << b ^ 1u << c;
        }
    }
    return n;
}

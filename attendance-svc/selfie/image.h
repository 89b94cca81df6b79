/*
 * A selfie's pixels, for its perceptual hash (phash.h): JPEG by libjpeg-turbo
 * (decoded at 1/8 scale where the picture is large enough, which skips most of
 * the inverse DCT), PNG by libpng's simplified API, both to 8-bit grey. Pure:
 * bytes in, pixels out, no I/O. Hostile input is bounded: dimensions, the
 * decoder's memory (JPEG), the number of progressive scans, and the pixels kept.
 */
#ifndef ATTENDANCE_SELFIE_IMAGE_H
#define ATTENDANCE_SELFIE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SIDE 12000                  /* pixels, either side, as the header declares it */
#define IMAGE_MAX_PIXELS (50u * 1000 * 1000)  /* a 50 MP camera's JPEG; a PNG: see IMAGE_PNG_MAX_PIXELS */
#define IMAGE_PNG_MAX_PIXELS (16u * 1000 * 1000) /* a PNG is decoded whole: 16 MB of grey at most */
#define IMAGE_JPEG_MAX_MEMORY (64u << 20)     /* libjpeg's own allocations (a progressive 12 MP photo needs ~36 MB) */
#define IMAGE_JPEG_MAX_SCANS 64               /* progressive scans: more is a CPU bomb, not a camera */
#define IMAGE_MIN_SIDE 32                     /* smaller has too little to hash */

struct grey_image {
    unsigned width, height;
    unsigned char *pixels; /* width * height, row by row; owned, free() it */
};

enum image_result {
    IMAGE_OK,
    IMAGE_UNDECODABLE, /* not a JPEG or PNG this decoder reads, or broken */
    IMAGE_TOO_LARGE,   /* over a limit above */
    IMAGE_TOO_SMALL,
    IMAGE_NO_MEMORY,
};

/* Decodes a JPEG or PNG (by magic bytes) to grey; on IMAGE_OK the caller frees out->pixels. */
enum image_result image_decode_grey(const unsigned char *data, size_t len, struct grey_image *out);

const char *image_result_name(enum image_result r);

#endif

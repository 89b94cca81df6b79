/*
 * The selfie decoder and the perceptual hash on arbitrary bytes given the
 * PNG signature, so that every input reaches the PNG decoder and its limits.
 */
#include "selfie/image.h"
#include "selfie/phash.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SIGNATURE "\x89PNG\r\n\x1a\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = sizeof SIGNATURE - 1;
    unsigned char *bytes = malloc(size + n);
    if (!bytes)
        return 0;
    memcpy(bytes, SIGNATURE, n);
    /* The input's own signature, if it has one, is not repeated. */
    size_t skip = size >= n && memcmp(data, SIGNATURE, n) == 0 ? n : 0;
    memcpy(bytes + n, data + skip, size - skip);
    struct grey_image image;
    if (image_decode_grey(bytes, size - skip + n, &image) == IMAGE_OK) {
        (void)phash_of(&image);
        free(image.pixels);
    }
    free(bytes);
    return 0;
}

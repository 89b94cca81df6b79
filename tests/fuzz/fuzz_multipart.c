/*
 * The check-in's multipart body on arbitrary bytes: the Content-Type header is
 * the input's first line, the body the rest. The parts found go on to the
 * decoders the handler hands them to (the payload, the selfie's type).
 */
#include "checkin/payload.h"
#include "multipart.h"
#include "selfie_store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    size_t type_len = newline ? (size_t)(newline - data) : size;
    char *content_type = malloc(type_len + 1);
    if (!content_type)
        return 0;
    memcpy(content_type, data, type_len);
    content_type[type_len] = '\0'; /* a header value is a C string; a NUL inside just ends it */
    const uint8_t *body = newline ? newline + 1 : data + size;
    /* A copy of exactly the body's length, so that ASan sees any read past its end. */
    size_t body_len = (size_t)(data + size - body);
    unsigned char *copy = malloc(body_len ? body_len : 1);
    if (!copy) {
        free(content_type);
        return 0;
    }
    memcpy(copy, body, body_len);

    struct multipart_part parts[] = {{.name = "payload", .limit = PAYLOAD_MAX_BYTES},
                                     {.name = "signature", .limit = 128},
                                     {.name = "selfie", .limit = 2u << 20}};
    if (multipart_split(content_type, copy, body_len, parts, 3) == MULTIPART_OK) {
        struct checkin_payload p;
        char err[256];
        if (parts[0].data)
            (void)checkin_payload_decode((const char *)parts[0].data, parts[0].len, &p, err, sizeof err);
        if (parts[2].data)
            (void)selfie_content_type(parts[2].data, parts[2].len);
    }
    free(copy);
    free(content_type);
    return 0;
}

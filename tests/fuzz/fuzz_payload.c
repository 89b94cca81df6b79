/* The signed check-in payload decoder on arbitrary bytes. */
#include "checkin/payload.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct checkin_payload p;
    char err[256];
    (void)checkin_payload_decode((const char *)data, size, &p, err, sizeof err);
    return 0;
}

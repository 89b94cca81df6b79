/*
 * UTF-8 checks and repairs (see utf8.h).
 */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_sequence_len(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0)
            lo = 0xA0; /* overlong */
        else if (s[0] == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0)
            lo = 0x90; /* overlong */
        else if (s[0] == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0, C1 (overlong) or F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

void utf8_escape_invalid(const char *in, char *out, size_t out_len)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t n = strlen(in), used = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_sequence_len(s + i, n - i);
        size_t need = k ? k : 4;
        if (used + need >= out_len)
            break;
        if (k)
            memcpy(out + used, s + i, k);
        else
            snprintf(out + used, 5, "\\x%02X", s[i]);
        used += need;
        i += k ? k : 1;
    }
    out[used] = '\0';
}

/*
 * UTF-8 as the service checks and repairs it: every message it answers or
 * logs is valid UTF-8 (JSON needs it, and jansson refuses anything else), even
 * when it quotes bytes a client sent. Pure functions, no allocation.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at s, of n bytes at most (Unicode table 3-7), or 0. */
size_t utf8_sequence_len(const unsigned char *s, size_t n);

/*
 * Copies the NUL-terminated text in to out (out_len >= 1), each byte that does
 * not begin a well-formed sequence written as the four characters \xNN
 * (uppercase hex), so that out is valid UTF-8 and says what the bytes were.
 * What does not fit in out_len - 1 bytes is left out, never half a sequence
 * or an escape.
 */
void utf8_escape_invalid(const char *in, char *out, size_t out_len);

#endif

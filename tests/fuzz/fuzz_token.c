/*
 * Access-token checking on arbitrary input. The first byte chooses what the
 * rest is: (0) a token as sent; (1) the claims JSON, signed with the right key
 * under an HS256 header, so that the claim checks (iss, aud, sub, role, exp,
 * iat) are reached and not just the signature check; (2) a header JSON, a
 * newline and the claims JSON, both signed with the right key (alg "none",
 * other algorithms, odd headers).
 */
#include "auth.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char secret[] = "fuzzing-secret-0123456789abcdef0123";

/* Appends the base64url of [data, data+len) at out; returns the end. */
static char *b64url(char *out, const uint8_t *data, size_t len)
{
    sodium_bin2base64(out, sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING), data, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out + strlen(out);
}

/* header.claims.signature, HS256 over the first two with the service's key; the caller frees it. */
static char *signed_token(const uint8_t *header, size_t header_len, const uint8_t *claims, size_t claims_len)
{
    size_t cap = sodium_base64_ENCODED_LEN(header_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) +
                 sodium_base64_ENCODED_LEN(claims_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) +
                 sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 2;
    char *token = malloc(cap);
    if (!token)
        return NULL;
    char *end = b64url(token, header, header_len);
    *end++ = '.';
    end = b64url(end, claims, claims_len);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, sizeof secret - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, (size_t)(end - token));
    crypto_auth_hmacsha256_final(&st, mac);
    *end++ = '.';
    b64url(end, mac, sizeof mac);
    return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t hs256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    if (size == 0 || sodium_init() < 0)
        return 0;
    const uint8_t mode = data[0] % 3, *rest = data + 1;
    size_t rest_len = size - 1;
    char *token;
    if (mode == 0) {
        token = malloc(rest_len + 1);
        if (token) {
            memcpy(token, rest, rest_len);
            token[rest_len] = '\0';
        }
    } else if (mode == 1) {
        token = signed_token(hs256, sizeof hs256 - 1, rest, rest_len);
    } else {
        const uint8_t *newline = memchr(rest, '\n', rest_len);
        size_t header_len = newline ? (size_t)(newline - rest) : rest_len;
        const uint8_t *claims = newline ? newline + 1 : rest + rest_len;
        token = signed_token(rest, header_len, claims, (size_t)(rest + rest_len - claims));
    }
    if (!token)
        return 0;
    const struct token_settings ts = {secret, sizeof secret - 1, "attendance-svc", "attendance-api", 900};
    struct token_claims claims;
    (void)token_verify(&ts, token, 1795480265, &claims);
    free(token);
    return 0;
}

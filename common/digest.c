#include "digest.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    unsigned char digest[32];
    if (EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL) != 1)
        abort(); /* only out of memory; no caller can go on without the hash */
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, digest, sizeof digest);
}

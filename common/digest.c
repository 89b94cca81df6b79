#include "digest.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    unsigned char digest[32];
    if (EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL) != 1)
        abort(); /* only out of memory; no caller can go on without the hash */
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, digest, sizeof digest);
}

int sha256_file_hex(const char *path, char out[SHA256_HEX_LEN + 1])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        abort(); /* as above */
    unsigned char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1)
            abort();
    }
    int saved = errno;
    close(fd);
    unsigned char digest[32];
    if (EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, digest, sizeof digest);
    return 0;
}

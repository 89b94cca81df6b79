/*
 * The export key's file (see export_key.h).
 */
#include "export_key.h"

#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory of path ("." for a bare name) in out; 0, or -1 when it does not fit. */
static int directory_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    int n = !slash ? snprintf(out, len, ".") : slash == path ? snprintf(out, len, "/")
                                                              : snprintf(out, len, "%.*s", (int)(slash - path), path);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

int export_key_generate(const char *path, unsigned char public_key[crypto_sign_PUBLICKEYBYTES])
{
    char dir[PATH_MAX];
    if (directory_of(path, dir, sizeof dir) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(public_key, secret_key);
    ssize_t n;
    while ((n = write(fd, secret_key, sizeof secret_key)) < 0 && errno == EINTR)
        ;
    sodium_memzero(secret_key, sizeof secret_key);
    int rc = n == (ssize_t)sizeof secret_key && fsync(fd) == 0 ? 0 : -1;
    int saved = n >= 0 && n != (ssize_t)sizeof secret_key ? ENOSPC : errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && fsync_dir(dir) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0) {
        unlink(path); /* never leave a key that may be cut short */
        errno = saved;
    }
    return rc;
}

int export_key_load(const char *path, unsigned char secret_key[crypto_sign_SECRETKEYBYTES], char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_len, "cannot be opened: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    unsigned char buf[crypto_sign_SECRETKEYBYTES + 1];
    ssize_t n = -1;
    if (fstat(fd, &st) != 0) {
        snprintf(why, why_len, "cannot be examined: %s", strerror(errno));
    } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(why, why_len, "may be read by others than its owner (mode %03o): chmod 600 it",
                 (unsigned)(st.st_mode & 0777));
    } else {
        while ((n = read(fd, buf, sizeof buf)) < 0 && errno == EINTR)
            ;
        if (n < 0)
            snprintf(why, why_len, "cannot be read: %s", strerror(errno));
    }
    close(fd);
    int rc = -1;
    if (n >= 0 && n != crypto_sign_SECRETKEYBYTES) {
        snprintf(why, why_len, "is not a key (%zd bytes, not %d): make one with attendance-svc export-keygen", n,
                 crypto_sign_SECRETKEYBYTES);
    } else if (n == crypto_sign_SECRETKEYBYTES) {
        unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
        crypto_sign_ed25519_sk_to_seed(seed, buf);
        crypto_sign_seed_keypair(pk, secret_key, seed);
        sodium_memzero(seed, sizeof seed);
        if (sodium_memcmp(secret_key, buf, crypto_sign_SECRETKEYBYTES) == 0)
            rc = 0;
        else
            snprintf(why, why_len, "is damaged: its public half is not its seed's");
    }
    sodium_memzero(buf, sizeof buf);
    if (rc != 0)
        sodium_memzero(secret_key, crypto_sign_SECRETKEYBYTES);
    return rc;
}

#include "selfie_store.h"

#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *selfie_content_type(const unsigned char *data, size_t len)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
        return "image/jpeg";
    if (len >= sizeof png && memcmp(data, png, sizeof png) == 0)
        return "image/png";
    return NULL;
}

int selfie_store_path(const char *dir, const char *sha256_hex, char *out, size_t out_len)
{
    int n = snprintf(out, out_len, "%s/%.2s/%s", dir, sha256_hex, sha256_hex);
    return n > 0 && (size_t)n < out_len ? 0 : -1;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* mkdir -p of one level, durably: a new directory's name is fsynced in its parent before anything goes in it. */
static int make_dir(const char *path)
{
    if (mkdir(path, SELFIE_STORE_DIR_MODE) != 0)
        return errno == EEXIST ? 0 : -1;
    char parent[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        return fsync_dir(".");
    if (slash == path)
        return fsync_dir("/");
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    return fsync_dir(parent);
}

int selfie_store_put(const char *dir, const char *sha256_hex, const unsigned char *data, size_t len)
{
    char sub[4096], final_path[4096], tmp[4096];
    if (snprintf(sub, sizeof sub, "%s/%.2s", dir, sha256_hex) >= (int)sizeof sub ||
        selfie_store_path(dir, sha256_hex, final_path, sizeof final_path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    struct stat st;
    if (stat(final_path, &st) == 0 && (size_t)st.st_size == len) {
        /* Content-addressed: already there, its bytes fsynced before it took the name. The name may not be
         * durable yet (a put that failed or was killed after the rename): its directory is fsynced again. */
        return fsync_dir(sub);
    }
    if (make_dir(dir) != 0 || make_dir(sub) != 0)
        return -1;
    unsigned char raw[8];
    char suffix[17];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(suffix, sizeof suffix, raw, sizeof raw);
    if (snprintf(tmp, sizeof tmp, "%s/.tmp-%s", sub, suffix) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, final_path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return fsync_dir(sub);
}

int selfie_store_read(const char *dir, const char *sha256_hex, size_t max, unsigned char **data, size_t *len)
{
    char path[4096];
    if (selfie_store_path(dir, sha256_hex, path, sizeof path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (st.st_size < 0 || (size_t)st.st_size > max) {
        errno = EFBIG;
        goto fail;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) /* + 1: never malloc(0) */
        goto fail;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* shorter than it was a moment ago */
            goto fail;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *len = got;
    return 0;
fail:;
    int saved = errno;
    free(buf);
    close(fd);
    errno = saved;
    return -1;
}

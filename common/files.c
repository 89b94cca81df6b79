#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int files_dir_writable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return access(path, W_OK | X_OK);
}

int files_make_dirs(const char *path, mode_t mode)
{
    char partial[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof partial) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(partial, path, n + 1);
    /* Each parent in turn, from the first component after a leading '/'. */
    for (char *slash = strchr(partial + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(partial, 0755) != 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    if (mkdir(partial, mode) != 0 && errno != EEXIST)
        return -1;
    return files_dir_writable(path);
}

/*
 * Files that must survive a crash: after a file is written, fsynced and
 * renamed into place, its directory is fsynced too, so that the new name is
 * on disk as well as the bytes.
 */
#ifndef COMMON_FILES_H
#define COMMON_FILES_H

#include <sys/types.h>

/* fsync(2) of the directory path; 0, or -1 with errno set. */
int fsync_dir(const char *path);

/*
 * Makes the directory path with mode (less the umask), and any parent missing
 * with 0755; a directory already there is left as it is. Then checks that the
 * process may create files in it (files_dir_writable). 0, or -1 with errno set.
 */
int files_make_dirs(const char *path, mode_t mode);

/* Whether the process may create and remove files in the directory path: 0, or -1 with errno set (ENOENT,
 * ENOTDIR, EACCES, EROFS). */
int files_dir_writable(const char *path);

#endif

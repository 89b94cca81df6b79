/*
 * Files that must survive a crash: after a file is written, fsynced and
 * renamed into place, its directory is fsynced too, so that the new name is
 * on disk as well as the bytes.
 */
#ifndef COMMON_FILES_H
#define COMMON_FILES_H

/* fsync(2) of the directory path; 0, or -1 with errno set. */
int fsync_dir(const char *path);

#endif

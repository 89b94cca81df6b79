/*
 * The review console's static files (docs/console.md): GET /console/ is
 * index.html of the console directory (ATTENDANCE_CONSOLE_DIR), GET
 * /console/<path> a file under it; GET /kiosk/ and /kiosk/<path> likewise of
 * its kiosk/ directory (the office's kiosk page, which needs no sign-in at
 * all). Not in the route table: the trees are served by prefix, and need no
 * token (the console signs in through /v1/console/login).
 *
 * A path is served only when every segment is made of letters, digits, '-',
 * '_' and '.', and none starts with '.': no "..", no hidden files, nothing
 * percent-encoded (libmicrohttpd has decoded the path already). Symbolic links
 * are not followed at the last step and only regular files are sent. Files
 * are revalidated (no-cache) against an ETag of their size and modification
 * time, so a new release is seen at once and an unchanged file costs a 304.
 */
#include "app.h"
#include "handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONSOLE_PREFIX "/console/"
#define KIOSK_PREFIX "/kiosk/" /* served from the console directory's kiosk/ */
#define CONSOLE_FILE_MAX (4u << 20)
#define CONSOLE_PATH_MAX 200

bool console_path(const char *path)
{
    return strcmp(path, "/console") == 0 || strncmp(path, CONSOLE_PREFIX, strlen(CONSOLE_PREFIX)) == 0 ||
           strcmp(path, "/kiosk") == 0 || strncmp(path, KIOSK_PREFIX, strlen(KIOSK_PREFIX)) == 0;
}

/* Whether rel is a path the console may serve (see the top of the file). */
static bool safe_relative_path(const char *rel)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    size_t len = strlen(rel);
    if (len == 0 || len > CONSOLE_PATH_MAX)
        return false;
    for (const char *seg = rel; *seg;) {
        size_t n = strspn(seg, allowed);
        if (n == 0 || seg[0] == '.' || (seg[n] != '/' && seg[n] != '\0'))
            return false;
        seg += n;
        if (*seg == '/' && *++seg == '\0')
            return false; /* a trailing slash names a directory */
    }
    return true;
}

static const char *content_type_of(const char *rel)
{
    static const struct {
        const char *suffix, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},     {".svg", "image/svg+xml"},
        {".png", "image/png"},                   {".ico", "image/x-icon"},
        {".json", "application/json"},           {".txt", "text/plain; charset=utf-8"},
    };
    size_t len = strlen(rel);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i].suffix);
        if (len > n && strcmp(rel + len - n, types[i].suffix) == 0)
            return types[i].type;
    }
    return NULL;
}

/* Reads the whole file at fd (of st.st_size bytes); NULL on error. */
static char *read_whole(int fd, size_t size)
{
    char *data = malloc(size ? size : 1);
    size_t got = 0;
    while (data && got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(data);
            return NULL;
        }
        got += (size_t)n;
    }
    return data;
}

void console_serve(struct request *req, const char *path)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        reply_error(req, ERR_METHOD_NOT_ALLOWED, "the console's files are read with GET");
        reply_header(req, "Allow", "GET, HEAD");
        return;
    }
    bool kiosk = strncmp(path, "/kiosk", 6) == 0;
    if (strcmp(path, "/console") == 0 || strcmp(path, "/kiosk") == 0) {
        reply_buffer(req, 308, "text/plain; charset=utf-8", (void *)"", 0, MHD_RESPMEM_PERSISTENT);
        reply_header(req, "Location", kiosk ? KIOSK_PREFIX : CONSOLE_PREFIX);
        return;
    }
    const char *rel = path + strlen(kiosk ? KIOSK_PREFIX : CONSOLE_PREFIX);
    if (*rel == '\0')
        rel = "index.html";
    const char *type = content_type_of(rel);
    if (!safe_relative_path(rel) || !type) {
        reply_error(req, ERR_NOT_FOUND, "no such file in the console");
        return;
    }
    char full[PATH_MAX];
    int n = snprintf(full, sizeof full, "%s/%s%s", req->app->cfg.console_dir, kiosk ? "kiosk/" : "", rel);
    int fd = n > 0 && (size_t)n < sizeof full ? open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > CONSOLE_FILE_MAX) {
        if (fd >= 0)
            close(fd);
        reply_error(req, ERR_NOT_FOUND, "no such file in the console");
        return;
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec);
    const char *if_none_match = request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (if_none_match && strcmp(if_none_match, etag) == 0) {
        close(fd);
        reply_buffer(req, 304, NULL, (void *)"", 0, MHD_RESPMEM_PERSISTENT);
    } else {
        char *data = read_whole(fd, (size_t)st.st_size);
        close(fd);
        if (!data) {
            reply_error(req, ERR_INTERNAL, "the console's file could not be read");
            return;
        }
        reply_buffer(req, 200, type, data, (size_t)st.st_size, MHD_RESPMEM_MUST_FREE);
    }
    reply_header(req, "ETag", etag);
    reply_header(req, "Cache-Control", "no-cache");
}

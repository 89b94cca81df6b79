/*
 * The browser pages' static files (docs/console.md, docs/app.md), each tree by
 * its prefix from the console directory (ATTENDANCE_CONSOLE_DIR):
 *
 *   /console/  the review console (the directory itself)
 *   /kiosk/    the office's kiosk page (its kiosk/), which needs no sign-in at all
 *   /app/      the employee's app (its app/), a PWA signing in with its device key
 *
 * GET /<tree>/ is the tree's index.html, /<tree>/<path> a file under it, and
 * /<tree> redirects to /<tree>/. Not in the route table: the trees need no
 * token (the console signs in through /v1/console/login, the app through
 * /v1/auth/login and /v1/auth/device).
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

#define CONSOLE_FILE_MAX (4u << 20)
#define CONSOLE_PATH_MAX 200

static const struct tree {
    const char *root;   /* the path without its slash, redirected to root + "/" */
    const char *subdir; /* under the console directory */
} trees[] = {
    {"/console", ""},
    {"/kiosk", "kiosk/"},
    {"/app", "app/"},
};

/* The tree path lies in, or NULL. */
static const struct tree *tree_of(const char *path)
{
    for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++) {
        size_t n = strlen(trees[i].root);
        if (strncmp(path, trees[i].root, n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return &trees[i];
    }
    return NULL;
}

bool console_path(const char *path)
{
    return tree_of(path) != NULL;
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
        {".webmanifest", "application/manifest+json"},
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
    const struct tree *tree = tree_of(path);
    const char *rel = path + strlen(tree->root);
    if (*rel == '\0') {
        char location[16];
        snprintf(location, sizeof location, "%s/", tree->root);
        reply_buffer(req, 308, "text/plain; charset=utf-8", (void *)"", 0, MHD_RESPMEM_PERSISTENT);
        reply_header(req, "Location", location);
        return;
    }
    if (*++rel == '\0')
        rel = "index.html";
    const char *type = content_type_of(rel);
    if (!safe_relative_path(rel) || !type) {
        reply_error(req, ERR_NOT_FOUND, "no such file in the console");
        return;
    }
    char full[PATH_MAX];
    int n = snprintf(full, sizeof full, "%s/%s%s", req->app->cfg.console_dir, tree->subdir, rel);
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

/*
 * The HTTP server: libmicrohttpd with its internal thread pool on epoll.
 */
#ifndef ATTENDANCE_HTTP_SERVER_H
#define ATTENDANCE_HTTP_SERVER_H

struct app;

/*
 * Listens on the configured address and serves until SIGTERM or SIGINT, then
 * stops accepting, lets the requests in flight finish (up to the shutdown
 * grace period) and returns the process exit status (0, or 1 if the server
 * could not start).
 */
int server_run(struct app *app);

#endif

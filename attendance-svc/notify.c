/*
 * The service manager's notifications (see notify.h), through libsystemd's
 * sd_notify, which does nothing when NOTIFY_SOCKET is unset.
 *
 * The watchdog proves more than "the process exists": each ping follows a
 * real request to the service's own /healthz over its listening socket, so
 * it goes through the accept loop, a worker thread and the response path, the
 * parts that can wedge. The probe's request id is "watchdog-probe", which
 * tells its log lines apart.
 */
#include "notify.h"

#include "log.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#define PROBE_TIMEOUT_MAX_MS 5000
#define PROBE_TIMEOUT_MIN_MS 100

struct watchdog {
    char host[256];
    char port[8];
    uint64_t interval_ms; /* between probes: half the manager's timeout */
    unsigned timeout_ms;  /* of one probe */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

void notify_ready(const char *host, unsigned port)
{
    sd_notifyf(0, "READY=1\nSTATUS=serving on %s:%u", host, port);
}

void notify_stopping(void) { sd_notify(0, "STOPPING=1\nSTATUS=finishing requests in flight"); }

/* A wildcard listen address is reached on loopback. */
static const char *probe_host(const char *listen_host)
{
    if (strcmp(listen_host, "0.0.0.0") == 0 || strcmp(listen_host, "") == 0)
        return "127.0.0.1";
    if (strcmp(listen_host, "::") == 0)
        return "::1";
    return listen_host;
}

/* True when GET /healthz is answered 200 within the probe's timeout. */
static bool healthz_answers(const struct watchdog *w)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res;
    if (getaddrinfo(w->host, w->port, &hints, &res) != 0)
        return false;
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    bool ok = false;
    if (fd >= 0) {
        /* Linux applies the send timeout to connect too. */
        struct timeval tv = {.tv_sec = w->timeout_ms / 1000, .tv_usec = (w->timeout_ms % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        static const char request[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                                      "X-Request-Id: watchdog-probe\r\nConnection: close\r\n\r\n";
        char answer[16];
        size_t got = 0;
        if (connect(fd, res->ai_addr, res->ai_addrlen) == 0 &&
            send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof request - 1)) {
            while (got < sizeof answer - 1) {
                ssize_t n = recv(fd, answer + got, sizeof answer - 1 - got, 0);
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
        }
        answer[got] = '\0';
        ok = strncmp(answer, "HTTP/1.1 200 ", 13) == 0 || strncmp(answer, "HTTP/1.0 200 ", 13) == 0;
        close(fd);
    }
    freeaddrinfo(res);
    return ok;
}

static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;
    bool was_healthy = true;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        pthread_mutex_unlock(&w->lock);
        bool healthy = healthz_answers(w);
        if (healthy)
            sd_notify(0, "WATCHDOG=1");
        if (healthy != was_healthy) /* a change, not every miss: the manager acts on the silence */
            log_warn(healthy ? "watchdog: /healthz answers again; pinging the service manager"
                             : "watchdog: /healthz did not answer in time; not pinging the service manager");
        was_healthy = healthy;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + (w->interval_ms % 1000) * 1000000u;
        until.tv_sec += (time_t)(w->interval_ms / 1000 + ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
        pthread_mutex_lock(&w->lock);
        while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct watchdog *watchdog_start(const char *host, unsigned port)
{
    uint64_t usec = 0;
    /* Probing for nobody to hear would only fill the log. */
    if (!getenv("NOTIFY_SOCKET") || sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return NULL;
    struct watchdog *w = calloc(1, sizeof *w);
    if (!w) {
        log_error("watchdog: out of memory; the service manager will get no pings");
        return NULL;
    }
    snprintf(w->host, sizeof w->host, "%s", probe_host(host));
    snprintf(w->port, sizeof w->port, "%u", port);
    w->interval_ms = usec / 2000 ? usec / 2000 : 1;
    uint64_t timeout = usec / 4000;
    w->timeout_ms = (unsigned)(timeout > PROBE_TIMEOUT_MAX_MS   ? PROBE_TIMEOUT_MAX_MS
                               : timeout < PROBE_TIMEOUT_MIN_MS ? PROBE_TIMEOUT_MIN_MS
                                                                : timeout);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    int err = pthread_create(&w->thread, NULL, watchdog_main, w);
    if (err != 0) {
        log_error("watchdog: cannot start its thread: %s; the service manager will get no pings", strerror(err));
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    log_fields(LOG_LEVEL_INFO, "watchdog: pinging the service manager while /healthz answers",
               json_pack("{s:I, s:I}", "interval_ms", (json_int_t)w->interval_ms, "probe_timeout_ms",
                         (json_int_t)w->timeout_ms));
    return w;
}

void watchdog_stop(struct watchdog *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

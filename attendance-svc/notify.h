/*
 * Telling the service manager (systemd, Type=notify) how the service is:
 * READY=1 once it listens, WATCHDOG=1 while it answers, STOPPING=1 on the way
 * out. Everything here is a no-op when NOTIFY_SOCKET is unset (a shell, the
 * tests), and the watchdog only runs when the manager asked for one
 * (WATCHDOG_USEC, set by WatchdogSec=).
 */
#ifndef ATTENDANCE_NOTIFY_H
#define ATTENDANCE_NOTIFY_H

/* READY=1 with a STATUS line naming the address served. */
void notify_ready(const char *host, unsigned port);
/* STOPPING=1: shutdown has begun (requests in flight are being finished). */
void notify_stopping(void);

struct watchdog;

/*
 * Starts a thread that, at half the manager's watchdog interval, asks the
 * service's own GET /healthz on host:port and sends WATCHDOG=1 only when it
 * is answered 200 in time: a wedged event loop or exhausted workers then stop
 * the pings and the manager restarts the service. NULL when no watchdog was
 * asked for or nobody listens (or it could not start, which is logged).
 */
struct watchdog *watchdog_start(const char *host, unsigned port);
/* Stops the thread and frees it; NULL is fine. */
void watchdog_stop(struct watchdog *w);

#endif

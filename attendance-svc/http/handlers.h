/*
 * The entry function of every endpoint, one group per h_*.c file.
 */
#ifndef ATTENDANCE_HTTP_HANDLERS_H
#define ATTENDANCE_HTTP_HANDLERS_H

#include "request.h"

/* h_auth.c */
void h_login(struct request *req);

/* h_health.c */
void h_healthz(struct request *req);
void h_readyz(struct request *req);
void h_metrics(struct request *req);

#endif

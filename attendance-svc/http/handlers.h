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

/* h_units.c */
void h_unit_create(struct request *req);
void h_unit_get(struct request *req);
void h_unit_list(struct request *req);

#endif

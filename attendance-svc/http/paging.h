/*
 * List endpoints: ?limit= (default 50, at most 500) and ?cursor=, answered as
 * {"items": [...], "next_cursor": "..." | null}. The cursor is opaque to
 * clients; it is the id of the last item of the page, and lists are ordered by
 * id, so paging is stable under concurrent inserts.
 */
#ifndef ATTENDANCE_HTTP_PAGING_H
#define ATTENDANCE_HTTP_PAGING_H

#include "request.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

struct page {
    int limit;
    long long after; /* 0: from the start */
};

/* Reads limit and cursor; false after answering 400 when either is malformed. */
bool page_from_query(struct request *req, struct page *page);

/*
 * Answers 200 with the page: items (stolen) were fetched with limit + 1 rows;
 * the extra one, if present, is dropped and makes next_cursor the id of the
 * last item kept. When items is NULL, answers the database's error (status).
 */
void reply_page(struct request *req, const struct page *page, json_t *items, enum db_status status);

/* An optional query parameter: NULL when absent or empty. */
const char *query_text(struct request *req, const char *key);

/*
 * An optional id in the query string (an empty value counts as absent): 0 when
 * absent; false after answering 400 when it is not an id.
 */
bool query_id(struct request *req, const char *key, long long *id);

/* ?year=: this year (UTC) when absent; false after answering 422 when it is not a year from 1900 to 9999. */
bool query_year(struct request *req, int *year);

#endif

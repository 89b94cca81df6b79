#include "paging.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

bool page_from_query(struct request *req, struct page *page)
{
    page->limit = PAGE_DEFAULT;
    page->after = 0;
    const char *limit = request_query(req, "limit");
    if (limit) {
        long long n = id_parse(limit);
        if (n < 1 || n > PAGE_MAX) {
            reply_field_error(req, ERR_INVALID_FIELD, "limit", "limit must be a whole number from 1 to %d", PAGE_MAX);
            return false;
        }
        page->limit = (int)n;
    }
    const char *cursor = request_query(req, "cursor");
    if (cursor && *cursor) {
        page->after = id_parse(cursor);
        if (!page->after) {
            reply_field_error(req, ERR_INVALID_FIELD, "cursor", "cursor is not one this service gave out");
            return false;
        }
    }
    return true;
}

void reply_page(struct request *req, const struct page *page, json_t *items, enum db_status status)
{
    if (!items) {
        reply_db_error(req, status);
        return;
    }
    json_t *next = json_null();
    if (json_array_size(items) > (size_t)page->limit) {
        json_array_remove(items, (size_t)page->limit);
        json_t *last_id = json_object_get(json_array_get(items, (size_t)page->limit - 1), "id");
        if (json_is_string(last_id))
            next = json_string(json_string_value(last_id));
    }
    reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

const char *query_text(struct request *req, const char *key)
{
    const char *value = request_query(req, key);
    return value && *value ? value : NULL;
}

bool query_id(struct request *req, const char *key, long long *id)
{
    const char *text = query_text(req, key);
    *id = text ? id_parse(text) : 0;
    if (text && !*id) {
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s must be an id", key);
        return false;
    }
    return true;
}

bool query_year(struct request *req, int *year)
{
    const char *text = request_query(req, "year");
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    *year = utc.tm_year + 1900;
    if (!text)
        return true;
    char *end;
    long y = strtol(text, &end, 10);
    if (end == text || *end || y < 1900 || y > 9999) {
        reply_field_error(req, ERR_INVALID_VALUE, "year", "year must be a year from 1900 to 9999");
        return false;
    }
    *year = (int)y;
    return true;
}

/*
 * Homes (where an employee may work on WFH days): POST /v1/homes (an employee
 * registers one, pending), POST /v1/homes/{home_id}/approve (the supervisor of
 * the employee's unit; the approved home replaces the previous one) and
 * GET /v1/homes (an employee its own, supervisors their unit's, admins all).
 */
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_audit.h"
#include "store/store_homes.h"

#include <string.h>

struct home_fields {
    double lat, lon;
    const char *address;
};

/* Decodes and checks the body of POST /v1/homes; false after answering. */
static bool decode_home(struct request *req, const json_t *body, struct home_fields *h)
{
    const json_t *address = json_object_get(body, "address");
    if (json_number(json_object_get(body, "lat"), &h->lat) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "lat", "lat is required: a number");
    else if (json_number(json_object_get(body, "lon"), &h->lon) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "lon", "lon is required: a number");
    else if (!json_is_string(address))
        reply_field_error(req, ERR_INVALID_FIELD, "address", "address is required: a string");
    else if (h->lat < -90 || h->lat > 90)
        reply_field_error(req, ERR_INVALID_VALUE, "lat", "lat must be from -90 to 90 degrees");
    else if (h->lon < -180 || h->lon > 180)
        reply_field_error(req, ERR_INVALID_VALUE, "lon", "lon must be from -180 to 180 degrees");
    else if (!json_text_ok(json_string_value(address), 1, 500))
        reply_field_error(req, ERR_INVALID_VALUE, "address", "address must be 1 to 500 bytes of text");
    if (req->response)
        return false;
    h->address = json_string_value(address);
    return true;
}

void h_home_register(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct home_fields h;
    json_t *doc = NULL;
    if (!decode_home(req, body, &h))
        goto done;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        doc = store_home_insert(db, req->auth.employee_id, h.lat, h.lon, h.address, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "register", "home", NULL, doc);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    /* The contract's {"home_id", "status"}, then the rest of the home's document. */
    json_t *created = json_pack("{s:O}", "home_id", json_object_get(doc, "id"));
    json_object_update(created, doc);
    reply_json(req, 201, created);
done:
    json_decref(doc);
    json_decref(body);
}

/*
 * Marks the employee's approved home, if any, replaced (with its audit entry);
 * call it with the employee's homes locked.
 */
static enum db_status replace_approved_home(struct db_conn *db, long long actor, long long employee_id)
{
    enum db_status st;
    json_t *before = store_home_lock_approved(db, employee_id, &st);
    json_t *after = before ? store_home_replace(db, employee_id, &st) : NULL;
    if (after && st == DB_OK)
        st = store_audit(db, actor, "replace", "home", json_string_value(json_object_get(after, "id")), before, after);
    json_decref(before);
    json_decref(after);
    return st;
}

void h_home_approve(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such home");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    json_t *before = NULL, *after = NULL;
    long long employee_id = 0;
    /* Locking the employee first serialises approvals, so the approved home read below stays the approved one. */
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        st = store_home_lock_employee(db, &req->auth, id, &employee_id);
    if (st == DB_OK && !employee_id) {
        reply_error(req, ERR_NOT_FOUND, "no such home");
        goto done;
    }
    /* A supervisor's staff account names the employee it also is (POST /v1/staff's employee_id). */
    if (st == DB_OK && req->auth.employee_id == employee_id) {
        reply_error(req, ERR_SELF_APPROVAL, "nobody approves its own home");
        goto done;
    }
    if (st == DB_OK)
        before = store_home_lock(db, id, &st);
    const char *status = json_string_value(json_object_get(before, "status"));
    if (st == DB_OK && (!status || strcmp(status, "pending") != 0)) {
        reply_error(req, ERR_CONFLICT, "only a pending home can be approved; this one is %s",
                    status ? status : "gone");
        goto done;
    }
    if (st == DB_OK)
        st = replace_approved_home(db, req->auth.account_id, employee_id);
    if (st == DB_OK)
        after = store_home_approve(db, id, req->auth.account_id, &st);
    if (st == DB_OK)
        st = request_commit_audited(req, "approve", "home", before, after);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(after));
done:
    json_decref(before);
    json_decref(after);
}

static bool is_home_status(const char *s)
{
    return strcmp(s, "pending") == 0 || strcmp(s, "approved") == 0 || strcmp(s, "replaced") == 0;
}

void h_home_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    const char *status = request_query(req, "status");
    long long employee_id;
    if (!query_id(req, "employee_id", &employee_id))
        return;
    if (status && !*status)
        status = NULL;
    if (status && !is_home_status(status)) {
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be pending, approved or replaced");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_home_list(db, &req->auth, employee_id, status, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

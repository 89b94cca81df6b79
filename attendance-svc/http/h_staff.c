/*
 * Staff accounts (admin only): POST /v1/staff, GET /v1/staff,
 * GET /v1/staff/{account_id} and PATCH /v1/staff/{account_id}.
 *
 * A staff account is a supervisor (of one unit), a reviewer (of one agency, a
 * top-level unit) or an admin (of no unit). Employees' logins are made with
 * their records (POST /v1/employees) and are 404 here. Documents never carry
 * the password hash, nor do audit entries.
 */
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_staff.h"
#include "store/store_units.h"

#include <string.h>

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

/* 3 to 64 of A-Z a-z 0-9 . _ @ -, and not 18 digits: those are employees' NIPs. */
static bool is_staff_username(const char *name)
{
    size_t n = strlen(name);
    if (n < 3 || n > 64 ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") != n)
        return false;
    return !(n == 18 && strspn(name, "0123456789") == n);
}

static bool password_ok(const char *password)
{
    size_t n = strlen(password);
    return n >= PASSWORD_MIN && n <= PASSWORD_MAX;
}

/* Why unit_id (0: none) cannot go with the role, before looking it up; NULL when it may. */
static const char *unit_presence_error(enum role role, long long unit_id)
{
    if (role == ROLE_ADMIN && unit_id)
        return "an admin belongs to no unit: leave unit_id out";
    if (role == ROLE_SUPERVISOR && !unit_id)
        return "a supervisor needs unit_id: the unit it supervises";
    if (role == ROLE_REVIEWER && !unit_id)
        return "a reviewer needs unit_id: its agency (a top-level unit)";
    return NULL;
}

/* Whether unit_id suits an account of this role, the unit looked up; false after answering. */
static bool unit_fits_role(struct request *req, struct db_conn *db, enum role role, long long unit_id)
{
    const char *why = unit_presence_error(role, unit_id);
    if (why) {
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "%s", why);
        return false;
    }
    if (!unit_id)
        return true;
    long long agency = 0;
    enum db_status st = store_unit_agency(db, unit_id, &agency);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (!agency)
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "there is no unit %lld", unit_id);
    else if (role == ROLE_REVIEWER && agency != unit_id)
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "a reviewer belongs to an agency (a top-level unit)");
    return !req->response;
}

/* Whether the employee to link exists; false after answering. */
static bool employee_exists(struct request *req, struct db_conn *db, long long employee_id)
{
    bool exists = false;
    enum db_status st = store_staff_employee_exists(db, employee_id, &exists);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (!exists)
        reply_field_error(req, ERR_INVALID_VALUE, "employee_id", "there is no employee %lld", employee_id);
    return !req->response;
}

/* Decodes and checks the body of POST /v1/staff (all but what needs the database); false after answering. */
static bool decode_staff(struct request *req, const json_t *body, struct staff_fields *s, enum role *role)
{
    const json_t *username = json_object_get(body, "username");
    const json_t *password = json_object_get(body, "password");
    const json_t *role_value = json_object_get(body, "role");
    s->unit_id = json_id_field(body, "unit_id");
    s->employee_id = json_id_field(body, "employee_id");
    if (!json_is_string(username))
        reply_field_error(req, ERR_INVALID_FIELD, "username", "username is required: a string");
    else if (!json_is_string(password))
        reply_field_error(req, ERR_INVALID_FIELD, "password", "password is required: a string");
    else if (!json_is_string(role_value))
        reply_field_error(req, ERR_INVALID_FIELD, "role", "role is required: a string");
    else if (s->unit_id < 0)
        reply_field_error(req, ERR_INVALID_FIELD, "unit_id", "unit_id must be a unit id (a string) or null");
    else if (s->employee_id < 0)
        reply_field_error(req, ERR_INVALID_FIELD, "employee_id",
                          "employee_id must be an employee id (a string) or null");
    if (req->response)
        return false;
    s->username = json_string_value(username);
    s->role = json_string_value(role_value);
    *role = role_parse(s->role);
    const char *why;
    if (!is_staff_username(s->username))
        reply_field_error(req, ERR_INVALID_VALUE, "username",
                          "username must be 3 to 64 of A-Z a-z 0-9 . _ @ - and not 18 digits (a NIP)");
    else if (!password_ok(json_string_value(password)))
        reply_field_error(req, ERR_INVALID_VALUE, "password", "password must be %d to %d bytes", PASSWORD_MIN,
                          PASSWORD_MAX);
    else if (*role == ROLE_EMPLOYEE)
        reply_field_error(req, ERR_INVALID_VALUE, "role",
                          "an employee's login is made with the employee (POST /v1/employees)");
    else if (*role == 0)
        reply_field_error(req, ERR_INVALID_VALUE, "role", "role must be supervisor, reviewer or admin");
    else if ((why = unit_presence_error(*role, s->unit_id)))
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "%s", why);
    return !req->response;
}

void h_staff_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct staff_fields s = {0};
    enum role role = 0;
    char hash[128];
    json_t *doc = NULL;
    if (!decode_staff(req, body, &s, &role))
        goto done;
    /* The hash takes tens of milliseconds: do not hold a connection meanwhile. */
    request_db_release(req);
    if (password_hash(json_string_value(json_object_get(body, "password")), hash) != 0) {
        reply_error(req, ERR_INTERNAL, "the password could not be hashed");
        goto done;
    }
    s.password_hash = hash;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!unit_fits_role(req, db, role, s.unit_id) || (s.employee_id && !employee_exists(req, db, s.employee_id)))
        goto done;
    doc = store_staff_insert(db, &s, &st);
    if (st == DB_UNIQUE_VIOLATION) {
        reply_field_error(req, ERR_ALREADY_EXISTS, "username", "the username %s is taken", s.username);
        goto done;
    }
    reply_created(req, st, "account", doc);
done:
    json_decref(doc);
    json_decref(body);
}

void h_staff_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = DB_OK;
    json_t *doc = id ? store_staff_get(db, id, &st) : NULL;
    reply_found(req, st, doc, "no such staff account");
}

void h_staff_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_staff_list(db, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

/* An id field of a PATCH body that may be null (to clear it); false after answering. */
static bool decode_id_change(struct request *req, const json_t *body, const char *key, bool *set, long long *id)
{
    *set = json_object_get(body, key) != NULL;
    *id = json_id_field(body, key);
    if (*id < 0) {
        reply_field_error(req, ERR_INVALID_FIELD, key, "%s must be an id (a string) or null", key);
        return false;
    }
    return true;
}

/* Decodes and checks the body of PATCH /v1/staff/{id}; false after answering. */
static bool decode_staff_change(struct request *req, const json_t *body, long long account_id,
                                struct staff_change *c, const char **password)
{
    for (void *it = json_object_iter((json_t *)body); it; it = json_object_iter_next((json_t *)body, it)) {
        const char *key = json_object_iter_key(it);
        if (strcmp(key, "password") != 0 && strcmp(key, "disabled") != 0 && strcmp(key, "unit_id") != 0 &&
            strcmp(key, "employee_id") != 0) {
            reply_field_error(req, ERR_INVALID_FIELD, key,
                              "%s cannot be changed: the fields are password, disabled, unit_id and employee_id",
                              key);
            return false;
        }
    }
    const json_t *password_value = json_object_get(body, "password");
    const json_t *disabled = json_object_get(body, "disabled");
    if (password_value && !json_is_string(password_value))
        reply_field_error(req, ERR_INVALID_FIELD, "password", "password must be a string");
    else if (disabled && !json_is_boolean(disabled))
        reply_field_error(req, ERR_INVALID_FIELD, "disabled", "disabled must be true or false");
    else if (!decode_id_change(req, body, "unit_id", &c->set_unit, &c->unit_id) ||
             !decode_id_change(req, body, "employee_id", &c->set_employee, &c->employee_id))
        return false;
    else if (password_value && !password_ok(json_string_value(password_value)))
        reply_field_error(req, ERR_INVALID_VALUE, "password", "password must be %d to %d bytes", PASSWORD_MIN,
                          PASSWORD_MAX);
    else if (json_is_true(disabled) && account_id == req->auth.account_id)
        reply_field_error(req, ERR_INVALID_VALUE, "disabled",
                          "an admin cannot disable itself (ask another admin), so no agency is locked out");
    if (req->response)
        return false;
    *password = json_string_value(password_value);
    c->disabled = disabled ? json_is_true(disabled) : -1;
    return true;
}

void h_staff_update(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such staff account");
        return;
    }
    json_t *body = request_json(req);
    if (!body)
        return;
    struct staff_change change = {0};
    const char *password = NULL;
    char hash[128];
    json_t *before = NULL, *after = NULL, *audited = NULL;
    if (!decode_staff_change(req, body, id, &change, &password))
        goto done;
    if (password) {
        request_db_release(req); /* the hash takes tens of milliseconds */
        if (password_hash(password, hash) != 0) {
            reply_error(req, ERR_INTERNAL, "the password could not be hashed");
            goto done;
        }
        change.password_hash = hash;
    }

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        before = store_staff_get_for_update(db, id, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    if (!before) {
        reply_error(req, ERR_NOT_FOUND, "no such staff account");
        goto done;
    }
    enum role role = role_parse(json_string_value(json_object_get(before, "role")));
    if ((change.set_unit && !unit_fits_role(req, db, role, change.unit_id)) ||
        (change.set_employee && change.employee_id && !employee_exists(req, db, change.employee_id)))
        goto done;
    after = store_staff_update(db, id, &change, &st);
    /* The hash stays out of the log; that the password changed goes in. */
    audited = after ? json_deep_copy(after) : NULL;
    if (audited && password)
        json_object_set_new(audited, "password_changed", json_true());
    if (st == DB_OK && !audited)
        st = DB_ERROR; /* out of memory: the row is locked, so it cannot have gone */
    if (st == DB_OK)
        st = json_equal(before, audited) ? db_commit(db) : request_commit_audited(req, "update", "account", before, audited);
    if (st != DB_OK) {
        reply_db_error(req, st);
        goto done;
    }
    reply_json(req, 200, json_incref(after));
done:
    json_decref(audited);
    json_decref(after);
    json_decref(before);
    json_decref(body);
}

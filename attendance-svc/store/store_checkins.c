/*
 * Check-ins: the context query, the insert and the replay lookup.
 */
#include "store_checkins.h"

#include "selfie/phash.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/*
 * The previous check-in (for IMPOSSIBLE_TRAVEL) is looked for in the last
 * PREVIOUS_DAYS local days only, so that it reads the newest months of
 * checkins and not every month there is. One further back cannot be flagged:
 * more than 6 days (less any difference of time zones) before, even half the
 * Earth's circumference (20,038 km) is under RULE_MAX_SPEED_KMH (300 km/h).
 */
#define PREVIOUS_DAYS "7"

/*
 * The context of a check-in's judged instant $4 for the employee emp (a CTE of
 * its id and unit_id): everything the rules need but the device's part. The
 * phone's context (checkin_context) and a vouched record's (record_context)
 * differ in how they find the employee and in what they add.
 */
#define CONTEXT_FROM(emp_cte, day_offset)                                                                       \
    "WITH RECURSIVE"                                                                                           \
    " emp AS (" emp_cte "),"                                                                                   \
    " unit AS (SELECT u.* FROM units u JOIN emp ON u.id = emp.unit_id)," CONTEXT_DAY("$4", day_offset)
/* After the CTE unit: its chain of parents (up) and the local time (t.local) and day (t.day) of the instant. */
#define CONTEXT_DAY(instant_ms, day_offset)                                                                     \
    " up (id, parent_id) AS (SELECT id, parent_id FROM unit"                                                   \
    "      UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id),"                  \
    " l AS (SELECT to_timestamp(" instant_ms "::bigint / 1000.0) AT TIME ZONE unit.timezone AS local FROM unit)," \
    " t AS (SELECT l.local, l.local::date + " day_offset "::int AS day FROM l)"
/* The unit's part of the context for the day t.day: shared by its employees (struct unit_day). */
#define CONTEXT_UNIT_FIELDS                                                                                     \
    "  'unit_id', unit.id::text, 'category', unit.category, 'work_hours', unit_week_on(unit.id, t.day),"                    \
    "  'grace_minutes', unit.grace_minutes, 'sync_tolerance_s', unit.sync_tolerance_s, 'local_day', t.day," \
    "  'checkin_windows', unit.checkin_windows, 'grace_made_up', unit.grace_made_up,"                           \
    "  'flex_minutes', unit.flex_minutes,"                                                                     \
    "  'day_start_ms', (extract(epoch FROM t.day::timestamp AT TIME ZONE unit.timezone) * 1000)::bigint," \
    "  'day_end_ms', (extract(epoch FROM (t.day + 1)::timestamp AT TIME ZONE unit.timezone) * 1000)::bigint," \
    "  'local_weekday', extract(isodow FROM t.day)::int - 1,"                                                \
    "  'local_second', extract(epoch FROM t.local - t.day::timestamp)::int,"                                                \
    "  'generation', (SELECT n FROM setup_generation),"                                                        \
    "  'holiday', EXISTS (SELECT 1 FROM holidays h WHERE h.day = t.day"                                \
    "                     AND (h.agency_id IS NULL OR h.agency_id = unit.agency_id)),"                         \
    "  'closed', EXISTS (SELECT 1 FROM closed_days k WHERE k.unit_id = unit.id AND k.day = t.day),"  \
    "  'offices', (SELECT json_agg(json_build_object('id', o.id::text, 'geofence', o.geofence) ORDER BY o.id)" \
    "              FROM offices o WHERE o.unit_id = unit.id),"                                                \
    "  'policies', (SELECT json_agg(policy_doc(p)) FROM policies p"                                           \
    "               WHERE t.day BETWEEN p.starts_on AND p.ends_on AND unit.category = ANY (p.applies_to)" \
    "                 AND (p.unit_id IS NULL OR p.unit_id IN (SELECT id FROM up)))"

/*
 * The employee's part of the context for the day t.day (emp: its id): one employee's
 * (checkin_context) or every employee's of a unit (unit_day_employees).
 */
#define CONTEXT_EMPLOYEE_FIELDS                                                                                 \
    "  'home', (SELECT json_build_object('id', h.id::text, 'lat', h.lat, 'lon', h.lon, 'radius_m', h.radius_m)" \
    "           FROM homes h WHERE h.employee_id = emp.id AND h.status = 'approved'),"                         \
    "  'roster', (SELECT json_build_object('mode', r.mode, 'start_min', r.start_min, 'end_min', r.end_min)"    \
    "             FROM roster_entries r WHERE r.employee_id = emp.id AND r.day = t.day),"             \
    "  'roster_before', (SELECT json_build_object('start_min', r.start_min, 'end_min', r.end_min)"           \
    "                    FROM roster_entries r WHERE r.employee_id = emp.id AND r.day = t.local::date - 1),"  \
    "  'leave', (SELECT json_build_object('kind', l.kind, 'start_min', l.start_min, 'end_min', l.end_min,"     \
    "                                     'excuses_place', k.excuses_place)"                                   \
    "            FROM leave_on_day(emp.id, t.day) l JOIN leave_kinds k ON k.kind = l.kind"                     \
    "           WHERE l.id IS NOT NULL),"                                                                      \
    "  'arrival_second', (SELECT extract(epoch FROM min(c.judged_at) AT TIME ZONE unit.timezone"              \
    "                                   - t.day::timestamp)::int FROM checkins c WHERE c.employee_id = emp.id"   \
    "                     AND c.local_day = t.day AND c.type = 'in' AND c.counts_for_day),"                  \
    "  'previous', (SELECT json_build_object('id', c.id::text,"                                                \
    "                                        'captured_at_ms', (extract(epoch FROM c.captured_at) * 1000)::bigint," \
    "                                        'lat', c.lat, 'lon', c.lon, 'accuracy_m', c.accuracy_m)"         \
    "               FROM checkins c WHERE c.employee_id = emp.id AND c.local_day >= t.day - " PREVIOUS_DAYS \
    "              ORDER BY c.captured_at DESC, c.id DESC LIMIT 1),"                                            \
    "  'last_seq', (SELECT max(n.employee_seq) FROM checkin_nonces n WHERE n.employee_id = emp.id)"
#define CONTEXT_FIELDS "  'employee_id', emp.id::text," CONTEXT_UNIT_FIELDS "," CONTEXT_EMPLOYEE_FIELDS
/* The kiosks of the unit's offices, revoked ones too. */
#define CONTEXT_KIOSKS                                                                                          \
    "  'kiosks', (SELECT json_agg(json_build_object('id', k.id::text, 'office_id', k.office_id::text,"        \
    "                                               'secret', encode(k.secret, 'hex'), 'period_s', k.period_s," \
    "                                               'created_ms', (extract(epoch FROM k.created_at) * 1000)::bigint," \
    "                                               'revoked_ms', (extract(epoch FROM k.revoked_at) * 1000)::bigint)" \
    "                             ORDER BY k.id)"                                                             \
    "             FROM kiosks k JOIN offices o ON o.id = k.office_id WHERE o.unit_id = unit.id)"
/* A device's part of the context. */
#define DEVICE_DOC(d)                                                                                           \
    "json_build_object('id', " d ".id::text, 'employee_id', " d ".employee_id::text, 'active', " d ".active,"      \
    "                  'public_key', encode(" d ".public_key, 'hex'))"

/* An empty batch stores nothing; it is planned as a full one (json_to_recordset is estimated at 100 rows). */
const struct db_warm_up store_warm_ups[] = {
    {"checkin_insert", "[]"},
    {NULL, NULL},
};

const struct db_statement store_checkins_statements[] = {
    /*
     * $1 is the token's account, or NULL for a check-in without a token: then
     * the account is the employee login of device $2's employee. Only an
     * enabled employee login of an active employee has a context.
     */
    {"checkin_context",
     CONTEXT_FROM("SELECT e.id, e.unit_id, a.id AS account_id FROM accounts a JOIN employees e ON e.id = a.employee_id"
                  " WHERE a.id = coalesce($1::bigint, (SELECT o.id FROM devices d JOIN accounts o"
                  "                                     ON o.employee_id = d.employee_id AND o.role = 'employee'"
                  "                                    WHERE d.id = $2))"
                  "   AND a.role = 'employee' AND NOT a.disabled AND e.active", "$13")
     " SELECT json_build_object(" CONTEXT_FIELDS ", 'account_id', emp.account_id::text,"
     "  'device', (SELECT " DEVICE_DOC("d") " FROM devices d WHERE d.id = $2),"
     "  'existing', (SELECT json_build_object('id', c.id::text, 'same', c.payload = $5 AND c.signature = $6)"
     "               FROM checkin_nonces n JOIN checkins c ON c.id = n.checkin_id AND c.local_day = n.local_day"
     "              WHERE n.device_id = $2 AND n.nonce = $3),"
     "  'selfie_first_use_id', (SELECT s.checkin_id::text FROM selfie_uses s WHERE s.sha256 = $7),"
     "  'selfie_near', CASE WHEN $8::bigint IS NOT NULL THEN"
     "    selfie_near_copy($8::bigint, $9::integer[], $10::integer[], $11::integer[], t.local::date - 90, $12::integer)"
     "  END," CONTEXT_KIOSKS ")"
     " FROM emp, unit, t"},
    /* The unit's part of checkin_context's document alone, for unit $1's local day at the instant $2. */
    {"unit_day_context",
     "WITH RECURSIVE unit AS (SELECT * FROM units WHERE id = $1)," CONTEXT_DAY("$2", "0")
     " SELECT json_build_object(" CONTEXT_UNIT_FIELDS "," CONTEXT_KIOSKS ") FROM unit, t"},
    /*
     * The units whose days are worth reading ahead, with how many of their
     * active employees have an active device.
     */
    {"units_to_read",
     "SELECT coalesce(json_agg(json_build_object('unit_id', u.unit_id::text, 'employees', u.n) ORDER BY u.unit_id),"
     "                '[]')"
     "  FROM (SELECT e.unit_id, count(*) AS n FROM employees e JOIN devices d ON d.employee_id = e.id AND d.active"
     "         WHERE e.active GROUP BY e.unit_id) u"},
    /*
     * A vouched record's: $1-$3 the caller (SCOPE_SQL: the employee's unit must
     * be in its scope), $5 the NIP of an active employee, $6 the code of an
     * office of the employee's unit.
     */
    {"record_context",
     CONTEXT_FROM("SELECT e.id, e.unit_id FROM employees e JOIN units u ON u.id = e.unit_id"
                  " WHERE e.nip = $5 AND e.active AND " SCOPE_SQL("u"), "$7")
     " SELECT json_build_object(" CONTEXT_FIELDS ","
     "  'office', (SELECT json_build_object('id', o.id::text, 'geofence', o.geofence) FROM offices o"
     "             WHERE o.code = $6 AND o.unit_id = unit.id))"
     " FROM emp, unit, t"},
    /*
     * Every employee's part of the context of unit $1's local day $2, for the
     * employees a check-in without a token can come from (an enabled employee
     * login and an active device): read once when a unit's day is first read,
     * so that its employees' first check-ins of the day find their facts in the
     * cache (each still under checkin_insert's guard).
     */
    {"unit_day_employees",
     "WITH unit AS (SELECT * FROM units WHERE id = $1), t AS (SELECT $2::date AS day, $2::date::timestamp AS local)"
     " SELECT coalesce(json_agg(json_build_object('employee_id', emp.id::text, 'unit_id', unit.id::text,"
     "   'account_id', emp.account_id::text, 'device', " DEVICE_DOC("d") "," CONTEXT_EMPLOYEE_FIELDS ")), '[]')"
     " FROM (SELECT e.id, a.id AS account_id FROM employees e JOIN accounts a ON a.employee_id = e.id"
     "        WHERE e.unit_id = $1 AND ($3::bigint[] IS NULL OR e.id = ANY ($3::bigint[]))"
     "          AND e.active AND a.role = 'employee' AND NOT a.disabled) emp"
     " JOIN devices d ON d.employee_id = emp.id AND d.active, unit, t"},
    /*
     * A batch of check-ins, $1 a JSON array of rows (store_checkin_insert's
     * fields, each with its ord), of as many employees. The guard g repeats,
     * as cheap index look-ups, every fact each check-in was judged by; only the
     * rows whose facts all still hold are stored. A check-in whose nonce is
     * taken is not stored: the trigger checkins_take_nonce (sql/0015) skips the
     * row, and c returns none for it. The trigger also claims the employee's
     * number (sql/0035): a check-in judged at the same time on the same history
     * fails the statement on the claim.
     */
    {"checkin_insert",
     "WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r (ord int, employee_id bigint, unit_id bigint,"
     "     device_id bigint, nonce text, type text, mode text, captured_ms bigint, received_ms bigint, judged_ms bigint,"
     "     local_day date, lat float8, lon float8, accuracy_m float8, mock_location boolean, inside boolean,"
     "     distance_m float8, place text, selfie_sha256 text, selfie_type text, selfie_size int, payload text,"
     "     signature text, violations json, account_id bigint, generation bigint, home_id bigint, roster text,"
     "     previous_id bigint, had_arrival boolean, selfie_first_use_id bigint, counts_for_day boolean,"
     "     after_closure boolean, kiosk_id bigint, presence_t bigint, phash bigint, probes0 integer[],"
     "     probes1 integer[], probes2 integer[], match_bits int, near_id text, employee_seq bigint)),"
     " g AS (SELECT r.*,"
     "   (SELECT true FROM accounts a JOIN employees e ON e.id = a.employee_id"
     "     WHERE a.id = r.account_id AND a.role = 'employee' AND NOT a.disabled AND e.active"
     "       AND e.id = r.employee_id AND e.unit_id = r.unit_id LIMIT 1) IS NOT NULL"
     "   AND (SELECT true FROM devices d WHERE d.id = r.device_id AND d.active AND d.employee_id = r.employee_id"
     "         LIMIT 1) IS NOT NULL"
     "   AND (SELECT n FROM setup_generation) = r.generation"
     "   AND (SELECT h.id FROM homes h WHERE h.employee_id = r.employee_id AND h.status = 'approved')"
     "       IS NOT DISTINCT FROM r.home_id"
     "   AND (SELECT o.mode || ' ' || coalesce(o.start_min, -1) || ' ' || coalesce(o.end_min, -1)"
     "          FROM roster_entries o WHERE o.employee_id = r.employee_id AND o.day = r.local_day)"
     "       IS NOT DISTINCT FROM r.roster"
     "   AND (SELECT c.id FROM checkins c WHERE c.employee_id = r.employee_id AND c.local_day >= r.local_day - " PREVIOUS_DAYS
     "         ORDER BY c.captured_at DESC, c.id DESC LIMIT 1)"
     "       IS NOT DISTINCT FROM r.previous_id"
     "   AND ((SELECT true FROM checkins c WHERE c.employee_id = r.employee_id AND c.local_day = r.local_day"
     "          AND c.type = 'in' AND c.counts_for_day LIMIT 1) IS NOT NULL) = r.had_arrival"
     "   AND (SELECT s.checkin_id FROM selfie_uses s WHERE s.sha256 = r.selfie_sha256)"
     "       IS NOT DISTINCT FROM r.selfie_first_use_id"
     "   AND (CASE WHEN r.phash IS NOT NULL THEN"
     "          selfie_near_copy(r.phash, r.probes0, r.probes1, r.probes2, r.local_day - 90, r.match_bits)"
     "          ->> 'checkin_id' END) IS NOT DISTINCT FROM r.near_id AS fresh"
     "   FROM r),"
     " s AS (INSERT INTO selfies (sha256, day, content_type, size_bytes)"
     "       SELECT g.selfie_sha256, g.local_day, g.selfie_type, g.selfie_size FROM g"
     "        WHERE g.fresh AND g.selfie_sha256 IS NOT NULL"
     "       ON CONFLICT (sha256, day) DO NOTHING),"
     " c AS (INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,"
     "         local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, place, selfie_sha256,"
     "         payload, signature, judged_at, counts_for_day, after_closure, presence_kiosk_id, presence_t,"
     "         selfie_phash, employee_seq)"
     "       SELECT g.employee_id, g.unit_id, g.device_id, g.nonce, g.type, g.mode, to_timestamp(g.captured_ms / 1000.0),"
     "              to_timestamp(g.received_ms / 1000.0), g.local_day, g.lat, g.lon, g.accuracy_m, g.mock_location,"
     "              g.inside, g.distance_m, g.place, g.selfie_sha256, decode(g.payload, 'hex'),"
     "              decode(g.signature, 'hex'), to_timestamp(g.judged_ms / 1000.0), g.counts_for_day,"
     "              g.after_closure, g.kiosk_id, g.presence_t, g.phash, g.employee_seq"
     "         FROM g WHERE g.fresh ORDER BY g.ord"
     "       RETURNING id, device_id, nonce, local_day, captured_at, received_at, judged_at),"
     " v AS (INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)"
     "       SELECT g.employee_id, g.unit_id, c.id, c.local_day, x.code, x.evidence"
     "         FROM c JOIN g ON g.device_id = c.device_id AND g.nonce = c.nonce,"
     "              json_to_recordset(g.violations) AS x (code text, evidence jsonb, ord int)"
     "        ORDER BY g.ord, x.ord"
     "       RETURNING id, checkin_id, code)"
     " SELECT g.ord, g.fresh, c.id,"
     "        (SELECT coalesce(json_agg(json_build_object('violation_id', v.id::text, 'code', v.code) ORDER BY v.id),"
     "                         '[]') FROM v WHERE v.checkin_id = c.id),"
     "        checkin_times_doc(c.captured_at, c.received_at, c.judged_at, u.timezone)"
     "   FROM g LEFT JOIN c ON c.device_id = g.device_id AND c.nonce = g.nonce LEFT JOIN units u ON u.id = g.unit_id"
     "  ORDER BY g.ord"},
    {"checkin_replay",
     "SELECT json_build_object('checkin_id', c.id::text, 'inside', c.inside, 'distance_m', c.distance_m,"
     "        'place', c.place, 'selfie_attached', c.selfie_sha256 IS NOT NULL,"
     "        'violations', (SELECT coalesce(json_agg(json_build_object('violation_id', v.id::text, 'code', v.code)"
     "                                                ORDER BY v.id), '[]')"
     "                       FROM violations v WHERE v.checkin_id = c.id AND v.day = c.local_day),"
     "        'times', checkin_times_doc(c.captured_at, c.received_at, c.judged_at, u.timezone))"
     "  FROM checkin_nonces n JOIN checkins c ON c.id = n.checkin_id AND c.local_day = n.local_day"
     "  JOIN units u ON u.id = c.unit_id"
     " WHERE n.device_id = $1 AND n.nonce = $2 AND c.payload = $3 AND c.signature = $4"},
    /* A record an account vouched for; once (checkins_vouched_once_idx): a second import of it stores nothing. */
    {"record_insert",
     "WITH c AS (INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,"
     "             local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, place, payload, judged_at,"
     "             counts_for_day, after_closure, source, vouched_by)"
     "           VALUES ($1, $2, NULL, $3, $4, 'WFO', to_timestamp($5::bigint / 1000.0),"
     "                   to_timestamp($6::bigint / 1000.0), $7::date, $8, $9, 0, false, true, 0, $10, $11,"
     "                   to_timestamp($5::bigint / 1000.0), $12, $13, $14, $15)"
     "           ON CONFLICT (employee_id, local_day, type, judged_at) WHERE source <> 'phone' DO NOTHING"
     "           RETURNING id, local_day),"
     " v AS (INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)"
     "       SELECT $1::bigint, $2::bigint, c.id, c.local_day, x.code, x.evidence"
     "         FROM c, json_to_recordset($16::json) AS x (code text, evidence jsonb, ord int) ORDER BY x.ord"
     "       RETURNING code)"
     " SELECT c.id, (SELECT coalesce(json_agg(v.code), '[]') FROM v) FROM c"},
    {NULL, NULL},
};

/* The near-copy search's parameters: the hash, the probes of its parts (SQL array text), the distance. */
struct near_copy_params {
    char hash[24], match_bits[8];
    char *probes[PHASH_PARTS]; /* owned */
};

/* 0, or -1 out of memory (*status DB_UNAVAILABLE then); all NULL (SQL NULL) without a hash. */
static int near_copy_params_make(const struct selfie_phash *phash, struct near_copy_params *out, enum db_status *status)
{
    memset(out, 0, sizeof *out);
    if (!phash || !phash->present)
        return 0;
    snprintf(out->hash, sizeof out->hash, "%" PRId64, (int64_t)phash->hash);
    snprintf(out->match_bits, sizeof out->match_bits, "%d", phash->match_bits);
    uint32_t probes[PHASH_PROBES_MAX];
    for (int i = 0; i < PHASH_PARTS; i++) {
        size_t n = phash_probes(phash->hash, i, phash->match_bits, probes);
        char *text = malloc(n * 9 + 3), *at = text;
        if (!text) {
            *status = DB_UNAVAILABLE;
            return -1;
        }
        *at++ = '{';
        for (size_t k = 0; k < n; k++)
            at += sprintf(at, k ? ",%" PRIu32 : "%" PRIu32, probes[k]);
        strcpy(at, "}");
        out->probes[i] = text;
    }
    return 0;
}

static void near_copy_params_free(struct near_copy_params *p)
{
    for (int i = 0; i < PHASH_PARTS; i++)
        free(p->probes[i]);
}

/* A parameter's text: NULL (SQL NULL) when empty. */
static const char *or_null(const char *text) { return text && *text ? text : NULL; }

json_t *store_checkin_context(struct db_conn *db, long long account_id, long long device_id, const char *nonce,
                              int64_t judged_at_ms, int day_offset, const char *selfie_sha256,
                              const struct selfie_phash *phash, const char *payload, size_t payload_len,
                              const unsigned char *signature, size_t signature_len, enum db_status *status)
{
    char account[24], dev[24], judged[24], offset[8];
    struct near_copy_params near;
    if (near_copy_params_make(phash, &near, status) != 0) {
        near_copy_params_free(&near);
        return NULL;
    }
    snprintf(judged, sizeof judged, "%" PRId64, judged_at_ms);
    snprintf(offset, sizeof offset, "%d", day_offset);
    const char *values[] = {id_text(account, account_id), id_text(dev, device_id), nonce, judged, payload,
                            (const char *)signature, selfie_sha256, or_null(near.hash), near.probes[0],
                            near.probes[1], near.probes[2], or_null(near.match_bits), offset};
    const int lengths[] = {0, 0, 0, 0, (int)payload_len, (int)signature_len, 0, 0, 0, 0, 0, 0, 0};
    const int formats[] = {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    PGresult *r = db_exec_binary(db, "checkin_context", 13, values, lengths, formats, status);
    near_copy_params_free(&near);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    PQclear(r);
    return doc;
}

json_t *store_unit_day_context(struct db_conn *db, long long unit_id, int64_t at_ms, enum db_status *status)
{
    char unit[24], at[24];
    snprintf(at, sizeof at, "%" PRId64, at_ms);
    const char *params[] = {id_text(unit, unit_id), at};
    return store_doc_exec(db, "unit_day_context", 2, params, status);
}

json_t *store_units_to_read(struct db_conn *db, enum db_status *status)
{
    return store_doc_exec(db, "units_to_read", 0, NULL, status);
}

json_t *store_unit_day_employees(struct db_conn *db, long long unit_id, const char *local_day,
                                 const long long *employee_ids, size_t employee_count, enum db_status *status)
{
    char unit[24];
    char *ids = NULL; /* a PostgreSQL array literal: {1,2,3} */
    if (employee_ids) {
        size_t cap = 2 + employee_count * 21, len = 0;
        if (!(ids = malloc(cap))) {
            *status = DB_ERROR;
            return NULL;
        }
        ids[len++] = '{';
        for (size_t i = 0; i < employee_count; i++)
            len += (size_t)snprintf(ids + len, cap - len, i ? ",%lld" : "%lld", employee_ids[i]);
        snprintf(ids + len, cap - len, "}");
    }
    const char *params[] = {id_text(unit, unit_id), local_day, ids};
    json_t *doc = store_doc_exec(db, "unit_day_employees", 3, params, status);
    free(ids);
    return doc;
}

static json_t *id_or_null(long long id) { return id ? json_integer(id) : json_null(); }
static json_t *text_or_null(const char *text) { return text ? json_string(text) : json_null(); }

/* Bytes as a JSON string of hex; NULL out of memory. */
static json_t *hex_string(const void *bytes, size_t len)
{
    char *hex = malloc(len * 2 + 1);
    if (!hex)
        return NULL;
    sodium_bin2hex(hex, len * 2 + 1, bytes, len);
    json_t *s = json_stringn_nocheck(hex, len * 2);
    free(hex);
    return s;
}

/* The probes of the near-copy search's part i as a JSON array of integers (phash_probes). */
static json_t *probes_array(const struct selfie_phash *phash, int part)
{
    uint32_t probes[PHASH_PROBES_MAX];
    size_t n = phash_probes(phash->hash, part, phash->match_bits, probes);
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++)
        if (json_array_append_new(a, json_integer(probes[k])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* Row ord of checkin_insert's $1; NULL out of memory. */
static json_t *row_doc(const struct checkin_row *row, int ord)
{
    char roster[32];
    /* The guard's form of the roster entry: "mode start end", -1 for the unit's hours. */
    snprintf(roster, sizeof roster, "%s %d %d", row->roster_mode ? row->roster_mode : "", row->roster_start_min,
             row->roster_end_min);
    const struct selfie_phash *phash = row->selfie_phash && row->selfie_phash->present ? row->selfie_phash : NULL;
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    char near_id[24];
    int failed = 0;
    failed |= json_object_set_new(doc, "ord", json_integer(ord));
    failed |= json_object_set_new(doc, "employee_id", json_integer(row->employee_id));
    failed |= json_object_set_new(doc, "unit_id", json_integer(row->unit_id));
    failed |= json_object_set_new(doc, "device_id", json_integer(row->device_id));
    failed |= json_object_set_new(doc, "nonce", json_string(row->nonce));
    failed |= json_object_set_new(doc, "type", json_string(row->type));
    failed |= json_object_set_new(doc, "mode", json_string(row->mode));
    failed |= json_object_set_new(doc, "captured_ms", json_integer(row->captured_at_ms));
    failed |= json_object_set_new(doc, "received_ms", json_integer(row->received_at_ms));
    failed |= json_object_set_new(doc, "judged_ms", json_integer(row->judged_at_ms));
    failed |= json_object_set_new(doc, "local_day", json_string(row->local_day));
    failed |= json_object_set_new(doc, "lat", json_real(row->lat));
    failed |= json_object_set_new(doc, "lon", json_real(row->lon));
    failed |= json_object_set_new(doc, "accuracy_m", json_real(row->accuracy_m));
    failed |= json_object_set_new(doc, "mock_location", json_boolean(row->mock_location));
    failed |= json_object_set_new(doc, "inside", json_boolean(row->inside));
    failed |= json_object_set_new(doc, "distance_m", json_real(row->distance_m));
    failed |= json_object_set_new(doc, "place", text_or_null(row->place));
    failed |= json_object_set_new(doc, "selfie_sha256", text_or_null(row->selfie_sha256));
    failed |= json_object_set_new(doc, "selfie_type", text_or_null(row->selfie_content_type));
    failed |= json_object_set_new(doc, "selfie_size",
                                  row->selfie_sha256 ? json_integer((json_int_t)row->selfie_size) : json_null());
    failed |= json_object_set_new(doc, "payload", hex_string(row->payload, row->payload_len));
    failed |= json_object_set_new(doc, "signature", hex_string(row->signature, row->signature_len));
    failed |= json_object_set(doc, "violations", row->violations);
    failed |= json_object_set_new(doc, "account_id", json_integer(row->account_id));
    failed |= json_object_set_new(doc, "generation", json_integer(row->generation));
    failed |= json_object_set_new(doc, "home_id", id_or_null(row->home_id));
    failed |= json_object_set_new(doc, "roster", row->rostered ? json_string(roster) : json_null());
    failed |= json_object_set_new(doc, "previous_id", id_or_null(row->previous_id));
    failed |= json_object_set_new(doc, "had_arrival", json_boolean(row->had_arrival));
    failed |= json_object_set_new(doc, "selfie_first_use_id", id_or_null(row->selfie_first_use_id));
    failed |= json_object_set_new(doc, "counts_for_day", json_boolean(row->counts_for_day));
    failed |= json_object_set_new(doc, "after_closure", json_boolean(row->after_closure));
    failed |= json_object_set_new(doc, "kiosk_id", id_or_null(row->presence_kiosk_id));
    failed |= json_object_set_new(doc, "presence_t",
                                  row->presence_kiosk_id ? json_integer(row->presence_t) : json_null());
    failed |= json_object_set_new(doc, "phash", phash ? json_integer((json_int_t)phash->hash) : json_null());
    for (int i = 0; i < PHASH_PARTS; i++) {
        static const char *const names[PHASH_PARTS] = {"probes0", "probes1", "probes2"};
        failed |= json_object_set_new(doc, names[i], phash ? probes_array(phash, i) : json_null());
    }
    failed |= json_object_set_new(doc, "match_bits", phash ? json_integer(phash->match_bits) : json_null());
    failed |= json_object_set_new(doc, "near_id", text_or_null(id_text(near_id, row->selfie_near_id)));
    failed |= json_object_set_new(doc, "employee_seq", json_integer(row->employee_seq));
    if (failed) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void store_checkin_insert_batch(struct db_conn *db, const struct checkin_row *const *rows, size_t n,
                                struct checkin_outcome *out, enum db_status *status)
{
    *status = DB_OK;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct checkin_outcome){.result = CHECKIN_STALE};
    json_t *batch = json_array();
    for (size_t i = 0; batch && i < n; i++)
        if (json_array_append_new(batch, row_doc(rows[i], (int)i)) != 0) {
            json_decref(batch);
            batch = NULL;
        }
    char *text = batch ? json_dumps(batch, JSON_COMPACT) : NULL;
    json_decref(batch);
    if (!text) {
        *status = DB_UNAVAILABLE; /* out of memory: the phones retry */
        return;
    }
    const char *values[] = {text};
    PGresult *r = db_exec(db, "checkin_insert", 1, values, status);
    free(text);
    if (!r && *status == DB_UNIQUE_VIOLATION && strcmp(db_conn_constraint(db), "checkin_nonces_employee_seq_idx") == 0) {
        /* Another check-in claimed an employee's number first: that history changed. With one row, it is stale;
         * with more, the caller finds which by storing them one by one. */
        if (n == 1)
            *status = DB_OK;
        return;
    }
    if (!r)
        return;
    for (int k = 0; k < PQntuples(r); k++) {
        long ord = strtol(PQgetvalue(r, k, 0), NULL, 10);
        if (ord < 0 || (size_t)ord >= n || strcmp(PQgetvalue(r, k, 1), "t") != 0)
            continue; /* stale: left CHECKIN_STALE */
        struct checkin_outcome *o = &out[ord];
        o->result = CHECKIN_NOT_STORED;
        if (!PQgetisnull(r, k, 2)) {
            /* Stored and committed; out of memory here: NOT_STORED, and the caller answers it as a replay. */
            o->stored = json_pack("[s, o, o]", PQgetvalue(r, k, 2), store_doc(r, k, 3), store_doc(r, k, 4));
            if (o->stored)
                o->result = CHECKIN_STORED;
        }
    }
    PQclear(r);
}

json_t *store_checkin_replay(struct db_conn *db, long long device_id, const char *nonce, const char *payload,
                             size_t payload_len, const unsigned char *signature, size_t signature_len,
                             enum db_status *status)
{
    char dev[24];
    const char *values[] = {id_text(dev, device_id), nonce, payload, (const char *)signature};
    const int lengths[] = {0, 0, (int)payload_len, (int)signature_len};
    const int formats[] = {0, 0, 1, 1};
    PGresult *r = db_exec_binary(db, "checkin_replay", 4, values, lengths, formats, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    PQclear(r);
    return doc;
}

json_t *store_record_context(struct db_conn *db, const struct auth *a, const char *nip, const char *office_code,
                             int64_t judged_at_ms, int day_offset, enum db_status *status)
{
    char agency[24], unit[24], judged[24], offset[8];
    const char *params[7];
    store_scope_params(a, agency, unit, params);
    snprintf(judged, sizeof judged, "%" PRId64, judged_at_ms);
    snprintf(offset, sizeof offset, "%d", day_offset);
    params[3] = judged;
    params[4] = nip;
    params[5] = office_code;
    params[6] = offset;
    return store_doc_exec(db, "record_context", 7, params, status);
}

enum db_status store_record_insert(struct db_conn *db, const struct record_row *row, long long *checkin_id,
                                   json_t **codes)
{
    char emp[24], unit[24], at[24], received[24], lat[32], lon[32], by[24];
    snprintf(at, sizeof at, "%" PRId64, row->judged_at_ms);
    snprintf(received, sizeof received, "%" PRId64, row->received_at_ms);
    snprintf(lat, sizeof lat, "%.17g", row->lat);
    snprintf(lon, sizeof lon, "%.17g", row->lon);
    const char *values[] = {id_text(emp, row->employee_id), id_text(unit, row->unit_id), row->nonce, row->type, at,
                            received, row->local_day, lat, lon, row->place, row->record,
                            row->counts_for_day ? "true" : "false", row->after_closure ? "true" : "false",
                            row->source, id_text(by, row->vouched_by), row->violations_json};
    int lengths[16] = {0};
    int formats[16] = {0};
    lengths[10] = (int)strlen(row->record), formats[10] = 1; /* bytea, as the bytes were */
    enum db_status st;
    *checkin_id = 0;
    *codes = NULL;
    PGresult *r = db_exec_binary(db, "record_insert", 16, values, lengths, formats, &st);
    if (!r)
        return st;
    if (PQntuples(r) == 1) {
        *checkin_id = atoll(PQgetvalue(r, 0, 0));
        if (!(*codes = store_doc(r, 0, 1)))
            st = DB_UNAVAILABLE;
    }
    PQclear(r);
    return st;
}

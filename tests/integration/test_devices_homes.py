"""Devices (phone keys: enrol, revoke, list) and homes (WFH places: register, approve, list)."""
import base64
import os
import secrets
import threading

from harness import ADMIN_PASSWORD, Agency, admin_env, check, eq, login, test


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    a = env.agency
    env.sup_a = make_supervisor(env, a.unit_a["id"])
    env.sup_b = make_supervisor(env, a.unit_b["id"])
    return env


def teardown(env):
    env.close()


def make_account(env, username, role, unit_id, employee_id=None):
    """An account sharing the admin's password, made with SQL; returns (account id, token)."""
    rows = env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id, employee_id)"
                      " SELECT :'u', password_hash, :'r', :'unit', nullif(:'e', '')::bigint FROM accounts"
                      " WHERE username = 'admin' RETURNING id",
                      f"u={username}", f"r={role}", f"unit={unit_id}", f"e={employee_id or ''}")
    return rows[0][0], login(env.svc, username, ADMIN_PASSWORD)


def make_supervisor(env, unit_id):
    account_id, token = make_account(env, "sup-" + secrets.token_hex(4), "supervisor", unit_id)
    return {"account_id": account_id, "token": token}


def make_employee(env, unit_id):
    """An employee of unit_id and its login (username: the NIP)."""
    nip = "19" + "".join(secrets.choice("0123456789") for _ in range(16))
    employee_id = env.db.sql("INSERT INTO employees (nip, name, unit_id) VALUES (:'n', 'Pegawai ' || :'n', :'u')"
                             " RETURNING id", f"n={nip}", f"u={unit_id}")[0][0]
    account_id, token = make_account(env, nip, "employee", unit_id, employee_id)
    return {"id": employee_id, "account_id": account_id, "token": token}


def new_key(size=32, padded=False):
    """Random bytes as base64url: stored as a key here (the check-in tests verify signatures)."""
    text = base64.urlsafe_b64encode(os.urandom(size)).decode()
    return text if padded else text.rstrip("=")


def enrol(env, employee, key=None, label="Pixel 7"):
    return env.svc.request("POST", "/v1/devices", {"public_key": key or new_key(), "label": label},
                           token=employee["token"])


def revoke(env, token, device_id):
    return env.svc.request("DELETE", f"/v1/devices/{device_id}", token=token)


def active_devices(env, employee):
    return int(env.db.sql("SELECT count(*) FROM devices WHERE employee_id = :'e' AND active",
                          f"e={employee['id']}")[0][0])


def audit(env, entity, entity_id):
    """(action, before, after) of each audit entry of the entity, oldest first."""
    import json
    rows = env.db.sql("SELECT action, coalesce(before::text, 'null'), coalesce(after::text, 'null') FROM audit_log"
                      " WHERE entity = :'t' AND entity_id = :'i' ORDER BY id", f"t={entity}", f"i={entity_id}")
    return [(action, json.loads(before), json.loads(after)) for action, before, after in rows]


def register(env, employee, lat=-6.2, lon=106.8, address="Jl. Merdeka 1, Jakarta"):
    return env.svc.request("POST", "/v1/homes", {"lat": lat, "lon": lon, "address": address},
                           token=employee["token"])


def approve(env, token, home_id):
    return env.svc.request("POST", f"/v1/homes/{home_id}/approve", token=token)


def listing(env, path, token):
    r = env.svc.request("GET", path, token=token)
    eq(r.status, 200, f"GET {path} ({r})")
    return r.json()["items"]


# ---- devices ----

@test
def enrolment_answers_201_with_the_device(env):
    e = make_employee(env, env.agency.unit_a["id"])
    key = new_key()
    r = enrol(env, e, key, label="Samsung A54")
    eq(r.status, 201, f"status ({r})")
    body = r.json()
    check(isinstance(body["device_id"], str) and body["device_id"].isdigit(), f"device_id {body['device_id']!r}")
    eq((body["id"], body["employee_id"], body["public_key"], body["label"], body["active"], body["revoked_at"]),
       (body["device_id"], e["id"], key, "Samsung A54", True, None), "the device's document")
    eq(env.db.sql("SELECT encode(public_key, 'hex') FROM devices WHERE id = :'d'", f"d={body['device_id']}"),
       [[base64.urlsafe_b64decode(key + "=").hex()]], "the key's bytes are stored")
    entries = audit(env, "device", body["device_id"])
    eq([(action, before) for action, before, _ in entries], [("enrol", None)], "audit entries")
    eq(entries[0][2]["public_key"], key, "the audit entry holds the document")


@test
def a_second_active_device_is_refused(env):
    e = make_employee(env, env.agency.unit_a["id"])
    eq(enrol(env, e).status, 201, "first device")
    r = enrol(env, e)
    eq((r.status, r.error_code()), (409, "device_already_bound"), f"second device ({r})")
    eq(active_devices(env, e), 1, "active devices")
    eq(env.db.sql("SELECT count(*) FROM audit_log a JOIN accounts c ON c.id = a.actor_account_id"
                  " WHERE a.entity = 'device' AND c.employee_id = :'e'", f"e={e['id']}"), [["1"]],
       "no audit entry for the refused one")


@test
def malformed_keys_and_labels_are_refused(env):
    e = make_employee(env, env.agency.unit_a["id"])
    standard = base64.b64encode(b"\xfb\xff" + os.urandom(30)).decode().rstrip("=")  # has + or /
    check("+" in standard or "/" in standard, "the standard alphabet case uses + or /")
    cases = [
        ({"public_key": new_key(31)}, 422, "invalid_value", "public_key"),
        ({"public_key": new_key(33)}, 422, "invalid_value", "public_key"),
        ({"public_key": new_key(64)}, 422, "invalid_value", "public_key"),
        ({"public_key": standard}, 422, "invalid_value", "public_key"),
        ({"public_key": "!" * 43}, 422, "invalid_value", "public_key"),
        ({"public_key": new_key()[:-1] + "_"}, 422, "invalid_value", "public_key"),  # stray low bits
        ({"public_key": new_key() + " "}, 422, "invalid_value", "public_key"),
        ({"public_key": ""}, 422, "invalid_value", "public_key"),
        ({"public_key": "A" * 5000}, 422, "invalid_value", "public_key"),
        ({"public_key": 12345}, 400, "invalid_field", "public_key"),
        ({"public_key": None}, 400, "invalid_field", "public_key"),
        ({"label": ""}, 422, "invalid_value", "label"),
        ({"label": "x" * 101}, 422, "invalid_value", "label"),
        ({"label": "tab\there"}, 422, "invalid_value", "label"),
        ({"label": ["x"]}, 400, "invalid_field", "label"),
    ]
    for change, status, code, field in cases:
        body = {"public_key": new_key(), "label": "phone"}
        body.update(change)
        r = env.svc.request("POST", "/v1/devices", body, token=e["token"])
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{change}")
    r = env.svc.request("POST", "/v1/devices", {"label": "phone"}, token=e["token"])
    eq((r.status, r.json()["error"].get("field")), (400, "public_key"), "missing key")
    eq(env.db.sql("SELECT count(*) FROM devices WHERE employee_id = :'e'", f"e={e['id']}"), [["0"]], "none stored")
    # The edges that are valid: a 100-byte label, and the padded URL-safe form.
    eq(enrol(env, e, new_key(padded=True), label="x" * 100).status, 201, "padded key, longest label")


@test
def a_key_active_for_one_employee_is_refused_for_another(env):
    first = make_employee(env, env.agency.unit_a["id"])
    second = make_employee(env, env.agency.unit_b["id"])
    key = new_key()
    device_id = enrol(env, first, key).json()["device_id"]
    r = enrol(env, second, key)
    eq((r.status, r.error_code(), r.json()["error"].get("field")), (409, "already_exists", "public_key"),
       f"the same key elsewhere ({r})")
    eq(active_devices(env, second), 0, "nothing bound to the second")
    eq(revoke(env, env.sup_a["token"], device_id).status, 200, "revoked")
    eq(enrol(env, second, key).status, 201, "a revoked key may be enrolled again")


@test
def concurrent_enrolments_bind_exactly_one_device(env):
    e = make_employee(env, env.agency.unit_a["id"])
    statuses, codes = [], []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def one():
        start.wait()
        r = enrol(env, e)
        with lock:
            statuses.append(r.status)
            if r.status != 201:
                codes.append(r.error_code())

    threads = [threading.Thread(target=one) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(statuses), [201] + [409] * 9, "one wins")
    eq(set(codes), {"device_already_bound"}, "the others' code")
    eq(active_devices(env, e), 1, "active rows")
    eq(env.db.sql("SELECT count(*) FROM devices WHERE employee_id = :'e'", f"e={e['id']}"), [["1"]], "rows")


@test
def concurrent_enrolments_of_one_key_bind_it_once(env):
    employees = [make_employee(env, env.agency.unit_a["id"]) for _ in range(4)]
    key = new_key()
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(len(employees))

    def one(e):
        start.wait()
        r = enrol(env, e, key)
        with lock:
            statuses.append((r.status, r.error_code() if r.status != 201 else None))

    threads = [threading.Thread(target=one, args=(e,)) for e in employees]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(statuses, key=lambda s: s[0]), [(201, None)] + [(409, "already_exists")] * 3, "one wins")
    eq(env.db.sql("SELECT count(*) FROM devices WHERE public_key = decode(:'k', 'base64') AND active",
                  "k=" + base64.b64encode(base64.urlsafe_b64decode(key + "=")).decode()), [["1"]], "active rows")


@test
def the_units_supervisor_revokes_and_the_employee_enrols_again(env):
    e = make_employee(env, env.agency.unit_a["id"])
    device_id = enrol(env, e).json()["device_id"]
    r = revoke(env, env.sup_a["token"], device_id)
    eq(r.status, 200, f"revoke ({r})")
    doc = r.json()
    eq((doc["id"], doc["active"]), (device_id, False), "revoked document")
    check(doc["revoked_at"] is not None, "revoked_at is set")
    eq(env.db.sql("SELECT active, revoked_by FROM devices WHERE id = :'d'", f"d={device_id}"),
       [["f", env.sup_a["account_id"]]], "stored revocation")
    again = revoke(env, env.sup_a["token"], device_id)
    eq((again.status, again.json()), (200, doc), "revoking again answers the same document")
    entries = audit(env, "device", device_id)
    eq([action for action, _, _ in entries], ["enrol", "revoke"], "audit actions (none for the repeat)")
    eq((entries[1][1]["active"], entries[1][2]["active"]), (True, False), "before and after")
    r = enrol(env, e)
    eq(r.status, 201, f"a new device after revocation ({r})")
    check(r.json()["device_id"] != device_id, "a new device id")
    eq(active_devices(env, e), 1, "one active device")


@test
def revocation_outside_the_scope_is_404_and_employees_may_not_revoke(env):
    e = make_employee(env, env.agency.unit_a["id"])
    device_id = enrol(env, e).json()["device_id"]
    for token, path_id, what in ((env.sup_b["token"], device_id, "another unit's supervisor"),
                                 (env.sup_a["token"], "999999999", "an unknown device"),
                                 (env.sup_a["token"], "abc", "a malformed id"),
                                 (env.sup_a["token"], "0" + device_id, "a non-canonical id")):
        r = revoke(env, token, path_id)
        eq((r.status, r.error_code()), (404, "not_found"), what)
    r = revoke(env, e["token"], device_id)
    eq((r.status, r.error_code()), (403, "forbidden"), "the employee itself")
    eq(active_devices(env, e), 1, "still active")
    eq([action for action, _, _ in audit(env, "device", device_id)], ["enrol"], "no revocation audited")
    r = revoke(env, env.agency.admin, device_id)
    eq((r.status, r.json()["active"]), (200, False), "an admin may revoke")


@test
def device_lists_are_scoped(env):
    a = env.agency
    mine = make_employee(env, a.unit_a["id"])
    colleague = make_employee(env, a.unit_a["id"])
    other = make_employee(env, a.unit_b["id"])
    mine_first = enrol(env, mine).json()["device_id"]
    revoke(env, env.sup_a["token"], mine_first)
    mine_second = enrol(env, mine).json()["device_id"]
    colleague_device = enrol(env, colleague).json()["device_id"]
    other_device = enrol(env, other).json()["device_id"]

    own = listing(env, "/v1/devices", mine["token"])
    eq([d["id"] for d in own], [mine_first, mine_second], "an employee sees its own devices, oldest first")
    eq(listing(env, f"/v1/devices?employee_id={colleague['id']}", mine["token"]), [],
       "an employee never sees another's devices")
    unit_a = {d["id"] for d in listing(env, "/v1/devices?limit=500", env.sup_a["token"])}
    check({mine_first, mine_second, colleague_device} <= unit_a, "the supervisor sees its unit's")
    check(other_device not in unit_a, "and not another unit's")
    check(all(d["employee_id"] != other["id"] for d in listing(env, "/v1/devices?limit=500", env.sup_a["token"])),
          "no device of unit B's employee")
    eq([d["id"] for d in listing(env, f"/v1/devices?employee_id={other['id']}", env.sup_a["token"])], [],
       "filtering on another unit's employee")
    eq([d["id"] for d in listing(env, f"/v1/devices?employee_id={other['id']}", env.agency.admin)], [other_device],
       "an admin sees every unit")
    page = env.svc.request("GET", f"/v1/devices?employee_id={mine['id']}&limit=1", token=env.agency.admin).json()
    eq(([d["id"] for d in page["items"]], page["next_cursor"]), ([mine_first], mine_first), "first page")
    page = env.svc.request("GET", f"/v1/devices?employee_id={mine['id']}&limit=1&cursor={page['next_cursor']}",
                           token=env.agency.admin).json()
    eq(([d["id"] for d in page["items"]], page["next_cursor"]), ([mine_second], None), "last page")
    r = env.svc.request("GET", "/v1/devices?employee_id=x", token=env.agency.admin)
    eq((r.status, r.json()["error"].get("field")), (400, "employee_id"), "malformed filter")


# ---- homes ----

@test
def a_registered_home_is_pending_with_the_default_radius(env):
    e = make_employee(env, env.agency.unit_a["id"])
    r = register(env, e, lat=-6.175392, lon=106.827153, address="Jl. Medan Merdeka Barat 12")
    eq(r.status, 201, f"status ({r})")
    body = r.json()
    check(isinstance(body["home_id"], str) and body["home_id"].isdigit(), f"home_id {body['home_id']!r}")
    eq((body["id"], body["status"], body["employee_id"], body["lat"], body["lon"], body["radius_m"],
        body["approved_at"]),
       (body["home_id"], "pending", e["id"], -6.175392, 106.827153, 100, None), "the home's document")
    eq([(action, before, after["status"]) for action, before, after in audit(env, "home", body["home_id"])],
       [("register", None, "pending")], "audit entries")


@test
def approval_replaces_the_previous_home(env):
    e = make_employee(env, env.agency.unit_a["id"])
    first = register(env, e).json()["home_id"]
    r = approve(env, env.sup_a["token"], first)
    eq(r.status, 200, f"approve ({r})")
    eq((r.json()["id"], r.json()["status"]), (first, "approved"), "approved document")
    check(r.json()["approved_at"] is not None, "approved_at is set")
    eq(env.db.sql("SELECT approved_by FROM homes WHERE id = :'h'", f"h={first}"), [[env.sup_a["account_id"]]],
       "approved_by")

    second = register(env, e, lat=-6.3, lon=106.9, address="Jl. Baru 2").json()["home_id"]
    eq(env.db.sql("SELECT status FROM homes WHERE id = :'h'", f"h={first}"), [["approved"]],
       "a pending home changes nothing yet")
    eq(approve(env, env.sup_a["token"], second).json()["status"], "approved", "second approved")
    eq(env.db.sql("SELECT id, status FROM homes WHERE employee_id = :'e' ORDER BY id", f"e={e['id']}"),
       [[first, "replaced"], [second, "approved"]], "the first is replaced")
    eq([(action, before["status"], after["status"]) for action, before, after in audit(env, "home", first)[1:]],
       [("approve", "pending", "approved"), ("replace", "approved", "replaced")], "audit of the first")
    eq([(action, after["status"]) for action, _, after in audit(env, "home", second)],
       [("register", "pending"), ("approve", "approved")], "audit of the second")

    for home_id, status in ((first, "replaced"), (second, "approved")):
        r = approve(env, env.sup_a["token"], home_id)
        eq((r.status, r.error_code()), (409, "conflict"), f"approving a {status} home")
    eq(env.db.sql("SELECT count(*) FROM homes WHERE employee_id = :'e' AND status = 'approved'", f"e={e['id']}"),
       [["1"]], "one approved home")


@test
def concurrent_approvals_leave_one_approved_home(env):
    e = make_employee(env, env.agency.unit_a["id"])
    homes = [register(env, e, lat=-6.2 - i / 100).json()["home_id"] for i in range(6)]
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(len(homes))

    def one(home_id):
        start.wait()
        r = approve(env, env.sup_a["token"], home_id)
        with lock:
            statuses.append(r.status)

    threads = [threading.Thread(target=one, args=(h,)) for h in homes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(statuses, [200] * len(homes), "each approval, taken in turn, succeeds")
    eq(env.db.sql("SELECT status, count(*) FROM homes WHERE employee_id = :'e' GROUP BY status ORDER BY status",
                  f"e={e['id']}"), [["approved", "1"], ["replaced", str(len(homes) - 1)]], "statuses")
    eq(env.db.sql("SELECT count(*) FROM audit_log WHERE entity = 'home' AND action = 'replace'"
                  " AND entity_id = ANY (string_to_array(:'ids', ',')::text[])", "ids=" + ",".join(homes)),
       [[str(len(homes) - 1)]], "every replacement audited")


@test
def approval_outside_the_scope_is_404_and_only_supervisors_approve(env):
    e = make_employee(env, env.agency.unit_a["id"])
    home_id = register(env, e).json()["home_id"]
    for token, path_id, what in ((env.sup_b["token"], home_id, "another unit's supervisor"),
                                 (env.sup_a["token"], "999999999", "an unknown home"),
                                 (env.sup_a["token"], "-1", "a malformed id")):
        r = approve(env, token, path_id)
        eq((r.status, r.error_code()), (404, "not_found"), what)
    for token, what in ((e["token"], "the employee"), (env.agency.admin, "an admin")):
        eq(approve(env, token, home_id).status, 403, what)
    eq(env.db.sql("SELECT status FROM homes WHERE id = :'h'", f"h={home_id}"), [["pending"]], "still pending")
    eq([action for action, _, _ in audit(env, "home", home_id)], ["register"], "no approval audited")


@test
def bad_home_bodies_name_the_field(env):
    e = make_employee(env, env.agency.unit_a["id"])
    cases = [
        ({"lat": 90.0001}, 422, "lat"), ({"lat": -91}, 422, "lat"), ({"lat": 1e300}, 422, "lat"),
        ({"lon": 180.5}, 422, "lon"), ({"lon": -181}, 422, "lon"),
        ({"address": ""}, 422, "address"), ({"address": "x" * 501}, 422, "address"),
        ({"address": "line\nbreak"}, 422, "address"),
        ({"lat": "-6.2"}, 400, "lat"), ({"lat": None}, 400, "lat"), ({"lon": True}, 400, "lon"),
        ({"address": 5}, 400, "address"),
    ]
    for change, status, field in cases:
        body = {"lat": -6.2, "lon": 106.8, "address": "Jl. Sudirman 1"}
        body.update(change)
        r = env.svc.request("POST", "/v1/homes", body, token=e["token"])
        eq((r.status, r.json()["error"].get("field")), (status, field), f"{change} ({r})")
    r = env.svc.request("POST", "/v1/homes", {"lat": -6.2, "address": "x"}, token=e["token"])
    eq((r.status, r.error_code(), r.json()["error"].get("field")), (400, "invalid_field", "lon"), "missing lon")
    eq(env.db.sql("SELECT count(*) FROM homes WHERE employee_id = :'e'", f"e={e['id']}"), [["0"]], "none stored")
    eq(register(env, e, lat=90, lon=-180, address="x" * 500).status, 201, "the edges are valid")


@test
def home_lists_are_scoped(env):
    a = env.agency
    mine = make_employee(env, a.unit_a["id"])
    colleague = make_employee(env, a.unit_a["id"])
    other = make_employee(env, a.unit_b["id"])
    mine_old = register(env, mine).json()["home_id"]
    approve(env, env.sup_a["token"], mine_old)
    mine_new = register(env, mine).json()["home_id"]
    colleague_home = register(env, colleague).json()["home_id"]
    other_home = register(env, other).json()["home_id"]

    eq([h["id"] for h in listing(env, "/v1/homes", mine["token"])], [mine_old, mine_new], "an employee's own")
    eq(listing(env, f"/v1/homes?employee_id={colleague['id']}", mine["token"]), [],
       "an employee never sees another's homes")
    unit_a = listing(env, "/v1/homes?limit=500", env.sup_a["token"])
    check({mine_old, mine_new, colleague_home} <= {h["id"] for h in unit_a}, "the supervisor sees its unit's")
    check(all(h["employee_id"] != other["id"] for h in unit_a), "and no other unit's")
    pending = listing(env, "/v1/homes?status=pending&limit=500", env.sup_a["token"])
    check({mine_new, colleague_home} <= {h["id"] for h in pending} and mine_old not in {h["id"] for h in pending},
          "the pending filter")
    check(all(h["status"] == "pending" for h in pending), "only pending ones")
    eq([h["id"] for h in listing(env, f"/v1/homes?status=approved&employee_id={mine['id']}", env.sup_a["token"])],
       [mine_old], "the approved one")
    eq([h["id"] for h in listing(env, f"/v1/homes?employee_id={other['id']}", env.sup_b["token"])], [other_home],
       "unit B's supervisor sees unit B's")
    eq([h["id"] for h in listing(env, f"/v1/homes?employee_id={mine['id']}", a.admin)], [mine_old, mine_new],
       "an admin sees every unit")
    r = env.svc.request("GET", "/v1/homes?status=approvedx", token=env.sup_a["token"])
    eq((r.status, r.json()["error"].get("field")), (400, "status"), "unknown status")

"""Employees: create, read, list within scope, change, and the CSV import; each employee's NIP login."""
import itertools
import json
import secrets

from harness import Agency, Failure, admin_env, check, eq, login, make_staff, test

_serial = itertools.count(1)
_run = secrets.randbelow(10**6)


def new_nip():
    """An 18-digit NIP no other test of this run uses."""
    return f"19{_run:06d}{next(_serial):010d}"


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.other_agency = Agency(env.svc)
    env.admin = env.agency.admin
    a, o = env.agency, env.other_agency
    env.sup_a = make_staff(env, "supervisor", username="sup-a-" + a.prefix, unit_id=a.unit_a["id"])
    env.sup_b = make_staff(env, "supervisor", username="sup-b-" + a.prefix, unit_id=a.unit_b["id"])
    env.reviewer = make_staff(env, "reviewer", username="rev-" + a.prefix, unit_id=a.top["id"])
    env.other_reviewer = make_staff(env, "reviewer", username="rev-" + o.prefix, unit_id=o.top["id"])
    return env


def teardown(env):
    env.close()



def create(env, unit, nip=None, password="employee-password", **extra):
    body = {"nip": nip or new_nip(), "name": "Pegawai " + secrets.token_hex(3), "unit_id": unit["id"],
            "password": password}
    body.update(extra)
    r = env.svc.request("POST", "/v1/employees", body, token=env.admin)
    if r.status != 201:
        raise Failure(f"creating employee {body['nip']}: {r}")
    return r.json()


def count(env, query, *variables):
    return int(env.db.sql(query, *variables)[0][0])


def stored_hash(env, nip):
    return env.db.sql("SELECT password_hash FROM accounts WHERE username = :'n'", f"n={nip}")[0][0]


def import_csv(env, data, content_type="text/csv", token=None):
    return env.svc.request("POST", "/v1/employees/import", data, headers={"Content-Type": content_type},
                           token=token or env.admin)


def csv_bytes(rows, header="nip,name,unit_code,password", eol="\r\n", bom=False):
    text = eol.join([header] + rows) + eol
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


@test
def create_and_read_back(env):
    nip = new_nip()
    r = env.svc.request("POST", "/v1/employees",
                        {"nip": nip, "name": "Siti Aminah", "unit_id": env.agency.unit_a["id"],
                         "password": "siti-password", "birth_date": "2000-02-29", "vulnerable": True},
                        token=env.admin)
    eq(r.status, 201, f"status ({r})")
    doc = r.json()
    eq(sorted(doc), ["active", "birth_date", "created_at", "id", "name", "nip", "status", "unit_id", "updated_at",
                     "vulnerable"], "fields (no password, no hash)")
    eq(doc["status"], "pns", "a PNS unless set")
    eq((doc["nip"], doc["name"], doc["unit_id"], doc["birth_date"], doc["vulnerable"], doc["active"]),
       (nip, "Siti Aminah", env.agency.unit_a["id"], "2000-02-29", True, True), "values")
    check(isinstance(doc["id"], str), "ids are strings")
    r = env.svc.request("GET", f"/v1/employees/{doc['id']}", token=env.admin)
    eq((r.status, r.json()), (200, doc), "read back")
    # Its login: username = NIP, role employee, the same unit, linked to the employee, hashed at full cost.
    rows = env.db.sql("SELECT role, unit_id, employee_id, password_hash FROM accounts WHERE username = :'n'",
                      f"n={nip}")
    eq(len(rows), 1, "one login")
    eq(rows[0][:3], ["employee", env.agency.unit_a["id"], doc["id"]], "the login's role, unit and employee")
    check(rows[0][3].startswith("$argon2id$") and "m=65536," in rows[0][3], f"interactive Argon2id: {rows[0][3]}")
    minimal = create(env, env.agency.unit_b)
    eq((minimal["birth_date"], minimal["vulnerable"]), (None, False), "defaults")
    audit = env.db.sql("SELECT actor, action, after->>'nip', after::text FROM audit_log WHERE entity = 'employee' "
                       "AND entity_id = :'id'", f"id={doc['id']}")
    eq([row[:3] for row in audit], [["admin", "create", nip]], "audit row")
    check("siti-password" not in audit[0][3] and "argon2" not in audit[0][3], "no password in the audit")
    check("siti-password" not in env.svc.log_text(), "no password in the log")


@test
def an_employee_logs_in_with_its_nip_and_reads_only_its_own_record(env):
    me = create(env, env.agency.unit_a, password="my-own-password")
    other = create(env, env.agency.unit_a)
    r = env.svc.request("POST", "/v1/auth/login", {"username": me["nip"], "password": "my-own-password"})
    eq((r.status, r.json().get("role"), r.json().get("password_change_required")), (200, "employee", True),
       "login with the NIP; the admin's password must be changed (test_passwords)")
    token = login(env.svc, me["nip"], "my-own-password")
    r = env.svc.request("GET", f"/v1/employees/{me['id']}", token=token)
    eq((r.status, r.json()), (200, me), "its own record")
    r = env.svc.request("GET", f"/v1/employees/{other['id']}", token=token)
    eq((r.status, r.error_code()), (404, "not_found"), "another's record")
    eq(env.svc.request("GET", "/v1/employees/999999999", token=token).status, 404, "an unknown one")
    forbidden = [("GET", "/v1/employees", None),
                 ("POST", "/v1/employees", {"nip": new_nip(), "name": "X", "unit_id": env.agency.unit_a["id"],
                                            "password": "password-x"}),
                 ("PATCH", f"/v1/employees/{me['id']}", {"name": "Self-renamed"}),
                 ("POST", "/v1/employees/import", None)]
    for method, path, body in forbidden:
        r = env.svc.request(method, path, body, token=token)
        eq((r.status, r.error_code()), (403, "forbidden"), f"{method} {path}")
    r = import_csv(env, csv_bytes([f"{new_nip()},X,{env.agency.unit_a['code']},password-x"]), token=token)
    eq(r.status, 403, "import with a body")
    eq(env.svc.request("GET", f"/v1/employees/{me['id']}", token=env.admin).json()["name"], me["name"], "unchanged")


@test
def create_checks_every_field_and_stores_nothing_on_failure(env):
    unit = env.agency.unit_a["id"]
    bad = [
        ({"nip": "12345"}, 422, "invalid_value", "nip"),
        ({"nip": "19900101201501100x"}, 422, "invalid_value", "nip"),
        ({"nip": "1990010120150110011"}, 422, "invalid_value", "nip"),
        ({"nip": "١٩٩٠٠١٠١٢٠١٥٠١١٠٠١"}, 422, "invalid_value", "nip"),
        ({"nip": 199001012015011001}, 400, "invalid_field", "nip"),
        ({"name": ""}, 422, "invalid_value", "name"),
        ({"name": "x" * 201}, 422, "invalid_value", "name"),
        ({"name": "tab\there"}, 422, "invalid_value", "name"),
        ({"unit_id": "999999999"}, 422, "invalid_value", "unit_id"),
        ({"unit_id": "abc"}, 422, "invalid_value", "unit_id"),
        ({"unit_id": 5}, 400, "invalid_field", "unit_id"),
        ({"password": "short"}, 422, "invalid_value", "password"),
        ({"password": "p" * 1025}, 422, "invalid_value", "password"),
        ({"birth_date": "1990-02-30"}, 422, "invalid_value", "birth_date"),
        ({"birth_date": "2100-01-01"}, 422, "invalid_value", "birth_date"),
        ({"birth_date": "1899-12-31"}, 422, "invalid_value", "birth_date"),
        ({"birth_date": "1990-1-1"}, 422, "invalid_value", "birth_date"),
        ({"birth_date": "1990-01-01T00:00:00Z"}, 422, "invalid_value", "birth_date"),
        ({"birth_date": 19900101}, 400, "invalid_field", "birth_date"),
        ({"vulnerable": "yes"}, 400, "invalid_field", "vulnerable"),
    ]
    for change, status, code, field in bad:
        body = {"nip": new_nip(), "name": "Pegawai", "unit_id": unit, "password": "good-password"}
        body.update(change)
        r = env.svc.request("POST", "/v1/employees", body, token=env.admin)
        eq((r.status, r.error_code()), (status, code), f"{change}: status and code ({r})")
        eq(r.json()["error"].get("field"), field, f"{change}: field")
        nip = body["nip"] if isinstance(body["nip"], str) else str(body["nip"])
        eq(count(env, "SELECT (SELECT count(*) FROM employees WHERE nip = :'n') "
                      "+ (SELECT count(*) FROM accounts WHERE username = :'n')", f"n={nip}"), 0,
           f"{change}: no employee, no login")
    for missing in ("nip", "name", "unit_id", "password"):
        body = {"nip": new_nip(), "name": "Pegawai", "unit_id": unit, "password": "good-password"}
        del body[missing]
        r = env.svc.request("POST", "/v1/employees", body, token=env.admin)
        eq((r.status, r.error_code()), (400, "invalid_field"), f"without {missing}")
    r = env.svc.request("POST", "/v1/employees", b"nip=1", headers={"Content-Type": "text/plain"}, token=env.admin)
    eq(r.status, 415, "not JSON")


@test
def a_duplicate_nip_is_409(env):
    first = create(env, env.agency.unit_a)
    r = env.svc.request("POST", "/v1/employees", {"nip": first["nip"], "name": "Someone Else",
                                                  "unit_id": env.agency.unit_b["id"], "password": "other-password"},
                        token=env.admin)
    eq((r.status, r.error_code(), r.json()["error"].get("field")), (409, "already_exists", "nip"), "status")
    eq(count(env, "SELECT count(*) FROM employees WHERE nip = :'n'", f"n={first['nip']}"), 1, "one employee")
    # A staff login already named like the NIP: the employee could not log in, so it is refused, and rolled back.
    nip = new_nip()
    env.db.sql("INSERT INTO accounts (username, password_hash, role) VALUES (:'n', 'x', 'admin')", f"n={nip}")
    r = env.svc.request("POST", "/v1/employees", {"nip": nip, "name": "Clash", "unit_id": env.agency.unit_a["id"],
                                                  "password": "clash-password"}, token=env.admin)
    eq((r.status, r.json()["error"].get("field")), (409, "nip"), "a login's username")
    eq(count(env, "SELECT count(*) FROM employees WHERE nip = :'n'", f"n={nip}"), 0, "no employee left behind")


def listed_ids(env, token, query=""):
    ids, cursor = [], None
    while True:
        path = "/v1/employees?limit=500" + query + (f"&cursor={cursor}" if cursor else "")
        r = env.svc.request("GET", path, token=token)
        eq(r.status, 200, f"list {path} ({r})")
        page = r.json()
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


@test
def staff_see_employees_within_their_scope_only(env):
    a, o = env.agency, env.other_agency
    in_a, in_b = create(env, a.unit_a), create(env, a.unit_b)
    elsewhere = create(env, o.unit_a)
    cases = [("supervisor of A", env.sup_a, [in_a], [in_b, elsewhere]),
             ("supervisor of B", env.sup_b, [in_b], [in_a, elsewhere]),
             ("reviewer of the agency", env.reviewer, [in_a, in_b], [elsewhere]),
             ("reviewer of another agency", env.other_reviewer, [elsewhere], [in_a, in_b]),
             ("admin", env.admin, [in_a, in_b, elsewhere], [])]
    for who, token, visible, hidden in cases:
        listed = listed_ids(env, token)
        for e in visible:
            eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=token).status, 200, f"{who} reads {e['id']}")
            check(e["id"] in listed, f"{who} lists {e['id']}")
        for e in hidden:
            r = env.svc.request("GET", f"/v1/employees/{e['id']}", token=token)
            eq((r.status, r.error_code()), (404, "not_found"), f"{who} reads {e['id']}")
            check(e["id"] not in listed, f"{who} does not list {e['id']}")
    # The unit filter: within scope it narrows the list; outside it, the unit is not there.
    only_a = listed_ids(env, env.admin, f"&unit_id={a.unit_a['id']}")
    check(in_a["id"] in only_a and in_b["id"] not in only_a, "admin filtered by unit A")
    eq(listed_ids(env, env.sup_a, f"&unit_id={a.unit_a['id']}").count(in_a["id"]), 1, "supervisor's own unit")
    for token, unit in ((env.sup_a, a.unit_b), (env.other_reviewer, a.unit_a)):
        r = env.svc.request("GET", f"/v1/employees?unit_id={unit['id']}", token=token)
        eq((r.status, r.error_code()), (404, "not_found"), "a unit out of scope")
    for q in ("unit_id=abc", "limit=0", "cursor=zz"):
        eq(env.svc.request("GET", "/v1/employees?" + q, token=env.admin).status, 400, q)
    # Paging: small pages give every employee once.
    ids, cursor = [], None
    while True:
        page = env.svc.request("GET", "/v1/employees?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                               token=env.admin).json()
        check(len(page["items"]) <= 2, "limit honoured")
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(ids, sorted(set(ids), key=int), "each once, in id order")
    eq(len(ids), count(env, "SELECT count(*) FROM employees"), "all employees")


@test
def patch_moves_renames_and_deactivates(env):
    a = env.agency
    e = create(env, a.unit_a, password="before-password")
    token = login(env.svc, e["nip"], "before-password")
    r = env.svc.request("PATCH", f"/v1/employees/{e['id']}",
                        {"unit_id": a.unit_b["id"], "name": "Budi Santoso", "birth_date": "1970-05-17",
                         "vulnerable": True}, token=env.admin)
    eq(r.status, 200, f"status ({r})")
    moved = r.json()
    eq((moved["unit_id"], moved["name"], moved["birth_date"], moved["vulnerable"], moved["nip"]),
       (a.unit_b["id"], "Budi Santoso", "1970-05-17", True, e["nip"]), "the new document")
    eq(env.db.sql("SELECT unit_id FROM accounts WHERE username = :'n'", f"n={e['nip']}"), [[a.unit_b["id"]]],
       "the login moved with the employee")
    eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=env.sup_a).status, 404, "the old unit's supervisor")
    eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=env.sup_b).status, 200, "the new unit's supervisor")
    audit = env.db.sql("SELECT before->>'unit_id', after->>'unit_id', after->>'name' FROM audit_log "
                       "WHERE entity = 'employee' AND action = 'update' AND entity_id = :'id'", f"id={e['id']}")
    eq(audit, [[a.unit_a["id"], a.unit_b["id"], "Budi Santoso"]], "audit with before and after")

    r = env.svc.request("PATCH", f"/v1/employees/{e['id']}", {"birth_date": None}, token=env.admin)
    eq((r.status, r.json()["birth_date"], r.json()["name"]), (200, None, "Budi Santoso"), "birth_date cleared only")

    eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=token).status, 200, "token works while active")
    r = env.svc.request("PATCH", f"/v1/employees/{e['id']}", {"active": False}, token=env.admin)
    eq((r.status, r.json()["active"]), (200, False), "deactivated")
    r = env.svc.request("GET", f"/v1/employees/{e['id']}", token=token)
    eq((r.status, r.error_code()), (401, "invalid_token"), "the employee's token stops working")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": e["nip"], "password": "before-password"}).status, 401,
       "no new login either")
    r = env.svc.request("PATCH", f"/v1/employees/{e['id']}", {"active": True, "password": "after-password"},
                        token=env.admin)
    eq(r.status, 200, "reactivated with a new password")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": e["nip"], "password": "before-password"}).status, 401,
       "the old password is gone")
    login(env.svc, e["nip"], "after-password")
    rows = env.db.sql("SELECT after->>'password_changed', after::text FROM audit_log WHERE entity = 'employee' "
                      "AND action = 'update' AND entity_id = :'id' ORDER BY id DESC LIMIT 1", f"id={e['id']}")
    eq(rows[0][0], "true", "the audit says the password changed")
    check("after-password" not in rows[0][1] and "argon2" not in rows[0][1], "but not what it is")


@test
def patch_refuses_bad_changes_and_keeps_the_row(env):
    e = create(env, env.agency.unit_a)
    bad = [({}, 400, None), ({"nip": new_nip()}, 400, "nip"), ({"name": ""}, 422, "name"),
           ({"name": None}, 400, "name"), ({"unit_id": "999999999"}, 422, "unit_id"), ({"unit_id": 3}, 400, "unit_id"),
           ({"birth_date": "1990-13-01"}, 422, "birth_date"), ({"active": "no"}, 400, "active"),
           ({"password": "short"}, 422, "password"), ({"name": "Renamed", "colour": "blue"}, 400, "colour")]
    for body, status, field in bad:
        r = env.svc.request("PATCH", f"/v1/employees/{e['id']}", body, token=env.admin)
        eq(r.status, status, f"{body}: status ({r})")
        eq(r.json()["error"].get("field"), field, f"{body}: field")
    eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=env.admin).json(), e, "unchanged")
    eq(env.svc.request("PATCH", "/v1/employees/999999999", {"name": "X"}, token=env.admin).status, 404, "unknown")
    eq(env.svc.request("PATCH", "/v1/employees/abc", {"name": "X"}, token=env.admin).status, 404, "malformed id")
    eq(env.svc.request("PATCH", f"/v1/employees/{e['id']}", {"name": "X"}, token=env.sup_a).status, 403,
       "a supervisor may not change employees")
    eq(count(env, "SELECT count(*) FROM audit_log WHERE entity = 'employee' AND action = 'update' "
                  "AND entity_id = :'id'", f"id={e['id']}"), 0, "nothing audited")


@test
def import_creates_updates_and_reports_each_rejected_line(env):
    a = env.agency
    existing = create(env, a.unit_a, password="existing-password")
    n1, n2, n3, n4, n5, n6, n7, n8 = (new_nip() for _ in range(8))
    ca, cb = a.unit_a["code"], a.unit_b["code"]
    rows = [
        f'{n1},"Siti Aminah, S.Pd.",{ca},password-1',          # line 2: created
        f"{n2},Budi Santoso,{ca},password-2",                   # line 3: created
        f"{n1},Second Siti,{cb},password-3",                    # line 4: NIP repeated
        f"{n3},Bad Unit,NO-SUCH-UNIT,password-4",               # line 5: unknown unit
        f"12345,Bad Nip,{ca},password-5",                       # line 6: bad NIP
        f"{n4},Short Password,{ca},short",                      # line 7: short password
        f"{n5},Too Few Fields,{ca}",                            # line 8: field count
        f'{n6},"Two\r\nLines",{ca},password-6',                 # lines 9-10: a control character in the name
        f'{existing["nip"]},"Renamed, Existing",{cb},password-7',  # line 11: updated
        "",                                                     # line 12: blank, skipped
        f'{n7},"Quote ""Inside""",{cb},password-8',             # line 13: created
        f"{n8},,{ca},password-9",                               # line 14: empty name
    ]
    before = count(env, "SELECT count(*) FROM employees")
    r = import_csv(env, csv_bytes(rows, bom=True), content_type="text/csv; charset=utf-8")
    eq(r.status, 200, f"status ({r})")
    body = r.json()
    eq((body["created"], body["updated"]), (3, 1), "counts")
    eq([x["line"] for x in body["rejected"]], [4, 5, 6, 7, 8, 9, 14], "rejected lines")
    reasons = {x["line"]: x["error"] for x in body["rejected"]}
    check("line 2" in reasons[4], f"the repeat names the first: {reasons[4]}")
    check("unit_code" in reasons[5] and "nip" in reasons[6] and "password" in reasons[7], f"reasons: {reasons}")
    check("4 fields" in reasons[8] and "name" in reasons[9] and "name" in reasons[14], f"reasons: {reasons}")
    eq(count(env, "SELECT count(*) FROM employees"), before + 3, "three new employees")
    names = dict(env.db.sql("SELECT nip, name FROM employees WHERE nip IN (:'a', :'b', :'c', :'d')",
                            f"a={n1}", f"b={n2}", f"c={n7}", f"d={existing['nip']}"))
    eq(names, {n1: "Siti Aminah, S.Pd.", n2: "Budi Santoso", n7: 'Quote "Inside"',
               existing["nip"]: "Renamed, Existing"}, "names as written, the first of a repeated NIP")
    for nip in (n3, n4, n5, n6, n8):
        eq(count(env, "SELECT count(*) FROM employees WHERE nip = :'n'", f"n={nip}"), 0, f"{nip} not imported")
    after = env.svc.request("GET", f"/v1/employees/{existing['id']}", token=env.admin).json()
    eq((after["unit_id"], after["name"]), (a.unit_b["id"], "Renamed, Existing"), "the existing one updated")
    eq(env.db.sql("SELECT unit_id, role FROM accounts WHERE username = :'n'", f"n={existing['nip']}"),
       [[a.unit_b["id"], "employee"]], "its login moved, still one")
    login(env.svc, existing["nip"], "existing-password")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": existing["nip"], "password": "password-7"})
       .status, 401, "a re-import never changes an existing employee's password")
    eq(env.db.sql("SELECT a.unit_id, a.employee_id = e.id FROM accounts a JOIN employees e ON e.nip = a.username "
                  "WHERE a.username = :'n'", f"n={n1}"), [[a.unit_a["id"], "t"]], "a new employee's login")
    audit = env.db.sql("SELECT actor, entity_id IS NULL, after::text FROM audit_log WHERE action = 'import' "
                       "ORDER BY id DESC LIMIT 1")
    eq(audit[0][:2], ["admin", "t"], "one audit entry for the import")
    eq(json.loads(audit[0][2]), {"created": 3, "updated": 1, "rejected": 7, "created_nips": sorted([n1, n2, n7]),
                                 "updated_nips": [existing["nip"]]}, "with the counts and every employee written")
    check("password-1" not in env.svc.log_text(), "no password in the log")


@test
def an_imported_employee_logs_in_and_is_rehashed_at_full_cost(env):
    nip = new_nip()
    r = import_csv(env, csv_bytes([f"{nip},Rehash Me,{env.agency.unit_a['code']},imported-password"], eol="\n"))
    eq((r.status, r.json()["created"]), (200, 1), f"imported ({r})")
    cheap = stored_hash(env, nip)
    check(cheap.startswith("$argon2id$") and "m=64," in cheap, f"a cheap initial hash: {cheap}")
    token = login(env.svc, nip, "imported-password")
    full = stored_hash(env, nip)
    check(full.startswith("$argon2id$") and "m=65536," in full, f"rehashed at full cost: {full}")
    me = env.db.sql("SELECT id FROM employees WHERE nip = :'n'", f"n={nip}")[0][0]
    eq(env.svc.request("GET", f"/v1/employees/{me}", token=token).status, 200, "reads its own record")
    login(env.svc, nip, "imported-password")
    eq(stored_hash(env, nip), full, "not rehashed again")


@test
def a_malformed_file_is_refused_whole(env):
    ca = env.agency.unit_a["code"]
    good = f"{new_nip()},Good Row,{ca},good-password"
    before = count(env, "SELECT count(*) FROM employees")
    audits = count(env, "SELECT count(*) FROM audit_log WHERE action = 'import'")
    cases = [
        ("a stray quote", csv_bytes([good, f'{new_nip()},Bad "quote",{ca},password-x']), "line 3"),
        ("text after a closing quote", csv_bytes([good, good.replace("Good Row", '"Good"x')]), "line 3"),
        ("an unclosed quote", csv_bytes([good, f'{new_nip()},"never closed,{ca},password-x']), "line 3"),
        ("invalid UTF-8", csv_bytes([good]) + f"{new_nip()},Bad \xff,{ca},password-x\r\n".encode("latin-1"),
         "line 3"),
    ]
    for what, data, where in cases:
        r = import_csv(env, data)
        eq((r.status, r.error_code()), (422, "invalid_value"), f"{what} ({r})")
        check(where in r.json()["error"]["message"], f"{what}: the message names {where}: {r}")
    for what, data in [("a wrong header", csv_bytes([good], header="nip,nama,unit_code,password")),
                       ("a header with a field more", csv_bytes([good], header="nip,name,unit_code,password,x")),
                       ("no header", csv_bytes([], header=good)),
                       ("an empty file", b""), ("blank lines only", b"\r\n\r\n")]:
        r = import_csv(env, data)
        eq((r.status, r.error_code()), (422, "invalid_value"), f"{what} ({r})")
        check("header" in r.json()["error"]["message"], f"{what}: says what the header must be")
    for content_type in ("application/json", "text/plain", "text/csvx", "text/csv; charset=iso-8859-1"):
        r = import_csv(env, csv_bytes([good]), content_type=content_type)
        eq((r.status, r.error_code()), (415, "unsupported_media_type"), content_type)
    r = env.svc.request("POST", "/v1/employees/import", csv_bytes([good]), token=env.admin)
    eq(r.status, 415, "no content type")
    eq(count(env, "SELECT count(*) FROM employees"), before, "nothing stored")
    eq(count(env, "SELECT count(*) FROM audit_log WHERE action = 'import'"), audits, "nothing audited")
    r = import_csv(env, csv_bytes([]))
    eq((r.status, r.json()), (200, {"created": 0, "updated": 0, "rejected": []}), "a header alone")


@test
def import_rejects_a_nip_taken_by_a_staff_login(env):
    nip = new_nip()
    env.db.sql("INSERT INTO accounts (username, password_hash, role) VALUES (:'n', 'x', 'admin')", f"n={nip}")
    r = import_csv(env, csv_bytes([f"{nip},Clash,{env.agency.unit_a['code']},clash-password"]))
    eq(r.status, 200, f"status ({r})")
    eq((r.json()["created"], [x["line"] for x in r.json()["rejected"]]), (0, [2]), "the row is rejected")
    check("staff" in r.json()["rejected"][0]["error"], "and says why")


@test
def too_many_wrong_rows_refuse_the_file(env):
    ca = env.agency.unit_a["code"]
    rows = [f"{new_nip()},Fine,{ca},fine-password"] + ["not a row"] * 10001
    before = count(env, "SELECT count(*) FROM employees")
    r = import_csv(env, csv_bytes(rows, eol="\n"))
    eq((r.status, r.error_code()), (422, "invalid_value"), f"status ({r.status})")
    listed = r.json()["error"]["rejected"]
    eq((len(listed), listed[0]["line"], listed[-1]["line"]), (10000, 3, 10002), "the first 10000 listed")
    eq(count(env, "SELECT count(*) FROM employees"), before, "nothing stored")


@test
def a_database_failure_rolls_the_whole_import_back(env):
    # Several batches; the database refuses a row of the last one.
    ca = env.agency.unit_a["code"]
    rows = [f"{new_nip()},Batch Row {i},{ca},batch-password" for i in range(4500)]
    rows[-1] = rows[-1].replace("Batch Row 4499", "Refused By Trigger")
    env.db.sql("CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF NEW.name = 'Refused By Trigger' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$; "
               "CREATE TRIGGER test_refuse BEFORE INSERT ON employees FOR EACH ROW EXECUTE FUNCTION test_refuse()")
    try:
        before = count(env, "SELECT count(*) FROM employees")
        r = import_csv(env, csv_bytes(rows, eol="\n"), content_type="text/csv")
        eq(r.status, 500, f"status ({r})")
        eq(count(env, "SELECT count(*) FROM employees"), before, "no row of any batch stored")
        eq(count(env, "SELECT count(*) FROM accounts WHERE username = :'n'", f"n={rows[0][:18]}"), 0, "no login")
    finally:
        env.db.sql("DROP TRIGGER test_refuse ON employees; DROP FUNCTION test_refuse()")
    r = import_csv(env, csv_bytes(rows, eol="\n"))
    eq((r.status, r.json()["created"], r.json()["rejected"]), (200, 4500, []), "the same file imports afterwards")

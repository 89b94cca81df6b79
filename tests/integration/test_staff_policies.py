"""Staff accounts, WFH/WFO policies and reading the audit log."""
import json
import secrets
import urllib.parse

from harness import ADMIN_PASSWORD, Agency, admin_env, check, eq, login, test

PASSWORD = "staff-password-1"


def setup():
    env = admin_env()
    env.jakarta = Agency(env.svc, "JKT" + secrets.token_hex(4).upper())
    env.malang = Agency(env.svc, "MLG" + secrets.token_hex(4).upper())
    env.admin = env.jakarta.admin
    env.admin_id = env.db.sql("SELECT id FROM accounts WHERE username = 'admin'")[0][0]
    env.employee_id, env.employee_nip = make_employee(env, env.jakarta.unit_a["id"])
    env.employee_token = login(env.svc, env.employee_nip, ADMIN_PASSWORD)
    env.employee_account_id = env.db.sql("SELECT id FROM accounts WHERE username = :'u'", f"u={env.employee_nip}")[0][0]
    env.supervisor = create_staff(env, "sup-" + secrets.token_hex(3), "supervisor", env.jakarta.unit_a["id"])
    env.supervisor_token = login(env.svc, env.supervisor["username"], PASSWORD)
    env.reviewer = create_staff(env, "rev-" + secrets.token_hex(3), "reviewer", env.jakarta.top["id"])
    env.reviewer_token = login(env.svc, env.reviewer["username"], PASSWORD)
    return env


def teardown(env):
    env.close()


def make_employee(env, unit_id):
    """An employee and its login (NIP, the admin's password), made in SQL so as not to depend on /v1/employees."""
    nip = "1987" + "".join(secrets.choice("0123456789") for _ in range(14))
    employee_id = env.db.sql("INSERT INTO employees (nip, name, unit_id) VALUES (:'nip', 'Pegawai Uji', :'unit') "
                             "RETURNING id", f"nip={nip}", f"unit={unit_id}")[0][0]
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id, employee_id) "
               "SELECT :'nip', password_hash, 'employee', :'unit', :'emp' FROM accounts WHERE username = 'admin'",
               f"nip={nip}", f"unit={unit_id}", f"emp={employee_id}")
    return employee_id, nip


def post_staff(env, body, token=None):
    return env.svc.request("POST", "/v1/staff", body, token=token or env.admin)


def create_staff(env, username, role, unit_id=None, **extra):
    body = {"username": username, "password": PASSWORD, "role": role, **extra}
    if unit_id:
        body["unit_id"] = unit_id
    r = post_staff(env, body)
    if r.status != 201:
        raise AssertionError(f"creating {role} {username}: {r}")
    return r.json()


def patch_staff(env, account_id, body, token=None):
    return env.svc.request("PATCH", f"/v1/staff/{account_id}", body, token=token or env.admin)


def count(env, query, *variables):
    return int(env.db.sql(query, *variables)[0][0])


def audit_count(env):
    return count(env, "SELECT count(*) FROM audit_log")


def all_pages(env, path, token, limit):
    """Every item of a list, page by page; checks that no page is over the limit."""
    items, cursor = [], None
    sep = "&" if "?" in path else "?"
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = env.svc.request("GET", url, token=token)
        eq(r.status, 200, f"GET {url}")
        page = r.json()
        check(len(page["items"]) <= limit, "limit honoured")
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


ACCOUNT_FIELDS = ["created_at", "disabled", "employee_id", "id", "role", "unit_id", "username"]


@test
def each_staff_role_is_created_and_logs_in_with_its_role(env):
    admin2 = create_staff(env, "admin2." + secrets.token_hex(3) + "@bkd-jakarta", "admin")
    linked = create_staff(env, "sup-linked-" + secrets.token_hex(3), "supervisor", env.jakarta.unit_a["id"],
                          employee_id=env.employee_id)
    for doc, role, unit in ((env.supervisor, "supervisor", env.jakarta.unit_a["id"]),
                            (env.reviewer, "reviewer", env.jakarta.top["id"]), (admin2, "admin", None),
                            (linked, "supervisor", env.jakarta.unit_a["id"])):
        eq(sorted(doc), ACCOUNT_FIELDS, f"{role}: document fields (never the hash)")
        eq((doc["role"], doc["unit_id"], doc["disabled"]), (role, unit, False), f"{role}: values")
        r = env.svc.request("POST", "/v1/auth/login", {"username": doc["username"], "password": PASSWORD})
        eq((r.status, r.json().get("role")), (200, role), f"{role}: login answers the role")
        r = env.svc.request("GET", f"/v1/staff/{doc['id']}", token=env.admin)
        eq((r.status, r.json()), (200, doc), f"{role}: read back")
        rows = env.db.sql("SELECT actor, action, before IS NULL, after->>'username', after::text LIKE '%argon2%' "
                          "FROM audit_log WHERE entity = 'account' AND entity_id = :'id'", f"id={doc['id']}")
        eq(rows, [["admin", "create", "t", doc["username"], "f"]], f"{role}: audit entry without the hash")
    eq(linked["employee_id"], env.employee_id, "the link to the employee")
    eq(env.supervisor["employee_id"], None, "no link by default")
    check(env.db.sql("SELECT password_hash FROM accounts WHERE id = :'id'", f"id={admin2['id']}")[0][0]
          .startswith("$argon2id$"), "the password is stored as an Argon2id hash")


@test
def staff_bodies_that_break_a_rule_are_refused_and_nothing_is_stored(env):
    top, unit_a = env.jakarta.top["id"], env.jakarta.unit_a["id"]
    cases = [
        ({"username": None}, 400, "invalid_field", "username"),
        ({"username": 5}, 400, "invalid_field", "username"),
        ({"password": None}, 400, "invalid_field", "password"),
        ({"role": None}, 400, "invalid_field", "role"),
        ({"unit_id": 5}, 400, "invalid_field", "unit_id"),
        ({"employee_id": "x"}, 400, "invalid_field", "employee_id"),
        ({"username": "ab"}, 422, "invalid_value", "username"),
        ({"username": "x" * 65}, 422, "invalid_value", "username"),
        ({"username": "has space"}, 422, "invalid_value", "username"),
        ({"username": "kepala/bidang"}, 422, "invalid_value", "username"),
        ({"username": "pénélope"}, 422, "invalid_value", "username"),
        ({"username": "198701012010011001"}, 422, "invalid_value", "username"),
        ({"password": "7-bytes"}, 422, "invalid_value", "password"),
        ({"password": "p" * 1025}, 422, "invalid_value", "password"),
        ({"role": "employee"}, 422, "invalid_value", "role"),
        ({"role": "root"}, 422, "invalid_value", "role"),
        ({"role": "supervisor", "unit_id": None}, 422, "invalid_value", "unit_id"),
        ({"role": "reviewer", "unit_id": None}, 422, "invalid_value", "unit_id"),
        ({"role": "reviewer", "unit_id": unit_a}, 422, "invalid_value", "unit_id"),
        ({"role": "admin", "unit_id": top}, 422, "invalid_value", "unit_id"),
        ({"role": "supervisor", "unit_id": "999999999"}, 422, "invalid_value", "unit_id"),
        ({"employee_id": "999999999"}, 422, "invalid_value", "employee_id"),
    ]
    audits = audit_count(env)
    for change, status, code, field in cases:
        username = "refused-" + secrets.token_hex(3)
        body = {"username": username, "password": PASSWORD, "role": "supervisor", "unit_id": unit_a}
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}
        r = post_staff(env, body)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{change}")
        eq(count(env, "SELECT count(*) FROM accounts WHERE username IN (:'u', :'v')", f"u={username}",
                 f"v={body.get('username')}"), 0, f"{change}: nothing stored")
    r = post_staff(env, {"username": "rev-x", "password": PASSWORD, "role": "reviewer", "unit_id": unit_a})
    eq(r.json()["error"]["message"], "a reviewer belongs to an agency (a top-level unit)", "the reviewer's message")
    eq(audit_count(env), audits, "no audit entry for a refused body")


@test
def a_taken_username_is_409(env):
    r = post_staff(env, {"username": env.reviewer["username"], "password": PASSWORD, "role": "admin"})
    eq((r.status, r.error_code(), r.json()["error"].get("field")), (409, "already_exists", "username"), "duplicate")
    r = post_staff(env, {"username": env.employee_nip[:17] + "x", "password": PASSWORD, "role": "admin"})
    eq(r.status, 201, "a username that is not 18 digits is fine")
    eq(count(env, "SELECT count(*) FROM accounts WHERE username = :'u'", f"u={env.reviewer['username']}"), 1,
       "one account of that name")


@test
def a_disabled_staff_account_is_locked_out_until_enabled(env):
    sup = create_staff(env, "sup-off-" + secrets.token_hex(3), "supervisor", env.malang.unit_a["id"])
    token = login(env.svc, sup["username"], PASSWORD)
    eq(env.svc.request("GET", "/v1/units", token=token).status, 200, "the token works")
    r = patch_staff(env, sup["id"], {"disabled": True})
    eq((r.status, r.json()["disabled"]), (200, True), "disabled")
    eq({k: v for k, v in r.json().items() if k != "disabled"}, {k: v for k, v in sup.items() if k != "disabled"},
       "nothing else changed")
    r = env.svc.request("GET", "/v1/units", token=token)
    eq((r.status, r.error_code()), (401, "invalid_token"), "the token stops working")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": sup["username"], "password": PASSWORD}).status, 401,
       "no login while disabled")
    r = patch_staff(env, sup["id"], {"disabled": False})
    eq((r.status, r.json()["disabled"]), (200, False), "enabled again")
    eq(env.svc.request("GET", "/v1/units", token=login(env.svc, sup["username"], PASSWORD)).status, 200,
       "login works again")
    rows = env.db.sql("SELECT actor, before->>'disabled', after->>'disabled' FROM audit_log "
                      "WHERE entity = 'account' AND action = 'update' AND entity_id = :'id' ORDER BY id",
                      f"id={sup['id']}")
    eq(rows, [["admin", "false", "true"], ["admin", "true", "false"]], "both changes audited with before/after")


@test
def an_admin_cannot_disable_itself_but_may_disable_another(env):
    r = patch_staff(env, env.admin_id, {"disabled": True})
    eq((r.status, r.error_code(), r.json()["error"].get("field")), (422, "invalid_value", "disabled"), "self")
    eq(env.db.sql("SELECT disabled FROM accounts WHERE id = :'id'", f"id={env.admin_id}"), [["f"]], "still enabled")
    eq(env.svc.request("GET", "/v1/units", token=env.admin).status, 200, "the admin's token still works")
    other = create_staff(env, "admin-other-" + secrets.token_hex(3), "admin")
    other_token = login(env.svc, other["username"], PASSWORD)
    r = patch_staff(env, other["id"], {"disabled": True}, token=other_token)
    eq(r.status, 422, "the other admin cannot disable itself either")
    r = patch_staff(env, other["id"], {"disabled": True})
    eq((r.status, r.json()["disabled"]), (200, True), "one admin disables another")


@test
def staff_changes_are_checked_and_audited(env):
    sup = create_staff(env, "sup-patch-" + secrets.token_hex(3), "supervisor", env.jakarta.unit_a["id"])
    rev = create_staff(env, "rev-patch-" + secrets.token_hex(3), "reviewer", env.jakarta.top["id"])
    adm = create_staff(env, "adm-patch-" + secrets.token_hex(3), "admin")
    audits = audit_count(env)
    cases = [
        (sup, {"role": "admin"}, 400, "role"),
        (sup, {"username": "renamed"}, 400, "username"),
        (sup, {"disabled": "yes"}, 400, "disabled"),
        (sup, {"password": 12345678}, 400, "password"),
        (sup, {"unit_id": 7}, 400, "unit_id"),
        (sup, {"password": "short"}, 422, "password"),
        (sup, {"unit_id": None}, 422, "unit_id"),
        (sup, {"unit_id": "999999999"}, 422, "unit_id"),
        (sup, {"employee_id": "999999999"}, 422, "employee_id"),
        (rev, {"unit_id": env.jakarta.unit_b["id"]}, 422, "unit_id"),
        (adm, {"unit_id": env.jakarta.top["id"]}, 422, "unit_id"),
    ]
    for account, body, status, field in cases:
        r = patch_staff(env, account["id"], body)
        eq((r.status, r.json()["error"].get("field")), (status, field), f"{account['role']} {body}")
    eq([r.json() for r in (env.svc.request("GET", f"/v1/staff/{a['id']}", token=env.admin) for a in (sup, rev, adm))],
       [sup, rev, adm], "nothing changed")
    eq(audit_count(env), audits, "no audit entry for a refused change")
    for path in ("/v1/staff/999999999", f"/v1/staff/{env.employee_account_id}", "/v1/staff/abc"):
        eq(patch_staff(env, path.rsplit("/", 1)[1], {"disabled": True}).status, 404, f"PATCH {path}")
        eq(env.svc.request("GET", path, token=env.admin).status, 404, f"GET {path}")

    r = patch_staff(env, sup["id"], {"unit_id": env.jakarta.unit_b["id"], "employee_id": env.employee_id,
                                     "password": "a-new-password"})
    eq(r.status, 200, "a change of unit, link and password")
    eq((r.json()["unit_id"], r.json()["employee_id"]), (env.jakarta.unit_b["id"], env.employee_id), "new values")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": sup["username"], "password": PASSWORD}).status, 401,
       "the old password no longer works")
    login(env.svc, sup["username"], "a-new-password")
    r = patch_staff(env, sup["id"], {"employee_id": None})
    eq((r.status, r.json()["employee_id"]), (200, None), "the link is cleared")
    r = patch_staff(env, rev["id"], {"unit_id": env.malang.top["id"]})
    eq((r.status, r.json()["unit_id"]), (200, env.malang.top["id"]), "a reviewer moves to another agency")
    rows = env.db.sql("SELECT before->>'unit_id', after->>'unit_id', after->>'password_changed', "
                      "(before::text || after::text) LIKE '%argon2%' FROM audit_log "
                      "WHERE entity = 'account' AND action = 'update' AND entity_id = :'id' ORDER BY id",
                      f"id={sup['id']}")
    eq(rows, [[env.jakarta.unit_a["id"], env.jakarta.unit_b["id"], "true", "f"],
              [env.jakarta.unit_b["id"], env.jakarta.unit_b["id"], "", "f"]],
       "audited with before/after, the password change named but never its hash")
    audits = audit_count(env)
    eq(patch_staff(env, adm["id"], {}).json(), adm, "an empty change answers the account")
    eq(audit_count(env), audits, "and, changing nothing, writes no audit entry")


@test
def staff_list_pages_over_staff_accounts_only(env):
    items = all_pages(env, "/v1/staff", env.admin, 2)
    ids = [a["id"] for a in items]
    eq(len(ids), len(set(ids)), "no account twice")
    eq(ids, sorted(ids, key=int), "ordered by id")
    check(all(a["role"] != "employee" for a in items), "no employee login listed")
    eq(len(items), count(env, "SELECT count(*) FROM accounts WHERE role <> 'employee'"), "every staff account")
    check(env.supervisor in items and env.reviewer in items, "the module's staff listed")


@test
def only_admins_reach_staff_and_audit_and_employees_no_policies(env):
    sid = env.supervisor["id"]
    for name, token in (("supervisor", env.supervisor_token), ("reviewer", env.reviewer_token),
                        ("employee", env.employee_token)):
        for method, path, body in (("GET", "/v1/staff", None), ("GET", f"/v1/staff/{sid}", None),
                                   ("POST", "/v1/staff", {"username": "sneaky", "password": PASSWORD,
                                                          "role": "admin"}),
                                   ("PATCH", f"/v1/staff/{sid}", {"disabled": True}), ("GET", "/v1/audit", None),
                                   ("POST", "/v1/policies", {"name": "x"})):
            r = env.svc.request(method, path, body, token=token)
            eq((r.status, r.error_code()), (403, "forbidden"), f"{name}: {method} {path}")
    for method, path in (("GET", "/v1/policies"), ("GET", "/v1/policies/1")):
        eq(env.svc.request(method, path, token=env.employee_token).status, 403, f"employee: {method} {path}")
    eq(env.svc.request("GET", "/v1/policies", token=env.supervisor_token).status, 200, "staff read policies")
    eq(env.svc.request("GET", "/v1/policies", token=env.reviewer_token).status, 200, "staff read policies")
    eq(count(env, "SELECT count(*) FROM accounts WHERE username = 'sneaky'"), 0, "nothing made")
    eq(env.db.sql("SELECT disabled FROM accounts WHERE id = :'id'", f"id={sid}"), [["f"]], "nothing changed")


def post_policy(env, body, token=None):
    return env.svc.request("POST", "/v1/policies", body, token=token or env.admin)


def create_policy(env, **body):
    r = post_policy(env, body)
    if r.status != 201:
        raise AssertionError(f"creating policy {body.get('name')}: {r}")
    return r.json()


def policy_names(env, query, token=None):
    items = all_pages(env, "/v1/policies?" + query, token or env.admin, 2)
    return sorted(p["name"] for p in items)


@test
def policy_bodies_that_break_a_rule_are_refused_and_nothing_is_stored(env):
    good = {"name": "refused", "starts_on": "2023-08-21", "ends_on": "2023-10-21", "applies_to": ["administrative"],
            "max_wfh_percent": 50}
    cases = [
        ({"name": None}, 400, "name"),
        ({"starts_on": 20230821}, 400, "starts_on"),
        ({"ends_on": None}, 400, "ends_on"),
        ({"applies_to": None}, 400, "applies_to"),
        ({"applies_to": "administrative"}, 400, "applies_to"),
        ({"unit_id": 12}, 400, "unit_id"),
        ({"selfie_required_for": "WFH"}, 400, "selfie_required_for"),
        ({"max_wfh_percent": "50"}, 400, "max_wfh_percent"),
        ({"priority": "1"}, 400, "priority"),
        ({"name": ""}, 422, "name"),
        ({"starts_on": "2023-02-29"}, 422, "starts_on"),
        ({"starts_on": "21-08-2023"}, 422, "starts_on"),
        ({"starts_on": "2023-8-21"}, 422, "starts_on"),
        ({"ends_on": "2023-13-01"}, 422, "ends_on"),
        ({"ends_on": "2023-10-21T00:00:00Z"}, 422, "ends_on"),
        ({"ends_on": "2023-08-20"}, 422, "ends_on"),
        ({"applies_to": []}, 422, "applies_to"),
        ({"applies_to": ["military"]}, 422, "applies_to"),
        ({"applies_to": ["essential", "essential"]}, 422, "applies_to"),
        ({"applies_to": [1]}, 422, "applies_to"),
        ({"unit_id": "999999999"}, 422, "unit_id"),
        ({"priority": 1001}, 422, "priority"),
        ({"priority": 1.5}, 422, "priority"),
        ({"max_wfh_percent": 101}, 422, "max_wfh_percent"),
        ({"max_wfh_percent": -1}, 422, "max_wfh_percent"),
        ({"max_wfo_percent": 50.5}, 422, "max_wfo_percent"),
        ({"selfie_required_for": ["WFH", "WFH"]}, 422, "selfie_required_for"),
        ({"selfie_required_for": ["HOME"]}, 422, "selfie_required_for"),
        ({"max_wfh_percent": None}, 422, None),
    ]
    policies, audits = count(env, "SELECT count(*) FROM policies"), audit_count(env)
    for change, status, field in cases:
        body = dict(good)
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}
        r = post_policy(env, body)
        code = "invalid_field" if status == 400 else "invalid_value"
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{change}")
    r = post_policy(env, {k: v for k, v in good.items() if k != "max_wfh_percent"})
    check("max_wfh_percent" in r.json()["error"]["message"] and "max_wfo_percent" in r.json()["error"]["message"],
          f"the message names the caps: {r.json()}")
    eq(count(env, "SELECT count(*) FROM policies"), policies, "no policy stored")
    eq(audit_count(env), audits, "no audit entry")


@test
def jakarta_2023_and_malang_2021_policies_are_stored_and_found_by_date_and_unit(env):
    jkt, mlg = env.jakarta, env.malang
    wfh50 = create_policy(env, name="DKI SE 2023: WFH 50%", starts_on="2023-08-21", ends_on="2023-10-21",
                          applies_to=["administrative"], unit_id=jkt.top["id"], max_wfh_percent=50,
                          selfie_required_for=["WFH"])
    wfh75 = create_policy(env, name="DKI SE 2023: WFH 75% (KTT ASEAN)", starts_on="2023-09-04",
                          ends_on="2023-09-07", applies_to=["administrative"], unit_id=jkt.top["id"], priority=1,
                          max_wfh_percent=75, selfie_required_for=["WFH", "WFO"])
    wfo100 = create_policy(env, name="DKI SE 2023: direct service WFO", starts_on="2023-08-21",
                           ends_on="2023-10-21", applies_to=["direct_service"], unit_id=jkt.top["id"],
                           max_wfo_percent=100)
    for name, categories, cap in (("Malang PPKM 2021: non-essential", ["administrative", "direct_service"], 0),
                                  ("Malang PPKM 2021: essential", ["essential"], 25),
                                  ("Malang PPKM 2021: critical", ["critical"], 100)):
        create_policy(env, name=name, starts_on="2021-07-03", ends_on="2021-07-20", applies_to=categories,
                      unit_id=mlg.top["id"], max_wfo_percent=cap)

    eq((wfh50["priority"], wfh50["max_wfh_percent"], wfh50["max_wfo_percent"], wfh50["applies_to"],
        wfh50["unit_id"], wfh50["starts_on"], wfh50["ends_on"], wfh50["selfie_required_for"]),
       (0, 50, None, ["administrative"], jkt.top["id"], "2023-08-21", "2023-10-21", ["WFH"]), "stored as given")
    eq((wfh75["priority"], wfh75["selfie_required_for"]), (1, ["WFH", "WFO"]), "priority and selfies")
    eq((wfo100["max_wfo_percent"], wfo100["max_wfh_percent"], wfo100["selfie_required_for"]), (100, None, []),
       "defaults")
    r = env.svc.request("GET", f"/v1/policies/{wfh75['id']}", token=env.reviewer_token)
    eq((r.status, r.json()), (200, wfh75), "read back by a reviewer")
    for path in ("/v1/policies/999999999", "/v1/policies/x"):
        eq(env.svc.request("GET", path, token=env.admin).status, 404, path)
    eq(env.db.sql("SELECT actor, action FROM audit_log WHERE entity = 'policy' AND entity_id = :'id'",
                  f"id={wfo100['id']}"), [["admin", "create"]], "audited")

    dki = sorted([wfh50["name"], wfh75["name"], wfo100["name"]])
    malang = sorted(["Malang PPKM 2021: critical", "Malang PPKM 2021: essential", "Malang PPKM 2021: non-essential"])
    eq(policy_names(env, ""), sorted(dki + malang), "all of them")
    eq(policy_names(env, "date=2023-09-05"), dki, "the 75% days")
    eq(policy_names(env, "date=2023-09-04"), dki, "the first 75% day")
    eq(policy_names(env, "date=2023-09-08"), sorted([wfh50["name"], wfo100["name"]]), "after the 75% days")
    eq(policy_names(env, "date=2023-08-21"), sorted([wfh50["name"], wfo100["name"]]), "the first day")
    eq(policy_names(env, "date=2023-10-22"), [], "after the letter")
    eq(policy_names(env, "date=2021-07-10"), malang, "Malang's emergency")
    eq(policy_names(env, "date=2021-07-10&unit_id=" + mlg.unit_a["id"]), ["Malang PPKM 2021: non-essential"],
       "an administrative unit of Malang")
    eq(policy_names(env, "date=2023-09-05&unit_id=" + jkt.unit_a["id"]), sorted([wfh50["name"], wfh75["name"]]),
       "an administrative unit of Jakarta")
    eq(policy_names(env, "date=2023-09-05&unit_id=" + jkt.unit_b["id"]), [wfo100["name"]],
       "a direct-service unit of Jakarta")
    eq(policy_names(env, "date=2023-09-05&unit_id=" + mlg.unit_a["id"]), [], "Jakarta's letters stop at Jakarta")
    eq(policy_names(env, "date=2023-09-05&unit_id=" + jkt.unit_a["id"], env.supervisor_token),
       sorted([wfh50["name"], wfh75["name"]]), "a supervisor, for its unit")
    eq(policy_names(env, "date=2023-09-05&unit_id=" + jkt.unit_b["id"], env.supervisor_token), [],
       "a supervisor, for a unit it cannot see")
    eq(policy_names(env, "unit_id=" + mlg.unit_a["id"], env.reviewer_token), [],
       "a reviewer, for another agency's unit")
    eq(policy_names(env, "date=2023-09-05", env.supervisor_token), dki, "unfiltered, every policy")
    for q in ("date=2023-02-30", "date=yesterday", "date=", "unit_id=abc", "unit_id=", "limit=0"):
        r = env.svc.request("GET", "/v1/policies?" + q, token=env.admin)
        eq((r.status, r.error_code()), (400, "invalid_field"), q)


def audit_page_items(env, query):
    return all_pages(env, "/v1/audit" + ("?" + query if query else ""), env.admin, 3)


@test
def the_audit_log_lists_changes_with_actor_and_before_after(env):
    sup = create_staff(env, "sup-audit-" + secrets.token_hex(3), "supervisor", env.jakarta.unit_a["id"])
    patch_staff(env, sup["id"], {"disabled": True})
    items = audit_page_items(env, "")
    ids = [int(e["id"]) for e in items]
    eq(ids, sorted(set(ids)), "by id, no entry twice")
    eq(len(items), audit_count(env), "every entry")
    eq(sorted(items[0]), ["action", "actor", "actor_account_id", "after", "at", "before", "entity", "entity_id",
                          "hash", "id", "prev_hash"], "entry fields")
    mine = [e for e in items if e["entity"] == "account" and e["entity_id"] == sup["id"]]
    eq([(e["action"], e["actor"], e["actor_account_id"]) for e in mine],
       [("create", "admin", env.admin_id), ("update", "admin", env.admin_id)], "the account's entries")
    eq((mine[0]["before"], mine[0]["after"]), (None, sup), "creation: after only")
    eq((mine[1]["before"]["disabled"], mine[1]["after"]["disabled"]), (False, True), "update: before and after")
    check(all("argon2" not in json.dumps(e) for e in items), "no password hash anywhere")


@test
def the_audit_log_honours_from_and_to(env):
    # Entries at known instants around a UTC midnight. The append trigger takes the time itself (sql/0018), so
    # they are written by the tables' owner past it, with ids beyond the chain's head (which audit-verify leaves
    # for later) and hashes of their own.
    env.db.sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append; "
               "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, prev_hash, hash) VALUES "
               "(900000001, '2020-03-01 23:59:59.999999+00', 'system', 'test', 'clock', 'late', repeat('1', 64), "
               " repeat('1', 64)), "
               "(900000002, '2020-03-02 00:00:00+00', 'system', 'test', 'clock', 'midnight', repeat('2', 64), "
               " repeat('2', 64)), "
               "(900000003, '2020-03-02 10:00:00+00', 'system', 'test', 'clock', 'morning', repeat('3', 64), "
               " repeat('3', 64)); "
               "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append")

    def marks(query):
        return [e["entity_id"] for e in audit_page_items(env, query) if e["entity"] == "clock"]

    cases = {
        "to=2020-03-01": ["late"],
        "from=2020-03-02&to=2020-03-02": ["midnight", "morning"],
        "from=2020-03-02T00:00:00Z&to=2020-03-02T00:00:00Z": ["midnight"],
        "from=2020-03-02T07:00:00%2B07:00&to=2020-03-02T16:59:59.5%2B07:00": ["midnight"],
        "from=2020-03-02t09:59:59.999z": ["morning"],
        "from=2020-03-01T23:59:59.999999Z&to=2020-03-02T09:59:59-00:00": ["late", "midnight"],
        "to=2020-02-29": [],
        "from=2020-03-03&to=2020-03-01": [],
    }
    for query, want in cases.items():
        eq(marks(query), want, query)
    # A bound in the form the entries give their own times.
    last = audit_page_items(env, "")[-1]
    since = audit_page_items(env, "from=" + urllib.parse.quote(last["at"]))
    eq(len(since), count(env, "SELECT count(*) FROM audit_log WHERE at >= :'t'", f"t={last['at']}"),
       "from an entry's own time")
    check(last in since, "the entry itself included")
    for bad in ("from=2023-02-30", "from=yesterday", "from=", "to=2023-09-04T25:00:00Z",
                "to=2023-09-04T10:00:00", "to=2023-09-04 10:00:00Z", "from=2023-09-04T10:00:00%2B16:00",
                "from=2023-09-04T10:00:00.1234567890Z", "to=0000-01-01",
                "from=2023-09-04T10:00Z"):
        r = env.svc.request("GET", "/v1/audit?" + bad.replace(" ", "%20"), token=env.admin)
        field = bad.split("=")[0]
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (400, "invalid_field", field), bad)


@test
def the_audit_log_pages_without_repeats_while_it_grows(env):
    first = env.svc.request("GET", "/v1/audit?limit=2", token=env.admin).json()
    create_staff(env, "sup-grow-" + secrets.token_hex(3), "supervisor", env.jakarta.unit_a["id"])
    seen = [e["id"] for e in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = env.svc.request("GET", f"/v1/audit?limit=2&cursor={cursor}", token=env.admin).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
    eq(len(seen), len(set(seen)), "no entry twice")
    eq(len(seen), audit_count(env), "the entry made while paging is seen too")
    for q in ("limit=0", "limit=501", "cursor=zz"):
        eq(env.svc.request("GET", "/v1/audit?" + q, token=env.admin).status, 400, q)


@test
def policies_and_holidays_are_read_within_the_callers_agency(env):
    """A national policy or holiday (no unit, no agency) is everyone's; an agency's is its staff's alone."""
    tag = secrets.token_hex(3)
    span = {"starts_on": "2031-01-01", "ends_on": "2031-12-31", "applies_to": ["administrative"], "max_wfh_percent": 50}
    national = create_policy(env, name=f"national {tag}", **span)
    jakarta = create_policy(env, name=f"jakarta {tag}", unit_id=env.jakarta.top["id"], **span)
    malang = create_policy(env, name=f"malang {tag}", unit_id=env.malang.unit_a["id"], **span)
    for who, token in (("reviewer", env.reviewer_token), ("supervisor of a unit under the agency", env.supervisor_token)):
        eq([n for n in policy_names(env, "date=2031-06-01", token) if tag in n], [f"jakarta {tag}", f"national {tag}"],
           f"the {who} lists its agency's and the national ones")
        for doc, status in ((national, 200), (jakarta, 200), (malang, 404)):
            eq(env.svc.request("GET", f"/v1/policies/{doc['id']}", token=token).status, status,
               f"the {who} reads {doc['name']}")
    eq([n for n in policy_names(env, "date=2031-06-01") if tag in n],
       [f"jakarta {tag}", f"malang {tag}", f"national {tag}"], "an admin lists them all")

    def holiday(name, agency=None):
        body = {"date": "2031-03-0" + str(1 + len(name) % 9), "name": name}
        if agency:
            body["agency_id"] = agency["id"]
        r = env.svc.request("POST", "/v1/holidays", body, token=env.admin)
        eq(r.status, 201, f"holiday {name} ({r})")
        return r.json()

    holiday(f"Nyepi {tag}")
    holiday(f"HUT Jakarta {tag}", env.jakarta.top)
    holiday(f"HUT Malang {tag}", env.malang.top)

    def holiday_names(query, token):
        r = env.svc.request("GET", "/v1/holidays?year=2031" + query, token=token)
        eq(r.status, 200, f"holidays ({r})")
        return sorted(h["name"] for h in r.json()["items"] if tag in h["name"])

    eq(holiday_names("", env.reviewer_token), [f"HUT Jakarta {tag}", f"Nyepi {tag}"], "the reviewer's agency's")
    eq(holiday_names(f"&agency_id={env.malang.top['id']}", env.reviewer_token), [f"Nyepi {tag}"],
       "another agency's days stay hidden even when asked for")
    eq(holiday_names("", env.admin), [f"HUT Jakarta {tag}", f"HUT Malang {tag}", f"Nyepi {tag}"], "an admin's")

"""Passwords (contract, "Passwords"): the owner's change, the change required after an admin or an import set
one, tokens of an old password refused, imports that never change a password, and no timing oracle."""
import json
import secrets

from harness import ADMIN_PASSWORD, ADMIN_USER, Agency, admin_env, check, eq, make_staff, test


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    return env


def teardown(env):
    env.close()


def new_nip():
    return "19" + "".join(secrets.choice("0123456789") for _ in range(16))


def raw_login(env, username, password):
    r = env.svc.request("POST", "/v1/auth/login", {"username": username, "password": password})
    eq(r.status, 200, f"login of {username} ({r})")
    return r.json()


def change(env, token, current, new):
    return env.svc.request("POST", "/v1/auth/password", {"current_password": current, "new_password": new},
                           token=token)


def create_employee(env, password):
    nip = new_nip()
    r = env.svc.request("POST", "/v1/employees", {"nip": nip, "name": "Pegawai Baru",
                                                  "unit_id": env.agency.unit_a["id"], "password": password},
                        token=env.agency.admin)
    eq(r.status, 201, f"employee ({r})")
    return r.json()


@test
def a_password_the_admin_set_must_be_changed_before_anything_else(env):
    e = create_employee(env, "set-by-the-admin")
    body = raw_login(env, e["nip"], "set-by-the-admin")
    eq(body["password_change_required"], True, "the login says so")
    token = body["access_token"]
    for method, path in (("GET", f"/v1/employees/{e['id']}"), ("GET", "/v1/devices"), ("POST", "/v1/homes"),
                         ("POST", "/v1/checkins")):
        r = env.svc.request(method, path, b"{}" if method == "POST" else None,
                            headers={"Content-Type": "application/json"}, token=token)
        eq((r.status, r.error_code()), (403, "password_change_required"), f"{method} {path}")
    weak = [("123456789", "nine characters"), (e["nip"], "the username"), ("set-by-the-admin", "the current one")]
    for new, why in weak:
        r = change(env, token, "set-by-the-admin", new)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (422, "weak_password", "new_password"), why)
    r = change(env, token, "not-the-password", "a password of my own")
    eq((r.status, r.error_code()), (403, "wrong_password"), "a wrong current password")
    for body in ({"current_password": "set-by-the-admin"}, {"new_password": "x" * 12},
                 {"current_password": 5, "new_password": "x" * 12},
                 {"current_password": "a", "new_password": "b" * 12, "extra": 1}):
        r = env.svc.request("POST", "/v1/auth/password", body, token=token)
        eq((r.status, r.error_code()), (400, "invalid_field"), f"body {body}")
    r = change(env, token, "set-by-the-admin", "a password of my own")
    eq((r.status, r.body), (204, b""), "changed")
    eq(env.svc.request("POST", "/v1/auth/password", {"current_password": "a password of my own",
                                                     "new_password": "yet another one"}, token=token).status,
       401, "the token of the old password stopped working")
    r = env.svc.request("POST", "/v1/auth/login", {"username": e["nip"], "password": "set-by-the-admin"})
    eq(r.status, 401, "the old password is gone")
    body = raw_login(env, e["nip"], "a password of my own")
    eq(body["password_change_required"], False, "no change required any more")
    eq(env.svc.request("GET", f"/v1/employees/{e['id']}", token=body["access_token"]).status, 200, "works")
    audit = env.db.sql("SELECT actor, entity, after::text FROM audit_log WHERE action = 'password_change' "
                       "ORDER BY id DESC LIMIT 1")
    eq(audit[0][:2], [e["nip"], "account"], "audited, by its owner")
    check("argon2" not in audit[0][2] and "my own" not in audit[0][2], "no password nor hash in the audit")
    check("a password of my own" not in env.svc.log_text(), "nor in the log")


@test
def tokens_issued_before_a_change_stop_working(env):
    username = "sup-" + secrets.token_hex(3)
    make_staff(env, "supervisor", env.agency.unit_a["id"], username=username)
    first = raw_login(env, username, ADMIN_PASSWORD)["access_token"]
    second = raw_login(env, username, ADMIN_PASSWORD)["access_token"]
    eq(env.svc.request("GET", "/v1/units", token=first).status, 200, "before")
    eq(change(env, second, ADMIN_PASSWORD, "the supervisor's own").status, 204, "changed")
    for name, token in (("the token that changed it", second), ("another session", first)):
        r = env.svc.request("GET", "/v1/units", token=token)
        eq((r.status, r.error_code()), (401, "invalid_token"), name)
    fresh = raw_login(env, username, "the supervisor's own")["access_token"]
    eq(env.svc.request("GET", "/v1/units", token=fresh).status, 200, "a token of the new password")


@test
def an_admin_reset_requires_a_change_again_and_ends_the_sessions(env):
    username = "staff-" + secrets.token_hex(3)
    r = env.svc.request("POST", "/v1/staff", {"username": username, "password": "given-staff-pw", "role": "reviewer",
                                              "unit_id": env.agency.top["id"]}, token=env.agency.admin)
    eq(r.status, 201, f"staff ({r})")
    account = r.json()
    body = raw_login(env, username, "given-staff-pw")
    eq(body["password_change_required"], True, "POST /v1/staff sets a password to change")
    eq(change(env, body["access_token"], "given-staff-pw", "the reviewer's own").status, 204, "changed")
    own = raw_login(env, username, "the reviewer's own")
    eq(own["password_change_required"], False, "its own now")
    r = env.svc.request("PATCH", f"/v1/staff/{account['id']}", {"password": "reset-by-admin"}, token=env.agency.admin)
    eq(r.status, 200, f"reset ({r})")
    eq(env.svc.request("GET", "/v1/units", token=own["access_token"]).status, 401, "the session before the reset")
    eq(raw_login(env, username, "reset-by-admin")["password_change_required"], True, "a reset must be changed too")
    e = create_employee(env, "first-given")
    r = env.svc.request("PATCH", f"/v1/employees/{e['id']}", {"password": "second-given"}, token=env.agency.admin)
    eq(r.status, 200, f"employee reset ({r})")
    eq(raw_login(env, e["nip"], "second-given")["password_change_required"], True, "an employee's reset too")


@test
def the_bootstrap_admin_and_the_console_say_whether_a_change_is_required(env):
    eq(raw_login(env, ADMIN_USER, ADMIN_PASSWORD)["password_change_required"], False,
       "the bootstrap admin's password is the operator's own (docs/security.md)")
    username = "console-" + secrets.token_hex(3)
    r = env.svc.request("POST", "/v1/staff", {"username": username, "password": "given-console-pw",
                                              "role": "supervisor", "unit_id": env.agency.unit_a["id"]},
                        token=env.agency.admin)
    eq(r.status, 201, f"staff ({r})")
    r = env.svc.request("POST", "/v1/console/login", {"username": username, "password": "given-console-pw"})
    eq((r.status, r.json()["password_change_required"]), (200, True), "the console's login says so")


def csv(rows):
    return ("nip,name,unit_code,password\r\n" + "".join(f"{r}\r\n" for r in rows)).encode()


def import_csv(env, rows):
    r = env.svc.request("POST", "/v1/employees/import", csv(rows), headers={"Content-Type": "text/csv"},
                        token=env.agency.admin)
    eq(r.status, 200, f"import ({r})")
    return r.json()


@test
def a_reimport_never_changes_a_password_and_the_audit_names_each_employee(env):
    code = env.agency.unit_a["code"]
    kept, fresh = new_nip(), new_nip()
    eq(import_csv(env, [f"{kept},Pegawai Lama,{code},imported-first"])["created"], 1, "created")
    body = raw_login(env, kept, "imported-first")
    eq(body["password_change_required"], True, "an imported password must be changed")
    eq(change(env, body["access_token"], "imported-first", "chosen by its owner").status, 204, "changed")
    counts = import_csv(env, [f"{kept},Pegawai Lama Renamed,{code},imported-again", f"{fresh},Baru,{code},pw-fresh-1"])
    eq((counts["created"], counts["updated"]), (1, 1), "counts")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": kept, "password": "imported-again"}).status, 401,
       "the file's password is not taken by an existing employee")
    eq(raw_login(env, kept, "chosen by its owner")["password_change_required"], False, "its own password stands")
    audit = env.db.sql("SELECT after::text FROM audit_log WHERE action = 'import' ORDER BY id DESC LIMIT 1")[0][0]
    after = json.loads(audit)
    eq((after["created_nips"], after["updated_nips"]), ([fresh], [kept]), "the NIPs created and changed")
    check("pw-fresh-1" not in audit and "argon2" not in audit, "no password nor hash")


@test
def an_imported_account_never_logged_in_answers_in_the_time_of_any_other(env):
    """The cheap hash of an import is followed by a full-cost verification: no oracle of who never logged in."""
    code = env.agency.unit_a["code"]
    imported = new_nip()
    import_csv(env, [f"{imported},Belum Login,{code},imported-password"])
    full = "sup-" + secrets.token_hex(3)
    make_staff(env, "supervisor", env.agency.unit_a["id"], username=full)
    def attempt(name, user):
        def call():
            r = env.svc.request("POST", "/v1/auth/login", {"username": user, "password": "a wrong guess"})
            eq(r.status, 401, name)
        return call

    # The service's CPU time per refusal (test_auth.unknown_user_and_wrong_password_look_the_same says why).
    cpu = {name: env.svc.cpu_per_request([attempt(name, user)] * 4)
           for name, user in (("imported", imported), ("full cost", full), ("unknown", new_nip()))}
    check(cpu["full cost"] > 0.02, f"a full-cost verification is measured: {cpu}")
    check(cpu["imported"] > 0.5 * cpu["full cost"] and cpu["imported"] > 0.5 * cpu["unknown"],
          f"an imported account is no cheaper to refuse: {cpu}")
    env.db.sql("DELETE FROM login_failures")

"""
docs/openapi.yaml against what the service really sends: for a few answers (the login, a check-in's
201, a violation with its evidence, a unit's day), every property the document's schema names is in
the answer with its JSON type (null only where nullable), every property the answer has is in the
schema, and the required ones are there. The schemas are read from the YAML, so a field added to the
document and to the code is checked without changing this test.
"""
import datetime
import os
import zoneinfo

import yaml

from harness import ADMIN_PASSWORD, REPO, Agency, Phone, admin_env, check, eq, jpeg, make_staff, test

DOC = os.path.join(REPO, "docs", "openapi.yaml")
BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])  # 500 m north: 400 m outside a 100 m circle
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}


def setup():
    with open(DOC, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    env = admin_env()
    env.doc = doc
    try:
        seed(env)
    except BaseException:
        env.close()  # run.py calls no teardown after a failed setup: do not leave the service running
        raise
    return env


def seed(env):
    a = env.agency = Agency(env.svc)
    env.unit = a.unit(a.prefix + "-DOC", "administrative", parent_id=a.top["id"])
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    env.today = str(datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date())
    # A policy in force and a roster entry, so that the violation's evidence has them rather than nulls.
    r = env.svc.request("POST", "/v1/policies", {"name": "docs", "starts_on": env.today, "ends_on": env.today,
                                                 "applies_to": ["administrative"], "unit_id": env.unit["id"],
                                                 "max_wfh_percent": 50, "selfie_required_for": ["WFH"]},
                        token=a.admin)
    check(r.status == 201, f"policy: {r}")
    env.reviewer = make_staff(env, "reviewer", a.top["id"])
    env.supervisor = make_staff(env, "supervisor", env.unit["id"])
    env.phone = Phone(env.svc, env.db, env.unit["id"])
    r = env.svc.request("PUT", f"/v1/units/{env.unit['id']}/roster/{env.today}", {"entries": [
        {"employee_id": str(env.phone.employee_id), "mode": "WFO", "start": "07:30", "end": "16:00"}]},
        token=env.supervisor)
    check(r.status == 200, f"roster: {r}")


def teardown(env):
    env.close()


def deref(doc, node):
    """node with its $ref followed (local references only, as the document has)."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        check(ref.startswith("#/"), f"only local $refs: {ref}")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def flat(doc, schema):
    """The schema with its $ref followed and its allOf merged: one set of properties, required and type."""
    schema = deref(doc, schema)
    if "allOf" not in schema:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    merged["properties"] = dict(merged.get("properties", {}))
    merged["required"] = list(merged.get("required", []))
    for part in schema["allOf"]:
        part = flat(doc, part)
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += part.get("required", [])
        for key in ("type", "enum", "format"):
            if key in part:
                merged.setdefault(key, part[key])
    return merged


def problems_of(doc, schema, value, where="answer", seen=None):
    """What in value differs from schema, as a list of sentences; seen counts the properties compared."""
    s = flat(doc, schema)
    if value is None:
        return [] if s.get("nullable") else [f"{where}: null, but the schema does not say nullable"]
    kind = s.get("type") or ("object" if "properties" in s else None)
    if kind:
        ok = isinstance(value, TYPES[kind]) and not (kind in ("integer", "number") and isinstance(value, bool))
        if not ok:
            return [f"{where}: {type(value).__name__} {value!r:.60}, but the schema says {kind}"]
    found = []
    if "enum" in s and value not in s["enum"]:
        found.append(f"{where}: {value!r} is not one of {s['enum']}")
    if s.get("format") in ("date", "date-time") and isinstance(value, str):
        try:
            if s["format"] == "date":
                datetime.date.fromisoformat(value)
            elif datetime.datetime.fromisoformat(value).tzinfo is None:
                found.append(f"{where}: {value!r} has no offset (RFC 3339)")
        except ValueError:
            found.append(f"{where}: {value!r} is not a {s['format']}")
    if isinstance(value, dict) and "properties" in s:
        documented = s["properties"]
        for name, sub in documented.items():
            if name not in value:
                found.append(f"{where}.{name}: documented, but not sent")
                continue
            if seen is not None:
                seen.append(f"{where}.{name}")
            found += problems_of(doc, sub, value[name], f"{where}.{name}", seen)
        if s.get("additionalProperties") is None:
            found += [f"{where}.{name}: sent, but not documented" for name in value if name not in documented]
        found += [f"{where}.{name}: required, but not sent" for name in s.get("required", []) if name not in value]
    if isinstance(value, list) and "items" in s:
        for i, item in enumerate(value):
            found += problems_of(doc, s["items"], item, f"{where}[{i}]", seen)
    return found


def response_schema(doc, method, path, status):
    response = deref(doc, doc["paths"][path][method.lower()]["responses"][str(status)])
    return response["content"]["application/json"]["schema"]


def matches(env, method, path, status, r, at_least):
    """r is the service's answer to METHOD path with that status, as the document describes it."""
    eq(r.status, status, f"{method} {path}: {r}")
    seen = []
    found = problems_of(env.doc, response_schema(env.doc, method, path, status), r.json(), seen=seen)
    eq(found, [], f"{method} {path} {status}: where the answer and docs/openapi.yaml differ")
    # A schema the walk could not read (no properties found) must not pass as "nothing differs".
    check(len(seen) >= at_least, f"{method} {path}: only {len(seen)} documented properties compared: {seen}")
    return r.json()


# A document of its own for the comparison's own test, so that it holds whatever docs/openapi.yaml says.
SAMPLE = yaml.safe_load("""
components:
  schemas:
    Base: {type: object, required: [id], properties: {id: {type: string}}}
    Answer:
      allOf:
        - {$ref: '#/components/schemas/Base'}
        - type: object
          properties:
            n: {type: integer}
            kind: {type: string, enum: [a, b]}
            at: {type: string, format: date-time}
            maybe: {type: string, nullable: true}
            rows: {type: array, items: {type: object, properties: {x: {type: number}}}}
            free: {type: object}
""")


@test
def the_comparison_finds_every_kind_of_difference(env):
    schema = {"$ref": "#/components/schemas/Answer"}
    good = {"id": "1", "n": 2, "kind": "a", "at": "2023-09-05T07:30:00+07:00", "maybe": None, "rows": [{"x": 1.5}],
            "free": {"anything": 1}}
    seen = []
    eq(problems_of(SAMPLE, schema, good, seen=seen), [], "a good answer")
    eq(len(seen), 8, f"every property compared, the allOf's $ref's and the array's items' too: {seen}")
    cases = [
        (dict(good, n="2"), "answer.n: str '2', but the schema says integer"),
        (dict(good, n=True), "answer.n: bool True, but the schema says integer"),
        (dict(good, kind="c"), "answer.kind: 'c' is not one of ['a', 'b']"),
        (dict(good, at="2023-09-05T07:30:00"), "answer.at: '2023-09-05T07:30:00' has no offset (RFC 3339)"),
        (dict(good, at="yesterday"), "answer.at: 'yesterday' is not a date-time"),
        (dict(good, n=None), "answer.n: null, but the schema does not say nullable"),
        (dict(good, rows=[{"x": "1"}]), "answer.rows[0].x: str '1', but the schema says number"),
        (dict(good, extra=1), "answer.extra: sent, but not documented"),
        ({k: v for k, v in good.items() if k != "kind"}, "answer.kind: documented, but not sent"),
    ]
    for answer, problem in cases:
        eq(problems_of(SAMPLE, schema, answer), [problem], f"the difference {problem!r}")
    eq(problems_of(SAMPLE, schema, {k: v for k, v in good.items() if k != "id"}),
       ["answer.id: documented, but not sent", "answer.id: required, but not sent"], "a required one missing")


@test
def the_login_answer_is_as_documented(env):
    r = env.svc.request("POST", "/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})
    matches(env, "POST", "/v1/auth/login", 200, r, at_least=4)


@test
def a_check_in_and_its_violation_are_as_documented(env):
    r = env.phone.checkin(lat=FAR[0], lon=FAR[1], accuracy=12.5, selfie=jpeg())
    answer = matches(env, "POST", "/v1/checkins", 201, r, at_least=6)
    flagged = {v["code"]: v["violation_id"] for v in answer["violations"]}
    check("OUTSIDE_GEOFENCE" in flagged, f"flagged {flagged}")
    vid = flagged["OUTSIDE_GEOFENCE"]
    path = "/v1/violations/{violation_id}"
    undecided = matches(env, "GET", path, 200, env.svc.request("GET", f"/v1/violations/{vid}", token=env.reviewer),
                        at_least=40)
    check(undecided["roster"] and undecided["policy"]["in_force"] and undecided["selfie_url"],
          f"the evidence has a roster entry, a policy and a selfie to compare: {undecided}")
    r = env.svc.request("POST", f"/v1/violations/{vid}/decision", {"decision": "confirmed", "sanction":
                        None, "note": "checked", "version": undecided["version"]}, token=env.reviewer)
    check(r.status == 200, f"decision: {r}")
    decided = matches(env, "GET", path, 200, env.svc.request("GET", f"/v1/violations/{vid}", token=env.reviewer),
                      at_least=50)
    check(decided["decision"] and decided["decisions"], "a decision and its history to compare")


@test
def a_units_day_is_as_documented(env):
    path = "/v1/units/{unit_id}/days/{date}"
    r = env.svc.request("GET", f"/v1/units/{env.unit['id']}/days/{env.today}", token=env.supervisor)
    day = matches(env, "GET", path, 200, r, at_least=12)
    check(day["employees"], "an employee to compare")


@test
def an_employees_own_day_is_as_documented(env):
    r = env.svc.request("GET", f"/v1/me/day?date={env.today}", token=env.phone.token)
    day = matches(env, "GET", "/v1/me/day", 200, r, at_least=15)
    eq((day["mode"], day["start"], day["end"], day["date"]), ("WFO", "07:30", "16:00", env.today))

"""
docs/openapi.yaml against the code: the same routes as the table in
attendance-svc/http/router.c, with the same roles, and only error codes that
common/errors.h defines. Needs no service (no setup()): it reads files only.
"""
import os
import re

import yaml

from harness import REPO, check, eq, test

DOC = os.path.join(REPO, "docs", "openapi.yaml")
ROUTER = os.path.join(REPO, "attendance-svc", "http", "router.c")
ROUTER_H = os.path.join(REPO, "attendance-svc", "http", "router.h")
AUTH_H = os.path.join(REPO, "attendance-svc", "auth.h")
ERRORS_H = os.path.join(REPO, "common", "errors.h")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Operations the document may describe although the route table has no such route: none today.
DOCUMENTED_ONLY = set()
# Operations that never touch the database, so never answer 503 database_unavailable.
NO_DATABASE = {("GET", "/healthz"), ("GET", "/metrics")}
RESPONSE_KEYS = {"description", "headers", "content", "links", "$ref"}
# A backticked snake_case word: in a response's description, that is an error code.
BACKTICKED_WORD = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)*)`")
# {"POST", "/v1/units", h_unit_create, ROLE_ADMIN, 0},
# The last member is the route's flags: 0 or ROUTE_* names joined by "|" (true/false in older rows).
ROUTE_LINE = re.compile(r'^\s*\{\s*"([A-Z]+)",\s*"([^"]+)",\s*(\w+),\s*([A-Z_| ]+?),\s*[^,}]+,\s*(?:[A-Z_| ]+|0|true|false)\},\s*$')


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def role_macros():
    """Every ROLE_* / ROLES_* name of auth.h and router.h as the set of role names it admits."""
    text = read(AUTH_H) + read(ROUTER_H)
    macros = {f"ROLE_{name}": {name.lower()} for name in re.findall(r"\bROLE_([A-Z]+)\s*=\s*1\s*<<", text)}
    defines = dict(re.findall(r"#define\s+(ROLES_[A-Z]+)\s+(.+?)\s*(?:/\*.*)?$", text, re.M))
    while defines:
        progress = False
        for name, expr in list(defines.items()):
            terms = re.findall(r"\w+", expr)
            if terms == ["0"]:
                macros[name] = set()
            elif all(t in macros for t in terms):
                macros[name] = set().union(*(macros[t] for t in terms))
            else:
                continue
            del defines[name]
            progress = True
        check(progress, f"role macros that cannot be resolved: {defines}")
    return macros


def routes():
    """{(METHOD, path): set of role names} from the route table; an empty set is a public route."""
    macros = role_macros()
    table = {}
    for line in read(ROUTER).splitlines():
        m = ROUTE_LINE.match(line)
        if not m:
            continue
        method, path, _, roles = m.groups()
        names = set()
        for term in (t.strip() for t in roles.split("|")):
            check(term in macros, f"router.c: unknown role term {term!r} in {line.strip()}")
            names |= macros[term]
        check((method, path) not in table, f"router.c: {method} {path} twice")
        table[(method, path)] = names
    # A table the regex no longer reads must fail here, not pass as "nothing to compare".
    check(len(table) >= 30 and ("POST", "/v1/auth/login") in table and ("GET", "/healthz") in table,
          f"router.c: only {len(table)} routes read; has the table's layout changed?")
    return table


def token_optional_routes():
    """The routes marked ROUTE_TOKEN_OPTIONAL in router.c: the device's signature authenticates them."""
    found = set()
    for line in read(ROUTER).splitlines():
        m = ROUTE_LINE.match(line)
        if m and "ROUTE_TOKEN_OPTIONAL" in line:
            found.add(m.groups()[:2])
    check(("POST", "/v1/checkins") in found, "router.c: POST /v1/checkins is no longer ROUTE_TOKEN_OPTIONAL?")
    return found


def document():
    # The C loader where PyYAML has it (Debian's does): the pure-Python one is ten times slower.
    doc = yaml.load(read(DOC), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    check(isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3.0"), "docs/openapi.yaml: not OpenAPI 3.0")
    return doc


def operations(doc):
    """{(METHOD, path): operation} of the document."""
    ops = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                ops[(method.upper(), path)] = op
    return ops


def error_codes():
    codes = set(re.findall(r'X\(ERR_\w+,\s*\d+,\s*"([a-z_]+)"\)', read(ERRORS_H)))
    check(len(codes) >= 20 and "database_unavailable" in codes, f"common/errors.h: only {len(codes)} codes read")
    return codes


def resolve(doc, ref):
    check(ref.startswith("#/"), f"only local $refs are used: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        check(isinstance(node, dict) and part in node, f"$ref {ref} does not resolve")
        node = node[part]
    return node


def responses(doc):
    """(where, status, response) of every response: of the operations, then of components."""
    for (method, path), op in sorted(operations(doc).items()):
        for status, response in op.get("responses", {}).items():
            yield f"{method} {path}", str(status), response
    for name, response in doc.get("components", {}).get("responses", {}).items():
        yield f"components/responses/{name}", name, response


@test
def every_route_is_documented_and_nothing_else():
    table = set(routes())
    documented = set(operations(document()))
    missing = sorted(table - documented)
    extra = sorted(documented - table - DOCUMENTED_ONLY)
    eq(missing, [], "routes of router.c that docs/openapi.yaml does not document")
    eq(extra, [], "operations of docs/openapi.yaml that router.c has no route for")


@test
def documented_roles_and_authentication_match_the_route_table():
    table = routes()
    doc = document()
    for key, op in sorted(operations(doc).items()):
        if key not in table:
            continue
        where = f"{key[0]} {key[1]}"
        roles = op.get("x-roles")
        check(isinstance(roles, list), f"{where}: no x-roles list")
        eq(set(roles), table[key], f"{where}: x-roles (router.c admits these)")
        codes = {str(s) for s in op.get("responses", {})}
        if key in token_optional_routes():
            eq(op.get("security"), [{"bearer": []}, {}], f"{where}: security of a route a token is optional on")
            check({"401", "403"} <= codes, f"{where}: an authenticated route must document 401 and 403")
        elif table[key]:
            eq(op.get("security"), [{"bearer": []}], f"{where}: security of an authenticated route")
            check({"401", "403"} <= codes, f"{where}: an authenticated route must document 401 and 403")
        else:
            check(not op.get("security"), f"{where}: a public route needs no token")
        if key not in NO_DATABASE:
            check("503" in codes, f"{where}: touches the database, so 503 database_unavailable")
        check("429" in codes, f"{where}: every route is rate limited per address, so 429 rate_limited")


@test
def every_response_has_a_description_or_a_ref_and_only_response_keys():
    doc = document()
    seen = 0
    for where, status, response in responses(doc):
        seen += 1
        check(isinstance(response, dict), f"{where} {status}: not a mapping")
        # An unquoted comma in a flow mapping splits a description into stray keys: catch that here.
        stray = set(response) - RESPONSE_KEYS
        eq(stray, set(), f"{where} {status}: keys a response cannot have")
        if "$ref" in response:
            check("description" in resolve(doc, response["$ref"]), f"{where} {status}: $ref to no description")
        else:
            description = response.get("description")
            check(isinstance(description, str) and description.strip(), f"{where} {status}: no description")
    check(seen > 100, f"only {seen} responses found")


@test
def error_codes_named_in_responses_exist():
    doc = document()
    codes = error_codes()
    named = set()
    for where, status, response in responses(doc):
        for word in BACKTICKED_WORD.findall(response.get("description", "") or ""):
            check(word in codes, f"{where} {status}: `{word}` is not an error code of common/errors.h")
            named.add(word)
    # The document names the codes clients key on; a broken pattern must not pass by finding none.
    for code in ("invalid_field", "invalid_value", "not_found", "forbidden", "device_already_bound",
                 "database_unavailable", "payload_too_large", "unsupported_media_type"):
        check(code in named, f"docs/openapi.yaml names no `{code}` in any response")


@test
def path_parameters_and_refs_are_declared():
    doc = document()
    for (method, path), op in sorted(operations(doc).items()):
        params = [resolve(doc, p["$ref"]) if "$ref" in p else p for p in op.get("parameters", [])]
        declared = {p["name"] for p in params if p.get("in") == "path"}
        eq(declared, set(re.findall(r"\{(\w+)\}", path)), f"{method} {path}: path parameters")

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(doc, node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(doc)

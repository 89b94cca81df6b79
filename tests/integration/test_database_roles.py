"""Two database roles (docs/security.md, "The database roles"): migrate runs as the tables' owner, serve and
nightly as the application role, which cannot alter a table, a trigger or a function, nor rewrite the audit log."""
import urllib.parse

from harness import admin_env, app_url, check, eq, psql, test


def setup():
    env = admin_env()
    env.app_url = app_url(env.db.url)
    return env


def teardown(env):
    env.close()


def role_of(url):
    return urllib.parse.urlsplit(url).username


@test
def the_service_connects_as_the_application_role(env):
    check(role_of(env.app_url) != role_of(env.db.url), f"the test cluster has an application role: {env.app_url}")
    eq(env.svc.env["ATTENDANCE_MIGRATE_DATABASE_URL"], env.db.url, "migrate as the owner")
    eq(env.svc.request("GET", "/readyz").status, 200, "ready")
    users = env.db.sql("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = :'d' "
                       "AND application_name = 'attendance-svc'", f"d={env.db.name}")
    eq(users, [[role_of(env.app_url)]], "serve's connections")
    owners = env.db.sql("SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
    eq(owners, [[role_of(env.db.url)]], "every table is the owner's")


@test
def the_application_role_cannot_alter_the_schema_nor_rewrite_the_audit_log(env):
    refused = [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_change",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_append ON audit_log",
        "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NEW; END $$",
        "ALTER TABLE accounts ADD COLUMN backdoor text",
        "CREATE TABLE public.mine (x int)",
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_chain_head SET last_hash = repeat('0', 64)",
        "DELETE FROM audit_anchors",
        "GRANT UPDATE ON audit_log TO CURRENT_USER; UPDATE audit_log SET actor = 'x'",
        "UPDATE schema_migrations SET sha256 = 'x'",
        "SELECT grant_application_role(CURRENT_USER)",
        "SET session_replication_role = replica",
    ]
    for sql in refused:
        try:
            psql(env.app_url, sql)
            check(False, f"{sql}: allowed to the application role")
        except RuntimeError as e:
            check(any(why in str(e) for why in ("must be owner", "permission denied", "append-only")), f"{sql}: {e}")
    # What it is there for: rows, and appending to the audit log (the trigger numbers and chains the entry).
    eq(psql(env.app_url, "SELECT count(*) > 0 FROM accounts"), [["t"]], "reads rows")
    psql(env.app_url, "INSERT INTO audit_log (action, entity) VALUES ('test', 'roles')")
    eq(psql(env.app_url, "SELECT actor FROM audit_log WHERE entity = 'roles'"), [["system"]], "appends")


@test
def the_nightly_makes_its_months_as_the_application_role(env):
    """Partitions are made by a function that runs as the owner (sql/0018), and are granted as they are made."""
    made = psql(env.app_url, "SELECT create_month_partitions((current_date + interval '2 years')::date, "
                             "(current_date + interval '2 years')::date)")
    eq(made, [["3"]], "the three tables of a month two years ahead")
    month = env.db.sql("SELECT to_char(current_date + interval '2 years', 'YYYYMM')")[0][0]
    eq(env.db.sql("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = :'n'", f"n=checkins_{month}"),
       [[role_of(env.db.url)]], "owned by the owner")
    eq(psql(env.app_url, f"SELECT count(*) FROM checkins_{month}"), [["0"]], "and readable by the application")

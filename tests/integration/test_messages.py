"""Every answer and every log line is valid UTF-8 JSON, even when it quotes bytes a client sent that are not."""
import json
import secrets

from harness import Agency, Phone, admin_env, check, eq, log_records, png, test


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.phone = Phone(env.svc, env.db, env.agency.unit_a["id"])
    return env


def teardown(env):
    env.close()


def multipart_bytes(parts):
    """A multipart body of (name, bytes, content type as bytes): the type is sent exactly as given."""
    boundary = b"----attendance" + secrets.token_hex(8).encode()
    out = b""
    for name, data, ctype in parts:
        filename = b'; filename="selfie.jpg"' if name == b"selfie" else b""
        out += (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"" + name + b"\"" + filename
                + b"\r\nContent-Type: " + ctype + b"\r\n\r\n" + data + b"\r\n")
    return out + b"--" + boundary + b"--\r\n", "multipart/form-data; boundary=" + boundary.decode()


@test
def a_selfie_typed_with_bytes_that_are_not_utf8_is_a_4xx_in_valid_json(env):
    """Before: 500 internal_error "out of memory", as jansson refused the message that echoed the bytes."""
    selfie = png()
    payload = env.phone.payload(selfie=selfie, mode="WFH")
    body, ctype = multipart_bytes([(b"payload", payload, b"application/json"),
                                   (b"signature", env.phone.sign(payload).encode(), b"text/plain"),
                                   (b"selfie", selfie, b"image/jpeg; q=\xff\xfe\xc3")])
    r = env.svc.request("POST", "/v1/checkins", body, headers={"Content-Type": ctype}, token=env.phone.token)
    check(400 <= r.status < 500, f"a client's error, not a 500: {r}")
    message = json.loads(r.body.decode("utf-8"))["error"]["message"]  # strict UTF-8
    check("\\xFF\\xFE\\xC3" in message or "\\xff" not in message, f"the bytes escaped, not dropped silently: {message}")
    for line in env.svc.log_text().splitlines():
        json.loads(line)  # every log line is one JSON object


@test
def the_request_log_stays_json_for_a_path_that_is_not_utf8(env):
    r = env.svc.request("GET", "/v1/units/%FF%FE")
    check(r.status in (401, 404), f"answered: {r}")
    json.loads(r.body.decode("utf-8"))
    records = log_records(env.svc.log_text().splitlines())
    eq(len(records), len(env.svc.log_text().splitlines()), "every line of the log is JSON")

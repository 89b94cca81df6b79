/*
 * Decoding of the signed check-in payload (see payload.h).
 */
#include "payload.h"

#include "dates.h"
#include "ids.h"
#include "json.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *checkin_type_name(enum checkin_type t) { return t == CHECKIN_IN ? "in" : "out"; }

const char *work_mode_name(enum work_mode m) { return m == MODE_WFO ? "WFO" : "WFH"; }

static bool is_lower_hex(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* Whether nonce is base64url (unpadded) of NONCE_MIN_BYTES to NONCE_MAX_BYTES bytes and fits in copy_size. */
static bool nonce_ok(const char *nonce, size_t copy_size)
{
    size_t nonce_len = strlen(nonce), raw_len = 0;
    unsigned char raw[NONCE_MAX_BYTES];
    return nonce_len < copy_size &&
           sodium_base642bin(raw, sizeof raw, nonce, nonce_len, NULL, &raw_len, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
           raw_len >= NONCE_MIN_BYTES;
}

enum payload_result checkin_payload_decode(const char *bytes, size_t len, struct checkin_payload *out, char *err,
                                           size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (len > PAYLOAD_MAX_BYTES) {
        snprintf(err, err_len, "payload is longer than %d bytes", PAYLOAD_MAX_BYTES);
        return PAYLOAD_MALFORMED;
    }
    char why[200];
    json_t *root = json_parse_object(bytes, len, why, sizeof why);
    if (!root) {
        snprintf(err, err_len, "payload: %s", why);
        return PAYLOAD_MALFORMED;
    }
    enum payload_result result = PAYLOAD_MALFORMED;
    const char *device_id, *type, *mode, *captured_at, *nonce;
    json_t *lat, *lon, *accuracy, *selfie;
    int mock;
    if (json_unpack_fields(root, why, sizeof why, NULL, "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s, s:o}", "device_id",
                           &device_id, "type", &type, "mode", &mode, "captured_at", &captured_at, "lat", &lat,
                           "lon", &lon, "accuracy_m", &accuracy, "mock_location", &mock, "nonce", &nonce,
                           "selfie_sha256", &selfie) != 0) {
        snprintf(err, err_len, "payload: %s", why);
        goto done;
    }
    if (!(out->device_id = id_parse(device_id))) {
        snprintf(err, err_len, "payload.device_id must be a device id");
        goto done;
    }
    if (strcmp(type, "in") == 0 || strcmp(type, "out") == 0) {
        out->type = type[0] == 'i' ? CHECKIN_IN : CHECKIN_OUT;
    } else {
        snprintf(err, err_len, "payload.type must be \"in\" or \"out\"");
        goto done;
    }
    if (strcmp(mode, "WFO") == 0 || strcmp(mode, "WFH") == 0) {
        out->mode = mode[2] == 'O' ? MODE_WFO : MODE_WFH;
    } else {
        snprintf(err, err_len, "payload.mode must be \"WFO\" or \"WFH\"");
        goto done;
    }
    int64_t captured_us;
    if (rfc3339_parse_us(captured_at, &captured_us) != 0 || captured_us < 0) {
        snprintf(err, err_len, "payload.captured_at must be an RFC 3339 time with an offset");
        goto done;
    }
    out->captured_at_ms = captured_us / 1000;
    if (!json_is_number(lat) || !json_is_number(lon) || !json_is_number(accuracy)) {
        snprintf(err, err_len, "payload.lat, lon and accuracy_m must be numbers");
        goto done;
    }
    if (!nonce_ok(nonce, sizeof out->nonce)) {
        snprintf(err, err_len, "payload.nonce must be base64url (no padding) of %d to %d random bytes",
                 NONCE_MIN_BYTES, NONCE_MAX_BYTES);
        goto done;
    }
    memcpy(out->nonce, nonce, strlen(nonce) + 1);
    if (json_is_string(selfie) && is_lower_hex(json_string_value(selfie), 64)) {
        out->has_selfie_sha256 = true;
        memcpy(out->selfie_sha256, json_string_value(selfie), 65);
    } else if (!json_is_null(selfie)) {
        snprintf(err, err_len, "payload.selfie_sha256 must be 64 lowercase hex digits or null");
        goto done;
    }
    const json_t *presence = json_object_get(root, "presence");
    if (json_is_string(presence) && json_string_length(presence) >= 1 &&
        json_string_length(presence) <= PRESENCE_CODE_MAX) { /* json_parse_object refused NUL */
        out->has_presence = true;
        memcpy(out->presence, json_string_value(presence), json_string_length(presence) + 1);
    } else if (presence && !json_is_null(presence)) {
        snprintf(err, err_len, "payload.presence must be a kiosk's code (1 to %d bytes) or null", PRESENCE_CODE_MAX);
        goto done;
    }
    out->mock_location = mock != 0;
    out->lat = json_number_value(lat);
    out->lon = json_number_value(lon);
    out->accuracy_m = json_number_value(accuracy);
    if (!isfinite(out->lat) || !isfinite(out->lon) || !isfinite(out->accuracy_m) || out->lat < -90 ||
        out->lat > 90 || out->lon < -180 || out->lon > 180 || out->accuracy_m < 0) {
        snprintf(err, err_len, "the location is invalid: lat -90..90, lon -180..180, accuracy_m >= 0");
        result = PAYLOAD_INVALID_LOCATION;
        goto done;
    }
    result = PAYLOAD_OK;
done:
    json_decref(root);
    return result;
}

bool sign_in_payload_decode(const char *bytes, size_t len, struct sign_in_payload *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (len > SIGN_IN_PAYLOAD_MAX_BYTES) {
        snprintf(err, err_len, "payload is longer than %d bytes", SIGN_IN_PAYLOAD_MAX_BYTES);
        return false;
    }
    char why[200];
    json_t *root = json_parse_object(bytes, len, why, sizeof why);
    if (!root) {
        snprintf(err, err_len, "payload: %s", why);
        return false;
    }
    bool ok = false;
    const char *device_id, *purpose, *signed_at, *nonce;
    int64_t signed_us;
    if (json_unpack_fields(root, why, sizeof why, NULL, "{s:s, s:s, s:s, s:s !}", "device_id", &device_id, "purpose",
                           &purpose, "signed_at", &signed_at, "nonce", &nonce) != 0)
        snprintf(err, err_len, "payload: %s", why);
    else if (!(out->device_id = id_parse(device_id)))
        snprintf(err, err_len, "payload.device_id must be a device id");
    else if (strcmp(purpose, "sign-in") != 0)
        snprintf(err, err_len, "payload.purpose must be \"sign-in\"");
    else if (rfc3339_parse_us(signed_at, &signed_us) != 0 || signed_us < 0)
        snprintf(err, err_len, "payload.signed_at must be an RFC 3339 time with an offset");
    else if (!nonce_ok(nonce, sizeof out->nonce))
        snprintf(err, err_len, "payload.nonce must be base64url (no padding) of %d to %d random bytes",
                 NONCE_MIN_BYTES, NONCE_MAX_BYTES);
    else
        ok = true;
    if (ok) {
        out->signed_at_ms = signed_us / 1000;
        memcpy(out->nonce, nonce, strlen(nonce) + 1);
    }
    json_decref(root);
    return ok;
}

bool sign_in_clock_skewed(const struct sign_in_payload *p, int64_t now_ms)
{
    int64_t apart = p->signed_at_ms - now_ms;
    return apart > SIGN_IN_CLOCK_SKEW_MS || apart < -SIGN_IN_CLOCK_SKEW_MS;
}

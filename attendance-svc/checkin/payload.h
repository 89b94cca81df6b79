/*
 * The signed check-in payload: the exact JSON bytes the phone signed, decoded
 * and checked field by field. Pure: no I/O, no allocation that outlives the call.
 *
 * {"device_id", "type": "in"|"out", "mode": "WFO"|"WFH", "captured_at" (RFC 3339),
 *  "lat", "lon", "accuracy_m", "mock_location": bool, "nonce": base64url of 16+
 *  random bytes, "selfie_sha256": lowercase hex | null, "presence"?: a kiosk's code | null}
 */
#ifndef ATTENDANCE_CHECKIN_PAYLOAD_H
#define ATTENDANCE_CHECKIN_PAYLOAD_H

#include "rules/presence.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_MAX_BYTES 4096
#define NONCE_MIN_BYTES 16
#define NONCE_MAX_BYTES 64

enum checkin_type { CHECKIN_IN, CHECKIN_OUT };
enum work_mode { MODE_WFO, MODE_WFH };

struct checkin_payload {
    long long device_id;
    enum checkin_type type;
    enum work_mode mode;
    int64_t captured_at_ms; /* Unix time, UTC */
    double lat, lon, accuracy_m;
    bool mock_location;
    char nonce[128];         /* as sent (base64url) */
    bool has_selfie_sha256;
    char selfie_sha256[65];  /* lowercase hex */
    bool has_presence;
    char presence[PRESENCE_CODE_MAX + 1]; /* the kiosk's code as scanned, judged by presence_verify */
};

enum payload_result {
    PAYLOAD_OK,
    PAYLOAD_MALFORMED,        /* 400: not JSON, a field missing or of the wrong type or form */
    PAYLOAD_INVALID_LOCATION, /* 422: lat/lon out of range or not finite, accuracy < 0 */
};

/* Decodes and checks the payload bytes; err says what is wrong (naming the field). */
enum payload_result checkin_payload_decode(const char *bytes, size_t len, struct checkin_payload *out, char *err,
                                           size_t err_len);

/*
 * A device sign-in (POST /v1/auth/device): the JSON bytes the device signed,
 * {"device_id", "purpose": "sign-in", "signed_at" (RFC 3339), "nonce": base64url
 * of 16+ random bytes}, and nothing else. "purpose" keeps a check-in's
 * signature from ever being taken for a sign-in, and the other way round.
 */
#define SIGN_IN_PAYLOAD_MAX_BYTES 1024
#define SIGN_IN_CLOCK_SKEW_MS (5 * 60 * 1000LL)

struct sign_in_payload {
    long long device_id;
    int64_t signed_at_ms;
    char nonce[128]; /* as sent (base64url) */
};

/* Decodes and checks the payload bytes: true, or false with what is wrong in err (400). */
bool sign_in_payload_decode(const char *bytes, size_t len, struct sign_in_payload *out, char *err, size_t err_len);

/* Whether signed_at is more than SIGN_IN_CLOCK_SKEW_MS away from now_ms, either way (422 clock_skew). */
bool sign_in_clock_skewed(const struct sign_in_payload *p, int64_t now_ms);

const char *checkin_type_name(enum checkin_type t);
const char *work_mode_name(enum work_mode m);

#endif

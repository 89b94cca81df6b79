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

const char *checkin_type_name(enum checkin_type t);
const char *work_mode_name(enum work_mode m);

#endif

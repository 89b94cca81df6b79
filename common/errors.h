/*
 * The one list of error codes the service answers with, each mapped to its HTTP
 * status and to the snake_case code of the contract's error body
 * {"error": {"code", "message"}}. Clients and tests key on the code, never on
 * the message.
 */
#ifndef COMMON_ERRORS_H
#define COMMON_ERRORS_H

#define ERROR_CODES(X)                                                                   \
    X(ERR_MALFORMED_REQUEST, 400, "malformed_request")                                   \
    X(ERR_MALFORMED_JSON, 400, "malformed_json")                                         \
    X(ERR_INVALID_FIELD, 400, "invalid_field")                                           \
    X(ERR_UNAUTHENTICATED, 401, "unauthenticated")                                       \
    X(ERR_INVALID_TOKEN, 401, "invalid_token")                                           \
    X(ERR_INVALID_CREDENTIALS, 401, "invalid_credentials")                               \
    X(ERR_BAD_SIGNATURE, 401, "bad_signature")                                           \
    X(ERR_FORBIDDEN, 403, "forbidden")                                                   \
    X(ERR_PASSWORD_CHANGE_REQUIRED, 403, "password_change_required")                     \
    X(ERR_WRONG_PASSWORD, 403, "wrong_password")                                         \
    X(ERR_DEVICE_NOT_BOUND, 403, "device_not_bound")                                     \
    X(ERR_SELF_APPROVAL, 403, "self_approval")                                           \
    X(ERR_REAUTHENTICATION_REQUIRED, 403, "reauthentication_required")                   \
    X(ERR_NOT_FOUND, 404, "not_found")                                                   \
    X(ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed")                                 \
    X(ERR_CONFLICT, 409, "conflict")                                                     \
    X(ERR_ALREADY_EXISTS, 409, "already_exists")                                         \
    X(ERR_DEVICE_ALREADY_BOUND, 409, "device_already_bound")                             \
    X(ERR_NONCE_REUSED, 409, "nonce_reused")                                             \
    X(ERR_VERSION_CONFLICT, 409, "version_conflict")                                     \
    X(ERR_LEAVE_OVERLAP, 409, "leave_overlap")                                           \
    X(ERR_NOT_EXAMINED, 409, "not_examined")                                             \
    X(ERR_SELFIE_PURGED, 410, "selfie_purged")                                           \
    X(ERR_PAYLOAD_TOO_LARGE, 413, "payload_too_large")                                   \
    X(ERR_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type")                         \
    X(ERR_INVALID_VALUE, 422, "invalid_value")                                           \
    X(ERR_WEAK_PASSWORD, 422, "weak_password")                                           \
    X(ERR_INVALID_LOCATION, 422, "invalid_location")                                     \
    X(ERR_SELFIE_HASH_MISMATCH, 422, "selfie_hash_mismatch")                             \
    X(ERR_CLOCK_SKEW, 422, "clock_skew")                                                 \
    X(ERR_WFH_QUOTA_EXCEEDED, 422, "wfh_quota_exceeded")                                 \
    X(ERR_WFO_QUOTA_EXCEEDED, 422, "wfo_quota_exceeded")                                 \
    X(ERR_WFO_ONLY_UNIT, 422, "wfo_only_unit")                                           \
    X(ERR_LEAVE_BALANCE_EXCEEDED, 422, "leave_balance_exceeded")                         \
    X(ERR_LEAVE_TOO_LONG, 422, "leave_too_long")                                         \
    X(ERR_LEAVE_SERVICE_TOO_SHORT, 422, "leave_service_too_short")                       \
    X(ERR_LEAVE_NOT_ELIGIBLE, 422, "leave_not_eligible")                                 \
    X(ERR_LEAVE_LIMIT_REACHED, 422, "leave_limit_reached")                               \
    X(ERR_NO_WORKING_DAY, 422, "no_working_day")                                         \
    X(ERR_ATTACHMENT_REQUIRED, 422, "attachment_required")                               \
    X(ERR_SANCTION_NEEDS_CASE, 422, "sanction_needs_case")                               \
    X(ERR_REASON_REQUIRED, 422, "reason_required")                                       \
    X(ERR_RATE_LIMITED, 429, "rate_limited")                                             \
    X(ERR_INTERNAL, 500, "internal_error")                                               \
    X(ERR_DATABASE_UNAVAILABLE, 503, "database_unavailable")                             \
    X(ERR_SCHEMA_BEHIND, 503, "schema_behind")                                           \
    X(ERR_SHUTTING_DOWN, 503, "shutting_down")                                           \
    X(ERR_STORAGE_UNAVAILABLE, 503, "storage_unavailable")                               \
    X(ERR_LOGIN_BUSY, 503, "login_busy")

enum error_code {
#define ERROR_ENUM(name, status, code) name,
    ERROR_CODES(ERROR_ENUM)
#undef ERROR_ENUM
        ERROR_CODE_COUNT
};

unsigned error_http_status(enum error_code err);
const char *error_code_name(enum error_code err);

#endif

/*
 * Proof of presence by an office's kiosk (CONTRACT.md, "Proof of presence that
 * GPS and a gallery cannot fake"): the kiosk shows, each period, the text
 * ATT1.<kiosk_id>.<t>.<mac> with t = floor(Unix time / period_s) and mac the
 * base64url of the first 16 bytes of HMAC-SHA256(secret, "<kiosk_id>.<t>").
 * A phone that scanned it signs it into its payload ("presence"). Pure: the
 * verdict is a function of the code, the unit's kiosks and the two instants.
 */
#ifndef ATTENDANCE_RULES_PRESENCE_H
#define ATTENDANCE_RULES_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KIOSK_SECRET_BYTES 32
#define KIOSK_MAC_BYTES 16
#define KIOSK_PERIOD_S 30      /* the contract's period for a new kiosk */
#define PRESENCE_CODE_MAX 127  /* a code is about 60 bytes; the payload refuses a longer text */
#define PRESENCE_MISMATCH_M 1000.0 /* a point farther than this from the kiosk's office is flagged */

/* A kiosk of one of the unit's offices, as the check-in context holds it. */
struct kiosk {
    long long id, office_id;
    unsigned char secret[KIOSK_SECRET_BYTES];
    int period_s;
    int64_t created_ms;
    int64_t revoked_ms; /* 0: live */
};

enum presence_result {
    PRESENCE_NONE,          /* the payload carries no code */
    PRESENCE_VALID,
    PRESENCE_MALFORMED,     /* not ATT1.<id>.<t>.<mac> */
    PRESENCE_UNKNOWN_KIOSK, /* no kiosk of the unit's offices (another unit's, or none) */
    PRESENCE_REVOKED,       /* revoked when the check-in arrived */
    PRESENCE_BAD_MAC,
    PRESENCE_BEFORE_KIOSK,  /* a window earlier than one period before the kiosk was made */
    PRESENCE_STALE,         /* captured_at is not within one period of the code's window */
};

struct presence_verdict {
    enum presence_result result;
    long long kiosk_id, office_id; /* of the kiosk named, when it is one of the unit's */
    int64_t t;                     /* the code's window, when it parsed */
};

/*
 * The verdict on code (NULL: none) for a check-in captured at captured_ms and
 * received at received_ms, against the unit's kiosks. Valid when the kiosk is
 * one of them and live when the check-in arrived (a revoked kiosk's secret may
 * be in other hands: nothing it signed is believed after the revocation, however
 * early the phone says it was captured), the MAC is right, t is no earlier than
 * one period before the kiosk was made, and captured_ms lies within one period
 * of the window [t, t+1) x period_s.
 */
struct presence_verdict presence_verify(const char *code, const struct kiosk *kiosks, size_t n, int64_t captured_ms,
                                        int64_t received_ms);

/* The reason's name, as the evidence of PRESENCE_INVALID gives it. */
const char *presence_result_name(enum presence_result r);

/* The code of kiosk_id for window t (text of at most PRESENCE_CODE_MAX bytes), as a kiosk shows it. */
void presence_code(long long kiosk_id, int64_t t, const unsigned char secret[KIOSK_SECRET_BYTES],
                   char out[PRESENCE_CODE_MAX + 1]);

#endif

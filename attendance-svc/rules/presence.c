/*
 * Kiosk codes (see presence.h).
 */
#include "presence.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CODE_PREFIX "ATT1."
#define MAC_TEXT_LEN 22 /* base64url of 16 bytes, no padding */

const char *presence_result_name(enum presence_result r)
{
    switch (r) {
    case PRESENCE_NONE: return "none";
    case PRESENCE_VALID: return "valid";
    case PRESENCE_MALFORMED: return "malformed";
    case PRESENCE_UNKNOWN_KIOSK: return "unknown_kiosk";
    case PRESENCE_REVOKED: return "revoked";
    case PRESENCE_BAD_MAC: return "bad_mac";
    case PRESENCE_BEFORE_KIOSK: return "before_kiosk";
    case PRESENCE_STALE: return "stale";
    }
    return "unknown";
}

static void mac_of(long long kiosk_id, int64_t t, const unsigned char secret[KIOSK_SECRET_BYTES],
                   unsigned char mac[KIOSK_MAC_BYTES])
{
    char message[48];
    int len = snprintf(message, sizeof message, "%lld.%lld", kiosk_id, (long long)t);
    unsigned char full[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, KIOSK_SECRET_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)message, (unsigned long long)len);
    crypto_auth_hmacsha256_final(&st, full);
    memcpy(mac, full, KIOSK_MAC_BYTES);
}

void presence_code(long long kiosk_id, int64_t t, const unsigned char secret[KIOSK_SECRET_BYTES],
                   char out[PRESENCE_CODE_MAX + 1])
{
    unsigned char mac[KIOSK_MAC_BYTES];
    char mac_text[MAC_TEXT_LEN + 2];
    mac_of(kiosk_id, t, secret, mac);
    sodium_bin2base64(mac_text, sizeof mac_text, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, PRESENCE_CODE_MAX + 1, CODE_PREFIX "%lld.%lld.%s", kiosk_id, (long long)t, mac_text);
}

/* A decimal number of 1 to max_digits digits without a leading zero, ending at '.'; the end or NULL. */
static const char *decimal(const char *s, int max_digits, long long *out)
{
    long long v = 0;
    int digits = 0;
    while (s[digits] >= '0' && s[digits] <= '9') {
        if (++digits > max_digits)
            return NULL;
        v = v * 10 + (s[digits - 1] - '0');
    }
    if (digits == 0 || (digits > 1 && s[0] == '0') || s[digits] != '.')
        return NULL;
    *out = v;
    return s + digits;
}

struct presence_verdict presence_verify(const char *code, const struct kiosk *kiosks, size_t n, int64_t captured_ms,
                                        int64_t received_ms)
{
    struct presence_verdict v = {.result = PRESENCE_NONE};
    if (!code)
        return v;
    v.result = PRESENCE_MALFORMED;
    long long kiosk_id, t;
    const char *s = code;
    if (strncmp(s, CODE_PREFIX, strlen(CODE_PREFIX)) != 0)
        return v;
    s += strlen(CODE_PREFIX);
    /* Ids are bigserials; t is under 10^12 for any period of a second or more until the year 33658. */
    if (!(s = decimal(s, 18, &kiosk_id)) || !(s = decimal(s + 1, 12, &t)) || kiosk_id == 0)
        return v;
    s++;
    unsigned char mac[KIOSK_MAC_BYTES];
    size_t mac_len = 0;
    const char *mac_end = NULL;
    if (strlen(s) != MAC_TEXT_LEN ||
        sodium_base642bin(mac, sizeof mac, s, MAC_TEXT_LEN, NULL, &mac_len, &mac_end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        mac_len != sizeof mac || *mac_end != '\0')
        return v;
    v.t = t;
    const struct kiosk *k = NULL;
    for (size_t i = 0; i < n && !k; i++)
        if (kiosks[i].id == kiosk_id)
            k = &kiosks[i];
    if (!k) {
        v.result = PRESENCE_UNKNOWN_KIOSK;
        return v;
    }
    v.kiosk_id = k->id;
    v.office_id = k->office_id;
    unsigned char expected[KIOSK_MAC_BYTES];
    mac_of(k->id, t, k->secret, expected);
    int64_t period_ms = (int64_t)k->period_s * 1000;
    int64_t window_start_ms = t * period_ms;
    if (k->revoked_ms && k->revoked_ms <= received_ms)
        v.result = PRESENCE_REVOKED;
    else if (sodium_memcmp(mac, expected, sizeof mac) != 0)
        v.result = PRESENCE_BAD_MAC;
    else if (t < k->created_ms / period_ms - 1)
        v.result = PRESENCE_BEFORE_KIOSK;
    else if (captured_ms < window_start_ms - period_ms || captured_ms >= window_start_ms + 2 * period_ms)
        v.result = PRESENCE_STALE;
    else
        v.result = PRESENCE_VALID;
    return v;
}

/* Access-token checking (JWT claims) on arbitrary strings. */
#include "auth.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char secret[] = "fuzzing-secret-0123456789abcdef0123";
    const struct token_settings ts = {secret, sizeof secret - 1, "attendance-svc", "attendance-api", 900};
    char *token = malloc(size + 1);
    if (!token)
        return 0;
    memcpy(token, data, size);
    token[size] = '\0';
    long long account;
    enum role role;
    (void)token_verify(&ts, token, 1795480265, &account, &role);
    free(token);
    return 0;
}

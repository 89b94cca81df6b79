#include "ids.h"

#include <stdlib.h>
#include <string.h>

long long id_parse(const char *text)
{
    if (!text || !*text || text[0] == '0')
        return 0;
    size_t n = strlen(text);
    if (n > 18 || strspn(text, "0123456789") != n)
        return 0;
    return atoll(text);
}

bool nip_valid(const char *text)
{
    return text && strlen(text) == 18 && strspn(text, "0123456789") == 18;
}

#include "errors.h"

static const struct {
    unsigned status;
    const char *code;
} error_table[] = {
#define ERROR_ROW(name, status, code) [name] = {status, code},
    ERROR_CODES(ERROR_ROW)
#undef ERROR_ROW
};

unsigned error_http_status(enum error_code err)
{
    return (unsigned)err < ERROR_CODE_COUNT ? error_table[err].status : 500;
}

const char *error_code_name(enum error_code err)
{
    return (unsigned)err < ERROR_CODE_COUNT ? error_table[err].code : "internal_error";
}

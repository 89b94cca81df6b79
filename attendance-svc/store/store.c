#include "store.h"

extern const struct db_statement store_health_statements[];

const struct db_statement *const store_statement_sets[] = {
    store_health_statements,
    NULL,
};

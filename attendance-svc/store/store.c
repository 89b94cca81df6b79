#include "store.h"

extern const struct db_statement store_accounts_statements[];
extern const struct db_statement store_audit_statements[];
extern const struct db_statement store_health_statements[];

const struct db_statement *const store_statement_sets[] = {
    store_accounts_statements,
    store_audit_statements,
    store_health_statements,
    NULL,
};

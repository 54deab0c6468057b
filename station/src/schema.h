/* Private: the schema migrations (schema.c). */
#ifndef TOTE_SCHEMA_H
#define TOTE_SCHEMA_H

/* tote_schema_migrations[i] brings user_version from i to i+1. */
extern const char *const tote_schema_migrations[];
extern const int tote_schema_migration_count;

#endif

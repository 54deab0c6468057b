/*
 * Reading the handheld's --json events in tests (test_client.c,
 * test_hhui_json.c): one field of an event object, with a value no real event
 * has when the field is missing or of another type, so a check against the
 * expected value fails and says so.
 */
#ifndef TOTE_TESTS_HH_JSON_H
#define TOTE_TESTS_HH_JSON_H

#include <cjson/cJSON.h>

/* The string field k of o, or "(missing)". */
static inline const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "(missing)";
}

/* The number field k of o, or -1. */
static inline double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The boolean field k of o as 1 or 0, or -1. */
static inline int jbool(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

#endif

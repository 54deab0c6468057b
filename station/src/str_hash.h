/* The string hash of the station's in-memory tables (statement cache,
 * devices seen in a batch, the loop's cache): 32-bit FNV-1a. */
#ifndef TOTE_STR_HASH_H
#define TOTE_STR_HASH_H

static inline unsigned tote_str_hash(const char *p)
{
    unsigned h = 2166136261u;
    while (*p)
        h = (h ^ (unsigned char)*p++) * 16777619u;
    return h;
}

#endif

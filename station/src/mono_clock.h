/*
 * Monotonic time for the station's timers and measurements (never steps
 * with the wall clock).
 */
#ifndef TOTE_MONO_CLOCK_H
#define TOTE_MONO_CLOCK_H

#include <time.h>

static inline long long mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline long long mono_ms(void)
{
    return mono_us() / 1000;
}

#endif

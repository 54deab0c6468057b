/*
 * Tote's test harness: assertion macros that print both sides, and a tiny
 * runner. A test file defines `static void test_x(void)` functions and ends
 * with
 *
 *     TT_MAIN(TT_TEST(test_a), TT_TEST(test_b))
 *
 * CHECK_* record a failure and continue; REQUIRE_* record it and return from
 * the test function. The run ends with "N passed, N failed" per test function
 * and exits non-zero on any failure. Run one test: ./test_x NAME.
 */
#ifndef TOTE_TEST_H
#define TOTE_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int tt_failures_in_test; /* failures in the running test function */

void tt_fail_msg(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tt_fail_mem(const char *file, int line, const char *ea, const char *eb, const void *a, size_t alen,
                 const void *b, size_t blen);

#define TT_CHECK_(cond, ret, ...)                         \
    do {                                                  \
        if (!(cond)) {                                    \
            tt_fail_msg(__FILE__, __LINE__, __VA_ARGS__); \
            ret;                                          \
        }                                                 \
    } while (0)

#define TT_NOTHING ((void)0)

#define CHECK(cond) TT_CHECK_((cond), TT_NOTHING, "CHECK(%s) failed", #cond)
#define REQUIRE(cond) TT_CHECK_((cond), return, "REQUIRE(%s) failed", #cond)

#define TT_INT_(a, op, b, ret)                                                                        \
    do {                                                                                              \
        long long tt_a_ = (long long)(a), tt_b_ = (long long)(b);                                     \
        TT_CHECK_(tt_a_ op tt_b_, ret, "%s %s %s: left %lld, right %lld", #a, #op, #b, tt_a_, tt_b_); \
    } while (0)
#define CHECK_INT(a, op, b) TT_INT_(a, op, b, TT_NOTHING)
#define REQUIRE_INT(a, op, b) TT_INT_(a, op, b, return )
#define CHECK_EQ(a, b) TT_INT_(a, ==, b, TT_NOTHING)
#define REQUIRE_EQ(a, b) TT_INT_(a, ==, b, return )

#define TT_STR_(a, b, ret)                                                                                   \
    do {                                                                                                     \
        const char *tt_a_ = (a), *tt_b_ = (b);                                                               \
        TT_CHECK_(tt_a_ &&tt_b_ &&strcmp(tt_a_, tt_b_) == 0, ret, "%s == %s: left \"%s\", right \"%s\"", #a, \
                  #b, tt_a_ ? tt_a_ : "(null)", tt_b_ ? tt_b_ : "(null)");                                   \
    } while (0)
#define CHECK_STR(a, b) TT_STR_(a, b, TT_NOTHING)
#define REQUIRE_STR(a, b) TT_STR_(a, b, return )

/* substring */
#define TT_HAS_(hay, needle, ret)                                                                         \
    do {                                                                                                  \
        const char *tt_h_ = (hay), *tt_n_ = (needle);                                                     \
        TT_CHECK_(tt_h_ &&tt_n_ &&strstr(tt_h_, tt_n_), ret, "%s contains %s: \"%s\" lacks \"%s\"", #hay, \
                  #needle, tt_h_ ? tt_h_ : "(null)", tt_n_ ? tt_n_ : "(null)");                           \
    } while (0)
#define CHECK_HAS(hay, needle) TT_HAS_(hay, needle, TT_NOTHING)
#define REQUIRE_HAS(hay, needle) TT_HAS_(hay, needle, return )

#define TT_MEM_(a, alen, b, blen, ret)                                         \
    do {                                                                       \
        size_t tt_al_ = (size_t)(alen), tt_bl_ = (size_t)(blen);               \
        if (tt_al_ != tt_bl_ || memcmp((a), (b), tt_al_) != 0) {               \
            tt_fail_mem(__FILE__, __LINE__, #a, #b, (a), tt_al_, (b), tt_bl_); \
            ret;                                                               \
        }                                                                      \
    } while (0)
#define CHECK_MEM(a, alen, b, blen) TT_MEM_(a, alen, b, blen, TT_NOTHING)
#define REQUIRE_MEM(a, alen, b, blen) TT_MEM_(a, alen, b, blen, return )

typedef struct tt_test {
    const char *name;
    void (*fn)(void);
} tt_test;

#define TT_TEST(fn) \
    {               \
#fn, fn     \
    }

int tt_main_run(const tt_test *tests, size_t n, int argc, char **argv);

#define TT_MAIN(...)                                                                       \
    int main(int argc, char **argv)                                                        \
    {                                                                                      \
        static const tt_test tt_tests_[] = {__VA_ARGS__};                                  \
        return tt_main_run(tt_tests_, sizeof tt_tests_ / sizeof tt_tests_[0], argc, argv); \
    }

/* Decodes a hex string ("04 D0 04 00", spaces allowed) into out; returns the
 * byte count, or -1 on bad hex or overflow. */
int tt_hex(const char *hex, uint8_t *out, size_t cap);

#endif

/*
 * The test support library's own promise about children: a test that
 * gives up leaves its child processes running; the runner stops them at the
 * end, and a clean-up the test registered with atexit (it runs after the
 * runner) may still stop the same child through its own pointer. Under the
 * ASan build a freed tt_proc touched there is an error, so this test fails
 * there if the runner frees what a test still holds.
 */
#include <stdlib.h>
#include <unistd.h>

#include "support.h"
#include "test.h"

static tt_proc *held;
static int stop_rc = 99;

static void cleanup(void)
{
    stop_rc = tt_proc_stop(&held);
    if (held != NULL || stop_rc == 99) {
        fprintf(stderr, "test_support: the clean-up could not stop the child it held\n");
        _exit(1);
    }
}

/* Leaves a child running, as a test that gave up would. */
static void test_leaves_a_child_running(void)
{
    const char *argv[] = {"/bin/sleep", "30", NULL};
    held = tt_spawn(argv, NULL, 0, NULL, NULL);
    REQUIRE(held != NULL);
    atexit(cleanup);
}

TT_MAIN(TT_TEST(test_leaves_a_child_running))

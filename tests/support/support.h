/*
 * Support for integration tests: temporary directories, free loopback ports,
 * child processes with timeouts, files.
 */
#ifndef TOTE_TEST_SUPPORT_H
#define TOTE_TEST_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) named tote-PREFIX-XXXXXX
 * with mode 0755 (so that CUPS backends running as lp can traverse it) and
 * returns its malloc'd path; NULL on failure. Removed by tt_rmrf(). */
char *tt_tmpdir(const char *prefix);

/* Removes path recursively; 0 on success. */
int tt_rmrf(const char *path);

/* A TCP port on 127.0.0.1 that was free a moment ago (bound and released). */
int tt_free_port(void);

/* Waits until something accepts TCP connections on 127.0.0.1:port; 0 when it
 * does, -1 after timeout_ms. */
int tt_wait_port(int port, int timeout_ms);

/* Path of a built binary ("tote", "tote-handheld"): $TOTE_BIN_DIR/name, else
 * the build directory compiled in. Static buffer. */
const char *tt_bin(const char *name);

/* Path of a file in the source tree (tests/data/...), static buffer. */
const char *tt_src(const char *relpath);

typedef struct tt_proc tt_proc;

enum {
    TT_PIPE_STDIN = 1 << 0,  /* tt_proc_write() feeds the child's stdin */
    TT_PIPE_STDOUT = 1 << 1, /* tt_proc_readline() reads the child's stdout */
};

/*
 * Starts argv[0] (a path) with argv. env: NULL-terminated "KEY=VALUE" list
 * added to (or overriding) the current environment, may be NULL. Without
 * TT_PIPE_STDOUT, stdout goes to out_path if given (else inherited); stderr
 * goes to err_path if given (else inherited). The child is in its own process
 * group. Returns NULL if fork/exec setup failed.
 */
tt_proc *tt_spawn(const char *const argv[], const char *const env[], int flags, const char *out_path,
                  const char *err_path);

pid_t tt_proc_pid(const tt_proc *p);

/* Writes len bytes to the child's stdin (TT_PIPE_STDIN); 0 on success. */
int tt_proc_write(tt_proc *p, const void *data, size_t len);
/* Closes the child's stdin. */
void tt_proc_close_stdin(tt_proc *p);

/* Reads one line (without the newline) from the child's stdout into buf;
 * returns its length, or -1 on timeout or EOF. */
int tt_proc_readline(tt_proc *p, char *buf, size_t cap, int timeout_ms);

/* Reads lines until one contains needle; copies it into buf (may be NULL)
 * and returns 0, or -1 on timeout/EOF. */
int tt_proc_expect(tt_proc *p, const char *needle, char *buf, size_t cap, int timeout_ms);

/* Sends sig to the child's process group. */
void tt_proc_kill(tt_proc *p, int sig);

/* Waits up to timeout_ms for exit; returns the exit status (0-255), 128+signal
 * if killed by a signal, or -1 on timeout (the child still runs). */
int tt_proc_wait(tt_proc *p, int timeout_ms);

/* SIGTERM, wait up to 3 s, then SIGKILL; reaps; frees; *p = NULL. NULL-safe.
 * Returns the exit status as tt_proc_wait. */
int tt_proc_stop(tt_proc **p);

/* Runs argv to completion (timeout_ms, then killed) capturing stdout and
 * stderr into malloc'd strings (may pass NULL to discard). stdin_data, if not
 * NULL, is written to its stdin. Returns the exit status, or -1 on timeout. */
int tt_run(const char *const argv[], const char *const env[], const char *stdin_data, int timeout_ms,
           char **out, char **err);

/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL on error. */
char *tt_read_file(const char *path, size_t *len);
/* Writes data to path (created 0644, truncated); 0 on success. */
int tt_write_file(const char *path, const void *data, size_t len);

/*
 * Test time scale. Every timeout the helpers here take (tt_wait_port,
 * tt_proc_readline, tt_proc_expect, tt_proc_wait, tt_proc_stop, tt_run) is
 * multiplied by tt_slow(), and tests with deadlines of their own scale them
 * with tt_ms(): the same assertions, only more time. The factor is
 * $TOTE_TEST_SLOW (an integer 1..1000; `./dev memcheck` sets it, valgrind
 * being 10-50 times slower), else 1.
 */
int tt_slow(void);
/* ms * tt_slow(), clamped to INT_MAX. */
int tt_ms(long long ms);

/* Monotonic milliseconds. */
long long tt_now_ms(void);
void tt_sleep_ms(int ms);

#endif

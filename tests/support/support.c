#include "support.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

extern char **environ;

/* ---------------- assertions and runner ---------------- */

int tt_failures_in_test;

static int stop_leftovers(void);

void tt_fail_msg(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    tt_failures_in_test++;
}

static void dump_hex(const char *label, const void *p, size_t n)
{
    const uint8_t *b = p;
    fprintf(stderr, "  %s (%zu):", label, n);
    for (size_t i = 0; i < n && i < 256; i++)
        fprintf(stderr, " %02X", b[i]);
    if (n > 256)
        fprintf(stderr, " ...");
    fputc('\n', stderr);
}

void tt_fail_mem(const char *file, int line, const char *ea, const char *eb, const void *a, size_t alen,
                 const void *b, size_t blen)
{
    fprintf(stderr, "%s:%d: %s == %s: bytes differ\n", file, line, ea, eb);
    dump_hex("left ", a, alen);
    dump_hex("right", b, blen);
    tt_failures_in_test++;
}

int tt_main_run(const tt_test *tests, size_t n, int argc, char **argv)
{
    int passed = 0, failed = 0;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < n; i++) {
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; a++)
                if (strcmp(argv[a], tests[i].name) == 0)
                    wanted = 1;
            if (!wanted)
                continue;
        }
        tt_failures_in_test = 0;
        long long t0 = tt_now_ms();
        tests[i].fn();
        long long dt = tt_now_ms() - t0;
        if (tt_failures_in_test) {
            failed++;
            printf("FAIL %s (%d failed checks, %lld ms)\n", tests[i].name, tt_failures_in_test, dt);
        } else {
            passed++;
            printf("ok   %s (%lld ms)\n", tests[i].name, dt);
        }
    }
    int left = stop_leftovers();
    if (left)
        fprintf(stderr, "support: stopped %d child process%s the tests left running\n", left,
                left == 1 ? "" : "es");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

int tt_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else if (*p == ' ' || *p == '\n' || *p == '\t' || *p == ':')
            continue;
        else
            return -1;
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (int)n : -1;
}

/* ---------------- time ---------------- */

int tt_slow(void)
{
    static int factor;
    if (!factor) {
        const char *v = getenv("TOTE_TEST_SLOW");
        long f = v && *v ? strtol(v, NULL, 10) : 1;
        factor = f < 1 ? 1 : f > 1000 ? 1000 : (int)f;
    }
    return factor;
}

int tt_ms(long long ms)
{
    long long v = ms * tt_slow();
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

long long tt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tt_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---------------- files and directories ---------------- */

char *tt_tmpdir(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/tote-%s-XXXXXX", base, prefix ? prefix : "t");
    if (!mkdtemp(tmpl))
        return NULL;
    chmod(tmpl, 0755);
    return strdup(tmpl);
}

int tt_rmrf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return -1;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            tt_rmrf(sub);
        }
        closedir(d);
        return rmdir(path);
    }
    return unlink(path);
}

char *tt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tt_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && w == len) ? 0 : -1;
}

const char *tt_bin(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("TOTE_BIN_DIR");
#ifdef TOTE_BUILD_DIR
    if (!dir || !*dir)
        dir = TOTE_BUILD_DIR;
#endif
    if (!dir)
        dir = ".";
    const char *sub = "";
    if (strcmp(name, "tote") == 0)
        sub = "/station";
    else if (strcmp(name, "tote-handheld") == 0)
        sub = "/handheld";
    snprintf(buf, sizeof buf, "%s%s/%s", dir, sub, name);
    return buf;
}

const char *tt_src(const char *relpath)
{
    static char buf[4096];
#ifdef TOTE_SOURCE_DIR
    snprintf(buf, sizeof buf, "%s/%s", TOTE_SOURCE_DIR, relpath);
#else
    snprintf(buf, sizeof buf, "%s", relpath);
#endif
    return buf;
}

/* ---------------- network ---------------- */

int tt_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int tt_wait_port(int port, int timeout_ms)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    do {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 0;
        tt_sleep_ms(20);
    } while (tt_now_ms() < end);
    return -1;
}

/* ---------------- processes ---------------- */

struct tt_proc {
    pid_t pid;
    int in_fd;
    int out_fd;
    int exited;
    int status;
    char buf[65536];
    size_t buf_len;
    tt_proc *next_live;
};

/* Every child not stopped yet: a test that returns early (a failed REQUIRE)
 * leaves its children here, and the runner stops them at the end. */
static tt_proc *live_procs;

/* Children the runner stopped. They are not freed: a test's own clean-up
 * (an atexit handler, which runs after the runner) may still hold one and
 * stop it, and then finds it here instead of in freed memory. */
static tt_proc *stopped_procs;

static int list_remove(tt_proc **list, tt_proc *p)
{
    for (tt_proc **pp = list; *pp; pp = &(*pp)->next_live) {
        if (*pp == p) {
            *pp = p->next_live;
            return 1;
        }
    }
    return 0;
}

static int halt(tt_proc *p);

static int stop_leftovers(void)
{
    int n = 0;
    while (live_procs) {
        tt_proc *p = live_procs;
        live_procs = p->next_live;
        halt(p);
        p->next_live = stopped_procs;
        stopped_procs = p;
        n++;
    }
    return n;
}

pid_t tt_proc_pid(const tt_proc *p)
{
    return p->pid;
}

tt_proc *tt_spawn(const char *const argv[], const char *const env[], int flags, const char *out_path,
                  const char *err_path)
{
    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
    if ((flags & TT_PIPE_STDIN) && pipe(in_pipe) != 0)
        return NULL;
    if ((flags & TT_PIPE_STDOUT) && pipe(out_pipe) != 0)
        return NULL;
    tt_proc *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->in_fd = p->out_fd = -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        free(p);
        return NULL;
    }
    if (pid == 0) {
        setpgid(0, 0);
        if (flags & TT_PIPE_STDIN) {
            dup2(in_pipe[0], 0);
            close(in_pipe[0]);
            close(in_pipe[1]);
        } else {
            int fd = open("/dev/null", O_RDONLY);
            if (fd >= 0) {
                dup2(fd, 0);
                close(fd);
            }
        }
        if (flags & TT_PIPE_STDOUT) {
            dup2(out_pipe[1], 1);
            close(out_pipe[0]);
            close(out_pipe[1]);
        } else if (out_path) {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                close(fd);
            }
        }
        if (err_path) {
            int fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 2);
                close(fd);
            }
        }
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    p->pid = pid;
    p->next_live = live_procs;
    live_procs = p;
    if (flags & TT_PIPE_STDIN) {
        close(in_pipe[0]);
        p->in_fd = in_pipe[1];
    }
    if (flags & TT_PIPE_STDOUT) {
        close(out_pipe[1]);
        p->out_fd = out_pipe[0];
    }
    return p;
}

int tt_proc_write(tt_proc *p, const void *data, size_t len)
{
    const char *b = data;
    while (len > 0) {
        ssize_t w = write(p->in_fd, b, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        len -= (size_t)w;
    }
    return 0;
}

void tt_proc_close_stdin(tt_proc *p)
{
    if (p->in_fd >= 0) {
        close(p->in_fd);
        p->in_fd = -1;
    }
}

static int proc_readline(tt_proc *p, char *buf, size_t cap, int timeout_ms)
{
    long long end = tt_now_ms() + timeout_ms;
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->buf_len);
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            size_t c = n < cap - 1 ? n : cap - 1;
            memcpy(buf, p->buf, c);
            buf[c] = '\0';
            memmove(p->buf, nl + 1, p->buf_len - n - 1);
            p->buf_len -= n + 1;
            return (int)c;
        }
        if (p->out_fd < 0 || p->buf_len == sizeof p->buf)
            return -1;
        long long left = end - tt_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd pfd = {.fd = p->out_fd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t got = read(p->out_fd, p->buf + p->buf_len, sizeof p->buf - p->buf_len);
        if (got <= 0) {
            close(p->out_fd);
            p->out_fd = -1;
            if (p->buf_len == 0)
                return -1;
            /* return the unterminated tail as a line */
            p->buf[p->buf_len < sizeof p->buf ? p->buf_len : sizeof p->buf - 1] = '\n';
            p->buf_len++;
            continue;
        }
        p->buf_len += (size_t)got;
    }
}

int tt_proc_readline(tt_proc *p, char *buf, size_t cap, int timeout_ms)
{
    return proc_readline(p, buf, cap, tt_ms(timeout_ms));
}

int tt_proc_expect(tt_proc *p, const char *needle, char *buf, size_t cap, int timeout_ms)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    char line[8192];
    for (;;) {
        long long left = end - tt_now_ms();
        if (left <= 0)
            return -1;
        if (proc_readline(p, line, sizeof line, (int)left) < 0)
            return -1;
        if (strstr(line, needle)) {
            if (buf && cap) {
                snprintf(buf, cap, "%s", line);
            }
            return 0;
        }
    }
}

void tt_proc_kill(tt_proc *p, int sig)
{
    if (p && !p->exited)
        kill(-p->pid, sig);
}

static int decode_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

static int proc_wait(tt_proc *p, int timeout_ms)
{
    if (p->exited)
        return decode_status(p->status);
    long long end = tt_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            p->exited = 1;
            p->status = st;
            return decode_status(st);
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (tt_now_ms() >= end)
            return -1;
        tt_sleep_ms(5);
    }
}

int tt_proc_wait(tt_proc *p, int timeout_ms)
{
    return proc_wait(p, tt_ms(timeout_ms));
}

/* Stops p's process group (TERM, then KILL) unless it has exited, and closes
 * its pipes. Its exit status as tt_proc_wait gives it. */
static int halt(tt_proc *p)
{
    int rc = -1;
    if (!p->exited) {
        kill(-p->pid, SIGTERM);
        rc = proc_wait(p, tt_ms(3000));
        if (rc < 0) {
            kill(-p->pid, SIGKILL);
            rc = proc_wait(p, tt_ms(3000));
        }
    } else {
        rc = decode_status(p->status);
    }
    if (p->in_fd >= 0)
        close(p->in_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->in_fd = p->out_fd = -1;
    return rc;
}

int tt_proc_stop(tt_proc **pp)
{
    if (!pp || !*pp)
        return -1;
    tt_proc *p = *pp;
    if (!list_remove(&live_procs, p))
        list_remove(&stopped_procs, p);
    int rc = halt(p);
    free(p);
    *pp = NULL;
    return rc;
}

static char *drain_fd(int fd, int timeout_ms, int *timed_out)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    long long end = tt_now_ms() + timeout_ms;
    for (;;) {
        long long left = end - tt_now_ms();
        if (left <= 0) {
            *timed_out = 1;
            break;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *timed_out = 1;
            break;
        }
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}

int tt_run(const char *const argv[], const char *const env[], const char *stdin_data, int timeout_ms,
           char **out, char **err)
{
    char errtmpl[] = "/tmp/tote-stderr-XXXXXX";
    int errfd = mkstemp(errtmpl);
    if (errfd < 0)
        return -1;
    close(errfd);
    tt_proc *p = tt_spawn(argv, env, TT_PIPE_STDIN | TT_PIPE_STDOUT, NULL, errtmpl);
    if (!p) {
        unlink(errtmpl);
        return -1;
    }
    timeout_ms = tt_ms(timeout_ms);
    if (stdin_data)
        tt_proc_write(p, stdin_data, strlen(stdin_data));
    tt_proc_close_stdin(p);
    int timed_out = 0;
    char *o = drain_fd(p->out_fd, timeout_ms, &timed_out);
    int rc = timed_out ? -1 : proc_wait(p, timeout_ms);
    if (rc < 0) {
        tt_proc_kill(p, SIGKILL);
        proc_wait(p, tt_ms(2000));
        rc = -1;
    }
    tt_proc_stop(&p);
    if (out)
        *out = o;
    else
        free(o);
    char *e = tt_read_file(errtmpl, NULL);
    unlink(errtmpl);
    if (err)
        *err = e ? e : strdup("");
    else
        free(e);
    return rc;
}

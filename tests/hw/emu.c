/* Emulated scanners for hardware tests (the bed, the serial port and the SSI
 * persona; the USB HID POS scanner is in emu_usb.c); see emu.h. */
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>

#include "emu_internal.h"

emu_bed *emu_bed_new(void)
{
    emu_bed *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->tb = umockdev_testbed_new();
    if (!umockdev_in_mock_environment()) {
        fprintf(stderr, "emu: not running under umockdev-wrapper\n");
        g_object_unref(b->tb);
        free(b);
        return NULL;
    }
    b->next_usb_port = 1;
    b->next_devnum = 2;
    return b;
}

static void serial_free(emu_serial *s);

void emu_bed_free(emu_bed **bp)
{
    if (!bp || !*bp)
        return;
    emu_bed *b = *bp;
    for (int i = 0; i < b->nserials; i++)
        serial_free(b->serials[i]);
    for (int i = 0; i < b->nusbs; i++)
        emu_usb_free(b->usbs[i]);
    g_object_unref(b->tb);
    free(b);
    *bp = NULL;
}

/* ================= serial ================= */

struct emu_serial {
    emu_bed *b;
    uint16_t vid, pid;
    char serial[64];
    int port;     /* USB port number of the parent device */
    char tty[32]; /* current ttyACMn */
    char usbdir[128];
    int fd;         /* pty master, owned by the testbed */
    int modem_bits; /* TIOCM state */
    pthread_mutex_t mu;
    pthread_mutex_t wmu; /* one writer at a time: a frame is never split by another */
    UMockdevIoctlBase *handler;
};

static gboolean tty_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer data)
{
    emu_serial *s = data;
    (void)base;
    gulong req = umockdev_ioctl_client_get_request(client);
    if (req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC) {
        GError *err = NULL;
        UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(int), &err);
        if (!d) {
            g_clear_error(&err);
            umockdev_ioctl_client_complete(client, -1, EFAULT);
            return TRUE;
        }
        int *v = (int *)d->data;
        pthread_mutex_lock(&s->mu);
        if (req == TIOCMGET)
            *v = s->modem_bits;
        else if (req == TIOCMSET)
            s->modem_bits = *v;
        else if (req == TIOCMBIS)
            s->modem_bits |= *v;
        else
            s->modem_bits &= ~*v;
        pthread_mutex_unlock(&s->mu);
        g_object_unref(d);
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
    }
    int my_errno = 0;
    GError *err = NULL;
    int r = umockdev_ioctl_client_execute(client, &my_errno, &err);
    g_clear_error(&err);
    umockdev_ioctl_client_complete(client, r, my_errno);
    return TRUE;
}

static int serial_plug(emu_serial *s)
{
    emu_bed *b = s->b;
    snprintf(s->tty, sizeof s->tty, "ttyACM%d", b->next_acm++);
    snprintf(s->usbdir, sizeof s->usbdir, "/devices/pci0000:00/0000:00:14.0/usb2/2-%d", s->port);
    char desc[2048];
    snprintf(desc, sizeof desc,
             "P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nA: idVendor=%04x\nA: idProduct=%04x\n"
             "A: busnum=2\nA: devnum=%d\nA: serial=%s\nA: manufacturer=Emulated\nA: product=Emulated SSI "
             "scanner\n\n"
             "P: %s/2-%d:1.0\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nA: bInterfaceClass=02\n"
             "A: bInterfaceNumber=00\n\n"
             "P: %s/2-%d:1.0/tty/%s\nN: %s\nE: SUBSYSTEM=tty\nE: DEVNAME=/dev/%s\nA: dev=166:%d\n"
             "L: device=../../../2-%d:1.0\n",
             s->usbdir, s->vid, s->pid, b->next_devnum++, s->serial, s->usbdir, s->port, s->usbdir, s->port,
             s->tty, s->tty, s->tty, b->next_acm - 1, s->port);
    /* The ioctl socket listens before the device appears: a process that
     * finds the new device (e.g. a tote-handheld reopening it) and opens it
     * while the socket is bound but not yet listening is killed by
     * umockdev's preload ("Failed to connect to ioctl socket"). */
    char node[64];
    snprintf(node, sizeof node, "/dev/%s", s->tty);
    if (!s->handler) {
        s->handler = g_object_new(UMOCKDEV_TYPE_IOCTL_BASE, NULL);
        g_signal_connect(s->handler, "handle-ioctl", G_CALLBACK(tty_ioctl), s);
    }
    if (emu_attach(b, node, s->handler) != 0)
        return -1;
    if (emu_add_string(b, desc) != 0)
        return -1;
    s->fd = umockdev_testbed_get_dev_fd(b->tb, node);
    if (s->fd < 0)
        return -1;
    /* Only this process plays the scanner: a child (a tote-handheld under
     * test) holding a copy of the master would keep the line up after an
     * unplug. */
    fcntl(s->fd, F_SETFD, fcntl(s->fd, F_GETFD) | FD_CLOEXEC);
    /* /dev/serial/by-id/usb-Emulated_<serial>-if00 -> ../../ttyACMn, as udev makes it */
    char *root = umockdev_testbed_get_root_dir(b->tb);
    char dir[512], link[600], target[64];
    snprintf(dir, sizeof dir, "%s/dev/serial", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/dev/serial/by-id", root);
    mkdir(dir, 0755);
    snprintf(link, sizeof link, "%s/usb-Emulated_%s-if00", dir, s->serial);
    snprintf(target, sizeof target, "../../%s", s->tty);
    unlink(link);
    int rc = symlink(target, link);
    g_free(root);
    return rc == 0 ? 0 : -1;
}

emu_serial *emu_serial_add(emu_bed *b, const char *tty, uint16_t vid, uint16_t pid, const char *serial)
{
    if (!b || b->nserials == 64)
        return NULL;
    emu_serial *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->b = b;
    s->vid = vid;
    s->pid = pid;
    snprintf(s->serial, sizeof s->serial, "%s", serial ? serial : "EMU");
    s->port = 10 + b->nserials;
    s->modem_bits = TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->wmu, NULL);
    if (tty && strncmp(tty, "ttyACM", 6) == 0)
        b->next_acm = atoi(tty + 6);
    if (serial_plug(s) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    b->serials[b->nserials++] = s;
    return s;
}

static void serial_free(emu_serial *s)
{
    if (s->handler)
        g_object_unref(s->handler);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->wmu);
    free(s);
}

int emu_serial_fd(const emu_serial *s)
{
    return s->fd;
}

void emu_serial_unplug(emu_serial *s)
{
    char *root = umockdev_testbed_get_root_dir(s->b->tb);
    char p[512], pty[256];
    snprintf(p, sizeof p, "%s/dev/%s", root, s->tty);
    ssize_t n = readlink(p, pty, sizeof pty - 1);
    pty[n > 0 ? n : 0] = '\0';
    /* Hang up: replace the master by /dev/null under the same number (the
     * testbed still owns and closes that number). */
    int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (dn >= 0) {
        dup2(dn, s->fd);
        close(dn);
    }
    /* the pty number is free again: forget umockdev's map entry for it, or
     * the next emulated tty that gets it cannot be created */
    if (pty[0]) {
        for (char *c = pty; *c; c++)
            if (*c == '/')
                *c = '_';
        snprintf(p, sizeof p, "%s/dev/.ptymap/%s", root, pty);
        unlink(p);
    }
    snprintf(p, sizeof p, "/sys%s/2-%d:1.0/tty/%s", s->usbdir, s->port, s->tty);
    umockdev_testbed_remove_device(s->b->tb, p);
    snprintf(p, sizeof p, "/sys%s/2-%d:1.0", s->usbdir, s->port);
    umockdev_testbed_remove_device(s->b->tb, p);
    snprintf(p, sizeof p, "/sys%s", s->usbdir);
    umockdev_testbed_remove_device(s->b->tb, p);
    snprintf(p, sizeof p, "%s/dev/serial/by-id/usb-Emulated_%s-if00", root, s->serial);
    unlink(p);
    g_free(root);
}

int emu_serial_replug(emu_serial *s)
{
    return serial_plug(s);
}

static int raw_write(emu_serial *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(s->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int emu_serial_write(emu_serial *s, const void *buf, size_t len)
{
    pthread_mutex_lock(&s->wmu);
    int rc = raw_write(s, buf, len);
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

/* ================= SSI persona ================= */

#define LOG_MAX 256

struct emu_ssi {
    emu_serial *s;
    pthread_t thread;
    atomic_int stop;
    atomic_int auto_ack;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tote_ssi_frame log[LOG_MAX];
    long long log_ns[LOG_MAX]; /* CLOCK_MONOTONIC when each frame's last byte was read */
    int nlog;
    int wakeups;
    int bad;
    tote_ssi_parser parser;
};

static void *ssi_main(void *arg)
{
    emu_ssi *z = arg;
    uint8_t buf[512];
    while (!atomic_load(&z->stop)) {
        struct pollfd pfd = {.fd = z->s->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 20);
        if (pr <= 0)
            continue;
        if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            if (!(pfd.revents & POLLIN)) {
                usleep(20000); /* no host attached: wait for one */
                continue;
            }
        }
        ssize_t n = read(z->s->fd, buf, sizeof buf);
        if (n <= 0) {
            usleep(5000);
            continue;
        }
        struct timespec rt;
        clock_gettime(CLOCK_MONOTONIC, &rt);
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == 0x00 && tote_ssi_parser_pending(&z->parser) == 0) {
                pthread_mutex_lock(&z->mu);
                z->wakeups++;
                pthread_mutex_unlock(&z->mu);
                continue;
            }
            tote_ssi_frame f;
            tote_proto_err e;
            tote_ssi_parser_feed(&z->parser, buf + i, 1, &f, &e);
            if (e == TOTE_PROTO_E_INCOMPLETE)
                continue;
            /* answer first, then log: a test that saw the frame may write
             * at once, and the answer is already out */
            if (e == TOTE_PROTO_E_OK && f.opcode != TOTE_SSI_CMD_ACK && f.opcode != TOTE_SSI_CMD_NAK &&
                atomic_load(&z->auto_ack)) {
                uint8_t ack[8];
                size_t an = tote_ssi_build_ack(TOTE_SSI_SRC_DECODER, ack, sizeof ack);
                emu_serial_write(z->s, ack, an);
            }
            pthread_mutex_lock(&z->mu);
            if (e == TOTE_PROTO_E_CHECKSUM)
                z->bad++;
            else if (z->nlog < LOG_MAX) {
                z->log_ns[z->nlog] = (long long)rt.tv_sec * 1000000000LL + rt.tv_nsec;
                z->log[z->nlog++] = f;
            }
            pthread_cond_broadcast(&z->cv);
            pthread_mutex_unlock(&z->mu);
        }
    }
    return NULL;
}

emu_ssi *emu_ssi_start(emu_serial *s)
{
    emu_ssi *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->s = s;
    atomic_store(&z->auto_ack, 1);
    pthread_mutex_init(&z->mu, NULL);
    pthread_cond_init(&z->cv, NULL);
    tote_ssi_parser_init(&z->parser);
    if (pthread_create(&z->thread, NULL, ssi_main, z) != 0) {
        free(z);
        return NULL;
    }
    return z;
}

void emu_ssi_stop(emu_ssi **zp)
{
    if (!zp || !*zp)
        return;
    emu_ssi *z = *zp;
    atomic_store(&z->stop, 1);
    pthread_join(z->thread, NULL);
    pthread_mutex_destroy(&z->mu);
    pthread_cond_destroy(&z->cv);
    free(z);
    *zp = NULL;
}

void emu_ssi_auto_ack(emu_ssi *z, int on)
{
    atomic_store(&z->auto_ack, on);
}

int emu_ssi_expect(emu_ssi *z, uint8_t opcode, tote_ssi_frame *f, int timeout_ms)
{
    return emu_ssi_expect_at(z, opcode, f, timeout_ms, NULL);
}

int emu_ssi_expect_at(emu_ssi *z, uint8_t opcode, tote_ssi_frame *f, int timeout_ms, long long *read_ns)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&z->mu);
    for (;;) {
        for (int i = 0; i < z->nlog; i++) {
            if (opcode && z->log[i].opcode != opcode)
                continue;
            if (f)
                *f = z->log[i];
            if (read_ns)
                *read_ns = z->log_ns[i];
            memmove(&z->log[i], &z->log[i + 1], (size_t)(z->nlog - i - 1) * sizeof z->log[0]);
            memmove(&z->log_ns[i], &z->log_ns[i + 1], (size_t)(z->nlog - i - 1) * sizeof z->log_ns[0]);
            z->nlog--;
            pthread_mutex_unlock(&z->mu);
            return 0;
        }
        if (pthread_cond_timedwait(&z->cv, &z->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&z->mu);
            return -1;
        }
    }
}

int emu_ssi_count(emu_ssi *z, uint8_t opcode)
{
    pthread_mutex_lock(&z->mu);
    int n = 0;
    for (int i = 0; i < z->nlog; i++)
        n += !opcode || z->log[i].opcode == opcode;
    pthread_mutex_unlock(&z->mu);
    return n;
}

void emu_ssi_clear(emu_ssi *z)
{
    pthread_mutex_lock(&z->mu);
    z->nlog = 0;
    pthread_mutex_unlock(&z->mu);
}

int emu_ssi_wakeups(emu_ssi *z)
{
    pthread_mutex_lock(&z->mu);
    int n = z->wakeups;
    pthread_mutex_unlock(&z->mu);
    return n;
}

int emu_ssi_bad_frames(emu_ssi *z)
{
    pthread_mutex_lock(&z->mu);
    int n = z->bad;
    pthread_mutex_unlock(&z->mu);
    return n;
}

int emu_ssi_write(emu_ssi *z, const void *buf, size_t len)
{
    return emu_serial_write(z->s, buf, len);
}

int emu_ssi_send_barcode(emu_ssi *z, uint8_t type, const void *data, size_t len, size_t per_packet,
                         size_t chunk)
{
    const uint8_t *d = data;
    size_t max = TOTE_SSI_MAX_DATA - 1;
    if (per_packet == 0 || per_packet > max)
        per_packet = max;
    static uint8_t out[64 * 1024];
    size_t total = 0, off = 0;
    do {
        size_t n = len - off < per_packet ? len - off : per_packet;
        uint8_t status = off + n < len ? TOTE_SSI_ST_CONTINUED : 0;
        if (total + TOTE_SSI_MAX_FRAME > sizeof out)
            return -1;
        size_t fl = tote_ssi_build_decode_data(type, status, d + off, n, out + total, sizeof out - total);
        if (!fl)
            return -1;
        total += fl;
        off += n;
    } while (off < len);
    if (chunk == 0)
        return emu_serial_write(z->s, out, total);
    int rc = 0;
    pthread_mutex_lock(&z->s->wmu);
    for (size_t p = 0; p < total && rc == 0; p += chunk) {
        size_t n = total - p < chunk ? total - p : chunk;
        rc = raw_write(z->s, out + p, n);
        usleep(2000); /* let the host see separate reads */
    }
    pthread_mutex_unlock(&z->s->wmu);
    return rc;
}

/* Emulated USB HID POS scanners for hardware tests; see emu.h. */
#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#include "emu_internal.h"
#include "tote/hidpos.h"

/* ================= USB HID POS ================= */

#define REPORTQ_MAX 512
#define URB_MAX 16

typedef struct urb_slot {
    UMockdevIoctlData *urb; /* client's struct usbdevfs_urb (resolved, with buffer) */
    UMockdevIoctlData *buf;
    int used;
} urb_slot;

struct emu_usb {
    emu_bed *b;
    uint16_t vid, pid;
    char serial[64];
    int port;
    int devnum;
    char devdir[128];
    char node[64];
    pthread_mutex_t mu;
    int gone;
    int claimed;
    int keyboard; /* a scanner left in HID keyboard mode: not usage page 0x8C */
    uint8_t reports[REPORTQ_MAX][64];
    int rhead, rcount;
    urb_slot in[URB_MAX]; /* interrupt IN URBs waiting for data */
    int nin;
    urb_slot done[URB_MAX]; /* completed, to be reaped */
    int ndone;
    UMockdevIoctlBase *handler;
};

static const uint8_t report_desc[] = {
    0x05, 0x8C,       /* Usage Page (Bar Code Scanner) */
    0x09, 0x02,       /* Usage (Bar Code Scanner) */
    0xA1, 0x01,       /* Collection (Application) */
    0x85, 0x02,       /*   Report ID 2 */
    0x15, 0x00,       /*   Logical Minimum 0 */
    0x26, 0xFF, 0x00, /*   Logical Maximum 255 */
    0x75, 0x08,       /*   Report Size 8 */
    0x95, 0x3F,       /*   Report Count 63 */
    0x09, 0xFE,       /*   Usage (Decoded Data) */
    0x81, 0x02,       /*   Input (Data, Var, Abs) */
    0xC0              /* End Collection */
};

static const uint8_t keyboard_desc[] = {
    0x05, 0x01, /* Usage Page (Generic Desktop) */
    0x09, 0x06, /* Usage (Keyboard) */
    0xA1, 0x01, /* Collection (Application) */
    0x05, 0x07, /*   Usage Page (Keyboard) */
    0x19, 0x00, 0x29, 0x65, 0x15, 0x00, 0x25, 0x65,
    0x75, 0x08, 0x95, 0x06, 0x81, 0x00, 0xC0 /* End Collection */
};

/* device (18) + configuration (9) + interface (9) + HID (9) + endpoint (7) */
static size_t usb_descriptors(const emu_usb *u, uint8_t *d)
{
    const uint8_t dev[18] = {18,
                             1,
                             0x00,
                             0x02,
                             0,
                             0,
                             0,
                             64,
                             (uint8_t)(u->vid & 0xFF),
                             (uint8_t)(u->vid >> 8),
                             (uint8_t)(u->pid & 0xFF),
                             (uint8_t)(u->pid >> 8),
                             0x00,
                             0x01,
                             1,
                             2,
                             3,
                             1};
    const uint8_t cfg[9] = {9, 2, 34, 0, 1, 1, 0, 0x80, 50};
    const uint8_t itf[9] = {9, 4, 0, 0, 1, 3, 0, 0, 0};
    const uint8_t hid[9] = {9, 0x21, 0x11, 0x01,
                            0, 1,    0x22, (uint8_t)(u->keyboard ? sizeof keyboard_desc : sizeof report_desc),
                            0};
    const uint8_t ep[7] = {7, 5, 0x81, 0x03, 64, 0, 1};
    size_t n = 0;
    memcpy(d + n, dev, sizeof dev), n += sizeof dev;
    memcpy(d + n, cfg, sizeof cfg), n += sizeof cfg;
    memcpy(d + n, itf, sizeof itf), n += sizeof itf;
    memcpy(d + n, hid, sizeof hid), n += sizeof hid;
    memcpy(d + n, ep, sizeof ep), n += sizeof ep;
    return n;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", d[i]);
    out[2 * n] = '\0';
}

/* String descriptor index -> text */
static const char *usb_string(const emu_usb *u, int idx)
{
    switch (idx) {
    case 1:
        return "Emulated";
    case 2:
        return "Emulated HID POS scanner";
    case 3:
        return u->serial;
    }
    return NULL;
}

/* Answers a control URB: returns the data stage length, or -1 to stall. */
static int control(emu_usb *u, uint8_t *b, int buflen)
{
    if (buflen < 8)
        return -1;
    uint8_t rt = b[0], req = b[1];
    uint16_t val = (uint16_t)(b[2] | b[3] << 8), wlen = (uint16_t)(b[6] | b[7] << 8);
    uint8_t *out = b + 8;
    int cap = buflen - 8 < wlen ? buflen - 8 : wlen;
    uint8_t tmp[512];
    int n = -1;
    if (req == 0x06 && (rt & 0x80)) { /* GET_DESCRIPTOR */
        uint8_t type = (uint8_t)(val >> 8), idx = (uint8_t)(val & 0xFF);
        if (type == 0x22 && (rt & 0x1F) == 1 && u->keyboard) {
            memcpy(tmp, keyboard_desc, sizeof keyboard_desc);
            n = (int)sizeof keyboard_desc;
        } else if (type == 0x22 && (rt & 0x1F) == 1) {
            memcpy(tmp, report_desc, sizeof report_desc);
            n = (int)sizeof report_desc;
        } else if (type == 1 || type == 2) {
            uint8_t all[128];
            size_t an = usb_descriptors(u, all);
            if (type == 1) {
                memcpy(tmp, all, 18);
                n = 18;
            } else {
                memcpy(tmp, all + 18, an - 18);
                n = (int)(an - 18);
            }
        } else if (type == 3) {
            if (idx == 0) {
                const uint8_t langs[4] = {4, 3, 0x09, 0x04};
                memcpy(tmp, langs, 4);
                n = 4;
            } else if (usb_string(u, idx)) {
                const char *s = usb_string(u, idx);
                size_t sl = strlen(s);
                tmp[0] = (uint8_t)(2 + 2 * sl);
                tmp[1] = 3;
                for (size_t i = 0; i < sl; i++) {
                    tmp[2 + 2 * i] = (uint8_t)s[i];
                    tmp[3 + 2 * i] = 0;
                }
                n = (int)(2 + 2 * sl);
            }
        }
    } else if (!(rt & 0x80)) {
        n = 0; /* SET_IDLE, SET_REPORT, ...: accept */
    }
    if (n < 0)
        return -1;
    if (n > cap)
        n = cap;
    memcpy(out, tmp, (size_t)n);
    return n;
}

static void slot_release(urb_slot *s)
{
    if (s->buf)
        g_object_unref(s->buf);
    if (s->urb)
        g_object_unref(s->urb);
    memset(s, 0, sizeof *s);
}

/* Moves a completed URB into the done list (mu held). */
static void urb_done(emu_usb *u, urb_slot s, int status, int actual)
{
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)s.urb->data;
    urb->status = status;
    urb->actual_length = actual;
    if (u->ndone < URB_MAX)
        u->done[u->ndone++] = s;
    else
        slot_release(&s);
}

/* Feeds queued reports into waiting IN URBs (mu held). */
static void usb_pump(emu_usb *u)
{
    while (u->nin > 0 && u->rcount > 0) {
        urb_slot s = u->in[0];
        memmove(&u->in[0], &u->in[1], (size_t)(u->nin - 1) * sizeof u->in[0]);
        u->nin--;
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)s.urb->data;
        int n = urb->buffer_length < 64 ? urb->buffer_length : 64;
        memcpy(s.buf->data, u->reports[u->rhead], (size_t)n);
        u->rhead = (u->rhead + 1) % REPORTQ_MAX;
        u->rcount--;
        urb_done(u, s, 0, n);
    }
}

static gboolean usb_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer data)
{
    emu_usb *u = data;
    (void)base;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;
    long ret = 0;
    int my_errno = 0;

    pthread_mutex_lock(&u->mu);
    int gone = u->gone;
    int reapable = u->ndone > 0;
    pthread_mutex_unlock(&u->mu);
    /* Unplugged: like the kernel, every call fails with ENODEV, except that
     * the URBs killed by the disconnect can still be reaped (status
     * -ESHUTDOWN), which is how libusb learns the device is gone. */
    if (gone && !((req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) && reapable)) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        return TRUE;
    }

    if (req == USBDEVFS_GET_CAPABILITIES) {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &err);
        if (d) {
            *(uint32_t *)d->data = 0;
            g_object_unref(d);
        }
    } else if (req == USBDEVFS_GETDRIVER || req == USBDEVFS_IOCTL) {
        ret = -1;
        my_errno = ENODATA; /* no kernel driver bound */
    } else if (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_RELEASEINTERFACE) {
        pthread_mutex_lock(&u->mu);
        u->claimed = req == USBDEVFS_CLAIMINTERFACE;
        pthread_mutex_unlock(&u->mu);
    } else if (req == USBDEVFS_SETINTERFACE || req == USBDEVFS_SETCONFIGURATION ||
               req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP) {
        /* accept */
    } else if (req == USBDEVFS_GET_SPEED) {
        ret = 2; /* USB_SPEED_FULL */
    } else if (req == USBDEVFS_SUBMITURB) {
        urb_slot s = {0};
        s.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
        struct usbdevfs_urb *urb = s.urb ? (struct usbdevfs_urb *)s.urb->data : NULL;
        if (urb && urb->buffer_length > 0)
            s.buf = umockdev_ioctl_data_resolve(s.urb, offsetof(struct usbdevfs_urb, buffer),
                                                (gsize)urb->buffer_length, &err);
        if (!urb || (urb->buffer_length > 0 && !s.buf)) {
            slot_release(&s);
            ret = -1;
            my_errno = EFAULT;
        } else if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
            int n = control(u, s.buf->data, urb->buffer_length);
            pthread_mutex_lock(&u->mu);
            urb_done(u, s, n < 0 ? -EPIPE : 0, n < 0 ? 0 : n);
            pthread_mutex_unlock(&u->mu);
        } else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == 0x81) {
            pthread_mutex_lock(&u->mu);
            if (u->nin < URB_MAX) {
                u->in[u->nin++] = s;
                usb_pump(u);
            } else {
                slot_release(&s);
                ret = -1;
                my_errno = ENOMEM;
            }
            pthread_mutex_unlock(&u->mu);
        } else {
            slot_release(&s);
            ret = -1;
            my_errno = EINVAL;
        }
    } else if (req == USBDEVFS_DISCARDURB) {
        /* arg is the URB's address itself */
        gulong addr = *(gulong *)arg->data;
        ret = -1;
        my_errno = EINVAL;
        pthread_mutex_lock(&u->mu);
        for (int i = 0; i < u->nin; i++) {
            if (u->in[i].urb->client_addr != addr)
                continue;
            urb_slot s = u->in[i];
            memmove(&u->in[i], &u->in[i + 1], (size_t)(u->nin - i - 1) * sizeof u->in[0]);
            u->nin--;
            urb_done(u, s, -ENOENT, 0);
            ret = 0;
            my_errno = 0;
            break;
        }
        pthread_mutex_unlock(&u->mu);
    } else if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) {
        pthread_mutex_lock(&u->mu);
        usb_pump(u);
        if (u->ndone == 0) {
            ret = -1;
            my_errno = EAGAIN;
            pthread_mutex_unlock(&u->mu);
        } else {
            urb_slot s = u->done[0];
            memmove(&u->done[0], &u->done[1], (size_t)(u->ndone - 1) * sizeof u->done[0]);
            u->ndone--;
            pthread_mutex_unlock(&u->mu);
            UMockdevIoctlData *pp = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);
            if (pp) {
                umockdev_ioctl_data_set_ptr(pp, 0, s.urb);
                g_object_unref(pp);
            } else {
                ret = -1;
                my_errno = EFAULT;
            }
            /* the client holds the URB now; our references go (the data
             * objects live on inside pp's tree until the reply is flushed) */
            slot_release(&s);
        }
    } else {
        ret = -1;
        my_errno = ENOTTY;
    }
    g_clear_error(&err);
    umockdev_ioctl_client_complete(client, ret, my_errno);
    return TRUE;
}

static void usb_drop_urbs(emu_usb *u);
static emu_usb *emu_usb_add_mode(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial, int keyboard);

static int usb_plug(emu_usb *u)
{
    emu_bed *b = u->b;
    u->devnum = b->next_devnum++;
    snprintf(u->devdir, sizeof u->devdir, "/devices/pci0000:00/0000:00:14.0/usb1/1-%d", u->port);
    snprintf(u->node, sizeof u->node, "/dev/bus/usb/001/%03d", u->devnum);
    uint8_t d[128];
    size_t n = usb_descriptors(u, d);
    char h[300];
    hex(d, n, h);
    char desc[4096];
    snprintf(
        desc, sizeof desc,
        "P: %s\nN: bus/usb/001/%03d=%s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: "
        "DEVNAME=/dev/bus/usb/001/%03d\n"
        "E: BUSNUM=001\nE: DEVNUM=%03d\nE: PRODUCT=%x/%x/100\n"
        "A: busnum=1\nA: devnum=%d\nA: idVendor=%04x\nA: idProduct=%04x\nA: bConfigurationValue=1\n"
        "A: bNumConfigurations=1\nA: bNumInterfaces= 1\nA: speed=12\nA: serial=%s\nA: manufacturer=Emulated\n"
        "A: product=Emulated HID POS scanner\nA: dev=189:%d\nH: descriptors=%s\n\n"
        "P: %s/1-%d:1.0\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nA: bInterfaceClass=03\n"
        "A: bInterfaceSubClass=00\nA: bInterfaceProtocol=00\nA: bInterfaceNumber=00\nA: bNumEndpoints=01\n",
        u->devdir, u->devnum, h, u->devnum, u->devnum, u->vid, u->pid, u->devnum, u->vid, u->pid, u->serial,
        u->devnum - 1, h, u->devdir, u->port);
    if (!u->handler) {
        u->handler = g_object_new(UMOCKDEV_TYPE_IOCTL_BASE, NULL);
        g_signal_connect(u->handler, "handle-ioctl", G_CALLBACK(usb_ioctl), u);
    }
    pthread_mutex_lock(&u->mu);
    usb_drop_urbs(u); /* URBs of the old connection nobody reaped */
    u->gone = 0;
    u->claimed = 0;
    pthread_mutex_unlock(&u->mu);
    /* listening before the device appears (see serial_plug) */
    if (emu_attach(b, u->node, u->handler) != 0)
        return -1;
    if (emu_add_string(b, desc) != 0)
        return -1;
    char sys[200];
    snprintf(sys, sizeof sys, "/sys%s", u->devdir);
    umockdev_testbed_uevent(b->tb, sys, "add");
    return 0;
}

emu_usb *emu_usb_add_keyboard(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial)
{
    return emu_usb_add_mode(b, vid, pid, serial, 1);
}

emu_usb *emu_usb_add(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial)
{
    return emu_usb_add_mode(b, vid, pid, serial, 0);
}

static emu_usb *emu_usb_add_mode(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial, int keyboard)
{
    if (!b || b->nusbs == 64)
        return NULL;
    emu_usb *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->b = b;
    u->vid = vid;
    u->pid = pid;
    snprintf(u->serial, sizeof u->serial, "%s", serial ? serial : "EMU");
    u->port = b->next_usb_port++;
    u->keyboard = keyboard;
    pthread_mutex_init(&u->mu, NULL);
    if (usb_plug(u) != 0) {
        pthread_mutex_destroy(&u->mu);
        free(u);
        return NULL;
    }
    b->usbs[b->nusbs++] = u;
    return u;
}

static void usb_drop_urbs(emu_usb *u)
{
    for (int i = 0; i < u->nin; i++)
        slot_release(&u->in[i]);
    for (int i = 0; i < u->ndone; i++)
        slot_release(&u->done[i]);
    u->nin = u->ndone = 0;
}

void emu_usb_free(emu_usb *u)
{
    pthread_mutex_lock(&u->mu);
    usb_drop_urbs(u);
    pthread_mutex_unlock(&u->mu);
    if (u->handler)
        g_object_unref(u->handler);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

int emu_usb_report(emu_usb *u, const uint8_t report[64])
{
    pthread_mutex_lock(&u->mu);
    int ok = u->rcount < REPORTQ_MAX;
    if (ok) {
        memcpy(u->reports[(u->rhead + u->rcount) % REPORTQ_MAX], report, 64);
        u->rcount++;
    }
    pthread_mutex_unlock(&u->mu);
    return ok ? 0 : -1;
}

int emu_usb_scan(emu_usb *u, const char *aim, const void *data, size_t len)
{
    const uint8_t *d = data;
    size_t off = 0;
    do {
        size_t n = len - off < TOTE_HIDPOS_DATA_MAX ? len - off : TOTE_HIDPOS_DATA_MAX;
        uint8_t r[64];
        if (tote_hidpos_encode(aim, d + off, n, 0, off + n < len, r) != TOTE_PROTO_E_OK)
            return -1;
        if (emu_usb_report(u, r) != 0)
            return -1;
        off += n;
    } while (off < len);
    return 0;
}

int emu_usb_pending(emu_usb *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->rcount;
    pthread_mutex_unlock(&u->mu);
    return n;
}

int emu_usb_claimed(emu_usb *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->claimed;
    pthread_mutex_unlock(&u->mu);
    return n;
}

int emu_usb_in_urbs(emu_usb *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->nin;
    pthread_mutex_unlock(&u->mu);
    return n;
}

void emu_usb_unplug(emu_usb *u)
{
    pthread_mutex_lock(&u->mu);
    u->gone = 1;
    u->claimed = 0;
    u->rcount = 0;
    while (u->nin > 0) /* killed by the disconnect */
        urb_done(u, u->in[--u->nin], -ESHUTDOWN, 0);
    pthread_mutex_unlock(&u->mu);
    char sys[200];
    snprintf(sys, sizeof sys, "/sys%s", u->devdir);
    umockdev_testbed_uevent(u->b->tb, sys, "remove");
    char p[256];
    snprintf(p, sizeof p, "/sys%s/1-%d:1.0", u->devdir, u->port);
    umockdev_testbed_remove_device(u->b->tb, p);
    umockdev_testbed_remove_device(u->b->tb, sys);
}

int emu_usb_replug(emu_usb *u)
{
    return usb_plug(u);
}

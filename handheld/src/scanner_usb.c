/*
 * USB HID POS scanners (usage page 0x8C) through libusb-1.0, PROTOCOLS.md §2.
 *
 * One I/O thread per scanner with its own libusb context: finds the device
 * (by VID:PID, or the first HID interface whose report descriptor declares
 * usage page 0x8C), claims the interface (detaching a kernel driver only when
 * one is bound), keeps two interrupt IN transfers in flight, reassembles
 * continued reports, and hands scans over through the scanq. An unplug
 * (transfer NO_DEVICE, or a hotplug LEFT event) yields one DISCONNECTED;
 * the thread then looks for the device again every reopen_ms (and at once on
 * a hotplug ARRIVED event).
 *
 * Finding the report descriptor without disturbing other devices: when a
 * kernel driver (usbhid) is bound, it is read from sysfs
 * (/sys/bus/usb/devices/B-P:C.I/XXXX:VVVV:PPPP.NNNN/report_descriptor);
 * a kernel driver is never detached from a device just to look at it. When no
 * driver is bound, the interface is claimed and the descriptor fetched with
 * GET_DESCRIPTOR(Report).
 *
 * Feedback: HID POS output reports (beeper/LED) differ between vendors and
 * are not driven; tote_scanner_feedback() returns OK without effect.
 */
#include <dirent.h>
#include <libusb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "scanner_internal.h"
#include "tote/hidpos.h"

#define NXFER 2
#define WHY_NOT_POS 1 /* a HID interface that is not HID POS (keyboard mode?) */

typedef struct usb_impl {
    tote_scanner *sc;
    tote_scanner_cfg cfg;
    tote_scanq q;
    pthread_t thread;
    int thread_started;
    atomic_int stop;
    libusb_context *ctx;
    libusb_hotplug_callback_handle hotplug;
    int have_hotplug;
    int arrived; /* hotplug: something arrived (I/O thread only) */
    int left;    /* hotplug: our device left */

    pthread_mutex_t mu;
    int connected;

    /* I/O thread only */
    libusb_device_handle *h;
    libusb_device *dev;
    int iface;
    int detached; /* we detached a kernel driver from iface */
    uint8_t ep_in;
    struct libusb_transfer *xfer[NXFER];
    uint8_t buf[NXFER][TOTE_HIDPOS_REPORT_SIZE];
    int active[NXFER];
    int gone;
    uint16_t vid, pid;
    tote_hidpos_assembler assembler;
} usb_impl;

/* ---- report descriptors ---- */

/* sysfs name of an interface: "1-1.4:1.0" */
static int iface_sysname(libusb_device *dev, int cfgval, int ifnum, char *out, size_t cap)
{
    uint8_t ports[8];
    int n = libusb_get_port_numbers(dev, ports, sizeof ports);
    if (n <= 0)
        return -1;
    int w = snprintf(out, cap, "%d-", libusb_get_bus_number(dev));
    for (int i = 0; i < n && w > 0 && (size_t)w < cap; i++)
        w += snprintf(out + w, cap - (size_t)w, i ? ".%d" : "%d", ports[i]);
    if (w <= 0 || (size_t)w >= cap)
        return -1;
    w += snprintf(out + w, cap - (size_t)w, ":%d.%d", cfgval, ifnum);
    return (size_t)w < cap ? 0 : -1;
}

/* Usage page 0x8C per the sysfs report descriptor of a bound HID driver:
 * 1 yes, 0 no, -1 unknown (no such file). */
static int sysfs_is_pos(libusb_device *dev, int cfgval, int ifnum)
{
    char name[64], dir[160];
    if (iface_sysname(dev, cfgval, ifnum, name, sizeof name) != 0)
        return -1;
    snprintf(dir, sizeof dir, "/sys/bus/usb/devices/%s", name);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int result = -1;
    struct dirent *e;
    while (result < 0 && (e = readdir(d))) {
        if (strlen(e->d_name) != 19 || e->d_name[4] != ':' || e->d_name[9] != ':' || e->d_name[14] != '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%.160s/%.19s/report_descriptor", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t desc[4096];
        size_t n = fread(desc, 1, sizeof desc, f);
        fclose(f);
        result = tote_hidpos_descriptor_is_pos(desc, n);
    }
    closedir(d);
    return result;
}

/* GET_DESCRIPTOR(Report) on a claimed interface: 1 POS, 0 not, -1 failed. */
static int control_is_pos(libusb_device_handle *h, int ifnum)
{
    uint8_t desc[1024];
    int n = libusb_control_transfer(
        h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD | LIBUSB_RECIPIENT_INTERFACE,
        LIBUSB_REQUEST_GET_DESCRIPTOR, (uint16_t)(0x22 << 8), (uint16_t)ifnum, desc, sizeof desc, 1000);
    if (n <= 0)
        return -1;
    return tote_hidpos_descriptor_is_pos(desc, (size_t)n);
}

/* The interrupt IN endpoint of a HID interface (altsetting 0), or 0. */
static uint8_t hid_in_endpoint(const struct libusb_interface *itf)
{
    if (itf->num_altsetting < 1)
        return 0;
    const struct libusb_interface_descriptor *alt = &itf->altsetting[0];
    if (alt->bInterfaceClass != LIBUSB_CLASS_HID)
        return 0;
    for (int e = 0; e < alt->bNumEndpoints; e++) {
        const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
        if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
            (ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) == LIBUSB_TRANSFER_TYPE_INTERRUPT)
            return ep->bEndpointAddress;
    }
    return 0;
}

/* ---- transfers (callbacks run inside libusb_handle_events, I/O thread) ---- */

static int xfer_index(usb_impl *im, struct libusb_transfer *t)
{
    for (int i = 0; i < NXFER; i++)
        if (im->xfer[i] == t)
            return i;
    return 0;
}

static void report_in(usb_impl *im, const uint8_t *buf, int len)
{
    tote_hidpos_report r;
    tote_proto_err e = tote_hidpos_decode(buf, (size_t)len, &r);
    if (e == TOTE_PROTO_E_TYPE)
        return; /* another report of the device: not a scan */
    if (e != TOTE_PROTO_E_OK) {
        tote_hidpos_asm_reset(&im->assembler);
        tote_scanq_push(&im->q, TOTE_HH_E_PROTOCOL, NULL, NULL, 0);
        return;
    }
    tote_hidpos_barcode bc;
    e = tote_hidpos_asm_add(&im->assembler, &r, &bc);
    if (e == TOTE_PROTO_E_OK)
        tote_scanq_push(&im->q, TOTE_HH_E_OK, bc.aim, bc.data, bc.len);
    else if (e == TOTE_PROTO_E_TOO_LONG)
        tote_scanq_push(&im->q, TOTE_HH_E_PROTOCOL, NULL, NULL, 0);
}

static void LIBUSB_CALL xfer_cb(struct libusb_transfer *t)
{
    usb_impl *im = t->user_data;
    int i = xfer_index(im, t);
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED:
        report_in(im, t->buffer, t->actual_length);
        break;
    case LIBUSB_TRANSFER_TIMED_OUT:
        break;
    case LIBUSB_TRANSFER_CANCELLED:
        im->active[i] = 0;
        return;
    case LIBUSB_TRANSFER_NO_DEVICE:
    default: /* ERROR, STALL, OVERFLOW: reopen from scratch */
        im->active[i] = 0;
        im->gone = 1;
        return;
    }
    if (im->gone || atomic_load(&im->stop) || libusb_submit_transfer(t) != 0) {
        im->active[i] = 0;
        im->gone = 1;
    }
}

static int LIBUSB_CALL hotplug_cb(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev,
                                  void *user)
{
    usb_impl *im = user;
    (void)ctx;
    if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
        im->arrived = 1;
    else if (im->dev && dev == im->dev)
        im->left = 1;
    return 0;
}

/* ---- open / close (I/O thread) ---- */

static void set_connected(usb_impl *im, int on)
{
    pthread_mutex_lock(&im->mu);
    im->connected = on;
    pthread_mutex_unlock(&im->mu);
}

static void release_iface(usb_impl *im)
{
    if (!im->h)
        return;
    libusb_release_interface(im->h, im->iface);
    if (im->detached)
        libusb_attach_kernel_driver(im->h, im->iface);
    im->detached = 0;
}

static void teardown(usb_impl *im)
{
    for (int i = 0; i < NXFER; i++)
        if (im->xfer[i] && im->active[i])
            libusb_cancel_transfer(im->xfer[i]);
    int64_t end = tote_scanner_now_ms() + 1000;
    for (;;) {
        int busy = 0;
        for (int i = 0; i < NXFER; i++)
            busy |= im->active[i];
        if (!busy || tote_scanner_now_ms() > end)
            break;
        struct timeval tv = {0, 50000};
        libusb_handle_events_timeout_completed(im->ctx, &tv, NULL);
    }
    for (int i = 0; i < NXFER; i++) {
        if (im->xfer[i] && !im->active[i])
            libusb_free_transfer(im->xfer[i]);
        /* a transfer still active after 1 s is leaked rather than freed under libusb */
        im->xfer[i] = NULL;
        im->active[i] = 0;
    }
    release_iface(im);
    if (im->h)
        libusb_close(im->h);
    im->h = NULL;
    if (im->dev)
        libusb_unref_device(im->dev);
    im->dev = NULL;
    im->gone = 0;
    im->left = 0;
    tote_hidpos_asm_reset(&im->assembler);
}

/* Claims ifnum on h (detaching a bound kernel driver). 0 or libusb error. */
static int claim(usb_impl *im, libusb_device_handle *h, int ifnum)
{
    im->detached = 0;
    if (libusb_kernel_driver_active(h, ifnum) == 1) {
        int r = libusb_detach_kernel_driver(h, ifnum);
        if (r != 0)
            return r;
        im->detached = 1;
    }
    int r = libusb_claim_interface(h, ifnum);
    if (r != 0 && im->detached) {
        libusb_attach_kernel_driver(h, ifnum);
        im->detached = 0;
    }
    return r;
}

/* Tries one device; 0 when it is open, claimed and ours. *why gets the
 * libusb error that stopped us, if any. */
static int try_device(usb_impl *im, libusb_device *dev, const struct libusb_device_descriptor *dd, int *why)
{
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) != 0)
        return -1;
    int explicit_id = im->cfg.have_vidpid;
    int known = tote_scanner_known_lookup(dd->idVendor, dd->idProduct) != NULL;
    int rc = -1;
    for (int i = 0; i < cfg->bNumInterfaces && rc != 0; i++) {
        uint8_t ep = hid_in_endpoint(&cfg->interface[i]);
        if (!ep)
            continue;
        int ifnum = cfg->interface[i].altsetting[0].bInterfaceNumber;
        int pos = sysfs_is_pos(dev, cfg->bConfigurationValue, ifnum);
        if (pos == 0 && explicit_id)
            *why = WHY_NOT_POS;
        if (pos == 0 || (pos < 0 && !explicit_id && !known))
            continue; /* not a scanner, or not ours to poke */
        libusb_device_handle *h = NULL;
        int r = libusb_open(dev, &h);
        if (r != 0) {
            *why = r;
            continue;
        }
        r = claim(im, h, ifnum);
        if (r != 0) {
            *why = r;
            libusb_close(h);
            continue;
        }
        if (pos < 0)
            pos = control_is_pos(h, ifnum);
        if (pos == 1 || (pos < 0 && explicit_id)) {
            im->h = h;
            im->iface = ifnum;
            im->ep_in = ep;
            rc = 0;
        } else {
            if (pos == 0 && explicit_id)
                *why = WHY_NOT_POS;
            libusb_release_interface(h, ifnum);
            if (im->detached)
                libusb_attach_kernel_driver(h, ifnum);
            im->detached = 0;
            libusb_close(h);
        }
    }
    libusb_free_config_descriptor(cfg);
    return rc;
}

static const char *why_text(int why)
{
    switch (why) {
    case WHY_NOT_POS:
        return "has no HID POS interface (set the scanner to USB HID POS mode, not keyboard)";
    case LIBUSB_ERROR_ACCESS:
        return "permission denied (install contrib/60-tote-scanners.rules, add the user to group scanner)";
    case LIBUSB_ERROR_BUSY:
        return "busy: claimed by another program";
    default:
        return libusb_strerror((enum libusb_error)why);
    }
}

static int open_scanner(usb_impl *im)
{
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(im->ctx, &list);
    if (n < 0) {
        tote_scanner_set_status(im->sc, "disconnected: cannot list USB devices: %s", libusb_strerror((int)n));
        return -1;
    }
    int why = 0, rc = -1;
    for (ssize_t i = 0; i < n && rc != 0; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) != 0)
            continue;
        if (im->cfg.have_vidpid && (dd.idVendor != im->cfg.vid || dd.idProduct != im->cfg.pid))
            continue;
        if (try_device(im, list[i], &dd, &why) == 0) {
            im->dev = libusb_ref_device(list[i]);
            im->vid = dd.idVendor;
            im->pid = dd.idProduct;
            rc = 0;
        }
    }
    libusb_free_device_list(list, 1);
    if (rc != 0) {
        if (why && im->cfg.have_vidpid)
            tote_scanner_set_status(im->sc, "disconnected: USB %04x:%04x %s", im->cfg.vid, im->cfg.pid,
                                    why_text(why));
        else if (why)
            tote_scanner_set_status(im->sc, "disconnected: USB scanner %s", why_text(why));
        else if (im->cfg.have_vidpid)
            tote_scanner_set_status(im->sc,
                                    "disconnected: no HID interface on USB %04x:%04x (not plugged in?)",
                                    im->cfg.vid, im->cfg.pid);
        else
            tote_scanner_set_status(im->sc, "disconnected: no USB HID POS scanner found");
        return -1;
    }
    for (int i = 0; i < NXFER; i++) {
        im->xfer[i] = libusb_alloc_transfer(0);
        if (!im->xfer[i])
            break;
        libusb_fill_interrupt_transfer(im->xfer[i], im->h, im->ep_in, im->buf[i], TOTE_HIDPOS_REPORT_SIZE,
                                       xfer_cb, im, 0);
        if (libusb_submit_transfer(im->xfer[i]) == 0)
            im->active[i] = 1;
    }
    if (!im->active[0]) {
        tote_scanner_set_status(im->sc, "disconnected: cannot read from USB %04x:%04x", im->vid, im->pid);
        teardown(im);
        return -1;
    }
    tote_hidpos_asm_init(&im->assembler);
    return 0;
}

/* ---- the I/O thread ---- */

static void pump(usb_impl *im, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    libusb_handle_events_timeout_completed(im->ctx, &tv, NULL);
}

static void *usb_thread(void *arg)
{
    usb_impl *im = arg;
    while (!atomic_load(&im->stop)) {
        im->arrived = 0;
        if (open_scanner(im) != 0) {
            int64_t end = tote_scanner_now_ms() + im->cfg.reopen_ms;
            while (!atomic_load(&im->stop) && !im->arrived && tote_scanner_now_ms() < end)
                pump(im, 50);
            continue;
        }
        tote_scanner_set_status(im->sc, "connected");
        set_connected(im, 1);
        while (!atomic_load(&im->stop) && !im->gone && !im->left)
            pump(im, 100);
        int unplugged = !atomic_load(&im->stop);
        teardown(im);
        set_connected(im, 0);
        if (unplugged) {
            tote_scanner_set_status(im->sc, "disconnected: USB %04x:%04x removed", im->vid, im->pid);
            tote_scanq_push(&im->q, TOTE_HH_E_DISCONNECTED, NULL, NULL, 0);
        }
    }
    if (im->h)
        teardown(im);
    return NULL;
}

/* ---- ops ---- */

static void usb_close(tote_scanner *sc)
{
    usb_impl *im = sc->impl;
    if (!im)
        return;
    atomic_store(&im->stop, 1);
    tote_scanq_shutdown(&im->q);
    if (im->thread_started) {
        libusb_interrupt_event_handler(im->ctx);
        pthread_join(im->thread, NULL);
    }
    if (im->have_hotplug)
        libusb_hotplug_deregister_callback(im->ctx, im->hotplug);
    if (im->ctx)
        libusb_exit(im->ctx);
    sc->notify_fd = -1;
    tote_scanq_free(&im->q);
    pthread_mutex_destroy(&im->mu);
    free(im);
    sc->impl = NULL;
}

static tote_hh_err usb_open(tote_scanner *sc, const tote_scanner_cfg *cfg)
{
    usb_impl *im = calloc(1, sizeof *im);
    if (!im)
        return TOTE_HH_E_NOMEM;
    im->sc = sc;
    im->cfg = *cfg;
    pthread_mutex_init(&im->mu, NULL);
    sc->impl = im;
    if (tote_scanq_init(&im->q, 32) != 0 || libusb_init(&im->ctx) != 0) {
        im->ctx = NULL;
        usb_close(sc);
        return TOTE_HH_E_IO;
    }
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        int vid = cfg->have_vidpid ? cfg->vid : LIBUSB_HOTPLUG_MATCH_ANY;
        int pid = cfg->have_vidpid ? cfg->pid : LIBUSB_HOTPLUG_MATCH_ANY;
        im->have_hotplug =
            libusb_hotplug_register_callback(
                im->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                LIBUSB_HOTPLUG_NO_FLAGS, vid, pid, LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, im,
                &im->hotplug) == LIBUSB_SUCCESS;
    }
    sc->notify_fd = im->q.efd; /* status changes wake the client */
    if (cfg->have_vidpid)
        tote_scanner_set_status(sc, "opening USB %04x:%04x", cfg->vid, cfg->pid);
    else
        tote_scanner_set_status(sc, "opening first USB HID POS scanner");
    if (pthread_create(&im->thread, NULL, usb_thread, im) != 0) {
        usb_close(sc);
        return TOTE_HH_E_IO;
    }
    im->thread_started = 1;
    return TOTE_HH_E_OK;
}

static int usb_fd(tote_scanner *sc)
{
    return ((usb_impl *)sc->impl)->q.efd;
}

static tote_hh_err usb_read(tote_scanner *sc, tote_scan_event *ev)
{
    return tote_scanq_pop(&((usb_impl *)sc->impl)->q, ev);
}

static tote_hh_err usb_feedback(tote_scanner *sc, uint8_t feedback)
{
    usb_impl *im = sc->impl;
    (void)feedback;
    pthread_mutex_lock(&im->mu);
    int connected = im->connected;
    pthread_mutex_unlock(&im->mu);
    return connected ? TOTE_HH_E_OK : TOTE_HH_E_DISCONNECTED;
}

const tote_scanner_ops tote_scanner_usb_ops = {
    .name = "usb",
    .open = usb_open,
    .close = usb_close,
    .fd = usb_fd,
    .read = usb_read,
    .feedback = usb_feedback,
};

/* ---- listing and auto-detection ---- */

/* What a device looks like: "hid-pos", "hid", "cdc-acm" or NULL. */
static const char *device_mode(libusb_device *dev, int *pos_iface)
{
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) != 0)
        return NULL;
    const char *mode = NULL;
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        if (itf->num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *alt = &itf->altsetting[0];
        if (hid_in_endpoint(itf)) {
            if (sysfs_is_pos(dev, cfg->bConfigurationValue, alt->bInterfaceNumber) == 1) {
                mode = "hid-pos";
                *pos_iface = alt->bInterfaceNumber;
                break;
            }
            if (!mode)
                mode = "hid";
        } else if (alt->bInterfaceClass == LIBUSB_CLASS_COMM || alt->bInterfaceClass == LIBUSB_CLASS_DATA) {
            mode = "cdc-acm";
        }
    }
    libusb_free_config_descriptor(cfg);
    return mode;
}

static void serial_string(libusb_device *dev, const struct libusb_device_descriptor *dd, char *out,
                          size_t cap)
{
    out[0] = '\0';
    libusb_device_handle *h = NULL;
    if (!dd->iSerialNumber || libusb_open(dev, &h) != 0)
        return;
    if (libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, (unsigned char *)out, (int)cap) < 0)
        out[0] = '\0';
    libusb_close(h);
}

int tote_scanner_list_usb(FILE *out, int json, int *first)
{
    libusb_context *ctx = NULL;
    if (libusb_init(&ctx) != 0)
        return -1;
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    if (n < 0) {
        libusb_exit(ctx);
        return -1;
    }
    int found = 0;
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) != 0)
            continue;
        int pos_iface = -1;
        const char *mode = device_mode(list[i], &pos_iface);
        const tote_scanner_known *k = tote_scanner_known_lookup(dd.idVendor, dd.idProduct);
        if (!k && !(mode && strcmp(mode, "hid-pos") == 0))
            continue;
        char serial[128];
        serial_string(list[i], &dd, serial, sizeof serial);
        const char *advice;
        char spec[64];
        snprintf(spec, sizeof spec, "usb:%04x:%04x", dd.idVendor, dd.idProduct);
        if (mode && strcmp(mode, "hid-pos") == 0)
            advice = "USB HID POS";
        else if (mode && strcmp(mode, "hid") == 0)
            advice = "USB HID (keyboard wedge or HID POS; set the scanner to HID POS)";
        else if (mode && strcmp(mode, "cdc-acm") == 0) {
            advice = "USB CDC-ACM serial: use its /dev/ttyACM port (listed as serial)";
            spec[0] = '\0';
        } else
            advice = "unknown interface";
        if (json) {
            fputs(*first ? "\n  {" : ",\n  {", out);
            fprintf(
                out,
                "\"kind\": \"usb\", \"vid_pid\": \"%04x:%04x\", \"bus\": %d, \"address\": %d, \"serial\": ",
                dd.idVendor, dd.idProduct, libusb_get_bus_number(list[i]),
                libusb_get_device_address(list[i]));
            tote_scanner_json_str(out, serial[0] ? serial : NULL);
            fputs(", \"vendor\": ", out);
            tote_scanner_json_str(out, k ? k->name : NULL);
            fputs(", \"mode\": ", out);
            tote_scanner_json_str(out, advice);
            fputs(", \"spec\": ", out);
            tote_scanner_json_str(out, spec[0] ? spec : NULL);
            fputs("}", out);
        } else {
            fprintf(out, "usb     %03d/%03d            %04x:%04x  serial=%s  %s%s%s%s%s\n",
                    libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]), dd.idVendor,
                    dd.idProduct, serial[0] ? serial : "-", advice, k ? ", " : "", k ? k->name : "",
                    spec[0] ? " -> --scanner " : "", spec);
        }
        *first = 0;
        found++;
    }
    libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    return found;
}

int tote_scanner_auto_usb(tote_scanner_cfg *cfg)
{
    libusb_context *ctx = NULL;
    if (libusb_init(&ctx) != 0)
        return -1;
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    int rc = -1;
    for (ssize_t i = 0; i < n && rc != 0; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) != 0)
            continue;
        int pos_iface = -1;
        const char *mode = device_mode(list[i], &pos_iface);
        int known = tote_scanner_known_lookup(dd.idVendor, dd.idProduct) != NULL;
        int pos = mode && strcmp(mode, "hid-pos") == 0;
        if (!pos && known && mode && strcmp(mode, "hid") == 0) {
            /* a known scanner's HID interface with no driver bound: ask it */
            libusb_device_handle *h = NULL;
            if (libusb_open(list[i], &h) == 0) {
                struct libusb_config_descriptor *c = NULL;
                if (libusb_get_active_config_descriptor(list[i], &c) == 0) {
                    for (int k = 0; k < c->bNumInterfaces && !pos; k++) {
                        if (!hid_in_endpoint(&c->interface[k]))
                            continue;
                        int ifnum = c->interface[k].altsetting[0].bInterfaceNumber;
                        if (libusb_kernel_driver_active(h, ifnum) == 1)
                            continue;
                        if (libusb_claim_interface(h, ifnum) == 0) {
                            pos = control_is_pos(h, ifnum) == 1;
                            libusb_release_interface(h, ifnum);
                        }
                    }
                    libusb_free_config_descriptor(c);
                }
                libusb_close(h);
            }
        }
        if (pos) {
            cfg->kind = TOTE_SCK_USB;
            cfg->have_vidpid = 1;
            cfg->vid = dd.idVendor;
            cfg->pid = dd.idProduct;
            rc = 0;
        }
    }
    if (n >= 0)
        libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    return rc;
}

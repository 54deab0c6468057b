/*
 * The emulators' internals, shared by emu.c (the bed, the serial port and
 * the SSI persona) and emu_usb.c (the USB HID POS scanner). Tests use emu.h.
 */
#ifndef TOTE_HW_EMU_INTERNAL_H
#define TOTE_HW_EMU_INTERNAL_H

#include <stdio.h>
#include <umockdev.h>

#include "emu.h"

struct emu_bed {
    UMockdevTestbed *tb;
    int next_usb_port; /* 1-N port numbers handed out */
    int next_devnum;
    int next_acm;
    emu_serial *serials[64];
    int nserials;
    emu_usb *usbs[64];
    int nusbs;
};

/* Attaches handler to devnode; umockdev dispatches its callbacks from a
 * thread of its own. */
static inline int emu_attach(emu_bed *b, const char *devnode, UMockdevIoctlBase *handler)
{
    GError *err = NULL;
    if (!umockdev_testbed_attach_ioctl(b->tb, devnode, handler, &err)) {
        fprintf(stderr, "emu: attach_ioctl %s: %s\n", devnode, err ? err->message : "?");
        g_clear_error(&err);
        return -1;
    }
    return 0;
}

static inline int emu_add_string(emu_bed *b, const char *desc)
{
    GError *err = NULL;
    if (!umockdev_testbed_add_from_string(b->tb, desc, &err)) {
        fprintf(stderr, "emu: add device: %s\n", err ? err->message : "?");
        g_clear_error(&err);
        return -1;
    }
    return 0;
}

/* Frees a USB device and what it holds (emu_bed_free; emu_usb.c). */
void emu_usb_free(emu_usb *u);

#endif

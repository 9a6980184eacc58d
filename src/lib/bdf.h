/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* "dddd:bb:dd.f" plus room for a 32-bit domain, as the kernel names them. */
#define VN_BDF_MAX 20

struct vn_bdf {
	unsigned int domain, bus, dev, fn;
};

/*
 * Parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hexadecimal, either case.
 * -EINVAL when s is anything else. Paths are not accepted here: see
 * vn_arg_is_path().
 */
int vn_bdf_parse(const char *s, struct vn_bdf *out);
/* Canonical kernel spelling, lowercase, 4-digit domain. */
void vn_bdf_format(const struct vn_bdf *bdf, char out[VN_BDF_MAX]);
/* Parse and rewrite to the canonical spelling. */
int vn_bdf_canonical(const char *s, char out[VN_BDF_MAX]);

/* "8086:10d3" (exactly four hex digits each). */
int vn_id_parse(const char *s, unsigned int *vendor, unsigned int *device);

/* A device ID argument: VID:DID, or VID:DID:SVID:SDID with the subsystem
 * IDs (four hex digits each, as lspci -nn and dpdk-devbind write them). */
struct vn_pci_id {
	unsigned int vendor, device, subvendor, subdevice;
	bool has_sub;
};
int vn_pci_id_parse(const char *s, struct vn_pci_id *id);

/* An argument that names a file rather than a device ("/sys/...", "./x", "..").*/
bool vn_arg_is_path(const char *s);

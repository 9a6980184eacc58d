/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * Redaction for reports a customer sends: host names, MAC and IP
 * addresses and serial numbers become placeholders ("[host-1]",
 * "[mac-2]", "[ipv4-1]", "[ipv6-1]", "[serial-3]"), the same value always
 * the same placeholder, so that the report still shows which lines are
 * about the same machine, card or address.
 */
enum vn_redact_kind {
	VN_REDACT_HOST,
	VN_REDACT_MAC,
	VN_REDACT_IPV4,
	VN_REDACT_IPV6,
	VN_REDACT_SERIAL,
	VN_REDACT_NKINDS,
};

struct vn_redactor;

int vn_redactor_new(struct vn_redactor **out);
void vn_redactor_free(struct vn_redactor *r);
static inline void vn_redactor_freep(struct vn_redactor **r)
{
	vn_redactor_free(*r);
}

/* A value known to be private (the host name, a serial number read from
 * sysfs): every occurrence that stands alone is replaced. Values shorter
 * than 2 characters, "(none)" and "localhost" are not worth hiding.
 * Nothing happens when r is NULL (no redaction asked). */
int vn_redact_add(struct vn_redactor *r, enum vn_redact_kind kind,
		  const char *value);

/*
 * text with the known values and every MAC address (aa:bb:cc:dd:ee:ff),
 * PCI Device Serial Number (aa-bb-cc-dd-ee-ff-00-11), IPv4 and IPv6
 * address replaced. A caller frees the result; NULL on ENOMEM.
 */
char *vn_redact(struct vn_redactor *r, const char *text);

/* How many distinct values of each kind were replaced so far. */
size_t vn_redact_distinct(const struct vn_redactor *r,
			  enum vn_redact_kind kind);

// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bdf.h"

/* Consume 1..maxdigits hex digits; returns chars used or -EINVAL. */
static int hex_field(const char *s, unsigned int maxdigits, unsigned int *out)
{
	unsigned int v = 0, n = 0;

	while (n < maxdigits && isxdigit((unsigned char)s[n])) {
		int c = tolower((unsigned char)s[n]);

		v = v * 16 +
		    (unsigned int)(isdigit(c) ? c - '0' : c - 'a' + 10);
		n++;
	}
	if (n == 0 || isxdigit((unsigned char)s[n]))
		return -EINVAL;
	*out = v;
	return (int)n;
}

int vn_bdf_parse(const char *s, struct vn_bdf *out)
{
	unsigned int f[4];
	const char *p = s;
	int n, colons = 0;
	struct vn_bdf bdf;

	if (!s)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		colons += *c == ':';
	if (colons != 1 && colons != 2)
		return -EINVAL;

	if (colons == 2) {
		n = hex_field(p, 8, &f[0]);
		if (n < 0 || p[n] != ':')
			return -EINVAL;
		p += n + 1;
	} else {
		f[0] = 0;
	}
	n = hex_field(p, 2, &f[1]);
	if (n < 0 || p[n] != ':')
		return -EINVAL;
	p += n + 1;
	n = hex_field(p, 2, &f[2]);
	if (n < 0 || p[n] != '.')
		return -EINVAL;
	p += n + 1;
	n = hex_field(p, 1, &f[3]);
	if (n < 0 || p[n] != '\0')
		return -EINVAL;

	bdf = (struct vn_bdf){ f[0], f[1], f[2], f[3] };
	if (bdf.dev > 0x1f || bdf.fn > 7)
		return -EINVAL;
	*out = bdf;
	return 0;
}

void vn_bdf_format(const struct vn_bdf *bdf, char out[VN_BDF_MAX])
{
	snprintf(out, VN_BDF_MAX, "%04x:%02x:%02x.%x", bdf->domain, bdf->bus,
		 bdf->dev, bdf->fn);
}

int vn_bdf_canonical(const char *s, char out[VN_BDF_MAX])
{
	struct vn_bdf bdf;
	int r = vn_bdf_parse(s, &bdf);

	if (r < 0)
		return r;
	vn_bdf_format(&bdf, out);
	return 0;
}

int vn_id_parse(const char *s, unsigned int *vendor, unsigned int *device)
{
	unsigned int v, d;
	int n;

	if (!s)
		return -EINVAL;
	n = hex_field(s, 4, &v);
	if (n != 4 || s[4] != ':')
		return -EINVAL;
	n = hex_field(s + 5, 4, &d);
	if (n != 4 || s[9] != '\0')
		return -EINVAL;
	*vendor = v;
	*device = d;
	return 0;
}

int vn_pci_id_parse(const char *s, struct vn_pci_id *id)
{
	char head[10];
	size_t n = s ? strlen(s) : 0;

	if (n != 9 && n != 19)
		return -EINVAL;
	memcpy(head, s, 9);
	head[9] = '\0';
	if (vn_id_parse(head, &id->vendor, &id->device) < 0)
		return -EINVAL;
	id->has_sub = n == 19;
	id->subvendor = id->subdevice = 0;
	if (id->has_sub && (s[9] != ':' || vn_id_parse(s + 10, &id->subvendor,
						       &id->subdevice) < 0))
		return -EINVAL;
	return 0;
}

bool vn_arg_is_path(const char *s)
{
	return strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* pci.ids as src/lib/pciids.c reads it where it lies: vendor, device and
 * class lookups over any text, for IDs the input's first bytes choose. */
#include <errno.h>

#include "fuzz.h"
#include "lib/names.h"

static void check(int r, const char *buf, size_t size)
{
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
	if (r == 0)
		FUZZ_CHECK(*buf && strlen(buf) < size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vn_pciids ids = { .text = (const char *)data, .len = size };
	unsigned int a = size >= 2 ? (unsigned int)(data[0] << 8 | data[1]) : 0;
	unsigned int b = size >= 4 ? (unsigned int)(data[2] << 8 | data[3]) : 0;
	char buf[32];

	check(vn_pciids_vendor(&ids, a, buf, sizeof(buf)), buf, sizeof(buf));
	check(vn_pciids_vendor(&ids, 0x8086, buf, sizeof(buf)), buf,
	      sizeof(buf));
	check(vn_pciids_device(&ids, a, b, buf, sizeof(buf)), buf, sizeof(buf));
	check(vn_pciids_device(&ids, 0x8086, 0x10d3, buf, sizeof(buf)), buf,
	      sizeof(buf));
	check(vn_pciids_class(&ids, b, buf, sizeof(buf)), buf, sizeof(buf));
	check(vn_pciids_class(&ids, 0x0200, buf, sizeof(buf)), buf,
	      sizeof(buf));
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/devices and /proc/misc. */
#include "fuzz.h"
#include "lib/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "vfio", "iommufd", "vfio-dev",
					     "" };
	char *s = fuzz_text(data, size);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)vn_parse_proc_devices(s, names[i]);
		(void)vn_parse_proc_misc(s, names[i]);
	}
	free(s);
	return 0;
}

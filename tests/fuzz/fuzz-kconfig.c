// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel config lines (/proc/config.gz, /boot/config-R), one per line. */
#include "fuzz.h"
#include "lib/kernel.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), *save = NULL, *line;
	char name[128], value[256];

	for (char *it = s; (line = strtok_r(it, "\n", &save)); it = NULL)
		if (vn_kconfig_parse_line(line, name, sizeof(name), value,
					  sizeof(value)) == 1)
			FUZZ_CHECK(*name && strlen(name) < sizeof(name) &&
				   strlen(value) < sizeof(value));
	free(s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/self/mountinfo. */
#include "fuzz.h"
#include "lib/blockinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const devts[] = { "259:1", "8:1", "0:22" };
	char *s = fuzz_text(data, size);

	for (size_t i = 0; i < sizeof(devts) / sizeof(devts[0]); i++) {
		char *where = NULL;

		if (vn_parse_mountinfo(s, devts[i], &where) == 1) {
			FUZZ_CHECK(where && !strchr(where, '\n'));
			free(where);
		}
	}
	free(s);
	return 0;
}

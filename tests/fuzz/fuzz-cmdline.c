// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/cmdline: splitting, lookups, panic_on_taint. */
#include "fuzz.h"
#include "lib/cmdline.h"
#include "lib/noiommu.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char **words = NULL;
	unsigned long mask;
	const char *val;
	bool nouser;

	if (vn_cmdline_split(s, &words) == 0) {
		for (size_t i = 0; words[i]; i++) {
			/* Quotes group and are dropped; "--" ends the list. */
			FUZZ_CHECK(!strchr(words[i], '"'));
			FUZZ_CHECK(strcmp(words[i], "--") != 0);
		}
		(void)vn_cmdline_find(words, "vfio." VN_NOIOMMU_PARAM, &val);
		if (vn_cmdline_panic_on_taint(words, &mask, &nouser) == 1)
			FUZZ_CHECK(mask != 0);
		strv_free(words);
	}
	free(s);
	return 0;
}

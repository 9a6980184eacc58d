// SPDX-License-Identifier: GPL-2.0-or-later
/* Device arguments: BDF, VID:DID, paths, numbers, kernel booleans. */
#include "fuzz.h"
#include "lib/bdf.h"
#include "lib/noiommu.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char canon[VN_BDF_MAX], again[VN_BDF_MAX];
	unsigned int vendor, device;
	unsigned long ul;
	struct vn_bdf b;
	bool yes;
	int i;

	if (vn_bdf_parse(s, &b) == 0) {
		/* The canonical spelling parses to itself. */
		vn_bdf_format(&b, canon);
		FUZZ_CHECK(vn_bdf_canonical(canon, again) == 0);
		FUZZ_CHECK(strcmp(canon, again) == 0);
		FUZZ_CHECK(!vn_arg_is_path(s));
	}
	if (vn_id_parse(s, &vendor, &device) == 0)
		FUZZ_CHECK(vendor <= 0xffff && device <= 0xffff);
	(void)vn_arg_is_path(s);
	(void)parse_ulong(s, 10, &ul);
	(void)parse_ulong(s, 16, &ul);
	(void)parse_int(s, &i);
	(void)vn_kstrtobool(s, true, &yes);
	(void)vn_kstrtobool(s, false, &yes);
	free(s);
	return 0;
}

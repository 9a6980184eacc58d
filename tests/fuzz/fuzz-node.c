// SPDX-License-Identifier: GPL-2.0-or-later
/* Device node records of a recorded tree, and "MAJ:MIN". */
#include "fuzz.h"
#include "lib/sys.h"
#include "lib/vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	struct vn_node_info info;
	unsigned int major, minor;

	if (vn_parse_node_record(s, &info) == 0)
		FUZZ_CHECK(info.present && info.mode <= 07777);
	(void)vn_parse_devt(s, &major, &minor);
	free(s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/PID/fdinfo/N: the vfio-device-syspath line. */
#include "fuzz.h"
#include "lib/vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char *bdf = vn_fdinfo_vfio_bdf(s);

	if (bdf) {
		FUZZ_CHECK(*bdf && !strchr(bdf, '/') && !strchr(bdf, '\n'));
		free(bdf);
	}
	free(s);
	return 0;
}

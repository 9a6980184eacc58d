// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe.d files as kmod reads them. */
#include "fuzz.h"
#include "lib/noiommu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);

	for (int ext = 0; ext < 2; ext++) {
		struct vn_persist p = { 0 };
		const struct vn_setting *from;

		if (vn_modprobe_parse(s, "/etc/modprobe.d/fuzz.conf", ext,
				      &p) == 0) {
			for (size_t i = 0; i < p.n; i++)
				FUZZ_CHECK(p.v[i].where && p.v[i].text &&
					   !strchr(p.v[i].text, '\n'));
			(void)vn_persist_effective(&p, &from);
		}
		vn_persist_clear(&p);
	}
	(void)vn_conf_is_ours(s);
	free(s);
	return 0;
}

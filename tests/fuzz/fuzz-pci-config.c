// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI config space (the Device Serial Number's capability walk) and sysfs
 * device paths (the topological path): identities read from the device. */
#include "fuzz.h"
#include "lib/state.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), *path = NULL;
	char serial[VN_SERIAL_MAX];
	uint64_t dsn = 0;
	int r;

	r = vn_dsn_from_config(data, size, &dsn);
	FUZZ_CHECK(r == 0 || r == 1 || r == -EIO);
	if (r == 1) {
		struct vn_ident id = { 0 };
		char *line = NULL;
		const char *why;

		/* A serial read from a device can be declared. */
		FUZZ_CHECK(dsn != 0 && dsn != UINT64_MAX);
		vn_dsn_format(dsn, serial);
		FUZZ_CHECK(strlen(serial) == VN_SERIAL_MAX - 1);
		FUZZ_CHECK(xasprintf(&line, "serial %s", serial) == 0);
		FUZZ_CHECK(vn_ident_parse(line, &id, &why) == 0);
		FUZZ_CHECK(strcmp(id.value, serial) == 0);
		vn_ident_clear(&id);
		free(line);
	}
	if (vn_pci_path_from_syspath(s, &path) == 0) {
		struct vn_ident id = { 0 };
		char *line = NULL;
		const char *why;

		/* A path read from sysfs can be declared as it is. */
		FUZZ_CHECK(xasprintf(&line, "path %s", path) == 0);
		FUZZ_CHECK(vn_ident_parse(line, &id, &why) == 0);
		FUZZ_CHECK(strcmp(id.value, path) == 0);
		vn_ident_clear(&id);
		free(line);
		free(path);
	}
	free(s);
	return 0;
}

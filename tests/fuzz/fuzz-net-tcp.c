// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/net/tcp and tcp6: the SSH session's addresses. */
#include "fuzz.h"
#include "lib/netinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *inodes[] = { "4242", "1", NULL };
	char *s = fuzz_text(data, size);

	for (int v6 = 0; v6 < 2; v6++) {
		char *local = NULL, *remote = NULL;

		if (vn_parse_proc_net_tcp(s, v6, inodes, &local, &remote) == 1)
			FUZZ_CHECK(local && remote);
		free(local);
		free(remote);
	}
	free(s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/net/route. */
#include "fuzz.h"
#include "lib/netinfo.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char **routes = NULL, **defs = NULL;

	(void)vn_parse_proc_net_route(s, &routes, &defs);
	for (size_t i = 0; routes && routes[i]; i++)
		FUZZ_CHECK(strchr(routes[i], '/') && !strchr(routes[i], '\n'));
	strv_free(routes);
	strv_free(defs);
	free(s);
	return 0;
}

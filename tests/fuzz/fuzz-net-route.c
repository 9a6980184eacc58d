// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/net/route and /proc/net/ipv6_route: each input goes through
 * both parsers, whose formats are close enough to share seeds. */
#include "fuzz.h"
#include "lib/netinfo.h"
#include "lib/util.h"

typedef int (*route_parser)(const char *text, char ***routes,
			    char ***default_ifs);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const route_parser parsers[] = {
		vn_parse_proc_net_route,
		vn_parse_proc_net_ipv6_route,
	};
	char *s = fuzz_text(data, size);

	for (size_t p = 0; p < sizeof(parsers) / sizeof(parsers[0]); p++) {
		char **routes = NULL, **defs = NULL;

		(void)parsers[p](s, &routes, &defs);
		for (size_t i = 0; routes && routes[i]; i++)
			FUZZ_CHECK(strchr(routes[i], '/') &&
				   !strchr(routes[i], '\n'));
		strv_free(routes);
		strv_free(defs);
	}
	free(s);
	return 0;
}

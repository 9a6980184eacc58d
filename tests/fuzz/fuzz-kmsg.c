// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel log: /dev/kmsg records as recorded, syslog(2) lines, and the
 * taint attribution that reads them. */
#include "fuzz.h"
#include "lib/kmsg.h"
#include "lib/taint.h"

static void attribute(const struct vn_kmsg *k)
{
	struct vn_attribution a = { 0 };

	if (vn_taint_attribute(k, &a) == 0) {
		for (size_t i = 0; i < a.n; i++)
			FUZZ_CHECK(a.v[i].lines > 0 || !a.v[i].from_log);
		vn_attribution_clear(&a);
	}
}

static void match_all(const char *msg)
{
	char bdf[24], comm[32], *driver = NULL, *user = NULL;
	unsigned int mode;
	int pid;

	if (vn_kmsg_match_taint(msg, bdf, sizeof(bdf), &driver, &mode) == 1)
		free(driver);
	(void)vn_kmsg_match_open(msg, bdf, sizeof(bdf), comm, sizeof(comm),
				 &pid);
	if (vn_kmsg_match_audit(msg, bdf, sizeof(bdf), &user) == 1)
		free(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), *save = NULL, *line;
	struct vn_kmsg k = { .from_boot = -1 };
	struct vn_kmsg_rec rec;

	if (vn_kmsg_parse_recorded(s, &k) == 0) {
		for (size_t i = 0; i < k.n; i++)
			match_all(k.v[i].msg);
		attribute(&k);
	}
	vn_kmsg_clear(&k);
	if (vn_kmsg_parse_record(s, &rec) == 0)
		vn_kmsg_rec_clear(&rec);
	for (char *it = s; (line = strtok_r(it, "\n", &save)); it = NULL)
		if (vn_kmsg_parse_syslog_line(line, &rec) == 0)
			vn_kmsg_rec_clear(&rec);
	free(s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Journal records: whatever decodes re-encodes to text that decodes to
 * the same record and encodes to itself again. */
#include "fuzz.h"
#include "lib/journal.h"
#include "lib/util.h"

static void check_same(const struct vn_record *a, const struct vn_record *b)
{
	FUZZ_CHECK(strcmp(a->bdf, b->bdf) == 0);
	FUZZ_CHECK(a->vendor == b->vendor && a->device == b->device);
	FUZZ_CHECK(streq_ptr(a->orig_driver, b->orig_driver));
	FUZZ_CHECK(streq_ptr(a->orig_override, b->orig_override));
	FUZZ_CHECK(streq_ptr(a->target, b->target));
	FUZZ_CHECK(a->restore == b->restore);
	FUZZ_CHECK(streq_ptr(a->restore_driver, b->restore_driver));
	FUZZ_CHECK(strv_len(a->netdevs) == strv_len(b->netdevs));
	for (size_t i = 0; a->netdevs && a->netdevs[i]; i++)
		FUZZ_CHECK(strcmp(a->netdevs[i], b->netdevs[i]) == 0);
	FUZZ_CHECK(a->step == b->step && a->when == b->when);
	FUZZ_CHECK(streq_ptr(a->user, b->user));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), *once = NULL, *twice = NULL;
	struct vn_record rec, again;

	if (vn_record_decode(s, &rec) == 0) {
		FUZZ_CHECK(vn_record_encode(&rec, &once) == 0);
		FUZZ_CHECK(vn_record_decode(once, &again) == 0);
		check_same(&rec, &again);
		FUZZ_CHECK(vn_record_encode(&again, &twice) == 0);
		FUZZ_CHECK(strcmp(once, twice) == 0);
		vn_record_clear(&again);
		vn_record_clear(&rec);
		free(once);
		free(twice);
	}
	free(s);
	return 0;
}

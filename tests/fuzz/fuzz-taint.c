// SPDX-License-Identifier: GPL-2.0-or-later
/* Taint values as users paste them, and taint letters. */
#include "fuzz.h"
#include "lib/taint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char form[64], letters[VN_TAINT_COUNT + 1], bad;
	unsigned long mask, back;

	if (vn_taint_parse(s, &mask, &bad) == 0) {
		/* The oops form of what was read reads back the same. */
		mask &= VN_TAINT_ALL;
		vn_taint_short_form(mask, form, sizeof(form));
		FUZZ_CHECK(vn_taint_parse(form, &back, &bad) == 0);
		FUZZ_CHECK(back == mask);
	}
	if (vn_taint_letters_parse(s, &mask, &bad) == 0) {
		vn_taint_letters(mask, letters, sizeof(letters));
		FUZZ_CHECK(vn_taint_letters_parse(letters, &back, &bad) == 0);
		FUZZ_CHECK(back == mask);
	}
	free(s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* vn_escape(): whatever goes in, one clean line comes out. */
#include "fuzz.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	char *e = vn_escape(s);

	FUZZ_CHECK(e != NULL);
	for (const unsigned char *c = (const unsigned char *)e; *c; c++)
		FUZZ_CHECK(*c >= 0x20 && *c != 0x7f);
	/* Escaped text is printable UTF-8: escaping it again only doubles
	 * its backslashes. Clean text passes unchanged. */
	{
		char *again = vn_escape(e);
		const char *a = again, *c = e;

		FUZZ_CHECK(again != NULL);
		for (; *c; c++, a++) {
			FUZZ_CHECK(*a == *c);
			if (*c == '\\')
				FUZZ_CHECK(*++a == '\\');
		}
		FUZZ_CHECK(*a == '\0');
		free(again);
	}
	FUZZ_CHECK(vn_is_clean_text(s) == (strcmp(s, e) == 0));
	free(e);
	free(s);
	return 0;
}

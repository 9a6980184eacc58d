// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/util.h"

static void escape_cases(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "eno1", "eno1" },
		{ "a\nb", "a\\nb" },
		{ "tab\there", "tab\\there" },
		{ "cr\r", "cr\\r" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "del\x7f", "del\\x7f" },
		{ "back\\slash", "back\\\\slash" },
		/* valid UTF-8 passes */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		/* a lone continuation byte, a cut sequence, an overlong form,
		 * a surrogate, beyond U+10FFFF, a C1 control */
		{ "\x80", "\\x80" },
		{ "\xc3", "\\xc3" },
		{ "\xe2\x82", "\\xe2\\x82" },
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		{ "\xc2\x9b", "\\xc2\\x9b" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *e = vn_escape(cases[i].in);

		assert_non_null(e);
		assert_string_equal(e, cases[i].out);
		assert_int_equal(vn_is_clean_text(cases[i].in),
				 streq(cases[i].in, cases[i].out));
		free(e);
	}
	{
		char *e = vn_escape(NULL);

		assert_string_equal(e, "");
		free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/audit.h"
#include "lib/taint.h"
#include "lib/util.h"

static void table(void **state)
{
	const struct vn_taint_flag *f = vn_taint_flags();
	const char letters[] = "PFSRMBUDAWCIOELKXTNJ";

	(void)state;
	for (unsigned int i = 0; i < VN_TAINT_COUNT; i++) {
		assert_int_equal(f[i].bit, i);
		assert_int_equal(f[i].letter, letters[i]);
		assert_int_equal(f[i].clear, i == 0 ? 'G' : ' ');
		assert_ptr_equal(vn_taint_flag_by_letter(letters[i]), &f[i]);
	}
	assert_string_equal(f[6].name, "USER");
	assert_null(vn_taint_flag_by_letter('G'));
	assert_null(vn_taint_flag_by_letter('Z'));
}

static void short_form(void **state)
{
	char buf[64];

	(void)state;
	vn_taint_short_form(0, buf, sizeof(buf));
	assert_string_equal(buf, "Not tainted");
	vn_taint_short_form(64, buf, sizeof(buf));
	assert_string_equal(buf, "Tainted: G     U             ");
	vn_taint_short_form(1 | 512 | 4096, buf, sizeof(buf));
	assert_string_equal(buf, "Tainted: P        W  O       ");
	vn_taint_short_form(VN_TAINT_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "Tainted: PFSRMBUDAWCIOELKXTNJ");
	/* Bits this tool does not know still mean tainted. */
	vn_taint_short_form(1UL << 25, buf, sizeof(buf));
	assert_string_equal(buf, "Tainted: G                   ");
}

static void letters(void **state)
{
	char buf[VN_TAINT_COUNT + 1];

	(void)state;
	vn_taint_letters(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	vn_taint_letters(64 | 512, buf, sizeof(buf));
	assert_string_equal(buf, "UW");
	vn_taint_letters(VN_TAINT_ALL, buf, 4);
	assert_string_equal(buf, "PFS");
}

static void user_parse(void **state)
{
	struct vn_user u;

	(void)state;
	assert_int_equal(vn_user_parse("alice (via sudo, uid 0)", &u), 0);
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.via, "sudo");
	assert_int_equal(vn_user_parse("bob (login uid 1000)", &u), 0);
	assert_string_equal(u.name, "bob");
	assert_int_equal(u.uid, 1000);
	assert_string_equal(u.via, "login");
	assert_int_equal(vn_user_parse("root (uid 0)", &u), 0);
	assert_string_equal(u.via, "uid");
	assert_int_equal(vn_user_parse("someone else", &u), -EINVAL);
	assert_string_equal(u.name, "someone else");
	assert_int_equal(u.uid, -1);
	assert_null(u.via);
	assert_int_equal(vn_user_parse("x (uid 1x)", &u), -EINVAL);
	assert_string_equal(u.name, "x (uid 1x)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_parse),
		cmocka_unit_test(table),
		cmocka_unit_test(short_form),
		cmocka_unit_test(letters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "lib/sys.h"
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

/* read_fd_full() stops at VN_READ_MAX: a file of exactly that size is
 * read, one byte more is -EFBIG (sparse files: nothing is written). */
static void read_capped(void **state)
{
	char path[] = "/tmp/vn-util-XXXXXX";
	int fd = mkstemp(path);
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, VN_READ_MAX), 0);
	assert_int_equal(read_fd_full(fd, &text, &len), 0);
	assert_int_equal(len, VN_READ_MAX);
	free(text);
	text = NULL;
	assert_int_equal(ftruncate(fd, (off_t)VN_READ_MAX + 1), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_fd_full(fd, &text, &len), -EFBIG);
	assert_null(text);
	close(fd);
}

/* A short read is the end (sysfs) only where it is asked for: a pipe
 * with its writer still open returns what is there and does not block;
 * a file longer than the first read's page is still read whole. */
static void read_short_is_end(void **state)
{
	int p[2];
	char *text = NULL, big[10000];
	size_t len = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc\n", 4), 4);
	assert_int_equal(read_fd_short_is_end(p[0], &text, &len), 0);
	assert_string_equal(text, "abc\n");
	assert_int_equal(len, 4);
	free(text);
	text = NULL;
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(p[1], big, sizeof(big)), (ssize_t)sizeof(big));
	close(p[1]);
	assert_int_equal(read_fd_short_is_end(p[0], &text, &len), 0);
	assert_int_equal(len, sizeof(big));
	free(text);
	close(p[0]);
}

/* In a tree, only regular files are read: a FIFO would block for ever,
 * a link to /dev/zero never end. */
static void read_regular_only(void **state)
{
	char top[] = "/tmp/vn-util-XXXXXX", p[128];
	struct vn_sys *sys = NULL;
	char *text = NULL;

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(p, sizeof(p), "%s/fifo", top);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/zero", top);
	assert_int_equal(symlink("/dev/zero", p), 0);
	assert_int_equal(vn_sys_new(top, &sys), 0);
	assert_int_equal(vn_read_text(sys, &text, "/fifo"), -EINVAL);
	assert_int_equal(vn_read_file(sys, &text, "/zero"), -EINVAL);
	assert_int_equal(vn_read_file(sys, &text, "/"), -EISDIR);
	assert_null(text);
	vn_sys_free(sys);
	snprintf(p, sizeof(p), "%s/fifo", top);
	unlink(p);
	snprintf(p, sizeof(p), "%s/zero", top);
	unlink(p);
	rmdir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_cases),
		cmocka_unit_test(read_capped),
		cmocka_unit_test(read_short_is_end),
		cmocka_unit_test(read_regular_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/cmdline.h"
#include "lib/taint.h"
#include "lib/util.h"

/* Allocation counts, through the linker's --wrap (tests/meson.build):
 * the split must be linear in the command line's length. */
static size_t alloc_bytes, alloc_calls;
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t size);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t size);

void *__wrap_malloc(size_t n)
{
	alloc_bytes += n;
	alloc_calls++;
	return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
	alloc_bytes += n;
	alloc_calls++;
	return __real_realloc(p, n);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	alloc_bytes += n * size;
	alloc_calls++;
	return __real_reallocarray(p, n, size);
}

static void split_is_linear(void **state)
{
	const size_t words = 5000;
	char *text = malloc(words * 4 + 1), *q = text;
	char **w = NULL;
	size_t len;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < words; i++)
		q = stpcpy(q, "w=1 ");
	len = (size_t)(q - text);
	alloc_bytes = alloc_calls = 0;
	assert_int_equal(vn_cmdline_split(text, &w), 0);
	assert_int_equal(strv_len(w), words);
	/* Each word once (4 bytes), the vector doubling (at most 4 pointers
	 * per word over all its sizes). The old split copied the rest of
	 * the line for each word and grew the vector one slot at a time:
	 * 5000 x 20000 / 2 bytes. */
	assert_true(alloc_bytes <= 4 * len + 4 * words * sizeof(char *));
	assert_true(alloc_calls <= words + 64);
	strv_free(w);
	free(text);
}

static void split(void **state)
{
	_cleanup_strv_ char **w = NULL;

	(void)state;
	assert_int_equal(
		vn_cmdline_split("  BOOT_IMAGE=/vmlinuz root=UUID=x "
				 "dyndbg=\"file foo.c +p\" \"a b=c d\" "
				 "quiet -- init-arg panic_on_taint=0x40",
				 &w),
		0);
	assert_int_equal(strv_len(w), 5);
	assert_string_equal(w[0], "BOOT_IMAGE=/vmlinuz");
	assert_string_equal(w[1], "root=UUID=x");
	assert_string_equal(w[2], "dyndbg=file foo.c +p");
	assert_string_equal(w[3], "a b=c d");
	assert_string_equal(w[4], "quiet");
}

static void find_last_and_dashes(void **state)
{
	_cleanup_strv_ char **w = NULL;
	const char *v = "unset";

	(void)state;
	assert_int_equal(vn_cmdline_split("vfio.enable_unsafe_noiommu_mode=0 "
					  "vfio.enable-unsafe-noiommu-mode=1 "
					  "quiet panic_on_taint_x=1",
					  &w),
			 0);
	assert_int_equal(
		vn_cmdline_find(w, "vfio.enable_unsafe_noiommu_mode", &v), 1);
	assert_string_equal(v, "1");
	assert_int_equal(vn_cmdline_find(w, "quiet", &v), 1);
	assert_null(v);
	assert_int_equal(vn_cmdline_find(w, "panic_on_taint", &v), 0);
	assert_int_equal(vn_cmdline_find(w, "qui", &v), 0);
}

static void panic_on_taint_in_order(void **state)
{
	static const struct {
		const char *cmdline;
		unsigned long mask;
		bool nouser;
	} cases[] = {
		{ "quiet", 0, false },
		{ "panic_on_taint=0x40", 0x40, false },
		/* an unparsable later value leaves the earlier mask */
		{ "panic_on_taint=0x40 panic_on_taint=zz", 0x40, false },
		/* a later zero clears it, as panic_on_taint_setup() does */
		{ "panic_on_taint=0x40 panic_on_taint=0", 0, false },
		{ "panic_on_taint=40,nousertaint panic_on_taint=0x200", 0x200,
		  true },
		{ "panic-on-taint=0x240", 0x240, false },
		{ "panic_on_taint=0x240,other", 0x240, false },
		/* bits beyond the known flags are dropped; none left: unset */
		{ "panic_on_taint=0x100000", 0, false },
		{ "panic_on_taint=fffff", 0xfffff, false },
		{ "panic_on_taint", 0, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_strv_ char **w = NULL;
		unsigned long mask;
		bool nouser;

		assert_int_equal(vn_cmdline_split(cases[i].cmdline, &w), 0);
		assert_int_equal(vn_cmdline_panic_on_taint(w, &mask, &nouser),
				 cases[i].mask != 0);
		assert_int_equal(mask, cases[i].mask);
		assert_int_equal(nouser, cases[i].nouser);
	}
}

static void name_eq(void **state)
{
	(void)state;
	assert_true(vn_param_name_eq("a-b_c", "a_b-c", 5));
	assert_false(vn_param_name_eq("a-b", "a.b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split),
		cmocka_unit_test(split_is_linear),
		cmocka_unit_test(find_last_and_dashes),
		cmocka_unit_test(panic_on_taint_in_order),
		cmocka_unit_test(name_eq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

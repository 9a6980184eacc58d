// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/journal.h"
#include "lib/util.h"

static void fill(struct vn_record *r)
{
	char *nets[] = { "eth0", "eth1", NULL };

	*r = (struct vn_record){ .bdf = "0000:03:00.0",
				 .vendor = 0x8086,
				 .device = 0x1533,
				 .step = VN_STEP_OVERRIDE,
				 .when = 1795000000 };
	r->orig_driver = strdup("igb");
	r->orig_override = NULL;
	r->target = strdup("vfio-pci");
	r->user = strdup("alice (via sudo, uid 0)\nnext=line");
	r->netdevs = calloc(3, sizeof(char *));
	for (int i = 0; nets[i]; i++)
		r->netdevs[i] = strdup(nets[i]);
	vn_record_restore_original(r);
}

static void round_trip(void **state)
{
	struct vn_record a, b;
	_cleanup_free_ char *text = NULL;

	(void)state;
	fill(&a);
	assert_int_equal(vn_record_encode(&a, &text), 0);
	assert_int_equal(vn_record_decode(text, &b), 0);
	assert_string_equal(b.bdf, "0000:03:00.0");
	assert_int_equal(b.vendor, 0x8086);
	assert_int_equal(b.device, 0x1533);
	assert_string_equal(b.orig_driver, "igb");
	assert_null(b.orig_override);
	assert_string_equal(b.target, "vfio-pci");
	assert_string_equal(b.user, "alice (via sudo, uid 0)\nnext=line");
	assert_int_equal(strv_len(b.netdevs), 2);
	assert_string_equal(b.netdevs[1], "eth1");
	assert_int_equal(b.step, VN_STEP_OVERRIDE);
	assert_int_equal(b.when, 1795000000);
	assert_true(vn_record_unfinished(&b));
	vn_record_clear(&a);
	vn_record_clear(&b);
}

static void no_driver_no_netdevs(void **state)
{
	struct vn_record a = { .bdf = "0000:00:03.0", .step = VN_STEP_BOUND },
			 b;
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_int_equal(vn_record_encode(&a, &text), 0);
	assert_non_null(strstr(text, "original_driver=-\n"));
	assert_int_equal(vn_record_decode(text, &b), 0);
	assert_null(b.orig_driver);
	assert_int_equal(strv_len(b.netdevs), 0);
	assert_false(vn_record_unfinished(&b));
	vn_record_clear(&b);
}

static void truncated_everywhere(void **state)
{
	struct vn_record a, b;
	_cleanup_free_ char *text = NULL;
	size_t len;

	(void)state;
	fill(&a);
	assert_int_equal(vn_record_encode(&a, &text), 0);
	len = strlen(text);
	/* Every proper prefix is refused: no guess from half a record. */
	for (size_t cut = 0; cut < len; cut++) {
		char *prefix = strndup(text, cut);

		assert_int_equal(vn_record_decode(prefix, &b), -EBADMSG);
		free(prefix);
	}
	vn_record_clear(&a);
}

static void corrupt(void **state)
{
	static const char *const bad[] = {
		"garbage\n",
		"version=3\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		"version=1\nbdf=03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=sideways\n"
		"time=1\nuser=-\nend=1\n",
		"version=1\nversion=1\nbdf=0000:03:00.0\nid=8086:1533\n"
		"original_driver=igb\noriginal_override=-\ntarget=vfio-pci\n"
		"netdevs=-\nstep=bound\ntime=1\nuser=-\nend=1\n",
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\nextra=1\n",
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=ig\\qb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		/* interface lists the encoder never writes: an empty name,
		 * and "-" (none) as a name */
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=,-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=eth0,,eth1\n"
		"step=bound\ntime=1\nuser=-\nend=1\n",
		/* an empty original driver (version 1 would restore to
		 * "driver:", which no record may say) */
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		/* version 2 needs its restore intent, and a valid one */
		"version=2\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n",
		"version=2\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nrestore=sideways\n"
		"netdevs=-\nstep=bound\ntime=1\nuser=-\nend=1\n",
		"version=2\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nrestore=driver:\n"
		"netdevs=-\nstep=bound\ntime=1\nuser=-\nend=1\n",
		/* version 1 never had one */
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nrestore=probe\n"
		"netdevs=-\nstep=bound\ntime=1\nuser=-\nend=1\n",
		/* a time past time_t re-encoded as "-1" (found by
		 * fuzz-journal's round trip, tests/fuzz) */
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=18446744073709551615\nuser=-\nend=1\n",
		"",
	};
	struct vn_record b;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(vn_record_decode(bad[i], &b), -EBADMSG);
}

/* An unbind that found no record writes one saying "the kernel's
 * choice": a run killed half-way must be finished the same way, not
 * taken for "it had no driver" (issue 12's defect). */
static void restore_intent(void **state)
{
	struct vn_record a = { .bdf = "0000:00:03.0",
			       .step = VN_STEP_RESTORING,
			       .restore = VN_RESTORE_PROBE },
			 b;
	_cleanup_free_ char *text = NULL, *text2 = NULL;

	(void)state;
	assert_int_equal(vn_record_encode(&a, &text), 0);
	assert_non_null(strstr(text, "restore=probe\n"));
	assert_int_equal(vn_record_decode(text, &b), 0);
	assert_null(b.orig_driver);
	assert_int_equal(b.restore, VN_RESTORE_PROBE);
	vn_record_clear(&b);

	fill(&a);
	assert_int_equal(a.restore, VN_RESTORE_DRIVER);
	assert_int_equal(vn_record_encode(&a, &text2), 0);
	assert_non_null(strstr(text2, "restore=driver:igb\n"));
	assert_int_equal(vn_record_decode(text2, &b), 0);
	assert_int_equal(b.restore, VN_RESTORE_DRIVER);
	assert_string_equal(b.restore_driver, "igb");
	vn_record_clear(&a);
	vn_record_clear(&b);
}

/* Records written before the restore field still decode, their intent
 * taken from the original driver. */
static void version1(void **state)
{
	static const char v1_driver[] =
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=igb\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n";
	static const char v1_none[] =
		"version=1\nbdf=0000:03:00.0\nid=8086:1533\noriginal_driver=-\n"
		"original_override=-\ntarget=vfio-pci\nnetdevs=-\nstep=bound\n"
		"time=1\nuser=-\nend=1\n";
	struct vn_record b;

	(void)state;
	assert_int_equal(vn_record_decode(v1_driver, &b), 0);
	assert_int_equal(b.restore, VN_RESTORE_DRIVER);
	assert_string_equal(b.restore_driver, "igb");
	vn_record_clear(&b);
	assert_int_equal(vn_record_decode(v1_none, &b), 0);
	assert_int_equal(b.restore, VN_RESTORE_NONE);
	assert_null(b.restore_driver);
	vn_record_clear(&b);
}

static void steps(void **state)
{
	enum vn_step s;

	(void)state;
	for (int i = VN_STEP_PLANNED; i <= VN_STEP_RESTORING; i++) {
		assert_int_equal(
			vn_step_parse(vn_step_name((enum vn_step)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(vn_step_parse("done", &s), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(no_driver_no_netdevs),
		cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(corrupt),
		cmocka_unit_test(restore_intent),
		cmocka_unit_test(version1),
		cmocka_unit_test(steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

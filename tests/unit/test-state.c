// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "lib/apply.h"
#include "lib/pci.h"
#include "lib/state.h"
#include "lib/sys.h"
#include "lib/util.h"

/* ---- helpers ------------------------------------------------------------- */

static int parse(const char *text, const char *file, struct vn_state *st)
{
	return vn_state_parse(text, strlen(text), file, st);
}

/* The only error of parsing text as "f.conf" is want (exactly). */
static void one_error(const char *text, const char *want)
{
	struct vn_state st;

	vn_state_init(&st);
	assert_int_equal(parse(text, "f.conf", &st), -EINVAL);
	if (strv_len(st.errors) != 1 || !streq(st.errors[0], want))
		fail_msg("for %s\nwanted: %s\ngot %zu: %s", text, want,
			 strv_len(st.errors),
			 st.errors ? st.errors[0] : "(none)");
	vn_state_clear(&st);
}

/* ---- the format ---------------------------------------------------------- */

static void every_key(void **state)
{
	const char *text = "# a DPDK host\n"
			   "\n"
			   "[noiommu]\n"
			   "mode = on\n"
			   "[device]\n"
			   "  match   =  serial 52-54-00-FF-FF-12-34-56  \n"
			   "id = 8086:10D3\n"
			   "driver = vfio-pci\n"
			   "owner = dpdk\n"
			   "group = 1001\n"
			   "mode = 660\n"
			   "\t[device]\r\n"
			   "match = path 00:06.0/00.0/01.0\r\n"
			   "id = 1234:11e8:1af4:1100\n";
	struct vn_state st;
	const struct vn_entry *e;

	(void)state;
	vn_state_init(&st);
	assert_int_equal(parse(text, "/etc/vfio-noiommuctl/a.conf", &st), 0);
	assert_null(st.errors);
	assert_int_equal(st.noiommu, 1);
	assert_string_equal(st.noiommu_file, "/etc/vfio-noiommuctl/a.conf");
	assert_int_equal(st.noiommu_line, 4);
	assert_int_equal(st.n, 2);
	e = &st.v[0];
	assert_int_equal(e->line, 5);
	assert_int_equal(e->match.kind, VN_IDENT_SERIAL);
	assert_string_equal(e->match.value, "52-54-00-ff-ff-12-34-56");
	assert_true(e->has_id && !e->id.has_sub);
	assert_int_equal(e->id.vendor, 0x8086);
	assert_int_equal(e->id.device, 0x10d3);
	assert_string_equal(e->driver, "vfio-pci");
	assert_true(e->has_owner && e->has_group && e->has_mode);
	assert_string_equal(e->owner_name, "dpdk");
	assert_int_equal(e->uid, (uid_t)-1); /* a name, not resolved yet */
	assert_int_equal(e->owner_line, 9);
	assert_int_equal(e->gid, 1001);
	assert_int_equal(e->mode, 0660);
	e = &st.v[1];
	assert_int_equal(e->line, 12);
	assert_int_equal(e->match.kind, VN_IDENT_PATH);
	assert_string_equal(e->match.value, "0000:00:06.0/00.0/01.0");
	assert_true(e->id.has_sub);
	assert_int_equal(e->id.subdevice, 0x1100);
	assert_string_equal(e->driver, "vfio-pci"); /* the default */
	assert_false(e->has_owner || e->has_group || e->has_mode);
	vn_state_clear(&st);
}

static const struct {
	const char *in, *out;
} ident_ok[] = {
	{ "serial 00-1B-21-ff-ff-a1-b2-c3", "serial 00-1b-21-ff-ff-a1-b2-c3" },
	{ "serial\t00-1b-21-ff-ff-a1-b2-c3.1",
	  "serial 00-1b-21-ff-ff-a1-b2-c3.1" },
	{ "path 0000:00:1c.0", "path 0000:00:1c.0" },
	{ "path 00:06.0/00.0/1F.7", "path 0000:00:06.0/00.0/1f.7" },
	{ "path 10000:E0:06.0/00.0", "path 10000:e0:06.0/00.0" },
	{ "id 8086:10D3", "id 8086:10d3" },
	{ "id 8086:10d3:8086:A01F", "id 8086:10d3:8086:a01f" },
	{ "bdf 3:0.1", "bdf 0000:03:00.1" },
	{ "bdf 0001:03:00.0", "bdf 0001:03:00.0" },
};
static const char *const ident_bad[] = {
	"serial",
	"serial 00-1b-21-ff-ff-a1-b2",
	"serial 00-1b-21-ff-ff-a1-b2-c3-d4",
	"serial 001b21ffffa1b2c3",
	"serial 00-1b-21-ff-ff-a1-b2-c3.8",
	"serial 00-1b-21-ff-ff-a1-b2-c3.",
	"serial 00-1b-21-ff-ff-a1-b2-c",
	"serial 00-00-00-00-00-00-00-00",
	"serial ff-ff-ff-ff-ff-ff-ff-ff",
	"path",
	"path 0000:00:06.0/",
	"path 0000:00:06.0//00.0",
	"path /0000:00:06.0",
	"path 0000:00:06.0/00.8",
	"path 0000:00:06.0/20.0",
	"path 0000:00:06.0/0.0",
	"path 0000:00:06.0/00.0.0",
	"path 06.0",
	"id 8086",
	"id 8086:10d",
	"id 8086:10d3:8086",
	"id 8086:10d3:",
	"bdf 0000:03:00",
	"bdf 03:20.0",
	"bdf x",
	"uuid 1234",
	"serial a b",
	"",
	"bdf",
	"bdf  ",
};
static void identities(void **state)
{
	char buf[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ident_ok); i++) {
		struct vn_ident id = { 0 };
		const char *why;

		assert_int_equal(vn_ident_parse(ident_ok[i].in, &id, &why), 0);
		snprintf(buf, sizeof(buf), "%s %s", vn_ident_kind_name(id.kind),
			 id.value);
		assert_string_equal(buf, ident_ok[i].out);
		vn_ident_clear(&id);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ident_bad); i++) {
		struct vn_ident id = { 0 };
		const char *why = NULL;

		if (vn_ident_parse(ident_bad[i], &id, &why) != -EINVAL)
			fail_msg("accepted: %s", ident_bad[i]);
		assert_non_null(why);
		assert_null(id.value);
	}
}

static void errors_with_lines(void **state)
{
	(void)state;
	one_error("[device]\nmatch = bdf 03:00.0\n[devices]\nmatch = x\n",
		  "f.conf:3: unknown section [devices]: expected [device] or "
		  "[noiommu]");
	one_error("[device]\nmatch = bdf 03:00.0\ncolour = blue\n",
		  "f.conf:3: unknown key colour in [device]");
	one_error("[noiommu]\nmode = on\nowner = x\n",
		  "f.conf:3: unknown key owner in [noiommu]");
	one_error("# top\nmatch = bdf 03:00.0\n[device]\nmatch = bdf 03:00.0\n",
		  "f.conf:2: match is outside a section: put it under [device] "
		  "or [noiommu]");
	one_error("[device]\nmatch = bdf 03:00.0\nmode = 0600\nmode = 0660\n",
		  "f.conf:4: mode is given twice in this [device] (first at "
		  "line 3)");
	one_error("[device]\nid = 8086:10d3\n\n[device]\nmatch = bdf 1:0.0\n",
		  "f.conf:1: [device] has no 'match = KIND VALUE'");
	one_error("[noiommu]\n", "f.conf:1: [noiommu] has no 'mode = on|off'");
	one_error(
		"[device]\nmatch bdf 03:00.0\n",
		"f.conf:2: expected 'key = value', a [section] or a # comment");
}

static void errors_in_values(void **state)
{
	(void)state;
	one_error("[device]\nmatch = bdf 03:00.0\ndriver = igb\n",
		  "f.conf:3: driver = igb: only vfio-pci is supported");
	one_error("[device]\nmatch = bdf 03:00.0\nmode = 0666 # rw\n",
		  "f.conf:3: mode = 0666 # rw: expected octal permission bits, "
		  "e.g. 0660");
	one_error("[device]\nmatch = bdf 03:00.0\nmode = 4755\n",
		  "f.conf:3: mode = 4755: expected octal permission bits, e.g. "
		  "0660");
	one_error("[device]\nmatch = bdf 03:00.0\nowner = a b\n",
		  "f.conf:3: owner = a b: expected a user name or number");
	one_error(
		"[device]\nmatch = bdf 03:00.0\ngroup = 4294967295\n",
		"f.conf:3: group = 4294967295: expected a group name or number");
	one_error(
		"[device]\nmatch = bdf 03:00.0\nid = 8086\n",
		"f.conf:3: id = 8086: expected VVVV:DDDD or VVVV:DDDD:SVVV:SDDD "
		"(4 hex digits each)");
	one_error(
		"[device]\nmatch = id 8086:10d3\nid = 8086:10d3\n",
		"f.conf:3: id = only cross-checks serial, path and bdf matches: "
		"this entry matches by id already");
	one_error("[device]\nmatch = bdf 03:00.0\nowner = \"dpdk\n",
		  "f.conf:3: owner: unbalanced double quotes");
	one_error("[device]\nmatch = bdf 03:00.0\nowner = \"\"\n",
		  "f.conf:3: owner has no value");
	one_error("[device]\nmatch =\n", "f.conf:2: match has no value");
	one_error("[noiommu]\nmode = yes\n",
		  "f.conf:2: mode = yes: expected on or off");
	one_error("[noiommu]\nmode = on\n[noiommu]\nmode = off\n",
		  "f.conf:3: [noiommu] is declared at line 1 already: a file "
		  "sets the mode once");
	one_error("[device]\nmatch = bdf 03:00.0\n[device]\nmatch = bdf "
		  "0000:03:00.0\n",
		  "f.conf:3: the same device is declared at line 1 already: a "
		  "file names it once");
	one_error(
		"[device]\nmatch = serial 00-00-00-00-00-00-00-00\n",
		"f.conf:2: match = serial 00-00-00-00-00-00-00-00: expected a "
		"real serial number: all zeros or all ones is a placeholder "
		"that many devices carry");
	one_error("[device]\nmatch = uuid x\n",
		  "f.conf:2: match = uuid x: expected KIND VALUE, KIND one of "
		  "serial, path, id, bdf");
	one_error(
		"[device]\nmatch = bdf 3:0.0\nowner = \x1b[31m\n",
		"f.conf:3: owner = \\x1b[31m: expected a user name or number");
}

static void errors_all_collected(void **state)
{
	const char *text = "[device]\n"
			   "match = bdf 03:00.0\n"
			   "colour = blue\n" /* 3 */
			   "[device]\n" /* 4: no match */
			   "mode = 9\n" /* 5 */
			   "[device]\n"
			   "match = bdf 04:00.0\n" /* kept */
			   "[bogus]\n" /* 8 */
			   "key = ignored under it\n"
			   "[noiommu]\n"
			   "mode = maybe\n"; /* 11 */
	struct vn_state st;

	(void)state;
	vn_state_init(&st);
	assert_int_equal(parse(text, "f.conf", &st), -EINVAL);
	assert_int_equal(strv_len(st.errors), 5);
	assert_true(startswith(st.errors[0], "f.conf:3: "));
	assert_true(startswith(st.errors[1], "f.conf:5: "));
	assert_true(startswith(st.errors[2], "f.conf:4: "));
	assert_true(startswith(st.errors[3], "f.conf:8: "));
	assert_true(startswith(st.errors[4], "f.conf:11: "));
	/* The entry read without error is kept, for diagnostics. */
	assert_int_equal(st.n, 1);
	assert_string_equal(st.v[0].match.value, "0000:04:00.0");
	assert_int_equal(st.noiommu, -1);
	vn_state_clear(&st);
}

static void quoting_and_blanks(void **state)
{
	const char *text = "[device]\n"
			   "match = \"serial 00-1b-21-ff-ff-a1-b2-c3\"\n"
			   " owner=\"dpdk\" \n"
			   "group =\t\"dpdk\"\n"
			   "\t# a comment, after blanks\n"
			   "mode = \"0660\"\n";
	struct vn_state st;

	(void)state;
	vn_state_init(&st);
	assert_int_equal(parse(text, "f.conf", &st), 0);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.v[0].match.value, "00-1b-21-ff-ff-a1-b2-c3");
	assert_string_equal(st.v[0].owner_name, "dpdk");
	assert_string_equal(st.v[0].group_name, "dpdk");
	assert_int_equal(st.v[0].mode, 0660);
	vn_state_clear(&st);
	/* Quotes inside a value are an error, not part of it. */
	one_error("[device]\nmatch = bdf 03:00.0\nowner = \"a\"b\"\n",
		  "f.conf:3: owner: unbalanced double quotes");
	one_error("[device]\nmatch = bdf 03:00.0\nowner = a\"b\n",
		  "f.conf:3: owner = a\"b: expected a user name or number");
}

static void caps(void **state)
{
	char line[VN_STATE_LINE_MAX + 2];
	_cleanup_free_ char *text = NULL, *many = NULL;
	struct vn_state st;
	size_t pad;

	(void)state;
	/* A line of exactly the cap is read; one byte more is an error. */
	pad = VN_STATE_LINE_MAX - strlen("# ");
	snprintf(line, sizeof(line), "# %*s", (int)pad, "x");
	assert_int_equal(strlen(line), VN_STATE_LINE_MAX);
	assert_int_equal(xasprintf(&text, "%s\n[noiommu]\nmode = on\n", line),
			 0);
	vn_state_init(&st);
	assert_int_equal(parse(text, "f.conf", &st), 0);
	vn_state_clear(&st);
	free(text);
	assert_int_equal(xasprintf(&text, "%sx\n", line), 0);
	one_error(text, "f.conf:1: longer than 1024 bytes");

	/* A NUL byte ends the file: a binary file says so once. */
	vn_state_init(&st);
	assert_int_equal(vn_state_parse("[noiommu]\nmo\0de = on\nx\n", 21,
					"f.conf", &st),
			 -EINVAL);
	assert_int_equal(strv_len(st.errors), 1);
	assert_string_equal(st.errors[0],
			    "f.conf:2: a NUL byte: this is not a text file");
	vn_state_clear(&st);

	/* Errors beyond the cap are counted, not kept. */
	many = malloc(100 * 4 + 1);
	for (int i = 0; i < 100; i++)
		memcpy(many + i * 4, "xx\n\n", 4);
	many[400] = '\0';
	vn_state_init(&st);
	assert_int_equal(parse(many, "f.conf", &st), -EINVAL);
	assert_int_equal(strv_len(st.errors), VN_STATE_ERRORS_MAX);
	assert_int_equal(st.dropped, 100 - VN_STATE_ERRORS_MAX);
	vn_state_clear(&st);
}

static void precedence_across_files(void **state)
{
	struct vn_state st;

	(void)state;
	vn_state_init(&st);
	assert_int_equal(parse("[device]\nmatch = bdf 03:00.0\nowner = 1000\n"
			       "mode = 0600\n[device]\nmatch = id 8086:10d3\n"
			       "[noiommu]\nmode = off\n",
			       "/etc/vfio-noiommuctl/10-a.conf", &st),
			 0);
	assert_int_equal(parse("\n[device]\nmatch = bdf 0000:03:00.0\n"
			       "group = 2000\n[noiommu]\nmode = on\n",
			       "/etc/vfio-noiommuctl/20-b.conf", &st),
			 0);
	/* The whole entry is replaced: no owner or mode from 10-a. */
	assert_int_equal(st.n, 2);
	assert_string_equal(st.v[0].match.value, "8086:10d3");
	assert_string_equal(st.v[1].match.value, "0000:03:00.0");
	assert_string_equal(st.v[1].file, "/etc/vfio-noiommuctl/20-b.conf");
	assert_int_equal(st.v[1].line, 2);
	assert_false(st.v[1].has_owner || st.v[1].has_mode);
	assert_true(st.v[1].has_group);
	assert_string_equal(st.v[1].replaces,
			    "/etc/vfio-noiommuctl/10-a.conf:1");
	assert_null(st.v[0].replaces);
	assert_int_equal(st.noiommu, 1);
	assert_string_equal(st.noiommu_file, "/etc/vfio-noiommuctl/20-b.conf");
	assert_int_equal(st.noiommu_line, 6);
	vn_state_clear(&st);
}

static void names_resolved(void **state)
{
	const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			     "+nis::::::\n"
			     "dpdk:x:1001:1001::/home/dpdk:/bin/sh\n"
			     "dpdk:x:1002:1002:second, ignored::\n"
			     "bad:x:notanumber:0::/:/bin/sh\n"
			     "tail:x:4242:4242::/:";
	const char *group = "root:x:0:\ndpdk:x:2001:alice\nkvm::36";
	struct vn_state st;

	(void)state;
	vn_state_init(&st);
	assert_int_equal(parse("[device]\nmatch = bdf 1:0.0\nowner = dpdk\n"
			       "group = dpdk\n[device]\nmatch = bdf 2:0.0\n"
			       "owner = 77\ngroup = kvm\n[device]\n"
			       "match = bdf 3:0.0\nowner = tail\n",
			       "f.conf", &st),
			 0);
	assert_int_equal(vn_state_resolve_names(&st, passwd, group, ""), 0);
	assert_int_equal(st.v[0].uid, 1001);
	assert_int_equal(st.v[0].gid, 2001);
	assert_int_equal(st.v[1].uid, 77);
	assert_int_equal(st.v[1].gid, 36);
	assert_int_equal(st.v[2].uid, 4242);
	vn_state_clear(&st);

	vn_state_init(&st);
	assert_int_equal(parse("[device]\nmatch = bdf 1:0.0\nowner = nobody\n"
			       "group = bad\n[device]\nmatch = bdf 2:0.0\n"
			       "owner = bad\n",
			       "f.conf", &st),
			 0);
	assert_int_equal(vn_state_resolve_names(&st, passwd, NULL, "/img"),
			 -EINVAL);
	assert_int_equal(strv_len(st.errors), 3);
	assert_string_equal(st.errors[0], "f.conf:3: owner = nobody: no such "
					  "user in /img/etc/passwd");
	assert_string_equal(
		st.errors[1],
		"f.conf:4: group = bad: cannot be looked up: cannot "
		"read /img/etc/group");
	/* A line whose id is not a number is not that user. */
	assert_string_equal(st.errors[2], "f.conf:7: owner = bad: no such "
					  "user in /img/etc/passwd");
	vn_state_clear(&st);
}

static void render_round_trip(void **state)
{
	static const char *const texts[] = {
		"[device]\nmatch = serial 52-54-00-ff-ff-12-34-56.1\n"
		"id = 8086:10d3:8086:0000\nowner = dpdk\ngroup = 1001\n"
		"mode = 660\n",
		"[device]\nmatch = path 0:6.0/00.0/01.0\nid = 1234:11e8\n",
		"[device]\nmatch = id 1234:11e8\nmode = 000\n",
		"[device]\nmatch = bdf 3:0.0\n",
	};
	_cleanup_free_ char *text = NULL, *again = NULL, *name = NULL;
	struct vn_state a, b;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		vn_state_init(&a);
		vn_state_init(&b);
		assert_int_equal(parse(texts[i], "a.conf", &a), 0);
		assert_int_equal(vn_entry_render(&a.v[0], "by alice\nline\x1b",
						 &text),
				 0);
		assert_true(startswith(text, "# by alice\n# line\\x1b\n"));
		assert_int_equal(parse(text, "b.conf", &b), 0);
		assert_int_equal(b.n, 1);
		assert_true(vn_ident_equal(&a.v[0].match, &b.v[0].match));
		assert_int_equal(a.v[0].has_id, b.v[0].has_id);
		assert_memory_equal(&a.v[0].id, &b.v[0].id, sizeof(a.v[0].id));
		assert_true(streq_ptr(a.v[0].owner_name, b.v[0].owner_name));
		assert_true(streq_ptr(a.v[0].group_name, b.v[0].group_name));
		assert_int_equal(a.v[0].mode, b.v[0].mode);
		assert_int_equal(a.v[0].has_mode, b.v[0].has_mode);
		/* Rendering what was parsed from a rendering is stable. */
		assert_int_equal(vn_entry_render(&b.v[0], "by alice\nline\x1b",
						 &again),
				 0);
		assert_string_equal(text, again);
		free(text);
		free(again);
		text = again = NULL;
		vn_state_clear(&a);
		vn_state_clear(&b);
	}
	assert_int_equal(vn_noiommu_render(true, NULL, &text), 0);
	assert_string_equal(text, "[noiommu]\nmode = on\n");
	vn_state_init(&a);
	assert_int_equal(parse(text, "n.conf", &a), 0);
	assert_int_equal(a.noiommu, 1);
	vn_state_clear(&a);
	(void)name;
}

static void render_refuses(void **state)
{
	struct vn_entry e = { .match = { VN_IDENT_BDF, "0000:03:00.0" } };
	char *text = NULL;

	(void)state;
	e.has_owner = true;
	e.owner_name = "a b";
	assert_int_equal(vn_entry_render(&e, NULL, &text), -EINVAL);
	e.owner_name = NULL;
	e.uid = 1000;
	assert_int_equal(vn_entry_render(&e, NULL, &text), 0);
	assert_string_equal(text, "[device]\nmatch = bdf 0000:03:00.0\n"
				  "driver = vfio-pci\nowner = 1000\n");
	free(text);
	e.match.value = "3:0.0"; /* not canonical */
	assert_int_equal(vn_entry_render(&e, NULL, &text), -EINVAL);
	e.match.value = "0000:03:00.0\n[noiommu]";
	assert_int_equal(vn_entry_render(&e, NULL, &text), -EINVAL);
}

static void file_names(void **state)
{
	static const struct {
		struct vn_ident id;
		const char *name;
	} t[] = {
		{ { VN_IDENT_SERIAL, "52-54-00-ff-ff-12-34-56" },
		  "50-serial-52-54-00-ff-ff-12-34-56.conf" },
		{ { VN_IDENT_SERIAL, "52-54-00-ff-ff-12-34-56.1" },
		  "50-serial-52-54-00-ff-ff-12-34-56.1.conf" },
		{ { VN_IDENT_PATH, "0000:00:06.0/00.0/01.0" },
		  "50-path-0000-00-06.0_00.0_01.0.conf" },
		{ { VN_IDENT_ID, "8086:10d3" }, "50-id-8086-10d3.conf" },
		{ { VN_IDENT_BDF, "0000:03:00.0" },
		  "50-bdf-0000-03-00.0.conf" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		_cleanup_free_ char *name = NULL;

		assert_int_equal(vn_entry_file_name(&t[i].id, &name), 0);
		assert_string_equal(name, t[i].name);
	}
}

/* ---- Device Serial Number and path ------------------------------------- */

static void cfg_init(uint8_t *cfg, unsigned int vendor, unsigned int device,
		     bool multifunction)
{
	memset(cfg, 0, 4096);
	cfg[0] = vendor & 0xff;
	cfg[1] = vendor >> 8;
	cfg[2] = device & 0xff;
	cfg[3] = device >> 8;
	cfg[0x0e] = multifunction ? 0x80 : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An extended capability header at `at`: id, version 1, next. */
static void cfg_cap(uint8_t *cfg, size_t at, unsigned int id, size_t next)
{
	put32(cfg + at, id | 1u << 16 | (uint32_t)next << 20);
}

static void cfg_dsn(uint8_t *cfg, size_t at, size_t next, uint64_t dsn)
{
	cfg_cap(cfg, at, 0x0003, next);
	put32(cfg + at + 4, (uint32_t)dsn);
	put32(cfg + at + 8, (uint32_t)(dsn >> 32));
}

static void dsn_parser(void **state)
{
	uint8_t cfg[4096];
	uint64_t dsn = 0;
	char s[VN_SERIAL_MAX];

	(void)state;
	/* First in the chain. */
	cfg_init(cfg, 0x8086, 0x10d3, false);
	cfg_dsn(cfg, 0x100, 0, 0x525400ffff123456ull);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 1);
	vn_dsn_format(dsn, s);
	assert_string_equal(s, "52-54-00-ff-ff-12-34-56");
	/* Behind AER and another capability, out of address order. */
	cfg_init(cfg, 0x8086, 0x1521, true);
	cfg_cap(cfg, 0x100, 0x0001, 0x1c0);
	cfg_cap(cfg, 0x1c0, 0x000e, 0x140);
	cfg_dsn(cfg, 0x140, 0x200, 0x001b21ffffa1b2c3ull);
	cfg_cap(cfg, 0x200, 0x0010, 0);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 1);
	assert_true(dsn == 0x001b21ffffa1b2c3ull);
	/* Config space cut short before the serial's dwords. */
	assert_int_equal(vn_dsn_from_config(cfg, 0x148, &dsn), 0);
	/* Without the capability; a conventional 256-byte space. */
	cfg_init(cfg, 0x1234, 0x11e8, false);
	cfg_cap(cfg, 0x100, 0x0001, 0);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	assert_int_equal(vn_dsn_from_config(cfg, 256, &dsn), 0);
	assert_int_equal(vn_dsn_from_config(cfg, 64, &dsn), 0);
	assert_int_equal(vn_dsn_from_config(cfg, 0, &dsn), 0);
	/* An empty list (header 0). */
	cfg_init(cfg, 0x1234, 0x11e8, false);
	cfg_dsn(cfg, 0x140, 0, 0x1122334455667788ull);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	/* A broken chain: next points into the standard header. */
	cfg_cap(cfg, 0x100, 0x0001, 0x40);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	/* A loop: to itself, and between two capabilities. */
	cfg_cap(cfg, 0x100, 0x0001, 0x100);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	cfg_cap(cfg, 0x100, 0x0001, 0x180);
	cfg_cap(cfg, 0x180, 0x0002, 0x100);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	/* An all-ones header (lspci stops there; the kernel's bounded walk
	 * finds nothing). */
	put32(cfg + 0x100, 0xffffffff);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	/* Placeholders are no serial. */
	cfg_dsn(cfg, 0x100, 0, 0);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	cfg_dsn(cfg, 0x100, 0, UINT64_MAX);
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), 0);
	/* A function that does not answer. */
	memset(cfg, 0xff, sizeof(cfg));
	assert_int_equal(vn_dsn_from_config(cfg, 4096, &dsn), -EIO);
}

/* QEMU 7.2's e1000e (-device e1000e, MAC 52:54:00:12:34:56) as Linux 7.3
 * reads its config space in the VM tier's machine: AER at 0x100, then the
 * DSN at 0x140, which QEMU derives from the MAC (hw/net/e1000e.c). */
static const struct {
	size_t at;
	uint8_t bytes[16];
} qemu_e1000e[] = {
	{ 0x000,
	  { 0x86, 0x80, 0xd3, 0x10, 0x07, 0x05, 0x10, 0x00, 0x00, 0x00, 0x00,
	    0x02, 0x00, 0x00, 0x00, 0x00 } },
	{ 0x100,
	  { 0x01, 0x00, 0x02, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x30, 0x20, 0x46, 0x00 } },
	{ 0x140,
	  { 0x03, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0xff, 0xff, 0x00, 0x54,
	    0x52, 0x00, 0x00, 0x00, 0x00 } },
};

static void dsn_of_qemu_e1000e(void **state)
{
	uint8_t cfg[4096] = { 0 };
	uint64_t dsn = 0;
	char s[VN_SERIAL_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(qemu_e1000e); i++)
		memcpy(cfg + qemu_e1000e[i].at, qemu_e1000e[i].bytes, 16);
	assert_int_equal(vn_dsn_from_config(cfg, sizeof(cfg), &dsn), 1);
	vn_dsn_format(dsn, s);
	/* What lspci -vv prints for it: "Device Serial Number 52-54-00-ff-
	 * ff-12-34-56". */
	assert_string_equal(s, "52-54-00-ff-ff-12-34-56");
	/* What a reader without CAP_SYS_ADMIN gets: no extended space. */
	assert_int_equal(vn_dsn_from_config(cfg, 64, &dsn), 0);
}

/* An SR-IOV VF of QEMU's nvme (0000:04:00.1 in the VM tier): its vendor
 * and device registers read all ones, as the SR-IOV specification has
 * them; the kernel takes the IDs from the PF. Still a device that answers,
 * with ARI at 0x100 and no DSN. */
static void dsn_of_a_vf(void **state)
{
	static const uint8_t head[16] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
					  0x10, 0x00, 0x02, 0x02, 0x08, 0x01 };
	uint8_t cfg[4096] = { 0 };
	uint64_t dsn = 0;

	(void)state;
	memcpy(cfg, head, sizeof(head));
	cfg_cap(cfg, 0x100, 0x000e, 0);
	assert_int_equal(vn_dsn_from_config(cfg, sizeof(cfg), &dsn), 0);
}

static void paths(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "../../../devices/pci0000:00/0000:00:02.0", "0000:00:02.0" },
		{ "../../../devices/pci0000:00/0000:00:06.0/0000:02:00.0/"
		  "0000:03:01.0",
		  "0000:00:06.0/00.0/01.0" },
		{ "/sys/devices/pci0000:80/0000:80:03.1/0000:81:00.1",
		  "0000:80:03.1/00.1" },
		{ "/sys/devices/platform/soc/1f00000.pcie/pci0002:00/"
		  "0002:00:00.0/0002:01:00.0/",
		  "0002:00:00.0/00.0" },
		/* VMD: the chain starts at the last root bus. */
		{ "../../../devices/pci0000:00/0000:00:0e.0/pci10000:e0/"
		  "10000:e0:06.0/10000:e1:00.0",
		  "10000:e0:06.0/00.0" },
	};
	static const char *const bad[] = {
		"../../../devices/0000:00:02.0",
		"../../../devices/pci0000:00",
		"../../../devices/pci0000:00/",
		"../../../devices/pci0000:00/0000:00:02.0/net",
		"../../../devices/pci0000:00/0000:00:02.0//0000:01:00.0",
		"../../../devices/pcixyz:00/0000:00:02.0",
		"",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		_cleanup_free_ char *p = NULL;

		assert_int_equal(vn_pci_path_from_syspath(t[i].in, &p), 0);
		assert_string_equal(p, t[i].out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *p = NULL;

		if (vn_pci_path_from_syspath(bad[i], &p) != -EINVAL)
			fail_msg("accepted %s as %s", bad[i], p);
	}
}

/* ---- trees on disk --------------------------------------------------------- */

#include <ftw.h>

static char root[256];

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(buf, 0755);
		*p = '/';
	}
}

static void put(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdirs(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void put_link(const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdirs(path);
	assert_int_equal(symlink(target, path), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int tree_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/test-state-XXXXXX",
		 tmp ? tmp : "/tmp");
	return mkdtemp(root) ? 0 : -1;
}

static int tree_teardown(void **state)
{
	(void)state;
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A PCI function under chain ("pci0000:00/0000:00:06.0/0000:02:00.0"),
 * with config space when cfg is given. */
static void pci_dev(const char *chain, const char *bdf, unsigned int vendor,
		    unsigned int device, const uint8_t *cfg, size_t len)
{
	char d[256], f[300], v[16];

	snprintf(d, sizeof(d), "sys/devices/%s/%s", chain, bdf);
	snprintf(f, sizeof(f), "%s/vendor", d);
	snprintf(v, sizeof(v), "0x%04x\n", vendor);
	put_text(f, v);
	snprintf(f, sizeof(f), "%s/device", d);
	snprintf(v, sizeof(v), "0x%04x\n", device);
	put_text(f, v);
	snprintf(f, sizeof(f), "%s/subsystem_vendor", d);
	put_text(f, "0x8086\n");
	snprintf(f, sizeof(f), "%s/subsystem_device", d);
	put_text(f, "0x0000\n");
	snprintf(f, sizeof(f), "%s/class", d);
	put_text(f, "0x020000\n");
	if (cfg) {
		snprintf(f, sizeof(f), "%s/config", d);
		put(f, cfg, len);
	}
	snprintf(f, sizeof(f), "sys/bus/pci/devices/%s", bdf);
	snprintf(d, sizeof(d), "../../../devices/%s/%s", chain, bdf);
	put_link(f, d);
}

static void read_state(struct vn_state *st, int want)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;

	assert_int_equal(vn_sys_new(root, &sys), 0);
	assert_int_equal(vn_state_read(sys, st), want);
}

static void read_directory(void **state)
{
	char buf[512];
	struct vn_state st;

	(void)state;
	/* No directory: nothing declared. */
	read_state(&st, 0);
	assert_int_equal(st.n, 0);
	assert_int_equal(strv_len(st.files), 0);
	vn_state_clear(&st);

	put_text("etc/passwd",
		 "root:x:0:0::/root:/bin/sh\ndpdk:x:990:990::/:\n");
	put_text("etc/group", "root:x:0:\ndpdk:x:991:\n");
	put_text("etc/vfio-noiommuctl/20-b.conf",
		 "[device]\nmatch = bdf 3:0.0\nowner = dpdk\n");
	put_text("etc/vfio-noiommuctl/10-a.conf",
		 "[device]\nmatch = bdf 3:0.0\ngroup = dpdk\n[noiommu]\n"
		 "mode = on\n");
	/* An absolute link in the image names the image's file. */
	put_text("etc/vfio-noiommuctl/shared/c.txt",
		 "[device]\nmatch = id 1234:11e8\n");
	put_link("etc/vfio-noiommuctl/30-c.conf",
		 "/etc/vfio-noiommuctl/shared/c.txt");
	put_text("etc/vfio-noiommuctl/.40-hidden.conf", "garbage\n");
	put_text("etc/vfio-noiommuctl/README", "garbage\n");
	put_text("etc/vfio-noiommuctl/50-e.conf~", "garbage\n");
	read_state(&st, 0);
	assert_null(st.errors);
	assert_int_equal(strv_len(st.files), 3);
	snprintf(buf, sizeof(buf), "%s/etc/vfio-noiommuctl/10-a.conf", root);
	assert_string_equal(st.files[0], buf);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.v[0].match.value, "0000:03:00.0");
	assert_false(st.v[0].has_group); /* 20-b replaced it whole */
	assert_int_equal(st.v[0].uid, 990);
	assert_string_equal(st.v[1].match.value, "1234:11e8");
	assert_int_equal(st.noiommu, 1);
	vn_state_clear(&st);
}

static void read_errors(void **state)
{
	char buf[1024], dir[512];
	struct vn_state st;

	(void)state;
	put_text("etc/vfio-noiommuctl/10-a.conf",
		 "[device]\nmatch = bdf 3:0.0\nowner = nobody\n");
	put_text("etc/vfio-noiommuctl/20-dir.conf/x", "");
	snprintf(dir, sizeof(dir), "%s/etc/vfio-noiommuctl", root);
	snprintf(buf, sizeof(buf), "%s/30-fifo.conf", dir);
	assert_int_equal(mkfifo(buf, 0644), 0);
	put_link("etc/vfio-noiommuctl/40-gone.conf", "/nowhere");
	read_state(&st, -EINVAL);
	assert_int_equal(strv_len(st.errors), 4);
	snprintf(buf, sizeof(buf),
		 "%s/20-dir.conf: cannot be read: a "
		 "directory, not a file",
		 dir);
	assert_string_equal(st.errors[0], buf);
	snprintf(buf, sizeof(buf),
		 "%s/30-fifo.conf: cannot be read: not a "
		 "regular file",
		 dir);
	assert_string_equal(st.errors[1], buf);
	snprintf(buf, sizeof(buf),
		 "%s/40-gone.conf: cannot be read: No such "
		 "file or directory",
		 dir);
	assert_string_equal(st.errors[2], buf);
	/* No /etc/passwd in the root. */
	snprintf(buf, sizeof(buf),
		 "%s/10-a.conf:3: owner = nobody: cannot "
		 "be looked up: cannot read %s/etc/passwd",
		 dir, root);
	assert_string_equal(st.errors[3], buf);
	vn_state_clear(&st);
}

static void read_too_big(void **state)
{
	_cleanup_free_ char *big = calloc(1, VN_STATE_FILE_MAX + 1);
	char want[512];
	struct vn_state st;

	(void)state;
	memset(big, '#', VN_STATE_FILE_MAX);
	for (size_t i = 100; i < VN_STATE_FILE_MAX; i += 100)
		big[i] = '\n';
	put("etc/vfio-noiommuctl/a.conf", big, VN_STATE_FILE_MAX);
	read_state(&st, 0);
	vn_state_clear(&st);
	put("etc/vfio-noiommuctl/a.conf", big, VN_STATE_FILE_MAX + 1);
	read_state(&st, -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/etc/vfio-noiommuctl/a.conf: cannot "
		 "be read: larger than 1 MiB: not a configuration file",
		 root);
	assert_int_equal(strv_len(st.errors), 1);
	assert_string_equal(st.errors[0], want);
	vn_state_clear(&st);
}

/* ---- matching ------------------------------------------------------------- */

#define E1000E_DSN 0x525400ffff123456ull
#define DUAL_DSN 0x001b21ffffa1b2c3ull

/*
 * The test machine of tests/vm/README.md, in part: e1000e at e1000e_bdf
 * (with its DSN), an edu on the root bus at edu_bdf (256-byte config
 * space), two edus behind the PCI bridge, and a dual-port card whose two
 * functions share one DSN (function 1 with another device ID).
 */
static void host(const char *e1000e_bdf, const char *edu_bdf)
{
	uint8_t cfg[4096];
	char chain[64];

	cfg_init(cfg, 0x8086, 0x10d3, false);
	cfg_dsn(cfg, 0x100, 0, E1000E_DSN);
	pci_dev("pci0000:00", e1000e_bdf, 0x8086, 0x10d3, cfg, 4096);
	cfg_init(cfg, 0x1234, 0x11e8, false);
	pci_dev("pci0000:00", edu_bdf, 0x1234, 0x11e8, cfg, 256);
	cfg_init(cfg, 0x1b36, 0x000c, false);
	cfg_cap(cfg, 0x100, 0x0001, 0);
	pci_dev("pci0000:00", "0000:00:06.0", 0x1b36, 0x000c, cfg, 4096);
	pci_dev("pci0000:00/0000:00:06.0", "0000:02:00.0", 0x1b36, 0x000e, cfg,
		4096);
	snprintf(chain, sizeof(chain), "pci0000:00/0000:00:06.0/0000:02:00.0");
	cfg_init(cfg, 0x1234, 0x11e8, false);
	pci_dev(chain, "0000:03:01.0", 0x1234, 0x11e8, cfg, 256);
	pci_dev(chain, "0000:03:02.0", 0x1234, 0x11e8, cfg, 256);
	cfg_init(cfg, 0x8086, 0x1521, true);
	cfg_cap(cfg, 0x100, 0x0001, 0x140);
	cfg_dsn(cfg, 0x140, 0, DUAL_DSN);
	pci_dev("pci0000:00/0000:00:07.0", "0000:04:00.0", 0x8086, 0x1521, cfg,
		4096);
	pci_dev("pci0000:00/0000:00:07.0", "0000:04:00.1", 0x8086, 0x1522, cfg,
		4096);
}

struct matched {
	struct vn_sys *sys;
	struct vn_state st;
	struct vn_dev_list devs;
	struct vn_matches m;
};

static void match_text(struct matched *x, const char *text)
{
	vn_state_init(&x->st);
	assert_int_equal(parse(text, "f.conf", &x->st), 0);
	assert_int_equal(vn_sys_new(root, &x->sys), 0);
	assert_int_equal(vn_dev_read_all(x->sys, &x->devs), 0);
	assert_int_equal(vn_state_match(x->sys, &x->st, &x->devs, &x->m), 0);
	assert_int_equal(x->m.n, x->st.n);
}

static void matched_clear(struct matched *x)
{
	vn_matches_clear(&x->m);
	vn_dev_list_clear(&x->devs);
	vn_state_clear(&x->st);
	vn_sys_free(x->sys);
}

/* Entry i's result, its devices (joined by ' '), and its reason. */
static void expect(const struct matched *x, size_t i, enum vn_match_result r,
		   const char *bdfs, const char *reason)
{
	const struct vn_match *mt = &x->m.v[i];
	_cleanup_free_ char *got = strv_join(mt->bdfs, " ");

	if (mt->result != r || !streq(got, bdfs) ||
	    !streq_ptr(mt->reason, reason))
		fail_msg("entry %zu: wanted %s [%s] %s\ngot %s [%s] %s", i,
			 vn_match_result_name(r), bdfs, reason ? reason : "-",
			 vn_match_result_name(mt->result), got,
			 mt->reason ? mt->reason : "-");
	assert_ptr_equal(mt->entry, &x->st.v[i]);
}

static const char *const entries =
	"[device]\nmatch = serial 52-54-00-ff-ff-12-34-56\nid = 8086:10d3\n"
	"[device]\nmatch = serial 00-1b-21-ff-ff-a1-b2-c3\n"
	"[device]\nmatch = serial 00-1b-21-ff-ff-a1-b2-c3.1\n"
	"[device]\nmatch = serial 00-1b-21-ff-ff-a1-b2-c3.0\nid = 8086:1522\n"
	"[device]\nmatch = bdf 0000:00:03.0\nid = 1234:11e8\n"
	"[device]\nmatch = bdf 0000:00:02.0\nid = 8086:10d3\n"
	"[device]\nmatch = bdf 0000:09:00.0\n"
	"[device]\nmatch = serial 11-22-33-44-55-66-77-88\n"
	"[device]\nmatch = path 0000:00:06.0/00.0/02.0\nid = 1234:11e8\n"
	"[device]\nmatch = path 0000:00:06.0/00.0/02.0/00.0\n";

static void match_results(void **state)
{
	struct matched x = { 0 };

	(void)state;
	host("0000:00:02.0", "0000:00:03.0");
	match_text(&x, entries);
	/* Entry 5 names the same device by address, later: it governs. */
	expect(&x, 0, VN_MATCH_OVERRIDDEN, "",
	       "every device it names is declared again later, at f.conf:14");
	assert_string_equal(x.m.v[0].overridden[0], "0000:00:02.0");
	expect(&x, 1, VN_MATCH_AMBIGUOUS, "0000:04:00.0 0000:04:00.1",
	       "2 functions have serial 00-1b-21-ff-ff-a1-b2-c3 (0000:04:00.0, "
	       "0000:04:00.1): name one by serial with .F, by path or by bdf");
	expect(&x, 2, VN_MATCH_OK, "0000:04:00.1", NULL);
	/* The id cross-checks; it never picks among candidates. */
	expect(&x, 3, VN_MATCH_IDS_CHANGED, "0000:04:00.0",
	       "0000:04:00.0 is 8086:1521, not 8086:1522 as declared: another "
	       "device");
	expect(&x, 4, VN_MATCH_OK, "0000:00:03.0", NULL);
	expect(&x, 5, VN_MATCH_OK, "0000:00:02.0", NULL);
	expect(&x, 6, VN_MATCH_NONE, "",
	       "no PCI function has bdf 0000:09:00.0");
	expect(&x, 7, VN_MATCH_NONE, "",
	       "no PCI function has serial 11-22-33-44-55-66-77-88");
	expect(&x, 8, VN_MATCH_OK, "0000:03:02.0", NULL);
	expect(&x, 9, VN_MATCH_NONE, "",
	       "no PCI function has path 0000:00:06.0/00.0/02.0/00.0");
	assert_ptr_equal(vn_matches_find(&x.m, "0000:00:02.0"), &x.m.v[5]);
	assert_null(vn_matches_find(&x.m, "0000:03:01.0"));
	matched_clear(&x);
}

/* The cards moved: the e1000e to slot 5, an edu into its old slot. */
static void match_renumbered(void **state)
{
	struct matched x = { 0 };

	(void)state;
	host("0000:00:05.0", "0000:00:02.0");
	match_text(&x, entries);
	expect(&x, 0, VN_MATCH_OK, "0000:00:05.0", NULL);
	expect(&x, 4, VN_MATCH_NONE, "",
	       "no PCI function has bdf 0000:00:03.0");
	expect(&x, 5, VN_MATCH_IDS_CHANGED, "0000:00:02.0",
	       "0000:00:02.0 is 1234:11e8, not 8086:10d3 as declared: another "
	       "device");
	assert_ptr_equal(vn_matches_find(&x.m, "0000:00:05.0"), &x.m.v[0]);
	assert_null(vn_matches_find(&x.m, "0000:00:02.0"));
	matched_clear(&x);
}

static void match_precedence(void **state)
{
	struct matched x = { 0 };

	(void)state;
	host("0000:00:02.0", "0000:00:03.0");
	match_text(&x, "[device]\nmatch = path 0000:00:06.0/00.0/02.0\n"
		       "[device]\nmatch = id 1234:11e8\nowner = 1\n"
		       "[device]\nmatch = bdf 03:01.0\nowner = 2\n"
		       "[device]\nmatch = bdf 00:03.0\nid = 8086:10d3\n");
	expect(&x, 0, VN_MATCH_OVERRIDDEN, "",
	       "every device it names is declared again later, at f.conf:3");
	assert_string_equal(x.m.v[0].overridden[0], "0000:03:02.0");
	expect(&x, 1, VN_MATCH_OK, "0000:00:03.0 0000:03:02.0", NULL);
	assert_int_equal(strv_len(x.m.v[1].overridden), 1);
	assert_string_equal(x.m.v[1].overridden[0], "0000:03:01.0");
	expect(&x, 2, VN_MATCH_OK, "0000:03:01.0", NULL);
	/* A refused entry takes nothing from an earlier one. */
	expect(&x, 3, VN_MATCH_IDS_CHANGED, "0000:00:03.0",
	       "0000:00:03.0 is 1234:11e8, not 8086:10d3 as declared: another "
	       "device");
	assert_ptr_equal(vn_matches_find(&x.m, "0000:00:03.0"), &x.m.v[1]);
	matched_clear(&x);
}

static void match_unreadable(void **state)
{
	char path[512];
	struct matched x = { 0 };

	(void)state;
	host("0000:00:02.0", "0000:00:03.0");
	snprintf(path, sizeof(path),
		 "%s/sys/devices/pci0000:00/0000:00:07.0/0000:04:00.1/config",
		 root);
	assert_int_equal(unlink(path), 0);
	match_text(&x, "[device]\nmatch = serial 11-22-33-44-55-66-77-88\n"
		       "[device]\nmatch = serial 52-54-00-ff-ff-12-34-56\n"
		       "[device]\nmatch = path 0000:00:06.0/00.0/01.0\n");
	/* Config space it cannot read is never "no such serial". */
	expect(&x, 0, VN_MATCH_UNREADABLE, "",
	       "the serial numbers of 1 functions are unknown: config space "
	       "is not in this tree");
	expect(&x, 1, VN_MATCH_OK, "0000:00:02.0", NULL);
	expect(&x, 2, VN_MATCH_OK, "0000:03:01.0", NULL);
	matched_clear(&x);
}

static void entry_for(void **state)
{
	static const struct {
		const char *bdf, *match;
	} t[] = {
		{ "0000:00:02.0", "serial 52-54-00-ff-ff-12-34-56" },
		{ "0000:04:00.1", "serial 00-1b-21-ff-ff-a1-b2-c3.1" },
		{ "0000:03:01.0", "path 0000:00:06.0/00.0/01.0" },
		{ "0000:00:03.0", "path 0000:00:03.0" },
	};
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	char path[512], buf[128];

	(void)state;
	host("0000:00:02.0", "0000:00:03.0");
	assert_int_equal(vn_sys_new(root, &sys), 0);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;
		struct vn_entry e;

		assert_int_equal(vn_dev_read(sys, t[i].bdf, &dev), 0);
		assert_int_equal(vn_entry_for(sys, dev, &e), 0);
		snprintf(buf, sizeof(buf), "%s %s",
			 vn_ident_kind_name(e.match.kind), e.match.value);
		assert_string_equal(buf, t[i].match);
		assert_true(e.has_id && e.id.has_sub);
		assert_int_equal(e.id.vendor, dev->vendor);
		assert_int_equal(e.id.subvendor, 0x8086);
		assert_string_equal(e.driver, "vfio-pci");
		vn_entry_clear(&e);
	}
	/* Config space that cannot be read: no identity is chosen. */
	snprintf(path, sizeof(path),
		 "%s/sys/devices/pci0000:00/0000:00:02.0/config", root);
	assert_int_equal(unlink(path), 0);
	{
		_cleanup_(vn_dev_freep) struct vn_dev *dev = NULL;
		struct vn_entry e;

		assert_int_equal(vn_dev_read(sys, "0000:00:02.0", &dev), 0);
		assert_int_equal(vn_entry_for(sys, dev, &e), -ENOENT);
		assert_null(e.match.value);
	}
}

/* apply --record's file: what was written is read back, a name with a
 * newline stays on its line, and a file without a time is no record. */
static void apply_record(void **state)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	char *found[] = { "0000:00:02.0", "0000:00:03.0", NULL };
	char *missing[] = { "bdf 0000:00:09.0 (/etc/x\nfound=evil.conf:1)",
			    NULL };
	struct vn_apply_record w = { .when = 1795000000,
				     .exit_status = 4,
				     .found = found,
				     .missing = missing };
	struct vn_apply_record r;
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_int_equal(vn_sys_new(root, &sys), 0);
	assert_int_equal(vn_apply_record_read(sys, &r), -ENOENT);
	assert_int_equal(vn_apply_record_render(&w, &text), 0);
	assert_int_equal(vn_apply_record_write(sys, text), 0);
	assert_int_equal(vn_apply_record_read(sys, &r), 0);
	assert_int_equal(r.when, 1795000000);
	assert_int_equal(r.exit_status, 4);
	assert_int_equal(strv_len(r.found), 2);
	assert_string_equal(r.found[1], "0000:00:03.0");
	assert_null(r.bound);
	assert_int_equal(strv_len(r.missing), 1);
	assert_string_equal(r.missing[0],
			    "bdf 0000:00:09.0 (/etc/x\\nfound=evil.conf:1)");
	vn_apply_record_clear(&r);
	assert_int_equal(
		vn_replace_file(sys, "exit=0\nfound=x\n", VN_APPLY_RECORD), 0);
	assert_int_equal(vn_apply_record_read(sys, &r), -EBADMSG);
	assert_null(r.found);
	assert_int_equal(
		vn_replace_file(sys, "time=1\nexit=300\n", VN_APPLY_RECORD), 0);
	assert_int_equal(vn_apply_record_read(sys, &r), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key),
		cmocka_unit_test(identities),
		cmocka_unit_test(errors_with_lines),
		cmocka_unit_test(errors_in_values),
		cmocka_unit_test(errors_all_collected),
		cmocka_unit_test(quoting_and_blanks),
		cmocka_unit_test(caps),
		cmocka_unit_test(precedence_across_files),
		cmocka_unit_test(names_resolved),
		cmocka_unit_test(render_round_trip),
		cmocka_unit_test(render_refuses),
		cmocka_unit_test(file_names),
		cmocka_unit_test(dsn_parser),
		cmocka_unit_test(dsn_of_qemu_e1000e),
		cmocka_unit_test(dsn_of_a_vf),
		cmocka_unit_test(paths),
		cmocka_unit_test_setup_teardown(read_directory, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(read_errors, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(read_too_big, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(match_results, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(match_renumbered, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(match_precedence, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(match_unreadable, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(entry_for, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(apply_record, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

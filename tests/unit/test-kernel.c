// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <zlib.h>

#include "lib/kernel.h"
#include "lib/sys.h"
#include "lib/util.h"

static void kconfig_lines(void **state)
{
	char name[64], value[64];

	(void)state;
	assert_int_equal(vn_kconfig_parse_line("CONFIG_VFIO=m\n", name,
					       sizeof(name), value,
					       sizeof(value)),
			 1);
	assert_string_equal(name, "VFIO");
	assert_string_equal(value, "m");
	assert_int_equal(
		vn_kconfig_parse_line("# CONFIG_VFIO_NOIOMMU is not set", name,
				      sizeof(name), value, sizeof(value)),
		1);
	assert_string_equal(name, "VFIO_NOIOMMU");
	assert_string_equal(value, "n");
	assert_int_equal(vn_kconfig_parse_line("CONFIG_LOCALVERSION=\"-x\"",
					       name, sizeof(name), value,
					       sizeof(value)),
			 1);
	assert_string_equal(value, "\"-x\"");
	assert_int_equal(vn_kconfig_parse_line("#", name, sizeof(name), value,
					       sizeof(value)),
			 0);
	assert_int_equal(vn_kconfig_parse_line("# Automatically generated",
					       name, sizeof(name), value,
					       sizeof(value)),
			 0);
	assert_int_equal(vn_kconfig_parse_line("CONFIG_=y", name, sizeof(name),
					       value, sizeof(value)),
			 0);
}

static void kconfig_get(void **state)
{
	char *syms[] = { "VFIO=m", "VFIO_NOIOMMU=n", "IOMMUFD=y", NULL };
	struct vn_kconfig kc = { .source = "/x", .syms = syms };
	struct vn_kconfig none = { 0 };

	(void)state;
	assert_int_equal(vn_kconfig_get(&kc, "VFIO"), 'm');
	assert_int_equal(vn_kconfig_get(&kc, "VFIO_NOIOMMU"), 'n');
	assert_int_equal(vn_kconfig_get(&kc, "IOMMUFD"), 'y');
	assert_int_equal(vn_kconfig_get(&kc, "VFIO_GROUP"), 'n');
	assert_int_equal(vn_kconfig_get(&kc, "VFI"), 'n');
	assert_int_equal(vn_kconfig_get(&none, "VFIO"), '?');
}

static void proc_devices(void **state)
{
	const char *text = "Character devices:\n  1 mem\n 10 misc\n"
			   "510 vfio-dev\n511 vfio\n\nBlock devices:\n"
			   "511 vfio\n";

	(void)state;
	assert_int_equal(vn_parse_proc_devices(text, "vfio"), 511);
	assert_int_equal(vn_parse_proc_devices(text, "vfio-dev"), 510);
	assert_int_equal(vn_parse_proc_devices(text, "vfi"), -ENOENT);
	/* A block region of the same name does not count. */
	assert_int_equal(vn_parse_proc_devices("Character devices:\n  1 mem\n\n"
					       "Block devices:\n511 vfio\n",
					       "vfio"),
			 -ENOENT);
}

static void proc_misc(void **state)
{
	const char *text = "124 iommu\n196 vfio\n183 hw_random\n";

	(void)state;
	assert_int_equal(vn_parse_proc_misc(text, "vfio"), 196);
	assert_int_equal(vn_parse_proc_misc(text, "iommu"), 124);
	assert_int_equal(vn_parse_proc_misc(text, "hw"), -ENOENT);
	assert_int_equal(vn_parse_proc_misc("", "vfio"), -ENOENT);
}

static void release(void **state)
{
	(void)state;
	assert_true(vn_release_at_least("7.3.4+deb13-amd64", 7, 3));
	assert_true(vn_release_at_least("7.10.0", 7, 3));
	assert_true(vn_release_at_least("8.0.0", 7, 3));
	assert_false(vn_release_at_least("6.12.57", 7, 3));
	assert_false(vn_release_at_least("7.2.12", 7, 3));
	assert_false(vn_release_at_least("garbage", 7, 3));
	assert_false(vn_release_at_least(NULL, 7, 3));
}

static void history(void **state)
{
	int ma = 0, mi = 0;

	(void)state;
	assert_int_equal(vn_kconfig_since("VFIO_GROUP", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 606);
	assert_int_equal(vn_kconfig_since("VFIO_DEVICE_CDEV", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 606);
	assert_int_equal(vn_kconfig_since("IOMMUFD", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 602);
	assert_int_equal(vn_kconfig_since("IOMMUFD_NOIOMMU", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 703);
	/* Older than every supported kernel: no history. */
	assert_int_equal(vn_kconfig_since("VFIO_NOIOMMU", &ma, &mi), -ENOENT);

	assert_true(vn_release_predates("6.1.192-vn-lts-6.1", "VFIO_GROUP"));
	assert_true(vn_release_predates("6.5.13", "VFIO_DEVICE_CDEV"));
	assert_false(vn_release_predates("6.6.0", "VFIO_GROUP"));
	assert_true(vn_release_predates("6.1.0", "VFIO_CONTAINER"));
	assert_false(vn_release_predates("6.2.1", "IOMMUFD"));
	assert_true(vn_release_predates("6.12.57", "IOMMUFD_NOIOMMU"));
	assert_false(
		vn_release_predates("7.3.4+deb13-amd64", "IOMMUFD_NOIOMMU"));
	assert_false(vn_release_predates("6.1.0", "VFIO_NOIOMMU"));
	assert_false(vn_release_predates("garbage", "VFIO_GROUP"));
	assert_false(vn_release_predates(NULL, "VFIO_GROUP"));
}

/* ---- the capability probe on a small tree -------------------------------- */

static void put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A host running RELEASE with CONFIG (a .config text) in /boot, vfio not
 * loaded, no module directory: the answers come from the config and the
 * release alone. */
static void probe_tree(const char *release, const char *config,
		       struct vn_caps *caps)
{
	char root[] = "/tmp/vn-test-kernel.XXXXXX", rel[PATH_MAX];
	struct vn_sys *sys = NULL;

	assert_non_null(mkdtemp(root));
	snprintf(rel, sizeof(rel), "%s\n", release);
	put(root, "proc/sys/kernel/osrelease", rel);
	put(root, "proc/devices",
	    "Character devices:\n  1 mem\n 10 misc\n\nBlock devices:\n");
	put(root, "proc/misc", "183 hw_random\n");
	put(root, "proc/cmdline", "console=ttyS0\n");
	snprintf(rel, sizeof(rel), "boot/config-%s", release);
	put(root, rel, config);
	assert_int_equal(vn_sys_new(root, &sys), 0);
	assert_int_equal(vn_caps_probe(sys, caps), 0);
	vn_sys_free(sys);
	assert_int_equal(nftw(root, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* A .config whose long line holds, past the 511 bytes a line buffer of
 * 512 takes, text that reads as a line of its own. */
static char *long_config(void)
{
	const char *head = "# Automatically generated file\n"
			   "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0)\"\n"
			   "CONFIG_VFIO=m\n"
			   "# CONFIG_VFIO_NOIOMMU is not set\n";
	const char *tail = "CONFIG_IOMMUFD=y\n"
			   "CONFIG_GENERIC_ATOMIC64=y\n"
			   "CONFIG_GENERIC_ATOMIC64X=y\n"
			   "CONFIG_NET=y\n"
			   "CONFIG_IOMMU_SUPPORT=y"; /* no newline at the end */
	const char *cmd = "CONFIG_CMDLINE=\"";
	char *text;

	assert_int_equal(xasprintf(&text, "%s%s%*sCONFIG_VFIO_BOGUS=y\"\n%s",
				   head, cmd, (int)(511 - strlen(cmd)), "",
				   tail),
			 0);
	return text;
}

static void put_gz(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	gzFile f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = gzopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(gzputs(f, text), (int)strlen(text));
	assert_int_equal(gzclose(f), Z_OK);
}

/* vn_kconfig_load in the tree ROOT reads SOURCE and keeps the symbols
 * the tool asks about and every VFIO and IOMMU one. */
static void assert_long_config_loads(const char *root, const char *source)
{
	static const char *const want[] = {
		"VFIO=m",	   "VFIO_NOIOMMU=n",
		"IOMMUFD=y",	   "GENERIC_ATOMIC64=y",
		"IOMMU_SUPPORT=y",
	};
	struct vn_sys *sys = NULL;
	struct vn_kconfig kc;
	size_t i;

	assert_int_equal(vn_sys_new(root, &sys), 0);
	assert_int_equal(vn_kconfig_load(sys, &kc), 0);
	assert_string_equal(kc.source, source);
	assert_non_null(kc.syms);
	for (i = 0; kc.syms[i]; i++) {
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(kc.syms[i], want[i]);
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	vn_kconfig_clear(&kc);
	vn_sys_free(sys);
}

/* From /boot/config-R and /proc/config.gz alike; a line is one line
 * however long. */
static void kconfig_load(void **state)
{
	char root[] = "/tmp/vn-test-kernel.XXXXXX";
	_cleanup_free_ char *text = long_config();

	(void)state;
	assert_non_null(mkdtemp(root));
	put(root, "proc/sys/kernel/osrelease", "7.3.4\n");
	put(root, "boot/config-7.3.4", text);
	assert_long_config_loads(root, "/boot/config-7.3.4");
	put_gz(root, "proc/config.gz", text);
	assert_long_config_loads(root, "/proc/config.gz");
	assert_int_equal(nftw(root, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

struct probe_case {
	const char *why, *release, *config;
	enum vn_tri group, cdev, iommufd, iommufd_noiommu;
	enum vn_container_provider container;
	enum vn_paths paths;
	const char *group_source; /* a substring, or NULL */
};

static const struct probe_case probe_cases[] = {
	/* Linux 6.1 has no VFIO_GROUP symbol: the group interface is part of
	 * every VFIO, so the group path must not be inferred away (issue 19). */
	{ "6.1, vfio not loaded", "6.1.192-vn-lts-6.1",
	  "CONFIG_VFIO=m\nCONFIG_VFIO_IOMMU_TYPE1=m\n"
	  "CONFIG_VFIO_NOIOMMU=y\nCONFIG_VFIO_PCI=m\n",
	  VN_YES, VN_NO, VN_NO, VN_NO, VN_CONTAINER_VFIO, VN_PATHS_GROUP,
	  "Linux 6.1 predates CONFIG_VFIO_GROUP (6.6)" },
	/* A config line wins over the release: a distribution kernel older
	 * than 6.6 with the cdev interface backported says so. It has no
	 * IOMMUFD_NOIOMMU line, and 5.14 predates that. */
	{ "backport", "5.14.0-427.el9.x86_64",
	  "CONFIG_VFIO=m\nCONFIG_VFIO_GROUP=y\nCONFIG_VFIO_CONTAINER=y\n"
	  "CONFIG_VFIO_DEVICE_CDEV=y\nCONFIG_VFIO_NOIOMMU=y\n"
	  "CONFIG_IOMMUFD=m\n",
	  VN_YES, VN_YES, VN_YES, VN_NO, VN_CONTAINER_VFIO, VN_PATHS_GROUP,
	  "CONFIG_VFIO_GROUP=y" },
	/* 7.3 with VFIO_GROUP=n: there a missing line means not set. */
	{ "7.3 cdev only", "7.3.4",
	  "CONFIG_VFIO=m\n# CONFIG_VFIO_GROUP is not set\n"
	  "CONFIG_VFIO_DEVICE_CDEV=y\nCONFIG_VFIO_NOIOMMU=y\n"
	  "CONFIG_IOMMUFD=m\nCONFIG_IOMMUFD_NOIOMMU=y\n",
	  VN_NO, VN_YES, VN_YES, VN_YES, VN_CONTAINER_NONE, VN_PATHS_CDEV,
	  "CONFIG_VFIO_GROUP is not set" },
};

static void probe(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(probe_cases); i++) {
		const struct probe_case *p = &probe_cases[i];
		struct vn_caps c;

		print_message("%s\n", p->why);
		probe_tree(p->release, p->config, &c);
		assert_int_equal(c.vfio.value, VN_YES);
		assert_int_equal(c.noiommu.value, VN_YES);
		assert_int_equal(c.group.value, p->group);
		assert_non_null(strstr(c.group.source, p->group_source));
		assert_int_equal(c.cdev.value, p->cdev);
		assert_int_equal(c.iommufd.value, p->iommufd);
		assert_int_equal(c.iommufd_noiommu.value, p->iommufd_noiommu);
		assert_int_equal(c.container, p->container);
		assert_int_equal(vn_caps_paths(&c), p->paths);
		vn_caps_clear(&c);
	}
}

static void paths(void **state)
{
	struct vn_caps c = { 0 };

	(void)state;
	c.noiommu_group.value = VN_YES;
	c.noiommu_cdev.value = VN_YES;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_BOTH);
	c.noiommu_cdev.value = VN_NO;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_GROUP);
	c.noiommu_group.value = VN_NO;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_NONE);
	c.noiommu_cdev.value = VN_YES;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_CDEV);
	c.noiommu_group.value = VN_UNKNOWN;
	assert_int_equal(vn_caps_paths(&c), VN_PATHS_UNKNOWN);
	assert_string_equal(vn_paths_name(VN_PATHS_CDEV), "cdev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kconfig_lines), cmocka_unit_test(kconfig_get),
		cmocka_unit_test(proc_devices),	 cmocka_unit_test(proc_misc),
		cmocka_unit_test(release),	 cmocka_unit_test(paths),
		cmocka_unit_test(history),	 cmocka_unit_test(probe),
		cmocka_unit_test(kconfig_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Root-confined writes: every case runs twice, once through openat2 and
 * once through the component walk that replaces it on old kernels. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "lib/rootpath.h"
#include "lib/util.h"

struct fixture {
	char top[64]; /* holds root/ and outside/ */
	char root[96], outside[96];
	struct vn_root r;
};

static int make_dirs(struct fixture *f)
{
	snprintf(f->top, sizeof(f->top), "/tmp/vn-rootpath-XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->top);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->top);
	return mkdir(f->root, 0755) || mkdir(f->outside, 0755);
}

static int setup_common(void **state, bool walk)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || make_dirs(f) || vn_root_open(f->root, &f->r) < 0)
		return -1;
	f->r.walk = walk;
	*state = f;
	return 0;
}

static int setup_openat2(void **state)
{
	return setup_common(state, false);
}

static int setup_walk(void **state)
{
	return setup_common(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	vn_root_close(&f->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->top);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void at(const struct fixture *f, char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", f->root, rel);
}

static void link_out(const struct fixture *f, const char *rel)
{
	char p[256];

	at(f, p, sizeof(p), rel);
	assert_int_equal(symlink(f->outside, p), 0);
}

static bool outside_empty(const struct fixture *f)
{
	DIR *d = opendir(f->outside);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += !streq(de->d_name, ".") && !streq(de->d_name, "..");
	closedir(d);
	return n == 0;
}

static void read_back(const struct fixture *f, const char *rel,
		      const char *want)
{
	char p[256], *text = NULL;
	int fd;

	at(f, p, sizeof(p), rel);
	fd = open(p, O_RDONLY | O_NOFOLLOW);
	assert_true(fd >= 0);
	assert_int_equal(read_fd_full(fd, &text, NULL), 0);
	close(fd);
	assert_string_equal(text, want);
	free(text);
}

static void mkdirs_and_replace(void **state)
{
	struct fixture *f = *state;
	char p[256];
	struct dirent *de;
	DIR *d;

	assert_int_equal(vn_root_mkdirs(&f->r, "/etc//modprobe.d/", 0755), 0);
	assert_int_equal(vn_root_mkdirs(&f->r, "etc/modprobe.d", 0755), 0);
	assert_int_equal(vn_root_replace(&f->r, "/etc/modprobe.d/x.conf",
					 "one\n", 4, 0644),
			 0);
	read_back(f, "etc/modprobe.d/x.conf", "one\n");
	assert_int_equal(vn_root_replace(&f->r, "etc/modprobe.d/x.conf", "two",
					 3, 0644),
			 0);
	read_back(f, "etc/modprobe.d/x.conf", "two");
	/* no temporary file left behind */
	at(f, p, sizeof(p), "etc/modprobe.d");
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)))
		assert_true(streq(de->d_name, ".") || streq(de->d_name, "..") ||
			    streq(de->d_name, "x.conf"));
	closedir(d);
	assert_int_equal(vn_root_unlink(&f->r, "/etc/modprobe.d/x.conf"), 0);
	assert_int_equal(vn_root_unlink(&f->r, "/etc/modprobe.d/x.conf"),
			 -ENOENT);
	/* a file straight in the root */
	assert_int_equal(vn_root_replace(&f->r, "top", "t", 1, 0600), 0);
	read_back(f, "top", "t");
}

/* The mode asked for, whatever the umask (a root service with UMask=077
 * must still write a metrics file node_exporter can read). */
static void mode_despite_umask(void **state)
{
	struct fixture *f = *state;
	mode_t old = umask(077);
	struct stat st;
	char p[256];

	assert_int_equal(vn_root_replace(&f->r, "metrics.prom", "m", 1, 0644),
			 0);
	umask(old);
	at(f, p, sizeof(p), "metrics.prom");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void symlinked_parent_refused(void **state)
{
	struct fixture *f = *state;
	char p[256];

	link_out(f, "etc");
	assert_int_equal(vn_root_mkdirs(&f->r, "/etc/modprobe.d", 0755),
			 -ELOOP);
	assert_int_equal(vn_root_replace(&f->r, "/etc/x.conf", "evil", 4, 0644),
			 -ELOOP);
	assert_int_equal(vn_root_unlink(&f->r, "/etc/x.conf"), -ELOOP);
	assert_int_equal(vn_root_openat(&f->r, "/etc/x.conf",
					O_WRONLY | O_CREAT, 0644),
			 -ELOOP);
	assert_true(outside_empty(f));

	/* one level down, and as an absolute link inside the root */
	at(f, p, sizeof(p), "etc");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(vn_root_mkdirs(&f->r, "/etc", 0755), 0);
	link_out(f, "etc/modprobe.d");
	assert_int_equal(vn_root_replace(&f->r, "/etc/modprobe.d/x.conf", "e",
					 1, 0644),
			 -ELOOP);
	assert_int_equal(vn_root_unlink(&f->r, "/etc/modprobe.d/x.conf"),
			 -ELOOP);
	at(f, p, sizeof(p), "etc/abs");
	assert_int_equal(symlink("/etc", p), 0);
	assert_int_equal(vn_root_mkdirs(&f->r, "/etc/abs/y", 0755), -ELOOP);
	assert_true(outside_empty(f));
}

static void symlinked_last_component(void **state)
{
	struct fixture *f = *state;
	char p[256], target[256];
	struct stat st;

	/* Opening a symlink for writing is refused; replacing it swaps the
	 * link itself for a file and leaves its target alone. */
	snprintf(target, sizeof(target), "%s/victim", f->outside);
	at(f, p, sizeof(p), "conf");
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(vn_root_openat(&f->r, "conf", O_WRONLY | O_CREAT,
					0644),
			 -ELOOP);
	assert_int_equal(vn_root_openat(&f->r, "conf", O_PATH, 0), -ELOOP);
	assert_int_equal(vn_root_replace(&f->r, "conf", "x", 1, 0644), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(outside_empty(f));
}

static void dot_components_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vn_root_mkdirs(&f->r, "a/../../outside/x", 0755),
			 -EINVAL);
	assert_int_equal(vn_root_replace(&f->r, "../outside/x", "x", 1, 0644),
			 -EINVAL);
	assert_int_equal(vn_root_unlink(&f->r, "./x"), -EINVAL);
	assert_int_equal(vn_root_replace(&f->r, "/", "x", 1, 0644), -EINVAL);
	assert_true(outside_empty(f));
}

static void root_itself(void **state)
{
	struct fixture *f = *state;
	int fd = vn_root_openat(&f->r, "", O_RDONLY | O_DIRECTORY, 0);

	/* The root itself opens as a directory. */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vn_root_mkdirs(&f->r, "", 0755), 0);
}

#define BOTH(fn)                                                      \
	cmocka_unit_test_setup_teardown(fn, setup_openat2, teardown), \
		cmocka_unit_test_setup_teardown(fn, setup_walk, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(mkdirs_and_replace),	BOTH(mode_despite_umask),
		BOTH(symlinked_parent_refused), BOTH(symlinked_last_component),
		BOTH(dot_components_refused),	BOTH(root_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

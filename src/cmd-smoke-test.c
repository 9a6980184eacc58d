// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smoke-test: prove a bound device can be driven the way a user-space
 * driver will, through iommufd or the legacy group, step by step.
 */
#include <json-c/json.h>
#include <linux/capability.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "lib/kernel.h"
#include "lib/lock.h"
#include "lib/smoke.h"
#include "lib/vfio.h"

enum {
	OPT_PATH = 0x600,
};

/* The version of smoke-test's document: raise it when a field changes
 * meaning or goes away (doc/schema/smoke-test.json). */
#define SMOKE_SCHEMA 1

struct smoke_args {
	const char *device;
	int want; /* -1 any, 0 cdev, 1 group */
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct smoke_args *a = state->input;

	switch (key) {
	case OPT_PATH:
		if (streq(arg, "cdev"))
			a->want = 0;
		else if (streq(arg, "group"))
			a->want = 1;
		else
			argp_error(state,
				   "--path: '%s' is neither cdev nor group",
				   arg);
		break;
	case ARGP_KEY_ARG:
		if (a->device)
			argp_error(state, "one device at a time");
		a->device = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no device given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "path", OPT_PATH, "cdev|group", 0,
	  "Test this path instead of the one the kernel offers first", 0 },
	{ 0 }
};

static const struct argp smoke_argp = {
	.options = options,
	.parser = parse,
	.args_doc = "DEVICE",
	.doc = "Open a bound device the way a user-space driver would and run "
	       "every step: through /dev/iommu and the device cdev (binding, an "
	       "IOAS, attaching, mapping a buffer, for no-IOMMU devices its "
	       "physical address checked against /proc/self/pagemap), or "
	       "through the legacy group and container. DEVICE is a BDF, an ID, "
	       "an interface name, a cdev or a group node under /dev/vfio. Opening the device resets the "
	       "PCI function.\v"
	       "Exit status: 0 every step passed; 1 a step failed (or a "
	       "capability is missing); 2 invalid input; 3 the kernel offers no "
	       "usable path; 4 another process holds the device; 6 busy.",
	.children = vn_children_doc_lock,
};

/* A node path that does not exist: say so, and which nodes do. */
static int no_such_node(struct vn_sys *sys, const char *arg)
{
	_cleanup_strv_ char **top = NULL, **cdevs = NULL, **all = strv_new();
	_cleanup_free_ char *list = NULL;

	vn_list_dir(sys, &top, "/dev/vfio");
	vn_list_dir(sys, &cdevs, "/dev/vfio/devices");
	for (size_t i = 0; all && top && top[i]; i++) {
		char *p = NULL;

		if (!streq(top[i], "devices") &&
		    xasprintf(&p, "/dev/vfio/%s", top[i]) == 0)
			strv_push(&all, p);
	}
	for (size_t i = 0; all && cdevs && cdevs[i]; i++) {
		char *p = NULL;

		if (xasprintf(&p, "/dev/vfio/devices/%s", cdevs[i]) == 0)
			strv_push(&all, p);
	}
	list = all ? strv_join(all, ", ") : NULL;
	vn_err("'%s' does not exist", arg);
	if (list && *list)
		vn_hint("the VFIO nodes here are: %s", list);
	else
		vn_hint("there is no VFIO node here: no device is bound to a "
			"VFIO driver");
	vn_hint("a BDF names the device too; 'vfio-noiommuctl list' shows them");
	return VN_EXIT_USAGE;
}

/* A cdev (name under /dev/vfio/devices/) to its device's BDF. */
static int resolve_cdev(struct vn_sys *sys, const char *arg, const char *name,
			struct smoke_args *a, char bdf[VN_BDF_MAX])
{
	_cleanup_free_ char *dev = NULL;

	if (a->want == 1) {
		vn_err("'%s' is a cdev, but --path group was asked for", arg);
		return VN_EXIT_USAGE;
	}
	a->want = 0;
	if (vn_link_name(sys, &dev, "/sys/class/vfio-dev/%s/device", name) <
	    0) {
		vn_err("'%s' is not a VFIO device cdev the kernel knows", arg);
		return VN_EXIT_USAGE;
	}
	snprintf(bdf, VN_BDF_MAX, "%s", dev);
	return 0;
}

/* A group node (name under /dev/vfio/) to its one device's BDF. */
static int resolve_group(struct vn_sys *sys, const char *arg, const char *name,
			 struct smoke_args *a, char bdf[VN_BDF_MAX])
{
	_cleanup_strv_ char **members = NULL;
	int group;

	if (startswith(name, "noiommu-"))
		name += strlen("noiommu-");
	if (parse_int(name, &group) < 0 ||
	    vn_list_dir(sys, &members, "/sys/kernel/iommu_groups/%d/devices",
			group) < 0 ||
	    !members[0]) {
		vn_err("'%s' is not a VFIO group node the kernel knows", arg);
		return VN_EXIT_USAGE;
	}
	if (members[1]) {
		vn_err("group %d holds several devices; give the BDF of the one "
		       "to test",
		       group);
		return VN_EXIT_USAGE;
	}
	if (a->want == 0) {
		vn_err("'%s' is a group node, but --path cdev was asked for",
		       arg);
		return VN_EXIT_USAGE;
	}
	a->want = 1;
	snprintf(bdf, VN_BDF_MAX, "%s", members[0]);
	return 0;
}

/* A node path to the device's BDF; the node's kind forces the path. The
 * path is looked up in the system looked at (a --sysroot tree too). */
static int resolve_node(struct vn_sys *sys, const char *arg,
			struct smoke_args *a, char bdf[VN_BDF_MAX])
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *rel = real + strlen(sys->root);
	bool mapped = *arg == '/' || vn_sys_is_host(sys);

	errno = EINVAL;
	if (!mapped || vn_path(sys, path, sizeof(path), "%s", arg) < 0 ||
	    !realpath(path, real)) {
		if (mapped && errno == ENOENT)
			return no_such_node(sys, arg);
		real[0] = '\0';
	}
	if (!real[0] || !startswith(real, sys->root) ||
	    !startswith(rel, "/dev/vfio/")) {
		vn_err("'%s' is not a node under /dev/vfio: give a BDF, a "
		       "/dev/vfio/devices/ cdev or a /dev/vfio/ group node",
		       arg);
		return VN_EXIT_USAGE;
	}
	if (startswith(rel, "/dev/vfio/devices/"))
		return resolve_cdev(sys, arg,
				    rel + strlen("/dev/vfio/devices/"), a, bdf);
	return resolve_group(sys, arg, rel + strlen("/dev/vfio/"), a, bdf);
}

static bool no_path_at_all(const struct vn_caps *c, const struct vn_dev *d)
{
	if (c->vfio.value == VN_NO)
		return true;
	return !d->has_iommu && d->iommu_group < 0 && c->noiommu.value == VN_NO;
}

static int refuse_if_held(struct vn_sys *sys, const struct vn_dev *d)
{
	struct vn_holders h;
	int ret = 0, r = vn_holders_scan(sys, &h);

	/* Fail closed: a holder we cannot see would have its device reset. */
	if (r < 0) {
		vn_err("refusing to test %s: cannot tell who holds it: %s",
		       d->bdf, strerror(-r));
		return VN_EXIT_FAILED;
	}
	if (h.unreadable) {
		vn_err("refusing to test %s: %zu process%s could not be "
		       "inspected for holders",
		       d->bdf, h.unreadable, h.unreadable == 1 ? "" : "es");
		vn_hint("opening it resets it: run as root, or with "
			"CAP_SYS_PTRACE and CAP_SYS_ADMIN to see every process");
		vn_holders_clear(&h);
		return VN_EXIT_REFUSED;
	}
	for (size_t i = 0; i < h.n; i++) {
		enum vn_hold_match m = vn_holder_match(&h.v[i], d);

		if (m == VN_HOLD_NO)
			continue;
		vn_err("refusing to test %s: %s[%d] %s it (%s %s)", d->bdf,
		       h.v[i].comm, (int)h.v[i].pid,
		       m == VN_HOLD_YES ? "holds" : "may hold",
		       h.v[i].kind == VN_HOLD_FD ? "fd on" : "mapping of",
		       h.v[i].target);
		ret = VN_EXIT_REFUSED;
	}
	if (ret)
		vn_hint("opening it would reset a device in use");
	vn_holders_clear(&h);
	return ret;
}

static int check_caps(enum vn_smoke_path p)
{
	bool noiommu = p == VN_PATH_CDEV_NOIOMMU || p == VN_PATH_GROUP_NOIOMMU;

	if (noiommu && !vn_have_cap(CAP_SYS_RAWIO)) {
		vn_err("a no-IOMMU device can only be opened with CAP_SYS_RAWIO; "
		       "run as root, or as the node's owner with that "
		       "capability (a unit's AmbientCapabilities=)");
		return VN_EXIT_FAILED;
	}
	if (p == VN_PATH_CDEV_NOIOMMU && !vn_have_cap(CAP_SYS_ADMIN)) {
		vn_err("comparing the physical address with /proc/self/pagemap "
		       "needs CAP_SYS_ADMIN; run as root");
		return VN_EXIT_FAILED;
	}
	if (!noiommu && geteuid() != 0) {
		vn_err("the VFIO nodes are root's (mode 0600/0660); run as root");
		return VN_EXIT_FAILED;
	}
	return 0;
}

static void print_header(const struct vn_smoke *s)
{
	const struct vn_dev *d = s->dev;

	switch (s->path) {
	case VN_PATH_CDEV_NOIOMMU:
	case VN_PATH_CDEV_IOMMU:
		printf("path: %s, %s through /dev/iommu\n",
		       vn_smoke_path_name(s->path), d->cdev.path);
		break;
	case VN_PATH_GROUP_NOIOMMU:
	case VN_PATH_GROUP_IOMMU:
		printf("path: %s, %s through /dev/vfio/vfio%s\n",
		       vn_smoke_path_name(s->path), d->group.path,
		       s->container_is_iommufd ? " (iommufd's emulation)" : "");
		break;
	}
	printf("note: opening the device resets the PCI function\n");
}

static void print_steps(const struct vn_smoke *s)
{
	char ename[32];

	for (size_t i = 0; i < s->nsteps; i++) {
		const struct vn_smoke_step *st = &s->steps[i];
		double ms = (double)st->elapsed_ns / 1e6;

		if (st->ok) {
			printf("%2zu  %-38s ok   %7.2f ms  %s\n", i + 1,
			       st->name, ms, st->detail);
			continue;
		}
		printf("%2zu  %-38s FAIL %7.2f ms  %s%s%s\n", i + 1, st->name,
		       ms,
		       st->err ? vn_errno_name(-st->err, ename, sizeof(ename)) :
				 "",
		       st->err && st->why[0] ? ": " : "", st->why);
	}
	if (s->failed_at < 0)
		printf("PASS\n");
	else
		printf("FAIL at step %d: %s\n", s->failed_at + 1,
		       s->steps[s->failed_at].name);
}

static struct json_object *step_json(size_t i, const struct vn_smoke_step *st)
{
	struct json_object *o = json_object_new_object();
	char ename[32];

	json_object_object_add(o, "step", json_object_new_int((int)i + 1));
	json_object_object_add(o, "name", vn_jstr(st->name));
	json_object_object_add(o, "ok", json_object_new_boolean(st->ok));
	json_object_object_add(
		o, "elapsed_us",
		json_object_new_int64((int64_t)(st->elapsed_ns / 1000)));
	/* Fixed-size fields: empty means none. */
	json_object_object_add(o, "detail",
			       vn_jstr(*st->detail ? st->detail : NULL));
	json_object_object_add(o, "errno",
			       st->err ? vn_jstr(vn_errno_name(-st->err, ename,
							       sizeof(ename))) :
					 NULL);
	json_object_object_add(o, "why", vn_jstr(*st->why ? st->why : NULL));
	return o;
}

/*
 * The document: the steps run (none when the test could not start), the
 * exit status, and what stopped it before the first step (or null). With
 * --json a script reads stdout, so a refusal prints one too.
 */
static void print_json(const char *bdf, const struct vn_smoke *s, int status,
		       const char *error)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *steps = json_object_new_array();
	bool ran = s && s->dev;

	json_object_object_add(doc, "schema",
			       json_object_new_int(SMOKE_SCHEMA));
	json_object_object_add(doc, "bdf", vn_jstr(bdf));
	/* Values, not the text's phrase: cdev or group, and no-IOMMU. */
	json_object_object_add(doc, "path",
			       !ran ? NULL :
			       s->path <= VN_PATH_CDEV_IOMMU ?
				      vn_jstr("cdev") :
				      vn_jstr("group"));
	json_object_object_add(doc, "noiommu",
			       !ran ? NULL :
				      json_object_new_boolean(
					      s->path == VN_PATH_CDEV_NOIOMMU ||
					      s->path ==
						      VN_PATH_GROUP_NOIOMMU));
	json_object_object_add(doc, "node",
			       !ran ? NULL :
			       s->path <= VN_PATH_CDEV_IOMMU ?
				      vn_jstr(s->dev->cdev.path) :
				      vn_jstr(s->dev->group.path));
	json_object_object_add(doc, "passed",
			       json_object_new_boolean(ran &&
						       s->failed_at < 0));
	json_object_object_add(doc, "failed_step",
			       !ran || s->failed_at < 0 ?
				       NULL :
				       json_object_new_int(s->failed_at + 1));
	for (size_t i = 0; ran && i < s->nsteps; i++)
		json_object_array_add(steps, step_json(i, &s->steps[i]));
	json_object_object_add(doc, "steps", steps);
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", vn_jstr(error));
	vn_doc_print(doc, &opts.out, stdout);
	json_object_put(doc);
}

/*
 * Read the device and pick the path: a message and an exit status when it
 * cannot be tested, else 0 with *d and s->path. Run once to fail early
 * (capabilities, unbound devices) and again under the lock, so that the
 * device opened is the one examined (cdev indexes and fake group ids are
 * reused after an unbind, §3.2, §3.4).
 */
static int examine(struct vn_sys *sys, const char *bdf, int want,
		   struct vn_dev **d, struct vn_smoke *s)
{
	struct vn_caps caps;
	const char *why;
	int r, ret = 0;

	vn_dev_free(*d);
	*d = NULL;
	if ((r = vn_caps_probe(sys, &caps)) < 0) {
		vn_err("cannot read the kernel state: %s", strerror(-r));
		vn_caps_clear(&caps);
		return VN_EXIT_FAILED;
	}
	s->container_is_iommufd = caps.container == VN_CONTAINER_IOMMUFD;
	r = vn_vfio_dev_read(sys, bdf, d);
	if (r == -ENOENT || r == -ENODEV) {
		vn_err("%s: no such PCI device (it was removed meanwhile)",
		       bdf);
		ret = VN_EXIT_USAGE;
	} else if (r < 0) {
		vn_err("cannot read %s: %s", bdf, strerror(-r));
		ret = VN_EXIT_FAILED;
	} else if (!vn_dev_is_vfio(*d)) {
		vn_err("%s is not bound to a VFIO driver (%s)", bdf,
		       (*d)->driver ? (*d)->driver : "no driver");
		/* Without an IOMMU and without no-IOMMU support, binding it
		 * cannot help: there is no path at all. */
		if (no_path_at_all(&caps, *d)) {
			vn_hint("and this kernel cannot give it one: %s",
				caps.vfio.value == VN_NO ?
					"it has no VFIO" :
					"it has no IOMMU, and the kernel was built "
					"without CONFIG_VFIO_NOIOMMU");
			ret = VN_EXIT_UNSUPPORTED;
		} else {
			vn_hint("'vfio-noiommuctl bind %s' binds it", bdf);
			ret = VN_EXIT_FAILED;
		}
	} else if (vn_smoke_choose(*d, want, &s->path, &why) < 0) {
		vn_err("%s: no usable %s path: %s", bdf,
		       want == 0 ? "cdev" :
		       want == 1 ? "group" :
				   "VFIO",
		       why);
		if (want == 0 && (*d)->group.path)
			vn_hint("'--path group' tests it through its group node "
				"%s",
				(*d)->group.path);
		ret = VN_EXIT_UNSUPPORTED;
	}
	vn_caps_clear(&caps);
	return ret;
}

/* Under the writers' lock: look again, refuse a held device, run. */
static int test_locked(struct vn_sys *sys, const char *bdf, int want,
		       struct vn_dev **d, struct vn_smoke *s,
		       const char **error)
{
	bool text = opts.out.fmt == VN_FMT_TABLE;
	int ret;

	if ((ret = examine(sys, bdf, want, d, s))) {
		*error = "the device cannot be tested";
		return ret;
	}
	if ((ret = refuse_if_held(sys, *d))) {
		*error = "a process holds the device";
		return ret;
	}
	s->sys = sys;
	s->dev = *d;
	if (text)
		print_header(s);
	ret = vn_smoke_run(s) ? VN_EXIT_FAILED : VN_EXIT_OK;
	if (text)
		print_steps(s);
	return ret;
}

/*
 * The writers' locks, for the whole test. They are root's (mode 0600 under
 * /run: a shared lock open to anyone would let any user stall every
 * writer), so a user given a node and CAP_SYS_RAWIO, as a DPDK service
 * is, tests without them: it cannot change a binding, and a root unbind
 * of the device meanwhile waits for the test's fd, bounded (--timeout).
 */
static int take_locks(struct vn_sys *sys, const char *bdf, int *lock,
		      int *dev_lock)
{
	int ret;

	*lock = *dev_lock = -1;
	if (geteuid() != 0)
		return 0;
	if ((ret = vn_cli_take_lock(sys, false, lock)))
		return ret;
	return vn_cli_lock_device(sys, bdf, dev_lock);
}

static int run(int argc, char **argv)
{
	_cleanup_(vn_sys_freep) struct vn_sys *sys = NULL;
	_cleanup_(vn_dev_freep) struct vn_dev *d = NULL;
	struct smoke_args a = { .want = -1 };
	struct vn_smoke s = { 0 };
	const char *error = NULL;
	char bdf[VN_BDF_MAX] = "";
	int ret, lock = -1, dev_lock = -1;

	vn_parse_verb(&smoke_argp, "smoke-test", argc, argv, &a);
	if ((ret = vn_cli_open_sys(&sys)))
		return ret;
	/* Bad input is said first, on a tree too. */
	ret = vn_arg_is_path(a.device) ? resolve_node(sys, a.device, &a, bdf) :
					 vn_cli_device_arg(sys, a.device, bdf);
	if (ret) {
		error = "invalid device argument";
	} else if (!vn_sys_is_host(sys)) {
		vn_err("smoke-test drives a real device: it cannot run on a "
		       "--sysroot tree");
		error = "a --sysroot tree cannot be tested";
		ret = VN_EXIT_USAGE;
	} else if ((ret = examine(sys, bdf, a.want, &d, &s))) {
		error = "the device cannot be tested";
	} else if ((ret = check_caps(s.path))) {
		error = "a capability the kernel checks is missing";
	} else if ((ret = take_locks(sys, bdf, &lock, &dev_lock))) {
		/* An open device fd makes a concurrent unbind hang: writers
		 * of this device stay out for the whole test. */
		error = "the lock is not available";
	} else {
		ret = test_locked(sys, bdf, a.want, &d, &s, &error);
	}
	if (opts.out.fmt != VN_FMT_TABLE)
		print_json(*bdf ? bdf : NULL, &s, ret, error);
	vn_lock_release(dev_lock);
	vn_lock_release(lock);
	return ret;
}

const struct vn_verb vn_verb_smoke_test = {
	.name = "smoke-test",
	.summary =
		"drive a bound device through iommufd or its group, step by step",
	.run = run,
};

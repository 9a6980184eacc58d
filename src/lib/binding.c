// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <libkmod.h>
#include <libudev.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "audit.h"
#include "binding.h"
#include "blockinfo.h"
#include "cmdline.h"
#include "kmod.h"
#include "lock.h"
#include "noiommu.h"
#include "sys.h"
#include "taint.h"
#include "testhook.h"

/* ---- small helpers ------------------------------------------------------ */

static int reread(struct vn_txn *t, struct vn_item *it);

static int setf(char **dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int setf(char **dst, const char *fmt, ...)
{
	va_list ap;
	int r;

	free(*dst);
	va_start(ap, fmt);
	r = xvasprintf(dst, fmt, ap);
	va_end(ap);
	return r;
}

static int dupstr(char **dst, const char *s)
{
	free(*dst);
	*dst = NULL;
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static bool is_vfio_driver(const struct vn_dev *d)
{
	return vn_dev_is_vfio(d) || streq_ptr(d->driver, VN_VFIO_PCI);
}

int vn_pci_find_ids(struct vn_sys *sys, unsigned int vendor,
		    unsigned int device, char ***bdfs)
{
	struct vn_dev_list all;
	_cleanup_strv_ char **v = strv_new();
	int r;

	if (!v)
		return -ENOMEM;
	r = vn_dev_read_all(sys, &all);
	if (r < 0)
		return r;
	for (size_t i = 0; i < all.n && r == 0; i++)
		if (all.devs[i]->vendor == vendor &&
		    all.devs[i]->device == device)
			r = strv_push(&v, strdup(all.devs[i]->bdf));
	vn_dev_list_clear(&all);
	if (r < 0)
		return r;
	*bdfs = steal_ptr(v);
	return 0;
}

/* ---- transaction lifetime ---------------------------------------------- */

int vn_txn_init(struct vn_txn *t, struct vn_sys *sys, enum vn_op op,
		const struct vn_txn_opts *opts)
{
	*t = (struct vn_txn){
		.sys = sys, .op = op, .opts = *opts, .lock_fd = -1
	};
	vn_acting_user(sys, t->user, sizeof(t->user));
	return vn_caps_probe(sys, &t->caps);
}

static void item_clear(struct vn_item *it)
{
	vn_dev_free(it->dev);
	vn_dev_free(it->after);
	vn_record_clear(&it->rec);
	free(it->from);
	free(it->to);
	free(it->to_override);
	free(it->why);
	free(it->detail);
	for (size_t i = 0; i < it->nguards; i++)
		free(it->guards[i].evidence);
	free(it->guards);
	for (size_t i = 0; i < it->nwrites; i++) {
		free(it->writes[i].path);
		free(it->writes[i].value);
	}
	strv_free(it->netdevs_after);
}

void vn_txn_clear(struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		item_clear(&t->items[i]);
	free(t->items);
	vn_caps_clear(&t->caps);
	vn_holders_clear(&t->holders);
	vn_netinfo_clear(&t->net);
	*t = (struct vn_txn){ 0 };
}

static struct vn_item *find_item(struct vn_txn *t, const char *bdf)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->items[i].dev->bdf, bdf))
			return &t->items[i];
	return NULL;
}

int vn_txn_add(struct vn_txn *t, const char *bdf)
{
	struct vn_item *items, *it;
	int r;

	if (find_item(t, bdf))
		return -EEXIST;
	items = realloc(t->items, (t->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	t->items = items;
	it = &items[t->n];
	*it = (struct vn_item){ 0 };
	r = vn_vfio_dev_read(t->sys, bdf, t->caps.cdev.value == VN_YES,
			     &it->dev);
	if (r < 0)
		return r;
	t->n++;
	r = vn_journal_read(t->sys, bdf, &it->rec);
	if (r == 0) {
		/* A record for another function at this address (hot swap)
		 * says nothing about this one. */
		it->had_record = it->rec.vendor == it->dev->vendor &&
				 it->rec.device == it->dev->device;
		if (!it->had_record)
			vn_record_clear(&it->rec);
	} else if (r != -ENOENT) {
		/* Corrupt: refuse to guess (the caller reports it). */
		return r;
	}
	return 0;
}

/* ---- guards ---------------------------------------------------------------- */

static int guard(struct vn_item *it, const char *name, enum vn_guard_level lvl,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int guard(struct vn_item *it, const char *name, enum vn_guard_level lvl,
		 const char *fmt, ...)
{
	struct vn_guard *g =
		realloc(it->guards, (it->nguards + 1) * sizeof(*g));
	va_list ap;
	int r;

	if (!g)
		return -ENOMEM;
	it->guards = g;
	g = &g[it->nguards];
	*g = (struct vn_guard){ .name = name, .level = lvl };
	va_start(ap, fmt);
	r = xvasprintf(&g->evidence, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	it->nguards++;
	return 0;
}

static int ensure_holders(struct vn_txn *t)
{
	int r;

	if (t->holders_read)
		return 0;
	r = vn_holders_scan(t->sys, &t->holders);
	if (r == 0)
		t->holders_read = true;
	return r;
}

/* Before any write to a VFIO driver's unbind: the write blocks,
 * uninterruptibly, while anything holds the device (§5.8). */
static int guard_holders(struct vn_txn *t, struct vn_item *it)
{
	_cleanup_free_ char *who = NULL;
	bool maybe_only = true;
	int r = ensure_holders(t);

	if (r < 0)
		return r;
	for (size_t i = 0; i < t->holders.n; i++) {
		const struct vn_holder *h = &t->holders.v[i];
		enum vn_hold_match m = vn_holder_match(h, it->dev);
		char *n;

		if (m == VN_HOLD_NO)
			continue;
		maybe_only &= m == VN_HOLD_MAYBE;
		if (xasprintf(&n, "%s%s%s[%d] (%s %s%s)", who ? who : "",
			      who ? ", " : "", h->comm, (int)h->pid,
			      h->kind == VN_HOLD_FD ? "fd on" : "mapping of",
			      h->target,
			      m == VN_HOLD_MAYBE ? ", maybe this device" : "") <
		    0)
			return -ENOMEM;
		free(who);
		who = n;
	}
	if (who)
		return guard(it, "holders", VN_GUARD_HARD,
			     "%s %s it: unbinding it from %s would block until "
			     "%s closed",
			     who, maybe_only ? "may hold" : "holds",
			     it->dev->driver ? it->dev->driver : "its driver",
			     maybe_only ? "that is" : "they are");
	if (t->holders.unreadable)
		return guard(
			it, "holders", VN_GUARD_HARD,
			"%zu process%s could not be inspected (run as root)",
			t->holders.unreadable,
			t->holders.unreadable == 1 ? "" : "es");
	return guard(it, "holders", VN_GUARD_PASS, "no process holds it");
}

static bool iface_entry(const char *entry, const char *ifn)
{
	size_t len = strlen(ifn);

	return !strncmp(entry, ifn, len) && entry[len] == ' ';
}

/* Why an up interface is in use, as a clause: "is up with 192.0.2.10/24,
 * carries the default route, and this SSH session (from ...) arrives
 * through it"; NULL when nothing uses it. */
static int iface_use(struct vn_txn *t, const char *ifn, char **out)
{
	_cleanup_strv_ char **addrs = NULL;
	_cleanup_free_ char *joined = NULL;
	bool routes = false, deflt, ssh;
	size_t len = strlen(ifn);

	*out = NULL;
	for (size_t a = 0; t->net.addrs && t->net.addrs[a]; a++)
		if (iface_entry(t->net.addrs[a], ifn) &&
		    strv_push(&addrs, strdup(t->net.addrs[a] + len + 1)) < 0)
			return -ENOMEM;
	for (size_t a = 0; t->net.routes && t->net.routes[a]; a++)
		routes |= iface_entry(t->net.routes[a], ifn);
	deflt = strv_contains(t->net.default_ifs, ifn);
	ssh = streq_ptr(t->net.ssh_if, ifn);
	if ((!addrs && !routes && !ssh) || !vn_net_is_up(t->sys, ifn))
		return 0;
	joined = addrs ? strv_join(addrs, ", ") : strdup("routes");
	if (!joined)
		return -ENOMEM;
	return xasprintf(out, "is up with %s%s%s%s%s", joined,
			 deflt ? ", carries the default route" : "",
			 ssh ? ", and this SSH session (from " : "",
			 ssh ? (t->net.ssh_peer ? t->net.ssh_peer : "?") : "",
			 ssh ? ") arrives through it" : "");
}

static bool makes_no_netdev(const struct vn_dev *d)
{
	static const char *const drivers[] = { "uio_pci_generic", "igb_uio",
					       "pci-stub" };

	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (streq(d->driver, drivers[i]))
			return true;
	return is_vfio_driver(d);
}

static int guard_network(struct vn_txn *t, struct vn_item *it)
{
	_cleanup_strv_ char **nets = NULL;
	_cleanup_free_ char *findings = NULL, *names = NULL;
	int r;

	if (vn_dev_netdevs(t->sys, it->dev->bdf, &nets) < 0 || !nets[0]) {
		/* A NIC whose driver made no netdev here: it was moved to
		 * another network namespace (a container). Drivers that
		 * never make one (user-space I/O, stubs) are not that. */
		if ((it->dev->class_code >> 16) == 0x02 && it->dev->driver &&
		    !makes_no_netdev(it->dev))
			return guard(it, "network", VN_GUARD_SOFT,
				     "it is a network controller on %s but has "
				     "no interface in this network namespace: "
				     "it may have been moved into a container",
				     it->dev->driver);
		return guard(it, "network", VN_GUARD_PASS, "no interface");
	}
	if (!t->net_read) {
		r = vn_netinfo_read(t->sys, &t->net);
		if (r < 0)
			return r;
		t->net_read = true;
	}
	for (size_t n = 0; nets[n]; n++) {
		_cleanup_strv_ char **stack = NULL;

		r = vn_net_stack(t->sys, nets[n], &stack);
		if (r < 0)
			return r;
		/* The device's own interface, then everything stacked on it
		 * (bond, team, bridge, VLAN, OVS): an address on the bond
		 * is lost just the same. */
		for (size_t s = 0; stack[s]; s++) {
			_cleanup_free_ char *use = NULL;
			char *f;

			r = iface_use(t, stack[s], &use);
			if (r < 0)
				return r;
			if (!use)
				continue;
			if (s == 0)
				r = xasprintf(&f, "%s%sinterface %s %s",
					      findings ? findings : "",
					      findings ? "; " : "", stack[s],
					      use);
			else
				r = xasprintf(&f,
					      "%s%s%s is stacked on %s and %s",
					      findings ? findings : "",
					      findings ? "; " : "", stack[s],
					      nets[n], use);
			if (r < 0)
				return r;
			free(findings);
			findings = f;
		}
	}
	if (findings)
		return guard(it, "network", VN_GUARD_SOFT, "%s", findings);
	names = strv_join(nets, ", ");
	return guard(it, "network", VN_GUARD_PASS,
		     "%s: no addresses or routes in use", names ? names : "?");
}

static int guard_block(struct vn_txn *t, struct vn_item *it)
{
	_cleanup_strv_ char **disks = NULL;
	int r = vn_block_devices(t->sys, it->dev->bdf, &disks);

	if (r < 0 || !disks[0])
		return guard(it, "block", VN_GUARD_PASS, "no block devices");
	for (size_t i = 0; disks[i]; i++) {
		_cleanup_free_ char *why = NULL;

		r = vn_block_in_use(t->sys, disks[i], &why);
		if (r < 0)
			return r;
		if (r)
			return guard(it, "block", VN_GUARD_SOFT, "%s", why);
	}
	{
		_cleanup_free_ char *names = strv_join(disks, ", ");

		return guard(it, "block", VN_GUARD_PASS,
			     "%s: not mounted, not swap, not held, not busy",
			     names ? names : "?");
	}
}

static int guard_sriov(struct vn_txn *t, struct vn_item *it)
{
	_cleanup_free_ char *numvfs = NULL;
	int n = 0;

	if (vn_read_text(t->sys, &numvfs,
			 "/sys/bus/pci/devices/%s/sriov_numvfs",
			 it->dev->bdf) < 0 ||
	    parse_int(numvfs, &n) < 0 || n == 0)
		return guard(it, "sr-iov", VN_GUARD_PASS, "no VFs enabled");
	return guard(it, "sr-iov", VN_GUARD_HARD,
		     "it is an SR-IOV PF with %d VF%s enabled, which vfio-pci "
		     "refuses (EBUSY); disable them first: echo 0 > "
		     "/sys/bus/pci/devices/%s/sriov_numvfs",
		     n, n == 1 ? "" : "s", it->dev->bdf);
}

static int guard_group(struct vn_txn *t, struct vn_item *it, char ***others)
{
	_cleanup_strv_ char **members = NULL;
	_cleanup_free_ char *list = NULL;
	int r;

	/* The fake no-IOMMU group holds one device by construction. */
	if (it->dev->iommu_group < 0 || it->noiommu)
		return guard(it, "iommu_group", VN_GUARD_PASS,
			     "no IOMMU group");
	r = vn_list_dir(t->sys, &members, "/sys/kernel/iommu_groups/%d/devices",
			it->dev->iommu_group);
	/* Fail closed: a member nobody can see may be on a host driver. */
	if (r < 0)
		return guard(it, "iommu_group", VN_GUARD_HARD,
			     "the members of its IOMMU group %d cannot be "
			     "listed (%s)",
			     it->dev->iommu_group, strerror(-r));
	for (size_t i = 0; members[i]; i++) {
		_cleanup_(vn_dev_freep) struct vn_dev *m = NULL;
		char *n;

		if (streq(members[i], it->dev->bdf) || find_item(t, members[i]))
			continue;
		r = vn_vfio_dev_read(t->sys, members[i], false, &m);
		if (r == -ENOENT || r == -ENODEV)
			continue; /* gone since the listing */
		if (r < 0)
			return guard(it, "iommu_group", VN_GUARD_HARD,
				     "%s in its IOMMU group %d cannot be read "
				     "(%s)",
				     members[i], it->dev->iommu_group,
				     strerror(-r));
		/* A group is usable when every non-bridge member is on a VFIO
		 * driver, pci-stub, or none. */
		if (vn_dev_is_bridge(m) || is_vfio_driver(m) || !m->driver ||
		    streq(m->driver, "pci-stub"))
			continue;
		if ((r = strv_push(others, strdup(m->bdf))) < 0)
			return r;
		if (xasprintf(&n, "%s%s%s (%s)", list ? list : "",
			      list ? ", " : "", m->bdf, m->driver) < 0)
			return -ENOMEM;
		free(list);
		list = n;
	}
	if (!list)
		return guard(
			it, "iommu_group", VN_GUARD_PASS,
			"IOMMU group %d has no other member on a host driver",
			it->dev->iommu_group);
	if (t->opts.group)
		return guard(it, "iommu_group", VN_GUARD_PASS,
			     "IOMMU group %d: --group takes %s too",
			     it->dev->iommu_group, list);
	return guard(it, "iommu_group", VN_GUARD_HARD,
		     "it shares IOMMU group %d with %s, which must leave their "
		     "drivers too before the group can be used; --group binds "
		     "them all",
		     it->dev->iommu_group, list);
}

static int guards_bind(struct vn_txn *t, struct vn_item *it, char ***others)
{
	_cleanup_free_ char *bootvga = NULL;
	int r;

	if (vn_dev_is_bridge(it->dev))
		r = guard(it, "bridge", VN_GUARD_HARD,
			  "it is a bridge (class 0x%06x): bridges are never "
			  "handed to user space",
			  it->dev->class_code);
	else
		r = guard(it, "bridge", VN_GUARD_PASS, "not a bridge");
	if (r < 0 || (r = guard_sriov(t, it)) < 0)
		return r;
	if (it->noiommu) {
		if (t->pot == 1 && (t->pot_mask & VN_TAINT_USER))
			r = guard(
				it, "panic_on_taint", VN_GUARD_HARD,
				"the kernel command line has panic_on_taint=0x%lx, "
				"which covers U: binding a device without an "
				"IOMMU taints the kernel and would panic this host",
				t->pot_mask);
		else
			r = guard(it, "panic_on_taint", VN_GUARD_PASS,
				  "panic_on_taint does not cover U");
		if (r < 0)
			return r;
	}
	if ((r = guard_network(t, it)) < 0 || (r = guard_block(t, it)) < 0)
		return r;
	if (vn_read_text(t->sys, &bootvga, "/sys/bus/pci/devices/%s/boot_vga",
			 it->dev->bdf) == 0 &&
	    streq(bootvga, "1"))
		r = guard(it, "boot_vga", VN_GUARD_SOFT,
			  "it is the boot VGA device: the console may go dark");
	else
		r = guard(it, "boot_vga", VN_GUARD_PASS,
			  "not the boot VGA device");
	if (r < 0)
		return r;
	return guard_group(t, it, others);
}

/* ---- planning ------------------------------------------------------------- */

static int add_write(struct vn_item *it, const char *value, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static int add_write(struct vn_item *it, const char *value, const char *fmt,
		     ...)
{
	struct vn_write *w = &it->writes[it->nwrites];
	va_list ap;
	int r;

	if (it->nwrites >= VN_MAX_WRITES)
		return -E2BIG;
	va_start(ap, fmt);
	r = xvasprintf(&w->path, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	w->value = strdup(value);
	if (!w->value) {
		free(w->path);
		w->path = NULL;
		return -ENOMEM;
	}
	it->nwrites++;
	return 0;
}

static void verdict(struct vn_item *it, enum vn_verdict v)
{
	/* The strongest verdict wins (enum vn_verdict's order). */
	if (v > it->verdict)
		it->verdict = v;
}

/* A no-IOMMU device while the mode is (or will load) off: vfio-pci's
 * probe would fail with EINVAL (kernel-interfaces.md §2.2, §3.1). */
static int unsupported_mode_off(struct vn_txn *t, struct vn_item *it)
{
	it->verdict = VN_ITEM_UNSUPPORTED;
	it->unsupported = VN_UNSUP_MODE_OFF;
	return setf(&it->why,
		    "it has no IOMMU and no-IOMMU mode is off (%s): "
		    "vfio-pci would fail to probe it (EINVAL)",
		    t->mode_source);
}

static int plan_bind_item(struct vn_txn *t, struct vn_item *it, char ***others)
{
	const struct vn_dev *d = it->dev;
	int r = 0;

	it->noiommu = !d->has_iommu && (d->iommu_group < 0 || d->noiommu);
	if ((r = dupstr(&it->from, d->driver)) < 0 ||
	    (r = dupstr(&it->to, VN_VFIO_PCI)) < 0)
		return r;
	if (is_vfio_driver(d)) {
		verdict(it, VN_ITEM_NOTHING);
		return setf(&it->why, "already on %s", d->driver);
	}

	/* The record to write: keep the original of an earlier, unfinished
	 * run while the device is still between drivers; otherwise what is
	 * there now is the original. */
	if (!it->had_record || d->driver) {
		vn_record_clear(&it->rec);
		snprintf(it->rec.bdf, sizeof(it->rec.bdf), "%s", d->bdf);
		it->rec.vendor = d->vendor;
		it->rec.device = d->device;
		if ((r = dupstr(&it->rec.orig_driver, d->driver)) < 0 ||
		    (r = dupstr(&it->rec.orig_override, d->driver_override)) <
			    0)
			return r;
		if ((r = vn_dev_netdevs(t->sys, d->bdf, &it->rec.netdevs)) < 0)
			return r;
	}
	if ((r = dupstr(&it->rec.target, VN_VFIO_PCI)) < 0 ||
	    (r = dupstr(&it->rec.user, t->user)) < 0)
		return r;
	it->rec.when = time(NULL);

	if (t->caps.vfio.value == VN_NO) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		r = setf(&it->why, "this kernel has no VFIO (%s)",
			 t->caps.vfio.source);
	} else if (t->caps.mod_vfio_pci == VN_MOD_ABSENT &&
		   (t->caps.modules_dir ||
		    vn_kconfig_get(&t->caps.config, "VFIO_PCI") == 'n')) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		r = setf(&it->why,
			 "this kernel has no vfio-pci driver (neither "
			 "loaded, built in, nor installed)");
	} else if (it->noiommu && t->caps.noiommu.value == VN_NO) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		it->unsupported = VN_UNSUP_NO_NOIOMMU;
		r = setf(&it->why,
			 "it has no IOMMU, and this kernel was built "
			 "without CONFIG_VFIO_NOIOMMU, so vfio-pci "
			 "cannot take it (%s)",
			 t->caps.noiommu.source);
	} else if (it->noiommu && t->mode != VN_YES) {
		r = unsupported_mode_off(t, it);
	}
	if (r < 0 || (r = guards_bind(t, it, others)) < 0)
		return r;

	if ((r = add_write(it, VN_VFIO_PCI,
			   "/sys/bus/pci/devices/%s/driver_override", d->bdf)) <
	    0)
		return r;
	if (d->driver &&
	    (r = add_write(it, d->bdf, "/sys/bus/pci/drivers/%s/unbind",
			   d->driver)) < 0)
		return r;
	/* bind, not drivers_probe: only bind returns the probe's errno. */
	return add_write(it, d->bdf,
			 "/sys/bus/pci/drivers/" VN_VFIO_PCI "/bind");
}

/* The writes apply_unbind() will make, in its order: release from the
 * VFIO driver (a host driver a killed bind never got to unbind keeps the
 * device), the override, and the bind unless the device is there already. */
static int restore_writes(struct vn_item *it)
{
	const struct vn_dev *d = it->dev;
	int r;

	if (is_vfio_driver(d) &&
	    (r = add_write(it, d->bdf, "/sys/bus/pci/drivers/%s/unbind",
			   d->driver)) < 0)
		return r;
	/* The override first: while it names vfio-pci nothing else can
	 * match (§5.1). "\n" clears it; "(null)" would be taken literally. */
	if ((r = add_write(it, it->to_override ? it->to_override : "\n",
			   "/sys/bus/pci/devices/%s/driver_override", d->bdf)) <
	    0)
		return r;
	if (it->to && streq_ptr(d->driver, it->to))
		return 0;
	if (it->to)
		return add_write(it, d->bdf, "/sys/bus/pci/drivers/%s/bind",
				 it->to);
	if (it->probe)
		return add_write(it, d->bdf, "/sys/bus/pci/drivers_probe");
	return 0; /* it had no driver: it gets none */
}

static int plan_unbind_item(struct vn_txn *t, struct vn_item *it)
{
	const struct vn_dev *d = it->dev;
	const char *to = t->opts.driver;
	int r;

	if (!to && it->had_record)
		to = it->rec.orig_driver;
	/* Without a record, the kernel picks: clear the override, probe. */
	it->probe = !to && !it->had_record;
	if ((r = dupstr(&it->from, d->driver)) < 0 ||
	    (r = dupstr(&it->to, to)) < 0 ||
	    (r = dupstr(&it->to_override,
			it->had_record ? it->rec.orig_override : NULL)) < 0)
		return r;

	if (!is_vfio_driver(d) &&
	    !(it->had_record && vn_record_unfinished(&it->rec))) {
		verdict(it, VN_ITEM_NOTHING);
		return setf(&it->why, "not on a VFIO driver (%s)",
			    d->driver ? d->driver : "no driver");
	}
	if (!it->had_record) {
		snprintf(it->rec.bdf, sizeof(it->rec.bdf), "%s", d->bdf);
		it->rec.vendor = d->vendor;
		it->rec.device = d->device;
		it->rec.when = time(NULL);
		if ((r = dupstr(&it->rec.target, d->driver)) < 0 ||
		    (r = dupstr(&it->rec.user, t->user)) < 0)
			return r;
		if (!(it->rec.netdevs = strv_new()))
			return -ENOMEM;
	}
	if (t->opts.driver &&
	    !vn_exists(t->sys, "/sys/bus/pci/drivers/%s", to) &&
	    !vn_module_known(t->sys, to)) {
		verdict(it, VN_ITEM_UNSUPPORTED);
		if ((r = setf(&it->why,
			      "there is no driver '%s' on this system", to)) <
		    0)
			return r;
	}
	if (is_vfio_driver(d) && (r = guard_holders(t, it)) < 0)
		return r;
	return restore_writes(it);
}

static void apply_guard_verdicts(struct vn_txn *t, struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++) {
		if (it->guards[g].level == VN_GUARD_HARD ||
		    (it->guards[g].level == VN_GUARD_SOFT && !t->opts.force))
			verdict(it, VN_ITEM_REFUSED);
	}
}

int vn_txn_plan(struct vn_txn *t)
{
	int r;

	if (t->op == VN_OP_BIND) {
		r = vn_noiommu_effective(t->sys, &t->mode, &t->mode_source);
		if (r < 0)
			return r;
		t->pot = vn_panic_on_taint(t->sys, &t->pot_mask,
					   &t->pot_nousertaint);
	}
	/* Items added by --group are planned too (t->n grows). */
	for (size_t i = 0; i < t->n; i++) {
		_cleanup_strv_ char **others = NULL;

		if (t->op == VN_OP_BIND)
			r = plan_bind_item(t, &t->items[i], &others);
		else
			r = plan_unbind_item(t, &t->items[i]);
		if (r < 0)
			return r;
		apply_guard_verdicts(t, &t->items[i]);
		for (size_t o = 0; t->opts.group && others && others[o]; o++) {
			r = vn_txn_add(t, others[o]);
			if (r == -EEXIST)
				continue;
			if (r < 0)
				return r;
			t->items[t->n - 1].via_group = true;
		}
	}
	return 0;
}

bool vn_txn_any(const struct vn_txn *t, enum vn_verdict v)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].verdict == v)
			return true;
	return false;
}

bool vn_item_hard_refused(const struct vn_item *it)
{
	for (size_t g = 0; g < it->nguards; g++)
		if (it->guards[g].level == VN_GUARD_HARD)
			return true;
	return false;
}

/* ---- applying ----------------------------------------------------------------- */

int vn_txn_complete_records(struct vn_txn *t)
{
	for (size_t i = 0; t->op == VN_OP_BIND && i < t->n; i++) {
		struct vn_item *it = &t->items[i];
		int r;

		if (it->verdict != VN_ITEM_NOTHING || !it->had_record ||
		    !vn_record_unfinished(&it->rec) || !is_vfio_driver(it->dev))
			continue;
		it->rec.step = VN_STEP_BOUND;
		r = vn_journal_write(t->sys, &it->rec);
		if (r < 0)
			return r;
		it->completed = true;
	}
	return 0;
}

int vn_txn_load_modules(struct vn_txn *t)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int r;

	if (t->op != VN_OP_BIND ||
	    vn_exists(t->sys, "/sys/bus/pci/drivers/" VN_VFIO_PCI))
		return 0;
	/* vfio-pci's catch-all ID is override-only, so udev never loads it
	 * for a device (§5.6): the tool must. */
	ctx = vn_kmod(t->sys);
	if (!ctx)
		return -ENOENT;
	r = kmod_module_new_from_name(ctx, "vfio_pci", &mod);
	if (r < 0)
		return r;
	r = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED, NULL,
					    NULL, NULL, NULL);
	if (r < 0)
		return r;
	if (!vn_exists(t->sys, "/sys/bus/pci/drivers/" VN_VFIO_PCI))
		return -ENOENT;
	/* vfio is loaded now: the mode is the parameter's. */
	r = vn_noiommu_effective(t->sys, &t->mode, &t->mode_source);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (it->verdict != VN_ITEM_GO || !it->noiommu ||
		    t->mode == VN_YES)
			continue;
		it->late = true;
		r = unsupported_mode_off(t, it);
		if (r < 0)
			return r;
	}
	return 0;
}

static int journal(struct vn_txn *t, struct vn_item *it, enum vn_step step)
{
	it->rec.step = step;
	return vn_journal_write(t->sys, &it->rec);
}

const char *vn_fail_step_name(enum vn_fail_step s)
{
	static const char *const names[] = {
		[VN_FAIL_NONE] = NULL,
		[VN_FAIL_JOURNAL] = "write the journal",
		[VN_FAIL_OVERRIDE] = "set driver_override",
		[VN_FAIL_UNBIND_HOST] = "unbind from its driver",
		[VN_FAIL_BIND_VFIO] = "bind to " VN_VFIO_PCI,
		[VN_FAIL_UNBIND_VFIO] = "unbind from " VN_VFIO_PCI,
		[VN_FAIL_RESTORE_OVERRIDE] = "restore driver_override",
		[VN_FAIL_BIND_ORIGINAL] = "bind to the original driver",
		[VN_FAIL_PROBE] = "probe drivers",
		[VN_FAIL_VERIFY] = "verify",
		[VN_FAIL_ROLLBACK] = "roll back to its original driver",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : NULL;
}

static void fail(struct vn_item *it, int err, enum vn_fail_step step)
{
	if (it->outcome == VN_OUT_FAILED || it->outcome == VN_OUT_STRANDED)
		return;
	it->outcome = VN_OUT_FAILED;
	it->err = err;
	it->failed_at = step;
}

static bool pending(const struct vn_item *it)
{
	return it->verdict == VN_ITEM_GO && it->outcome == VN_OUT_NONE;
}

static int write_override(struct vn_txn *t, const struct vn_item *it,
			  const char *value)
{
	return vn_write_text(t->sys, value ? value : "\n",
			     "/sys/bus/pci/devices/%s/driver_override",
			     it->dev->bdf);
}

static int bind_to(struct vn_txn *t, const struct vn_item *it, const char *drv)
{
	if (drv)
		return vn_write_text(t->sys, it->dev->bdf,
				     "/sys/bus/pci/drivers/%s/bind", drv);
	return vn_write_text(t->sys, it->dev->bdf,
			     "/sys/bus/pci/drivers_probe");
}

/* The original driver's module may have been unloaded meanwhile. */
static void load_driver(struct vn_txn *t, const char *drv)
{
	_cleanup_(vn_kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = vn_kmod(t->sys);

	if (!ctx || vn_exists(t->sys, "/sys/bus/pci/drivers/%s", drv) ||
	    kmod_module_new_from_name(ctx, drv, &mod) < 0)
		return;
	kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED, NULL,
					NULL, NULL, NULL);
}

/* The restore's last write: the wanted driver, the kernel's choice, or
 * nothing for a device that had no driver. */
static int bind_back(struct vn_txn *t, struct vn_item *it)
{
	if (it->to) {
		load_driver(t, it->to);
		return bind_to(t, it, it->to);
	}
	return it->probe ? bind_to(t, it, NULL) : 0;
}

/* Is the device (as last read into it->after) where the restore wants it? */
static bool restored(const struct vn_item *it)
{
	const struct vn_dev *a = it->after;

	if (!a)
		return false;
	if (it->to)
		return streq_ptr(a->driver, it->to);
	if (it->probe)
		return !is_vfio_driver(a);
	return !a->driver;
}

static int reread(struct vn_txn *t, struct vn_item *it)
{
	vn_dev_free(it->after);
	it->after = NULL;
	return vn_vfio_dev_read(t->sys, it->dev->bdf,
				t->caps.cdev.value == VN_YES, &it->after);
}

/* Put a device back on vfio-pci after a failed restore: never leave it
 * without a driver. */
static int back_to_vfio(struct vn_txn *t, struct vn_item *it)
{
	int r = 0;

	if (reread(t, it) < 0 || !is_vfio_driver(it->after)) {
		r = write_override(t, it, VN_VFIO_PCI);
		if (r == 0 && it->after && it->after->driver)
			r = vn_write_text(t->sys, it->dev->bdf,
					  "/sys/bus/pci/drivers/%s/unbind",
					  it->after->driver);
		if (r == 0)
			r = bind_to(t, it, VN_VFIO_PCI);
		if (r < 0)
			return r;
	}
	/* On vfio-pci as before: the record says so again, and an unbind
	 * that found no record leaves none. */
	if (t->op == VN_OP_UNBIND && !it->had_record)
		return vn_journal_remove(t->sys, it->dev->bdf);
	return journal(t, it, VN_STEP_BOUND);
}

/* What the orphaned child of a timed-out unbind does once the holder
 * lets go: finish the restore its parent could not wait for. */
static void finish_alone(struct vn_txn *t, struct vn_item *it)
{
	if (write_override(t, it, it->to_override) < 0 ||
	    bind_back(t, it) < 0) {
		back_to_vfio(t, it);
		return;
	}
	if (reread(t, it) == 0 && restored(it))
		vn_journal_remove(t->sys, it->dev->bdf);
	vn_audit(t->sys,
		 "unbind %s: completed after its holder released it, "
		 "now on %s",
		 it->dev->bdf,
		 it->after && it->after->driver ? it->after->driver :
						  "no driver");
}

/* Wait up to ms for the child's result; 1 with *res, 0 on timeout, -EIO
 * when the child died without answering. */
static int wait_result(int fd, int ms, int *res)
{
	long long deadline = vn_now_ms() + ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - vn_now_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		n = read(fd, res, sizeof(*res));
		return n == sizeof(*res) ? 1 : -EIO;
	}
}

/* The child a timed-out unbind leaves behind: detached from the terminal
 * and the caller's pipes (a shell waiting for our output must not wait
 * for it), still holding the writers' lock, which is now in its name. */
static void detach_child(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setsid();
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

/*
 * Write the BDF to a VFIO driver's unbind in a child with a time limit: the
 * write blocks, uninterruptibly, while the device is held (§5.8), and the
 * tool itself must never sit in D state holding the lock. If the limit
 * passes, the child (which keeps the lock, now under its PID) finishes the
 * restore on its own once the holder lets go.
 */
static int bounded_vfio_unbind(struct vn_txn *t, struct vn_item *it,
			       const char *driver)
{
	int res_pipe[2], ack_pipe[2], res = -EIO, r;
	pid_t pid;

	if (pipe2(res_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ack_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		close(res_pipe[0]);
		close(res_pipe[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(res_pipe[0]);
		close(res_pipe[1]);
		close(ack_pipe[0]);
		close(ack_pipe[1]);
		return r;
	}
	if (pid == 0) {
		char ack;

		close(res_pipe[0]);
		close(ack_pipe[1]);
		signal(SIGPIPE, SIG_IGN);
		detach_child();
		res = vn_write_text(t->sys, it->dev->bdf,
				    "/sys/bus/pci/drivers/%s/unbind", driver);
		if (write(res_pipe[1], &res, sizeof(res)) < 0) {
			/* the parent is gone; the ack read says so too */
		}
		/* No ack (EOF): the parent gave up waiting. */
		if (read(ack_pipe[0], &ack, 1) != 1 && res == 0)
			finish_alone(t, it);
		_exit(0);
	}
	close(res_pipe[1]);
	close(ack_pipe[0]);
	r = wait_result(res_pipe[0], t->opts.unbind_timeout_ms, &res);
	if (r == 1) {
		char ack = 1;

		if (write(ack_pipe[1], &ack, 1) < 0) {
			/* the child exits on EOF all the same */
		}
	}
	close(res_pipe[0]);
	close(ack_pipe[1]);
	if (r == 1 || r < 0) {
		waitpid(pid, NULL, 0);
		return r == 1 ? res : r;
	}
	/* Timed out: the child holds the lock from here on; say so in the
	 * lock file, so that a waiter names it rather than us. */
	vn_lock_hand_over(t->lock_fd, pid);
	return setf(&it->detail,
		    "the unbind is blocked: something holds the device; process "
		    "%d finishes the restore when it is released",
		    (int)pid) ?:
		       -ETIMEDOUT;
}

/* ---- waiting for udev ---------------------------------------------------------- */

struct waiter {
	struct udev_monitor *mon;
	struct udev_queue *queue;
	struct udev *udev;
	bool udevd;
};

static void waiter_init(struct vn_txn *t, struct waiter *w)
{
	*w = (struct waiter){ 0 };
	if (!vn_sys_is_host(t->sys))
		return;
	/* udevd makes the nodes' owner and mode final; without it (early
	 * boot, initramfs) devtmpfs alone creates them. */
	w->udevd = access("/run/udev/control", F_OK) == 0;
	if (!w->udevd)
		return;
	if (!t->sys->udev)
		t->sys->udev = udev_new();
	w->udev = t->sys->udev;
	if (!w->udev)
		return;
	w->queue = udev_queue_new(w->udev);
	w->mon = udev_monitor_new_from_netlink(w->udev, "udev");
	if (w->mon && udev_monitor_enable_receiving(w->mon) < 0) {
		udev_monitor_unref(w->mon);
		w->mon = NULL;
	}
}

static void waiter_clear(struct waiter *w)
{
	if (w->mon)
		udev_monitor_unref(w->mon);
	if (w->queue)
		udev_queue_unref(w->queue);
}

/* udevd has no event left to process: nodes have their final owner and
 * mode, interfaces their final names (a returning NIC appears as eth0 and
 * is renamed while its event is processed). */
static bool udev_idle(struct waiter *w)
{
	return !w->queue || udev_queue_get_queue_is_empty(w->queue);
}

static bool udev_initialized(struct waiter *w, const char *syspath_fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool udev_initialized(struct waiter *w, const char *syspath_fmt, ...)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct udev_device *d;
	va_list ap;
	bool ok;

	if (!w->udevd || !w->udev)
		return true;
	va_start(ap, syspath_fmt);
	vsnprintf(path, sizeof(path), syspath_fmt, ap);
	va_end(ap);
	if (!realpath(path, real))
		return false;
	d = udev_device_new_from_syspath(w->udev, real);
	if (!d)
		return false;
	ok = udev_device_get_is_initialized(d) > 0;
	udev_device_unref(d);
	return ok;
}

/* Bound to vfio-pci, with the node(s) the kernel announced in /dev and
 * processed by udev. A vfio-dev class object without a dev_t (no cdev:
 * kernel-interfaces.md §1.3) gets no udev database entry, so only the
 * objects that have a node are asked about. */
static bool bind_settled(struct vn_txn *t, struct waiter *w, struct vn_item *it)
{
	const struct vn_dev *a;

	if (reread(t, it) < 0)
		return false;
	a = it->after;
	if (!is_vfio_driver(a) || !a->vfio_name)
		return false;
	if (a->cdev.path &&
	    (a->cdev_state != VN_CDEV_OK ||
	     !udev_initialized(w, "/sys/bus/pci/devices/%s/vfio-dev/%s", a->bdf,
			       a->vfio_name)))
		return false;
	if (a->group.path &&
	    (!a->group.st.present || !a->group.st.is_chr ||
	     !udev_initialized(w, "/sys/class/vfio/%s",
			       a->group.path + strlen("/dev/vfio/"))))
		return false;
	/* At least one way in: a cdev or a group node. */
	return a->cdev.path || a->group.path;
}

static bool unbind_settled(struct vn_txn *t, struct waiter *w,
			   struct vn_item *it)
{
	_cleanup_strv_ char **nets = NULL;

	if (reread(t, it) < 0)
		return false;
	if (!restored(it))
		return false;
	/* Interfaces it had must be back, renamed by udev if it renames. */
	if (it->rec.netdevs && it->rec.netdevs[0]) {
		if (vn_dev_netdevs(t->sys, it->dev->bdf, &nets) < 0 || !nets[0])
			return false;
		for (size_t i = 0; nets[i]; i++)
			if (!udev_initialized(w, "/sys/class/net/%s", nets[i]))
				return false;
		strv_free(it->netdevs_after);
		it->netdevs_after = steal_ptr(nets);
	}
	return true;
}

/* One wait for every device; udev events (or a short sleep without
 * udevd) wake it to look again. */
static void wait_all(struct vn_txn *t, struct waiter *w,
		     bool (*settled)(struct vn_txn *, struct waiter *,
				     struct vn_item *),
		     bool *done)
{
	long long deadline = vn_now_ms() + t->opts.timeout_ms;

	for (;;) {
		bool all = true;

		/* Every item again each time: an interface renamed since the
		 * last look must be reported by its final name. */
		for (size_t i = 0; i < t->n; i++) {
			if (!pending(&t->items[i]))
				continue;
			done[i] = settled(t, w, &t->items[i]);
			all &= done[i];
		}
		if ((all && udev_idle(w)) || vn_now_ms() >= deadline)
			return;
		if (w->mon) {
			struct pollfd p = { .fd = udev_monitor_get_fd(w->mon),
					    .events = POLLIN };
			long long left = deadline - vn_now_ms();

			if (poll(&p, 1, left < 200 ? (int)left : 200) > 0) {
				struct udev_device *d;

				while ((d = udev_monitor_receive_device(w->mon)))
					udev_device_unref(d);
			}
		} else {
			usleep(50 * 1000);
		}
	}
}

/* ---- bind ---------------------------------------------------------------------- */

static bool held(struct vn_txn *t, const struct vn_dev *d)
{
	/* Fresh: a process may have opened the node since planning. */
	vn_holders_clear(&t->holders);
	t->holders_read = false;
	if (ensure_holders(t) < 0)
		return true;
	for (size_t i = 0; i < t->holders.n; i++)
		if (vn_holder_match(&t->holders.v[i], d) != VN_HOLD_NO)
			return true;
	return false;
}

/* Undo a bind of one device, back to what the journal says it had. */
static void undo_bind(struct vn_txn *t, struct vn_item *it, enum vn_outcome ok)
{
	int r = 0;

	if (dupstr(&it->to, it->rec.orig_driver) < 0 ||
	    dupstr(&it->to_override, it->rec.orig_override) < 0 ||
	    reread(t, it) < 0) {
		it->outcome = VN_OUT_STRANDED;
		return;
	}
	it->probe = false;
	if (is_vfio_driver(it->after)) {
		if (held(t, it->after)) {
			r = -EBUSY;
			setf(&it->detail,
			     "a process opened it meanwhile; it stays "
			     "on " VN_VFIO_PCI);
		} else {
			r = bounded_vfio_unbind(t, it, it->after->driver);
		}
	}
	if (r == 0)
		r = write_override(t, it, it->to_override);
	if (r == 0 && reread(t, it) == 0 && !it->after->driver)
		r = bind_back(t, it);
	if (r == 0 && reread(t, it) == 0 && restored(it)) {
		vn_journal_remove(t->sys, it->dev->bdf);
		if (ok == VN_OUT_ROLLED_BACK)
			it->outcome = ok;
		return;
	}
	/* Not back where it was: on vfio-pci rather than on nothing, with
	 * the journal kept for 'unbind' to retry. A device whose bind had
	 * worked now failed at the roll-back: say so, with its errno. */
	if (it->outcome == VN_OUT_NONE) {
		it->err = r < 0 ? r : -EIO;
		it->failed_at = VN_FAIL_ROLLBACK;
	}
	if (r != -ETIMEDOUT && back_to_vfio(t, it) == 0) {
		if (it->outcome == VN_OUT_NONE)
			it->outcome = VN_OUT_FAILED;
	} else {
		it->outcome = VN_OUT_STRANDED;
	}
	if (r < 0 && !it->detail)
		setf(&it->detail, "putting it back on %s failed: %s",
		     it->to ? it->to : "no driver", strerror(-r));
	else if (r == 0 && !it->detail)
		setf(&it->detail, "%s did not take it back",
		     it->to ? it->to : "the kernel");
}

static void finish(struct vn_txn *t, bool any_failed)
{
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];
		int r;

		if (it->verdict != VN_ITEM_GO)
			continue;
		if (it->outcome == VN_OUT_FAILED ||
		    it->outcome == VN_OUT_STRANDED) {
			if (t->op == VN_OP_BIND)
				undo_bind(t, it, VN_OUT_FAILED);
			continue;
		}
		if (any_failed && !t->opts.keep_going) {
			if (t->op == VN_OP_BIND) {
				undo_bind(t, it, VN_OUT_ROLLED_BACK);
			} else if (back_to_vfio(t, it) == 0) {
				it->outcome = VN_OUT_ROLLED_BACK;
			} else {
				it->outcome = VN_OUT_STRANDED;
			}
			continue;
		}
		it->outcome = VN_OUT_DONE;
		if (t->op == VN_OP_BIND) {
			/* Bound either way; a record left one step behind is
			 * completed by the next bind (vn_txn_complete_records). */
			if ((r = journal(t, it, VN_STEP_BOUND)) < 0)
				setf(&it->detail,
				     "bound, but its journal record could not "
				     "be updated (%s); the next bind of it "
				     "completes the record",
				     strerror(-r));
			vn_audit(
				t->sys,
				"bind %s (%04x:%04x) %s -> " VN_VFIO_PCI
				"%s by %s",
				it->dev->bdf, it->dev->vendor, it->dev->device,
				it->from ? it->from : "no driver",
				it->after && it->after->noiommu ?
					" as a no-IOMMU device (taints the kernel)" :
					"",
				t->user);
		} else {
			vn_journal_remove(t->sys, it->dev->bdf);
			vn_audit(t->sys, "unbind %s (%04x:%04x) %s -> %s by %s",
				 it->dev->bdf, it->dev->vendor, it->dev->device,
				 it->from ? it->from : "no driver",
				 it->after && it->after->driver ?
					 it->after->driver :
					 "no driver",
				 t->user);
		}
	}
}

static bool any_failed(const struct vn_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].outcome == VN_OUT_FAILED ||
		    t->items[i].outcome == VN_OUT_STRANDED)
			return true;
	return false;
}

static void apply_bind(struct vn_txn *t, struct waiter *w, bool *done)
{
	int r;

	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it))
			continue;
		if ((r = journal(t, it, VN_STEP_PLANNED)) < 0)
			fail(it, r, VN_FAIL_JOURNAL);
	}
	vn_test_pause("bind-journaled");
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it))
			continue;
		r = write_override(t, it, VN_VFIO_PCI);
		if (r == 0)
			r = journal(t, it, VN_STEP_OVERRIDE);
		if (r < 0)
			fail(it, r, VN_FAIL_OVERRIDE);
	}
	vn_test_pause("bind-override");
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it) || !it->from)
			continue;
		r = vn_write_text(t->sys, it->dev->bdf,
				  "/sys/bus/pci/drivers/%s/unbind", it->from);
		if (r == 0)
			r = journal(t, it, VN_STEP_UNBOUND);
		if (r < 0)
			fail(it, r, VN_FAIL_UNBIND_HOST);
	}
	vn_test_pause("bind-unbound");
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it))
			continue;
		r = vn_test_fail("bind", it->dev->bdf) ?:
			    bind_to(t, it, VN_VFIO_PCI);
		if (r < 0)
			fail(it, r, VN_FAIL_BIND_VFIO);
	}
	vn_test_pause("bind-bound");
	wait_all(t, w, bind_settled, done);
	for (size_t i = 0; i < t->n; i++)
		if (pending(&t->items[i]) && !done[i]) {
			fail(&t->items[i], -ETIMEDOUT, VN_FAIL_VERIFY);
			setf(&t->items[i].detail,
			     "%s: no VFIO device node within %d ms",
			     t->items[i].after && t->items[i].after->driver ?
				     "bound, but" :
				     "not bound",
			     t->opts.timeout_ms);
		}
}

/* ---- unbind -------------------------------------------------------------------- */

static void apply_unbind(struct vn_txn *t, struct waiter *w, bool *done)
{
	int r;

	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (pending(it) && (r = journal(t, it, VN_STEP_RESTORING)) < 0)
			fail(it, r, VN_FAIL_JOURNAL);
	}
	vn_test_pause("unbind-journaled");
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it) || !is_vfio_driver(it->dev))
			continue;
		r = bounded_vfio_unbind(t, it, it->dev->driver);
		if (r == -ETIMEDOUT) {
			it->outcome = VN_OUT_STRANDED;
			it->err = r;
			it->failed_at = VN_FAIL_UNBIND_VFIO;
		} else if (r < 0) {
			fail(it, r, VN_FAIL_UNBIND_VFIO);
		}
	}
	vn_test_pause("unbind-released");
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it))
			continue;
		r = write_override(t, it, it->to_override);
		if (r < 0)
			fail(it, r, VN_FAIL_RESTORE_OVERRIDE);
	}
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it))
			continue;
		/* A driver that took the device on its own (the override
		 * cleared, the module just loaded) is fine when it is the
		 * one wanted. */
		if (reread(t, it) == 0 && it->after->driver && restored(it))
			continue;
		r = vn_test_fail("restore", it->dev->bdf);
		if (r == 0)
			r = bind_back(t, it);
		if (r < 0)
			fail(it, r,
			     it->to ? VN_FAIL_BIND_ORIGINAL : VN_FAIL_PROBE);
	}
	wait_all(t, w, unbind_settled, done);
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (!pending(it) || done[i])
			continue;
		if (restored(it)) {
			/* On the right driver; only its interface is late. */
			setf(&it->detail,
			     "on %s, but its interface (%s) did not "
			     "come back within %d ms",
			     it->after->driver ? it->after->driver :
						 "no driver",
			     it->rec.netdevs[0], t->opts.timeout_ms);
			fail(it, -ETIMEDOUT, VN_FAIL_VERIFY);
			continue;
		}
		fail(it, -ENODEV, VN_FAIL_VERIFY);
		setf(&it->detail, "%s did not take it",
		     it->to ? it->to : "no driver");
	}
	/* A restore that did not work: back on vfio-pci, journal kept. */
	for (size_t i = 0; i < t->n; i++) {
		struct vn_item *it = &t->items[i];

		if (it->outcome != VN_OUT_FAILED || restored(it))
			continue;
		if (back_to_vfio(t, it) < 0)
			it->outcome = VN_OUT_STRANDED;
	}
}

int vn_txn_apply(struct vn_txn *t)
{
	_cleanup_free_ bool *done = calloc(t->n ? t->n : 1, sizeof(bool));
	struct waiter w;

	if (!done)
		return -ENOMEM;
	waiter_init(t, &w);
	if (t->op == VN_OP_BIND)
		apply_bind(t, &w, done);
	else
		apply_unbind(t, &w, done);
	finish(t, any_failed(t));
	waiter_clear(&w);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guards: what must not lose its driver, and why. Facts are gathered
 * first (vn_guard_facts_read); the verdicts are a pure function of them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "blockinfo.h"
#include "guards.h"
#include "netinfo.h"
#include "sys.h"
#include "taint.h"

void vn_guard_facts_clear(struct vn_guard_facts *f)
{
	strv_free(f->netdevs);
	strv_free(f->net_uses);
	strv_free(f->disks);
	free(f->disk_use);
	strv_free(f->group_others);
	strv_free(f->group_other_drivers);
	free(f->group_unreadable);
	strv_free(f->holders);
	*f = (struct vn_guard_facts){ 0 };
}

static bool is_vfio_driver(const struct vn_dev *d)
{
	return vn_dev_is_vfio(d) || streq_ptr(d->driver, VN_VFIO_PCI);
}

/* ---- gathering -------------------------------------------------------- */

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

static int read_holders(struct vn_txn *t, const struct vn_item *it,
			struct vn_guard_facts *f)
{
	_cleanup_free_ struct vn_holder_ref *refs = NULL;
	size_t n;
	int r = ensure_holders(t);

	if (r < 0)
		return r;
	if ((r = vn_holders_of(&t->holders, it->dev, &refs, &n)) < 0)
		return r;
	f->holders = strv_new();
	if (!f->holders)
		return -ENOMEM;
	f->holders_maybe_only = n > 0;
	for (size_t i = 0; i < n; i++) {
		char *s;

		f->holders_maybe_only &= refs[i].maybe;
		if (xasprintf(&s, "%s[%d] (%s %s%s)", refs[i].comm,
			      (int)refs[i].pid,
			      refs[i].kind == VN_HOLD_FD ? "fd on" :
							   "mapping of",
			      refs[i].target,
			      refs[i].maybe ? ", maybe this device" : "") < 0 ||
		    strv_push(&f->holders, s) < 0)
			return -ENOMEM;
	}
	f->holders_unreadable = t->holders.unreadable;
	return 0;
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

/* The device's own interface, then everything stacked on it (bond, team,
 * bridge, VLAN, OVS): an address on the bond is lost just the same. */
static int read_net_uses(struct vn_txn *t, const char *netdev, char ***uses)
{
	_cleanup_strv_ char **stack = NULL;
	int r = vn_net_stack(t->sys, netdev, &stack);

	if (r < 0)
		return r;
	for (size_t s = 0; stack[s]; s++) {
		_cleanup_free_ char *use = NULL;
		char *clause;

		if ((r = iface_use(t, stack[s], &use)) < 0)
			return r;
		if (!use)
			continue;
		if (s == 0)
			r = xasprintf(&clause, "interface %s %s", stack[s],
				      use);
		else
			r = xasprintf(&clause, "%s is stacked on %s and %s",
				      stack[s], netdev, use);
		if (r < 0 || (r = strv_push(uses, clause)) < 0)
			return r;
	}
	return 0;
}

static bool makes_no_netdev(const struct vn_dev *d)
{
	static const char *const drivers[] = { "uio_pci_generic", "igb_uio",
					       "pci-stub" };

	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (streq_ptr(d->driver, drivers[i]))
			return true;
	return is_vfio_driver(d);
}

static int read_network(struct vn_txn *t, const struct vn_dev *d,
			struct vn_guard_facts *f)
{
	int r;

	if (!(f->net_uses = strv_new()))
		return -ENOMEM;
	if (vn_dev_netdevs(t->sys, &t->classes, d->bdf, &f->netdevs) < 0 ||
	    !f->netdevs[0]) {
		/* A NIC whose driver made no netdev here: it was moved to
		 * another network namespace (a container). Drivers that
		 * never make one (user-space I/O, stubs) are not that. */
		f->nic_elsewhere = (d->class_code >> 16) == 0x02 && d->driver &&
				   !makes_no_netdev(d);
		return 0;
	}
	if (!t->net_read) {
		if ((r = vn_netinfo_read(t->sys, &t->net)) < 0)
			return r;
		t->net_read = true;
	}
	for (size_t n = 0; f->netdevs[n]; n++)
		if ((r = read_net_uses(t, f->netdevs[n], &f->net_uses)) < 0)
			return r;
	return 0;
}

static int read_block(struct vn_txn *t, const struct vn_dev *d,
		      struct vn_guard_facts *f)
{
	int r = vn_block_devices(t->sys, &t->classes, d->bdf, &f->disks);

	if (r < 0) {
		f->disks = NULL;
		return 0;
	}
	for (size_t i = 0; f->disks[i] && !f->disk_use; i++)
		if ((r = vn_block_in_use(t->sys, f->disks[i], &f->disk_use)) <
		    0)
			return r;
	return 0;
}

/* The other members of its IOMMU group on host drivers: a group is
 * usable when every non-bridge member is on a VFIO driver, pci-stub, or
 * none. Fail closed: a member nobody can see may be on a host driver. */
static int read_group(struct vn_txn *t, const struct vn_item *it,
		      struct vn_guard_facts *f)
{
	_cleanup_strv_ char **members = NULL;
	int r;

	f->iommu_group = it->noiommu ? -1 : it->dev->iommu_group;
	if (f->iommu_group < 0)
		return 0;
	if (!(f->group_others = strv_new()) ||
	    !(f->group_other_drivers = strv_new()))
		return -ENOMEM;
	r = vn_list_dir(t->sys, &members, "/sys/kernel/iommu_groups/%d/devices",
			f->iommu_group);
	if (r < 0)
		return xasprintf(&f->group_unreadable,
				 "the members of its IOMMU group %d cannot be "
				 "listed (%s)",
				 f->iommu_group, strerror(-r));
	for (size_t i = 0; members[i]; i++) {
		_cleanup_(vn_dev_freep) struct vn_dev *m = NULL;

		if (streq(members[i], it->dev->bdf) ||
		    vn_txn_find(t, members[i]))
			continue;
		r = vn_vfio_dev_read(t->sys, members[i], &m);
		if (r == -ENOENT || r == -ENODEV)
			continue; /* gone since the listing */
		if (r < 0)
			return xasprintf(&f->group_unreadable,
					 "%s in its IOMMU group %d cannot be "
					 "read (%s)",
					 members[i], f->iommu_group,
					 strerror(-r));
		if (vn_dev_is_bridge(m) || is_vfio_driver(m) || !m->driver ||
		    streq(m->driver, "pci-stub"))
			continue;
		if (strv_push(&f->group_others, strdup(m->bdf)) < 0 ||
		    strv_push(&f->group_other_drivers, strdup(m->driver)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int read_bind_facts(struct vn_txn *t, const struct vn_item *it,
			   struct vn_guard_facts *f)
{
	_cleanup_free_ char *numvfs = NULL, *bootvga = NULL;
	const struct vn_dev *d = it->dev;
	int r;

	if (vn_read_text(t->sys, &numvfs,
			 "/sys/bus/pci/devices/%s/sriov_numvfs", d->bdf) == 0 &&
	    parse_int(numvfs, &f->sriov_numvfs) < 0)
		f->sriov_numvfs = 0;
	f->panic_on_user_taint = t->pot == 1 && (t->pot_mask & VN_TAINT_USER);
	f->panic_mask = t->pot_mask;
	if ((r = read_network(t, d, f)) < 0 || (r = read_block(t, d, f)) < 0)
		return r;
	f->boot_vga = vn_read_text(t->sys, &bootvga,
				   "/sys/bus/pci/devices/%s/boot_vga",
				   d->bdf) == 0 &&
		      streq(bootvga, "1");
	return read_group(t, it, f);
}

int vn_guard_facts_read(struct vn_txn *t, const struct vn_item *it,
			struct vn_guard_facts *f)
{
	*f = (struct vn_guard_facts){
		.class_code = it->dev->class_code,
		.driver = it->dev->driver,
		.bdf = it->dev->bdf,
		.noiommu = it->noiommu,
		.iommu_group = -1,
	};
	if (t->op == VN_OP_BIND)
		return read_bind_facts(t, it, f);
	return is_vfio_driver(it->dev) ? read_holders(t, it, f) : 0;
}

/* ---- judging ------------------------------------------------------------ */

static int guard(struct vn_item *it, const char *name, enum vn_guard_level lvl,
		 const char *fmt, ...) _printf_(4, 5);
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

static int judge_bridge_sriov(const struct vn_guard_facts *f,
			      struct vn_item *it)
{
	int r;

	if ((f->class_code >> 16) == 0x06)
		r = guard(it, "bridge", VN_GUARD_HARD,
			  "it is a bridge (class 0x%06x): bridges are never "
			  "handed to user space",
			  f->class_code);
	else
		r = guard(it, "bridge", VN_GUARD_PASS, "not a bridge");
	if (r < 0)
		return r;
	if (f->sriov_numvfs <= 0)
		return guard(it, "sr-iov", VN_GUARD_PASS, "no VFs enabled");
	return guard(it, "sr-iov", VN_GUARD_HARD,
		     "it is an SR-IOV PF with %d VF%s enabled, which vfio-pci "
		     "refuses (EBUSY); disable them first: echo 0 > "
		     "/sys/bus/pci/devices/%s/sriov_numvfs",
		     f->sriov_numvfs, f->sriov_numvfs == 1 ? "" : "s", f->bdf);
}

static int judge_panic(const struct vn_guard_facts *f, struct vn_item *it)
{
	if (!f->noiommu)
		return 0;
	if (f->panic_on_user_taint)
		return guard(
			it, "panic_on_taint", VN_GUARD_HARD,
			"the kernel command line has panic_on_taint=0x%lx, "
			"which covers U: binding a device without an IOMMU "
			"taints the kernel and would panic this host",
			f->panic_mask);
	return guard(it, "panic_on_taint", VN_GUARD_PASS,
		     "panic_on_taint does not cover U");
}

static int judge_network(const struct vn_guard_facts *f, struct vn_item *it)
{
	_cleanup_free_ char *names = NULL, *uses = NULL;

	if (!f->netdevs || !f->netdevs[0]) {
		if (f->nic_elsewhere)
			return guard(it, "network", VN_GUARD_SOFT,
				     "it is a network controller on %s but has "
				     "no interface in this network namespace: "
				     "it may have been moved into a container",
				     f->driver);
		return guard(it, "network", VN_GUARD_PASS, "no interface");
	}
	if (f->net_uses && f->net_uses[0]) {
		uses = strv_join(f->net_uses, "; ");
		return uses ? guard(it, "network", VN_GUARD_SOFT, "%s", uses) :
			      -ENOMEM;
	}
	names = strv_join(f->netdevs, ", ");
	return guard(it, "network", VN_GUARD_PASS,
		     "%s: no addresses or routes in use", names ? names : "?");
}

static int judge_block(const struct vn_guard_facts *f, struct vn_item *it)
{
	_cleanup_free_ char *names = NULL;

	if (!f->disks || !f->disks[0])
		return guard(it, "block", VN_GUARD_PASS, "no block devices");
	if (f->disk_use)
		return guard(it, "block", VN_GUARD_SOFT, "%s", f->disk_use);
	names = strv_join(f->disks, ", ");
	return guard(it, "block", VN_GUARD_PASS,
		     "%s: not mounted, not swap, not held, not busy",
		     names ? names : "?");
}

static int judge_group(const struct vn_guard_facts *f, bool group_opt,
		       struct vn_item *it)
{
	_cleanup_free_ char *list = NULL;

	if (f->iommu_group < 0)
		return guard(it, "iommu_group", VN_GUARD_PASS,
			     "no IOMMU group");
	if (f->group_unreadable)
		return guard(it, "iommu_group", VN_GUARD_HARD, "%s",
			     f->group_unreadable);
	for (size_t i = 0; f->group_others && f->group_others[i]; i++) {
		char *n;

		if (xasprintf(&n, "%s%s%s (%s)", list ? list : "",
			      list ? ", " : "", f->group_others[i],
			      f->group_other_drivers[i]) < 0)
			return -ENOMEM;
		free(list);
		list = n;
	}
	if (!list)
		return guard(
			it, "iommu_group", VN_GUARD_PASS,
			"IOMMU group %d has no other member on a host driver",
			f->iommu_group);
	if (group_opt)
		return guard(it, "iommu_group", VN_GUARD_PASS,
			     "IOMMU group %d: --group takes %s too",
			     f->iommu_group, list);
	return guard(it, "iommu_group", VN_GUARD_HARD,
		     "it shares IOMMU group %d with %s, which must leave their "
		     "drivers too before the group can be used; --group binds "
		     "them all",
		     f->iommu_group, list);
}

int vn_guards_judge_bind(const struct vn_guard_facts *f, bool group_opt,
			 struct vn_item *it)
{
	int r;

	if ((r = judge_bridge_sriov(f, it)) < 0 ||
	    (r = judge_panic(f, it)) < 0 || (r = judge_network(f, it)) < 0 ||
	    (r = judge_block(f, it)) < 0)
		return r;
	if (f->boot_vga)
		r = guard(it, "boot_vga", VN_GUARD_SOFT,
			  "it is the boot VGA device: the console may go dark");
	else
		r = guard(it, "boot_vga", VN_GUARD_PASS,
			  "not the boot VGA device");
	return r < 0 ? r : judge_group(f, group_opt, it);
}

/* Before any write to a VFIO driver's unbind: the write blocks,
 * uninterruptibly, while anything holds the device (doc/kernel.md §5.8). */
int vn_guards_judge_release(const struct vn_guard_facts *f, struct vn_item *it)
{
	_cleanup_free_ char *who = NULL;

	if (f->holders && f->holders[0]) {
		bool maybe = f->holders_maybe_only;

		who = strv_join(f->holders, ", ");
		if (!who)
			return -ENOMEM;
		return guard(it, "holders", VN_GUARD_HARD,
			     "%s %s it: unbinding it from %s would block until "
			     "%s closed",
			     who, maybe ? "may hold" : "holds",
			     f->driver ? f->driver : "its driver",
			     maybe ? "that is" : "they are");
	}
	if (f->holders_unreadable)
		return guard(
			it, "holders", VN_GUARD_HARD,
			"%zu process%s could not be inspected (run as root)",
			f->holders_unreadable,
			f->holders_unreadable == 1 ? "" : "es");
	return guard(it, "holders", VN_GUARD_PASS, "no process holds it");
}

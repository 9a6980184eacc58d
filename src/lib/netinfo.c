// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>

#include "bdf.h"
#include "netinfo.h"
#include "pci.h"
#include "sys.h"

void vn_netinfo_clear(struct vn_netinfo *ni)
{
	strv_free(ni->addrs);
	strv_free(ni->routes);
	strv_free(ni->default_ifs);
	free(ni->ssh_if);
	free(ni->ssh_peer);
	*ni = (struct vn_netinfo){ 0 };
}

static int push_unique(char ***v, const char *s)
{
	if (strv_contains(*v, s))
		return 0;
	return strv_push(v, strdup(s));
}

static int prefix_len(uint32_t mask_be)
{
	return __builtin_popcount(mask_be);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2 * n hex digits, nothing after: bytes in the order written.
 * A short or malformed field is -EINVAL, never half-read. */
static int hex_bytes(const char *hex, size_t n, unsigned char *out)
{
	if (strlen(hex) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int vn_parse_proc_net_route(const char *text, char ***routes,
			    char ***default_ifs)
{
	const char *p = strchr(text, '\n'); /* skip the header */
	int r;

	while (p && *++p) {
		char ifname[IFNAMSIZ + 1], buf[80], dst[INET_ADDRSTRLEN];
		unsigned int dest, gw, flags, refcnt, use, metric, mask;

		if (sscanf(p, "%16s %x %x %x %u %u %u %x", ifname, &dest, &gw,
			   &flags, &refcnt, &use, &metric, &mask) == 8) {
			struct in_addr a = { .s_addr = dest };

			inet_ntop(AF_INET, &a, dst, sizeof(dst));
			snprintf(buf, sizeof(buf), "%s %s/%d", ifname, dst,
				 prefix_len(mask));
			if ((r = push_unique(routes, buf)) < 0)
				return r;
			if (dest == 0 && mask == 0 &&
			    (r = push_unique(default_ifs, ifname)) < 0)
				return r;
		}
		p = strchr(p, '\n');
	}
	return 0;
}

int vn_parse_proc_net_ipv6_route(const char *text, char ***routes,
				 char ***default_ifs)
{
	const char *p = text;
	int r;

	while (p && *p) {
		char dst[33], src[33], nh[33], ifname[IFNAMSIZ + 1], buf[96];
		unsigned int dplen, splen, metric, refcnt, use, flags;

		unsigned char a[16];

		/* The destination is 32 hex digits in network order
		 * (net/ipv6/route.c, ipv6_route_native_seq_show()). */
		if (sscanf(p, "%32s %x %32s %x %32s %x %x %x %x %16s", dst,
			   &dplen, src, &splen, nh, &metric, &refcnt, &use,
			   &flags, ifname) == 10 &&
		    hex_bytes(dst, sizeof(a), a) == 0 && dplen <= 128 &&
		    !streq(ifname, "lo")) {
			char txt[INET6_ADDRSTRLEN];
			bool is_default = dplen == 0;

			inet_ntop(AF_INET6, a, txt, sizeof(txt));
			/* Local and multicast table entries are not routes
			 * that carry traffic off the host. */
			if (!startswith(txt, "fe80") &&
			    !startswith(txt, "ff")) {
				snprintf(buf, sizeof(buf), "%s %s/%u", ifname,
					 txt, dplen);
				if ((r = push_unique(routes, buf)) < 0)
					return r;
			}
			if (is_default &&
			    (r = push_unique(default_ifs, ifname)) < 0)
				return r;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static int hex_to_addr(const char *hex, bool v6, char *out, size_t size)
{
	unsigned char a[16];
	size_t n = v6 ? 16 : 4;

	if (hex_bytes(hex, n, a) < 0)
		return -EINVAL;
	/* /proc/net/tcp prints the address as host-order 32-bit words
	 * (net/ipv4/tcp_ipv4.c, get_tcp4_sock(): %08X of __be32). */
	for (size_t w = 0; w < n / 4; w++) {
		uint32_t word = (uint32_t)a[4 * w] << 24 |
				(uint32_t)a[4 * w + 1] << 16 |
				(uint32_t)a[4 * w + 2] << 8 | a[4 * w + 3];

		memcpy(a + 4 * w, &word, 4);
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, out, (socklen_t)size);
	return 0;
}

int vn_parse_proc_net_tcp(const char *text, bool v6, char *const *inodes,
			  char **local, char **remote)
{
	const char *p = strchr(text, '\n');

	while (p && *++p) {
		char laddr[40], raddr[40], inode[24], l[INET6_ADDRSTRLEN],
			rm[INET6_ADDRSTRLEN];
		unsigned int lport, rport, state, uid;
		int slot;

		if (sscanf(p,
			   "%d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %u %*d %23s",
			   &slot, laddr, &lport, raddr, &rport, &state, &uid,
			   inode) == 8 &&
		    state == 1 /* ESTABLISHED */ &&
		    strv_contains(inodes, inode) &&
		    hex_to_addr(laddr, v6, l, sizeof(l)) == 0 &&
		    hex_to_addr(raddr, v6, rm, sizeof(rm)) == 0) {
			/* An IPv4 peer on an IPv6 socket: ::ffff:a.b.c.d */
			*local = strdup(startswith(l, "::ffff:") ? l + 7 : l);
			*remote =
				strdup(startswith(rm, "::ffff:") ? rm + 7 : rm);
			return *local && *remote ? 1 : -ENOMEM;
		}
		p = strchr(p, '\n');
	}
	return 0;
}

static bool link_local(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(
			((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		return (a >> 16) == 0xa9fe || (a >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a);
	}
	return true;
}

static int read_addrs(struct vn_netinfo *ni)
{
	struct ifaddrs *ifa, *i;
	int r = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i && r == 0; i = i->ifa_next) {
		char addr[INET6_ADDRSTRLEN],
			buf[IFNAMSIZ + INET6_ADDRSTRLEN + 8];
		const void *raw;
		int plen = 0;

		if (!i->ifa_addr || link_local(i->ifa_addr))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			raw = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			if (i->ifa_netmask)
				plen = prefix_len(
					((struct sockaddr_in *)i->ifa_netmask)
						->sin_addr.s_addr);
		} else {
			const struct sockaddr_in6 *m = (void *)i->ifa_netmask;

			raw = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			for (int b = 0; m && b < 16; b++)
				plen += __builtin_popcount(
					m->sin6_addr.s6_addr[b]);
		}
		inet_ntop(i->ifa_addr->sa_family, raw, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s %s/%d", i->ifa_name, addr, plen);
		r = push_unique(&ni->addrs, buf);
	}
	freeifaddrs(ifa);
	return r;
}

static bool is_sshd(const char *comm)
{
	/* OpenSSH 9.8 runs each session as "sshd-session". */
	return streq(comm, "sshd") || streq(comm, "sshd-session");
}

/* The nearest sshd among our ancestors: the process serving the session
 * this command runs in (through sudo and shells). 0 when there is none. */
static pid_t session_sshd(const struct vn_sys *sys)
{
	pid_t pid = getpid();

	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		_cleanup_free_ char *stat = NULL, *comm = NULL;
		const char *rparen;
		int ppid;

		if (vn_read_text(sys, &stat, "/proc/%d/stat", (int)pid) < 0)
			return 0;
		/* "pid (comm) state ppid ...": comm may hold spaces and ')' */
		rparen = strrchr(stat, ')');
		if (!rparen || sscanf(rparen + 1, " %*c %d", &ppid) != 1)
			return 0;
		pid = ppid;
		if (vn_read_text(sys, &comm, "/proc/%d/comm", (int)pid) == 0 &&
		    is_sshd(comm))
			return pid;
	}
	return 0;
}

/* Socket inodes of one process. */
static int socket_inodes(const struct vn_sys *sys, pid_t pid, char ***inodes)
{
	_cleanup_strv_ char **fds = NULL;
	int r;

	if (vn_list_dir(sys, &fds, "/proc/%d/fd", (int)pid) < 0)
		return 0;
	for (size_t f = 0; fds[f]; f++) {
		_cleanup_free_ char *t = NULL;
		char ino[24];

		if (vn_read_link(sys, &t, "/proc/%d/fd/%s", (int)pid, fds[f]) <
			    0 ||
		    sscanf(t, "socket:[%23[0-9]]", ino) != 1)
			continue;
		if ((r = push_unique(inodes, ino)) < 0)
			return r;
	}
	return 0;
}

/* The SSH session's interface: the one holding its local address. */
static int find_ssh(const struct vn_sys *sys, struct vn_netinfo *ni)
{
	_cleanup_strv_ char **inodes = NULL;
	_cleanup_free_ char *local = NULL;
	pid_t sshd;
	int r;

	/* Only this command's own session counts, not everybody's: on a
	 * recorded tree there is none. */
	if (!vn_sys_is_host(sys) || !(sshd = session_sshd(sys)))
		return 0;
	r = socket_inodes(sys, sshd, &inodes);
	if (r < 0 || !inodes)
		return r;
	for (int v6 = 0; v6 < 2 && !local; v6++) {
		_cleanup_free_ char *text = NULL;

		if (vn_read_text(sys, &text,
				 v6 ? "/proc/net/tcp6" : "/proc/net/tcp") < 0)
			continue;
		r = vn_parse_proc_net_tcp(text, v6, inodes, &local,
					  &ni->ssh_peer);
		if (r < 0)
			return r;
	}
	if (!local)
		return 0;
	for (size_t i = 0; ni->addrs && ni->addrs[i]; i++) {
		char ifname[IFNAMSIZ + 1], addr[INET6_ADDRSTRLEN + 8];

		if (sscanf(ni->addrs[i], "%16s %53[^/]", ifname, addr) == 2 &&
		    streq(addr, local)) {
			ni->ssh_if = strdup(ifname);
			return ni->ssh_if ? 0 : -ENOMEM;
		}
	}
	return 0;
}

int vn_netinfo_read(const struct vn_sys *sys, struct vn_netinfo *ni)
{
	_cleanup_free_ char *v4 = NULL, *v6 = NULL;
	int r;

	*ni = (struct vn_netinfo){ 0 };
	/* Addresses come from the running kernel (netlink); a recorded tree
	 * has none to offer. */
	if (vn_sys_is_host(sys) && (r = read_addrs(ni)) < 0)
		goto fail;
	if (vn_read_text(sys, &v4, "/proc/net/route") == 0 &&
	    (r = vn_parse_proc_net_route(v4, &ni->routes, &ni->default_ifs)) <
		    0)
		goto fail;
	if (vn_read_text(sys, &v6, "/proc/net/ipv6_route") == 0 &&
	    (r = vn_parse_proc_net_ipv6_route(v6, &ni->routes,
					      &ni->default_ifs)) < 0)
		goto fail;
	if ((r = find_ssh(sys, ni)) < 0)
		goto fail;
	return 0;
fail:
	vn_netinfo_clear(ni);
	return r;
}

int vn_net_stack(const struct vn_sys *sys, const char *ifname, char ***stack)
{
	_cleanup_strv_ char **entries = NULL;
	_cleanup_free_ char *master = NULL;
	int r;

	if (strv_contains(*stack, ifname))
		return 0;
	if ((r = strv_push(stack, strdup(ifname))) < 0)
		return r;
	if (vn_list_dir(sys, &entries, "/sys/class/net/%s", ifname) == 0)
		for (size_t i = 0; entries[i]; i++)
			if (startswith(entries[i], "upper_") &&
			    (r = vn_net_stack(sys, entries[i] + 6, stack)) < 0)
				return r;
	/* Bridges and OVS show the port's master rather than an upper_. */
	if (vn_link_name(sys, &master, "/sys/class/net/%s/master", ifname) == 0)
		return vn_net_stack(sys, master, stack);
	return 0;
}

bool vn_net_is_up(const struct vn_sys *sys, const char *ifname)
{
	_cleanup_free_ char *flags = NULL;
	unsigned long f;

	if (vn_read_text(sys, &flags, "/sys/class/net/%s/flags", ifname) < 0 ||
	    parse_ulong(flags, 0, &f) < 0)
		return false;
	return f & IFF_UP;
}

int vn_dev_netdevs(const struct vn_sys *sys, struct vn_class_cache *cache,
		   const char *bdf, char ***names)
{
	return vn_dev_class_children(sys, cache, bdf, "net", names);
}

/*
 * The interface's own name for a name or an altname. On the host the
 * kernel resolves both (net/core/dev.c: __dev_get_by_name() looks names
 * up through netdev_name_node_lookup(), which holds the altnames too); a
 * recorded tree knows only /sys/class/net.
 */
static int primary_name(const struct vn_sys *sys, const char *name,
			char out[IF_NAMESIZE])
{
	unsigned int idx;

	if (!vn_sys_is_host(sys)) {
		if (strlen(name) >= IF_NAMESIZE ||
		    !vn_exists(sys, "/sys/class/net/%s", name))
			return -ENODEV;
		snprintf(out, IF_NAMESIZE, "%s", name);
		return 0;
	}
	idx = if_nametoindex(name);
	if (!idx || !if_indextoname(idx, out))
		return -ENODEV;
	return 0;
}

/* What an interface without a PCI function is: "a bridge", "a bond"... */
static char *virtual_kind(const struct vn_sys *sys, const char *ifname)
{
	_cleanup_free_ char *uevent = NULL, *type = NULL;
	const char *devtype = NULL;
	char *s = NULL;

	if (vn_read_text(sys, &uevent, "/sys/class/net/%s/uevent", ifname) == 0)
		devtype = strstr(uevent, "DEVTYPE=");
	if (devtype) {
		devtype += strlen("DEVTYPE=");
		xasprintf(&s, "a %.*s", (int)strcspn(devtype, "\n"), devtype);
	} else if (vn_exists(sys, "/sys/class/net/%s/bonding", ifname)) {
		s = strdup("a bond");
	} else if (vn_exists(sys, "/sys/class/net/%s/bridge", ifname)) {
		s = strdup("a bridge");
	} else if (vn_exists(sys, "/sys/class/net/%s/tun_flags", ifname)) {
		s = strdup("a tun/tap interface");
	} else if (vn_read_text(sys, &type, "/sys/class/net/%s/type", ifname) ==
			   0 &&
		   streq(type, "772")) { /* ARPHRD_LOOPBACK */
		s = strdup("the loopback interface");
	} else {
		s = strdup(
			"a virtual interface (veth, dummy, VLAN or the like)");
	}
	return s;
}

/*
 * The PCI function the interface belongs to: its device when that is on
 * the pci bus, or the function above a virtio device (virtio-net). An
 * interface of a USB or platform device is not a function's, even though
 * its sysfs path passes through the host controller's.
 */
static int pci_function_of(const struct vn_sys *sys, const char *ifname,
			   const char *subsys, char bdf[VN_BDF_MAX])
{
	char path[PATH_MAX], real[PATH_MAX];
	char *slash;
	int r;

	if (!streq(subsys, "pci") && !streq(subsys, "virtio"))
		return -ENOENT;
	if ((r = vn_path(sys, path, sizeof(path), "/sys/class/net/%s/device",
			 ifname)) < 0)
		return r;
	if (!realpath(path, real))
		return -errno;
	if (streq(subsys, "virtio") && (slash = strrchr(real, '/')))
		*slash = '\0';
	slash = strrchr(real, '/');
	if (!slash || vn_bdf_canonical(slash + 1, bdf) < 0 ||
	    !streq(slash + 1, bdf) ||
	    !vn_exists(sys, "/sys/bus/pci/devices/%s", bdf))
		return -ENOENT;
	return 0;
}

int vn_netdev_to_pci(const struct vn_sys *sys, const char *name,
		     char bdf[VN_BDF_MAX], char **what)
{
	_cleanup_free_ char *subsys = NULL;
	char ifname[IF_NAMESIZE];
	int r;

	*what = NULL;
	if ((r = primary_name(sys, name, ifname)) < 0)
		return r;
	if (!vn_exists(sys, "/sys/class/net/%s/device", ifname)) {
		*what = virtual_kind(sys, ifname);
		return *what ? -ENOTSUP : -ENOMEM;
	}
	r = vn_link_name(sys, &subsys, "/sys/class/net/%s/device/subsystem",
			 ifname);
	if (r == 0 && pci_function_of(sys, ifname, subsys, bdf) == 0)
		return 0;
	if (r != 0)
		*what = strdup("an interface of a device on another bus");
	else if (xasprintf(what, "an interface of a %s device", subsys) < 0)
		return -ENOMEM;
	return *what ? -ENOTSUP : -ENOMEM;
}

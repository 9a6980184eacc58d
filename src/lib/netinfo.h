/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

struct vn_sys;

/* What the network guard needs to know about this host, read once. */
struct vn_netinfo {
	char **addrs; /* "IFACE ADDR/PLEN", non-link-local only */
	char **routes; /* "IFACE DEST/PLEN" from /proc/net/{route,ipv6_route} */
	char **default_ifs; /* interfaces carrying a default route */
	char *ssh_if; /* interface the caller's SSH session arrives on */
	char *ssh_peer; /* its remote address */
};

int vn_netinfo_read(const struct vn_sys *sys, struct vn_netinfo *ni);
void vn_netinfo_clear(struct vn_netinfo *ni);

/* The interface and every upper device stacked on it (bond, team, bridge,
 * VLAN, macvlan), following upper_* and master links. */
int vn_net_stack(const struct vn_sys *sys, const char *ifname, char ***stack);

/* Network interfaces of a PCI function, wherever they sit below it
 * (virtio-net puts them under virtioN/net). */
struct vn_class_cache;
int vn_dev_netdevs(const struct vn_sys *sys, struct vn_class_cache *cache,
		   const char *bdf, char ***names);

/*
 * A network interface, by its name or an altname (as ip link shows them),
 * to the PCI function it belongs to (virtio-net included: the function
 * above virtioN). -ENODEV when there is no such interface; -ENOTSUP when
 * it is not a PCI function's, with *what saying what it is ("a bridge",
 * "a bond", "an interface on usb"), for the caller to free.
 */
int vn_netdev_to_pci(const struct vn_sys *sys, const char *name,
		     char bdf[VN_BDF_MAX], char **what);

/* IFF_UP from /sys/class/net/IF/flags. */
bool vn_net_is_up(const struct vn_sys *sys, const char *ifname);

/* Parsers, for tests. */
int vn_parse_proc_net_route(const char *text, char ***routes,
			    char ***default_ifs);
int vn_parse_proc_net_ipv6_route(const char *text, char ***routes,
				 char ***default_ifs);
/* Local "ADDR" (dotted or colon hex) and remote of ESTABLISHED sockets
 * with the given inodes in /proc/net/tcp{,6} text. */
int vn_parse_proc_net_tcp(const char *text, bool v6, char *const *inodes,
			  char **local, char **remote);

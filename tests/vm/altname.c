// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * altname IFNAME ALTNAME: give a network interface an alternative name,
 * as 'ip link property add dev IFNAME altname ALTNAME' does (the guest's
 * busybox ip cannot). RTM_NEWLINKPROP with IFLA_PROP_LIST holding one
 * IFLA_ALT_IFNAME (net/core/rtnetlink.c, rtnl_newlinkprop()).
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct request {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static struct rtattr *add_attr(struct request *r, unsigned short type,
			       const void *data, size_t len)
{
	struct rtattr *a =
		(struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

int main(int argc, char **argv)
{
	struct request r = { 0 };
	struct rtattr *list;
	char reply[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	int fd;
	ssize_t n;

	if (argc != 3 || strlen(argv[2]) >= 128) {
		fprintf(stderr, "usage: altname IFNAME ALTNAME\n");
		return 2;
	}
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_NEWLINKPROP;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			   NLM_F_EXCL;
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = (int)if_nametoindex(argv[1]);
	if (!r.ifi.ifi_index) {
		perror(argv[1]);
		return 1;
	}
	list = add_attr(&r, IFLA_PROP_LIST | NLA_F_NESTED, NULL, 0);
	add_attr(&r, IFLA_ALT_IFNAME, argv[2], strlen(argv[2]) + 1);
	list->rta_len =
		(unsigned short)((char *)&r + r.nh.nlmsg_len - (char *)list);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || send(fd, &r, r.nh.nlmsg_len, 0) < 0 ||
	    (n = recv(fd, reply, sizeof(reply), 0)) < (ssize_t)sizeof(*nh)) {
		perror("netlink");
		return 1;
	}
	if (nh->nlmsg_type == NLMSG_ERROR &&
	    ((struct nlmsgerr *)NLMSG_DATA(nh))->error) {
		errno = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		perror("RTM_NEWLINKPROP");
		return 1;
	}
	close(fd);
	return 0;
}

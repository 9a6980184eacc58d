// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnmodel-ctl TREE COMMAND [ARGS]: set up and inspect a kernel-model tree
 * with the same semantics the preload applies to the tool's writes.
 *
 *   init                   side files and driver attributes for a fresh tree
 *   state                  per PCI function: driver, override, vfio child,
 *                          cdev and group node (tab-separated key=value)
 *   bind BDF DRIVER        as an administrator would (vfio-pci: override
 *                          first), no journal
 *   unbind BDF             from whatever driver it has (override kept)
 *   store PATH VALUE       one kernel store, e.g. driver_override
 *   hold BDF PID           a fake process TREE/proc/PID holding the device
 *   release PID|all        remove fake holders
 *   load MODULE [OPTIONS]  modprobe in the model
 *   unload MODULE          rmmod in the model (a built-in driver too)
 *   vanish BDF             hot-remove the device
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: vnmodel-ctl TREE init|state|bind BDF DRIVER|unbind BDF|"
		"store PATH VALUE|hold BDF PID|release PID|all|"
		"load MODULE [OPTIONS]|unload MODULE|vanish BDF\n");
	return 2;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[2];

	if (!strcmp(cmd, "init") && argc == 3)
		return vm_init();
	if (!strcmp(cmd, "state") && argc == 3) {
		vm_state(stdout);
		return 0;
	}
	if (!strcmp(cmd, "bind") && argc == 5)
		return vm_ctl_bind(argv[3], argv[4]);
	if (!strcmp(cmd, "unbind") && argc == 4)
		return vm_ctl_unbind(argv[3]);
	if (!strcmp(cmd, "store") && argc == 5)
		return vm_store(argv[3], argv[4], strlen(argv[4]));
	if (!strcmp(cmd, "hold") && argc == 5)
		return vm_hold(argv[3], atoi(argv[4]));
	if (!strcmp(cmd, "release") && argc == 4)
		return vm_release(strcmp(argv[3], "all") ? atoi(argv[3]) : 0);
	if (!strcmp(cmd, "load") && (argc == 4 || argc == 5))
		return vm_module_load(argv[3], argc == 5 ? argv[4] : NULL);
	if (!strcmp(cmd, "unload") && argc == 4)
		return vm_module_unload(argv[3]);
	if (!strcmp(cmd, "vanish") && argc == 4)
		return vm_vanish(argv[3]);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	int r;

	if (argc < 3)
		return usage();
	r = vm_open_root(argv[1]);
	if (r < 0) {
		fprintf(stderr, "vnmodel-ctl: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	r = run(argc, argv);
	if (r == -EINVAL && argc >= 3)
		return usage();
	if (r < 0) {
		fprintf(stderr, "vnmodel-ctl: %s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	return 0;
}

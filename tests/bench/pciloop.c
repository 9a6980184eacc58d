// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inventory floor of the benchmark: the least a program can do to show
 * what `vfio-noiommuctl list --all` shows without names. One pass over
 * /sys/bus/pci/devices reading, per function, the attributes list reads
 * (vendor, device, class, subsystem IDs, driver, driver_override,
 * iommu_group, iommu, numa_node, vfio-dev/ and its cdev's dev attribute),
 * one line per function on stdout. No error handling beyond skipping what
 * is missing: it is a yardstick, not a tool.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCI "/sys/bus/pci/devices"

static void attr(const char *bdf, const char *name, char *out, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), PCI "/%s/%s", bdf, name) >=
	    (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, out, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

static void link_name(const char *bdf, const char *name, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), PCI "/%s/%s", bdf, name) >=
	    (int)sizeof(path))
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	slash = strrchr(target, '/');
	if (snprintf(out, size, "%s", slash ? slash + 1 : target) >= (int)size)
		out[0] = '\0';
}

/* The vfio-dev child's name and its "dev" attribute, if bound to VFIO. */
static void vfio_dev(const char *bdf, char *name, size_t nsize, char *devt,
		     size_t dsize)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	name[0] = devt[0] = '\0';
	if (snprintf(path, sizeof(path), PCI "/%s/vfio-dev", bdf) >=
	    (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    snprintf(name, nsize, "%s", e->d_name) < (int)nsize)
			break;
	closedir(d);
	if (name[0] && snprintf(path, sizeof(path), "vfio-dev/%s/dev", name) <
			       (int)sizeof(path))
		attr(bdf, path, devt, dsize);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int main(void)
{
	struct dirent **list;
	int n = scandir(PCI, &list, visible, by_name);

	if (n < 0) {
		perror(PCI);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const char *bdf = list[i]->d_name;
		char vendor[16], device[16], class[16], svendor[16],
			sdevice[16];
		char driver[64], override[64], group[16], numa[16],
			vname[NAME_MAX + 1], devt[32], iommu[PATH_MAX];

		attr(bdf, "vendor", vendor, sizeof(vendor));
		attr(bdf, "device", device, sizeof(device));
		attr(bdf, "class", class, sizeof(class));
		attr(bdf, "subsystem_vendor", svendor, sizeof(svendor));
		attr(bdf, "subsystem_device", sdevice, sizeof(sdevice));
		link_name(bdf, "driver", driver, sizeof(driver));
		attr(bdf, "driver_override", override, sizeof(override));
		link_name(bdf, "iommu_group", group, sizeof(group));
		link_name(bdf, "iommu", iommu, sizeof(iommu));
		attr(bdf, "numa_node", numa, sizeof(numa));
		vfio_dev(bdf, vname, sizeof(vname), devt, sizeof(devt));
		printf("%s %s:%s %s %s:%s %s %s %s %s %s %s %s\n", bdf,
		       vendor + 2, device + 2, class, svendor + 2, sdevice + 2,
		       driver[0] ? driver : "-", override,
		       group[0] ? group : "-", iommu[0] ? "iommu" : "-", numa,
		       vname[0] ? vname : "-", devt[0] ? devt : "-");
		free(list[i]);
	}
	free(list);
	return 0;
}

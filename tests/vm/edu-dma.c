// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * edu-dma: prove that the physical address IOMMU_IOAS_NOIOMMU_GET_PA
 * returns is the one a device must use, with a real DMA round trip through
 * QEMU's edu device (docs/specs/edu.rst in QEMU): RAM page A -> edu's
 * internal buffer -> RAM page B, then compare A and B.
 *
 *   edu-dma /dev/vfio/devices/noiommu-vfioN
 *
 *   edu-dma --hold-bar NODE
 *
 * maps the device's BAR0, closes every fd and waits to be killed: a
 * process that holds a device only through a mapping, for the unbind
 * guard's test. It touches /tmp/edu-dma.holding once the fds are closed.
 *
 *   edu-dma --hold-fd NODE
 *
 * keeps only the device fd open. NODE is a cdev, or a no-IOMMU group node
 * /dev/vfio/noiommu-N, which is opened the legacy way (container,
 * VFIO_NOIOMMU_IOMMU, VFIO_GROUP_GET_DEVICE_FD) and closed with the
 * container once the device fd exists: what remains is an anonymous
 * [vfio-device] file, which names its device in fdinfo in 7.3 but not
 * in 6.1 or 6.12 (doc/kernel.md §7).
 *
 * Test-only; prints "ok ..." lines and exits 0 on success, 1 on failure.
 * The device must be edu (1234:11e8) bound as a no-IOMMU device, and edu's
 * dma_mask must cover guest RAM (its default is 28 bits and QEMU clamps
 * silently).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/uapi.h"

#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_START 0x1
#define EDU_CMD_TO_RAM 0x2
#define EDU_BUFFER 0x40000 /* edu's internal 4 KiB buffer, in its space */
#define PAGE 4096
/* Less than the whole 4 KiB buffer: QEMU 7.2's edu treats a transfer that
 * ends exactly at the buffer's end as out of bounds (an off-by-one in
 * edu_check_range) and stops the machine with hw_error(). */
#define XFER 2048
#define IOVA 0x200000ULL

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static uint64_t get_pa(int iommufd, uint32_t ioas, uint64_t iova)
{
	struct vn_iommu_ioas_noiommu_get_pa pa = {
		.size = sizeof(pa),
		.ioas_id = ioas,
		.iova = iova,
		.length = PAGE,
	};

	if (ioctl(iommufd, VN_IOMMU_IOAS_NOIOMMU_GET_PA, &pa) < 0)
		return 0;
	return pa.out_phys;
}

static int dma(volatile uint8_t *bar, uint64_t src, uint64_t dst, uint32_t cmd)
{
	struct timespec ts = { 0, 1000000 };

	*(volatile uint64_t *)(bar + EDU_DMA_SRC) = src;
	*(volatile uint64_t *)(bar + EDU_DMA_DST) = dst;
	*(volatile uint64_t *)(bar + EDU_DMA_COUNT) = XFER;
	*(volatile uint64_t *)(bar + EDU_DMA_CMD) = cmd | EDU_CMD_START;
	/* edu finishes the transfer from a 100 ms timer; poll for it. */
	for (int i = 0; i < 3000; i++) {
		if (!(*(volatile uint64_t *)(bar + EDU_DMA_CMD) &
		      EDU_CMD_START))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Bind the cdev to a fresh iommufd context; returns the device fd. */
static int open_bound(const char *node, int *iommufd)
{
	struct vn_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	int devfd;

	*iommufd = open("/dev/iommu", O_RDWR);
	devfd = open(node, O_RDWR);
	if (*iommufd < 0 || devfd < 0)
		return -1;
	bind.iommufd = *iommufd;
	if (ioctl(devfd, VN_VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		return -1;
	return devfd;
}

/* The device fd of the only device in no-IOMMU group node NODE
 * (/dev/vfio/noiommu-N), through VFIO's legacy container
 * (doc/kernel.md §6.7); the group and the container are closed again. */
static int open_group(const char *node)
{
	struct vn_vfio_group_status st = { .argsz = sizeof(st) };
	char dir[128], bdf[256] = "";
	int container, group, devfd;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%s/devices",
		 node + strlen("/dev/vfio/noiommu-"));
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(bdf, sizeof(bdf), "%s", e->d_name);
	if (d)
		closedir(d);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(node, O_RDWR);
	if (!bdf[0] || container < 0 || group < 0 ||
	    ioctl(group, VN_VFIO_GROUP_GET_STATUS, &st) < 0 ||
	    ioctl(group, VN_VFIO_GROUP_SET_CONTAINER, &container) < 0 ||
	    ioctl(container, VN_VFIO_SET_IOMMU, VN_VFIO_NOIOMMU_IOMMU) < 0)
		return -1;
	devfd = ioctl(group, VN_VFIO_GROUP_GET_DEVICE_FD, bdf);
	close(group);
	close(container);
	return devfd;
}

/* A device fd for NODE, by whichever path it is; *iommufd is -1 or the
 * context a cdev is bound to. */
static int open_any(const char *node, int *iommufd)
{
	*iommufd = -1;
	if (!strncmp(node, "/dev/vfio/noiommu-", strlen("/dev/vfio/noiommu-")))
		return open_group(node);
	return open_bound(node, iommufd);
}

static void holding(void)
{
	int fd = open("/tmp/edu-dma.holding", O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
	for (;;)
		pause();
}

static int hold(const char *node, bool bar_only)
{
	struct vn_vfio_region_info bar0 = { .argsz = sizeof(bar0), .index = 0 };
	int iommufd, devfd = open_any(node, &iommufd);
	void *bar;

	if (devfd < 0)
		return die("open the device");
	if (!bar_only)
		holding();
	if (ioctl(devfd, VN_VFIO_DEVICE_GET_REGION_INFO, &bar0) < 0)
		return die("VFIO_DEVICE_GET_REGION_INFO");
	bar = mmap(NULL, bar0.size, PROT_READ, MAP_SHARED, devfd,
		   (off_t)bar0.offset);
	if (bar == MAP_FAILED)
		return die("mmap BAR0");
	close(devfd);
	if (iommufd >= 0)
		close(iommufd);
	holding();
	return 0;
}

int main(int argc, char **argv)
{
	struct vn_iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vn_vfio_device_attach_iommufd_pt att = { .argsz = sizeof(att) };
	struct vn_iommu_ioas_map map = { .size = sizeof(map) };
	struct vn_vfio_region_info bar0 = { .argsz = sizeof(bar0), .index = 0 };
	struct vn_vfio_region_info cfg = {
		.argsz = sizeof(cfg), .index = VN_VFIO_PCI_CONFIG_REGION_INDEX
	};
	volatile uint8_t *bar;
	uint8_t *buf;
	uint64_t pa_a, pa_b;
	uint16_t command;
	int iommufd, devfd;

	if (argc == 3 && !strcmp(argv[1], "--hold-bar"))
		return hold(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "--hold-fd"))
		return hold(argv[2], false);
	if (argc != 2) {
		fprintf(stderr, "usage: edu-dma [--hold-bar|--hold-fd NODE] "
				"/dev/vfio/devices/noiommu-vfioN\n");
		return 2;
	}
	devfd = open_bound(argv[1], &iommufd);
	if (devfd < 0)
		return die("open and VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, VN_IOMMU_IOAS_ALLOC, &alloc) < 0)
		return die("IOMMU_IOAS_ALLOC");
	att.pt_id = alloc.out_ioas_id;
	if (ioctl(devfd, VN_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &att) < 0)
		return die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");

	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED || mlock(buf, 2 * PAGE) < 0)
		return die("buffer");
	for (int i = 0; i < PAGE; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memset(buf + PAGE, 0, PAGE);
	map.flags = VN_IOMMU_IOAS_MAP_FIXED_IOVA | VN_IOMMU_IOAS_MAP_READABLE |
		    VN_IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)buf;
	map.length = 2 * PAGE;
	map.iova = IOVA;
	if (ioctl(iommufd, VN_IOMMU_IOAS_MAP, &map) < 0)
		return die("IOMMU_IOAS_MAP");
	pa_a = get_pa(iommufd, alloc.out_ioas_id, IOVA);
	pa_b = get_pa(iommufd, alloc.out_ioas_id, IOVA + PAGE);
	if (!pa_a || !pa_b)
		return die("IOMMU_IOAS_NOIOMMU_GET_PA");
	printf("ok GET_PA: page A at 0x%llx, page B at 0x%llx\n",
	       (unsigned long long)pa_a, (unsigned long long)pa_b);

	if (ioctl(devfd, VN_VFIO_DEVICE_GET_REGION_INFO, &bar0) < 0 ||
	    ioctl(devfd, VN_VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0)
		return die("VFIO_DEVICE_GET_REGION_INFO");
	bar = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
		   (off_t)bar0.offset);
	if (bar == MAP_FAILED)
		return die("mmap BAR0");
	/* DMA needs bus mastering, which vfio-pci leaves off. */
	if (pread(devfd, &command, 2, (off_t)cfg.offset + 4) != 2)
		return die("read the command register");
	command |= 0x4;
	if (pwrite(devfd, &command, 2, (off_t)cfg.offset + 4) != 2)
		return die("enable bus mastering");
	printf("ok edu id 0x%08x\n", *(volatile uint32_t *)(bar + EDU_ID));

	if (dma(bar, pa_a, EDU_BUFFER, 0) < 0)
		return printf("FAIL DMA RAM -> edu timed out\n"), 1;
	if (dma(bar, EDU_BUFFER, pa_b, EDU_CMD_TO_RAM) < 0)
		return printf("FAIL DMA edu -> RAM timed out\n"), 1;
	if (memcmp(buf, buf + PAGE, XFER) != 0) {
		printf("FAIL page B differs from page A after the round trip "
		       "(first bytes %02x %02x, want %02x %02x)\n",
		       buf[PAGE], buf[PAGE + 1], buf[0], buf[1]);
		return 1;
	}
	printf("ok DMA round trip through edu: %d bytes RAM -> device -> RAM "
	       "at the addresses GET_PA gave\n",
	       XFER);
	munmap((void *)bar, bar0.size);
	close(devfd);
	close(iommufd);
	return 0;
}

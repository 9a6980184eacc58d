/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The VFIO and iommufd ABI the tool uses, written out here because build
 * hosts carry older kernel headers (bookworm's linux-libc-dev 6.1 has no
 * IOMMU_IOAS_NOIOMMU_GET_PA). Layouts and numbers: doc/kernel.md
 * §6.1 and §6.2 (include/uapi/linux/vfio.h, iommufd.h in Linux 7.3).
 */

#include <linux/ioctl.h>
#include <stdint.h>

#define VN_VFIO_TYPE ';'
#define VN_VFIO_IO(nr) _IO(VN_VFIO_TYPE, nr)

#define VN_VFIO_GET_API_VERSION VN_VFIO_IO(100)
#define VN_VFIO_CHECK_EXTENSION VN_VFIO_IO(101)
#define VN_VFIO_SET_IOMMU VN_VFIO_IO(102)
#define VN_VFIO_GROUP_GET_STATUS VN_VFIO_IO(103)
#define VN_VFIO_GROUP_SET_CONTAINER VN_VFIO_IO(104)
#define VN_VFIO_GROUP_UNSET_CONTAINER VN_VFIO_IO(105)
#define VN_VFIO_GROUP_GET_DEVICE_FD VN_VFIO_IO(106)
#define VN_VFIO_DEVICE_GET_INFO VN_VFIO_IO(107)
#define VN_VFIO_DEVICE_GET_REGION_INFO VN_VFIO_IO(108)
#define VN_VFIO_DEVICE_BIND_IOMMUFD VN_VFIO_IO(118)
#define VN_VFIO_DEVICE_ATTACH_IOMMUFD_PT VN_VFIO_IO(119)
#define VN_VFIO_DEVICE_DETACH_IOMMUFD_PT VN_VFIO_IO(120)

#define VN_IOMMU_DESTROY VN_VFIO_IO(0x80)
#define VN_IOMMU_IOAS_ALLOC VN_VFIO_IO(0x81)
#define VN_IOMMU_IOAS_MAP VN_VFIO_IO(0x85)
#define VN_IOMMU_IOAS_UNMAP VN_VFIO_IO(0x86)
#define VN_IOMMU_GET_HW_INFO VN_VFIO_IO(0x8a)
#define VN_IOMMU_IOAS_NOIOMMU_GET_PA VN_VFIO_IO(0x95)

#define VN_VFIO_TYPE1_IOMMU 1
#define VN_VFIO_TYPE1v2_IOMMU 3
#define VN_VFIO_NOIOMMU_IOMMU 8

struct vn_iommu_ioas_noiommu_get_pa {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t iova;
	uint64_t length;
	uint64_t out_phys;
};

#define VN_VFIO_DEVICE_FLAGS_RESET (1u << 0)
#define VN_VFIO_DEVICE_FLAGS_PCI (1u << 1)
#define VN_VFIO_GROUP_FLAGS_VIABLE (1u << 0)
#define VN_VFIO_PCI_CONFIG_REGION_INDEX 7

#define VN_IOMMU_IOAS_MAP_FIXED_IOVA (1u << 0)
#define VN_IOMMU_IOAS_MAP_WRITEABLE (1u << 1)
#define VN_IOMMU_IOAS_MAP_READABLE (1u << 2)

struct vn_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr;
};

struct vn_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};

struct vn_vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pasid;
};

struct vn_vfio_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t cap_offset;
	uint32_t pad;
};

struct vn_vfio_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset;
};

struct vn_vfio_group_status {
	uint32_t argsz;
	uint32_t flags;
};

struct vn_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct vn_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct vn_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

struct vn_iommu_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t out_data_type;
	uint8_t out_max_pasid_log2;
	uint8_t reserved[3];
	uint64_t out_capabilities;
};

_Static_assert(sizeof(struct vn_vfio_device_bind_iommufd) == 24, "layout");
_Static_assert(sizeof(struct vn_vfio_device_attach_iommufd_pt) == 16, "layout");
_Static_assert(sizeof(struct vn_vfio_device_detach_iommufd_pt) == 12, "layout");
_Static_assert(sizeof(struct vn_vfio_device_info) == 24, "layout");
_Static_assert(sizeof(struct vn_vfio_region_info) == 32, "layout");
_Static_assert(sizeof(struct vn_iommu_ioas_alloc) == 12, "layout");
_Static_assert(sizeof(struct vn_iommu_ioas_map) == 40, "layout");
_Static_assert(sizeof(struct vn_iommu_ioas_unmap) == 24, "layout");
_Static_assert(sizeof(struct vn_iommu_ioas_noiommu_get_pa) == 40, "layout");
_Static_assert(sizeof(struct vn_iommu_hw_info) == 40, "layout");

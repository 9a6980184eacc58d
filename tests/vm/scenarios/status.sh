# status and status --json on every configuration: the capability matrix,
# before vfio is loaded (from the config and vfio.ko's parameters) and
# after (from /proc/devices, /proc/misc, sysfs and the GET_PA probe).
#
# targets: all
# timeout: 300

target=$(vm_target)

# expected: access paths, group, cdev, iommufd no-IOMMU, container
case $target in
both | builtin) exp="both yes yes yes vfio" ;;
cdev-only) exp="cdev no yes yes none" ;;
group-only) exp="group yes no no vfio" ;;
pre-7.3) exp="group yes yes no vfio" ;;
lts-6.1) exp="group yes no no vfio" ;;
compat) exp="both yes yes yes iommufd" ;;
iommu) exp="both yes yes yes vfio" ;;
stock) exp="none yes no no vfio" ;;
esac
set -- $exp
paths=$1 group=$2 cdev=$3 ifdnoiommu=$4 container=$5

check_matrix() { # WHEN
	run vfio-noiommuctl status --pairs
	is "$RC" 0 "$1: status --pairs exits 0"
	is "$(pair ACCESS_PATHS)" "$paths" "$1: access paths are '$paths'"
	is "$(pair CAPABILITIES_GROUP_AVAILABLE)" "$group" "$1: group interface: $group"
	is "$(pair CAPABILITIES_CDEV_AVAILABLE)" "$cdev" "$1: cdev interface: $cdev"
	if [ "$target" != stock ]; then
		is "$(pair CAPABILITIES_IOMMUFD_NOIOMMU_AVAILABLE)" "$ifdnoiommu" \
			"$1: iommufd no-IOMMU: $ifdnoiommu ($(pair CAPABILITIES_IOMMUFD_NOIOMMU_SOURCE))"
	fi
	is "$(pair CONTAINER)" "$container" "$1: /dev/vfio/vfio provider: $container"
	is "$(pair KERNEL_RELEASE)" "$(uname -r)" "$1: kernel release"
	if [ "$target" = lts-6.1 ]; then
		# The symbols do not exist yet: each answer names the release
		# that brought them (doc/kernel.md §1.1).
		like "$(pair CAPABILITIES_GROUP_SOURCE)" "^(Linux 6\.1 predates CONFIG_VFIO_GROUP \(6\.6\)|/proc/devices lists the .*vfio.* region)" \
			"$1: the group interface: $(pair CAPABILITIES_GROUP_SOURCE)"
		like "$(pair CAPABILITIES_CDEV_SOURCE)" "^Linux 6\.1 predates CONFIG_VFIO_DEVICE_CDEV \(6\.6\)" \
			"$1: no cdevs, with the reason"
		is "$(pair CAPABILITIES_IOMMUFD_AVAILABLE)" no "$1: no iommufd"
		like "$(pair CAPABILITIES_IOMMUFD_SOURCE)" "^Linux 6\.1 predates CONFIG_IOMMUFD \(6\.2\)" \
			"$1: iommufd absent, with the reason"
		like "$(pair CAPABILITIES_IOMMUFD_NOIOMMU_SOURCE)" "^Linux 6\.1 predates CONFIG_IOMMUFD_NOIOMMU \(7\.3\)" \
			"$1: no-IOMMU cdevs absent, with the reason"
	fi
	run vfio-noiommuctl status --json
	ok 'jhas "\"access_paths\": \"$paths\""' "$1: status --json says access_paths $paths"
	ok 'jhas "\"release\": \"$(uname -r)\""' "$1: status --json names the release"
}

# --- before vfio is loaded ----------------------------------------------------------
if [ "$target" = builtin ]; then
	run vfio-noiommuctl status --pairs
	is "$(pair MODULES_VFIO)" built-in "vfio is reported built in"
else
	run vfio-noiommuctl status --pairs
	is "$(pair MODULES_VFIO)" available "vfio is reported available, not loaded"
fi
check_matrix "vfio not loaded"
run vfio-noiommuctl status
is "$RC" 0 "status (text) exits 0"
like "$OUT" "^Kernel +$(uname -r | sed 's/[+.]/\\&/g')" "status names the kernel release"
like "$OUT" "Access paths +$paths:" "status says the access paths in a sentence"
like "$OUT" "Taint +0 \\(not tainted\\)" "a clean boot is not tainted"
like "$OUT" "Devices +none on VFIO drivers" "no device on VFIO drivers yet"

# --- the verdict -----------------------------------------------------------------
if [ "$target" = stock ]; then
	exit_is 3 "stock: status --check exits 3" -- vfio-noiommuctl status --check
	like "$OUT" "CONFIG_VFIO_NOIOMMU" "stock: --check names CONFIG_VFIO_NOIOMMU"
	run vfio-noiommuctl status
	like "$OUT" "No-IOMMU mode +not available: this kernel was built without CONFIG_VFIO_NOIOMMU" \
		"stock: status says no-IOMMU is unavailable"
else
	exit_is 0 "status --check exits 0: no-IOMMU assignment is possible" -- \
		vfio-noiommuctl status --check
	like "$OUT" "^No-IOMMU +possible: " "--check says what works"
fi

# --- with vfio and iommufd loaded ---------------------------------------------------
modprobe vfio-pci
[ "$target" = stock ] || modprobe iommufd 2>/dev/null
check_matrix "vfio loaded"
run vfio-noiommuctl status --pairs
if [ "$target" = builtin ]; then
	is "$(pair MODULES_VFIO_PCI)" built-in "vfio_pci built in"
else
	is "$(pair MODULES_VFIO)" loaded "vfio loaded"
	is "$(pair MODULES_VFIO_PCI)" loaded "vfio_pci loaded"
fi
case $target in
stock)
	is "$(pair NOIOMMU_MODE_AVAILABLE)" no "stock: the mode parameter does not exist"
	;;
*)
	is "$(pair NOIOMMU_MODE_PARAMETER)" N "the mode is N after a plain load"
	like "$(pair CAPABILITIES_IOMMUFD_NOIOMMU_SOURCE)" "IOMMU_IOAS_NOIOMMU_GET_PA probe|noiommu-vfioN device exists|CONFIG_IOMMUFD_NOIOMMU" \
		"the iommufd no-IOMMU answer names its evidence"
	;;
esac
if [ "$target" = iommu ]; then
	is "$(pair IOMMU_ACTIVE)" yes "iommu: an IOMMU is active"
	like "$(pair IOMMU_UNITS)" "dmar" "iommu: the DMAR unit is named"
fi
if [ "$target" != stock ] && [ "$target" != iommu ]; then
	noiommu_on
	run vfio-noiommuctl status
	like "$OUT" "No-IOMMU mode +on +\\(enable_unsafe_noiommu_mode=Y\\)" "the mode reads on once set"
fi

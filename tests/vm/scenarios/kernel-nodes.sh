# shellcheck shell=sh
# Kernel-level check of the test bed, without the tool: the machine has the
# documented devices at the documented addresses with the expected drivers,
# and a raw sysfs bind of edu to vfio-pci creates exactly the nodes, sysfs
# objects, taint and log lines that doc/kernel.md §3 and §4.1
# describe for the target's configuration. Then edu goes back to no driver.
#
# targets: all
# timeout: 300

target=$(vm_target)
EDU=0000:00:03.0
dev=/sys/bus/pci/devices

# --- the machine ----------------------------------------------------------------

check_fn() { # BDF VID:DID DRIVER-or-empty WHAT
	if [ ! -d "$dev/$1" ]; then
		fail "$4 at $1: no such PCI function"
		return
	fi
	is "$(cat "$dev/$1/vendor"):$(cat "$dev/$1/device")" "0x${2%%:*}:0x${2#*:}" "$4 at $1 ($2)"
	is "$(pci_driver "$1")" "$3" "$4 at $1 driver is '${3:-none}'"
}

check_fn 0000:00:02.0 8086:10d3 e1000e "e1000e"
check_fn 0000:00:03.0 1234:11e8 "" "edu"
check_fn 0000:00:04.0 1b36:0010 nvme "NVMe with data namespace"
check_fn 0000:00:05.0 1b36:000c pcieport "empty root port"
check_fn 0000:00:06.0 1b36:000c pcieport "root port of the PCI bridge"
check_fn 0000:02:00.0 1b36:000e "" "pcie-pci-bridge"
check_fn 0000:03:01.0 1234:11e8 "" "edu behind the bridge"
check_fn 0000:03:02.0 1234:11e8 "" "second edu behind the bridge"
check_fn 0000:00:07.0 1b36:000c pcieport "root port of the SR-IOV NVMe"
check_fn 0000:04:00.0 1b36:0010 nvme "SR-IOV NVMe PF"
check_fn 0000:00:1f.2 8086:2922 ahci "q35 AHCI"
is "$(find_bdf 1234:11e8)" "$EDU" "find_bdf finds the first edu"
ok "ls $dev/0000:00:02.0/net/* >/dev/null 2>&1" "e1000e has a netdev ($(ls "$dev/0000:00:02.0/net" 2>/dev/null))"
is "$(cat $dev/0000:04:00.0/sriov_totalvfs 2>/dev/null)" 2 "NVMe PF offers 2 VFs"

# The data namespace hangs off the nvme-subsystem (NVME_MULTIPATH) and
# carries the ext4 file system made by run-vm.
ns=$(find /dev -maxdepth 1 -name "nvme*n1" | head -n1)
if [ -n "$ns" ] && mkdir -p /mnt/nvme && mount -t ext4 -o ro "$ns" /mnt/nvme 2>/dev/null; then
	is "$(cat /mnt/nvme/README)" "vmtest nvme data disk" "the NVMe namespace $ns mounts with its ext4 file system"
	umount /mnt/nvme
else
	fail "mount the NVMe namespace ($ns)"
fi

# SR-IOV: VFs at 04:00.1 and 04:00.2 (not probed: QEMU's VFs are offline
# until given resources, and nvme's probe of them fails).
echo 0 >$dev/0000:04:00.0/sriov_drivers_autoprobe
exit_is 0 "enable 2 VFs on the NVMe PF" -- sh -c "echo 2 >$dev/0000:04:00.0/sriov_numvfs"
ok "[ -e $dev/0000:04:00.1/physfn ] && [ -e $dev/0000:04:00.2/physfn ]" "VFs appear at 04:00.1 and 04:00.2"
exit_is 0 "disable the VFs" -- sh -c "echo 0 >$dev/0000:04:00.0/sriov_numvfs"
ok "[ ! -e $dev/0000:04:00.1 ]" "VFs are gone"
echo 1 >$dev/0000:04:00.0/sriov_drivers_autoprobe

# --- VFIO before anything loads it -------------------------------------------------

is "$(taint_value)" 0 "kernel not tainted at start"
if [ "$(config_value VFIO)" = y ]; then
	ok "[ -d /sys/module/vfio ]" "vfio is built in (/sys/module/vfio from boot)"
else
	ok "[ ! -d /sys/module/vfio ] && [ ! -d /sys/module/vfio_pci ]" "vfio modules not loaded at boot"
fi

# --- what the configuration shows at run time (doc/kernel.md §1.3) -----------

interfaces() { # once vfio is loaded
	# Before 6.6 there is no VFIO_GROUP symbol: every vfio.ko has the
	# group interface (doc/kernel.md §1.1).
	if config_has VFIO_GROUP || kver_before 6.6; then
		ok "grep -q '^ *[0-9]* vfio\$' /proc/devices && [ -d /sys/class/vfio ]" "VFIO_GROUP: char region 'vfio' in /proc/devices, /sys/class/vfio"
	else
		ok "! grep -q '^ *[0-9]* vfio\$' /proc/devices && [ ! -d /sys/class/vfio ]" "no VFIO_GROUP: no 'vfio' region, no /sys/class/vfio"
	fi
	if config_has VFIO_DEVICE_CDEV; then
		ok "grep -q '^ *[0-9]* vfio-dev\$' /proc/devices" "VFIO_DEVICE_CDEV: char region 'vfio-dev' in /proc/devices"
	else
		ok "! grep -q '^ *[0-9]* vfio-dev\$' /proc/devices" "no VFIO_DEVICE_CDEV: no 'vfio-dev' region"
	fi
	if config_has IOMMUFD; then
		ok "[ -c /dev/iommu ] && [ -d /sys/class/misc/iommu ]" "IOMMUFD: /dev/iommu (vfio pulls in iommufd)"
	else
		ok "[ ! -e /dev/iommu ]" "no IOMMUFD: no /dev/iommu"
	fi
	ok "[ -d /sys/class/vfio-dev ]" "/sys/class/vfio-dev exists once vfio is loaded"
}

# --- the bind ----------------------------------------------------------------------

case $target in
stock)
	run modprobe vfio
	is "$RC" 0 "modprobe vfio (Debian's xz-compressed module, bookworm's kmod)"
	ok "[ -d /sys/module/vfio ]" "vfio is loaded"
	ok "[ ! -e /sys/module/vfio/parameters/enable_unsafe_noiommu_mode ]" "no enable_unsafe_noiommu_mode parameter (CONFIG_VFIO_NOIOMMU not set)"
	ok "[ ! -d /sys/module/vfio/parameters ]" "vfio has no parameters/ directory at all"
	ok "[ ! -e /proc/config.gz ] && [ -r /usr/lib/modules/$(kver)/config ]" "config only at /usr/lib/modules/$(kver)/config (no IKCONFIG_PROC)"
	is "$(config_value VFIO_NOIOMMU)" n "CONFIG_VFIO_NOIOMMU is not set"
	interfaces
	exit_is 1 "bind of edu to vfio-pci fails" -- sysfs_bind_vfio $EDU
	like "$ERR" "Invalid argument" "the bind write fails with EINVAL"
	is "$(pci_driver $EDU)" "" "edu has no driver"
	is "$(taint_value)" 0 "no taint"
	ok "[ ! -e /dev/vfio/devices ] && ! ls /dev/vfio/noiommu-* >/dev/null 2>&1" "no VFIO device nodes"
	echo >$dev/$EDU/driver_override
	exit 0
	;;
iommu)
	group=$(basename "$(readlink $dev/$EDU/iommu_group)")
	like "$group" '^[0-9]+$' "edu is in IOMMU group $group before the bind"
	is "$(noiommu_param)" absent "vfio not loaded yet"
	run_ok "bind edu to vfio-pci" -- sysfs_bind_vfio $EDU
	is "$(noiommu_param)" N "no-IOMMU mode stays off"
	;;
*)
	ok noiommu_on "modprobe vfio enable_unsafe_noiommu_mode=1"
	group=""
	run_ok "bind edu to vfio-pci" -- sysfs_bind_vfio $EDU
	;;
esac
is "$(pci_driver $EDU)" vfio-pci "edu is bound to vfio-pci"
interfaces

vfiodev=$(ls $dev/$EDU/vfio-dev 2>/dev/null)
is "$(echo "$vfiodev" | wc -w)" 1 "one vfio-dev class object under edu ($vfiodev)"
ok "[ -L /sys/class/vfio-dev/$vfiodev ]" "/sys/class/vfio-dev/$vfiodev exists"

chardev_is() { # NODE SYSFS-DEV-FILE DESC
	if [ -c "$1" ] && [ -r "$2" ]; then
		_mm=$(stat -c '%t:%T' "$1")
		is "$((0x${_mm%%:*})):$((0x${_mm#*:}))" "$(cat "$2")" "$3"
	else
		fail "$3 (no char device $1 or no $2)"
	fi
}

no_group_nodes() { ! ls /dev/vfio/noiommu-* >/dev/null 2>&1; }

nodes_noiommu_group() { # the group no-IOMMU half
	group=$(basename "$(readlink $dev/$EDU/iommu_group)")
	like "$group" '^[0-9]+$' "edu got a fake IOMMU group ($group)"
	is "$(cat "/sys/kernel/iommu_groups/$group/name" 2>/dev/null)" vfio-noiommu "iommu_groups/$group/name is vfio-noiommu"
	chardev_is "/dev/vfio/noiommu-$group" "/sys/class/vfio/noiommu-$group/dev" "/dev/vfio/noiommu-$group is the group's char device"
	ok "[ ! -e /dev/vfio/$group ]" "no plain /dev/vfio/$group"
}

nodes_noiommu_cdev() {
	like "$vfiodev" '^noiommu-vfio[0-9]+$' "class object is named noiommu-vfioM"
	chardev_is "/dev/vfio/devices/$vfiodev" "/sys/class/vfio-dev/$vfiodev/dev" "/dev/vfio/devices/$vfiodev is the cdev"
}

nodes_no_cdev() {
	like "$vfiodev" '^vfio[0-9]+$' "class object is named vfioM (no noiommu- prefix)"
	ok "[ ! -e /sys/class/vfio-dev/$vfiodev/dev ]" "vfio-dev/$vfiodev has no dev attribute"
	ok "[ ! -e /dev/vfio/devices ]" "no /dev/vfio/devices"
}

container_is() { # yes|no
	if [ "$1" = yes ]; then
		chardev_is /dev/vfio/vfio /sys/class/misc/vfio/dev "/dev/vfio/vfio is a char device"
		is "$(cat /sys/class/misc/vfio/dev 2>/dev/null)" 10:196 "/dev/vfio/vfio is misc 10:196"
		like "$(cat /proc/misc)" '^196 vfio$' "/proc/misc lists 196 vfio"
		# iommufd's emulation says so on its first open (§1.3)
		run sh -c ': </dev/vfio/vfio'
		is "$RC" 0 "/dev/vfio/vfio opens"
		if config_has IOMMUFD_VFIO_CONTAINER; then
			like "$(dmesg)" 'IOMMUFD is providing /dev/vfio/vfio, not VFIO' "kernel log: 'IOMMUFD is providing /dev/vfio/vfio, not VFIO.'"
		else
			unlike "$(dmesg)" 'IOMMUFD is providing /dev/vfio/vfio' "/dev/vfio/vfio is VFIO's own container"
		fi
	else
		ok "[ ! -e /dev/vfio/vfio ] && ! grep -q '^196 vfio$' /proc/misc" "no /dev/vfio/vfio container"
	fi
}

taint_lines() { # group-line(yes|no) cdev-line(yes|no)
	_log=$(dmesg)
	_g="vfio-pci $EDU: Adding kernel taint for vfio-noiommu group on device"
	_c="vfio-pci $EDU: Adding kernel taint for vfio-noiommu cdev"
	if [ "$1" = yes ]; then
		like "$_log" "$_g" "kernel log: 'Adding kernel taint for vfio-noiommu group on device'"
	else
		unlike "$_log" "$_g" "kernel log has no group taint line"
	fi
	if [ "$2" = yes ]; then
		like "$_log" "$_c" "kernel log: 'Adding kernel taint for vfio-noiommu cdev'"
	else
		unlike "$_log" "$_c" "kernel log has no cdev taint line"
	fi
	if [ "$1" = yes ] && [ "$2" = yes ]; then
		_gl=$(dmesg | grep -n "$_g" | head -n1 | cut -d: -f1)
		_cl=$(dmesg | grep -n "$_c" | head -n1 | cut -d: -f1)
		ok "[ '${_gl:-0}' -lt '${_cl:-0}' ]" "group line comes before the cdev line"
	fi
}

case $target in
both | builtin)
	nodes_noiommu_group
	nodes_noiommu_cdev
	container_is yes
	taint_lines yes yes
	;;
compat)
	nodes_noiommu_group
	nodes_noiommu_cdev
	container_is yes
	ok "[ -d /sys/module/iommufd ] && [ ! -d /sys/module/vfio_iommu_type1 ]" "container is iommufd's emulation (iommufd loaded, no vfio_iommu_type1)"
	is "$(config_value VFIO_CONTAINER)" n "CONFIG_VFIO_CONTAINER is not set"
	taint_lines yes yes
	;;
cdev-only)
	nodes_noiommu_cdev
	ok "[ ! -e $dev/$EDU/iommu_group ]" "edu has no IOMMU group (no VFIO_GROUP, no fake group)"
	ok no_group_nodes "no /dev/vfio/noiommu-N"
	ok "[ ! -d /sys/class/vfio ]" "no vfio group class"
	container_is no
	taint_lines no yes
	;;
group-only | pre-7.3)
	nodes_noiommu_group
	nodes_no_cdev
	container_is yes
	taint_lines yes no
	;;
lts-6.1)
	# 6.1 predates VFIO_GROUP, VFIO_CONTAINER, VFIO_DEVICE_CDEV and
	# IOMMUFD: its config has no line for them at all, yet the group
	# interface and the legacy container are there (doc/kernel.md §1.1).
	ok "kver_before 6.2" "the kernel is older than 6.2 ($(kver))"
	is "$(_config_file | grep -cE '^(# )?CONFIG_(VFIO_GROUP|VFIO_CONTAINER|VFIO_DEVICE_CDEV|IOMMUFD)[= ]')" 0 \
		"the config has no line for VFIO_GROUP, VFIO_CONTAINER, VFIO_DEVICE_CDEV or IOMMUFD"
	nodes_noiommu_group
	nodes_no_cdev
	container_is yes
	ok "[ -d /sys/module/vfio_iommu_type1 ]" "VFIO's own container (vfio_iommu_type1 loaded with it)"
	taint_lines yes no
	;;
iommu)
	chardev_is "/dev/vfio/$group" "/sys/class/vfio/$group/dev" "/dev/vfio/$group is the group's char device"
	ok no_group_nodes "no /dev/vfio/noiommu-N"
	like "$vfiodev" '^vfio[0-9]+$' "class object is named vfioM"
	chardev_is "/dev/vfio/devices/$vfiodev" "/sys/class/vfio-dev/$vfiodev/dev" "/dev/vfio/devices/$vfiodev is the cdev"
	ok "[ -e $dev/$EDU/iommu ]" "edu has an iommu link (real IOMMU)"
	container_is yes
	taint_lines no no
	;;
esac

if [ "$target" = iommu ]; then
	is "$(taint_value)" 0 "no taint with a real IOMMU"
else
	is "$(taint_value)" 64 "taint is 64 (TAINT_USER) after the no-IOMMU bind"
fi

# --- restore -------------------------------------------------------------------------

run_ok "unbind edu from vfio-pci and clear driver_override" -- sysfs_unbind_vfio $EDU
is "$(pci_driver $EDU)" "" "edu has no driver again"
is "$(cat $dev/$EDU/driver_override)" "(null)" "driver_override is cleared"
ok "[ ! -e /sys/class/vfio-dev/$vfiodev ] && [ ! -e /dev/vfio/devices/$vfiodev ]" "vfio-dev object and cdev are gone"
if [ "$target" != iommu ] && [ -n "$group" ]; then
	ok "[ ! -e /dev/vfio/noiommu-$group ] && [ ! -e $dev/$EDU/iommu_group ]" "fake group and its node are gone"
fi
if [ "$target" = iommu ]; then
	is "$(taint_value)" 0 "still no taint"
else
	is "$(taint_value)" 64 "taint stays 64 after the unbind"
fi

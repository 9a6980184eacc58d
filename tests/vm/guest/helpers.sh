# shellcheck shell=sh
# Guest helpers for scenarios (busybox ash). Sourced after tap.sh.
#
#   vm_target            the run-vm target (both, cdev-only, ..., iommu)
#   vm_boot              1-based boot number (scenarios with "# boots: N")
#   vm_udev              "yes" if systemd-udevd runs, "no" otherwise
#   kver                 uname -r
#   kver_before X.Y      true if the running kernel is older than Linux X.Y
#   config_has SYMBOL    true if CONFIG_SYMBOL is y or m in the running
#                        kernel's config (/proc/config.gz, else
#                        /usr/lib/modules/$(uname -r)/config)
#   config_value SYMBOL  y, m, n, or the value
#   find_bdf VID:DID     first PCI function with these IDs (e.g. 1234:11e8)
#   pci_driver BDF       name of the bound driver, empty if none
#   sysfs_bind_vfio BDF  modprobe vfio-pci, write vfio-pci to driver_override,
#                        unbind from the current driver if any, write BDF to
#                        /sys/bus/pci/drivers/vfio-pci/bind; returns the
#                        status of that write (the probe's error)
#   sysfs_unbind_vfio BDF  unbind from vfio-pci, clear driver_override,
#                        reprobe (the device goes back to its host driver,
#                        or stays without one)
#   noiommu_on           modprobe vfio with enable_unsafe_noiommu_mode=1 (or
#                        set the parameter if vfio is already there)
#   noiommu_param        Y, N, or "absent"
#   taint_value          /proc/sys/kernel/tainted
#   settle               udevadm settle when udev runs
#   wait_for PATH [SECS] wait until PATH exists
#   vfio_node BDF        the device's VFIO node as list shows it: its cdev,
#                        else its group node
#   hold NODE            a "sleep" process holding NODE open; $HOLDER
#   hold_bar NODE        edu-dma mapping BAR0 of NODE (a cdev or a no-IOMMU
#                        group node), every fd closed; $HOLDER
#   hold_fd NODE         edu-dma holding only the device fd of NODE (for a
#                        group node: an anonymous [vfio-device] fd); $HOLDER
#   release              end the $HOLDER process

# busybox sh runs its own applets in preference to programs in PATH
# (FEATURE_SH_STANDALONE). Shell functions come first, so these make the
# module tools kmod's in the init script and in scenarios; a nested
# "sh -c" gets busybox's again unless it names /usr/sbin/modprobe.
modprobe() { /usr/sbin/modprobe "$@"; }
insmod() { /usr/sbin/insmod "$@"; }
rmmod() { /usr/sbin/rmmod "$@"; }
lsmod() { /usr/sbin/lsmod "$@"; }
modinfo() { /usr/sbin/modinfo "$@"; }
depmod() { /usr/sbin/depmod "$@"; }

vm_cmdline() { # KEY DEFAULT
	read -r _cmdline </proc/cmdline
	for _w in $_cmdline; do
		case $_w in "$1"=*) echo "${_w#*=}"; return ;; esac
	done
	echo "$2"
}
vm_target() { vm_cmdline vmtest.target unknown; }
vm_boot() { vm_cmdline vmtest.boot 1; }
vm_udev() { vm_cmdline vmtest.udev yes; }
# yes when the tool was built with -Dtest_hooks=true (VFIO_NOIOMMUCTL_TEST_*)
vm_hooks() { vm_cmdline vmtest.hooks no; }

kver() { uname -r; }

kver_before() { # X.Y
	_r=$(uname -r)
	_ma=${_r%%.*} _mi=${_r#*.}
	_mi=${_mi%%[!0-9]*}
	[ "$_ma" -lt "${1%%.*}" ] || { [ "$_ma" -eq "${1%%.*}" ] && [ "$_mi" -lt "${1#*.}" ]; }
}

_config_file() {
	if [ -r /proc/config.gz ]; then
		zcat /proc/config.gz
	else
		cat "/usr/lib/modules/$(uname -r)/config"
	fi
}

config_value() {
	_v=$(_config_file | sed -n "s/^CONFIG_$1=//p")
	echo "${_v:-n}"
}

config_has() {
	case $(config_value "$1") in
	n | '') return 1 ;;
	*) return 0 ;;
	esac
}

find_bdf() { # VID:DID
	_vid=0x${1%%:*} _did=0x${1#*:}
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = "$_vid" ] || continue
		[ "$(cat "$_d/device")" = "$_did" ] || continue
		basename "$_d"
		return 0
	done
	return 1
}

pci_driver() {
	_l=/sys/bus/pci/devices/$1/driver
	[ -L "$_l" ] && basename "$(readlink "$_l")"
	return 0
}

settle() {
	[ "$(vm_udev)" = yes ] && udevadm settle --timeout=30
	return 0
}

wait_for() { # PATH [SECONDS]
	_i=0
	while [ ! -e "$1" ] && [ "$_i" -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$1" ]
}

# qmp COMMAND-JSON: run-vm sends the command to QEMU's monitor (device_add,
# device_del). Asynchronous: wait for its effect (wait_for, wait_gone).
qmp() { (printf '@@QMP@@ %s\n' "$1"); }

# to_persist FILE NAME: copy FILE to the /persist disk as NAME, for run-vm
# to read after the boot (# initrd: guest, # next-cmdline: guest); under
# systemd nobody mounts that disk. Fails when it cannot.
to_persist() {
	mkdir -p /mnt/persist &&
		mount "$(findfs LABEL=vmtest-persist)" /mnt/persist &&
		cp "$1" "/mnt/persist/$2" && umount /mnt/persist
}

wait_gone() { # PATH [SECONDS]
	_i=0
	while [ -e "$1" ] && [ "$_i" -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ ! -e "$1" ]
}

vfio_node() {
	_n=$(vfio-noiommuctl list --noheadings -o CDEV "$1")
	case $_n in /dev/*) ;; *) _n=$(vfio-noiommuctl list --noheadings -o GROUP "$1") ;; esac
	echo "$_n"
}

hold() {
	sh -c "exec sleep 300" <>"$1" &
	HOLDER=$!
	sleep 1
}

hold_bar() {
	rm -f /tmp/edu-dma.holding
	edu-dma --hold-bar "$1" &
	HOLDER=$!
	wait_for /tmp/edu-dma.holding 10
}

hold_fd() {
	rm -f /tmp/edu-dma.holding
	edu-dma --hold-fd "$1" &
	HOLDER=$!
	wait_for /tmp/edu-dma.holding 10
}

release() {
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null
	rm -f /tmp/edu-dma.holding
}

sysfs_bind_vfio() {
	_dev=/sys/bus/pci/devices/$1
	modprobe vfio-pci || return 1
	echo vfio-pci >"$_dev/driver_override" || return 1
	if [ -L "$_dev/driver" ]; then
		echo "$1" >"$_dev/driver/unbind" || return 1
	fi
	if echo "$1" >/sys/bus/pci/drivers/vfio-pci/bind; then _rc=0; else _rc=1; fi
	settle
	return $_rc
}

sysfs_unbind_vfio() {
	_dev=/sys/bus/pci/devices/$1
	if [ "$(pci_driver "$1")" = vfio-pci ]; then
		echo "$1" >/sys/bus/pci/drivers/vfio-pci/unbind || return 1
	fi
	echo >"$_dev/driver_override" || return 1
	echo "$1" >/sys/bus/pci/drivers_probe 2>/dev/null
	settle
	return 0
}

noiommu_param() {
	_p=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	if [ -r "$_p" ]; then cat "$_p"; else echo absent; fi
}

noiommu_on() {
	_p=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	if [ -d /sys/module/vfio ]; then
		[ -w "$_p" ] && echo 1 >"$_p"
	else
		modprobe vfio enable_unsafe_noiommu_mode=1
	fi
	[ "$(noiommu_param)" = Y ]
}

taint_value() { cat /proc/sys/kernel/tainted; }

# --- the tool -------------------------------------------------------------------
#   pair KEY             value of KEY in a "KEY=\"value\"" per line $OUT
#                        (status/noiommu --pairs)
#   row BDF KEY          value of KEY on $OUT's --pairs row for BDF (list)
#   jhas 'TEXT'          $OUT (a --json document) contains TEXT
#   journal_of BDF       the tool's journal record, empty if none

pair() { printf '%s\n' "$OUT" | sed -n "s/^$1=\"\(.*\)\"\$/\1/p" | head -n1; }
row() { printf '%s\n' "$OUT" | grep "BDF=\"$1\"" | sed -n "s/.*[ ^]$2=\"\([^\"]*\)\".*/\1/p;s/^$2=\"\([^\"]*\)\".*/\1/p" | head -n1; }
jhas() { printf '%s\n' "$OUT" | grep -qF -- "$1"; }
journal_of() { cat "/run/vfio-noiommuctl/journal/$1" 2>/dev/null; }

# list before and after a plain sysfs bind of edu and of e1000e (the
# scenario binds with driver_override, unbind and the vfio-pci bind file):
# exact node names per configuration, the no-IOMMU column, the taint field
# moving from 0 to 64, and a process holding the cdev in OPEN_BY.
#
# targets: both cdev-only group-only pre-7.3 lts-6.1 compat builtin iommu
# timeout: 300

target=$(vm_target)
EDU=0000:00:03.0
NIC=0000:00:02.0

exit_is 0 "list with nothing bound exits 0" -- vfio-noiommuctl list
like "$ERR" "no device is bound to a VFIO driver" "list says nothing is bound"
run vfio-noiommuctl list --all --pairs -o BDF,ID,DRIVER,NOIOMMU,TAINT
is "$(row $EDU ID)" "1234:11e8" "list --all shows edu's IDs"
is "$(row $NIC DRIVER)" e1000e "list --all shows e1000e on e1000e"
is "$(row $EDU TAINT)" 0 "edu's taint field is 0 before binding"
run vfio-noiommuctl list --all -o BDF,NAME,CLASS
like "$OUT" "0000:00:02.0 +82574L Gigabit Network Connection +Ethernet controller" \
	"names come from pci.ids"

# A device argument may be an interface name or altname (resolved to its
# PCI function) or an ID; a bridge or bond is no PCI function's.
ifn=$(ls /sys/bus/pci/devices/$NIC/net)
run vfio-noiommuctl list --pairs -o BDF "$ifn"
is "$(row $NIC BDF)" $NIC "list $ifn is $NIC"
exit_is 0 "give $ifn the altname vn-alt0" -- altname "$ifn" vn-alt0
run vfio-noiommuctl list --pairs -o BDF vn-alt0
is "$(row $NIC BDF)" $NIC "list of the altname vn-alt0 is $NIC"
edus=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x11e8 ] && echo "$d"
done | wc -l)
run vfio-noiommuctl list --pairs -o BDF 1234:11e8 $EDU 0000:00:03.0
is "$(printf '%s\n' "$OUT" | grep -c BDF=)" "$edus" "an ID and a BDF naming the same function list it once"
ip link add vn-br0 type bridge
exit_is 2 "a bridge is no PCI function's" -- vfio-noiommuctl list vn-br0
like "$ERR" "'vn-br0' is a bridge, not the network interface of a PCI function" "it says it is a bridge"
ip link del vn-br0

[ "$target" = iommu ] || noiommu_on
sysfs_bind_vfio $EDU
sysfs_bind_vfio $NIC

case $target in
both | builtin | compat)
	cdev0=/dev/vfio/devices/noiommu-vfio0 cdev1=/dev/vfio/devices/noiommu-vfio1
	grp0=/dev/vfio/noiommu-0 grp1=/dev/vfio/noiommu-1 noiommu=yes taint=64 ;;
cdev-only)
	cdev0=/dev/vfio/devices/noiommu-vfio0 cdev1=/dev/vfio/devices/noiommu-vfio1
	grp0="" grp1="" noiommu=yes taint=64 ;;
group-only | pre-7.3 | lts-6.1)
	cdev0="" cdev1="" grp0=/dev/vfio/noiommu-0 grp1=/dev/vfio/noiommu-1
	noiommu=yes taint=64 ;;
iommu)
	cdev0=/dev/vfio/devices/vfio0 cdev1=/dev/vfio/devices/vfio1
	grp0=/dev/vfio/$(basename "$(readlink /sys/bus/pci/devices/$EDU/iommu_group)")
	grp1=/dev/vfio/$(basename "$(readlink /sys/bus/pci/devices/$NIC/iommu_group)")
	noiommu=no taint=0 ;;
esac

run vfio-noiommuctl list --pairs -o BDF,DRIVER,NOIOMMU,CDEV,GROUP,TAINT,DEVT,OWNER,MODE
is "$RC" 0 "list exits 0 with devices bound"
is "$(row $EDU DRIVER)" vfio-pci "edu is listed on vfio-pci"
is "$(row $NIC DRIVER)" vfio-pci "e1000e is listed on vfio-pci"
is "$(row $EDU NOIOMMU)" "$noiommu" "edu's NOIOMMU is $noiommu"
is "$(row $EDU TAINT)" "$taint" "edu's taint field is $taint"
is "$(row $EDU GROUP)" "$grp0" "edu's group node is '${grp0:-none}'"
is "$(row $NIC GROUP)" "$grp1" "e1000e's group node is '${grp1:-none}'"
if [ -n "$cdev0" ]; then
	is "$(row $EDU CDEV)" "$cdev0" "edu's cdev is $cdev0"
	is "$(row $NIC CDEV)" "$cdev1" "e1000e's cdev is $cdev1"
	is "$(row $EDU MODE)" "crw-------" "the cdev's mode is shown"
	is "$(row $EDU OWNER)" "root:root" "the cdev's owner is shown"
	like "$(row $EDU DEVT)" "^[0-9]+:0\$" "the cdev's dev_t has minor 0"
else
	run vfio-noiommuctl list --pairs -o BDF,CDEV,CDEV_STATE,CDEV_REASON $EDU
	is "$(row $EDU CDEV)" "" "CDEV holds no value, not a reason"
	case $target in
	group-only)
		is "$(row $EDU CDEV_STATE)" unsupported \
			"group-only: CDEV_STATE says the kernel has no cdevs"
		like "$(row $EDU CDEV_REASON)" "kernel built without VFIO_DEVICE_CDEV" \
			"group-only: CDEV_REASON says why" ;;
	pre-7.3)
		is "$(row $EDU CDEV_STATE)" noiommu-unsupported \
			"pre-7.3: CDEV_STATE says no-IOMMU cdevs are missing"
		like "$(row $EDU CDEV_REASON)" "no-IOMMU cdevs need IOMMUFD_NOIOMMU" \
			"pre-7.3: CDEV_REASON says they need 7.3" ;;
	lts-6.1)
		is "$(row $EDU CDEV_STATE)" unsupported \
			"lts-6.1: CDEV_STATE says the kernel has no cdevs"
		like "$(row $EDU CDEV_REASON)" "VFIO device cdevs need Linux 6\\.6" \
			"lts-6.1: CDEV_REASON says cdevs need 6.6" ;;
	esac
	run vfio-noiommuctl list -o BDF,CDEV $EDU
	like "$OUT" "none \\((no cdevs|group only)\\)" "people read why in the table"
	ok "[ -d /sys/class/vfio-dev/vfio0 ] && [ ! -e /sys/class/vfio-dev/vfio0/dev ]" \
		"the class object vfio0 exists without dev, as the tool says"
fi
run vfio-noiommuctl list --json
ok 'jhas "\"noiommu\": $( [ $noiommu = yes ] && echo true || echo false )"' \
	"list --json types NOIOMMU as a boolean"
ok 'jhas "\"taint\": $taint"' "list --json types TAINT as a number"
is "$(taint_value)" "$taint" "the kernel's taint is $taint"

# A process holding the device shows up by PID and command.
node=${cdev0:-$grp0}
hold "$node"
run vfio-noiommuctl list -o BDF,OPEN_BY $EDU
like "$OUT" "sleep\\[$HOLDER\\]" "a process holding $node is listed in OPEN_BY"
release

sysfs_unbind_vfio $EDU
sysfs_unbind_vfio $NIC
run vfio-noiommuctl list --all --pairs -o BDF,DRIVER
is "$(row $NIC DRIVER)" e1000e "e1000e is back on e1000e after the raw unbind"

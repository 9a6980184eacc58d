# smoke-test on every configuration, the GET_PA address proved by a real
# DMA round trip through edu, and the refusals.
#
# targets: all
# timeout: 600

target=$(vm_target)
EDU=0000:00:03.0

if [ "$target" = stock ]; then
	exit_is 3 "stock: smoke-test exits 3" -- vfio-noiommuctl smoke-test $EDU
	like "$ERR" "kernel was built without CONFIG_VFIO_NOIOMMU" "it says why"
	exit 0
fi

exit_is 1 "a device not on vfio-pci: exit 1" -- vfio-noiommuctl smoke-test $EDU
like "$ERR" "'vfio-noiommuctl bind $EDU' binds it" "with a hint to bind"
[ "$target" = iommu ] || exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu" -- vfio-noiommuctl bind $EDU

case $target in
both | builtin | compat) first="cdev, no-IOMMU" group=0 cdev=0 ;;
cdev-only) first="cdev, no-IOMMU" group=3 cdev=0 ;;
group-only | pre-7.3 | lts-6.1) first="legacy group, no-IOMMU" group=0 cdev=3 ;;
iommu) first="cdev, with an IOMMU" group=0 cdev=0 ;;
esac

exit_is 0 "smoke-test passes" -- vfio-noiommuctl smoke-test $EDU
like "$OUT" "^path: $first" "it takes the path the kernel offers: $first"
like "$OUT" "binding resets the PCI function|opening the device resets the PCI function" "it says it resets the device"
like "$OUT" "^PASS\$" "PASS"
case $first in
"legacy group, no-IOMMU")
	# container, VFIO_NOIOMMU_IOMMU, device fd, config read (doc/kernel.md §6.7)
	like "$OUT" "VFIO_CHECK_EXTENSION\\(NOIOMMU\\) +ok" "the container offers no-IOMMU"
	like "$OUT" "VFIO_SET_IOMMU\\(NOIOMMU\\) +ok" "VFIO_SET_IOMMU(VFIO_NOIOMMU_IOMMU)"
	like "$OUT" "VFIO_GROUP_GET_DEVICE_FD +ok" "a device fd from the group"
	like "$OUT" "config space vendor:device +ok .*1234:11e8, equals sysfs" "config space read through the device"
	like "$(dmesg)" "vfio-pci $EDU: vfio-noiommu device opened by user \\(vfio-noiommuct" \
		"the kernel logs the open (the group path only)"
	;;
"cdev, no-IOMMU")
	like "$OUT" "IOMMU_IOAS_NOIOMMU_GET_PA +ok .*equals /proc/self/pagemap" "GET_PA equals pagemap"
	like "$OUT" "config space vendor:device +ok .*1234:11e8, equals sysfs" "config space read through the device"
	node=$(vfio-noiommuctl list --noheadings -o CDEV $EDU)
	run edu-dma "$node"
	is "$RC" 0 "edu-dma exits 0"
	like "$OUT" "ok DMA round trip through edu" "a real DMA round trip uses the GET_PA address"
	;;
"cdev, with an IOMMU")
	like "$OUT" "IOMMU_GET_HW_INFO +ok" "GET_HW_INFO with an IOMMU"
	;;
esac

exit_is $group "--path group: exit $group" -- vfio-noiommuctl smoke-test --path group $EDU
if [ "$group" = 0 ]; then
	like "$OUT" "^PASS\$" "the group path passes"
	[ "$target" = compat ] && like "$OUT" "iommufd's emulation" "compat: through iommufd's /dev/vfio/vfio"
	[ "$target" = iommu ] && like "$OUT" "VFIO_SET_IOMMU\\(TYPE1" "iommu: type1"
else
	like "$ERR" "no usable group path" "no group path on this kernel"
fi
exit_is $cdev "--path cdev: exit $cdev" -- vfio-noiommuctl smoke-test --path cdev $EDU
[ "$cdev" = 0 ] || like "$ERR" "no usable cdev path: " "the cdev path explains why not"
case $target in
lts-6.1)
	like "$ERR" "no usable cdev path: VFIO device cdevs need Linux 6\\.6" "lts-6.1: no cdevs before 6.6"
	like "$ERR" "'--path group' tests it through its group node /dev/vfio/noiommu-" "and points at the group node"
	;;
pre-7.3)
	like "$ERR" "no usable cdev path: no-IOMMU cdevs need IOMMUFD_NOIOMMU" "pre-7.3: no no-IOMMU cdevs before 7.3"
	;;
esac

run vfio-noiommuctl smoke-test --json $EDU
ok 'jhas "\"passed\": true"' "--json: passed"

# Refusals
hold "$(vfio_node $EDU)"
exit_is 4 "a device held by another process: exit 4" -- vfio-noiommuctl smoke-test $EDU
like "$ERR" "sleep\\[$HOLDER\\] holds it" "the holder is named"
release
if [ "$target" != iommu ]; then
	run su -s /bin/sh tester -c "vfio-noiommuctl smoke-test $EDU"
	is "$RC" 1 "as a user: exit 1"
	like "$ERR" "CAP_SYS_RAWIO" "as a user: it names the capability"
fi
exit_is 0 "unbind edu" -- vfio-noiommuctl unbind $EDU

# Early boot / initramfs: no udevd. The tool reads the kernel's state and
# devtmpfs alone, and bind/unbind verify without a udev monitor.
#
# targets: both lts-6.1
# udev: no
# timeout: 300

EDU=0000:00:03.0
NIC=0000:00:02.0
ok '! pidof systemd-udevd >/dev/null' "udevd is not running"
exit_is 0 "status" -- vfio-noiommuctl status
exit_is 0 "list --all" -- vfio-noiommuctl list --all
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu and e1000e" -- vfio-noiommuctl bind --force $EDU $NIC
# The two are bound at once (--jobs): which gets group 0 and vfio0 is the
# kernel's probe order, so the numbers are read from sysfs.
grp=$(basename "$(readlink /sys/bus/pci/devices/$EDU/iommu_group)")
vdev=$(ls /sys/bus/pci/devices/$EDU/vfio-dev 2>/dev/null)
if [ "$(vm_target)" = lts-6.1 ]; then
	ok "[ -c /dev/vfio/noiommu-$grp ] && [ ! -e /dev/vfio/devices ]" "devtmpfs made the group node (no cdevs before 6.6)"
	run vfio-noiommuctl list --pairs -o BDF,GROUP
	is "$(row $EDU GROUP)" /dev/vfio/noiommu-$grp "list finds edu's group node"
else
	ok "[ -c /dev/vfio/devices/$vdev ] && [ -c /dev/vfio/noiommu-$grp ]" "devtmpfs made the nodes ($vdev, noiommu-$grp)"
	run vfio-noiommuctl list --pairs -o BDF,CDEV
	is "$(row $EDU CDEV)" /dev/vfio/devices/$vdev "list finds edu's cdev"
fi
exit_is 0 "smoke-test" -- vfio-noiommuctl smoke-test $EDU
exit_is 0 "unbind both" -- vfio-noiommuctl unbind $EDU $NIC
is "$(pci_driver $NIC)" e1000e "e1000e is back"
ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net)" ]' "with its interface"

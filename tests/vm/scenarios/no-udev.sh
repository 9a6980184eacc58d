# Early boot / initramfs: no udevd. The tool reads the kernel's state and
# devtmpfs alone, and bind/unbind verify without a udev monitor.
#
# targets: both
# udev: no
# timeout: 300

EDU=0000:00:03.0
NIC=0000:00:02.0
ok '! pidof systemd-udevd >/dev/null' "udevd is not running"
exit_is 0 "status" -- vfio-noiommuctl status
exit_is 0 "list --all" -- vfio-noiommuctl list --all
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu and e1000e" -- vfio-noiommuctl bind --force $EDU $NIC
ok '[ -c /dev/vfio/devices/noiommu-vfio0 ] && [ -c /dev/vfio/noiommu-0 ]' "devtmpfs made the nodes"
run vfio-noiommuctl list --pairs -o BDF,CDEV
is "$(row $EDU CDEV)" /dev/vfio/devices/noiommu-vfio0 "list finds edu's cdev"
exit_is 0 "smoke-test" -- vfio-noiommuctl smoke-test $EDU
exit_is 0 "unbind both" -- vfio-noiommuctl unbind $EDU $NIC
is "$(pci_driver $NIC)" e1000e "e1000e is back"
ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net)" ]' "with its interface"

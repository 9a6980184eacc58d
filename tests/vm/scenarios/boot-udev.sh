# The boot udev rule (vfio-noiommuctl(8), BOOT) with Debian's udevd in the
# Debian root, without systemd (the test init starts udevd and runs the
# coldplug trigger, as systemd-udev-trigger.service does), and the unit's
# command after it. scenarios/boot.sh does the same under systemd.
# Boot 1: noiommu on --persist, bind --persist the e1000e (by serial);
#   install the rule as a package would.
# Boot 2 (the same disk): e1000e never bound it (no probe line for its
#   address, no netdev), the rule steered it to vfio-pci at the add event
#   (its udev property; no journal record), and the unit's command finds
#   it in place and changes nothing.
#
# targets: both
# init: root
# boots: 2
# timeout: 400

nic=0000:00:02.0
serial=52-54-00-ff-ff-12-34-56

if [ "$(vm_boot)" = 1 ]; then
	is "$(pci_driver $nic)" e1000e "boot 1: the e1000e on its host driver"
	exit_is 0 "noiommu on --persist" -- vfio-noiommuctl noiommu on --persist
	exit_is 0 "bind --persist the e1000e" -- vfio-noiommuctl bind --persist $nic
	ok "[ -f /etc/vfio-noiommuctl/50-serial-$serial.conf ]" "declared by its serial number"
	install -m 0644 /vmtest/boot/61-vfio-noiommuctl.rules /usr/lib/udev/rules.d/
	# /persist holds modprobe.d in the test init (guest/init): the
	# persisted mode is read from there at the next boot too.
	sync
else
	is "$(pci_driver $nic)" vfio-pci "boot 2: the e1000e is on vfio-pci after coldplug"
	is "$(dmesg | grep -c "e1000e $nic")" 0 "e1000e never probed $nic (no kernel log line for it)"
	is "$(grep -c '^e1000e ' /proc/modules)" 0 "nor was its module loaded (the rule cleared MODALIAS)"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "no netdev appeared"
	like "$(udevadm info -q property /sys/bus/pci/devices/$nic)" \
		"VFIO_NOIOMMUCTL_DECLARED=1" "the rule asked udev-match at the add event"
	is "$(cat /sys/bus/pci/devices/$nic/driver_override)" vfio-pci "and set driver_override"
	ok "[ ! -e /run/vfio-noiommuctl/journal/$nic ]" "no journal record: the rule bound it, not apply"
	is "$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode)" Y "no-IOMMU mode from modprobe.d"
	t0=$(date +%s%N)
	exit_is 0 "the unit's command: apply --wait 10" -- vfio-noiommuctl apply --wait 10
	diag "apply --wait 10 took $((($(date +%s%N) - t0) / 1000000)) ms (TCG)"
	like "$OUT" "in place  $nic on vfio-pci" "it finds the e1000e in place"
	like "$OUT" "nothing changed" "and changes nothing"
	is "$(pci_driver 0000:00:03.0)" "" "an undeclared edu is left alone"
fi

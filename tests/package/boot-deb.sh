# The installed package on real boots (tests/package/deb-test runs this
# with run-vm): dpkg -i the .deb in the VM tier's Debian root with systemd
# as PID 1, declare the e1000e and persist no-IOMMU mode with the packaged
# tool, reboot: the unit the package enabled ran and succeeded, and the
# rule it installed steered the device before e1000e could bind it.
#
# targets: both
# init: systemd
# boots: 2
# timeout: 600

nic=0000:00:02.0
unit=vfio-noiommuctl.service

if [ "$(vm_boot)" = 1 ]; then
	# The root was stripped of manual directories (provide-root); dpkg
	# unpacks ours into them.
	mkdir -p /usr/share/man/man5 /usr/share/man/man8
	run_ok "dpkg -i the package" -- dpkg -i /vmtest/pkg.deb
	diag "$OUT$ERR"
	is "$(systemctl is-enabled $unit)" enabled "the package enabled $unit"
	ok '[ -f /usr/lib/udev/rules.d/61-vfio-noiommuctl.rules ] || [ -f /lib/udev/rules.d/61-vfio-noiommuctl.rules ]' \
		"the package installed the udev rule"
	exit_is 0 "noiommu on --persist" -- vfio-noiommuctl noiommu on --persist
	exit_is 0 "bind --persist the e1000e" -- vfio-noiommuctl bind --persist $nic
	sync
else
	is "$(systemctl is-active $unit)" active "the packaged $unit ran at boot"
	is "$(systemctl show -P ExecMainStatus $unit)" 0 "and succeeded"
	diag "$(journalctl -b -o cat -u $unit 2>&1 | tail -n 10)"
	is "$(pci_driver $nic)" vfio-pci "the declared e1000e is on vfio-pci"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "no netdev appeared"
fi

# Boot integration with vfio and vfio-pci built into the kernel
# (vfio-noiommuctl(8), BOOT): modprobe.d does not apply, so no-IOMMU mode
# must be on the kernel command line, which noiommu on --persist puts in
# a GRUB drop-in.
# Boot 1: GRUB configured (/etc/default/grub); noiommu on --persist
#   writes the drop-in and says to run update-grub; bind --persist the
#   e1000e; install the rule and the unit. The command line grub-mkconfig
#   would generate (sourcing /etc/default/grub, then grub.d/*.cfg) goes
#   to /persist, and run-vm boots the next boot with it.
# Boot 2: the mode was on from the command line (the unit sets no mode:
#   nothing declares one), e1000e never bound the declared device, which
#   the rule steered to built-in vfio-pci (no journal record), and status
#   says the next boot's setting is the booted one.
#
# targets: builtin
# init: systemd
# boots: 2
# next-cmdline: guest
# timeout: 600

nic=0000:00:02.0
unit=vfio-noiommuctl.service
param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
word=vfio.enable_unsafe_noiommu_mode=1

boot1() {
	is "$(cat $param)" N "boot 1: no-IOMMU mode off"
	mkdir -p /etc/default
	printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=""\n' >/etc/default/grub
	exit_is 0 "noiommu on --persist" -- vfio-noiommuctl noiommu on --persist
	like "$OUT" "/etc/default/grub.d/vfio-noiommuctl.cfg" "it wrote the GRUB drop-in"
	like "$OUT" "run 'update-grub', then reboot" "and says what to run"
	exit_is 0 "bind --persist the e1000e" -- vfio-noiommuctl bind --persist $nic
	install -m 0644 /vmtest/boot/61-vfio-noiommuctl.rules /usr/lib/udev/rules.d/
	install -m 0644 /vmtest/boot/$unit /etc/systemd/system/
	systemctl daemon-reload
	run_ok "enable the unit" -- systemctl enable $unit
	# What update-grub would put on the kernel's line.
	line=$(sh -c '. /etc/default/grub; for f in /etc/default/grub.d/*.cfg; do . "$f"; done; echo "$GRUB_CMDLINE_LINUX"')
	like " $line " " $word " "the generated command line has the word"
	echo "$line" >/tmp/cmdline
	if to_persist /tmp/cmdline cmdline; then
		pass "the command line is left on /persist for the next boot"
	else
		fail "the command line is left on /persist for the next boot"
	fi
	sync
}

boot2() {
	like " $(cat /proc/cmdline) " " $word " "boot 2: booted with the generated command line"
	is "$(cat $param)" Y "built-in vfio came up in no-IOMMU mode"
	is "$(pci_driver $nic)" vfio-pci "the e1000e is on vfio-pci"
	is "$(dmesg | grep -c "e1000e $nic")" 0 "e1000e never probed $nic (no kernel log line for it)"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "no netdev appeared"
	ok "[ ! -e /run/vfio-noiommuctl/journal/$nic ]" "the rule bound it, not apply (no journal record)"
	is "$(systemctl is-active $unit)" active "$unit is active"
	run vfio-noiommuctl status
	like "$OUT" "Next boot +on \(/etc/default/grub.d/vfio-noiommuctl.cfg\)" "status: the next boot's setting"
	unlike "$OUT" "not yet booted" "status: and it is the booted one"
	like "$OUT" "Last apply .*exit status 0: 1 declared devices found, 0 bound" \
		"status: the unit found the device in place"
}

case $(vm_boot) in
1) boot1 ;;
2) boot2 ;;
esac

# Boot integration with the host driver in the initramfs
# (vfio-noiommuctl(8), BOOT): Debian's initramfs-tools builds the image
# with our hook, and the guest boots it.
# Boot 1 (the test initramfs): noiommu on --persist, bind --persist the
#   e1000e; install the rule, the unit and the hook as a package would;
#   list e1000e in /etc/initramfs-tools/modules, so that the initramfs
#   loads it, and build the image: it carries the tool, the rule, the
#   declared state, vfio-pci and the modprobe.d file. status says whether
#   the image is current, and names the file and the command when an
#   entry changed after it was built. The image goes to /persist.
# Boot 2 (that image mounts the root): e1000e was loaded in the initramfs
#   and never bound the declared device (no probe line, no netdev): the
#   initramfs's udevd ran our rule first; the unit found it in place (no
#   journal record, nothing bound).
#
# targets: both
# init: systemd
# boots: 2
# initrd: guest
# timeout: 600

nic=0000:00:02.0
serial=52-54-00-ff-ff-12-34-56
conf=/etc/vfio-noiommuctl/50-serial-$serial.conf
unit=vfio-noiommuctl.service
rel=$(uname -r)
img=/boot/initrd.img-$rel

image_has() { # PATH DESC
	ok "echo \"\$IMAGE\" | grep -q '$1'" "the image carries $2"
}

boot1() {
	is "$(pci_driver $nic)" e1000e "boot 1: the e1000e on its host driver"
	exit_is 0 "noiommu on --persist" -- vfio-noiommuctl noiommu on --persist
	exit_is 0 "bind --persist the e1000e" -- vfio-noiommuctl bind --persist $nic
	install -m 0644 /vmtest/boot/61-vfio-noiommuctl.rules /usr/lib/udev/rules.d/
	install -m 0644 /vmtest/boot/$unit /etc/systemd/system/
	install -m 0755 /vmtest/boot/initramfs-tools-hook \
		/usr/share/initramfs-tools/hooks/vfio-noiommuctl
	systemctl daemon-reload
	run_ok "enable the unit" -- systemctl enable $unit
	# As a Debian kernel package installs it: mkinitramfs checks the
	# kernel's compression support there.
	cp /usr/lib/modules/$rel/config /boot/config-$rel
	echo e1000e >>/etc/initramfs-tools/modules
	sed -i 's/^COMPRESS=.*/COMPRESS=gzip/' /etc/initramfs-tools/initramfs.conf
	exit_is 0 "update-initramfs -c -k $rel" -- update-initramfs -c -k "$rel"
	IMAGE=$(lsinitramfs "$img" 2>&1)
	image_has "usr/sbin/vfio-noiommuctl" "the tool"
	image_has "rules.d/61-vfio-noiommuctl.rules" "the rule"
	image_has "etc/vfio-noiommuctl/50-serial-$serial.conf" "the declared entry"
	image_has "etc/modprobe.d/vfio-noiommu.conf" "the no-IOMMU mode"
	image_has "/vfio-pci.ko" "vfio-pci"
	image_has "/e1000e.ko" "the host driver"
	run vfio-noiommuctl status
	like "$OUT" "Initramfs +$img carries the declared state \(built after its last change\)" \
		"status: the image is current"
	# An entry changed after the image was built (only its time: the
	# image stays right for boot 2).
	sleep 1
	touch $conf
	run vfio-noiommuctl status
	like "$OUT" "Initramfs +$img is older than $conf: .*run 'update-initramfs -u'" \
		"status: an entry changed since, named with the command"
	if to_persist "$img" initrd.img; then
		pass "the image is left on /persist for the next boot"
	else
		fail "the image is left on /persist for the next boot"
	fi
	sync
}

boot2() {
	# run-vm adds root= only when it boots the guest's image (the test
	# initramfs reads vmtest.root=).
	like " $(cat /proc/cmdline) " " root=LABEL=vmroot " "boot 2: the guest's image mounted the root"
	is "$(grep -c '^e1000e ' /proc/modules)" 1 \
		"e1000e was loaded (by the initramfs: the root's udev rule never loads it)"
	is "$(pci_driver $nic)" vfio-pci "the e1000e is on vfio-pci"
	is "$(dmesg | grep -c "e1000e $nic")" 0 "e1000e never probed $nic (no kernel log line for it)"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "no netdev appeared"
	ok "[ ! -e /run/vfio-noiommuctl/journal/$nic ]" "the rule bound it, not apply (no journal record)"
	is "$(systemctl is-active $unit)" active "$unit is active"
	run vfio-noiommuctl status
	like "$OUT" "Last apply .*exit status 0: 1 declared devices found, 0 bound" \
		"status: the unit found the device in place"
	diag "$(dmesg | grep -iE 'vfio|e1000e' | head -n 20)"
}

case $(vm_boot) in
1) boot1 ;;
2) boot2 ;;
esac

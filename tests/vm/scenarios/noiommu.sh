# noiommu: show, on and off with vfio not loaded, loaded, and built in;
# the value read back; bind refused while off and working once on; off
# leaving bound devices listed; off --unbind; --root; bad input.
#
# targets: both builtin stock compat lts-6.1
# timeout: 600

target=$(vm_target)
param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
EDU=0000:00:03.0
NIC=0000:00:02.0

if [ "$target" = stock ]; then
	exit_is 3 "stock: noiommu on exits 3" -- vfio-noiommuctl noiommu on
	like "$OUT" "CONFIG_VFIO_NOIOMMU" "stock: it names CONFIG_VFIO_NOIOMMU"
	exit_is 3 "stock: noiommu off exits 3" -- vfio-noiommuctl noiommu off
	exit_is 0 "stock: noiommu show works" -- vfio-noiommuctl noiommu
	like "$OUT" "not available: this kernel was built without CONFIG_VFIO_NOIOMMU" \
		"stock: show says so"
	exit_is 3 "stock: --persist exits 3 too" -- vfio-noiommuctl noiommu on --persist
	ok '[ ! -e /etc/modprobe.d/vfio-noiommu.conf ]' "stock: nothing persisted"
	exit 0
fi

# --- vfio not loaded (or built in) -------------------------------------------------
run vfio-noiommuctl noiommu
if [ "$target" = builtin ]; then
	like "$OUT" "Mode +off \\(enable_unsafe_noiommu_mode=N\\)" "built in: the mode is off"
else
	like "$OUT" "Mode +off \\(vfio is not loaded\\)" "not loaded: off"
fi
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
like "$OUT" "enable_unsafe_noiommu_mode +N -> Y" "on says N -> Y"
like "$ERR" "devices bound from now on get no DMA isolation" "on warns about DMA isolation"
like "$OUT" "devices already bound keep the mode" "on says bound devices keep their mode"
is "$(cat $param)" Y "the parameter reads Y"
exit_is 0 "on again" -- vfio-noiommuctl noiommu on
like "$OUT" "already enabled" "on again: already enabled"
exit_is 0 "noiommu off" -- vfio-noiommuctl noiommu off
is "$(cat $param)" N "the parameter reads N"
exit_is 0 "off again" -- vfio-noiommuctl noiommu off
like "$OUT" "already disabled" "off again: already disabled"

if [ "$target" = builtin ]; then
	# Nothing is persisted: exit 3, never 0, naming what to add where.
	exit_is 3 "built in: on --persist exits 3" -- vfio-noiommuctl noiommu on --persist
	like "$ERR" "vfio is built into this kernel, so modprobe.d does not apply: add vfio.enable_unsafe_noiommu_mode=1 to the kernel command line" \
		"built in: it names the command-line addition"
	ok '[ ! -e /etc/modprobe.d/vfio-noiommu.conf ]' "built in: no modprobe.d file"
	is "$(cat $param)" N "built in: nothing was changed"
	run vfio-noiommuctl noiommu on --persist --json
	like "$OUT" '"how": "cmdline"' "built in: --json says the command line is the way"
	# With GRUB configured, the drop-in: grub-mkconfig sources
	# /etc/default/grub, then grub.d/*.cfg, and puts GRUB_CMDLINE_LINUX
	# on the kernel's line; sourcing them the same way gives that line.
	mkdir -p /etc/default
	printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' >/etc/default/grub
	exit_is 0 "built in, GRUB: on --persist" -- vfio-noiommuctl noiommu on --persist
	like "$OUT" "run 'update-grub', then reboot" "it says what to run"
	grub_line=$(sh -c '. /etc/default/grub; for f in /etc/default/grub.d/*.cfg; do . "$f"; done; echo "$GRUB_CMDLINE_LINUX"')
	is "$grub_line" "console=ttyS0 vfio.enable_unsafe_noiommu_mode=1" "the generated command line has the word"
	is "$(cat $param)" Y "and on now"
	run vfio-noiommuctl status
	like "$OUT" "Next boot +on \(/etc/default/grub.d/vfio-noiommuctl.cfg\); this boot started off: not yet booted" \
		"status: persisted, not yet booted"
	exit_is 0 "built in, GRUB: off --persist" -- vfio-noiommuctl noiommu off --persist
	ok '[ ! -e /etc/default/grub.d/vfio-noiommuctl.cfg ]' "off --persist removed the drop-in"
	is "$(cat $param)" N "and off now"
	rm -f /etc/default/grub
	exit 0
fi

# --- loaded without the mode -----------------------------------------------------------
if [ "$target" = both ] || [ "$target" = lts-6.1 ]; then
	rmmod vfio_pci vfio_pci_core vfio_iommu_type1 vfio iommufd 2>/dev/null
	# Not loaded and no options anywhere: vfio would load with N.
	exit_is 3 "vfio unloaded: bind plans with the default N" -- \
		vfio-noiommuctl bind --dry-run $EDU
	like "$ERR$OUT" "no-IOMMU mode is off" "unloaded: says the mode will be off"
	modprobe vfio
	is "$(cat $param)" N "vfio loaded plainly: N"
	exit_is 0 "on with vfio loaded" -- vfio-noiommuctl noiommu on
	is "$(cat $param)" Y "written: Y"
	echo 0 >$param
fi

# --- with a device ---------------------------------------------------------------------
modprobe vfio-pci
exit_is 3 "mode off: binding edu fails up front" -- vfio-noiommuctl bind $EDU
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "now edu binds" -- vfio-noiommuctl bind $EDU
if [ "$target" = lts-6.1 ]; then
	like "$OUT" "/dev/vfio/noiommu-[0-9]" "with a no-IOMMU group node (no cdevs before 6.6)"
	paths=group
else
	like "$OUT" "/dev/vfio/devices/noiommu-vfio" "with a no-IOMMU cdev"
	paths="group and cdev"
fi
exit_is 0 "and e1000e" -- vfio-noiommuctl bind --force $NIC
run vfio-noiommuctl noiommu --pairs
is "$(pair PARAMETER)" Y "show: Y"
exit_is 0 "noiommu off with devices bound" -- vfio-noiommuctl noiommu off
like "$ERR" "still bound no-IOMMU devices keep working" "off explains what still works"
like "$OUT" "$EDU \\($paths\\)" "off lists edu ($paths)"
like "$OUT" "noiommu off --unbind" "off suggests --unbind"
is "$(pci_driver $EDU)" vfio-pci "edu stays bound"
if [ "$target" = lts-6.1 ]; then
	# No iommufd before 6.2: the legacy container is the only way in, and
	# it refuses no-IOMMU while the mode is off (doc/kernel.md §2.3).
	like "$ERR" "without iommufd its only path is the legacy group and container" \
		"off says a reopen fails on this kernel"
	exit_is 1 "smoke-test now fails: the container refuses no-IOMMU" -- \
		vfio-noiommuctl smoke-test $EDU
	like "$OUT" "VFIO_CHECK_EXTENSION\\(NOIOMMU\\) +FAIL .*only while enable_unsafe_noiommu_mode is Y" \
		"the failing step is the container's no-IOMMU extension, with the reason"
else
	exit_is 0 "smoke-test still passes on the cdev" -- vfio-noiommuctl smoke-test $EDU
fi
run vfio-noiommuctl noiommu --pairs
is "$(pair DEVICES_0_REBIND_FAILS)" yes "show: rebinding would fail while off"
exit_is 0 "on, then off --unbind" -- vfio-noiommuctl noiommu on
exit_is 0 "off --unbind" -- vfio-noiommuctl noiommu off --unbind
is "$(pci_driver $EDU) $(pci_driver $NIC)" " e1000e" "edu and e1000e are back where they were"
is "$(cat $param)" N "and the mode is N"
like "$OUT" "the taint \\(U\\) stays until reboot" "it says the taint stays"

# --- --root writes only under DIR -------------------------------------------------------
mkdir -p /tmp/image/etc
exit_is 0 "on --root DIR" -- vfio-noiommuctl noiommu on --root /tmp/image
like "$(cat /tmp/image/etc/modprobe.d/vfio-noiommu.conf)" "options vfio enable_unsafe_noiommu_mode=1" \
	"the image's file has the options line"
ok '[ ! -e /etc/modprobe.d/vfio-noiommu.conf ]' "the host's /etc is untouched"
is "$(cat $param)" N "the running mode is untouched"
exit_is 0 "off --root DIR" -- vfio-noiommuctl noiommu off --root /tmp/image
ok '[ ! -e /tmp/image/etc/modprobe.d/vfio-noiommu.conf ]' "off --root removes it"

# --- bad input -----------------------------------------------------------------------
exit_is 2 "noiommu maybe" -- vfio-noiommuctl noiommu maybe
exit_is 2 "--root to a missing directory" -- vfio-noiommuctl noiommu on --root /tmp/missing
is "$(cat $param)" N "bad input changed nothing"
ok '[ ! -e /etc/modprobe.d/vfio-noiommu.conf ]' "and wrote nothing"

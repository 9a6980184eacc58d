# Boot integration (vfio-noiommuctl(8), BOOT) on real boots of the Debian
# root with its systemd as PID 1 and its udevd: the rule, the unit, and a
# DPDK client ordered after the unit.
# Boot 1: noiommu on --persist, bind --persist the e1000e (declared by
#   its serial number); install the rule, the unit and the client as a
#   package would, and enable both units.
# Boot 2 (the same disk): e1000e never bound the device (no probe line
#   for its address, no netdev), the rule steered it (its udev property,
#   no journal record: apply had nothing to do), and the client unit,
#   started after ours, found it on vfio-pci (its group node owned by the
#   declared owner) and ran dpdk-testpmd, as that user with
#   CAP_SYS_RAWIO, CAP_IPC_LOCK and CAP_SYS_ADMIN only (it fails without
#   the last: /proc/self/pagemap hides physical addresses), in
#   txonly mode through the no-IOMMU group with nonzero TX. e1000e's
#   module was never loaded (the rule cleared MODALIAS), so a declared
#   e1000e hot-plugged through QEMU's monitor is steered by the rule too:
#   on vfio-pci, no netdev, no probe line; unbind --persist gives it back
#   to e1000e, loading the module by its modalias. Then declare a device
#   that does not exist.
# Boot 3: the unit fails naming it, and the client does not start.
#
# targets: both
# init: systemd
# boots: 3
# timeout: 600

nic=0000:00:02.0
# An e1000e device_add'ed into the empty root port (00:05.0, bus 01).
hp=0000:01:00.0
hp_serial=52-54-00-ff-ff-12-34-57
hp_conf=/etc/vfio-noiommuctl/50-serial-$hp_serial.conf
serial=52-54-00-ff-ff-12-34-56
unit=vfio-noiommuctl.service

boot1() {
	is "$(pci_driver $nic)" e1000e "boot 1: the e1000e on its host driver"
	exit_is 0 "noiommu on --persist" -- vfio-noiommuctl noiommu on --persist
	exit_is 0 "bind --persist the e1000e" -- vfio-noiommuctl bind --persist $nic
	ok "[ -f /etc/vfio-noiommuctl/50-serial-$serial.conf ]" "declared by its serial number"
	# Its nodes belong to the DPDK service's user: a later file's entry
	# for the same device replaces bind's whole (vfio-noiommuctl.conf(5)).
	useradd --system --no-create-home --shell /usr/sbin/nologin dpdk
	printf '[device]\nmatch = serial %s\nid = 8086:10d3\nowner = dpdk\ngroup = dpdk\nmode = 0660\n' \
		$serial >/etc/vfio-noiommuctl/60-dpdk.conf
	run vfio-noiommuctl udev-match $nic
	like "$OUT" "^VFIO_NOIOMMUCTL_DECLARED=1$" "udev-match: declared"
	install -m 0644 /vmtest/boot/61-vfio-noiommuctl.rules /usr/lib/udev/rules.d/
	install -m 0644 /vmtest/boot/$unit /vmtest/boot/vmtest-client.service /etc/systemd/system/
	systemctl daemon-reload
	run_ok "enable the unit and the client" -- systemctl enable $unit vmtest-client.service
	sync
}

boot2() {
	is "$(systemctl is-active $unit)" active "$unit is active"
	is "$(pci_driver $nic)" vfio-pci "the e1000e is on vfio-pci"
	is "$(dmesg | grep -c "e1000e $nic")" 0 "e1000e never probed $nic (no kernel log line for it)"
	diag "e1000e module loaded: $(grep -c '^e1000e ' /proc/modules)"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "no netdev appeared"
	like "$(udevadm info -q property /sys/bus/pci/devices/$nic)" \
		"VFIO_NOIOMMUCTL_DECLARED=1" "the rule asked udev-match at the add event"
	ok "[ ! -e /run/vfio-noiommuctl/journal/$nic ]" "the rule bound it, not apply (no journal record)"
	diag "$(journalctl -b -o cat -u $unit 2>&1 | tail -n 20)"
	# The unit's apply --record, as status shows it: found, nothing
	# left for apply to bind, nothing missing or refused.
	run vfio-noiommuctl status
	like "$OUT" "Last apply +[0-9-]+ [0-9:]+ UTC, exit status 0: 1 declared devices found, 0 bound, [0-9]+ nodes owned; missing: none; refused: none" \
		"status: the unit's run found the device in place"
	run vfio-noiommuctl status --json
	like "$(echo "$OUT" | tr -d ' \n')" '"last_apply":\{"time":[0-9]+,"exit_status":0,"found":\["'$nic'"\],"bound":\[\]' \
		"status --json: last_apply"
	# The unit's own time, from systemd's timestamps (systemd-analyze
	# blame waits for the boot to finish, which this scenario is part of).
	_start=$(systemctl show -P InactiveExitTimestampMonotonic $unit)
	_end=$(systemctl show -P ActiveEnterTimestampMonotonic $unit)
	diag "unit time: $(((_end - _start) / 1000)) ms (inactive-exit to active-enter)"
	log=/var/log/vmtest-client.log
	# The client runs beside this scenario's unit: wait for it to end.
	_i=0
	while ! grep -qE '^testpmd (exit|absent)' $log 2>/dev/null && [ $_i -lt 900 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "client: $(systemctl is-active vmtest-client.service), $(systemctl show -P ExecMainStatus vmtest-client.service)"
	diag "$(cat $log 2>&1 | grep -v '^ *$' | tail -n 40)"
	like "$(cat $log)" "^driver vfio-pci$" "the client, after $unit, found the device on vfio-pci"
	like "$(cat $log)" "^noiommu Y$" "and no-IOMMU mode on"
	group=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
	like "$(cat $log)" "^node /dev/vfio/noiommu-$group dpdk:dpdk 660$" \
		"and its group node owned as declared (dpdk:dpdk 0660)"
	# CapEff: CAP_IPC_LOCK (14), CAP_SYS_RAWIO (17), CAP_SYS_ADMIN (21).
	like "$(cat $log)" "^user dpdk caps 0000000000224000$" \
		"testpmd ran as the declared owner with three capabilities"
	# Without CAP_SYS_ADMIN DPDK 22.11's EAL finds no physical address,
	# falls back to IOVA as VA, and refuses the no-IOMMU device.
	without=$(sed -n '/^--- without/,/^--- with it/p' $log)
	diag "$(echo "$without" | grep 'EAL:')"
	like "$without" "Physical addresses are unavailable" \
		"without CAP_SYS_ADMIN: no physical addresses"
	like "$without" "Requested device $nic cannot be used" \
		"without CAP_SYS_ADMIN: testpmd cannot use the device"
	ok "[ \"\$(systemctl show -P ExecMainStartTimestampMonotonic vmtest-client.service)\" -ge \"\$(systemctl show -P ActiveEnterTimestampMonotonic $unit)\" ]" \
		"the client started after $unit was active"
	tx=$(sed -n 's/.*TX-packets: *\([0-9][0-9]*\).*/\1/p' $log | sort -n | tail -n1)
	ok "[ \"${tx:-0}\" -gt 0 ]" "dpdk-testpmd sent packets (TX-packets ${tx:-none})"
	like "$(cat $log)" "Bye" "dpdk-testpmd exited cleanly"
	diag "systemd-analyze blame: $(systemd-analyze blame 2>/dev/null | grep -E "$unit|vmtest-client" | tr -s ' ')"
	diag "systemd-analyze: $(systemd-analyze 2>/dev/null | head -n1)"
	hotplug
	printf '[device]\nmatch = bdf 0000:00:09.0\n' >/etc/vfio-noiommuctl/60-gone.conf
	sync
}

hotplug() {
	is "$(grep -c '^e1000e ' /proc/modules)" 0 \
		"e1000e's module was never loaded (the rule cleared MODALIAS)"
	# Declared before it exists, by its serial number (QEMU's e1000e
	# derives it from the MAC address), in the file bind --persist would
	# write: the add event is the first the host sees of it.
	printf '[device]\nmatch = serial %s\n' $hp_serial >$hp_conf
	qmp '{"execute":"device_add","arguments":{"driver":"e1000e","id":"hpnic","bus":"rp-empty","mac":"52:54:00:12:34:57"}}'
	wait_for /sys/bus/pci/devices/$hp 20 || diag "$(ls /sys/bus/pci/devices)"
	settle
	wait_for /sys/bus/pci/devices/$hp/driver 10
	is "$(pci_driver $hp)" vfio-pci "hot-plug: the declared e1000e is on vfio-pci"
	is "$(ls /sys/class/net | tr '\n' ' ')" "lo " "hot-plug: no netdev appeared"
	is "$(dmesg | grep -c "e1000e $hp")" 0 "hot-plug: e1000e never probed $hp"
	like "$(udevadm info -q property /sys/bus/pci/devices/$hp)" \
		"VFIO_NOIOMMUCTL_DECLARED=1" "hot-plug: the rule steered it"
	exit_is 0 "unbind --persist the hot-plugged e1000e" -- vfio-noiommuctl unbind --persist $hp
	diag "$OUT"
	is "$(pci_driver $hp)" e1000e "unbind: back on e1000e, loaded by its modalias"
	ok "[ -d /sys/bus/pci/devices/$hp/net ]" "unbind: its netdev appeared"
	is "$(cat /sys/bus/pci/devices/$hp/driver_override)" "(null)" "unbind: the rule's override is cleared"
	ok "[ ! -e $hp_conf ]" "unbind --persist removed its entry"
	run vfio-noiommuctl udev-match $hp
	unlike "$OUT" "VFIO_NOIOMMUCTL_DECLARED=1" "unbind --persist: no longer declared"
	is "$(pci_driver $nic)" vfio-pci "the boot-time e1000e stays on vfio-pci"
	rm -f $hp_conf
}

boot3() {
	is "$(systemctl is-active $unit)" failed "a declared device missing: $unit failed"
	run journalctl -b -o cat -u $unit
	like "$OUT" "missing after .*bdf 0000:00:09.0 \(/etc/vfio-noiommuctl/60-gone.conf:1\)" "its log names the missing entry"
	run vfio-noiommuctl status
	like "$OUT" "Last apply .*exit status [1-9][0-9]*: 1 declared devices found, .*missing: bdf 0000:00:09.0 \(/etc/vfio-noiommuctl/60-gone.conf:1\)" \
		"status: the unit's last run names the missing entry"
	isnt "$(systemctl is-active vmtest-client.service)" active "the client did not start"
	is "$(pci_driver $nic)" vfio-pci "the declared e1000e is still on vfio-pci"
}

case $(vm_boot) in
1) boot1 ;;
2) boot2 ;;
3) boot3 ;;
esac

# bind and unbind on a real kernel: e1000e and edu there and back, the
# journal, idempotence, --dry-run, transactions with a failing device,
# the no-IOMMU mode check, every guard, a restore that fails, bad input.
#
# targets: both cdev-only group-only pre-7.3 lts-6.1 compat builtin iommu
# timeout: 600

target=$(vm_target)
EDU=0000:00:03.0
NIC=0000:00:02.0
NVME=0000:00:04.0
PORT=0000:00:05.0
dev=/sys/bus/pci/devices

state() { # BDF: driver and override, to prove nothing was written
	echo "$(pci_driver "$1")/$(cat $dev/$1/driver_override)"
}
netdev() { ls $dev/$NIC/net 2>/dev/null | head -n1; }

[ "$target" = iommu ] || noiommu_on
modprobe vfio-pci
if0=$(netdev)
ok '[ -n "$if0" ]' "e1000e has an interface ($if0)"

# --- e1000e there and back ------------------------------------------------------
exit_is 0 "bind e1000e" -- vfio-noiommuctl bind $NIC
is "$(pci_driver $NIC)" vfio-pci "e1000e is on vfio-pci"
is "$(cat $dev/$NIC/driver_override)" vfio-pci "its driver_override stays vfio-pci"
like "$OUT" "^$NIC +e1000e -> vfio-pci +/dev/vfio/" "bind prints the change and the node"
if [ "$target" != iommu ]; then
	like "$ERR" "has no IOMMU: binding it .* taints the kernel \\(U\\)" \
		"bind warns that a no-IOMMU bind taints the kernel"
fi
like "$(journal_of $NIC)" "original_driver=e1000e" "the journal records e1000e"
like "$(journal_of $NIC)" "step=bound" "the journal says bound"
# The journal is readable by all: an unprivileged user sees the record.
run su -s /bin/sh tester -c "vfio-noiommuctl list -o BDF,JOURNAL,ORIG_DRIVER"
is "$RC" 0 "list as a user exits 0 with a journal record"
like "$OUT" "$NIC +bound +e1000e" "a user's list shows the record"
run su -s /bin/sh tester -c "vfio-noiommuctl status"
is "$RC" 0 "status as a user exits 0"
like "$OUT" "Journal +1 device" "a user's status counts the record"
exit_is 0 "bind e1000e again: nothing to do" -- vfio-noiommuctl bind $NIC
like "$OUT" "already on vfio-pci: nothing to do" "already bound says nothing to do"
exit_is 0 "unbind e1000e" -- vfio-noiommuctl unbind $NIC
is "$(pci_driver $NIC)" e1000e "e1000e is back on e1000e"
is "$(cat $dev/$NIC/driver_override)" "(null)" "its driver_override is cleared"
ok '[ -n "$(netdev)" ]' "its interface is visible again ($(netdev))"
like "$OUT" "vfio-pci -> e1000e .*recorded at bind.* $(netdev) is back" \
	"unbind names the interface that came back"
ok '[ -z "$(journal_of $NIC)" ]' "the journal record is gone"
exit_is 0 "unbind e1000e again: nothing to do" -- vfio-noiommuctl unbind $NIC
like "$OUT" "not on a VFIO driver \\(e1000e\\): nothing to do" "unbind of a host-bound device does nothing"

# --- edu: back to no driver ---------------------------------------------------------
exit_is 0 "bind edu by ID" -- vfio-noiommuctl bind 1234:11e8 --group
is "$(pci_driver $EDU)" vfio-pci "edu is on vfio-pci"
exit_is 0 "unbind edu and the edus behind the bridge" -- \
	vfio-noiommuctl unbind $EDU 0000:03:01.0 0000:03:02.0
is "$(pci_driver $EDU)" "" "edu is back to no driver"
is "$(cat $dev/$EDU/driver_override)" "(null)" "edu's override is cleared"

# --- --dry-run writes nothing ------------------------------------------------------
before="$(state $NIC) $(state $EDU)"
exit_is 0 "bind --dry-run" -- vfio-noiommuctl bind --dry-run --force $NIC $EDU
like "$OUT" "write +/sys/bus/pci/devices/$NIC/driver_override +<- vfio-pci" "the plan lists the override write"
like "$OUT" "write +/sys/bus/pci/drivers/e1000e/unbind +<- $NIC" "the plan lists the unbind write"
like "$OUT" "nothing was written \\(--dry-run\\)" "the plan says nothing was written"
is "$(state $NIC) $(state $EDU)" "$before" "sysfs is unchanged after --dry-run"
ok '[ ! -e /run/vfio-noiommuctl/journal/$NIC ]' "--dry-run writes no journal"

# --- one transaction, one device fails --------------------------------------------
# The failure is injected (VFIO_NOIOMMUCTL_TEST_FAIL), so only a test build
# can show it.
if [ "$(vm_hooks)" = yes ]; then
	VFIO_NOIOMMUCTL_TEST_FAIL=bind:$EDU exit_is 1 "bind two devices, one fails: exit 1" -- \
		vfio-noiommuctl bind $NIC $EDU
	like "$ERR" "bind $EDU: bind to vfio-pci failed" "the failing device is named"
	like "$OUT" "$NIC +rolled back to e1000e: another device failed" "the other is rolled back"
	is "$(pci_driver $NIC) $(pci_driver $EDU)" "e1000e " "both are back where they were"
	ok '[ -n "$(netdev)" ]' "the interface came back after the roll-back"
	ok '[ ! -e /run/vfio-noiommuctl/journal/$NIC ] && [ ! -e /run/vfio-noiommuctl/journal/$EDU ]' \
		"no journal record is left"
	VFIO_NOIOMMUCTL_TEST_FAIL=bind:$EDU exit_is 5 "--keep-going keeps the success: exit 5" -- \
		vfio-noiommuctl bind --keep-going $NIC $EDU
	is "$(pci_driver $NIC) $(pci_driver $EDU)" "vfio-pci " "e1000e stays bound, edu is back"
	exit_is 0 "unbind it" -- vfio-noiommuctl unbind $NIC
else
	skip "failure injection needs a build with -Dtest_hooks=true" 9
fi

# --- a restore that fails stays on vfio-pci with its journal ------------------------
exit_is 0 "bind e1000e" -- vfio-noiommuctl bind $NIC
exit_is 1 "unbind to a driver that refuses it: exit 1" -- \
	vfio-noiommuctl unbind --driver nvme $NIC
is "$(pci_driver $NIC)" vfio-pci "the device stays on vfio-pci, not driverless"
like "$(journal_of $NIC)" "original_driver=e1000e" "the journal still has the original driver"
if [ "$(vm_hooks)" = yes ]; then
	VFIO_NOIOMMUCTL_TEST_FAIL=restore:$NIC exit_is 1 "a restore failing at the bind: exit 1" -- \
		vfio-noiommuctl unbind $NIC
	is "$(pci_driver $NIC)" vfio-pci "back on vfio-pci after the failed restore"
else
	skip "failure injection needs a build with -Dtest_hooks=true" 2
fi
exit_is 0 "a plain unbind then restores it" -- vfio-noiommuctl unbind $NIC
is "$(pci_driver $NIC)" e1000e "e1000e is back"

# --- no-IOMMU mode off: refused up front, nothing written -----------------------------
if [ "$target" != iommu ]; then
	echo 0 >/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	before=$(state $EDU)
	exit_is 3 "no-IOMMU mode off: bind exits 3" -- vfio-noiommuctl bind $EDU
	like "$ERR" "no-IOMMU mode is off" "the reason is given"
	like "$ERR" "vfio-noiommuctl noiommu on" "with the command that helps"
	is "$(state $EDU)" "$before" "nothing was written"
	noiommu_on
fi

# --- guards --------------------------------------------------------------------------
ifn=$(netdev)
ip link set "$ifn" up
ip addr add 10.0.2.15/24 dev "$ifn"
before=$(state $NIC)
exit_is 4 "an interface with an address: refused" -- vfio-noiommuctl bind $NIC
like "$ERR" "interface $ifn is up with 10.0.2.15/24" "the interface and its address are named"
is "$(state $NIC)" "$before" "nothing was written"
exit_is 0 "--dry-run --force shows the guard forced" -- vfio-noiommuctl bind --dry-run --force $NIC
like "$OUT" "guard +network +forced: interface $ifn" "the plan shows the forced guard"
# An SSH session arriving on that address, found from the sockets of the
# sshd this command runs under (not from $SSH_*, which sudo clears).
sshd env -u SSH_CONNECTION vfio-noiommuctl bind $NIC >/tmp/ssh.out 2>/tmp/ssh.err &
sshd_pid=$!
sleep 0.5
sleep 30 | nc 10.0.2.15 22 >/dev/null &
wait $sshd_pid
is "$?" 4 "run over an SSH session through that interface: refused"
like "$(cat /tmp/ssh.err)" "and this SSH session \(from 10.0.2.15\) arrives through it" \
	"the SSH session is named, found from its sshd's socket"
pkill -f "nc 10.0.2.15 22" 2>/dev/null
# Someone else's session is not ours.
sshd &
sshd_pid=$!
sleep 0.5
sleep 30 | nc 10.0.2.15 22 >/dev/null &
sleep 1
exit_is 4 "another user's SSH session: still refused for the address" -- vfio-noiommuctl bind $NIC
unlike "$ERR" "SSH session" "but that session is not called this one"
kill $sshd_pid 2>/dev/null
pkill -f "nc 10.0.2.15 22" 2>/dev/null
wait $sshd_pid 2>/dev/null
ip addr flush dev "$ifn"

modprobe bonding
ip link add bond0 type bond
ip link set "$ifn" down
ip link set "$ifn" master bond0
ip link set bond0 up
ip addr add 10.0.3.1/24 dev bond0
exit_is 4 "a bond slave with the address on the bond: refused" -- vfio-noiommuctl bind $NIC
like "$ERR" "bond0 is stacked on $ifn and is up with 10.0.3.1/24" "the bond and its address are named"
ip link set "$ifn" nomaster
ip link del bond0

ns=$(ls /dev/nvme*n1 | head -n1)
mkdir -p /mnt/nvme
mount "$ns" /mnt/nvme
exit_is 4 "a mounted NVMe namespace (multipath): refused" -- vfio-noiommuctl bind $NVME
like "$ERR" "$ns is mounted on /mnt/nvme" "the namespace and mount point are named"
umount /mnt/nvme
exit_is 0 "unmounted: the plan passes" -- vfio-noiommuctl bind --dry-run $NVME

exit_is 4 "a bridge: refused even with --force" -- vfio-noiommuctl bind --force $PORT
like "$ERR" "it is a bridge" "the bridge guard says why"
echo 0 >$dev/0000:04:00.0/sriov_drivers_autoprobe
echo 2 >$dev/0000:04:00.0/sriov_numvfs
exit_is 4 "a PF with VFs enabled: refused" -- vfio-noiommuctl bind --force 0000:04:00.0
like "$ERR" "SR-IOV PF with 2 VFs enabled" "the VF count is named"
echo 0 >$dev/0000:04:00.0/sriov_numvfs

# --- a process holding the device -------------------------------------------------------
exit_is 0 "bind edu" -- vfio-noiommuctl bind $EDU
node=$(vfio_node $EDU)
hold "$node"
exit_is 4 "unbind while a process holds it: refused" -- vfio-noiommuctl unbind $EDU
like "$ERR" "sleep\\[$HOLDER\\] \\(fd on $node\\) holds it" "the holder is named by PID and command"
is "$(pci_driver $EDU)" vfio-pci "the device was not touched"
release
case $node in
/dev/vfio/devices/*)
	hold_bar "$node"
	exit_is 4 "unbind while a BAR stays mapped after close: refused" -- \
		vfio-noiommuctl unbind $EDU
	like "$ERR" "edu-dma\\[$HOLDER\\] \\(mapping of $node\\) holds it" \
		"the mapping's process is named"
	release
	;;
/dev/vfio/noiommu-*)
	# The legacy path leaves an anonymous [vfio-device] fd once the group
	# is closed; fdinfo names its device in 7.3, not in 6.12 or 6.1
	# (doc/kernel.md §7), and a mapping never does.
	anon='anon_inode:\[vfio-device\]'
	hold_fd "$node"
	exit_is 4 "unbind while a device fd from the group stays open: refused" -- \
		vfio-noiommuctl unbind $EDU
	case $target in
	pre-7.3 | lts-6.1)
		like "$ERR" "edu-dma\\[$HOLDER\\] \\(fd on $anon, maybe this device\\) may hold it" \
			"the fd's process is named; the kernel does not say which device" ;;
	*)
		like "$ERR" "edu-dma\\[$HOLDER\\] \\(fd on $anon\\) holds it" \
			"the fd's process is named, its device from fdinfo" ;;
	esac
	release
	hold_bar "$node"
	exit_is 4 "unbind while a BAR from the group path stays mapped: refused" -- \
		vfio-noiommuctl unbind $EDU
	like "$ERR" "edu-dma\\[$HOLDER\\] \\(mapping of $anon, maybe this device\\) may hold it" \
		"the mapping's process is named"
	release
	;;
esac
exit_is 0 "unbind once released" -- vfio-noiommuctl unbind $EDU
is "$(pci_driver $EDU)" "" "edu has no driver again"

# --- bad input: exit 2, nothing written ---------------------------------------------
before="$(state $NIC) $(state $EDU)"
exit_is 2 "malformed BDF" -- vfio-noiommuctl bind 00:03
exit_is 2 "missing device" -- vfio-noiommuctl bind 0000:00:1e.0
# The same function named twice (by address and by ID) is one device
# (issue 11); a dry run writes nothing.
exit_is 0 "the same function given twice is one device" -- \
	vfio-noiommuctl bind --dry-run $EDU ${EDU#0000:}
exit_is 2 "no device" -- vfio-noiommuctl unbind
exit_is 2 "a path" -- vfio-noiommuctl unbind /sys/bus/pci/devices/$EDU
is "$(state $NIC) $(state $EDU)" "$before" "bad input wrote nothing"

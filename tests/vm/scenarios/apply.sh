# apply: the declared state converges the host, once. The e1000e declared
# by its PCI Device Serial Number, the edu by its topological path with
# an owner (tester) and a mode; apply --dry-run says "would change"
# (exit 7) and changes nothing; apply binds both and sets the owner;
# a second apply changes nothing; tester, with only CAP_SYS_RAWIO
# (setpriv, as a DPDK unit's AmbientCapabilities would give it), opens
# the owned group node and maps the device's BAR, and fails without the
# capability; its smoke-test refuses (it cannot see root's processes)
# while root's passes; a BDF entry whose IDs are not the device's there (what a
# card moved to another slot leaves behind) is refused with its reason
# while the others converge; removing the declarations and apply --prune
# give every device back. Boot 2, with the e1000e moved from slot 02.0 to
# 08.0: apply finds it by its serial number at the new address, while an
# entry naming only the old address is refused by file and address.
#
# targets: both pre-7.3 group-only
# timeout: 400
# boots: 2
# move-nic: 08.0

NIC=0000:00:02.0
EDU=0000:00:03.0
NVME=0000:00:04.0
MOVED=0000:00:08.0
# The declared state lives on the disk that survives the reboot.
STATE=/etc/vfio-noiommuctl
mkdir -p /persist/vfio-noiommuctl
rm -rf $STATE
ln -s /persist/vfio-noiommuctl $STATE

if [ "$(vm_boot)" = 2 ]; then
	noiommu_on
	ok '[ -e /sys/bus/pci/devices/$MOVED ] && [ ! -e /sys/bus/pci/devices/$NIC ]' "the e1000e moved to $MOVED"
	exit_is 5 "apply: the old address's entry is refused, exit 5" -- vfio-noiommuctl apply
	diag "$OUT$ERR"
	is "$(pci_driver $MOVED)" vfio-pci "the serial entry found the e1000e at its new address"
	like "$OUT$ERR" "70-old-slot.conf" "the refusal names the file"
	like "$OUT$ERR" "$NIC" "and the old address"
	exit_is 0 "unbind the moved e1000e" -- vfio-noiommuctl unbind $MOVED
	rm -rf /persist/vfio-noiommuctl/*
	exit 0
fi

cat >$STATE/50-test.conf <<EOF
[noiommu]
mode = on

[device]
match = serial 52-54-00-ff-ff-12-34-56
id = 8086:10d3

[device]
match = path 0000:00:03.0
id = 1234:11e8
owner = tester
mode = 0660
EOF

exit_is 7 "apply --dry-run: would change, exit 7" -- vfio-noiommuctl apply --dry-run
diag "$OUT"
is "$(pci_driver $NIC) $(pci_driver $EDU)" "e1000e " "the dry run changed no driver"

exit_is 0 "apply binds both" -- vfio-noiommuctl apply --json
diag "$OUT$ERR"
jhas '"changed": true' && pass "the document says changed" || fail "the document says changed"
is "$(pci_driver $NIC) $(pci_driver $EDU)" "vfio-pci vfio-pci" "both are on vfio-pci"
is "$(noiommu_param)" Y "no-IOMMU mode is on, as declared"
node=$(vfio-noiommuctl list --noheadings -o GROUP $EDU)
diag "edu's group node: $node"
ok '[ -c "$node" ]' "the edu's group node exists"
is "$(stat -c '%U %a' "$node")" "tester 660" "the edu's group node is tester's, mode 0660"

exit_is 0 "apply again" -- vfio-noiommuctl apply --json
jhas '"changed": false' && pass "the second run changed nothing" || fail "the second run changed nothing"
jhas '"changed": true' && fail "no device changed the second time" || pass "no device changed the second time"
exit_is 0 "apply --dry-run now: nothing to do, exit 0" -- vfio-noiommuctl apply --dry-run

# A DPDK process as its own user: the node's owner, plus CAP_SYS_RAWIO,
# which the kernel asks for every no-IOMMU open whatever the file mode
# (drivers/vfio/group.c, vfio_group_fops_open()). The group path: the
# cdev smoke-test also compares pagemap entries, which needs CAP_SYS_ADMIN.
rawio() {
	/usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
		--inh-caps=+sys_rawio --ambient-caps=+sys_rawio "$@"
}
tester() { /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }
run rawio grep CapEff /proc/self/status
diag "tester with CAP_SYS_RAWIO: $OUT"
# A real client as tester: opens the group the legacy way, gets the
# device fd and maps BAR0 (edu-dma --hold-bar), then waits to be killed.
# exec: $client is edu-dma itself (setpriv execs it), so that the kill
# below ends it.
(exec /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
	--inh-caps=+sys_rawio --ambient-caps=+sys_rawio \
	/usr/bin/edu-dma --hold-bar "$node") &
client=$!
_i=0
while ! grep -q vfio /proc/$client/maps 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
ok 'grep -q vfio /proc/$client/maps 2>/dev/null' "tester with CAP_SYS_RAWIO opened its node and mapped BAR0"
diag "$(grep vfio /proc/$client/maps 2>/dev/null)"
kill $client 2>/dev/null
wait $client 2>/dev/null
exit_is 1 "tester without it: the client fails" -- tester /usr/bin/edu-dma --hold-bar "$node"
diag "$OUT$ERR"
# smoke-test resets the device, so it must see every process that might
# map it; tester cannot look into root's processes: refused (exit 4),
# saying so, never run blind. Past the root-only lock since 26fcd7f.
exit_is 4 "tester with CAP_SYS_RAWIO: smoke-test refuses, blind to other users' processes" -- \
	rawio vfio-noiommuctl smoke-test --path group $EDU
like "$ERR" "could not be inspected for holders" "it says why"
exit_is 1 "tester without it: smoke-test fails" -- \
	tester vfio-noiommuctl smoke-test --path group $EDU
like "$ERR" "CAP_SYS_RAWIO" "the message names CAP_SYS_RAWIO"
exit_is 0 "root smoke-tests the owned node" -- vfio-noiommuctl smoke-test --path group $EDU
is "$(pci_driver $EDU)" vfio-pci "the edu is still on vfio-pci"

# A BDF entry for a device that is not the one it was written for.
cat >$STATE/60-moved.conf <<EOF
[device]
match = bdf $NVME
id = 8086:10d3
EOF
exit_is 5 "a BDF entry with other IDs: refused, exit 5" -- vfio-noiommuctl apply
diag "$OUT$ERR"
like "$OUT$ERR" "60-moved.conf" "the refusal names the file"
like "$OUT$ERR" "$NVME" "and the device"
is "$(pci_driver $NVME)" nvme "the NVMe was not touched"
rm -f $STATE/60-moved.conf

rm -f $STATE/50-test.conf
exit_is 0 "apply --prune with nothing declared" -- vfio-noiommuctl apply --prune
diag "$OUT$ERR"
is "$(pci_driver $NIC) $(pci_driver $EDU)" "e1000e " "every device is back on its driver"
is "$(ls /run/vfio-noiommuctl/journal 2>/dev/null)" "" "no journal record is left"

# For boot 2: the e1000e by serial, and an entry naming only its slot.
cat >$STATE/50-nic.conf <<EOF
[device]
match = serial 52-54-00-ff-ff-12-34-56
id = 8086:10d3
EOF
cat >$STATE/70-old-slot.conf <<EOF
[device]
match = bdf $NIC
id = 8086:10d3
EOF
exit_is 7 "both entries name the e1000e in this slot (would bind it)" -- vfio-noiommuctl apply --dry-run
diag "$OUT$ERR"
sync

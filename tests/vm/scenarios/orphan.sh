# A vfio-pci unbind that blocks because a process opened the device after
# the holder check: the tool gives up after --timeout (exit 1, naming the
# child that carries on), writers of other devices are not held up, a
# writer of the same device is (exit 6, naming the child), and once the
# holder lets go the child finishes the restore alone. Pause points exist
# only in test builds.
#
# targets: both
# timeout: 300
# needs: test-hooks

NIC=0000:00:02.0
EDU=0000:00:03.0
noiommu_on
modprobe vfio-pci

exit_is 0 "bind e1000e" -- vfio-noiommuctl bind $NIC
node=$(vfio_node $NIC)
ok '[ -n "$node" ]' "it has a VFIO node ($node)"
rm -f /tmp/pause
VFIO_NOIOMMUCTL_TEST_PAUSE=unbind-checked VFIO_NOIOMMUCTL_TEST_PAUSE_FILE=/tmp/pause \
	VFIO_NOIOMMUCTL_TEST_RESUME=1 vfio-noiommuctl unbind --timeout 2 $NIC \
	>/tmp/orphan.out 2>/tmp/orphan.err &
tool=$!
wait_for /tmp/pause 20
ok 'grep -q "^paused unbind-checked " /tmp/pause' "unbind paused after its holder check"
# Someone opens the device now: the unbind write will block.
hold "$node"
kill -USR1 "$tool"
wait "$tool"
is "$?" 1 "the blocked unbind gives up after --timeout: exit 1"
like "$(cat /tmp/orphan.err)" "unbind is blocked: something holds the device; process [0-9]+ finishes" \
	"it says a child finishes the work"
child=$(sed -n 's/.*process \([0-9]*\) finishes.*/\1/p' /tmp/orphan.err)
ok 'kill -0 $child' "the child ($child) is still there, blocked in the unbind"
exit_is 0 "a writer of another device is not held up" -- \
	vfio-noiommuctl bind --lock-timeout 1 $EDU
exit_is 0 "and puts it back" -- vfio-noiommuctl unbind --lock-timeout 1 $EDU
exit_is 6 "a writer of the same device waits for the child, then gives up" -- \
	vfio-noiommuctl unbind --lock-timeout 1 $NIC
like "$ERR" "PID $child" "it names the child"
release
i=0
while [ "$(pci_driver $NIC)" != e1000e ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
is "$(pci_driver $NIC)" e1000e "once released, the child finishes the restore: e1000e"
is "$(cat /sys/bus/pci/devices/$NIC/driver_override)" "(null)" "override cleared"
i=0
while [ -n "$(journal_of $NIC)" ] && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
ok '[ -z "$(journal_of $NIC)" ]' "and removes the journal record"
ok '! kill -0 $child 2>/dev/null' "the child is gone"

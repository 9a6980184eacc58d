# A bind or unbind killed (SIGKILL) at each step leaves a journal that
# status and list notice and that the next unbind completes (a bind killed
# after its last write is completed by the next bind too); two writers
# serialise on the lock, and a waiter that gives up exits 6 naming the
# holder. Pause points exist only in test builds (-Dtest_hooks=true).
#
# targets: both lts-6.1
# timeout: 600
# needs: test-hooks

NIC=0000:00:02.0
EDU=0000:00:03.0
noiommu_on
modprobe vfio-pci

paused() { # STEP CMD...: run CMD paused at STEP, print its PID once there
	_step=$1
	shift
	rm -f /tmp/pause
	VFIO_NOIOMMUCTL_TEST_PAUSE=$_step VFIO_NOIOMMUCTL_TEST_PAUSE_FILE=/tmp/pause \
		"$@" >/tmp/paused.out 2>&1 &
	_i=0
	while ! grep -q "^paused $_step " /tmp/pause 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sed -n "s/^paused $_step //p" /tmp/pause
}

for step in bind-journaled bind-override bind-unbound bind-bound; do
	pid=$(paused $step vfio-noiommuctl bind $NIC)
	ok '[ -n "$pid" ]' "bind paused at $step (pid $pid)"
	kill -9 "$pid"
	sleep 0.5
	like "$(journal_of $NIC)" "original_driver=e1000e" "killed at $step: the journal keeps e1000e"
	run vfio-noiommuctl status
	like "$OUT" "Journal +interrupted run left $NIC between drivers" "killed at $step: status notices"
	run vfio-noiommuctl list --all -o BDF,JOURNAL
	like "$OUT" "$NIC +interrupted:" "killed at $step: list --all shows the device"
	like "$ERR" "$NIC: a bind was interrupted" "killed at $step: list warns about it"
	if [ $step = bind-bound ]; then
		# Killed after its last write: the device is on vfio-pci, only
		# the record lags. Binding again completes it.
		exit_is 0 "killed at $step: bind again" -- vfio-noiommuctl bind $NIC
		like "$OUT$ERR" "journal record is now complete" "killed at $step: bind completes the record"
		like "$(journal_of $NIC)" "step=bound" "killed at $step: the record says bound"
	fi
	exit_is 0 "killed at $step: unbind completes the restore" -- vfio-noiommuctl unbind $NIC
	is "$(pci_driver $NIC)" e1000e "killed at $step: back on e1000e"
	is "$(cat /sys/bus/pci/devices/$NIC/driver_override)" "(null)" "killed at $step: override cleared"
	ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net)" ]' "killed at $step: the interface is back"
	ok '[ -z "$(journal_of $NIC)" ]' "killed at $step: the journal is done"
done

for step in unbind-journaled unbind-released; do
	exit_is 0 "bind e1000e" -- vfio-noiommuctl bind $NIC
	pid=$(paused $step vfio-noiommuctl unbind $NIC)
	ok '[ -n "$pid" ]' "unbind paused at $step (pid $pid)"
	kill -9 "$pid"
	sleep 0.5
	like "$(journal_of $NIC)" "step=restoring" "killed at $step: the journal says restoring"
	exit_is 0 "killed at $step: the next unbind completes it" -- vfio-noiommuctl unbind $NIC
	is "$(pci_driver $NIC)" e1000e "killed at $step: back on e1000e"
done

# --- two devices at once (--jobs 2), killed between phases -------------------------
# Each phase ends for every device before the next begins, and each has
# its own journal record: a kill leaves both recorded, and one unbind,
# itself two at a time, puts both back.
for step in bind-override bind-unbound bind-bound; do
	pid=$(paused $step vfio-noiommuctl bind --jobs 2 $NIC $EDU)
	ok '[ -n "$pid" ]' "--jobs 2: bind of both paused at $step (pid $pid)"
	kill -9 "$pid"
	sleep 0.5
	like "$(journal_of $NIC)" "original_driver=e1000e" "--jobs 2, killed at $step: e1000e's record"
	like "$(journal_of $EDU)" "original_driver=-" "--jobs 2, killed at $step: edu's record (no driver)"
	exit_is 0 "--jobs 2, killed at $step: one unbind completes both" -- \
		vfio-noiommuctl unbind --jobs 2 $NIC $EDU
	is "$(pci_driver $NIC)" e1000e "--jobs 2, killed at $step: e1000e back on e1000e"
	is "$(pci_driver $EDU)" "" "--jobs 2, killed at $step: edu back on no driver"
	ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net)" ]' "--jobs 2, killed at $step: the interface is back"
	ok '[ -z "$(journal_of $NIC)$(journal_of $EDU)" ]' "--jobs 2, killed at $step: both records done"
done

# --- the locks ---------------------------------------------------------------------
# One lock per device: a writer of the same device waits (and gives up
# naming the holder); a writer of another device goes on meanwhile.
pid=$(paused bind-override vfio-noiommuctl bind $NIC)
exit_is 6 "a second writer of the same device gives up after --lock-timeout: exit 6" -- \
	vfio-noiommuctl unbind --lock-timeout 1 $NIC
like "$ERR" "another writer, PID $pid \\(vfio-noiommuct" "it names the holder's PID and command"
like "$ERR" "changing $NIC" "and the device it is changing"
exit_is 0 "a writer of another device is not held up" -- \
	vfio-noiommuctl bind --lock-timeout 1 $EDU
is "$(pci_driver $EDU)" vfio-pci "edu is bound meanwhile"
exit_is 0 "and put back" -- vfio-noiommuctl unbind --lock-timeout 1 $EDU
# noiommu on/off changes the whole host: it waits for every writer.
exit_is 6 "noiommu on waits for the device writer, then gives up: exit 6" -- \
	vfio-noiommuctl noiommu on --lock-timeout 1
vfio-noiommuctl unbind --lock-timeout 60 $NIC >/tmp/second.out 2>&1 &
second=$!
sleep 2
ok 'kill -0 $second' "a second writer of the device with a long --lock-timeout waits"
kill -9 "$pid"
wait $second
is "$?" 0 "once the first is gone, the second finishes its work (unbind)"
is "$(pci_driver $NIC)" e1000e "e1000e is back, restored by the second writer"
is "$(cat /sys/bus/pci/devices/$NIC/driver_override)" "(null)" "override cleared"
ok '[ -z "$(journal_of $NIC)" ]' "no journal record is left"

# Faults a real host throws, each ending with nothing lost (every device
# on its original driver, or on vfio-pci with a journal record that
# restores it): a device hot-removed in the middle of bind and of unbind
# (a surprise removal through sysfs "remove", then "rescan"; and a real
# unplug through QEMU's monitor, device_del, of an e1000e hot-added
# behind a root port, then device_add again); vfio-pci
# missing from the module tree and failing to load; /sys read-only, the
# run directory full, the journal directory not writable. Pause points
# exist only in test builds (-Dtest_hooks=true).
#
# targets: both cdev-only pre-7.3
# timeout: 420
# needs: test-hooks

NIC=0000:00:02.0
EDU=0000:00:03.0
RUNDIR=/run/vfio-noiommuctl
noiommu_on

# nothing_lost WHAT: e1000e on e1000e with its interface, edu on no
# driver, no override left, no journal record.
nothing_lost() {
	is "$(pci_driver $NIC)" e1000e "$1: e1000e is on e1000e"
	ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net 2>/dev/null)" ]' "$1: its interface is there"
	is "$(pci_driver $EDU)" "" "$1: edu is on no driver"
	is "$(cat /sys/bus/pci/devices/$NIC/driver_override) $(cat /sys/bus/pci/devices/$EDU/driver_override)" \
		"(null) (null)" "$1: no driver_override is left"
	is "$(ls $RUNDIR/journal 2>/dev/null)" "" "$1: no journal record"
}

# --- vfio-pci failing to load -------------------------------------------------------
# Before anything loads it. A module that is built in cannot go missing.
mods=/usr/lib/modules/$(uname -r)
ko=$(find $mods -name vfio-pci.ko 2>/dev/null | head -n1)
if [ "$(config_value VFIO_PCI)" = m ] && [ -n "$ko" ]; then
	mv "$ko" /tmp/vfio-pci.ko.away
	depmod
	exit_is 3 "vfio-pci missing from the module tree: bind fails, exit 3" -- vfio-noiommuctl bind $EDU
	like "$ERR" "vfio-pci" "the message names vfio-pci"
	diag "$ERR"
	nothing_lost "vfio-pci missing"
	mv /tmp/vfio-pci.ko.away "$ko"
	depmod

	echo 'options vfio-pci nointxmask=maybe' >/etc/modprobe.d/zz-fault.conf
	exit_is 1 "vfio-pci refusing its parameters: bind fails, exit 1" -- vfio-noiommuctl bind $EDU
	like "$ERR" "vfio-pci" "the message names vfio-pci"
	like "$ERR" "options vfio-pci" "the hint points at the options line"
	diag "$ERR"
	ok '[ ! -d /sys/module/vfio_pci ]' "vfio-pci is not loaded"
	nothing_lost "vfio-pci init fails"

	echo 'install vfio-pci /bin/false' >/etc/modprobe.d/zz-fault.conf
	exit_is 1 "vfio-pci's install command fails: bind fails, exit 1" -- vfio-noiommuctl bind $NIC
	like "$ERR" "vfio-pci" "the message names vfio-pci"
	like "$ERR" "install command .*failed: /bin/false" "it names the install command"
	diag "$ERR"
	nothing_lost "vfio-pci install command fails"
	rm -f /etc/modprobe.d/zz-fault.conf
else
	skip "vfio-pci is built in" 21
fi
modprobe vfio-pci

# --- hot-unplug in the middle of bind and unbind --------------------------------------
# resumed STEP CMD...: run CMD in the background, paused at STEP until
# SIGUSR1; $TOOL is its PID, its output goes to /tmp/tool.out, .err.
resumed() {
	_step=$1
	shift
	rm -f /tmp/pause
	VFIO_NOIOMMUCTL_TEST_PAUSE=$_step VFIO_NOIOMMUCTL_TEST_PAUSE_FILE=/tmp/pause \
		VFIO_NOIOMMUCTL_TEST_RESUME=1 "$@" >/tmp/tool.out 2>/tmp/tool.err &
	TOOL=$!
	_i=0
	while ! grep -q "^paused $_step " /tmp/pause 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	ok 'grep -q "^paused $_step " /tmp/pause' "paused at $_step"
}

rescan() {
	echo 1 >/sys/bus/pci/rescan
	settle
	wait_for /sys/bus/pci/devices/$1 10
}

# gone_at STEP VERB BDF HOW: VERB of BDF paused at STEP while the device
# goes ("${HOW}_remove BDF") and comes back ("${HOW}_return BDF"); then
# unbind cleans up whatever the record says, and nothing is lost.
gone_at() {
	resumed "$1" vfio-noiommuctl "$2" $3
	"${4}_remove" $3
	ok "[ ! -e /sys/bus/pci/devices/$3 ]" "$1: $4 removed the e1000e"
	kill -USR1 $TOOL
	wait $TOOL
	RC=$?
	diag "$2 after the $4 removal at $1: exit $RC"
	diag "$(cat /tmp/tool.out /tmp/tool.err)"
	exit_is 0 "$1: status while the device is gone" -- vfio-noiommuctl status
	diag "$OUT"
	diag "journal: $(journal_of $3)"
	"${4}_return" $3
	ok "[ -e /sys/bus/pci/devices/$3 ]" "$1: $4 brings it back"
	diag "back: driver $(pci_driver $3), journal: $(journal_of $3)"
	exit_is 0 "$1: unbind after it came back" -- vfio-noiommuctl unbind $3
	diag "$OUT$ERR"
	[ $3 = $NIC ] || hp_nothing_lost "$4 at $1"
	nothing_lost "$4 at $1"
}

# each_step BDF HOW: every pause point of bind and of unbind.
each_step() {
	for step in bind-journaled bind-override bind-unbound; do
		gone_at $step bind $1 $2
	done
	for step in unbind-journaled unbind-released; do
		exit_is 0 "bind $1" -- vfio-noiommuctl bind $1
		gone_at $step unbind $1 $2
	done
}

sysfs_remove() { echo 1 >/sys/bus/pci/devices/$1/remove; }
sysfs_return() { rescan $1; }
each_step $NIC sysfs

# --- hot-unplug through QEMU's monitor ------------------------------------------------
# An e1000e hot-added into the empty root port (00:05.0, bus 01): q35
# unplugs it through ACPI when asked (device_del), calling the driver's
# remove like a real slot's eject would.
HP=0000:01:00.0
plug() {
	qmp '{"execute":"device_add","arguments":{"driver":"e1000e","id":"hpnic","bus":"rp-empty","mac":"52:54:00:12:34:57"}}'
	wait_for /sys/bus/pci/devices/$HP 20
	settle
	wait_for "/sys/bus/pci/devices/$HP/net" 10
}
hp_nothing_lost() {
	is "$(pci_driver $HP)" e1000e "$1: the hot-plugged e1000e is on e1000e"
	is "$(cat /sys/bus/pci/devices/$HP/driver_override)" "(null)" "$1: its driver_override is cleared"
	is "$(journal_of $HP)" "" "$1: no journal record for it"
}
qmp_remove() {
	qmp '{"execute":"device_del","arguments":{"id":"hpnic"}}'
	wait_gone /sys/bus/pci/devices/$1 20
}
qmp_return() {
	# QEMU frees the id once the guest has ejected the device.
	sleep 1
	plug
}

plug
if [ -e /sys/bus/pci/devices/$HP ]; then
	pass "device_add put an e1000e at $HP"
	each_step $HP qmp
else
	fail "device_add put an e1000e at $HP"
	diag "$(ls /sys/bus/pci/devices)"
fi

# --- /sys read-only, the run directory full, the journal directory read-only ---------
run unshare -m sh -c "mount -o remount,bind,ro /sys && exec vfio-noiommuctl bind $EDU"
diag "ro /sys: exit $RC: $OUT$ERR"
# The first sysfs write fails: nothing was changed, nothing to put back.
is "$RC" 1 "/sys read-only: bind fails, exit 1"
like "$ERR" "driver_override failed: Read-only file system" "it says the write failed on a read-only file system"
nothing_lost "/sys read-only"

mkdir -p $RUNDIR
mount -t tmpfs -o size=16k tmpfs $RUNDIR
dd if=/dev/zero of=$RUNDIR/fill bs=1k count=64 2>/dev/null
run vfio-noiommuctl bind $EDU
diag "full /run: exit $RC: $OUT$ERR"
is "$RC" 1 "the run directory full: bind fails, exit 1"
like "$ERR" "No space left|full" "it says the directory is full"
is "$(pci_driver $EDU)" "" "full /run: edu is on no driver"
umount $RUNDIR
nothing_lost "/run full"

mkdir -p $RUNDIR/journal
# a bind mount takes "ro" only on a remount
mount -o bind $RUNDIR/journal $RUNDIR/journal
mount -o remount,bind,ro $RUNDIR/journal
ok '! touch $RUNDIR/journal/x 2>/dev/null' "the journal directory is read-only"
run vfio-noiommuctl bind $EDU
diag "ro journal: exit $RC: $OUT$ERR"
is "$RC" 1 "the journal directory read-only: bind fails, exit 1"
like "$ERR" "journal" "it names the journal"
umount $RUNDIR/journal
nothing_lost "journal read-only"

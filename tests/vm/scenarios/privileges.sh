# Every verb as an unprivileged user (nobody) and as root without
# CAP_SYS_ADMIN and CAP_SYS_RAWIO (dropped from the bounding set): the
# read-only verbs work; as nobody the writers refuse with a message saying
# what is missing and nothing changes (drivers, the journal, the mode); the
# bounded root can bind and unbind but not open a no-IOMMU node
# (smoke-test refuses, naming CAP_SYS_RAWIO).
# setpriv is util-linux's (mkinitramfs), busybox's has no --reuid.
#
# targets: both cdev-only pre-7.3
# timeout: 300

NIC=0000:00:02.0
EDU=0000:00:03.0
noiommu_on
modprobe vfio-pci
exit_is 0 "root binds e1000e (something for unbind to do)" -- vfio-noiommuctl bind $NIC
before="$(pci_driver $NIC) $(pci_driver $EDU) $(noiommu_param) $(journal_of $NIC | grep -v '^time=')"

unchanged() { # WHO VERB
	is "$(pci_driver $NIC) $(pci_driver $EDU) $(noiommu_param) $(journal_of $NIC | grep -v '^time=')" \
		"$before" "$1: $2 changed nothing"
	is "$(ls /run/vfio-noiommuctl/journal)" $NIC "$1: $2 left no other journal record"
}

nobody() { /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nocaps() { /usr/bin/setpriv --bounding-set -sys_admin,-sys_rawio "$@"; }

run nocaps grep Cap /proc/self/status
diag "bounded root: $OUT"
run nobody id
is "$OUT" "uid=65534(nobody) gid=65534(nogroup)" "setpriv runs as nobody"

# the verbs that only look
for who in nobody nocaps; do
	for verb in status list "list --all" taint "noiommu show"; do
		exit_is 0 "$who: $verb" -- $who vfio-noiommuctl $verb
		diag "$ERR"
	done
done

# the writers, as nobody: refused, a hint that root is needed
for cmd in "bind $EDU" "unbind $NIC" "noiommu on" "noiommu off" "smoke-test $NIC"; do
	exit_is 1 "nobody: $cmd fails" -- nobody vfio-noiommuctl $cmd
	like "$ERR" "needs root|run as root" "nobody: $cmd says why"
	diag "$ERR"
	unchanged nobody "$cmd"
done

# root without CAP_SYS_RAWIO: a no-IOMMU node opens only with it
# (drivers/vfio/group.c vfio_group_fops_open, device_cdev.c)
exit_is 1 "bounded root: smoke-test fails" -- nocaps vfio-noiommuctl smoke-test $NIC
like "$ERR" "CAP_SYS_RAWIO" "bounded root: smoke-test names CAP_SYS_RAWIO"
diag "$ERR"
unchanged nocaps smoke-test
# The writers need neither: sysfs stores and module parameters are
# guarded by file modes, not by capabilities.
exit_is 0 "bounded root: noiommu on (already on)" -- nocaps vfio-noiommuctl noiommu on
exit_is 0 "bounded root: bind edu" -- nocaps vfio-noiommuctl bind $EDU
is "$(pci_driver $EDU)" vfio-pci "bounded root: edu is on vfio-pci"
exit_is 0 "bounded root: unbind edu and e1000e" -- nocaps vfio-noiommuctl unbind $EDU $NIC
is "$(pci_driver $NIC) $(pci_driver $EDU)" "e1000e " "bounded root: both are back"
is "$(ls /run/vfio-noiommuctl/journal)" "" "bounded root: no journal record is left"

# targets: all
# timeout: 600
# The state captured into tests/fixtures/trees/<target>.tree by
# tests/vm/capture-trees: edu bound to vfio-pci with a raw sysfs bind
# (no-IOMMU where the kernel has it), held open by a process, on the
# target's real kernel. Not a test: it always passes.

bdf=0000:00:03.0
[ "$(vm_target)" = stock ] || noiommu_on
sysfs_bind_vfio "$bdf" || diag "bind of $bdf failed (expected on stock)"
settle
node=
for n in /dev/vfio/devices/* /dev/vfio/noiommu-* /dev/vfio/[0-9]*; do
	[ -c "$n" ] && node=$n && break
done
if [ -n "$node" ]; then
	sleep 600 <>"$node" &
	sleep 1
fi
capture-tree
pass "captured $(vm_target)"

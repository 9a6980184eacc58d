# IOMMU groups on the iommu machine: two edus behind a pcie-pci-bridge
# share a group. A member on a host driver blocks the other's bind unless
# --group takes both; restoring a member while the group is in use fails
# with EBUSY and leaves it on vfio-pci with its journal.
#
# targets: iommu
# timeout: 400

A=0000:03:01.0
B=0000:03:02.0
BRIDGE=0000:02:00.0
dev=/sys/bus/pci/devices
grp=$(basename "$(readlink $dev/$A/iommu_group)")
is "$(basename "$(readlink $dev/$B/iommu_group)")" "$grp" "the two edus share IOMMU group $grp"

# uio_pci_generic stands in for a host driver on B.
modprobe uio_pci_generic
echo uio_pci_generic >$dev/$B/driver_override
echo $B >/sys/bus/pci/drivers/uio_pci_generic/bind
is "$(pci_driver $B)" uio_pci_generic "B is on a host driver (uio_pci_generic)"

exit_is 4 "bind A alone: refused" -- vfio-noiommuctl bind $A
like "$ERR" "shares IOMMU group $grp with $B \\(uio_pci_generic\\)" "the other member is named"
like "$ERR" "--group takes the whole group" "with the way out"
is "$(pci_driver $A)" "" "A was not touched"
exit_is 0 "bind --group A: both" -- vfio-noiommuctl bind --group $A
is "$(pci_driver $A) $(pci_driver $B)" "vfio-pci vfio-pci" "both members are on vfio-pci"
is "$(pci_driver $BRIDGE)" "" "the bridge was left alone"
like "$(journal_of $B)" "original_override=uio_pci_generic" "B's journal keeps its override"
exit_is 0 "smoke-test A through the group (type1)" -- vfio-noiommuctl smoke-test --path group $A
exit_is 0 "smoke-test A through the cdev" -- vfio-noiommuctl smoke-test $A

# A held through iommufd owns the group's DMA: B cannot go back to a host
# driver (EBUSY, doc/kernel.md §5.2).
hold_bar "$(vfio-noiommuctl list --noheadings -o CDEV $A)"
exit_is 1 "unbind B while A's group is in use: exit 1" -- vfio-noiommuctl unbind $B
like "$ERR" "EBUSY" "the restore failed with EBUSY"
like "$ERR" "another member of its IOMMU group is still in use" "and says why"
is "$(pci_driver $B)" vfio-pci "B stays on vfio-pci, never driverless"
like "$(journal_of $B)" "original_driver=uio_pci_generic" "its journal is kept"
release
exit_is 0 "released: unbind both" -- vfio-noiommuctl unbind $A $B
is "$(pci_driver $A) $(pci_driver $B)" " uio_pci_generic" "A has no driver, B is back on uio_pci_generic"
is "$(cat $dev/$B/driver_override)" uio_pci_generic "B's override is what it was"

# The kernel log no longer reaches back to boot: after a flood overwrites
# the vfio lines, the attribution falls back to the still-bound device and
# says that the log is incomplete.
#
# targets: both lts-6.1
# cmdline: printk.devkmsg=on
# timeout: 400

EDU=0000:00:03.0
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu" -- vfio-noiommuctl bind $EDU
# busybox dmesg shows only the last 16 KiB unless told the buffer's size.
log() { dmesg -s 4194304; }
i=0
while log | grep -q 'Adding kernel taint for vfio-noiommu' && [ $i -lt 60 ]; do
	j=0
	while [ $j -lt 200 ]; do
		echo "flood $i $j: filling the kernel ring buffer to push the bind out" >/dev/kmsg
		j=$((j + 1))
	done
	i=$((i + 1))
done
ok '! log | grep -q "Adding kernel taint"' "the vfio lines are gone from the ring buffer"
run vfio-noiommuctl taint
like "$OUT" "no longer reaches back to boot" "taint says the log is incomplete"
like "$OUT" "$EDU .* still bound" "edu is attributed from the current state"
like "$OUT" "not in the kernel log any more" "and says so"
like "$OUT" "the journal says vfio-noiommuctl bound it at" "with the time from the journal"
run vfio-noiommuctl taint --json
ok 'jhas "\"complete\": false"' "JSON: complete is false"
ok 'jhas "\"from_log\": false"' "JSON: from_log is false"

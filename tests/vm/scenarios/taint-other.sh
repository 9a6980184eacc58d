# U without any vfio-noiommu line: the honest answer lists the other
# sources; a value decoded without touching the host.
#
# targets: both lts-6.1
# timeout: 200

echo 64 >/proc/sys/kernel/tainted
exit_is 0 "taint after a manual write" -- vfio-noiommuctl taint
like "$OUT" "no vfio-noiommu line in the kernel log and no no-IOMMU device bound" \
	"no vfio attribution"
like "$OUT" "reaches back to boot" "the log is complete, so this is certain"
like "$OUT" "U has other sources too:" "the other sources are listed"
like "$OUT" "root writing to /proc/sys/kernel/tainted" "including a root write"
exit_is 0 "decode a pasted oops header" -- \
	vfio-noiommuctl taint 'CPU: 0 PID: 1 Comm: x Tainted: G     U  W   7.3.4 #1'
like "$OUT" "\\(576\\)" "576 = U + W"

# A user where kernel.dmesg_restrict hides the log: the decode still
# works, and the answer says what to run instead.
echo 1 >/proc/sys/kernel/dmesg_restrict
run su -s /bin/sh tester -c "vfio-noiommuctl taint"
is "$RC" 0 "as a user under dmesg_restrict: taint exits 0"
like "$OUT" "U  bit 6" "as a user: the flags are decoded"
like "$OUT" "cannot be read .*dmesg_restrict.*run 'sudo vfio-noiommuctl taint'" \
	"as a user: it says the log may not be read and what to run"

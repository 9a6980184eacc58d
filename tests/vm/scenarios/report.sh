# report and metrics after a no-IOMMU bind of edu: the JSON document, the
# redacted one (the guest's host name "vmtest" gone, the same placeholder
# everywhere), the archive, nothing written but the output, a user under
# dmesg_restrict (what it could not read is listed); metrics as
# node_exporter would read them, written atomically.
#
# targets: both
# timeout: 300

EDU=0000:00:03.0

exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu as a no-IOMMU device" -- vfio-noiommuctl bind $EDU

# --- the JSON document --------------------------------------------------------
touch /tmp/report.marker
sleep 1
exit_is 0 "report exits 0 as root" -- vfio-noiommuctl report
ok 'jhas "\"hostname\": \"vmtest\""' "report: the host name"
ok 'jhas "\"access_paths\": \"both\""' "report: status says both paths"
ok 'jhas "\"still_bound\": true"' "report: taint attributes U to edu, still bound"
ok 'jhas "Adding kernel taint for vfio-noiommu cdev"' "report: the kernel's taint line"
ok 'jhas "\"CONFIG_IOMMUFD_NOIOMMU\": \"y\""' "report: the kernel config symbols"
ok 'jhas "\"step\": \"bound\""' "report: the journal record of edu"
ok 'printf "%s" "$OUT" | tr -d " \n" | grep -qF "\"unreadable\":[]"' \
	"report: root could read everything"
ok 'jhas "\"bdf\": \"$EDU\""' "report: edu is among the devices"
ok '[ -z "$ERR" ]' "report: nothing on stderr as root"

# --- redacted -------------------------------------------------------------------
exit_is 0 "report --redact" -- vfio-noiommuctl report --redact
ok '! jhas vmtest' "redacted: 'vmtest' appears nowhere (host name, command line)"
ok 'jhas "\"hostname\": \"[host-1]\""' "redacted: the host name is [host-1]"
ok 'jhas "[host-1].target=both"' "redacted: the same placeholder on the command line"
ok 'jhas "\"redacted\": true"' "redacted: the document says so"

# --- the archive; nothing else written -------------------------------------------
exit_is 0 "report --archive --redact --file" -- \
	vfio-noiommuctl report --archive --redact --file /tmp/ticket.tar
run tar -tf /tmp/ticket.tar
like "$OUT" "vfio-noiommuctl-report/report.json" "archive: report.json"
like "$OUT" "vfio-noiommuctl-report/kernel-log.txt" "archive: the kernel log lines"
like "$OUT" "vfio-noiommuctl-report/run/vfio-noiommuctl/journal/$EDU" "archive: the journal record"
run sh -c "tar -xOf /tmp/ticket.tar vfio-noiommuctl-report/proc/cmdline"
like "$OUT" "^console=ttyS0 .*\\[host-1\\]\\.target=both" "archive: the raw command line, redacted alike"
is "$(ls -l /tmp/ticket.tar | cut -c1-10)" "-rw-------" "archive: written 0600"
exit_is 2 "report --archive refuses to write to a terminal" -- \
	sh -c "vfio-noiommuctl report --archive >/dev/console"
# (run's own /tmp/.tap-* files hold find's output meanwhile)
run find / /tmp /run -xdev -newer /tmp/report.marker -type f
is "$(printf '%s\n' "$OUT" | grep -v -e '^/tmp/ticket.tar$' -e '^/tmp/\.tap-' | sed '/^$/d')" "" \
	"nothing but the output was written"

# --- as a user who may not read the kernel log ------------------------------------
echo 1 >/proc/sys/kernel/dmesg_restrict
run su -s /bin/sh tester -c "vfio-noiommuctl report"
is "$RC" 0 "as a user: report exits 0"
ok 'jhas "\"source\": \"/dev/kmsg\""' "as a user: the kernel log is listed as unreadable"
ok 'jhas "\"access_paths\": \"both\""' "as a user: the rest is there"
like "$ERR" "/dev/kmsg: Operation not permitted" "as a user: stderr names what it could not read"
like "$ERR" "run it as root" "as a user: and says how to get it all"
echo 0 >/proc/sys/kernel/dmesg_restrict

# --- metrics ----------------------------------------------------------------------
exit_is 0 "metrics" -- vfio-noiommuctl metrics
like "$OUT" 'vfio_noiommuctl_devices\{driver="vfio-pci",noiommu="true"\} 1' "metrics: one no-IOMMU device"
like "$OUT" "vfio_noiommuctl_kernel_taint_user 1" "metrics: U is set"
like "$OUT" "vfio_noiommuctl_kernel_taint 64" "metrics: taint 64"
like "$OUT" "vfio_noiommuctl_noiommu_mode_enabled 1" "metrics: the mode is on"
like "$OUT" "vfio_noiommuctl_journal_unfinished_devices 0" "metrics: nothing left between drivers"
is "$(printf '%s\n' "$OUT" | tail -n1)" "# EOF" "metrics: ends with # EOF"
mkdir -p /tmp/textfile
exit_is 0 "metrics --file" -- vfio-noiommuctl metrics --file /tmp/textfile/vfio_noiommuctl.prom
is "$(ls -A /tmp/textfile)" "vfio_noiommuctl.prom" "metrics --file: one file, no temporary left"
like "$(cat /tmp/textfile/vfio_noiommuctl.prom)" "vfio_noiommuctl_kernel_taint 64" "metrics --file: its content"

exit_is 0 "unbind edu" -- vfio-noiommuctl unbind $EDU
run vfio-noiommuctl metrics
like "$OUT" 'vfio_noiommuctl_devices\{driver="vfio-pci",noiommu="true"\} 0' "metrics after unbind: none"
like "$OUT" "vfio_noiommuctl_kernel_taint_user 1" "metrics after unbind: U stays until reboot"

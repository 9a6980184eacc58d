# taint: binding edu sets U, attributed to its BDF with the mode of this
# configuration and its log lines; --check exit codes; the attribution
# survives the unbind.
#
# targets: both cdev-only group-only pre-7.3 lts-6.1
# timeout: 300

target=$(vm_target)
EDU=0000:00:03.0
case $target in
both) mode='group+cdev' paths=both lines=2 ;;
cdev-only) mode=cdev paths=cdev lines=1 ;;
group-only | pre-7.3 | lts-6.1) mode=group paths=group lines=1 ;;
esac

exit_is 0 "clean boot: taint" -- vfio-noiommuctl taint
like "$OUT" "^Not tainted \\(0\\)" "clean boot: not tainted"
exit_is 0 "clean boot: --check exits 0" -- vfio-noiommuctl taint --check
exit_is 0 "clean boot: --check=U exits 0" -- vfio-noiommuctl taint --check=U

exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
exit_is 0 "bind edu" -- vfio-noiommuctl bind $EDU
is "$(taint_value)" 64 "the kernel's taint is 64"
run vfio-noiommuctl taint
like "$OUT" "^Tainted: G     U" "the short form has U"
like "$OUT" "U  bit 6   USER" "the U flag is decoded"
mode_re=$(echo "$mode" | sed 's/+/\\+/')
like "$OUT" "$EDU  1234:11e8 +no-IOMMU $mode_re  bound [0-9-]+ [0-9:]+  still bound" \
	"U is attributed to edu, mode $mode, with a time"
like "$OUT" "by root" "and to the user who bound it"
like "$OUT" "reaches back to boot: this is the complete list" "the log is complete"
run vfio-noiommuctl taint --json
ok 'jhas "\"access_paths\": \"$paths\""' "JSON: access_paths $paths"
ok 'jhas "\"via\": "' "JSON: the user is an object"
ok 'jhas "\"log_lines\": $lines"' "JSON: $lines log line(s), as doc/kernel.md §4.1 says"
ok 'jhas "\"complete\": true"' "JSON: the log is complete"
is "$(dmesg | grep -c 'Adding kernel taint for vfio-noiommu')" "$lines" "dmesg has $lines taint line(s)"
exit_is 1 "--check exits 1" -- vfio-noiommuctl taint --check
exit_is 1 "--check=U exits 1" -- vfio-noiommuctl taint --check=U
exit_is 0 "--check=W exits 0" -- vfio-noiommuctl taint --check=W
exit_is 2 "--check=Q exits 2" -- vfio-noiommuctl taint --check=Q
exit_is 0 "unbind edu" -- vfio-noiommuctl unbind $EDU
run vfio-noiommuctl taint
like "$OUT" "$EDU .* no-IOMMU $mode_re .* no longer bound" "after the unbind: still attributed, no longer bound"
is "$(taint_value)" 64 "the taint stays"

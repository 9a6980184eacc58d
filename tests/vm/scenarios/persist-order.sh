# The kernel command line and a modprobe.d file disagree: noiommu show
# must predict what the next load of vfio does (libkmod passes both; the
# kernel lets the last one win).
#
# targets: both lts-6.1
# cmdline: vfio.enable_unsafe_noiommu_mode=0
# timeout: 200

param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
echo "options vfio enable_unsafe_noiommu_mode=1" >/etc/modprobe.d/50-site.conf
run vfio-noiommuctl noiommu --pairs
predicted=$(pair PERSISTENT_ENABLED)
like "$OUT" 'PERSISTENT_SETTINGS_0_WHERE="/etc/modprobe.d/50-site.conf"' "show lists the file"
like "$OUT" 'PERSISTENT_SETTINGS_1_WHERE="/proc/cmdline"' "and, applied last, the command line"
modprobe vfio
actual=$(cat $param)
is "$predicted" "$( [ "$actual" = Y ] && echo yes || echo no)" \
	"show predicted what modprobe vfio did ($actual)"
run vfio-noiommuctl noiommu --pairs
is "$(pair PERSISTENT_AGREES)" yes "and now says the setting agrees"
rm -f /etc/modprobe.d/50-site.conf

# --persist on would be overridden by the command line's =0: refused
# before anything changes, the live mode included.
before=$(cat $param)
exit_is 3 "on --persist under a command line =0: refused" -- \
	vfio-noiommuctl noiommu on --persist
like "$ERR" "kernel command line" "the refusal names the command line"
is "$(cat $param)" "$before" "the running mode is unchanged"
ok '[ ! -e /etc/modprobe.d/vfio-noiommu.conf ]' "no modprobe.d file was written"

# Eight writers at once, binding and unbinding overlapping sets of the
# machine's four bindable devices (e1000e and three edu): every run ends
# with exit 0 (done, or nothing to do) or 6 (the lock was busy too long),
# and afterwards every device is either on its original driver with no
# journal record or on vfio-pci with a record naming that driver; a final
# unbind of all of them puts everything back.
#
# targets: both cdev-only pre-7.3
# timeout: 300

NIC=0000:00:02.0
E1=0000:00:03.0
E2=0000:03:01.0
E3=0000:03:02.0
ALL="$NIC $E1 $E2 $E3"
noiommu_on
modprobe vfio-pci

original() { # BDF: the driver it had at boot
	[ "$1" = $NIC ] && echo e1000e
	return 0
}
recorded() { # BDF: that driver as its journal record says it ("-": none)
	_o=$(original "$1")
	echo "${_o:--}"
}

# writer N FIRST SECOND DEVICES...: FIRST, then SECOND, on the same set;
# each exit status goes to /tmp/writer.N
writer() {
	_n=$1 _a=$2 _b=$3
	shift 3
	for _verb in $_a $_b; do
		vfio-noiommuctl $_verb --lock-timeout 120 "$@" \
			>/tmp/writer.$_n.$_verb.out 2>&1 </dev/null
		echo "$_verb $*: $?" >>/tmp/writer.$_n
	done
}

rm -f /tmp/writer.*
writer 1 bind unbind $NIC $E1 &
writer 2 unbind bind $E1 $E2 &
writer 3 bind unbind $E2 $E3 &
writer 4 unbind bind $NIC $E3 &
writer 5 bind bind $E1 $E3 &
writer 6 bind unbind $NIC $E2 &
writer 7 unbind unbind $E3 $E2 $E1 &
writer 8 bind unbind $ALL &
wait

bad=
for n in 1 2 3 4 5 6 7 8; do
	diag "writer $n: $(tr '\n' ';' </tmp/writer.$n)"
	while read -r line; do
		case $line in
		*": 0" | *": 6") ;;
		*) bad="$bad writer $n: $line;" ;;
		esac
	done </tmp/writer.$n
done
is "$(cat /tmp/writer.? | wc -l)" 16 "sixteen runs finished"
is "$bad" "" "every run exited 0 or 6"
[ -n "$bad" ] && diag "$(cat /tmp/writer.*.out)"

for d in $ALL; do
	drv=$(pci_driver $d)
	rec=$(journal_of $d)
	diag "$d: driver '$drv', journal: $(echo $rec | tr '\n' ' ')"
	if [ "$drv" = vfio-pci ]; then
		like "$rec" "^original_driver=$(recorded $d)\$" "$d on vfio-pci: its record names its original driver"
		like "$rec" "step=bound" "$d on vfio-pci: its record says bound"
	else
		is "$drv" "$(original $d)" "$d is on its original driver"
		is "$rec" "" "$d: no journal record"
	fi
done
exit_is 0 "status has nothing unfinished" -- vfio-noiommuctl status --pairs
unlike "$OUT" "interrupted" "no interrupted run"

exit_is 0 "a final unbind of all of them" -- vfio-noiommuctl unbind $ALL
for d in $ALL; do
	is "$(pci_driver $d)" "$(original $d)" "$d is back on its original driver"
	is "$(journal_of $d)" "" "$d: no journal record"
done
ok '[ -n "$(ls /sys/bus/pci/devices/$NIC/net)" ]' "e1000e's interface is there"

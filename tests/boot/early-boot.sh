#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# early-boot.sh HOOK DRACUT-SETUP: the initramfs-tools hook and the dracut
# module (boot/), run against stubs of their frameworks' functions that
# record each call: nothing is carried when nothing is declared; with a
# declared state, the tool, the rule, every *.conf (at its /etc path)
# and vfio-pci are.
set -u
hook=$1 setup=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # DESC EXPECTED GOT
	if [[ $2 == "$3" ]]; then
		echo "ok - $1"
	else
		printf 'not ok - %s\n# expected:\n%s\n# got:\n%s\n' "$1" "$2" "$3"
		fail=1
	fi
}
cat >"$tmp/hook-functions" <<'EOF'
copy_exec() { echo "copy_exec $*" >>"$CALLS"; }
copy_file() { echo "copy_file $*" >>"$CALLS"; }
manual_add_modules() { echo "manual_add_modules $*" >>"$CALLS"; }
EOF
export VN_HOOK_FUNCTIONS=$tmp/hook-functions CALLS=$tmp/calls
export VN_HOOK_STATE=$tmp/state
mkdir -p "$tmp/state"

check "hook: prereqs" udev "$(sh "$hook" prereqs)"
: >"$CALLS"
sh "$hook"
check "hook: nothing declared, exit 0" 0 "$?"
check "hook: nothing declared, nothing carried" "" "$(cat "$CALLS")"

printf '[device]\nmatch = bdf 0000:00:03.0\n' >"$tmp/state/10-edu.conf"
printf '# not a drop-in\n' >"$tmp/state/README"
sh "$hook"
check "hook: declared, exit 0" 0 "$?"
got=$(sed -e 's|^copy_exec [^ ]*/vfio-noiommuctl |copy_exec TOOL |' \
	-e 's|^copy_file rule [^ ]*/61-vfio-noiommuctl.rules |copy_file rule RULE |' \
	-e "s|$tmp/state|STATE|" "$CALLS")
check "hook: the tool, the rule, the state and vfio-pci" \
	"copy_exec TOOL /usr/sbin
copy_file rule RULE /usr/lib/udev/rules.d/61-vfio-noiommuctl.rules
copy_file config STATE/10-edu.conf /etc/vfio-noiommuctl/10-edu.conf
manual_add_modules vfio-pci" "$got"

# dracut: check() decides, then installkernel() and install().
: >"$CALLS"
got=$(bash -c '
	inst_binary() { echo "inst_binary $*" >>"$CALLS"; }
	inst_rules() { echo "inst_rules $*" >>"$CALLS"; }
	inst_simple() { echo "inst_simple $*" >>"$CALLS"; }
	instmods() { echo "instmods $*" >>"$CALLS"; }
	. "$1"
	check; echo "check $?"
	depends
	installkernel
	install' sh "$setup")
check "dracut: included when declared, after udev-rules" "check 0
udev-rules" "$got"
got=$(sed -e 's|^inst_binary [^ ]*/vfio-noiommuctl |inst_binary TOOL |' \
	-e "s|$tmp/state|STATE|" "$CALLS")
check "dracut: the tool, the rule, the state and vfio-pci" \
	"instmods vfio-pci
inst_binary TOOL /usr/sbin/vfio-noiommuctl
inst_rules 61-vfio-noiommuctl.rules
inst_simple STATE/10-edu.conf /etc/vfio-noiommuctl/10-edu.conf" "$got"
rm "$tmp/state/10-edu.conf"
check "dracut: left out when nothing is declared" 255 \
	"$(bash -c '. "$1"; check; echo $?' sh "$setup")"
exit $fail

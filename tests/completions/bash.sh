#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion gives the expected words for a handful of command
# lines, as readline splits them (at COMP_WORDBREAKS: '=' and ':' too).
# Usage: bash.sh COMPLETION-FILE RUN.PY (the fixture runner, which writes
# the tree that --sysroot points at).

source /usr/share/bash-completion/bash_completion || exit 1
source "$1" || exit 1
tree=$(mktemp -d) || exit 1
trap 'rm -rf "$tree"' EXIT
python3 "$2" --materialize both "$tree" || exit 1
# Only readline may call compopt; here it has nothing to set.
compopt() { :; }
n=0 failed=0

split_words() {
	local line=$1 w="" c i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == " " ]]; then
			[[ -n $w ]] && COMP_WORDS+=("$w")
			w=""
		elif [[ $COMP_WORDBREAKS == *"$c"* ]]; then
			[[ -n $w ]] && COMP_WORDS+=("$w")
			COMP_WORDS+=("$c")
			w=""
		else
			w+=$c
		fi
	done
	COMP_WORDS+=("$w")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}

# check LINE EXPECTED... [-- UNEXPECTED...]: the words offered with the
# cursor at the end of LINE include every EXPECTED and no UNEXPECTED.
check() {
	local line=$1 got w bad="" neg=0
	shift
	COMP_LINE=$line COMP_POINT=${#line}
	split_words "$line"
	COMPREPLY=()
	_vfio_noiommuctl vfio-noiommuctl "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	got=" ${COMPREPLY[*]-} "
	for w in "$@"; do
		if [[ $w == -- ]]; then
			neg=1
		elif ((neg)) && [[ $got == *" $w "* ]]; then
			bad+=" has '$w'"
		elif ((!neg)) && [[ $got != *" $w "* ]]; then
			bad+=" lacks '$w'"
		fi
	done
	n=$((n + 1))
	if [[ -n $bad ]]; then
		echo "not ok $n - '$line':$bad (offered:$got)"
		failed=$((failed + 1))
	else
		echo "ok $n - '$line'"
	fi
}

check "vfio-noiommuctl " status list bind unbind noiommu taint smoke-test \
	report metrics help
check "vfio-noiommuctl --json li" list
check "vfio-noiommuctl -q --sysroot $tree --pairs st" status
check "vfio-noiommuctl -" --json --pairs --raw --output --sysroot --version
check "vfio-noiommuctl list -o bdf,cd" bdf,cdev bdf,cdev_state bdf,cdev_reason \
	-- bdf,CDEV
check "vfio-noiommuctl list -o +JO" +JOURNAL
check "vfio-noiommuctl list --output=ORIG" ORIG_DRIVER
check "vfio-noiommuctl list -o " BDF NAME JOURNAL ORIG_DRIVER CDEV_STATE OPEN_BY
check "vfio-noiommuctl taint --check=U" UW UP -- UU
check "vfio-noiommuctl taint --check " U W P
check "vfio-noiommuctl taint -c " U W
check "vfio-noiommuctl --sysroot=$tree list " 0000:00:02.0 0000:00:03.0
check "vfio-noiommuctl --sysroot $tree unbind " 0000:00:03.0 -- 0000:00:02.0
check "vfio-noiommuctl bind --sysroot=$tree 0000:00:0" 02.0 03.0
check "vfio-noiommuctl noiommu " show on off
check "vfio-noiommuctl noiommu --" --persist --root --unbind --dry-run --json
check "vfio-noiommuctl status --" --check --json --pairs -- --raw --output
check "vfio-noiommuctl help " status smoke-test -- help
check "vfio-noiommuctl smoke-test --path " cdev group
check "vfio-noiommuctl ap" apply
check "vfio-noiommuctl bind --p" --persist
check "vfio-noiommuctl unbind --" --persist --root
check "vfio-noiommuctl apply --" --prune --root --dry-run --jobs -- --group --driver
check "vfio-noiommuctl report --" --json --archive --redact --file -- --pairs
check "vfio-noiommuctl metrics --" --file -- --json
check "vfio-noiommuctl help " report metrics -- help
echo "1..$n"
exit $((failed > 0))

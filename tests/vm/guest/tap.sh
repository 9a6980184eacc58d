# shellcheck shell=sh
# TAP producer for guest scenarios (busybox ash). Sourced by /init before
# the scenario.
#
# Every line printed here carries the prefix "@@TAP@@ " so that the host
# (run-vm) can tell the TAP stream apart from anything else on the serial
# console; run-vm strips it. Anything a scenario prints itself (without
# the prefix) reaches the host as a TAP comment.
#
#   plan N                      announce N tests (or call done_testing at the end)
#   done_testing                print the plan for the tests run so far
#   ok 'SHELL-CONDITION' DESC   pass if the condition (eval'd) is true
#   is GOT EXPECTED DESC        string equality
#   isnt GOT UNEXPECTED DESC
#   like GOT ERE DESC           GOT matches the extended regex ERE (grep -E)
#   unlike GOT ERE DESC
#   run_ok DESC -- CMD...       run CMD, pass if it exits 0
#   exit_is CODE DESC -- CMD... run CMD, pass if it exits CODE
#       both leave stdout in $OUT, stderr in $ERR, exit status in $RC,
#       and show them as diagnostics on failure
#   run CMD...                  run CMD, set $OUT $ERR $RC, no test
#   pass DESC / fail DESC       an unconditional result
#   skip REASON [N]             N (default 1) skipped tests
#   diag MSG...                 a "# " diagnostic line per line of MSG
#   bail_out REASON             abort the whole scenario
# On a failure, the last lines of dmesg follow as diagnostics.

TAP_PREFIX='@@TAP@@ '
TAP_N=0
TAP_PLANNED=
OUT='' ERR='' RC=''

# Each line is written by a subshell. busybox ash catches SIGCHLD without
# SA_RESTART, so when a scenario's background job exits while the shell is
# blocked writing to the slow serial console, the write fails with EINTR
# and the line is lost (seen once: "planned 86 tests, ran 85"). The
# subshell has no children, so no SIGCHLD ever interrupts its write.
_tap() {
	(printf '%s%s\n' "$TAP_PREFIX" "$*")
}

plan() {
	TAP_PLANNED=$1
	_tap "1..$1"
}

done_testing() {
	if [ -z "$TAP_PLANNED" ]; then
		TAP_PLANNED=$TAP_N
		_tap "1..$TAP_N"
	fi
}

diag() {
	printf '%s\n' "$*" | while IFS= read -r _l; do
		_tap "# $_l"
	done
}

_tap_result() { # STATUS(0 = ok) DESC
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		_tap "ok $TAP_N - $2"
		return 0
	fi
	_tap "not ok $TAP_N - $2"
	return 1
}

_tap_dmesg() {
	diag "dmesg | tail:"
	diag "$(dmesg 2>/dev/null | tail -n 12)"
}

_tap_show_run() {
	diag "command: $TAP_CMD"
	diag "exit status: $RC"
	[ -n "$OUT" ] && diag "stdout:" && diag "$OUT"
	[ -n "$ERR" ] && diag "stderr:" && diag "$ERR"
	return 0
}

pass() { _tap_result 0 "$1"; }

# _tap_not_ok DESC [DIAG...]: a failed test, each DIAG as diagnostics, and
# the tail of the kernel log; returns 1.
_tap_not_ok() {
	_tap_result 1 "$1"
	shift
	for _tap_l; do diag "$_tap_l"; done
	_tap_dmesg
	return 1
}

fail() { _tap_not_ok "$1"; }

ok() {
	if eval "$1"; then
		pass "$2"
	else
		_tap_not_ok "$2" "condition failed: $1"
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		_tap_not_ok "$3" "got:      '$1'" "expected: '$2'"
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		_tap_not_ok "$3" "got '$1', which it should not be"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		_tap_not_ok "$3" "got:          '$1'" "doesn't match '$2'"
	fi
}

unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		_tap_not_ok "$3" "got:     '$1'" "matches: '$2'"
	fi
}

# run CMD...: run CMD with stdin from /dev/null; set OUT, ERR, RC.
run() {
	TAP_CMD=$*
	_tap_o=/tmp/.tap-out.$$ _tap_e=/tmp/.tap-err.$$
	"$@" </dev/null >"$_tap_o" 2>"$_tap_e"
	RC=$?
	OUT=$(cat "$_tap_o")
	ERR=$(cat "$_tap_e")
	rm -f "$_tap_o" "$_tap_e"
	return 0
}

exit_is() { # CODE DESC -- CMD...
	_tap_want=$1 _tap_desc=$2
	shift 2
	[ "$1" = "--" ] && shift
	run "$@"
	if [ "$RC" = "$_tap_want" ]; then
		_tap_result 0 "$_tap_desc"
	else
		_tap_result 1 "$_tap_desc"
		diag "expected exit status $_tap_want"
		_tap_show_run
		_tap_dmesg
		return 1
	fi
}

run_ok() { # DESC -- CMD...
	_tap_desc=$1
	shift
	exit_is 0 "$_tap_desc" "$@"
}

skip() { # REASON [N]
	_tap_i=0
	while [ "$_tap_i" -lt "${2:-1}" ]; do
		TAP_N=$((TAP_N + 1))
		_tap "ok $TAP_N # SKIP $1"
		_tap_i=$((_tap_i + 1))
	done
}

bail_out() {
	_tap "Bail out! $*"
	_tap_dmesg
	exit 255
}

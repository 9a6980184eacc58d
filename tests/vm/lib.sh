# shellcheck shell=bash
# Shared helpers for the VM tier's host-side scripts (provide-kernel,
# mkinitramfs, run-vm). Sourced, never executed.
#
# Everything downloaded or built lives outside the checkout, under
# $VM_CACHE (see README.md), and is written atomically: built in a
# temporary directory under $VM_CACHE/tmp and renamed into place, with an
# flock held so that two processes never build the same thing at once.

# shellcheck disable=SC2034 # used by the scripts that source this file
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${VFIO_NOIOMMUCTL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-noiommuctl-vm}
# Private apt lists older than this are refreshed (seconds).
VM_APT_MAX_AGE=${VFIO_NOIOMMUCTL_VM_APT_MAX_AGE:-21600}

# The kernel targets of kernel/targets (provide-kernel's), one per line;
# with "early" or "late", those without or with the third word "late".
vm_kernel_targets() {
	awk -v which="${1:-all}" '!/^#/ && NF >= 2 &&
		(which == "all" || (which == "late") == ($3 == "late")) { print $1 }' \
		"$VM_DIR/kernel/targets"
}

# vm_boost_session NICE: set the scheduler autogroup nice value of this
# script's session (sched(7), "The autogroup feature"), if the script
# leads it. Started by meson, which runs each test in a session of its
# own (setsid), or by tests/run-all in one of its own, the script has an
# autogroup of its own, and CPU time is shared between autogroups first:
# a nice value alone would rank it only within the session. Started from
# a terminal, it leaves the terminal's group alone; without the privilege
# (CAP_SYS_NICE, to lower the value) or autogroups the write fails,
# harmless.
vm_boost_session() {
	local nice=$1 stat
	read -r stat </proc/$$/stat || return 0
	# shellcheck disable=SC2086 # the fields after "(comm) "
	set -- ${stat##*) }
	[[ ${4:-} == "$$" ]] || return 0
	echo "$nice" >/proc/self/autogroup 2>/dev/null || true
}

vm_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
vm_die() { vm_log "error: $*"; exit 1; }

vm_init_cache() {
	mkdir -p "$VM_CACHE"/{locks,tmp,apt/lists/partial,apt/archives/partial,apt/cache}
	# leftovers of killed runs (a live run's directory is younger)
	find "$VM_CACHE/tmp" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf -- {} + 2>/dev/null || true
}

# vm_lock NAME FD: take an exclusive lock on $VM_CACHE/locks/NAME with the
# given file descriptor number; it is held until the fd is closed (or the
# process exits).
vm_lock() {
	local name=$1 fd=$2
	eval "exec $fd>\"\$VM_CACHE/locks/\$name.lock\""
	if ! flock -n "$fd"; then
		vm_log "waiting for lock $name"
		flock "$fd"
	fi
}
vm_unlock() { eval "exec $1>&-"; }

# vm_machine_lock NAME FD: like vm_lock, for what must not happen twice at
# once on this machine whatever the cache (QEMU guests, kernel builds): the
# lock lives in $VFIO_NOIOMMUCTL_VM_LOCKDIR (/tmp/vfio-noiommuctl-vm-locks).
vm_machine_lock() {
	local dir=${VFIO_NOIOMMUCTL_VM_LOCKDIR:-/tmp/vfio-noiommuctl-vm-locks}
	local name=$1 fd=$2
	if [[ ! -d $dir ]]; then
		mkdir -p "$dir"
		chmod 1777 "$dir" 2>/dev/null || true
	fi
	[[ -e $dir/$name.lock ]] || (umask 0 && : >>"$dir/$name.lock")
	eval "exec $fd>>\"\$dir/\$name.lock\""
	if ! flock -n "$fd"; then
		vm_log "waiting for lock $dir/$name.lock (another run of this machine)"
		flock "$fd"
	fi
}

# vm_mktemp VAR [PREFIX]: a fresh temporary directory under the cache (same
# file system as the final location, so that mv is a rename), stored in
# VAR and removed by vm_cleanup_tmp. Not to be called in $(...): the
# directory would not be registered for cleanup.
VM_TMPDIRS=()
vm_mktemp() {
	local _d
	_d=$(mktemp -d "$VM_CACHE/tmp/${2:-work}.XXXXXX")
	VM_TMPDIRS+=("$_d")
	printf -v "$1" '%s' "$_d"
}
vm_cleanup_tmp() {
	local d
	for d in "${VM_TMPDIRS[@]}"; do
		[[ -e $d ]] && rm -rf -- "$d"
	done
	return 0
}

# Move a finished directory into place. If another process got there
# first (it cannot while we hold the lock, but be safe), keep theirs.
vm_publish() {
	local src=$1 dst=$2
	mkdir -p "$(dirname "$dst")"
	if ! mv -T -- "$src" "$dst" 2>/dev/null; then
		[[ -d $dst ]] || vm_die "cannot move $src to $dst"
		rm -rf -- "$src"
	fi
}

# --- private apt configuration ----------------------------------------
#
# The machine's apt sources are never modified. We read the mirror from
# them at run time and write a sources.list of our own into the cache,
# used only with `apt-get update` and `apt-get download`.

# Print "URI<TAB>SUITE<TAB>COMPONENTS<TAB>SIGNED-BY" for every deb source of
# the machine (deb822 *.sources first, then one-line sources.list files).
vm_machine_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk '
		function flush(   i, j, nu, ns, u, s) {
			if (types ~ /(^| )deb( |$)/ && enabled != "no") {
				nu = split(uris, u, " "); ns = split(suites, s, " ")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						printf "%s\t%s\t%s\t%s\n", u[i], s[j], comps, signed
			}
			types = uris = suites = comps = signed = enabled = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val); gsub(/[ \t]+/, " ", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "signed-by") signed = val
			else if (key == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		awk '
		$1 == "deb" {
			signed = ""; i = 2
			if ($2 ~ /^\[/) {
				opts = ""
				for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
				if (match(opts, /signed-by=[^] ]*/))
					signed = substr(opts, RSTART + 10, RLENGTH - 10)
			}
			uri = $i; suite = $(i + 1); comps = ""
			for (j = i + 2; j <= NF; j++) comps = comps (comps ? " " : "") $j
			printf "%s\t%s\t%s\t%s\n", uri, suite, comps, signed
		}' "$f"
	done
}

# Write $VM_CACHE/apt/sources.list: the machine's bookworm entries (for
# udev, same version as the installed libsystemd-shared, and for
# linux-source-6.1, whose newest upload is usually in bookworm-security)
# plus trixie and trixie-backports on the mirror of the machine's bookworm
# entry.
vm_write_sources() {
	local out=$1 uri="" signed="" u s c k
	{
		while IFS=$'\t' read -r u s c k; do
			case $s in
			bookworm) [[ -z $uri ]] && { uri=$u; signed=$k; } ;;
			esac
			[[ $s == bookworm* ]] || continue
			printf 'deb %s%s %s %s\n' "${k:+[signed-by=$k] }" "$u" "$s" "${c:-main}"
		done < <(vm_machine_sources)
		[[ -n $uri ]] || vm_die "no 'bookworm' deb source found in /etc/apt (needed to find the Debian mirror)"
		for s in trixie trixie-backports; do
			printf 'deb %s%s %s main\n' "${signed:+[signed-by=$signed] }" "$uri" "$s"
		done
	} >"$out.new"
	mv -f "$out.new" "$out"
}

# vm_suite_mirror SUITE: the Debian mirror of the machine's first deb source
# for SUITE, for debootstrap; sets VM_MIRROR and VM_KEYRING (the source's
# Signed-By, else Debian's archive keyring).
vm_suite_mirror() {
	local suite=$1 u s c k
	VM_MIRROR="" VM_KEYRING=""
	while IFS=$'\t' read -r u s c k; do
		[[ $s == "$suite" ]] || continue
		VM_MIRROR=$u VM_KEYRING=$k
		break
	done < <(vm_machine_sources)
	[[ -n $VM_MIRROR ]] || vm_die "no '$suite' deb source in /etc/apt: cannot find the Debian mirror"
	VM_KEYRING=${VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
	[[ -f $VM_KEYRING ]] || vm_die "keyring $VM_KEYRING of the $suite source does not exist"
}

# vm_prune_unused DIR...: remove the entries of each DIR (kernels, source
# trees, roots, chroots) nobody used for VFIO_NOIOMMUCTL_VM_PRUNE_DAYS (14)
# days; users touch the entry they use.
vm_prune_unused() {
	local days=${VFIO_NOIOMMUCTL_VM_PRUNE_DAYS:-14} dir d
	for dir in "$@"; do
		for d in "$dir"/*; do
			[[ -d $d ]] || continue
			if [[ -n $(find "$d" -maxdepth 0 -mtime +"$days") ]]; then
				vm_log "pruning unused $d"
				rm -rf --one-file-system -- "$d"
			fi
		done
	done
	return 0
}

VM_APT_OPTS=()
vm_apt_setup() {
	local a=$VM_CACHE/apt
	VM_APT_OPTS=(
		-o "Dir::Etc::SourceList=$a/sources.list"
		-o "Dir::Etc::SourceParts=/dev/null"
		-o "Dir::State::Lists=$a/lists"
		-o "Dir::Cache=$a/cache"
		-o "Dir::Cache::Archives=$a/archives"
		-o "Dir::State::Status=/dev/null"
		-o "APT::Sandbox::User=root"
		-o "Debug::NoLocking=1"
		-q
	)
}

# Refresh the private lists if they are missing, stale, or the sources
# changed. A failed refresh with usable lists is only a warning.
vm_apt_update() {
	vm_init_cache
	vm_apt_setup
	local a=$VM_CACHE/apt stamp=$VM_CACHE/apt/updated now age=999999999
	vm_lock apt 8
	vm_write_sources "$a/sources.list.want"
	if ! cmp -s "$a/sources.list.want" "$a/sources.list"; then
		mv -f "$a/sources.list.want" "$a/sources.list"
		rm -f "$stamp"
	else
		rm -f "$a/sources.list.want"
	fi
	now=$(date +%s)
	[[ -f $stamp ]] && age=$((now - $(stat -c %Y "$stamp")))
	if ((age > VM_APT_MAX_AGE)) || [[ ${VFIO_NOIOMMUCTL_VM_APT_UPDATE:-} == 1 ]]; then
		vm_log "updating private apt lists"
		if apt-get "${VM_APT_OPTS[@]}" update >"$a/update.log" 2>&1; then
			touch "$stamp"
		elif [[ -f $stamp ]]; then
			vm_log "warning: apt-get update failed, using lists from $(date -r "$stamp"):"
			sed 's/^/    /' "$a/update.log" >&2
		else
			cat "$a/update.log" >&2
			vm_die "apt-get update (private configuration) failed"
		fi
	fi
	vm_unlock 8
}

vm_apt_cache() { apt-cache "${VM_APT_OPTS[@]}" "$@"; }

# Newest version of package $1 in the private lists (empty if none).
vm_pkg_version() {
	vm_apt_cache show "$1" 2>/dev/null | awk '/^Version:/ { print $2 }' |
		vm_sort_versions | tail -n1
}

vm_sort_versions() {
	local -a vs
	mapfile -t vs
	local i j t
	for ((i = 1; i < ${#vs[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			if dpkg --compare-versions "${vs[j - 1]}" gt "${vs[j]}"; then
				t=${vs[j]}; vs[j]=${vs[j - 1]}; vs[j - 1]=$t
			else
				break
			fi
		done
	done
	((${#vs[@]})) && printf '%s\n' "${vs[@]}"
	return 0
}

# vm_apt_fetch PKG VERSION: download PKG=VERSION into the private archive
# cache (once) and print the path of the .deb.
vm_apt_fetch() {
	local pkg=$1 ver=$2 d f deb=""
	local stem=${pkg}_${ver#*:}
	for f in "$VM_CACHE/apt/archives/${stem}"_{amd64,all}.deb; do
		[[ -f $f ]] && { printf '%s\n' "$f"; return; }
	done
	vm_lock apt 8
	d=$(mktemp -d "$VM_CACHE/tmp/download.XXXXXX")
	if ! (cd "$d" && apt-get "${VM_APT_OPTS[@]}" download "$pkg=$ver" >&2); then
		rm -rf -- "$d"
		vm_die "apt-get download $pkg=$ver failed"
	fi
	for f in "$d"/*.deb; do
		[[ -f $f ]] || break
		deb=$VM_CACHE/apt/archives/${f##*/}
		mv -f "$f" "$deb"
	done
	rm -rf -- "$d"
	vm_unlock 8
	[[ -n $deb ]] || vm_die "apt-get download $pkg=$ver produced no .deb"
	printf '%s\n' "$deb"
}

# vm_sha256 FILE...: one hash over the names and contents of FILEs.
vm_sha256() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f##*/}"
		sha256sum <"$f"
	done | sha256sum | cut -c1-16
}

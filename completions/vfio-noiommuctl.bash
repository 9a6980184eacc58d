# bash completion for vfio-noiommuctl                        -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later

# The system looked at: the --sysroot DIR (or --sysroot=DIR) on the line,
# else VFIO_NOIOMMUCTL_SYSROOT, else this host.
_vfio_noiommuctl_root()
{
	local i root=${VFIO_NOIOMMUCTL_SYSROOT-}
	for ((i = 1; i < ${#words[@]}; i++)); do
		case ${words[i]} in
		--sysroot) root=${words[i + 1]-} ;;
		--sysroot=*) root=${words[i]#--sysroot=} ;;
		esac
	done
	printf '%s' "${root%/}"
}

# BDFs of the system looked at; "vfio": only those on a VFIO driver.
_vfio_noiommuctl_bdfs()
{
	local d root
	root=$(_vfio_noiommuctl_root)
	for d in "$root"/sys/bus/pci/devices/*; do
		[[ -e $d ]] || continue
		[[ ${1-} == vfio && ! -d $d/vfio-dev ]] && continue
		printf '%s\n' "${d##*/}"
	done
}

_vfio_noiommuctl_columns="BDF ID VENDOR NAME CLASS DRIVER OVERRIDE IOMMU_GROUP
	NOIOMMU CDEV CDEV_STATE CDEV_REASON GROUP DEVT OWNER MODE OPEN_BY NUMA
	TAINT JOURNAL ORIG_DRIVER DECLARED"
_vfio_noiommuctl_letters="P F S R M B U D A W C I O E L K X T N J"

# A comma-separated column list: complete its last name, in the case the
# user types (lower case when the name begun is), after an optional "+".
_vfio_noiommuctl_complete_columns()
{
	local cur=$1 plus="" head="" last cols=$_vfio_noiommuctl_columns
	[[ $cur == +* ]] && plus=+ cur=${cur#+}
	[[ $cur == *,* ]] && head=${cur%,*},
	last=${cur##*,}
	[[ $last == *[a-z]* ]] && cols=${cols,,}
	COMPREPLY=($(compgen -P "$plus$head" -W "$cols" -- "$last"))
	compopt -o nospace
}

# Taint letters, appended to those already typed.
_vfio_noiommuctl_complete_letters()
{
	local typed=$1 prefix=$2 l
	COMPREPLY=()
	for l in $_vfio_noiommuctl_letters; do
		[[ $typed == *$l* ]] || COMPREPLY+=("$prefix$typed$l")
	done
	compopt -o nospace
}

_vfio_noiommuctl()
{
	local cur prev words cword split
	# BDFs and IDs hold colons, which readline breaks words at.
	_init_completion -s -n : || return

	local verbs="status list bind unbind noiommu taint smoke-test report metrics apply udev-match help"
	local common="--quiet --verbose --sysroot --help --usage"
	local output="--json --pairs"

	local verb="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--sysroot | -o | --output) ((i++)) ;;
		-*) ;;
		*)
			verb=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	--sysroot | --root)
		_filedir -d
		return
		;;
	-o | --output)
		_vfio_noiommuctl_complete_columns "$cur"
		return
		;;
	--timeout | --lock-timeout | --jobs | -j)
		return
		;;
	--path)
		COMPREPLY=($(compgen -W "cdev group" -- "$cur"))
		return
		;;
	--file)
		_filedir
		return
		;;
	--driver)
		local root
		root=$(_vfio_noiommuctl_root)
		COMPREPLY=($(compgen -W "$(ls "$root/sys/bus/pci/drivers" 2>/dev/null)" -- "$cur"))
		return
		;;
	--check | -c)
		if [[ $verb == taint ]] && ! $split; then
			_vfio_noiommuctl_complete_letters "$cur" ""
			return
		fi
		;;
	esac
	if $split && [[ $prev == --check ]]; then
		_vfio_noiommuctl_complete_letters "$cur" ""
		return
	fi
	$split && return

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common --version $output --raw
				--noheadings --output" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return
	fi

	local opts="" args=""
	case $verb in
	help) args=${verbs% help} ;;
	status) opts="--check $output" ;;
	list)
		opts="--all $output --raw --noheadings --output"
		args=$(_vfio_noiommuctl_bdfs)
		;;
	bind)
		opts="--dry-run --force --group --keep-going --timeout
			--jobs --lock-timeout --persist --root $output"
		args=$(_vfio_noiommuctl_bdfs)
		;;
	unbind)
		opts="--dry-run --force --driver --keep-going --timeout
			--jobs --lock-timeout --persist --root $output"
		args=$(_vfio_noiommuctl_bdfs vfio)
		;;
	apply)
		opts="--dry-run --force --keep-going --timeout --jobs
			--lock-timeout --prune --root --wait --record $output"
		;;
	noiommu)
		opts="--persist --root --unbind --dry-run --lock-timeout $output"
		args="show on off"
		;;
	taint) opts="--check --check= $output" ;;
	smoke-test)
		opts="--path --lock-timeout $output"
		if [[ $cur == /* ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			return
		fi
		args=$(_vfio_noiommuctl_bdfs vfio)
		;;
	report) opts="--json --archive --redact --file" ;;
	metrics) opts="--file" ;;
	udev-match) args=$(_vfio_noiommuctl_bdfs) ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	else
		COMPREPLY=($(compgen -W "$args" -- "$cur"))
		__ltrim_colon_completions "$cur"
	fi
} &&
	complete -F _vfio_noiommuctl vfio-noiommuctl

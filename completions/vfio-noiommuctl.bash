# bash completion for vfio-noiommuctl                        -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later

_vfio_noiommuctl_bdfs()
{
	local d
	for d in /sys/bus/pci/devices/*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/}"
	done
}

_vfio_noiommuctl()
{
	local cur prev words cword
	_init_completion || return

	local verbs="status list bind unbind noiommu taint smoke-test report metrics"
	local common="--quiet --verbose --sysroot --help --usage"
	local columns="BDF ID VENDOR NAME CLASS DRIVER OVERRIDE IOMMU_GROUP NOIOMMU
		CDEV CDEV_REASON GROUP DEVT OWNER MODE OPEN_BY NUMA TAINT"

	local verb="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--sysroot) ((i++)) ;;
		-*) ;;
		*) verb=${words[i]}; break ;;
		esac
	done

	case $prev in
	--sysroot)
		_filedir -d
		return
		;;
	-o | --output)
		local prefix=""
		[[ $cur == +* ]] && prefix="+"
		local last=${cur##*,} head=""
		[[ $cur == *,* ]] && head=${cur%,*},
		head=${head#+}
		COMPREPLY=($(compgen -P "$prefix$head" -W "$columns" -- "${last#+}"))
		compopt -o nospace
		return
		;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return
	fi

	case $verb in
	status)
		COMPREPLY=($(compgen -W "--check --json --pairs $common" -- "$cur"))
		;;
	smoke-test)
		if [[ $prev == --path ]]; then
			COMPREPLY=($(compgen -W "cdev group" -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--path --lock-timeout --json --pairs $common" -- "$cur"))
		elif [[ $cur == /* ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_vfio_noiommuctl_bdfs)" -- "$cur"))
		fi
		;;
	taint)
		COMPREPLY=($(compgen -W "--check --check= --json --pairs $common" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		;;
	noiommu)
		if [[ $prev == --root ]]; then
			_filedir -d
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--persist --root --unbind --dry-run
				--lock-timeout --json --pairs $common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "show on off" -- "$cur"))
		fi
		;;
	bind | unbind)
		if [[ $prev == --driver ]]; then
			COMPREPLY=($(compgen -W "$(ls /sys/bus/pci/drivers 2>/dev/null)" -- "$cur"))
		elif [[ $prev == --timeout || $prev == --lock-timeout ]]; then
			COMPREPLY=()
		elif [[ $cur == -* ]]; then
			local o="--dry-run --force --keep-going --timeout --lock-timeout --json --pairs $common"
			[[ $verb == bind ]] && o+=" --group" || o+=" --driver"
			COMPREPLY=($(compgen -W "$o" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_vfio_noiommuctl_bdfs)" -- "$cur"))
		fi
		;;
	report | metrics)
		if [[ $prev == --file ]]; then
			_filedir
		elif [[ $verb == report ]]; then
			COMPREPLY=($(compgen -W "--json --archive --redact --file $common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--file $common" -- "$cur"))
		fi
		;;
	list)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--all --json --pairs --raw
				--noheadings --output $common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_vfio_noiommuctl_bdfs)" -- "$cur"))
		fi
		;;
	esac
} &&
	complete -F _vfio_noiommuctl vfio-noiommuctl

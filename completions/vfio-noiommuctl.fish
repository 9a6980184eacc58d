# fish completion for vfio-noiommuctl
# SPDX-License-Identifier: GPL-2.0-or-later

set -l verbs status list bind unbind noiommu taint smoke-test report metrics apply udev-match help

# The system looked at: --sysroot DIR or --sysroot=DIR on the line, else
# VFIO_NOIOMMUCTL_SYSROOT, else this host.
function __vfio_noiommuctl_root
    set -l root $VFIO_NOIOMMUCTL_SYSROOT
    set -l words (commandline -opc)
    for i in (seq (count $words))
        switch $words[$i]
            case '--sysroot=*'
                set root (string replace -- '--sysroot=' '' $words[$i])
            case --sysroot
                set -l next (math $i + 1)
                test $next -le (count $words); and set root $words[$next]
        end
    end
    string replace -r '/$' '' -- "$root"
end

# BDFs of the system looked at; with "vfio", only those on a VFIO driver.
function __vfio_noiommuctl_bdfs
    set -l root (__vfio_noiommuctl_root)
    for d in $root/sys/bus/pci/devices/*
        if test "$argv[1]" = vfio; and not test -d $d/vfio-dev
            continue
        end
        basename $d
    end
end

# Column names in the case the user types, after those already given.
function __vfio_noiommuctl_columns
    set -l cols BDF ID VENDOR NAME CLASS DRIVER OVERRIDE IOMMU_GROUP NOIOMMU CDEV CDEV_STATE CDEV_REASON GROUP DEVT OWNER MODE OPEN_BY NUMA TAINT JOURNAL ORIG_DRIVER DECLARED
    set -l tok (commandline -ct | string replace -r '^--output=' '')
    # One word, empty when there is nothing before the column typed: an
    # empty list would make $head$cols empty too.
    set -l head (string match -r '^.*,' -- $tok; or string match -r '^\+' -- $tok; or echo)
    if string match -qr '[a-z]' -- (string replace -r '^.*[,+]' '' -- $tok)
        set cols (string lower -- $cols)
    end
    printf '%s\n' $head$cols
end

# Taint letters, appended to those already typed.
function __vfio_noiommuctl_letters
    set -l tok (commandline -ct | string replace -r '^(--check=|-c)' '')
    for l in P F S R M B U D A W C I O E L K X T N J
        string match -q -- "*$l*" $tok; or printf '%s%s\n' $tok $l
    end
end

complete -c vfio-noiommuctl -f

# Before the command: the common and output options, then a command.
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a status -d 'kernel support, no-IOMMU mode, modules, devices, taint'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a list -d 'VFIO devices (or all PCI functions) with their state'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a bind -d 'bind devices to vfio-pci, guarded, journaled, verified'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a unbind -d 'return devices to the driver they had before bind'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a noiommu -d 'show or switch no-IOMMU mode, now and across reboots'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a taint -d 'decode kernel taint and say which device set U'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a smoke-test -d 'drive a bound device through iommufd or its group'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a report -d 'one file (JSON or tar) for a support ticket'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a metrics -d "OpenMetrics for node_exporter's textfile collector"
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a apply -d 'converge the host on the declared state (idempotent)'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a udev-match -d 'for the udev rule: is this PCI function declared?'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -a help -d "this help, or a command's"
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -s V -l version -d 'print the version'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -s r -l raw -d 'raw table (list)'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -s n -l noheadings -d 'no header line (list)'
complete -c vfio-noiommuctl -n "not __fish_seen_subcommand_from $verbs" -s o -l output -x -a '(__vfio_noiommuctl_columns)' -d 'columns (list)'

complete -c vfio-noiommuctl -s q -l quiet -d 'print only errors and requested output'
complete -c vfio-noiommuctl -s v -l verbose -d 'say more'
complete -c vfio-noiommuctl -l sysroot -r -a '(__fish_complete_directories)' -d 'look at a recorded tree'
complete -c vfio-noiommuctl -s h -l help -d 'show help'
complete -c vfio-noiommuctl -s J -l json -d 'print JSON'
complete -c vfio-noiommuctl -s P -l pairs -d 'print KEY="value" pairs'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from help" -a "status list bind unbind noiommu taint smoke-test report metrics apply udev-match"

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from status" -s c -l check -d 'only say whether no-IOMMU assignment is possible'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from list" -s a -l all -d 'every PCI function'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from list" -s r -l raw -d 'raw table'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from list" -s n -l noheadings -d 'no header line'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from list" -s o -l output -x -a '(__vfio_noiommuctl_columns)' -d 'columns'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from list" -a '(__vfio_noiommuctl_bdfs)' -d 'PCI device'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind apply" -l dry-run -d 'print the plan, write nothing'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind apply" -l force -d 'pass the soft guards'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind apply" -l keep-going -d 'keep the devices that succeed'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind apply" -l timeout -x -d 'seconds to wait'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind apply" -s j -l jobs -x -d 'devices at once'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind noiommu smoke-test apply" -l lock-timeout -x -d 'seconds to wait for the lock'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind" -l group -d 'bind the whole IOMMU group'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind" -a '(__vfio_noiommuctl_bdfs)' -d 'PCI device'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from unbind" -l driver -x -a '(ls (__vfio_noiommuctl_root)/sys/bus/pci/drivers)' -d 'driver to restore'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from unbind" -a '(__vfio_noiommuctl_bdfs vfio)' -d 'device on a VFIO driver'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from noiommu; and not __fish_seen_subcommand_from show on off" -a 'show on off'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from noiommu" -l persist -d 'also for every boot'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from noiommu" -l root -r -a '(__fish_complete_directories)' -d 'write into a system image'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from noiommu" -l unbind -d '(off) first unbind no-IOMMU devices'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from noiommu" -l dry-run -d 'print what would be written'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from taint" -s c -l check -x -a '(__vfio_noiommuctl_letters)' -d 'exit 1 when one of these flags is set'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from smoke-test" -l path -x -a 'cdev group' -d 'test this path'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from smoke-test" -a '(__vfio_noiommuctl_bdfs vfio)' -d 'device on a VFIO driver'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from udev-match" -a '(__vfio_noiommuctl_bdfs)' -d 'PCI device'

complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from report" -s J -l json -d 'write the JSON document (the default)'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from report" -l archive -d 'write a tar archive'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from report" -l redact -d 'replace host names, addresses and serial numbers'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from report metrics" -l file -r -F -d 'write to this file'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from apply" -l prune -d 'unbind devices bound by the tool but no longer declared'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from apply" -l root -r -a '(__fish_complete_directories)' -d 'read the declared state from a system image'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from apply" -l wait -x -d 'seconds to wait for the devices and their nodes'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from apply" -l record -d 'keep what the run did for status (the boot unit)'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind" -l persist -d 'also declare it (unbind: remove its entry)'
complete -c vfio-noiommuctl -n "__fish_seen_subcommand_from bind unbind" -l root -r -a '(__fish_complete_directories)' -d 'with --persist: only the entry, inside a system image'

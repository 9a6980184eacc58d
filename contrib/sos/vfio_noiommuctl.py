# SPDX-License-Identifier: GPL-2.0-or-later
"""sos report plugin for vfio-noiommuctl.

Install it beside sos's own plugins (the sos/report/plugins directory of
the Python package, e.g. /usr/lib/python3/dist-packages/sos/report/plugins)
or propose it upstream. Then 'sos report -o vfio_noiommuctl' collects it
alone, and a plain 'sos report' collects it on every host where the tool
is installed. Works with sos 4.0 (Debian 12) and later.
"""

from sos.report.plugins import (DebianPlugin, IndependentPlugin, Plugin,
                                RedHatPlugin, UbuntuPlugin)

try:  # sos >= 4.3
    from sos.report.plugins import PluginOpt
    OPTIONS = [PluginOpt('binary', default='vfio-noiommuctl',
                         desc='the vfio-noiommuctl to run')]
except ImportError:  # sos 4.0 to 4.2: (name, description, speed, default)
    OPTIONS = [('binary', 'the vfio-noiommuctl to run', 'fast',
                'vfio-noiommuctl')]


# Every tagging class: sos 4.0's Debian policy loads DebianPlugin
# subclasses only, not IndependentPlugin ones (seen with Debian 12's sos).
class VfioNoiommuctl(Plugin, IndependentPlugin, RedHatPlugin, DebianPlugin,
                     UbuntuPlugin):
    """VFIO device assignment without an IOMMU, as vfio-noiommuctl sees it:
    its report (status, every PCI function, which device tainted the
    kernel and when, the no-IOMMU mode and every setting of it, the bind
    journal, driverctl overrides, the kernel's VFIO and IOMMU configuration
    and log lines, modprobe.d lines) and the files it is made from.
    sos's own --clean obfuscates host names and addresses in all of it.
    """

    short_desc = 'VFIO no-IOMMU device assignment (vfio-noiommuctl)'
    plugin_name = 'vfio_noiommuctl'
    profiles = ('hardware', 'kernel', 'virt')
    commands = ('vfio-noiommuctl',)
    # sos runs commands with its own PATH (/usr/sbin, /usr/bin, ...): a
    # tool installed elsewhere is named with -k vfio_noiommuctl.binary=PATH.
    option_list = OPTIONS

    # The files report reads (besides /sys, /dev/kmsg and /proc), for
    # anyone who wants them raw.
    files_read = [
        '/proc/cmdline',
        '/proc/sys/kernel/tainted',
        '/etc/modprobe.d',
        '/run/modprobe.d',
        '/usr/local/lib/modprobe.d',
        '/usr/lib/modprobe.d',
        '/lib/modprobe.d',
        '/etc/driverctl.d',
        '/run/vfio-noiommuctl/journal',
        '/etc/vfio-noiommuctl',
        '/sys/module/vfio/parameters',
        '/sys/module/vfio_pci/parameters',
        '/sys/module/iommufd/parameters',
    ]

    def tool(self, args):
        """The tool, pointed at sos's --sysroot when there is one: both
        mean the root file system of the host looked at."""
        cmd = self.get_option('binary') or 'vfio-noiommuctl'
        if self.use_sysroot():
            cmd += ' --sysroot %s' % self.sysroot
        return cmd + ' ' + args

    def setup(self):
        # Run outside any chroot: the tool reads the sysroot itself.
        self.add_cmd_output(self.tool('report --json'), chroot=False,
                            suggest_filename='vfio-noiommuctl_report.json')
        for args in ('status', 'list --all', 'taint', 'noiommu show',
                     'metrics'):
            self.add_cmd_output(self.tool(args), chroot=False)
        self.add_copy_spec(self.files_read)

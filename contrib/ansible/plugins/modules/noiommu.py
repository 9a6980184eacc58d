#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: noiommu
short_description: Switch vfio's no-IOMMU mode, now and at every boot
version_added: "0.1.0"
description:
  - Sets vfio's C(enable_unsafe_noiommu_mode) through
    C(vfio-noiommuctl noiommu on|off --json), and with I(persist) its
    setting for every boot (a modprobe.d file, or the kernel command line
    to add when vfio is built in). The module never touches sysfs itself.
  - Devices bound without an IOMMU get no DMA isolation and taint the
    kernel (U); see vfio-noiommuctl(8).
author:
  - vfio-noiommuctl developers
options:
  state:
    description: The mode.
    type: str
    choices: ['on', 'off']
    required: true
  persist:
    description: Also set it for every boot (C(--persist)).
    type: bool
    default: false
  unbind:
    description: With I(state=off), first return every bound no-IOMMU
      device to its original driver (C(--unbind)).
    type: bool
    default: false
  root:
    description: Write only the persistent setting, into the system image
      at this directory (C(--root); implies I(persist)); the running
      kernel is not changed.
    type: path
  sysroot:
    description: A recorded tree the tool looks at instead of this host
      (C(--sysroot)); it is never written, so without I(root) only check
      mode works there.
    type: path
  executable:
    description: The vfio-noiommuctl program (default from C(PATH)).
    type: path
notes:
  - Supports check mode (C(--dry-run); C(changed) is what the run would
    report) and diff mode (the parameter and the persistent file before
    and after).
seealso:
  - module: vfio_noiommuctl.host.binding
  - module: vfio_noiommuctl.host.facts
'''

EXAMPLES = r'''
- name: No-IOMMU mode on, now and at every boot
  vfio_noiommuctl.host.noiommu:
    state: "on"
    persist: true

- name: Off, returning the devices first
  vfio_noiommuctl.host.noiommu:
    state: "off"
    unbind: true
    persist: true

- name: On at every boot of an image being built
  vfio_noiommuctl.host.noiommu:
    state: "on"
    root: /srv/images/dpdk
'''

RETURN = r'''
noiommu:
  description: The JSON document of C(vfio-noiommuctl noiommu on|off)
    (in check mode, of its C(--dry-run)).
  returned: always
  type: dict
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vfio_noiommuctl.host.plugins.module_utils.tool \
    import COMMON_ARGS, Tool


def part_changed(doc, key):
    return bool(doc.get(key) and doc[key].get('changed'))


def persist_path(doc, root):
    """The persistent file the document names; with --root the tool names
    it inside the root or as the image sees it, depending on the path it
    took, so both spellings are accepted."""
    f = (doc.get('persist') or {}).get('file')
    if not f or not root or f.startswith(root.rstrip('/') + '/'):
        return f
    return os.path.join(root, f.lstrip('/'))


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except (IOError, OSError, TypeError):
        return ''


def diff(plan, doc, before_file, after_file, path):
    """The parameter (when the run changes it) and the persistent file."""
    out = []
    if plan.get('parameter'):
        param = plan['parameter']
        after = (doc.get('parameter') or param).get('after')
        out.append(dict(before_header='enable_unsafe_noiommu_mode',
                        after_header='enable_unsafe_noiommu_mode',
                        before='%s\n' % (param.get('before') or ''),
                        after='%s\n' % (after or '')))
    if path:
        out.append(dict(before_header=path, after_header=path,
                        before=before_file, after=after_file))
    return out


ARGUMENT_SPEC = dict(
    state=dict(type='str', required=True, choices=['on', 'off']),
    persist=dict(type='bool', default=False),
    unbind=dict(type='bool', default=False),
    root=dict(type='path'),
)
ARGUMENT_SPEC.update(COMMON_ARGS)


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC,
                           supports_check_mode=True)
    p = module.params
    tool = Tool(module)

    argv = ['noiommu', p['state'], '--json']
    if p['root']:
        argv += ['--root', p['root']]
    elif p['persist']:
        argv.append('--persist')
    if p['unbind']:
        argv.append('--unbind')
    rc, plan, out, err = tool.run(argv + ['--dry-run'])
    path = persist_path(plan, p['root'])
    before_file = read(path)
    doc = plan
    if not module.check_mode:
        rc, doc, out, err = tool.run(argv)
    changed = part_changed(doc, 'parameter') or part_changed(doc, 'persist')
    result = dict(changed=changed, noiommu=doc)
    if module._diff:
        after_file = before_file
        if part_changed(doc, 'persist'):
            after_file = read(path) if not module.check_mode else \
                doc['persist'].get('text') or ''
        result['diff'] = diff(plan, doc, before_file, after_file, path)
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: facts
short_description: The VFIO no-IOMMU state of a host, as facts
version_added: "0.1.0"
description:
  - Returns C(vfio-noiommuctl status --json) and
    C(vfio-noiommuctl list --all --json) as the fact C(vfio_noiommuctl)
    (keys C(status) and C(list)). Reads only; the documents' fields are
    described in vfio-noiommuctl(8), JSON DOCUMENTS.
author:
  - vfio-noiommuctl developers
options:
  sysroot:
    description: A recorded tree to look at instead of this host
      (C(--sysroot)).
    type: path
  executable:
    description: The vfio-noiommuctl program (default from C(PATH)).
    type: path
notes:
  - Supports check mode (it changes nothing).
seealso:
  - module: vfio_noiommuctl.host.binding
  - module: vfio_noiommuctl.host.noiommu
'''

EXAMPLES = r'''
- name: Read the VFIO state
  vfio_noiommuctl.host.facts:

- name: Which PCI functions are on vfio-pci
  ansible.builtin.debug:
    msg: "{{ vfio_noiommuctl.list.devices
             | selectattr('driver', 'equalto', 'vfio-pci')
             | map(attribute='bdf') | list }}"
'''

RETURN = r'''
ansible_facts:
  description: The facts.
  returned: always
  type: complex
  contains:
    vfio_noiommuctl:
      description: C(status) and C(list) (every PCI function) documents.
      returned: always
      type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vfio_noiommuctl.host.plugins.module_utils.tool \
    import COMMON_ARGS, Tool


ARGUMENT_SPEC = dict(COMMON_ARGS)


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC,
                           supports_check_mode=True)
    tool = Tool(module)
    facts = {}
    for key, argv in (('status', ['status', '--json']),
                      ('list', ['list', '--all', '--json'])):
        facts[key] = tool.run(argv)[1]
    module.exit_json(changed=False,
                     ansible_facts=dict(vfio_noiommuctl=facts))


def main():
    run_module()


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: binding
short_description: Declare a PCI device's vfio-pci binding and converge on it
version_added: "0.1.0"
description:
  - Manages one device's entry in the declared state of vfio-noiommuctl
    (one file per device in C(/etc/vfio-noiommuctl/), see
    vfio-noiommuctl.conf(5)), then runs C(vfio-noiommuctl apply) so that
    the host is in that state. The module never touches sysfs; binding,
    guards, journal and roll-back are the tool's.
  - The file is named as C(vfio-noiommuctl bind --persist) names it,
    C(50-KIND-VALUE.conf), so the module and the tool never declare one
    identity twice.
  - Before anything is written the whole declared state, with the change,
    is planned with C(apply --dry-run) against a scratch copy; invalid
    input (an unknown owner, a malformed identity) or a plan the tool
    refuses fails the task and writes nothing.
  - Removing an entry (I(state=absent)) leaves the device where it is
    unless I(prune=true), which returns every device the tool bound that
    is no longer declared to its driver.
author:
  - vfio-noiommuctl developers
options:
  state:
    description: Whether the entry is declared.
    type: str
    choices: [present, absent]
    default: present
  device:
    description:
      - The address of the device now (C(0000:03:00.0)); the tool chooses
        the stable identity (serial number, else topological path, with all
        four IDs as the cross-check) the way C(bind --persist) does. The
        device must be present.
      - Exactly one of I(device), I(serial), I(path), I(ids) and I(bdf).
    type: str
  serial:
    description: Match by PCI Express Device Serial Number,
      C(XX-XX-XX-XX-XX-XX-XX-XX[.F]), lower case.
    type: str
  path:
    description: Match by topological path, C(DDDD:BB:DD.F[/DD.F...]).
    type: str
  ids:
    description: Match every function with these IDs,
      C(VVVV:DDDD[:SVVV:SDDD]).
    type: str
  bdf:
    description: Match by address, C(DDDD:BB:DD.F) (the least stable; add
      I(id)).
    type: str
  id:
    description: The IDs the device must have (C(VVVV:DDDD[:SVVV:SDDD])),
      the cross-check for I(serial), I(path) and I(bdf).
    type: str
  owner:
    description: Owner (name or number) of the device's VFIO nodes. A name
      must be in the passwd file of I(root).
    type: str
  group:
    description: Group (name or number) of the device's VFIO nodes.
    type: str
  mode:
    description: Permission bits of the device's VFIO nodes, an octal
      string such as C("0660") (quote it, or YAML reads a number).
    type: raw
  noiommu:
    description:
      - The device is used without an IOMMU; its file also declares
        C([noiommu] mode = on), so that apply turns the mode on before it
        binds the device, and C(apply --dry-run) (check mode) plans the
        bind with the mode on even when an earlier task only predicted
        turning it on. Give it on hosts without an IOMMU.
    type: bool
    default: false
  root:
    description:
      - The system whose C(etc/vfio-noiommuctl/) holds the declared state
        (C(--root) of the tool), for example an image being built.
    type: path
    default: /
  apply:
    description:
      - Run C(vfio-noiommuctl apply) after the change, so that the host is
        in the declared state. Set to false for an image (I(root)) whose
        devices are not the ones of the host running the play; the
        declared state is then only checked for invalid input.
    type: bool
    default: true
  prune:
    description: Pass C(--prune) to apply.
    type: bool
    default: false
  force:
    description: Pass C(--force) to apply (the soft guards).
    type: bool
    default: false
  sysroot:
    description:
      - A recorded tree the tool looks at instead of this host
        (C(--sysroot)). The tool never writes there, so apply only plans;
        the plan is returned, and C(changed) covers the file alone.
    type: path
  executable:
    description: The vfio-noiommuctl program (default from C(PATH)).
    type: path
notes:
  - Supports check mode (the plan of C(apply --dry-run); C(changed) is
    what the run would report) and diff mode (the file before and after).
seealso:
  - module: vfio_noiommuctl.host.noiommu
  - module: vfio_noiommuctl.host.facts
'''

EXAMPLES = r'''
- name: The first port of the dual-port card, for DPDK
  vfio_noiommuctl.host.binding:
    serial: 00-1b-21-ff-ff-a1-b2-c3.0
    id: 8086:1521
    owner: dpdk
    group: dpdk
    mode: "0660"
    noiommu: true

- name: Whatever is at 0000:03:00.0 now, by the identity the tool chooses
  vfio_noiommuctl.host.binding:
    device: "0000:03:00.0"

- name: No longer declared, and back on its driver
  vfio_noiommuctl.host.binding:
    path: 0000:00:1c.0/00.0
    state: absent
    prune: true

- name: Declare a device in an image being built (no apply on this host)
  vfio_noiommuctl.host.binding:
    ids: 8086:10d3
    root: /srv/images/dpdk
    apply: false
'''

RETURN = r'''
path:
  description: The entry's file.
  returned: always
  type: str
  sample: /etc/vfio-noiommuctl/50-serial-00-1b-21-ff-ff-a1-b2-c3.0.conf
match:
  description: The entry's identity, as written in the file.
  returned: always
  type: str
  sample: serial 00-1b-21-ff-ff-a1-b2-c3.0
file_changed:
  description: Whether the file was (in check mode, would be) written or
    removed.
  returned: always
  type: bool
apply:
  description: The JSON document of C(vfio-noiommuctl apply) (in check
    mode and under I(sysroot), of C(apply --dry-run)).
  returned: when apply is true
  type: dict
'''

import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vfio_noiommuctl.host.plugins.module_utils.tool \
    import ANY_BUT_USAGE, COMMON_ARGS, EXIT_OK, EXIT_WOULD_CHANGE, Tool

STATE_DIR = 'etc/vfio-noiommuctl'
HEADER = '# Managed by Ansible (vfio_noiommuctl.host.binding).\n'

# The canonical spellings (vfio-noiommuctl.conf(5), IDENTITIES): the file
# name is made from them, so a second spelling would be a second file.
HEX4 = '[0-9a-f]{4}'
FUNC = '[01][0-9a-f]\\.[0-7]'
BDF = HEX4 + ':[0-9a-f]{2}:' + FUNC
CANONICAL = {
    'serial': '[0-9a-f]{2}(-[0-9a-f]{2}){7}(\\.[0-7])?',
    'path': BDF + '(/' + FUNC + ')*',
    'id': HEX4 + ':' + HEX4 + '(:' + HEX4 + ':' + HEX4 + ')?',
    'bdf': BDF,
}
OPTION_KIND = {'serial': 'serial', 'path': 'path', 'ids': 'id', 'bdf': 'bdf'}


def canonical(module, option, kind, value):
    value = value.strip().lower()
    if not re.match('^(%s)$' % CANONICAL[kind], value):
        module.fail_json(msg='%s=%r: not a canonical %s (see '
                         'vfio-noiommuctl.conf(5), IDENTITIES)'
                         % (option, value, kind))
    return value


def file_name(kind, value):
    """vn_entry_file_name() in src/lib/state.c."""
    return '50-%s-%s.conf' % (kind, value.replace(':', '-')
                              .replace('/', '_'))


def mode_text(module, mode):
    if isinstance(mode, int):
        return '%04o' % mode
    if not re.match('^[0-7]{3,4}$', str(mode)):
        module.fail_json(msg='mode=%r: not three or four octal digits'
                         % (mode,))
    return '%04o' % int(str(mode), 8)


def extra_lines(module):
    """What the module adds to the [device] lines: ownership, then the
    [noiommu] section."""
    p = module.params
    lines = ''
    for key in ('owner', 'group'):
        if p[key] is not None:
            lines += '%s = %s\n' % (key, p[key])
    if p['mode'] is not None:
        lines += 'mode = %s\n' % mode_text(module, p['mode'])
    if p['noiommu']:
        lines += '\n[noiommu]\nmode = on\n'
    return lines


def render(module, kind, value):
    ids = module.params['id']
    text = HEADER + '[device]\nmatch = %s %s\n' % (kind, value)
    if ids:
        text += 'id = %s\n' % canonical(module, 'id', 'id', ids)
    return text + 'driver = vfio-pci\n' + extra_lines(module)


def from_tool(module, tool, bdf):
    """The entry bind --persist writes for the device now at bdf: written
    into a scratch root, so that the tool alone chooses the identity."""
    scratch = tempfile.mkdtemp(prefix='vfio-noiommuctl-entry.')
    try:
        tool.run(['bind', '--persist', '--root', scratch, '--quiet', bdf])
        d = os.path.join(scratch, STATE_DIR)
        names = os.listdir(d)
        if len(names) != 1:
            module.fail_json(msg='bind --persist wrote %r' % names)
        with open(os.path.join(d, names[0])) as f:
            text = f.read()
    finally:
        shutil.rmtree(scratch)
    m = re.search('^match = (.*)$', text, re.M)
    return names[0], m.group(1), text + extra_lines(module)


def entry(module, tool):
    """(file name, match, text the file should hold)."""
    p = module.params
    if p['device'] is not None:
        bdf = canonical(module, 'device', 'bdf', p['device'])
        return from_tool(module, tool, bdf)
    option = next(o for o in OPTION_KIND if p[o] is not None)
    kind = OPTION_KIND[option]
    value = canonical(module, option, kind, p[option])
    if kind == 'id' and p['id']:
        module.fail_json(msg='id= is the cross-check of serial, path and '
                         'bdf; ids= already names the IDs')
    return file_name(kind, value), '%s %s' % (kind, value), \
        render(module, kind, value)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except (IOError, OSError):
        return None


def copy_if_there(src, dst):
    text = read(src)
    if text is not None:
        with open(dst, 'w') as f:
            f.write(text)


def plan(module, tool, root, name, text, file_changed):
    """apply --dry-run on the declared state as it would be. When the file
    stays as it is, that is the root itself: apply's own plan, exactly (the
    udev rule it renders names the entries' files, so a plan made on a copy
    would always see the rule change). Otherwise a scratch root holding the
    other files, this one written or left out, and the root's passwd and
    group, which owner and group names are read from.
    Returns (exit status, document)."""
    if not file_changed:
        return dry_run(module, tool, root, None)
    scratch = tempfile.mkdtemp(prefix='vfio-noiommuctl-plan.')
    try:
        src = os.path.join(root, STATE_DIR)
        dst = os.path.join(scratch, STATE_DIR)
        os.makedirs(dst)
        for n in sorted(os.listdir(src)) if os.path.isdir(src) else []:
            if n.endswith('.conf') and not n.startswith('.') and n != name:
                copy_if_there(os.path.join(src, n), os.path.join(dst, n))
        if text is not None:
            with open(os.path.join(dst, name), 'w') as f:
                f.write(text)
        for n in ('passwd', 'group'):
            copy_if_there(os.path.join(root, 'etc', n),
                          os.path.join(scratch, 'etc', n))
        return dry_run(module, tool, scratch, root)
    finally:
        shutil.rmtree(scratch)


def dry_run(module, tool, where, root):
    """apply --dry-run --json reading the declared state in where; root:
    the name a scratch copy stands for in the output."""
    args = ['apply', '--dry-run', '--json'] + apply_options(module)
    if where != '/':
        args += ['--root', where]
    # Without apply, the devices may be another host's: only invalid
    # input fails.
    ok = (EXIT_OK, EXIT_WOULD_CHANGE) if module.params['apply'] else \
        ANY_BUT_USAGE
    rename = (where, root.rstrip('/')) if root else None
    rc, doc, out, err = tool.run(args, ok=ok, rename=rename)
    return rc, doc


def apply_options(module):
    return [o for o in ('--prune', '--force')
            if module.params[o.lstrip('-')]]


def state_dir(module, root):
    """ROOT/etc/vfio-noiommuctl, created if missing; refused when a
    symbolic link would lead the write out of the root."""
    d = os.path.join(root, STATE_DIR)
    if not os.path.isdir(d):
        os.makedirs(d, 0o755)
    if os.path.realpath(d) != os.path.join(os.path.realpath(root),
                                           STATE_DIR):
        module.fail_json(msg='%s: a symbolic link leads it out of %s; '
                         'refusing to write there' % (d, root))
    return d


def write(module, path, text):
    """Atomically: a temporary file in the directory, then rename."""
    fd, tmp = tempfile.mkstemp(prefix='.', suffix='.tmp',
                               dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except Exception:
        os.unlink(tmp)
        raise


def change_file(module, tool, path, text):
    """Write or remove the entry, through bind/unbind --persist when the
    tool wrote the text alone (device=, nothing added)."""
    p = module.params
    by_tool = p['device'] is not None and not extra_lines(module)
    root = p['root']
    if by_tool:
        verb = 'bind' if text is not None else 'unbind'
        tool.run([verb, '--persist', '--root', root, '--quiet',
                  canonical(module, 'device', 'bdf', p['device'])])
        return
    try:
        if text is None:
            os.unlink(path)
        else:
            write(module, path, text)
    except (IOError, OSError) as e:
        module.fail_json(msg='%s: cannot %s it: %s'
                         % (path, 'write' if text else 'remove', e))


ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present',
               choices=['present', 'absent']),
    device=dict(type='str'),
    serial=dict(type='str'),
    path=dict(type='str'),
    ids=dict(type='str'),
    bdf=dict(type='str'),
    id=dict(type='str'),
    owner=dict(type='str'),
    group=dict(type='str'),
    mode=dict(type='raw'),
    noiommu=dict(type='bool', default=False),
    root=dict(type='path', default='/'),
    apply=dict(type='bool', default=True),
    prune=dict(type='bool', default=False),
    force=dict(type='bool', default=False),
)
ARGUMENT_SPEC.update(COMMON_ARGS)
IDENTITIES = ['device', 'serial', 'path', 'ids', 'bdf']


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC,
                           supports_check_mode=True,
                           mutually_exclusive=[IDENTITIES],
                           required_one_of=[IDENTITIES])
    p = module.params
    tool = Tool(module)
    root = p['root']

    name, match, text = entry(module, tool)
    if p['state'] == 'absent':
        text = None
    path = os.path.join(root, STATE_DIR, name)
    before = read(path)
    file_changed = before != text
    rc, doc = plan(module, tool, root, name, text, file_changed)
    result = dict(changed=file_changed, path=path, match=match,
                  file_changed=file_changed)
    if p['apply']:
        result['apply'] = doc
    if module._diff:
        result['diff'] = dict(before=before or '', after=text or '',
                              before_header=path, after_header=path)
    real = p['apply'] and not p['sysroot']
    if module.check_mode:
        result['changed'] = file_changed or \
            (real and rc == EXIT_WOULD_CHANGE)
        module.exit_json(**result)

    if file_changed:
        state_dir(module, root)
        change_file(module, tool, path, text)
        after = read(path)
        if after != text:
            module.fail_json(msg='%s: holds %r after the change, not %r'
                             % (path, after, text), **result)
    if real:
        args = ['apply', '--json'] + apply_options(module)
        if root != '/':
            args += ['--root', root]
        rc, doc, out, err = tool.run(args)
        result['apply'] = doc
        result['changed'] = file_changed or bool(doc and doc['changed'])
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()

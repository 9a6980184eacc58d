# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
"""Running vfio-noiommuctl for the collection's modules: one place that
builds the command line (--sysroot first, as a common option), reads the
JSON document and turns an unexpected exit status into fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# The options every module has (merged into each argument_spec).
COMMON_ARGS = dict(
    executable=dict(type='path'),
    sysroot=dict(type='path'),
)

# vfio-noiommuctl(8), EXIT STATUS.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_WOULD_CHANGE = 7


class AnyBut(object):
    def __init__(self, *bad):
        self.bad = bad

    def __contains__(self, rc):
        return rc not in self.bad


ANY_BUT_USAGE = AnyBut(EXIT_USAGE)


class Tool(object):
    def __init__(self, module):
        self.module = module
        self.exe = module.params.get('executable') or \
            module.get_bin_path('vfio-noiommuctl', required=True)
        self.sysroot = module.params.get('sysroot')

    def command(self, args):
        cmd = [self.exe]
        if self.sysroot:
            cmd += ['--sysroot', self.sysroot]
        return cmd + list(args)

    def run(self, args, ok=(EXIT_OK,), rename=None):
        """Run the tool; return (rc, JSON document or None, stdout, stderr).
        rename: (from, to) replaced in its output, for a plan made against
        a scratch copy of a root. An exit status not in ok (a container:
        ANY_BUT_USAGE takes all but 2) fails the module with the tool's
        own message."""
        cmd = self.command(args)
        rc, out, err = self.module.run_command(
            cmd, environ_update={'LC_ALL': 'C'})
        if rename:
            out = out.replace(rename[0], rename[1])
            err = err.replace(rename[0], rename[1])
        doc = None
        if out.strip().startswith('{'):
            try:
                doc = json.loads(out)
            except ValueError:
                doc = None
        if rc not in ok:
            shown = ' '.join(cmd)
            if rename:
                shown = shown.replace(rename[0], rename[1])
            reason = err.strip() or '; '.join(reasons(doc)) or 'no message'
            self.module.fail_json(
                msg='%s exited with status %d: %s' % (shown, rc, reason),
                rc=rc, cmd=cmd, stdout=out, stderr=err, document=doc)
        return rc, doc, out, err


def reasons(doc):
    """Why a document's run failed, from its parts: the error, the entries
    of the declared state that were not acted on, and the devices of the
    bind or unbind transactions with their reasons (apply --json prints
    these in the document rather than on stderr)."""
    if not isinstance(doc, dict):
        return []
    out = [doc['error']] if doc.get('error') else []
    for e in doc.get('entries') or []:
        if e.get('reason'):
            out.append('%s:%s %s %s: %s' % (e.get('file'), e.get('line'),
                                            e.get('kind'), e.get('match'),
                                            e['reason']))
    for part in ('bind', 'unbind'):
        for d in (doc.get(part) or {}).get('devices') or []:
            if d.get('reason'):
                out.append('%s %s: %s: %s' % (part, d.get('bdf'),
                                              d.get('result'), d['reason']))
    return out

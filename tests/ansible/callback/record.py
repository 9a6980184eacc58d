# SPDX-License-Identifier: GPL-2.0-or-later
# A stdout callback for tests/ansible/run.py: every task's result (name,
# status, changed, diff, the module's return) as one JSON list written to
# $VN_ANSIBLE_RECORD when the play ends. ansible-core has no JSON callback
# of its own (ansible.posix's is not in Debian's ansible-core).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: record
type: stdout
short_description: record every task result as JSON for the tests
description: Writes the results to the file named by VN_ANSIBLE_RECORD.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'record'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.results = []

    def _add(self, result, status):
        r = result._result
        self.results.append(dict(name=result._task.get_name(), status=status,
                                 changed=bool(r.get('changed')),
                                 diff=r.get('diff'), msg=r.get('msg'),
                                 result=r))

    def v2_runner_on_ok(self, result):
        self._add(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._add(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._add(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._add(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['VN_ANSIBLE_RECORD'], 'w') as f:
            json.dump(self.results, f, default=str, indent=1)

# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by run.py and sanity.py."""
import shutil

NS, NAME = "vfio_noiommuctl", "host"


def ansible_python():
    """The interpreter ansible-core is installed for (Debian's python3),
    from ansible-playbook's first line; None without ansible-core. The
    tests' own python3 may be another one, which cannot import ansible."""
    exe = shutil.which("ansible-playbook")
    if not exe:
        return None
    with open(exe) as f:
        line = f.readline()
    return line[2:].split()[0] if line.startswith("#!") else None


failures = []


def check(ok, what, detail=""):
    """One line per check; what failed is printed again at the end."""
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        if detail:
            print(detail.rstrip())
        failures.append(what)


def summary():
    """The exit status: 1 when a check failed."""
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0

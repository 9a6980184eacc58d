#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Test contrib/sos/vfio_noiommuctl.py with the sos of Debian's package.

run.py EXE: runs 'sos report -o vfio_noiommuctl' against the fixture host
'support' (a recorded tree) through sos's --sysroot, with the plugin added
to a private copy of sos's plugin package (nothing is installed), and
checks what lands in the report. Exit 77 when sos is not installed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests", "fixtures"))

from hosts import support  # noqa: E402
from run import snapshot  # noqa: E402

# Debian's python3 and sos (a python3 earlier in PATH may not see them).
PY = "/usr/bin/python3"
SOS = "/usr/bin/sos"
PLUGIN_DIR = "vfio_noiommuctl"


def sos_package():
    p = subprocess.run([PY, "-c", "import os, sos; print(os.path.dirname("
                        "sos.__file__), sos.__version__)"],
                       capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(SOS):
        return None, None
    return p.stdout.split()


def checks(report_dir):
    fails = []
    cmds = os.path.join(report_dir, "sos_commands", PLUGIN_DIR)
    with open(os.path.join(cmds, "vfio-noiommuctl_report.json")) as f:
        doc = json.load(f)
    want = {("status", "access_paths"): "both",
            ("host", "hostname"): "db-prod-17.example.com",
            ("report", "redacted"): False}
    for (a, b), v in want.items():
        if doc.get(a, {}).get(b) != v:
            fails.append("report.json %s.%s = %r" % (a, b, doc.get(a, {}).get(b)))
    if not doc["report"]["sysroot"]:
        fails.append("the tool did not look at sos's --sysroot")
    if doc["taint"]["attributions"][0]["bdf"] != "0000:00:03.0":
        fails.append("taint attribution: %r" % doc["taint"]["attributions"])
    texts = {}
    for name in os.listdir(cmds):
        with open(os.path.join(cmds, name), errors="replace") as f:
            texts[name] = f.read()
    for name, frag in [("vfio-noiommuctl_--sysroot_", "Access paths    both"),
                       ("list_--all", "0000:00:03.0"),
                       ("_taint", "Why U is set"),
                       ("noiommu_show", "Mode            on"),
                       ("_metrics", "vfio_noiommuctl_kernel_taint 64")]:
        hits = [n for n in texts if name in n and frag in texts[n]]
        if not hits:
            fails.append("no command output with %r containing %r (have %s)"
                         % (name, frag, ", ".join(sorted(texts))))
    for path in ["proc/cmdline", "etc/driverctl.d/pci-0000:00:02.0",
                 "run/vfio-noiommuctl/journal/0000:00:02.0",
                 "etc/modprobe.d/dpdk.conf",
                 "sys/module/vfio/parameters/enable_unsafe_noiommu_mode"]:
        if not os.path.exists(os.path.join(report_dir, path)):
            fails.append("the report lacks the file %s" % path)
    return fails


def main():
    exe = os.path.abspath(sys.argv[1])
    pkg, version = sos_package()
    if not pkg:
        print("# SKIP: Debian's sos (package sosreport) is not installed")
        return 77
    print("# sos %s from %s" % (version, pkg))
    with tempfile.TemporaryDirectory(prefix="vn-sos-") as tmp:
        if os.environ.get("VN_SOS_KEEP"):
            tmp = tempfile.mkdtemp(prefix="vn-sos-kept-")
        lib = os.path.join(tmp, "lib")
        shutil.copytree(pkg, os.path.join(lib, "sos"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(os.path.join(SRC, "contrib", "sos", "vfio_noiommuctl.py"),
                    os.path.join(lib, "sos", "report", "plugins"))
        tree, out = os.path.join(tmp, "tree"), os.path.join(tmp, "out")
        support().materialize(tree)
        os.makedirs(out)
        env = dict(os.environ, PYTHONPATH=lib,
                   PATH=os.path.dirname(exe) + ":" + os.environ["PATH"])
        before = snapshot(tree)
        p = subprocess.run([PY, SOS, "report", "-o", PLUGIN_DIR, "--batch",
                            "--build", "--tmp-dir", out, "--sysroot", tree,
                            "--chroot", "never", "--label", "vntest",
                            "-k", "vfio_noiommuctl.binary=" + exe],
                           env=env, capture_output=True, text=True,
                           timeout=300)
        for line in (p.stdout + p.stderr).splitlines():
            print("# " + line)
        fails = [] if p.returncode == 0 else ["sos exited %d" % p.returncode]
        dirs = [d for d in os.listdir(out) if d.startswith("sosreport-")]
        if len(dirs) != 1:
            fails.append("no report directory in %s: %s" % (out, dirs))
        else:
            fails += checks(os.path.join(out, dirs[0]))
        if snapshot(tree) != before:
            fails.append("the tree changed")
    for f in fails:
        print("FAIL: " + f)
    print("1..1\n%s 1 - sos report -o vfio_noiommuctl" %
          ("not ok" if fails else "ok"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

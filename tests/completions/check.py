#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each completion file loads in its shell (bash -n, zsh -n, fish -n, with
the shells tests/install-deps installs), and each is installed where its
shell looks, under the prefix: check.py COMPLETIONS-DIR BUILD-DIR."""

import json
import os
import shutil
import subprocess
import sys

FILES = {"bash": "vfio-noiommuctl.bash", "zsh": "_vfio-noiommuctl",
         "fish": "vfio-noiommuctl.fish"}
# Where Debian's shells look, below the data directory.
WHERE = {"zsh": "zsh/vendor-completions/_vfio-noiommuctl",
         "fish": "fish/vendor_completions.d/vfio-noiommuctl.fish"}


def main():
    src, build = sys.argv[1], sys.argv[2]
    failures, n = [], 0
    for shell, name in FILES.items():
        n += 1
        if not shutil.which(shell):
            failures.append("%s is not installed (tests/install-deps)" % shell)
            continue
        p = subprocess.run([shell, "-n", os.path.join(src, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if p.returncode:
            failures.append("%s -n %s: %s" % (shell, name, p.stdout.strip()))
        else:
            print("ok %d - %s -n %s" % (n, shell, name))
    info = os.path.join(build, "meson-info")
    with open(os.path.join(info, "intro-installed.json")) as f:
        installed = json.load(f)
    with open(os.path.join(info, "intro-buildoptions.json")) as f:
        opts = {o["name"]: o["value"] for o in json.load(f)}
    datadir = os.path.join(opts["prefix"], opts["datadir"])
    for shell, rel in WHERE.items():
        n += 1
        src_file = os.path.realpath(os.path.join(src, FILES[shell]))
        got = next((v for k, v in installed.items()
                    if os.path.realpath(k) == src_file), None)
        want = os.path.join(datadir, rel)
        if got != want:
            failures.append("%s completion installed to %s, not %s"
                            % (shell, got, want))
        else:
            print("ok %d - %s completion goes to %s" % (n, shell, want))
    for f in failures:
        print("not ok - " + f)
    print("1..%d" % n)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

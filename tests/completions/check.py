#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each completion file loads in its shell (bash -n, zsh -n, fish -n, with
the shells tests/install-deps installs), names every column and every
option the program's --help lists, and each is installed where its shell
looks, under the prefix; fish's offers the expected words for a handful
of command lines: check.py COMPLETIONS-DIR BUILD-DIR RUN.PY."""

import json
import os
import re
import tempfile
import shutil
import subprocess
import sys

FILES = {"bash": "vfio-noiommuctl.bash", "zsh": "_vfio-noiommuctl",
         "fish": "vfio-noiommuctl.fish"}
# Where Debian's shells look, below the data directory.
WHERE = {"zsh": "zsh/vendor-completions/_vfio-noiommuctl",
         "fish": "fish/vendor_completions.d/vfio-noiommuctl.fish"}


VERBS = ["status", "list", "bind", "unbind", "noiommu", "taint",
         "smoke-test"]


def help_words(exe):
    """{verb: long options} and the columns, as --help lists them."""
    env = dict(os.environ, COLUMNS="200")
    opts = {}
    for verb in VERBS:
        out = subprocess.run([exe, verb, "--help"], stdout=subprocess.PIPE,
                             text=True, env=env).stdout
        opts[verb] = sorted(set(re.findall(r"(?<![\w-])--([a-z][a-z-]*)",
                                           out)) - {"usage", "version"})
    out = subprocess.run([exe, "list", "--help"], stdout=subprocess.PIPE,
                         text=True, env=env).stdout
    cols = re.findall(r"^  ([A-Z_]+) ", out.split("Columns:")[-1], flags=re.M)
    return opts, cols


def names_everything(path, shell, opts, cols):
    """What a completion file lacks of the columns and options."""
    text = open(path).read()
    lacks = [c for c in cols if not re.search(r"\b%s\b" % c, text)]
    for verb, names in opts.items():
        for o in names:
            pat = r"-l %s\b" % o if shell == "fish" else r"--%s\b" % o
            if not re.search(pat, text):
                lacks.append("%s --%s" % (verb, o))
    return lacks


# Command lines for fish (complete -C) and words the offer must include
# ("-" before a word: must not include). {tree} is a recorded tree.
FISH = [
    ("vfio-noiommuctl ", ["status", "list", "smoke-test", "help"]),
    ("vfio-noiommuctl --json l", ["list"]),
    ("vfio-noiommuctl -q --sysroot {tree} --pairs st", ["status"]),
    ("vfio-noiommuctl list -o ", ["BDF", "JOURNAL", "ORIG_DRIVER",
                                  "CDEV_STATE"]),
    ("vfio-noiommuctl list -o B", ["BDF"]),
    ("vfio-noiommuctl list -o bdf,cd", ["bdf,cdev", "bdf,cdev_reason",
                                        "-bdf,CDEV"]),
    ("vfio-noiommuctl list -o +JO", ["+JOURNAL"]),
    ("vfio-noiommuctl list --output=ORIG", ["--output=ORIG_DRIVER"]),
    ("vfio-noiommuctl taint --check=U", ["--check=UW", "-UU"]),
    ("vfio-noiommuctl taint -c ", ["U", "W"]),
    ("vfio-noiommuctl --sysroot={tree} list ", ["0000:00:02.0",
                                                "0000:00:03.0"]),
    ("vfio-noiommuctl --sysroot {tree} unbind ", ["0000:00:03.0",
                                                  "-0000:00:02.0"]),
    ("vfio-noiommuctl noiommu ", ["on", "off", "show"]),
]


def fish_offers(path, line):
    p = subprocess.run(["fish", "--no-config", "-c",
                        "source $argv[1]; complete -C $argv[2]",
                        path, line],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return {w.split("\t")[0] for w in p.stdout.splitlines()}


def check_fish(path, run_py, n, failures):
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run([sys.executable, run_py, "--materialize", "both",
                        tree], check=True)
        for line, words in FISH:
            n += 1
            line = line.replace("{tree}", tree)
            got = fish_offers(path, line)
            bad = [w for w in words if w.startswith("-") and
                   not w.startswith("--") and w[1:] in got]
            bad += [w for w in words if not (w.startswith("-") and
                    not w.startswith("--")) and w not in got]
            if bad:
                failures.append("fish '%s': %s (offered: %s)"
                                % (line, ", ".join(bad),
                                   " ".join(sorted(got))))
            else:
                print("ok %d - fish '%s'" % (n, line))
    return n


def main():
    src, build, run_py = sys.argv[1], sys.argv[2], sys.argv[3]
    failures, n = [], 0
    opts, cols = help_words(os.path.join(build, "vfio-noiommuctl"))
    for shell, name in FILES.items():
        n += 1
        lacks = names_everything(os.path.join(src, name), shell, opts, cols)
        if lacks:
            failures.append("%s lacks %s" % (name, ", ".join(lacks)))
        else:
            print("ok %d - %s names every column and option" % (n, name))
    if shutil.which("fish"):
        n = check_fish(os.path.join(src, FILES["fish"]), run_py, n, failures)
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

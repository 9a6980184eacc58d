#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The man page says what the program does: man-check.py EXE MAN-SCD SRC.

- the sections are those of the page's layout, in order;
- every option a command's --help lists is in that command's subsection of
  COMMANDS, or in COMMON OPTIONS or OUTPUT FORMATS;
- every column of list is in the column table;
- every field of every JSON document (doc/schema/*.json) is named, and
  every value of an enum is given (in JSON DOCUMENTS, or in the command's
  subsection: list's column table, bind's guards);
- every environment variable the program reads (getenv in SRC) is in
  ENVIRONMENT;
- NOTES says what does not survive a reboot; SEE ALSO names the tools and
  kernel documents the issue asks for (issue 11);
- README.md and FILES agree on who can read the journal;
- scdoc turns the page into a man page: a line of a paragraph that
  starts with "-" is a list entry to it, and the build fails on it, which
  a test run that rebuilds first only warns about.
"""

import json
import os
import re
import subprocess
import sys

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "COMMON OPTIONS",
            "OUTPUT FORMATS", "JSON DOCUMENTS", "EXIT STATUS", "ENVIRONMENT",
            "FILES", "BOOT", "NOTES", "EXAMPLES", "SEE ALSO"]
VERBS = ["status", "list", "bind", "unbind", "noiommu", "taint", "smoke-test",
         "report", "metrics", "apply", "udev-match", "help"]
# Options argp adds to every command, described once in COMMON OPTIONS.
ARGP_OWN = {"--help", "--usage", "--version"}


def sections(text):
    """{"NAME": body, ...} and the order of the top-level sections."""
    parts = re.split(r"^# (.+)$", text, flags=re.M)
    names = parts[1::2]
    return dict(zip(names, parts[2::2])), names


def subsections(body):
    parts = re.split(r"^## (.+)$", body, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def long_options(exe, verb):
    out = subprocess.run([exe, verb, "--help"], stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, COLUMNS="200")).stdout
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", out)) -
                  ARGP_OWN)


def schema_fields(schema, found):
    for k, v in schema.get("properties", {}).items():
        found.add(k)
        schema_fields(v, found)
    for key in ("items", "$defs"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            if key == "$defs":
                for d in sub.values():
                    schema_fields(d, found)
            else:
                schema_fields(sub, found)
    return found


def schema_enums(schema, found):
    """The string values of every enum in a schema."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k == "enum":
                found |= {x for x in v if isinstance(x, str)}
            else:
                schema_enums(v, found)
    elif isinstance(schema, list):
        for v in schema:
            schema_enums(v, found)
    return found


SEE_ALSO = ["*lspci*(8)", "*lsblk*(8)", "*modprobe*(8)", "*dmesg*(1)",
            "*driverctl*(8)", "dpdk-devbind", "Documentation/driver-api/vfio.rst",
            "Documentation/userspace-api/iommufd.rst"]
# Who may read the journal, as FILES and README.md both say it.
JOURNAL_READERS = ["readable by all", "written only by root"]


def prose(text):
    return " ".join(text.split()).lower()


def check_notes(secs, readme, failures):
    if "survive a reboot" not in prose(secs.get("NOTES", "")):
        failures.append("NOTES does not say what does not survive a reboot")
    for ref in SEE_ALSO:
        if ref not in secs.get("SEE ALSO", ""):
            failures.append("SEE ALSO lacks %s" % ref)
    files = prose(secs.get("FILES", "").split("_/etc/")[0])
    for words in JOURNAL_READERS:
        for where, text in (("FILES", files), ("README.md", prose(readme))):
            if words not in text:
                failures.append("%s does not say the journal is %s"
                                % (where, words))


def main():
    exe, man, src = sys.argv[1:4]
    text = open(man).read()
    secs, order = sections(text)
    failures = []
    try:
        p = subprocess.run(["scdoc"], input=text, text=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 0:
            failures.append("scdoc: %s" % p.stderr.strip())
    except FileNotFoundError:
        pass  # the build has no man page then (-Dman=disabled)
    if order != SECTIONS:
        failures.append("sections are %s, not %s" % (order, SECTIONS))
    commands = subsections(secs.get("COMMANDS", ""))
    shared = secs.get("COMMON OPTIONS", "") + secs.get("OUTPUT FORMATS", "")
    for verb in VERBS:
        if verb not in commands:
            failures.append("COMMANDS has no subsection for %s" % verb)
            continue
        own = commands[verb]
        for opt in long_options(exe, verb):
            if "*%s*" % opt not in own and "*%s*" % opt not in shared and \
                    "*%s=" % opt not in own:
                failures.append("%s: %s is not described" % (verb, opt))
    cols = subprocess.run([exe, "list", "--help"], stdout=subprocess.PIPE,
                          text=True).stdout.split("Columns:")[-1]
    for col in re.findall(r"^  ([A-Z_]+) ", cols, flags=re.M):
        if not re.search(r"^\|  %s$" % col, commands.get("list", ""),
                         flags=re.M):
            failures.append("list: column %s is not in the table" % col)
    docs = secs.get("JSON DOCUMENTS", "")
    schema_dir = os.path.join(os.path.dirname(man), "..", "doc", "schema")
    for name in sorted(os.listdir(schema_dir)):
        with open(os.path.join(schema_dir, name)) as f:
            schema = json.load(f)
        fields = schema_fields(schema, set())
        for value in sorted(schema_enums(schema, set())):
            if not re.search(r'[*"]%s[*"]' % re.escape(value),
                             docs + secs.get("COMMANDS", "")):
                failures.append("%s: value %s is not in JSON DOCUMENTS"
                                % (name, value))
        for field in sorted(fields):
            if not re.search(r'[*."]%s[*."]' % re.escape(field), docs) and \
                    not (name == "list.json" and
                         "|  %s\n" % field.upper() in commands.get("list", "")):
                failures.append("%s: field %s is not in JSON DOCUMENTS"
                                % (name, field))
    with open(os.path.join(os.path.dirname(man), "..", "README.md")) as f:
        check_notes(secs, f.read(), failures)
    env = secs.get("ENVIRONMENT", "")
    for root, _, files in os.walk(src):
        for f in files:
            if f.endswith(".c"):
                code = open(os.path.join(root, f)).read()
                for var in re.findall(r'getenv\("([A-Z_]+)"\)', code):
                    if "*%s*" % var not in env:
                        failures.append("ENVIRONMENT lacks %s (read in %s)"
                                        % (var, f))
    for f in failures:
        print("not ok - " + f)
    print("# %d checks failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

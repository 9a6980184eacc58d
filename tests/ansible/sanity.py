#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Ansible collection (contrib/ansible) is clean, offline:

- ansible-test sanity, without the tests that build a virtual environment
  with pip from the network (VENV_TESTS);
- in their place, each module's DOCUMENTATION, EXAMPLES and RETURN parse
  as YAML, its documented options are its argument spec (type, default,
  choices) and its examples use only those; ansible-doc renders it;
- ansible-galaxy builds the collection (galaxy.yml);
- ansible-lint (Debian's) passes the example playbook.

Usage: sanity.py SOURCE_ROOT. Exit 77 without ansible-core."""
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

from common import NAME, NS, ansible_python, check, summary

# ansible-test sanity tests that install their requirements into a
# virtual environment with pip, which needs the network.
VENV_TESTS = ["ansible-doc", "import", "pep8", "pylint", "runtime-metadata",
              "validate-modules", "yamllint", "pslint", "shellcheck"]


def run(cmd, cwd, env):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def ansible_test(coll, env, py):
    cmd = ["ansible-test", "sanity", "--python", py]
    for t in VENV_TESTS:
        cmd += ["--skip-test", t]
    rc, out = run(cmd, coll, env)
    check(rc == 0, "ansible-test sanity (offline tests)", out)


def option_mismatches(doc, spec):
    """The options whose documented type, default or choices are not the
    argument spec's."""
    keys = (("type", "str"), ("default", None), ("choices", None),
            ("required", False))
    bad = []
    for name in set(doc) & set(spec):
        got = [doc[name].get(k, d) for k, d in keys]
        want = [spec[name].get(k, d) for k, d in keys]
        if got != want:
            bad.append("%s: documented %s, spec %s" % (name, got, want))
    return bad


def examples_use_options(module, examples, options):
    fqcn = "%s.%s.%s" % (NS, NAME, module)
    used = [t for t in examples if fqcn in t]
    extra = set()
    for t in used:
        extra |= set(t[fqcn] or {}) - set(options)
    check(used and not extra, "%s: the examples call it with documented "
          "options only %s" % (module, sorted(extra)))


def module_docs(module):
    import yaml
    m = importlib.import_module("ansible_collections.%s.%s.plugins.modules.%s"
                                % (NS, NAME, module))
    doc = yaml.safe_load(m.DOCUMENTATION)
    examples = yaml.safe_load(m.EXAMPLES)
    ret = yaml.safe_load(m.RETURN)
    check(doc.get("module") == module and isinstance(ret, dict),
          "%s: DOCUMENTATION and RETURN parse" % module)
    options = doc.get("options") or {}
    check(set(options) == set(m.ARGUMENT_SPEC),
          "%s: the documented options are the argument spec" % module)
    bad = option_mismatches(options, m.ARGUMENT_SPEC)
    check(not bad, "%s: options documented as specified" % module,
          "\n".join(bad))
    examples_use_options(module, examples or [], options)


def ansible_doc(module, env, cwd):
    rc, out = run(["ansible-doc", "-t", "module", "--json",
                   "%s.%s.%s" % (NS, NAME, module)], cwd, env)
    check(rc == 0 and '"doc"' in out, "ansible-doc %s" % module, out)


def docs_main(tmp):
    """The module checks, run under ansible-core's interpreter."""
    sys.path.insert(0, tmp)
    for mod in sys.argv[3:]:
        module_docs(mod)
    return summary()


def main():
    if sys.argv[1] == "--docs":
        return docs_main(sys.argv[2])
    src = os.path.abspath(sys.argv[1])
    python = ansible_python()
    if not python or not shutil.which("ansible-doc"):
        print("SKIP: ansible-core is not installed")
        return 77
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True).stdout.strip()
    tmp = tempfile.mkdtemp(prefix="vn-ansible-sanity.")
    try:
        coll = os.path.join(tmp, "ansible_collections", NS, NAME)
        shutil.copytree(os.path.join(src, "contrib", "ansible"), coll,
                        ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(os.environ, HOME=tmp, ANSIBLE_COLLECTIONS_PATH=tmp,
                   ANSIBLE_NOCOLOR="1", NO_COLOR="1")
        if shutil.which("ansible-test"):
            ansible_test(coll, env, version)
        mods = sorted(f[:-3] for f in os.listdir(os.path.join(
            coll, "plugins", "modules")) if f.endswith(".py"))
        check(mods == ["binding", "facts", "noiommu"], "modules %s" % mods)
        rc, out = run([python, os.path.abspath(__file__), "--docs", tmp]
                      + mods, tmp, env)
        print(out.rstrip())
        check(rc == 0, "the modules' documentation")
        for mod in mods:
            ansible_doc(mod, env, tmp)
        rc, out = run(["ansible-galaxy", "collection", "build",
                       "--output-path", tmp], coll, env)
        check(rc == 0, "ansible-galaxy collection build", out)
        if shutil.which("ansible-lint"):
            rc, out = run(["ansible-lint", "--offline", "--nocolor",
                           "examples/dpdk-host.yml"], coll, env)
            check(rc == 0, "ansible-lint examples/dpdk-host.yml", out)
        else:
            print("# ansible-lint is not installed: the example is not "
                  "linted")
    finally:
        shutil.rmtree(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

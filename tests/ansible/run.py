#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Ansible collection (contrib/ansible) through ansible-playbook, with
connection local, against a recorded host (--sysroot) and a scratch
directory as the declared state's root (--root).

Under --sysroot the tool writes nothing but the files under --root, so
what is checked is what can be seen: the files, the plans apply returns,
and the changed flags. Check mode first (predicts, writes nothing), then
the run (does exactly that), a second run and a second check (nothing
changed), a removal, and invalid input (fails, writes nothing).

Usage: run.py EXE SOURCE_ROOT. Exit 77 without ansible-playbook."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from common import NAME, NS, ansible_python, check, summary

HERE = os.path.dirname(os.path.abspath(__file__))


class Env:
    def __init__(self, exe, src, tmp):
        self.tmp = tmp
        self.sysroot = os.path.join(tmp, "sysroot")
        self.root = os.path.join(tmp, "root")
        self.src = src
        self.materialize("apply-declared", self.sysroot)
        os.makedirs(os.path.join(self.root, "etc"))
        # The image's own users: owner and group names are read there.
        with open(os.path.join(self.root, "etc", "passwd"), "w") as f:
            f.write("dpdk:x:4242:4243::/nonexistent:/usr/sbin/nologin\n")
        with open(os.path.join(self.root, "etc", "group"), "w") as f:
            f.write("dpdk:x:4243:\n")
        colls = os.path.join(tmp, "collections")
        ns = os.path.join(colls, "ansible_collections", NS)
        os.makedirs(ns)
        os.symlink(os.path.join(src, "contrib", "ansible"),
                   os.path.join(ns, NAME))
        self.extra = ["-e", "exe=%s" % exe, "-e", "sysroot=%s" % self.sysroot,
                      "-e", "root=%s" % self.root]
        self.env = dict(os.environ,
                        HOME=tmp, ANSIBLE_HOME=os.path.join(tmp, "ansible"),
                        ANSIBLE_LOCAL_TEMP=os.path.join(tmp, "ansible-tmp"),
                        ANSIBLE_COLLECTIONS_PATH=colls,
                        ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE,
                                                              "callback"),
                        ANSIBLE_STDOUT_CALLBACK="record",
                        ANSIBLE_PYTHON_INTERPRETER=ansible_python(),
                        ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
                        VN_ANSIBLE_RECORD=os.path.join(tmp, "record.json"))
        self.env.pop("VFIO_NOIOMMUCTL_SYSROOT", None)

    def materialize(self, host, path):
        subprocess.run([sys.executable,
                        os.path.join(self.src, "tests", "fixtures", "run.py"),
                        "--materialize", host, path], check=True)

    def play(self, *args):
        """ansible-playbook; the results by task name, in order."""
        cmd = ["ansible-playbook", "-i", "localhost,",
               os.path.join(HERE, "play.yml")] + self.extra + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if p.stderr.strip():
            print(p.stderr.strip())
        with open(self.env["VN_ANSIBLE_RECORD"]) as f:
            results = json.load(f)
        os.unlink(self.env["VN_ANSIBLE_RECORD"])
        return p.returncode, {r["name"]: r for r in results}

    def files(self):
        """Every file under --root with its content."""
        out = {}
        for d, _, names in os.walk(self.root):
            for n in names:
                p = os.path.join(d, n)
                with open(p) as f:
                    out[os.path.relpath(p, self.root)] = f.read()
        return out


STATE = "etc/vfio-noiommuctl/"
NIC = STATE + "50-serial-52-54-00-ff-ff-12-34-56.conf"
EDU_PATH = STATE + "50-path-0000-00-04.0.conf"
EDU_BDF = STATE + "50-bdf-0000-00-03.0.conf"
MODPROBE = "etc/modprobe.d/vfio-noiommu.conf"
TASKS = ["facts", "facts hold status and list", "noiommu", "nic by serial",
         "edu by the tool's identity", "edu by address", "ids absent"]
FIRST = {"noiommu", "nic by serial", "edu by the tool's identity",
         "edu by address"}


def changed(res):
    return {n for n, r in res.items() if r["changed"]}


def file_diff(r):
    """The diff a binding task returned: (before, after)."""
    d = r.get("diff") or {}
    return d.get("before"), d.get("after")


def first_runs(e):
    before = e.files()
    rc, pred = e.play("--check", "--diff")
    check(rc == 0 and [n for n in pred] == TASKS,
          "check mode: every task ran (%d, %s)" % (rc, list(pred)))
    check(e.files() == before, "check mode wrote nothing under --root")
    check(changed(pred) == FIRST,
          "check mode predicts %s" % sorted(changed(pred)))
    rc, res = e.play("--diff")
    check(rc == 0, "first run succeeds (%d)" % rc)
    check(changed(res) == changed(pred),
          "first run changed %s, as predicted" % sorted(changed(res)))
    files = e.files()
    for task, path in (("nic by serial", NIC),
                       ("edu by the tool's identity", EDU_PATH),
                       ("edu by address", EDU_BDF)):
        check(file_diff(pred[task]) == ("", files.get(path)),
              "%s: check mode's diff shows %s as it is written" % (task,
                                                                   path))
        check(file_diff(res[task]) == ("", files.get(path)),
              "%s: the run's diff shows %s" % (task, path))
    check("owner = dpdk\ngroup = dpdk\nmode = 0660\n" in files.get(NIC, ""),
          "the NIC's entry holds its ownership")
    check("match = path 0000:00:04.0\nid = 1234:11e8:1234:1100\n"
          in files.get(EDU_PATH, ""),
          "device= wrote the identity bind --persist chooses")
    check("mode = 0660\n\n[noiommu]\nmode = on\n" in files.get(EDU_BDF, ""),
          "a YAML number for mode is read as the octal it was; noiommu: "
          "true declares the mode")
    check("enable_unsafe_noiommu_mode=1" in files.get(MODPROBE, ""),
          "noiommu wrote the image's persistent setting")
    diffs = pred["noiommu"].get("diff") or []
    check([d.get("before") for d in diffs
           if d.get("after_header", "").endswith(MODPROBE)] == [""]
          and "enable_unsafe_noiommu_mode=1" in diffs[-1].get("after", ""),
          "noiommu's check-mode diff shows the persistent file to write")
    check(not any(p.startswith(STATE + "50-id-") for p in files),
          "state=absent on an absent entry wrote nothing")
    return res


def plans(res):
    """Under --sysroot apply only plans; the plan is returned."""
    plan = res["edu by the tool's identity"]["result"].get("apply") or {}
    devices = {d["bdf"]: d for d in plan.get("devices", [])}
    check(plan.get("dry_run") is True and "0000:00:04.0" in devices,
          "the plan of apply names the declared device")
    entries = {(x["kind"], x["match"]): x for x in plan.get("entries", [])}
    nic = entries.get(("serial", "52-54-00-ff-ff-12-34-56"), {})
    check(nic.get("devices") == ["0000:00:02.0"],
          "the serial entry matches the NIC (%s)" % nic.get("devices"))
    check(all(not f.startswith(("/tmp/vfio-noiommuctl-plan", "/tmp/tmp"))
              for f in plan.get("files", [])),
          "the plan names the files under --root, not its scratch copy")


def second_runs(e, files):
    rc, res = e.play("--diff")
    check(rc == 0 and not changed(res),
          "second run: nothing changed (%s)" % sorted(changed(res)))
    rc, res = e.play("--check")
    check(rc == 0 and not changed(res),
          "check mode after the run: nothing to change (%s)"
          % sorted(changed(res)))
    check(e.files() == files, "the second runs rewrote nothing")


def removal(e, files):
    """Two entries removed: one the module wrote, one the tool wrote
    (device=, through unbind --persist)."""
    gone = ["-e", "nic_state=absent", "-e", "edu_state=absent"]
    both = {"nic by serial", "edu by the tool's identity"}
    rc, pred = e.play("--check", "--diff", *gone)
    check(rc == 0 and changed(pred) == both,
          "check mode predicts the removals only (%s)"
          % sorted(changed(pred)))
    check(e.files() == files, "check mode removed nothing")
    rc, res = e.play("--diff", *gone)
    check(rc == 0 and changed(res) == both,
          "the removals changed those entries only (%s)"
          % sorted(changed(res)))
    check(file_diff(res["nic by serial"]) == (files[NIC], ""),
          "the removal's diff shows the file going")
    check(NIC not in e.files() and EDU_PATH not in e.files(),
          "the entries are gone")


def invalid(e):
    before = e.files()
    rc, res = e.play("-e", "nic_owner=no-such-user")
    r = res.get("nic by serial", {})
    check(rc != 0 and r.get("status") == "failed",
          "an unknown owner fails the task (%s)" % (r.get("msg"),))
    check("no-such-user" in (r.get("msg") or ""),
          "the message names the unknown owner")
    check(e.files() == before, "invalid input wrote nothing")


def mode_off(e):
    """Check mode on a host whose no-IOMMU mode is off (an earlier task
    only predicts turning it on): with noiommu: true the device's file
    declares the mode, so apply --dry-run plans the bind with it on;
    without, the plan is not possible (exit 3)."""
    e.materialize("mode-off", os.path.join(e.tmp, "mode-off"))
    os.makedirs(os.path.join(e.tmp, "root2"))
    args = ["--check", "--tags", "edu", "-e",
            "sysroot=%s" % os.path.join(e.tmp, "mode-off"),
            "-e", "root=%s" % os.path.join(e.tmp, "root2")]
    rc, res = e.play(*args)
    r = res.get("edu by address", {})
    check(rc == 0 and r.get("changed") and (r["result"].get("apply") or {})
          .get("noiommu", {}).get("changed") is True,
          "mode off, noiommu: true: the plan turns the mode on and binds")
    rc, res = e.play(*(args + ["-e", "edu_noiommu=false"]))
    r = res.get("edu by address", {})
    check(rc != 0 and "exited with status 3" in (r.get("msg") or "")
          and "no-IOMMU mode is off" in r["msg"],
          "mode off, noiommu: false: the bind is not possible, and the "
          "message says why (%s)" % r.get("msg"))


def main():
    exe, src = sys.argv[1:3]
    if not ansible_python():
        print("SKIP: ansible-playbook is not installed (ansible-core)")
        return 77
    tmp = tempfile.mkdtemp(prefix="vn-ansible.")
    try:
        e = Env(os.path.abspath(exe), os.path.abspath(src), tmp)
        res = first_runs(e)
        plans(res)
        files = e.files()
        second_runs(e, files)
        removal(e, files)
        invalid(e)
        mode_off(e)
    finally:
        shutil.rmtree(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

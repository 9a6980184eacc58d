#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Exhaustive failure tests of bind and unbind on the kernel model.

  run.py --list                              the families (one meson test each)
  run.py EXE MODEL_SO CTL FAMILY             every case of a family, as TAP
  run.py EXE MODEL_SO CTL --case S/F/N [-v]  one case, with its commands
  run.py EXE MODEL_SO CTL --dry-run-check    planned writes == written ones

For each scenario: a clean run counts the operations K (sysfs stores,
journal commits and removals, module loads) and gives the goal state; then
for every N in 1..K and every fault, a fresh tree, the faulted run, the
invariant, the next runs (after a killed bind: bind again; then unbind; for
an unbind: unbind again), and the invariant and the final state again.
See README.md for the invariant.
"""

import fcntl
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

from tree import Tree  # noqa: E402

TREES = os.path.join(HERE, "..", "fixtures", "trees")
JOURNAL = "run/vfio-noiommuctl/journal"
LOCK = "run/vfio-noiommuctl/lock"
VFIO_UNBIND = "/sys/bus/pci/drivers/vfio-pci/unbind"
PARAM = "sys/module/vfio/parameters/enable_unsafe_noiommu_mode"

NIC = "0000:00:02.0"     # e1000e, with a netdev
EDU = "0000:00:03.0"     # recorded on vfio-pci (no-IOMMU), held by a sleep
NVME = "0000:00:04.0"    # nvme, with a namespace
EDU2 = "0000:03:01.0"    # an edu without a driver, behind a PCI bridge
HOLDER = "112"           # the recorded process holding EDU in rec-both

ERRNO_FAULTS = ["EBUSY", "ENODEV", "EIO"]


class Scenario:
    """kind: bind, unbind or noiommu (what the next run repeats).
    setup: ("ctl", args...) on the tree, then ("tool", args...) clean runs.
    devices: the functions the invariant watches closely (every other
    function must simply not change)."""

    def __init__(self, name, family, args, devices, kind, tree="rec-both",
                 setup=(), rc=0, env=None, timeout=True, goal=None):
        self.name, self.family, self.args = name, family, list(args)
        self.devices, self.kind, self.tree = list(devices), kind, tree
        self.setup, self.rc, self.env = list(setup), rc, dict(env or {})
        self.timeout = timeout  # takes --timeout (noiommu does not)
        # Where the clean run must leave devices, when that is not what
        # the current code does: {bdf: (driver, override, step)}.
        self.want_goal = dict(goal or {})
        # A driver that refuses to bind is a second failure besides the
        # injected one: a device may then be left anywhere, as long as a
        # record restores it (the next runs must).
        self.double = "VN_MODEL_REFUSE" in self.env


RELEASE = ("ctl", "release", HOLDER)
EDU_FREE = [RELEASE, ("ctl", "unbind", EDU),
            ("ctl", "store", "/sys/bus/pci/devices/%s/driver_override" % EDU,
             "\n")]

SCENARIOS = [
    # One device: host driver, no driver.
    Scenario("bind-nic", "bind-1", ["bind", NIC], [NIC], "bind"),
    Scenario("bind-edu", "bind-1", ["bind", EDU], [EDU], "bind",
             setup=EDU_FREE),
    Scenario("bind-nvme", "bind-1", ["bind", NVME], [NVME], "bind"),
    # Two and three, mixed: host driver, no driver, already on vfio-pci.
    Scenario("bind-nic-edu", "bind-2", ["bind", NIC, EDU], [NIC, EDU],
             "bind", setup=EDU_FREE),
    Scenario("bind-nic-edu-keep", "bind-2", ["bind", "--keep-going", NIC,
                                             EDU], [NIC, EDU], "bind",
             setup=EDU_FREE),
    Scenario("bind-3", "bind-3", ["bind", NIC, EDU2, EDU],
             [NIC, EDU2, EDU], "bind", setup=[RELEASE]),
    Scenario("bind-3-keep", "bind-3", ["bind", "--keep-going", NIC, EDU2,
                                       EDU], [NIC, EDU2, EDU], "bind",
             setup=[RELEASE]),
    Scenario("bind-nic-nvme-edu", "bind-3", ["bind", NIC, NVME, EDU2],
             [NIC, NVME, EDU2], "bind"),
    # Unbind what bind did, and what someone else bound (no record).
    Scenario("unbind-nic", "unbind", ["unbind", NIC], [NIC], "unbind",
             setup=[("tool", "bind", NIC)]),
    Scenario("unbind-3", "unbind", ["unbind", NIC, EDU2, EDU],
             [NIC, EDU2, EDU], "unbind",
             setup=[RELEASE, ("tool", "bind", NIC, EDU2)]),
    Scenario("unbind-3-keep", "unbind", ["unbind", "--keep-going", NIC, EDU2,
                                         EDU], [NIC, EDU2, EDU], "unbind",
             setup=[RELEASE, ("tool", "bind", NIC, EDU2)]),
    Scenario("unbind-foreign-nic", "unbind", ["unbind", NIC], [NIC],
             "unbind", setup=[("ctl", "bind", NIC, "vfio-pci")]),
    Scenario("unbind-foreign-edu", "unbind", ["unbind", EDU], [EDU],
             "unbind", setup=[RELEASE]),
    # noiommu off --unbind: ours and someone else's.
    Scenario("noiommu-off-unbind", "noiommu", ["noiommu", "off", "--unbind"],
             [NIC, EDU], "noiommu", timeout=False,
             setup=[RELEASE, ("tool", "bind", NIC)]),
    # Modules: vfio-pci loaded by bind, the host driver by unbind.
    Scenario("bind-nic-load", "modules", ["bind", NIC], [NIC, EDU], "bind",
             setup=EDU_FREE + [("ctl", "unload", "vfio_pci")]),
    Scenario("unbind-nic-load", "modules", ["unbind", NIC], [NIC], "unbind",
             setup=[("tool", "bind", NIC), ("ctl", "unload", "e1000e")],
             goal={NIC: ("e1000e", None, None)}),
    # Drivers that refuse, a holder from the start.
    Scenario("bind-nic-refused", "refuse", ["bind", NIC], [NIC], "bind",
             rc=1, env={"VN_MODEL_REFUSE": "vfio-pci"}),
    Scenario("unbind-nic-refused", "refuse", ["unbind", NIC], [NIC],
             "unbind", rc=1, env={"VN_MODEL_REFUSE": "e1000e"},
             setup=[("tool", "bind", NIC)]),
    Scenario("unbind-held", "refuse", ["unbind", EDU], [EDU], "unbind",
             rc=4),
    # The other kernels.
    Scenario("pre73-bind-nic", "worlds", ["bind", NIC], [NIC], "bind",
             tree="rec-pre-7.3"),
    Scenario("pre73-unbind-nic", "worlds", ["unbind", NIC], [NIC], "unbind",
             tree="rec-pre-7.3", setup=[("tool", "bind", NIC)]),
    Scenario("iommu-bind-nic", "worlds", ["bind", NIC], [NIC], "bind",
             tree="rec-iommu"),
    Scenario("iommu-unbind-nic", "worlds", ["unbind", NIC], [NIC], "unbind",
             tree="rec-iommu", setup=[("tool", "bind", NIC)]),
    Scenario("cdev-only-bind-nic", "worlds", ["bind", NIC], [NIC], "bind",
             tree="rec-cdev-only"),
    Scenario("group-only-bind-nic", "worlds", ["bind", NIC], [NIC], "bind",
             tree="rec-group-only"),
]

# Cases where the current code breaks the invariant, by reason. They are
# reported as TAP "not ok ... # TODO reason"; one that passes becomes an
# unexpected pass, which fails the test: remove it from here then.
EXPECTED_FAILURES = {}


def xfail(reason, *case_ids):
    for c in case_ids:
        EXPECTED_FAILURES[c] = reason


def kills(scenario, *steps):
    return ["%s/kill/%d" % (scenario, n) for n in steps]


def errnos(scenario, *steps):
    return ["%s/%s/%d" % (scenario, e, n) for n in steps
            for e in ERRNO_FAULTS]


# ---- the tree --------------------------------------------------------------


def tmp_base():
    """tmpfs when there is one: a case copies a tree of ~800 entries."""
    base = os.environ.get("VN_MODEL_TMPDIR")
    if not base and os.access("/dev/shm", os.W_OK):
        base = "/dev/shm"
    return tempfile.mkdtemp(prefix="vn-model-", dir=base)


def materialize(name, root):
    t = Tree.load(os.path.join(TREES, name + ".tree"))
    # libata's ports and the block queue attributes: nothing reads them.
    for path in list(t.entries):
        if "/0000:00:1f.2/ata" in path or "/queue/" in path:
            del t.entries[path]
    t.materialize(root)


def copy_tree(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)


class Tool:
    def __init__(self, exe, so, ctl):
        self.exe, self.so, self.ctl = exe, so, ctl

    def env(self, root, extra=None):
        env = dict(os.environ)
        for k in ("VFIO_NOIOMMUCTL_SYSROOT", "VN_MODEL_FAULT",
                  "VN_MODEL_REFUSE", "SUDO_USER"):
            env.pop(k, None)
        env["VN_MODEL_ROOT"] = root
        env["LD_PRELOAD"] = self.so
        env["TZ"] = "UTC"
        # The preload is not the first DSO under ASan.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":verify_asan_link_order=0").lstrip(":")
        env.update(extra or {})
        return env

    def run(self, root, args, extra=None):
        reset_ops(root)
        try:
            p = subprocess.run([self.exe] + args, env=self.env(root, extra),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=60)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            return "timeout", e.stdout or "", e.stderr or ""

    def ctl_run(self, root, *args):
        subprocess.run([self.ctl, root] + list(args), check=True)

    def state(self, root):
        out = subprocess.run([self.ctl, root, "state"], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        devs = {}
        for line in out.splitlines():
            bdf, *fields = line.split("\t")
            kv = dict(f.split("=", 1) for f in fields)
            devs[bdf] = {k: (None if v == "-" else v) for k, v in kv.items()}
        return devs


def reset_ops(root):
    with open(os.path.join(root, ".model/counter"), "w") as f:
        f.write("0\n")
    open(os.path.join(root, ".model/log"), "w").close()


def read_log(root):
    ops = []
    with open(os.path.join(root, ".model/log")) as f:
        for line in f:
            n, kind, path, value, result, fault, pid = \
                line.rstrip("\n").split("\t")
            value = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(
                m.group(1), m.group(1)), value)
            ops.append({"n": int(n), "kind": kind, "path": path,
                        "value": value, "result": result, "fault": fault,
                        "pid": int(pid)})
    return ops


def wait_unlocked(root, seconds=20):
    """Every process of the run is done once nobody holds the writers'
    locks: the global one, and each device's (an orphaned unbind child
    keeps only its device's lock until it has finished)."""
    deadline = time.time() + seconds
    locks = os.path.join(root, os.path.dirname(LOCK), "locks")
    paths = [os.path.join(root, LOCK)] + (
        [os.path.join(locks, n) for n in sorted(os.listdir(locks))]
        if os.path.isdir(locks) else [])
    return all(wait_free(p, deadline) for p in paths)


def wait_free(path, deadline):
    if not os.path.exists(path):
        return True
    with open(path) as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
                return True
            except BlockingIOError:
                if time.time() > deadline:
                    return False
                time.sleep(0.01)


def release_all(tool, root):
    open(os.path.join(root, ".model/release"), "w").close()
    tool.ctl_run(root, "release", "all")


# ---- the journal: the one place that knows its format ----------------------


def record_view(text):
    """What the invariant needs from a journal record: its step and the
    driver and override it would restore. None when it is not a record."""
    kv = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv[k] = v
    if "step" not in kv or "end" not in kv:
        return None

    def opt(v):
        return None if v in (None, "-") else v
    return {"step": kv["step"], "driver": opt(kv.get("original_driver")),
            "override": opt(kv.get("original_override"))}


def read_journal(root):
    recs = {}
    d = os.path.join(root, JOURNAL)
    if not os.path.isdir(d):
        return recs
    for name in sorted(os.listdir(d)):
        if name.startswith("."):
            continue
        with open(os.path.join(d, name)) as f:
            recs[name] = record_view(f.read()) or "corrupt"
    return recs


def snapshot(tool, root):
    """Per function: (driver, override, journal step or None)."""
    st = tool.state(root)
    recs = read_journal(root)
    snap = {}
    for bdf, s in st.items():
        r = recs.get(bdf)
        snap[bdf] = (s["driver"], s["override"],
                     r if r == "corrupt" else (r["step"] if r else None))
    for bdf in recs:
        if bdf not in st:
            snap.setdefault(bdf, ("(gone)", None, "stale"))
    return snap, recs


def read_param(root):
    try:
        with open(os.path.join(root, PARAM)) as f:
            return f.read().strip()
    except OSError:
        return None


def vanished(root):
    try:
        with open(os.path.join(root, ".model/vanished")) as f:
            return set(f.read().split())
    except OSError:
        return set()


# ---- the invariant -----------------------------------------------------------


def fmt(s):
    drv, ov, rec = s
    return "%s (override %s, record %s)" % (drv or "no driver", ov or "-",
                                           rec or "none")


def check(ctx, snap, recs, killed, gone):
    """Each device: where it started, where the clean run put it, or on
    vfio-pci with a record that restores its original; after a kill, also
    anywhere with such a record. Records saying bound are on vfio-pci.
    Every other function is as it started."""
    problems = []
    for bdf, s in sorted(snap.items()):
        if bdf in gone:
            continue
        start, goal = ctx.start.get(bdf), ctx.goal.get(bdf)
        if bdf not in ctx.sc.devices:
            if s != start:
                problems.append("%s changed: %s, was %s" %
                                (bdf, fmt(s), fmt(start)))
            continue
        drv, ov, step = s
        rec = recs.get(bdf)
        orig = ctx.orig[bdf]
        if rec == "corrupt":
            problems.append("%s: corrupt journal record" % bdf)
            continue
        if rec and rec["step"] == "bound" and drv != "vfio-pci":
            problems.append("%s: its record says bound, it is on %s" %
                            (bdf, drv or "no driver"))
        restores = rec is not None and (
            bdf in ctx.foreign or
            (rec["driver"], rec["override"]) == orig)
        if rec and not restores:
            problems.append("%s: its record would restore %s (override "
                            "%s), not %s (override %s)" %
                            (bdf, rec["driver"] or "no driver",
                             rec["override"] or "-", orig[0] or "no driver",
                             orig[1] or "-"))
        if s in (start, goal):
            continue
        # Where it started or was asked to go, with a record left over
        # that the next unbind completes.
        if (drv, ov) in (orig, goal[:2]) and step != "bound" and (
                goal[0] != "vfio-pci" or (drv, ov) != goal[:2]):
            continue
        if drv == "vfio-pci" and restores:
            continue
        if (killed or ctx.sc.double) and restores:
            continue
        problems.append("%s is %s; it started %s, the clean run left it %s" %
                        (bdf, fmt(s), fmt(start), fmt(goal)))
    return problems


class Ctx:
    pass


def original(tool, root, sc):
    """Driver and override of each device before this tool touched it."""
    snap, _ = snapshot(tool, root)
    return {b: snap[b][:2] for b in sc.devices}


def prepare(tool, sc, base):
    """The scenario's start tree, its original and start states, and the
    clean run's result."""
    ctx = Ctx()
    ctx.sc = sc
    ctx.template = os.path.join(base, "template-" + sc.name)
    materialize(sc.tree, ctx.template)
    tool.ctl_run(ctx.template, "init")
    ctx.orig = None
    for step in sc.setup:
        if step[0] == "tool" and ctx.orig is None:
            ctx.orig = original(tool, ctx.template, sc)
        if step[0] == "ctl":
            tool.ctl_run(ctx.template, *step[1:])
            continue
        rc, out, err = tool.run(ctx.template, list(step[1:]), sc.env)
        if rc != 0:
            raise RuntimeError("set-up %s: exit %s\n%s%s" %
                               (step, rc, out, err))
        wait_unlocked(ctx.template)
    if ctx.orig is None:
        ctx.orig = original(tool, ctx.template, sc)
    # Devices that were on vfio-pci before any bind of ours: their record
    # (written by unbind) cannot know an original.
    ctx.foreign = {b for b in sc.devices if ctx.orig[b][0] == "vfio-pci"}
    ctx.start, _ = snapshot(tool, ctx.template)
    ctx.start_param = read_param(ctx.template)
    clean = os.path.join(base, "clean-" + sc.name)
    copy_tree(ctx.template, clean)
    ctx.clean_rc, ctx.clean_out, ctx.clean_err = tool.run(
        clean, args(sc), sc.env)
    wait_unlocked(clean)
    ctx.ops = read_log(clean)
    ctx.goal, ctx.goal_recs = snapshot(tool, clean)
    ctx.clean_state = dict(ctx.goal)
    ctx.goal.update(sc.want_goal)
    ctx.goal_param = read_param(clean)
    shutil.rmtree(clean)
    return ctx


def args(sc, fault=None):
    a = list(sc.args)
    if sc.timeout and sc.kind != "noiommu":
        # A held or hanging vfio-pci unbind times out quickly; the model
        # settles everything else at once.
        a[1:1] = ["--timeout", "0.5" if fault in ("hang", "hold") else "5"]
    return a


def faults_at(sc, op):
    """The faults that make sense at an operation."""
    f = list(ERRNO_FAULTS)
    if op["kind"] != "load":
        f.append("vanish")
    f += ["kill", "term"]
    if op["kind"] == "write" and op["path"] == VFIO_UNBIND and sc.timeout:
        f += ["hang", "hold"]
    return f


def with_records(root, devs):
    recs = read_journal(root)
    return [d for d in devs if d in recs]


def next_runs(ctx, root, killed, gone):
    """The runs that follow a faulted one, as a user would: after a killed
    bind, the bind again; then unbind of every device the bind moved or
    that has a record. After an unbind, the unbind again; after noiommu
    off --unbind, the same again and unbind of what it left recorded
    (its warning says so)."""
    sc = ctx.sc
    devs = [d for d in sc.devices if d not in gone]
    timeout = ["--timeout", "5"] if sc.timeout else []
    if not devs:
        return
    if sc.kind == "bind":
        if killed:
            yield [a for a in args(sc) if a not in gone]
        moved = [d for d in devs if ctx.goal[d][0] == "vfio-pci" and
                 ctx.start[d][0] != "vfio-pci"]
        left = [d for d in devs if d in moved or
                d in with_records(root, devs)]
        if left:
            yield ["unbind"] + timeout + left
    elif sc.kind == "unbind":
        yield [a for a in args(sc) if a not in gone]
    else:
        yield list(sc.args)
        left = with_records(root, devs)
        if left:
            yield ["unbind"] + left


def follow_up(tool, ctx, root, killed, gone, log):
    """The next runs, then the final state: every device where the clean
    run (and for a bind, the unbind after it) leaves it, no record left."""
    sc = ctx.sc
    problems = []
    devs = [d for d in sc.devices if d not in gone]
    want = {d: ctx.start[d] if sc.kind == "bind" else ctx.goal[d]
            for d in devs}
    rc = None
    for i, a in enumerate(next_runs(ctx, root, killed, gone)):
        rc, out, err = tool.run(root, a, sc.env)
        log.append(("next", a, rc, out, err))
        if not wait_unlocked(root):
            problems.append("next run %s: a process still holds the lock" % a)
        if "AddressSanitizer" in err or "runtime error:" in err:
            problems.append("next run %s: sanitizer report" % a)
        snap, recs = snapshot(tool, root)
        # noiommu off --unbind leaves what an interrupted run left between
        # drivers to the unbind after it (its warning says so).
        lenient = killed and sc.kind == "noiommu" and i == 0
        problems += ["after %s: %s" % (" ".join(a), p)
                     for p in check(ctx, snap, recs, lenient, gone)]
    if rc is None:
        snap, recs = snapshot(tool, root)
    elif rc not in (0, sc.rc):
        problems.append("the last next run: exit %s, the clean run's was "
                        "%s" % (rc, sc.rc))
    for d in devs:
        if snap.get(d) != want[d]:
            problems.append("finally %s is %s, expected %s" %
                            (d, fmt(snap.get(d, (None, None, None))),
                             fmt(want[d])))
    if sc.kind == "noiommu" and read_param(root) != ctx.goal_param:
        problems.append("finally the mode is %s, expected %s" %
                        (read_param(root), ctx.goal_param))
    return problems


def run_case(tool, ctx, base, fault, n, log):
    sc = ctx.sc
    root = os.path.join(base, "case")
    if os.path.exists(root):
        shutil.rmtree(root)
    copy_tree(ctx.template, root)
    problems = []
    try:
        extra = dict(sc.env)
        extra["VN_MODEL_FAULT"] = "%d:%s" % (n, fault)
        rc, out, err = tool.run(root, args(sc, fault), extra)
        log.append(("faulted", args(sc, fault), rc, out, err))
        if rc == "timeout":
            problems.append("the faulted run did not end within 60 s")
        elif rc < 0 and -rc != signal.SIGKILL:
            problems.append("the faulted run died of signal %d" % -rc)
        if "AddressSanitizer" in err or "runtime error:" in err:
            problems.append("sanitizer report")
        killed = fault == "kill"
        if fault in ("hang", "hold"):
            # The parent has given up; its child still blocks in vfio-pci's
            # unbind, as the kernel would.
            snap, recs = snapshot(tool, root)
            problems += ["while blocked: " + p for p in
                         check(ctx, snap, recs, False, vanished(root))]
            release_all(tool, root)
        if not wait_unlocked(root):
            problems.append("a process of the run still holds the lock")
            release_all(tool, root)
            wait_unlocked(root)
        gone = vanished(root)
        snap, recs = snapshot(tool, root)
        problems += check(ctx, snap, recs, killed, gone)
        problems += follow_up(tool, ctx, root, killed, gone, log)
    finally:
        # Whatever still blocks in the model goes on (and ends).
        open(os.path.join(root, ".model/release"), "w").close()
        wait_unlocked(root, 5)
    return problems


def expected_failure(case_id):
    return EXPECTED_FAILURES.get(case_id)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, desc, problems=(), todo=None):
        self.n += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, desc)
        if todo:
            line += " # TODO " + todo
        print(line)
        for p in problems:
            for text in p.splitlines():
                print("#   " + text)
        if ok and todo:
            print("#   passes now: remove it from EXPECTED_FAILURES")
        if ok == bool(todo):
            self.failed += 1
        sys.stdout.flush()


def print_log(log):
    for what, a, rc, out, err in log:
        print("#   %s run: %s -> exit %s" % (what, " ".join(a), rc))
        for line in (out + err).splitlines()[:12]:
            print("#     " + line)


def run_scenario(tool, sc, base, tap, only=None, verbose=False):
    ctx = prepare(tool, sc, base)
    k = len(ctx.ops)
    if only is None:
        problems = []
        if ctx.clean_rc != sc.rc:
            problems.append("clean run: exit %s, expected %d\n%s%s" %
                            (ctx.clean_rc, sc.rc, ctx.clean_out,
                             ctx.clean_err))
        problems += check(ctx, ctx.clean_state, ctx.goal_recs, False, set())
        for d, want in sorted(sc.want_goal.items()):
            if ctx.clean_state[d] != want:
                problems.append("clean run: %s is %s, expected %s" %
                                (d, fmt(ctx.clean_state[d]), fmt(want)))
        tap.result(not problems, "%s/clean/0 (%d operations)" % (sc.name, k),
                   problems, expected_failure(sc.name + "/clean/0"))
    for op in ctx.ops:
        for fault in faults_at(sc, op):
            case_id = "%s/%s/%d" % (sc.name, fault, op["n"])
            if only and case_id != only:
                continue
            log = []
            problems = run_case(tool, ctx, base, fault, op["n"], log)
            why = expected_failure(case_id)
            desc = "%s (%s %s %s)" % (case_id, op["kind"], op["path"],
                                      op["value"].replace("\n", "\\n"))
            tap.result(not problems, desc,
                       problems[:3] if why and not verbose else problems,
                       why)
            if verbose or (problems and not why):
                print_log(log)
    shutil.rmtree(ctx.template)


# ---- --dry-run prints what runs ------------------------------------------------


def planned_steps(stdout):
    """What a --dry-run --json plan says will be done, in order:
    (path, value, optional) for a sysfs write, ("modprobe", module,
    optional) for a module load; optional when a condition may skip it.
    The one function that knows the plan's JSON shape: devices[].writes[]
    = {path, value} (no module loads) up to issue 12, devices[].steps[] =
    {kind, path, value, module, condition} since. noiommu on/off prints
    its own document (schema 1): the unbind transaction's document in
    "unbind", then its own "writes" (before: a text line 'would write V
    to PATH' after the transaction's document)."""
    doc, end = json.JSONDecoder().raw_decode(stdout.lstrip())
    steps = []
    if doc.get("action") in ("on", "off"):
        own = doc.get("writes") or []
        doc = doc.get("unbind") or {}
    else:
        own = []

    def add(step):
        optional = step.get("condition") is not None
        if step.get("kind", "write") == "write":
            steps.append((step["path"], step["value"], optional))
        elif step["kind"] == "load":
            steps.append(("modprobe", step["module"].replace("-", "_"),
                          optional))
    for dev in doc.get("devices", []):
        if dev.get("result") == "planned":
            for step in dev.get("steps", dev.get("writes", [])):
                add(step)
    for step in doc.get("steps") or []:
        add(step)
    for w in own:
        steps.append((w["path"], w["value"], False))
    for line in stdout.lstrip()[end:].splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[:2] == ["would", "write"] and \
                parts[3] == "to":
            steps.append((parts[4], parts[2], False))
    return steps


def planned_device_steps(stdout):
    """Per device, the plan's steps with their inverses and its fallback
    (the harbour): [(write, optional, [undo writes])], [fallback writes].
    A write is (path, value) or ("modprobe", module); optional when a
    condition may skip it."""
    doc, _ = json.JSONDecoder().raw_decode(stdout.lstrip())

    def one(step):
        if step.get("kind") == "write":
            w = (step["path"], step["value"])
        elif step.get("kind") == "load":
            w = ("modprobe", step["module"].replace("-", "_"))
        else:
            return None
        return (w, step.get("condition") is not None)
    out = {}
    for dev in doc.get("devices", []):
        if dev.get("result") != "planned":
            continue
        steps = []
        for step in dev.get("steps", []):
            w = one(step)
            undo = [u for u in map(one, step.get("undo") or []) if u]
            steps.append((w, undo))
        fallback = [f for f in map(one, dev.get("fallback") or []) if f]
        out[dev["bdf"]] = (steps, fallback)
    return out


def rollback_expected(steps, failed):
    """What a run whose write `failed` (an index into steps) fails must
    write: the steps up to it, then the inverses of those before it in
    reverse; optional where a condition may skip."""
    exp = [(w[0], w[1]) for w, _ in steps[:failed + 1] if w]
    for w, undo in reversed(steps[:failed]):
        for u in undo:
            # A step its condition skipped has no inverse to run.
            exp.append((u[0], u[1] or bool(w and w[1]) or w is None))
    return exp


def done_steps(ops):
    """The same from the model's log of a real run."""
    return [(o["path"], o["value"]) if o["kind"] == "write" else
            ("modprobe", o["path"]) for o in ops
            if o["kind"] in ("write", "load")]


def plan_matches(planned, done):
    """done is planned in order, less optional steps that did not run."""
    i = 0
    for what, value, optional in planned:
        if i < len(done) and done[i] == (what, value):
            i += 1
        elif not optional:
            return False
    return i == len(done)


def device_of(path, value):
    """The device a step concerns ("-": none, e.g. a module load)."""
    if path.endswith("/driver_override"):
        return path.split("/")[-2]
    if path.endswith(("/bind", "/unbind", "/drivers_probe")):
        return value.strip()
    return "-"


def per_device(steps):
    out = {}
    for step in steps:
        out.setdefault(device_of(step[0], step[1]), []).append(step)
    return out


DRY_RUN_SCENARIOS = ["bind-nic", "bind-3", "unbind-3", "unbind-foreign-nic",
                     "noiommu-off-unbind", "unbind-nic-load",
                     "bind-nic-load"]


def dry_runs(tool, base):
    """Each dry-run scenario prepared (its clean run done), with what its
    --dry-run --json printed and the tree it ran on (removed after)."""
    for name in DRY_RUN_SCENARIOS:
        sc = next(s for s in SCENARIOS if s.name == name)
        ctx = prepare(tool, sc, base)
        root = os.path.join(base, "dry")
        copy_tree(ctx.template, root)
        dry = args(sc)
        dry[1:1] = ["--dry-run", "--json"]
        rc, out, _ = tool.run(root, dry, sc.env)
        yield name, sc, ctx, root, rc, out
        shutil.rmtree(root)
        shutil.rmtree(ctx.template)


def dry_run_check(tool, base, tap):
    for name, sc, ctx, root, rc, out in dry_runs(tool, base):
        problems = []
        try:
            planned = per_device(planned_steps(out))
        except ValueError as e:
            planned = {}
            problems.append("the plan is not JSON: %s" % e)
        if read_log(root):
            problems.append("--dry-run wrote: %s" % read_log(root))
        done = per_device(done_steps(ctx.ops))
        for dev in sorted(set(planned) | set(done)):
            if not plan_matches(planned.get(dev, []), done.get(dev, [])):
                problems.append("%s: planned %s, done %s" %
                                (dev, planned.get(dev, []),
                                 done.get(dev, [])))
        why = expected_failure("dry-run/" + name)
        tap.result(not problems, "dry-run/%s (exit %s, %d steps)" %
                   (name, rc, sum(len(v) for v in done.values())), problems,
                   why)


def rollback_check(tool, base, tap):
    """A run failing at each write of a scenario: the writes the model saw
    are the plan's up to the failure, then its inverses (issue 12)."""
    for name, sc, ctx, _, _, out in dry_runs(tool, base):
        plans = planned_device_steps(out)
        writes = [o for o in ctx.ops if o["kind"] in ("write", "load")]
        for o in writes:
            root = os.path.join(base, "case")
            copy_tree(ctx.template, root)
            extra = dict(sc.env)
            extra["VN_MODEL_FAULT"] = "%d:EIO" % o["n"]
            tool.run(root, args(sc, "EIO"), extra)
            wait_unlocked(root)
            problems = rollback_problems(plans, read_log(root))
            shutil.rmtree(root)
            tap.result(not problems, "rollback/%s/EIO/%d (%s %s)" %
                       (name, o["n"], o["path"], o["value"].strip()),
                       problems, expected_failure(
                           "rollback/%s/%d" % (name, o["n"])))


def rollback_problems(plans, ops):
    done = per_device(done_steps(ops))
    failed = [o for o in ops if o["result"] == "EIO"]
    if not failed:
        return []
    f = failed[0]
    dev = device_of(f["path"], f["value"]) if f["kind"] == "write" else "-"
    if dev not in plans:
        return []
    steps, fallback = plans[dev]
    key = (f["path"], f["value"]) if f["kind"] == "write" else \
        ("modprobe", f["path"])
    idx = [i for i, (w, _) in enumerate(steps) if w and w[0] == key]
    if not idx:
        return ["%s: the failed write %s is not in the plan" % (dev, key)]
    exp = rollback_expected(steps, idx[0])
    harbour = exp + [(w, True) for w in fallback]
    got = done.get(dev, [])
    if plan_matches([(w[0], w[1], o) for w, o in exp], got) or \
            plan_matches([(w[0], w[1], o) for w, o in harbour], got):
        return []
    return ["%s: failing at %s, planned %s (then maybe %s), done %s" %
            (dev, key, exp, fallback, got)]


# ---- apply (vfio-noiommuctl.conf(5)) --------------------------------------------

NIC_ID = "8086:10d3"
STATE_DIR = "etc/vfio-noiommuctl"


def declare(root, name, text):
    d = os.path.join(root, STATE_DIR)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def fresh(tool, base, name, setup=()):
    """A rec-both tree with the holder of EDU gone, and set-up steps."""
    root = os.path.join(base, "apply-" + name)
    materialize("rec-both", root)
    tool.ctl_run(root, "init")
    tool.ctl_run(root, "release", HOLDER)
    for step in setup:
        if step[0] == "ctl":
            tool.ctl_run(root, *step[1:])
        else:
            rc, out, err = tool.run(root, list(step[1:]))
            if rc != 0:
                raise RuntimeError("set-up %s: exit %s\n%s%s" %
                                   (step, rc, out, err))
        wait_unlocked(root)
    return root


def writes(root):
    return [(o["kind"], o["path"], o["value"].strip())
            for o in read_log(root)]


def apply_twice(tool, base):
    """Declared NIC (by bdf with its IDs) and EDU2 (by path): the first run
    binds both, the second writes nothing and says so."""
    problems = []
    root = fresh(tool, base, "twice")
    declare(root, "10-nic.conf",
            "[device]\nmatch = bdf %s\nid = %s\n" % (NIC, NIC_ID))
    declare(root, "20-edu.conf", "[device]\nmatch = path 0000:00:06.0/00.0/01.0\n")
    rc, out, err = tool.run(root, ["apply", "--json"])
    wait_unlocked(root)
    st = tool.state(root)
    doc = json.loads(out) if out.startswith("{") else {}
    if rc != 0 or not doc.get("changed"):
        problems.append("first run: exit %s, changed %s\n%s" %
                        (rc, doc.get("changed"), err))
    for b in (NIC, EDU2):
        if st[b]["driver"] != "vfio-pci":
            problems.append("%s is on %s after apply" % (b, st[b]["driver"]))
    changed = sorted(d["bdf"] for d in doc.get("devices", []) if d["changed"])
    if changed != sorted([NIC, EDU2]):
        problems.append("changed devices: %s" % changed)
    rc, out, err = tool.run(root, ["apply"])
    if rc != 0 or "nothing changed" not in out or writes(root):
        problems.append("second run: exit %s, writes %s\n%s%s" %
                        (rc, writes(root), out, err))
    rc, out, err = tool.run(root, ["apply", "--json"])
    doc = json.loads(out) if out.startswith("{") else {}
    if rc != 0 or doc.get("changed") is not False or \
            any(d["changed"] for d in doc.get("devices", [])):
        problems.append("third run (--json): exit %s, %s" % (rc, out[:400]))
    shutil.rmtree(root)
    return problems


def apply_dry_run(tool, base):
    """--dry-run: 7 (would change) and no write; after the run: 0."""
    problems = []
    root = fresh(tool, base, "dry")
    declare(root, "10-nic.conf", "[device]\nmatch = bdf %s\n" % NIC)
    rc, out, err = tool.run(root, ["apply", "--dry-run"])
    if rc != 7 or writes(root):
        problems.append("dry run: exit %s (want 7), writes %s\n%s" %
                        (rc, writes(root), err))
    if tool.state(root)[NIC]["driver"] != "e1000e":
        problems.append("the dry run moved %s" % NIC)
    rc, out, err = tool.run(root, ["apply"])
    wait_unlocked(root)
    if rc != 0:
        problems.append("apply: exit %s\n%s" % (rc, err))
    rc, out, err = tool.run(root, ["apply", "--dry-run", "--json"])
    doc = json.loads(out) if out.startswith("{") else {}
    if rc != 0 or doc.get("changed") is not False:
        problems.append("dry run after apply: exit %s, %s" % (rc, out[:300]))
    shutil.rmtree(root)
    return problems


def apply_prune(tool, base):
    """NVME bound by the tool, not declared: drift, kept without --prune,
    returned to nvme with it."""
    problems = []
    root = fresh(tool, base, "prune", [("tool", "bind", NVME)])
    declare(root, "10-nic.conf", "[device]\nmatch = bdf %s\n" % NIC)
    rc, out, err = tool.run(root, ["apply"])
    wait_unlocked(root)
    st = tool.state(root)
    if rc != 0 or "drift     %s" % NVME not in out or \
            st[NVME]["driver"] != "vfio-pci":
        problems.append("without --prune: exit %s, %s on %s\n%s%s" %
                        (rc, NVME, st[NVME]["driver"], out, err))
    rc, out, err = tool.run(root, ["apply", "--prune", "--json"])
    wait_unlocked(root)
    st = tool.state(root)
    doc = json.loads(out) if out.startswith("{") else {}
    drift = doc.get("drift", [{}])
    if rc != 0 or st[NVME]["driver"] != "nvme" or NVME in read_journal(root) \
            or not drift[0].get("changed") or st[NIC]["driver"] != "vfio-pci":
        problems.append("--prune: exit %s, %s on %s, %s\n%s" %
                        (rc, NVME, st[NVME]["driver"], out[:600], err))
    shutil.rmtree(root)
    return problems


def apply_no_match(tool, base):
    """An entry that names no device, and one whose IDs changed: never
    bound, each reported by file:line; the rest applied: exit 5."""
    problems = []
    root = fresh(tool, base, "nomatch")
    declare(root, "10-nic.conf", "[device]\nmatch = bdf %s\n" % NIC)
    declare(root, "20-gone.conf", "[device]\nmatch = bdf 0000:00:09.0\n")
    declare(root, "30-moved.conf",
            "[device]\nmatch = bdf %s\nid = %s\n" % (NVME, NIC_ID))
    rc, out, err = tool.run(root, ["apply"])
    wait_unlocked(root)
    st = tool.state(root)
    for want in ("20-gone.conf:1", "30-moved.conf:1"):
        if want not in err:
            problems.append("%s not reported:\n%s" % (want, err))
    if rc != 5 or st[NIC]["driver"] != "vfio-pci" or \
            st[NVME]["driver"] != "nvme":
        problems.append("exit %s (want 5); %s on %s, %s on %s" %
                        (rc, NIC, st[NIC]["driver"], NVME,
                         st[NVME]["driver"]))
    shutil.rmtree(root)
    return problems


def restore_override(tool, base):
    """bind then unbind puts back the driver_override someone else set
    (exact restore, the journal's original_override)."""
    problems = []
    path = "/sys/bus/pci/devices/%s/driver_override" % NIC
    root = fresh(tool, base, "override", [("ctl", "store", path, "e1000e")])
    before = tool.state(root)[NIC]
    for a in (["bind", NIC], ["unbind", NIC]):
        rc, out, err = tool.run(root, a)
        wait_unlocked(root)
        if rc != 0:
            problems.append("%s: exit %s\n%s" % (" ".join(a), rc, err))
    after = tool.state(root)[NIC]
    if (after["driver"], after["override"]) != \
            (before["driver"], before["override"]):
        problems.append("before %s, after %s" % (before, after))
    shutil.rmtree(root)
    return problems


def persist_initramfs(tool, base):
    """With our initramfs-tools hook installed and the running release's
    image older than the change, bind --persist and noiommu on --persist
    each ask for update-initramfs; without the hook, neither does."""
    problems = []
    root = fresh(tool, base, "initramfs")
    config_space(root, NIC, 0x8086, 0x10d3, 0x525400ffff123456)
    with open(os.path.join(root, "proc/sys/kernel/osrelease")) as f:
        image = "/boot/initrd.img-" + f.read().strip()
    os.makedirs(os.path.join(root, "boot"), exist_ok=True)
    open(os.path.join(root, image[1:]), "w").close()
    os.utime(os.path.join(root, image[1:]), (1700000000, 1700000000))
    steps = [(["bind", "--persist", NIC], False, None),
             (["unbind", "--persist", NIC], True,
              "older than /etc/vfio-noiommuctl now"),
             (["noiommu", "on", "--persist"], True,
              "older than /etc/modprobe.d/vfio-noiommu.conf now")]
    for args, hook, want in steps:
        if hook:
            hooks = os.path.join(root, "etc/initramfs-tools/hooks")
            os.makedirs(hooks, exist_ok=True)
            open(os.path.join(hooks, "vfio-noiommuctl"), "w").close()
        rc, out, err = tool.run(root, args)
        wait_unlocked(root)
        note = "the initramfs %s carries the declared state" % image
        said = [l for l in (out + err).splitlines() if "initramfs" in l]
        if rc != 0 or (want is None and said) or \
                (want and not any(note in l and want in l and
                                  "run 'update-initramfs -u'" in l
                                  for l in said)):
            problems.append("%s: exit %s, want %s, said %s\n%s" %
                            (" ".join(args), rc, want, said, err))
    shutil.rmtree(root)
    return problems


def rule_override(tool, base, unloaded=False):
    """The udev rule steered NIC (driver_override vfio-pci, its answer in
    udev's database) but vfio-pci did not take it: apply binds it, and the
    rule's override is not its original, so unbind gives it back to
    e1000e with no override. unloaded: the rule also kept udev from
    loading e1000e, so unbind loads it, found by NIC's modalias."""
    problems = []
    path = "/sys/bus/pci/devices/%s/driver_override" % NIC
    away = ("ctl", "unload", "e1000e") if unloaded else \
        ("ctl", "store", "/sys/bus/pci/drivers/e1000e/unbind", NIC)
    root = fresh(tool, base, "rule", [("ctl", "store", path, "vfio-pci"),
                                      away])
    db = os.path.join(root, "run/udev/data")
    os.makedirs(db, exist_ok=True)
    with open(os.path.join(db, "+pci:" + NIC), "w") as f:
        f.write("E:VFIO_NOIOMMUCTL_DECLARED=1\n"
                "E:VFIO_NOIOMMUCTL_DRIVER=vfio-pci\n"
                "E:VFIO_NOIOMMUCTL_ENTRY=/etc/vfio-noiommuctl/10-nic.conf:1\n")
    declare(root, "10-nic.conf", "[device]\nmatch = bdf %s\n" % NIC)
    before = tool.state(root)[NIC]
    if (before["driver"], before["override"]) != (None, "vfio-pci"):
        problems.append("set-up: %s" % before)
    orig = None
    for a in (["apply"], ["unbind", NIC]):
        rc, out, err = tool.run(root, a)
        wait_unlocked(root)
        if rc != 0:
            problems.append("%s: exit %s\n%s" % (" ".join(a), rc, err))
        orig = orig or read_journal(root).get(NIC)
    after = tool.state(root)[NIC]
    if (after["driver"], after["override"]) != ("e1000e", None):
        problems.append("after apply and unbind: %s (journal %s)" %
                        (after, orig))
    shutil.rmtree(root)
    return problems


def config_space(root, bdf, vendor, device, dsn=None):
    """Config space as root reads it (the model has none): a DSN laid out
    as QEMU's e1000e has it (tests/fixtures/hosts.py, pci_config)."""
    cfg = bytearray(4096 if dsn else 256)
    cfg[0:4] = struct.pack("<HH", vendor, device)
    if dsn:
        struct.pack_into("<I", cfg, 0x100, 0x0001 | 2 << 16 | 0x140 << 20)
        struct.pack_into("<IIII", cfg, 0x140, 0x0003 | 1 << 16,
                         dsn & 0xffffffff, dsn >> 32, 0)
    link = os.path.join(root, "sys/bus/pci/devices", bdf)
    with open(os.path.join(os.path.realpath(link), "config"), "wb") as f:
        f.write(cfg)


NIC_FILE = "50-serial-52-54-00-ff-ff-12-34-56.conf"
EDU2_FILE = "50-path-0000-00-06.0_00.0_01.0.conf"


def persist(tool, base):
    """bind --persist records the NIC by serial and EDU2 by path, apply
    then changes nothing; unbind --persist removes the NIC's entry."""
    problems = []
    root = fresh(tool, base, "persist")
    config_space(root, NIC, 0x8086, 0x10d3, 0x525400ffff123456)
    config_space(root, EDU2, 0x1234, 0x11e8)
    d = os.path.join(root, STATE_DIR)
    rc, out, err = tool.run(root, ["bind", "--persist", NIC, EDU2])
    wait_unlocked(root)
    files = sorted(os.listdir(d)) if os.path.isdir(d) else []
    if rc != 0 or files != sorted([NIC_FILE, EDU2_FILE]):
        problems.append("bind --persist: exit %s, files %s\n%s%s" %
                        (rc, files, out, err))
    else:
        with open(os.path.join(d, NIC_FILE)) as f:
            text = f.read()
        if "id = 8086:10d3" not in text:
            problems.append("no ID cross-check in:\n" + text)
    rc, out, err = tool.run(root, ["apply"])
    if rc != 0 or "nothing changed: 2 of 2" not in out or writes(root):
        problems.append("apply after --persist: exit %s\n%s%s" %
                        (rc, out, err))
    rc, out, err = tool.run(root, ["unbind", "--persist", NIC])
    wait_unlocked(root)
    files = sorted(os.listdir(d))
    if rc != 0 or files != [EDU2_FILE] or \
            tool.state(root)[NIC]["driver"] != "e1000e":
        problems.append("unbind --persist: exit %s, files %s\n%s%s" %
                        (rc, files, out, err))
    shutil.rmtree(root)
    return problems


def persist_root(tool, base):
    """--persist --root DIR writes the entry inside DIR only, changes no
    device, and never follows a symlink out of DIR."""
    problems = []
    root = fresh(tool, base, "persist-root")
    config_space(root, NVME, 0x1b36, 0x0010)
    # Not below /dev (where tmp_base() may be): the model traps /dev.
    scratch = tempfile.mkdtemp(prefix="vn-image-")
    image = os.path.join(scratch, "image")
    os.makedirs(image + "/etc")
    rc, out, err = tool.run(root, ["bind", "--persist", "--root", image,
                                   NVME])
    want = os.path.join(image, STATE_DIR, "50-path-0000-00-04.0.conf")
    if rc != 0 or not os.path.exists(want) or writes(root) or \
            os.path.exists(os.path.join(root, STATE_DIR)):
        problems.append("--root: exit %s, writes %s\n%s%s" %
                        (rc, writes(root), out, err))
    outside = os.path.join(scratch, "outside")
    os.makedirs(outside)
    shutil.rmtree(os.path.join(image, "etc"))
    os.symlink(outside, os.path.join(image, "etc"))
    rc, out, err = tool.run(root, ["bind", "--persist", "--root", image,
                                   NVME])
    if rc == 0 or os.listdir(outside):
        problems.append("a symlink out of --root: exit %s, outside %s" %
                        (rc, os.listdir(outside)))
    shutil.rmtree(root)
    shutil.rmtree(scratch)
    return problems


APPLY_CHECKS = [("persist", persist), ("persist-root", persist_root),
                ("twice", apply_twice), ("dry-run", apply_dry_run),
                ("prune", apply_prune), ("no-match", apply_no_match),
                ("restore-override", restore_override),
                ("rule-override", rule_override),
                ("persist-initramfs", persist_initramfs),
                ("rule-override-unloaded",
                 lambda tool, base: rule_override(tool, base, True))]


def apply_check(tool, base, tap):
    for name, fn in APPLY_CHECKS:
        try:
            problems = fn(tool, base)
        except (RuntimeError, KeyError, ValueError) as e:
            problems = ["%s: %s" % (type(e).__name__, e)]
        tap.result(not problems, "apply/" + name, problems,
                   expected_failure("apply/" + name))


# ---- main ----------------------------------------------------------------------


def families():
    seen = []
    for sc in SCENARIOS:
        if sc.family not in seen:
            seen.append(sc.family)
    return seen + ["dry-run", "rollback", "apply"]


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(families()))
        return 0
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    tool = Tool(*[os.path.abspath(a) for a in sys.argv[1:4]])
    what = sys.argv[4]
    verbose = "-v" in sys.argv[5:]
    base = tmp_base()
    tap = Tap()
    t0 = time.time()
    try:
        if what == "--case":
            case_id = sys.argv[5]
            sc = next(s for s in SCENARIOS
                      if s.name == case_id.split("/")[0])
            run_scenario(tool, sc, base, tap, only=case_id, verbose=True)
        elif what in ("dry-run", "--dry-run-check"):
            dry_run_check(tool, base, tap)
        elif what == "rollback":
            rollback_check(tool, base, tap)
        elif what == "apply":
            apply_check(tool, base, tap)
        else:
            for sc in SCENARIOS:
                if sc.family == what:
                    run_scenario(tool, sc, base, tap, verbose=verbose)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("1..%d" % tap.n)
    print("# %d (scenario, fault, step) cases in %.1f s" %
          (tap.n, time.time() - t0))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())

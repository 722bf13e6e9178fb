"""relaunch's benchmark: the measurements of its performance targets, each
against its reference tool in the same run, printed as one table.

    python3 bench/bench.py --relaunch build/cmd/relaunch [--tiny] [--runs N]
                           [--workdir DIR] [--keep] [--only NAME,...]

It builds the trees and plist sets it measures under --workdir (a
temporary directory unless given; reused when given and built with the same
sizes), runs each comparison as paired runs (the reference and relaunch one
after the other, in alternating order, --runs times) and reports the median
of the per-pair ratios, so a load that comes and goes on a shared machine
falls on both sides of a pair. CPU time and peak memory are the child's own
(wait4's rusage). It is a benchmark, not a test: it exits 0 when every
measurement was made, whether or not it meets its target, and 1 when one
could not be made (the table is then incomplete). --tiny runs everything on
tiny inputs, to prove the script works (the meson test 'bench' does that).
"""

import argparse
import datetime
import json
import os
import platform
import plistlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20

# name: the sizes of a full run and of --tiny.
SIZES = {
    "full": {
        "big_files": 20000, "big_bytes": 2000 * MIB, "big_max": 200 * MIB,
        "small_files": 100000,
        "plists": [100, 1000, 6000], "plist_ref": 1000, "proc_jobs": 1000,
        "closure_jobs": 200, "closure_libs": 32,
    },
    "tiny": {
        "big_files": 200, "big_bytes": 8 * MIB, "big_max": 2 * MIB,
        "small_files": 500,
        "plists": [10, 30, 60], "plist_ref": 30, "proc_jobs": 20,
        "closure_jobs": 10, "closure_libs": 4,
    },
}


# ---------------------------------------------------------------- running

class Run:
    """One finished child: wall seconds, CPU seconds, peak RSS in bytes."""

    def __init__(self, wall, cpu, maxrss, status):
        self.wall, self.cpu, self.maxrss, self.status = wall, cpu, maxrss, status


def run(argv, ok=(0,), env=None, stdin=None, stdout=None):
    """Spawn argv (no shell), wait for it with wait4 and return a Run.
    stdin/stdout are paths (default /dev/null); an exit status outside ok
    is an error naming the command."""
    fin = os.open(stdin or os.devnull, os.O_RDONLY)
    fout = os.open(stdout or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    ferr = os.open(os.path.join(WORK, "last-stderr"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    actions = [(os.POSIX_SPAWN_DUP2, fin, 0), (os.POSIX_SPAWN_DUP2, fout, 1),
               (os.POSIX_SPAWN_DUP2, ferr, 2)]
    t0 = time.perf_counter()
    try:
        pid = os.posix_spawn(argv[0], argv, env if env is not None else os.environ,
                             file_actions=actions)
    finally:
        for fd in (fin, fout, ferr):
            os.close(fd)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        with open(os.path.join(WORK, "last-stderr"), errors="replace") as f:
            err = f.read().strip().splitlines()
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:4]), code,
                                                 err[-1] if err else "(no stderr)"))
    # Linux gives ru_maxrss in KiB, macOS in bytes.
    rss = ru.ru_maxrss if sys.platform == "darwin" else ru.ru_maxrss * 1024
    return Run(wall, ru.ru_utime + ru.ru_stime, rss, code)


def paired(ref, mine, runs):
    """Run ref() and mine() as pairs, alternating which goes first; each
    returns a Run. Returns (ref runs, mine runs) in pair order."""
    a, b = [], []
    for i in range(runs):
        if i % 2 == 0:
            a.append(ref())
            b.append(mine())
        else:
            b.append(mine())
            a.append(ref())
    return a, b


def median_ratio(xs, ys, key=lambda r: r.wall):
    """The median over pairs of key(x) / key(y)."""
    return statistics.median(key(x) / max(key(y), 1e-9) for x, y in zip(xs, ys))


def cpu(r):
    return r.cpu


def median(rs, key=lambda r: r.wall):
    return statistics.median(key(r) for r in rs)


# ---------------------------------------------------------------- building

def write_tree(root, sizes, seed):
    """Files of the given sizes under a Homebrew-like layout
    (Cellar/<pkg>/<version>/{bin,lib,share/...}); each file's bytes differ."""
    rng = random.Random(seed)
    block = rng.randbytes(4 * MIB)
    paths = []
    npkg = max(1, len(sizes) // 200)
    for i, size in enumerate(sizes):
        pkg = "pkg%04d" % (i % npkg)
        sub = ("bin", "lib", "share/doc", "share/man/man1", "include/%s" % pkg)[i % 5]
        d = os.path.join(root, "Cellar", pkg, "1.%d.0" % (i % 7), sub)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "f%06d" % i)
        with open(p, "wb") as f:
            f.write(i.to_bytes(8, "little"))
            left = size - 8
            off = (i * 7919) % (len(block) // 2)
            while left > 0:
                n = min(left, len(block) - off)
                f.write(block[off:off + n])
                left -= n
                off = 0
        paths.append(p)
    return paths


def big_sizes(n, total, biggest, seed):
    """n sizes adding up to total, from 1 KiB to exactly biggest, as in a
    Homebrew prefix: a body of small files (1 to 64 KiB, log-uniform) and a
    tail of a few very large ones. The tail is 1 KiB * (biggest / 1 KiB) **
    (u ** k) for uniform u, the first file has u = 1 (so it is biggest), and
    k is found by bisection so that the sizes add up to total."""
    rng = random.Random(seed)
    lo = 1024
    body = [int(lo * 64 ** rng.random()) for _ in range(n)]
    us = [rng.random() for _ in range(n)]
    us[0] = 1.0

    def sizes(k):
        return [max(b, int(lo * (biggest / lo) ** (u ** k))) for b, u in zip(body, us)]

    a, b = 1.0, 1e6
    for _ in range(100):
        k = (a * b) ** 0.5
        if sum(sizes(k)) > total:
            a = k
        else:
            b = k
    return sizes(b)


def small_sizes(n, seed):
    rng = random.Random(seed)
    return [rng.randint(1024, 16 * 1024) for _ in range(n)]


# core/model/manifest.h's RL_DIRSTAMP_RACY_NS, with a margin.
RACY_S = 3.5


def built(dirpath, params, build):
    """Build dirpath with build(dirpath) unless it was built with params."""
    stamp = os.path.join(dirpath, ".bench-params")
    want = json.dumps(params, sort_keys=True)
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == want:
                return
    shutil.rmtree(dirpath, ignore_errors=True)
    os.makedirs(dirpath)
    build(dirpath)
    with open(stamp, "w") as f:
        f.write(want)
    # A file whose mtime or ctime is within RACY_S of a recording is hashed
    # again by every later diff or plan until a snapshot sees it older (git's
    # racy index entries; RL_DIRSTAMP_RACY_NS). A tree recorded the moment
    # it was built would measure that one-off rehash, not the steady state
    # every later run sees: let the window pass first (not with --tiny).
    if RACY_S:
        time.sleep(RACY_S)


def file_list(root, out):
    """Every regular file under root, one per line with a NUL after it
    (xargs -0's input), and their total size."""
    total = 0
    with open(out, "wb") as f:
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if name.startswith(".bench"):
                    continue
                p = os.path.join(d, name)
                total += os.lstat(p).st_size
                f.write(os.fsencode(p) + b"\0")
    return total


def write_plists(root, n, program_for):
    """n daemon plists in root/plists, job i running program_for(i)."""
    pdir = os.path.join(root, "plists")
    os.makedirs(pdir, exist_ok=True)
    for i in range(n):
        label = "org.bench.job%05d" % i
        doc = {"Label": label, "ProgramArguments": [program_for(i), "--serve", "-c",
                                                    "/etc/bench/%d.conf" % i],
               "RunAtLoad": True, "KeepAlive": True}
        with open(os.path.join(pdir, label + ".plist"), "wb") as f:
            plistlib.dump(doc, f)
    return pdir


def keg_copies(root, name, src):
    """program(i) for write_plists: a copy of src as job i's own program,
    Cellar/<name % i>/1.0/bin/<name % i>."""
    def program(i):
        d = os.path.join(root, "Cellar", name % i, "1.0", "bin")
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name % i)
        shutil.copyfile(src, p)
        os.chmod(p, 0o755)
        return p
    return program


def build_plist_set(root, n):
    """n jobs, each with its own copy of a real dynamically linked program
    (so each has the shared-library closure that libc's users share)."""
    src = shutil.which("true") or "/bin/true"
    write_plists(root, n, keg_copies(root, "svc%05d", src))


def build_closure(root, jobs, nlibs):
    """A chain of nlibs shared libraries (lib0 needs lib1 … needs the
    last), one program linking lib0, and jobs plists running copies of it:
    every job shares the whole closure."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise RuntimeError("no C compiler (cc) to build the shared-library closure")
    lib = os.path.join(root, "Cellar", "shared", "1.0", "lib")
    src = os.path.join(root, "src")
    os.makedirs(lib)
    os.makedirs(src)
    for k in reversed(range(nlibs)):
        c = os.path.join(src, "l%d.c" % k)
        with open(c, "w") as f:
            if k + 1 < nlibs:
                f.write("int f%d(void);\nint f%d(void) { return f%d() + 1; }\n" % (k + 1, k, k + 1))
            else:
                f.write("int f%d(void) { return 1; }\n" % k)
        argv = [cc, "-shared", "-fPIC", "-o", os.path.join(lib, "libbench%d.so" % k), c,
                "-Wl,-rpath," + lib]
        if k + 1 < nlibs:
            argv += ["-L" + lib, "-lbench%d" % (k + 1)]
        subprocess.run(argv, check=True)
    main = os.path.join(src, "main.c")
    with open(main, "w") as f:
        f.write("int f0(void);\nint main(void) { return f0() == 0; }\n")
    prog = os.path.join(src, "prog")
    subprocess.run([cc, "-o", prog, main, "-L" + lib, "-lbench0", "-Wl,-rpath," + lib],
                   check=True)

    write_plists(root, jobs, keg_copies(root, "app%04d", prog))


STANDIN = r"""#!/bin/sh
# A stand-in launchctl that answers at once: every job of the bench's plist
# set is loaded and running as a process of its own, whose pid the labels
# file (@LABELS@, one services line per job: pid, status, label) gives.
[ "$1" = print ] || [ "$1" = print-disabled ] || exit 0
if [ "$1" = print-disabled ]; then
	printf '%s = {\n\tdisabled services = {\n\t}\n}\n' "$2"
	exit 0
fi
case "$2" in
system/* | gui/*/* | user/*/*)
	label=${2##*/}
	pid=
	while read -r p s l; do
		if [ "$l" = "$label" ]; then
			pid=$p
			break
		fi
	done <'@LABELS@'
	[ -n "$pid" ] || exit 113
	printf '%s = {\n\tactive count = 1\n\tpath = @PLISTS@/%s.plist\n\ttype = LaunchDaemon\n\tstate = running\n\n\tprogram = @PROGRAM@\n\targuments = {\n\t\t@PROGRAM@\n\t}\n\n\tdomain = system\n\truns = 1\n\tpid = %s\n}\n' "$2" "$label" "$pid"
	;;
*)
	printf '%s = {\n\ttype = system\n\thandle = 0\n\tactive count = 1\n\n\tservices = {\n' "$2"
	cat '@LABELS@'
	printf '\t}\n}\n'
	;;
esac
"""


# ---------------------------------------------------------------- the bench

class Table:
    def __init__(self):
        self.rows = []

    def add(self, name, value, target, ok):
        self.rows.append((name, value, target, "yes" if ok else "**no**"))
        print("bench: %s: %s (target %s)" % (name, value, target), file=sys.stderr, flush=True)

    def floor(self, name, value):
        """A row that measures what this machine allows, not relaunch."""
        self.rows.append((name, value, "(the floor)", "—"))
        print("bench: %s: %s" % (name, value), file=sys.stderr, flush=True)

    def missing(self, name, target, why):
        self.rows.append((name, "not measured: " + why, target, "?"))
        print("bench: %s: not measured: %s" % (name, why), file=sys.stderr, flush=True)


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return model, os.cpu_count() or 1


def openssl_speed():
    """openssl speed -evp sha256 with 16 KiB blocks, one core: bytes/s."""
    out = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", "16384",
                          "-seconds", "1", "-mr"], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        if line.startswith("+F:"):
            return float(line.split(":")[3])
    raise RuntimeError("openssl speed printed no +F: line")


def env_for(daemon_dir=None):
    e = dict(os.environ)
    e["RELAUNCH_AGENT_DIRS"] = ""
    e["RELAUNCH_DAEMON_DIRS"] = daemon_dir or ""
    e.pop("RELAUNCH_CONFIG", None)
    return e


def fmt_s(s):
    return "%.2f s" % s if s >= 1 else "%.0f ms" % (s * 1000)


def bench_hash(t, A, size, root, label, target_ratio, speed):
    """record --verify over root vs sequential openssl dgst -sha256."""
    lst = os.path.join(WORK, label + ".list")
    total = file_list(root, lst)
    state = os.path.join(WORK, "state-" + label)
    shutil.rmtree(state, ignore_errors=True)
    xargs = shutil.which("xargs")
    openssl = shutil.which("openssl")
    ref = lambda: run([xargs, "-0", openssl, "dgst", "-sha256"], stdin=lst)
    mine = lambda: run([A.relaunch, "record", "-q", "--verify", "--path", root,
                        "--state-dir", state], env=env_for())
    ref()
    mine()  # the page cache warm for both
    a, b = paired(ref, mine, A.runs)
    r = median_ratio(a, b)
    t.add("`record --verify`, %s vs sequential `openssl dgst -sha256`" % size,
          "%.2f× openssl's speed (%s vs %s)" % (r, fmt_s(median(b)), fmt_s(median(a))),
          "≥ %.1f× faster" % target_ratio, r >= target_ratio)
    if speed:
        cores = machine()[1]
        rate = total / median(b)
        frac = rate / (cores * speed)
        t.add("same, throughput vs %d cores × `openssl speed -evp sha256` (16 KB)" % cores,
              "%.0f %% (%.0f MB/s of %.0f MB/s)" % (frac * 100, rate / 1e6, cores * speed / 1e6),
              "≥ 90 %", frac >= 0.9)
        # What reading and hashing alone allow on one core: open, read
        # (or map) and hash each file, no walk, no lstat, nothing kept.
        fr = {}
        for mode in ("read", "mmap"):
            rs = [run([A.floor, "hash", mode, lst]) for _ in range(A.runs)]
            fr[mode] = total / median(rs, key=cpu) / speed
        t.floor("floor: a C loop that only opens, reads and hashes the same files, one core "
                "(bench/floor.c)",
                "%.0f %% of one core's `openssl speed` (%.0f %% mapping the files instead)"
                % (fr["read"] * 100, fr["mmap"] * 100))
    return state


def bench_stat(t, A, root, size, state_hint):
    """diff with nothing changed and record without --verify vs find; the
    peak memory of both and of record --verify, over a recorded manifest."""
    find = shutil.which("find")
    state = os.path.join(WORK, "state-stat")
    shutil.rmtree(state, ignore_errors=True)
    rec = lambda: run([A.relaunch, "record", "-q", "--path", root, "--state-dir", state],
                      env=env_for())
    rec()
    ref = lambda: run([find, root, "-printf", "%i %s %T@\n"])
    diff = lambda: run([A.relaunch, "diff", "--state-dir", state], env=env_for())
    ref()
    a, b = paired(ref, diff, A.runs)
    r = median_ratio(b, a)
    t.add("`diff`, nothing changed, %s vs `find ROOT -printf '%%i %%s %%T@\\n'`" % size,
          "%.2f× (%s vs %s; CPU %.2f×)" % (r, fmt_s(median(b)), fmt_s(median(a)),
                                          median_ratio(b, a, cpu)), "≤ 1.5×", r <= 1.5)
    diff_rss = max(x.maxrss for x in b)
    a, c = paired(ref, rec, A.runs)
    r = median_ratio(c, a)
    t.add("`record` without `--verify`, same tree, vs the same find",
          "%.2f× (%s vs %s; CPU %.2f×)" % (r, fmt_s(median(c)), fmt_s(median(a)),
                                          median_ratio(c, a, cpu)), "≤ 2×", r <= 2)
    rec_rss = max(x.maxrss for x in c)
    # --verify hashes every file, the previous manifest loaded beside it.
    ver = [run([A.relaunch, "record", "-q", "--verify", "--path", root, "--state-dir", state],
               env=env_for()) for _ in range(max(1, min(A.runs, 3)))]
    ver_rss = max(x.maxrss for x in ver)
    with open(os.path.join(state, "manifest.json"), "rb") as f:
        head = json.loads(f.readline())
        # Version 3's header counts its entries; version 2 has one a line.
        entries = head["entries"] if "entries" in head else sum(1 for _ in f)
    t.add("peak memory, `diff` / `record` / `record --verify`, %d-entry manifest" % entries,
          "%.0f / %.0f / %.0f MiB" % (diff_rss / MIB, rec_rss / MIB, ver_rss / MIB),
          "≤ 64 MiB each", max(diff_rss, rec_rss, ver_rss) <= 64 * MIB)
    size_b = os.path.getsize(os.path.join(state, "manifest.json"))
    per = size_b / max(1, entries)
    t.add("manifest on disk, entry with no uses", "%.0f B" % per, "≤ 160 B", per <= 160)


PLISTREF = r"""
import os, plistlib, sys
n = 0
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".plist"):
        continue
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        d = plistlib.load(f)
    prog = d.get("Program") or d["ProgramArguments"][0]
    os.lstat(prog)
    n += 1
print(n)
"""


def bench_plan(t, A, S):
    """plan --no-processes CPU per job over the plist sets, and the set of
    plist_ref jobs against a python plistlib script."""
    per = {}
    runs_at = {}
    for n in S["plists"]:
        root = os.path.join(WORK, "plists-%d" % n)
        built(root, {"n": n}, lambda d, n=n: build_plist_set(d, n))
        pdir = os.path.join(root, "plists")
        state = os.path.join(WORK, "state-plan-%d" % n)
        shutil.rmtree(state, ignore_errors=True)
        run([A.relaunch, "record", "-q", "--state-dir", state], env=env_for(pdir))
        plan = lambda: run([A.relaunch, "plan", "--no-processes", "--state-dir", state],
                           ok=(0, 1), env=env_for(pdir))
        plan()
        rs = [plan() for _ in range(A.runs)]
        per[n] = median(rs, key=lambda r: r.cpu) / n
        runs_at[n] = (pdir, state, plan)
    lo, hi = S["plists"][0], S["plists"][-1]
    growth = per[hi] / per[lo]
    t.add("`plan --no-processes` CPU per job, %d → %d plists" % (lo, hi),
          "%.2f → %.2f ms (%.2f×)" % (per[lo] * 1000, per[hi] * 1000, growth),
          "flat (≤ 1.1×)", growth <= 1.1)
    n = S["plist_ref"]
    pdir, state, plan = runs_at[n]
    script = os.path.join(WORK, "plistref.py")
    with open(script, "w") as f:
        f.write(PLISTREF)
    ref = lambda: run([sys.executable, script, pdir])
    a, b = paired(ref, plan, A.runs)
    r = median_ratio(b, a)
    t.add("`plan --no-processes`, %d plists, vs python plistlib load + lstat" % n,
          "%.2f× (%s vs %s; CPU %.2f×)" % (r, fmt_s(median(b)), fmt_s(median(a)),
                                          median_ratio(b, a, cpu)), "≤ 0.5×", r <= 0.5)


def bench_procview(t, A, S):
    """plan with the process view through a stand-in launchctl that answers
    at once vs plan --no-processes; each job runs as a process of its own."""
    n = S["proc_jobs"]
    root = os.path.join(WORK, "proc-%d" % n)
    sleep = shutil.which("sleep")

    def build(d):
        p = os.path.join(d, "Cellar", "daemon", "1.0", "bin", "daemon")
        os.makedirs(os.path.dirname(p))
        shutil.copyfile(sleep, p)
        os.chmod(p, 0o755)
        write_plists(d, n, lambda i: p)

    built(root, {"n": n}, build)
    prog = os.path.join(root, "Cellar", "daemon", "1.0", "bin", "daemon")
    pdir = os.path.join(root, "plists")
    names = sorted(name[:-len(".plist")] for name in os.listdir(pdir))
    # One process per job, as launchd runs them: n copies of the daemon,
    # each its own pid (one pid shared by every job would let a cache of
    # what a pid runs pass for speed). All are killed whatever happens.
    procs = []
    try:
        for _ in names:
            procs.append(subprocess.Popen([prog, "100000"], stdin=subprocess.DEVNULL))
        labels = os.path.join(WORK, "standin-labels")
        with open(labels, "w") as f:
            for proc, name in zip(procs, names):
                f.write("\t\t%d\t-\t%s\n" % (proc.pid, name))
        standin = os.path.join(WORK, "launchctl")
        with open(standin, "w") as f:
            f.write(STANDIN.replace("@PLISTS@", pdir).replace("@PROGRAM@", prog)
                    .replace("@LABELS@", labels))
        os.chmod(standin, 0o755)
        state = os.path.join(WORK, "state-proc")
        shutil.rmtree(state, ignore_errors=True)
        run([A.relaunch, "record", "-q", "--state-dir", state], env=env_for(pdir))
        base = lambda: run([A.relaunch, "plan", "--no-processes", "--state-dir", state],
                           ok=(0, 1), env=env_for(pdir))
        view = lambda: run([A.relaunch, "plan", "--launchctl", standin, "--state-dir", state],
                           ok=(0, 1), env=env_for(pdir))
        base()
        view()
        a, b = paired(base, view, A.runs)
        r = median_ratio(b, a)
        t.add("`plan` with the process view, %d running jobs, stand-in launchctl" % n,
              "%.2f× (%s vs %s; CPU %.2f×)" % (r, fmt_s(median(b)), fmt_s(median(a)),
                                              median_ratio(b, a, cpu)),
              "≤ 1.2× `plan --no-processes`", r <= 1.2)
        # What reading the processes alone costs: stat, exe, maps and
        # children of each, as any process view on Linux must.
        if os.path.isdir("/proc/self"):
            pids = [str(p.pid) for p in procs]
            rs = [run([A.floor, "proc"] + pids) for _ in range(A.runs)]
            fl = median(rs, key=cpu)
            allowed = 0.2 * median(a)
            t.floor("floor: a C loop that only reads stat, exe, maps and children of the "
                    "same %d processes (bench/floor.c)" % n,
                    "%s of CPU, where 1.2× `plan --no-processes` leaves %s"
                    % (fmt_s(fl), fmt_s(allowed)))
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


def bench_closure(t, A, S):
    """Jobs sharing one shared-library closure: what each added job adds to
    the manifest."""
    jobs, nlibs = S["closure_jobs"], S["closure_libs"]
    sizes = {}
    for n in (jobs // 2, jobs):
        root = os.path.join(WORK, "closure-%d-%d" % (n, nlibs))
        built(root, {"jobs": n, "libs": nlibs}, lambda d, n=n: build_closure(d, n, nlibs))
        state = os.path.join(WORK, "state-closure-%d" % n)
        shutil.rmtree(state, ignore_errors=True)
        run([A.relaunch, "record", "-q", "--state-dir", state],
            env=env_for(os.path.join(root, "plists")))
        sizes[n] = os.path.getsize(os.path.join(state, "manifest.json"))
    per_job = (sizes[jobs] - sizes[jobs // 2]) / (jobs - jobs // 2)
    # A job's own entries (plist, program) and one use of each closure file
    # by reference: a few hundred bytes plus a few tens per file.
    limit = 512 + 64 * nlibs
    t.add("%d jobs sharing one %d-library closure: manifest growth per job" % (jobs, nlibs),
          "%.0f B/job (%.1f MB in all)" % (per_job, sizes[jobs] / 1e6),
          "≤ %d B (jobs + files, not jobs × files)" % limit, per_job <= limit)


def main():
    global WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--relaunch", required=True, help="the relaunch binary to measure")
    ap.add_argument("--tiny", action="store_true", help="tiny inputs: proves the script works")
    ap.add_argument("--runs", type=int, default=None, help="pairs per comparison (default 5, tiny 1)")
    ap.add_argument("--workdir", help="where to build the inputs (kept; default a temporary dir)")
    ap.add_argument("--only", help="comma-separated: hash,stat,plan,procview,closure")
    ap.add_argument("--floor", help="bench/floor built (default: <build>/bench/floor "
                    "beside the relaunch measured)")
    A = ap.parse_args()
    A.relaunch = os.path.abspath(A.relaunch)
    if A.floor is None:
        A.floor = os.path.join(os.path.dirname(os.path.dirname(A.relaunch)), "bench", "floor")
    A.floor = os.path.abspath(A.floor)
    if not os.access(A.floor, os.X_OK):
        ap.error("--floor: %s is not an executable (build bench/floor.c: meson builds "
                 "it as <build>/bench/floor)" % A.floor)
    if A.runs is None:
        A.runs = 1 if A.tiny else 5
    S = SIZES["tiny" if A.tiny else "full"]
    global RACY_S
    if A.tiny:
        RACY_S = 0  # proves the script works; measures nothing
    known = {"hash", "stat", "plan", "procview", "closure"}
    only = set(A.only.split(",")) if A.only else known
    if only - known:
        ap.error("--only: unknown measurement %s (known: %s)"
                 % (", ".join(sorted(only - known)), ",".join(sorted(known))))
    tmp = None
    if A.workdir:
        WORK = os.path.abspath(A.workdir)
        os.makedirs(WORK, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="relaunch-bench-")
        WORK = tmp
    model, cores = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    load0 = os.getloadavg()
    t = Table()
    failed = 0
    steps = []
    if "hash" in only:
        big = os.path.join(WORK, "tree-big")
        small = os.path.join(WORK, "tree-small")

        def hash_step():
            built(big, dict(S, shape=2), lambda d: write_tree(d, big_sizes(S["big_files"], S["big_bytes"],
                                                            S["big_max"], 1), 1))
            speed = openssl_speed()
            bench_hash(t, A, "Homebrew-like tree (%d files, %.1f GB, 1 KB–%d MB)" %
                       (S["big_files"], S["big_bytes"] / 1e9, S["big_max"] // MIB),
                       big, "big", 1.9, speed)

        def small_step():
            built(small, {"n": S["small_files"]},
                  lambda d: write_tree(d, small_sizes(S["small_files"], 2), 2))
            bench_hash(t, A, "%d small files (1–16 KB)" % S["small_files"], small, "small",
                       1.5, None)

        steps += [("`record --verify`, Homebrew-like tree", "≥ 1.9×", hash_step),
                  ("`record --verify`, small files", "≥ 1.5×", small_step)]
    if "stat" in only:
        small = os.path.join(WORK, "tree-small")

        def stat_step():
            built(small, {"n": S["small_files"]},
                  lambda d: write_tree(d, small_sizes(S["small_files"], 2), 2))
            bench_stat(t, A, small, "%d files" % S["small_files"], None)

        steps.append(("`diff` / `record` vs find, memory, manifest size", "see issue", stat_step))
    if "plan" in only:
        steps.append(("`plan --no-processes` per job", "flat", lambda: bench_plan(t, A, S)))
    if "procview" in only:
        steps.append(("`plan` with the process view", "≤ 1.2×", lambda: bench_procview(t, A, S)))
    if "closure" in only:
        steps.append(("shared closure", "jobs + files", lambda: bench_closure(t, A, S)))
    try:
        for name, target, fn in steps:
            try:
                fn()
            except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
                t.missing(name, target, str(e))
                failed = 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    load1 = os.getloadavg()
    print("relaunch benchmark, %s%s" % (started.strftime("%Y-%m-%d %H:%M UTC"),
                                         " (--tiny: sizes too small to mean anything)"
                                         if A.tiny else ""))
    print("machine: %s, %d cores, %s %s; load average %.2f at the start, %.2f at the end"
          % (model, cores, platform.system(), platform.release(), load0[0], load1[0]))
    print("ratios: medians of %d paired runs each, of wall-clock time (the targets'); "
          "CPU: the same ratio of user + system time, steadier on a loaded machine" % A.runs)
    print()
    print("| measurement | result | target | met |")
    print("|---|---|---|---|")
    for row in t.rows:
        print("| %s |" % " | ".join(row))
    return failed


WORK = None

if __name__ == "__main__":
    sys.exit(main())

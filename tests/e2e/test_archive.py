#!/usr/bin/env python3
"""`relaunch plan --archive` and `run --archive` end to end.

    test_archive.py RELAUNCH MKARCHIVE [--shard K/N] [test names…]   (harness.main)

Synthetic Homebrew bottles and MacPorts images are built here (with
libarchive through tests/tools/mkarchive.c, in every type MacPorts writes)
for a Homebrew-shaped and a MacPorts-shaped tree under the launchd
simulator (tests/e2e/harness.py). Each test predicts with `plan --archive`,
installs the same files the way brew and port do, runs `relaunch run`, and
requires the predicted jobs (and actions) to EQUAL the jobs restarted.
Hostile archives must fail with one line naming the archive and the entry,
exit 4, write nothing, and keep relaunch's memory bounded.
"""
import gzip
import io
import json
import os
import plistlib
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import (FAST, SLEEP, Machine, atomic_copy, atomic_symlink,  # noqa: E402
                     brew, build_c, lib_source)

RELAUNCH = None
MKARCHIVE = None
# MacPorts' archive types (portarchivetype) and how libarchive writes each.
IMAGE_TYPES = {
    "tbz2": ("pax", "bzip2"),
    "tgz": ("pax", "gzip"),
    "txz": ("pax", "xz"),
    "tar": ("pax", "none"),
    "cpio": ("cpio", "none"),
    "xar": ("xar", "none"),
    "zip": ("zip", "none"),
}
# A hostile archive may cost no more memory (peak RSS) than a small good
# one plus this: reading is bounded whatever the archive claims or holds.
SLACK_KB = 32 * 1024


def mkarchive(out, fmt, flt, tree):
    r = subprocess.run([MKARCHIVE, "tree", out, fmt, flt, tree], stderr=subprocess.PIPE,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"mkarchive {fmt}/{flt}: {r.stderr}")
    return out


def age_history(m, seconds=60):
    """As if every recorded restart happened `seconds` earlier (relaunch
    never restarts a label twice within 10 s)."""
    path = os.path.join(m.state, "history.json")
    with open(path) as f:
        h = json.load(f)
    h["restarts"] = {k: v - int(seconds * 1e9) for k, v in h["restarts"].items()}
    with open(path, "w") as f:
        json.dump(h, f)


def tree_files(root):
    """Every non-directory under root, relative, sorted."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            out.append(os.path.relpath(os.path.join(d, f), root))
    return out


def install_tree(src, dst):
    """Copy src's files into dst as activation and pouring do: each file
    written anew and renamed into place (a new inode), symlinks recreated."""
    for rel in tree_files(src):
        s, d = os.path.join(src, rel), os.path.join(dst, rel)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            atomic_symlink(os.readlink(s), d)
        else:
            atomic_copy(s, d)
            os.chmod(d, os.stat(s).st_mode & 0o7777)


class ArchiveTest(unittest.TestCase):
    # -- helpers ----------------------------------------------------------
    def boot(self, m, labels):
        m.boot()
        for label in labels:
            m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)

    def predict(self, m, *archives, expect=1, extra=()):
        r, doc = m.relaunch_json("plan", *extra, "--archive", *archives)
        self.assertEqual(r.returncode, expect, f"{r.stdout}\n{r.stderr}")
        self.assertEqual(set(doc), {"version", "steps", "reported", "archives"}, doc)
        return {s["label"]: s for s in doc["steps"]}, doc

    def run_json(self, m, *args):
        r, doc = m.relaunch_json("run", *FAST, *args)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        return {res["label"]: res for res in doc["results"]}

    def assert_same(self, predicted, results):
        """The predicted steps are exactly the jobs restarted, same action."""
        restarted = {k: v for k, v in results.items() if v["status"] == "restarted"}
        self.assertEqual(set(predicted), set(restarted), (predicted, results))
        for label, step in predicted.items():
            self.assertEqual(step["action"], restarted[label]["action"], label)

    def bottle(self, m, formula, version, files):
        """<formula>--<version>.arm64_sonoma.bottle.tar.gz holding
        <formula>/<version>/<rel> for each (rel, source path) in files;
        returns (archive, staged keg)."""
        stage = os.path.join(m.root, "stage-" + formula + "-" + version)
        keg = os.path.join(stage, formula, version)
        for rel, src in files:
            os.makedirs(os.path.dirname(os.path.join(keg, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(keg, rel))
        out = os.path.join(m.root, f"{formula}--{version}.arm64_sonoma.bottle.tar.gz")
        return mkarchive(out, "pax", "gzip", stage), keg

    def pour(self, m, formula, version, keg):
        """brew upgrade from the bottle: new keg, opt relinked, old keg gone."""
        old = os.path.realpath(m.opt(formula))
        install_tree(keg, os.path.join(m.brew, "Cellar", formula, version))
        atomic_symlink(f"../Cellar/{formula}/{version}", m.opt(formula))
        shutil.rmtree(old)

    def image(self, m, port, version, kind, program=None, stamp=True, where=None, plist_keys=None,
              plist_fmt=plistlib.FMT_XML):
        """A MacPorts image of port: +CONTENTS, +PORTFILE, the daemon and the
        startup item's plist as installed now (with plist_keys over it, or
        in plist_fmt, when given); returns (archive, staged tree)."""
        stage = os.path.join(m.root, f"stage-{port}-{version}-{kind}")
        sbin = os.path.join(stage, "opt", "local", "sbin")
        os.makedirs(sbin, exist_ok=True)
        atomic_copy(program or SLEEP, os.path.join(sbin, port),
                    f"{port} {version}" if stamp else None)
        label = f"org.macports.{port}"
        plist = os.path.join(m.ports, "etc", "LaunchDaemons", label, label + ".plist")
        dst = os.path.join(stage, "opt", "local", "etc", "LaunchDaemons", label)
        os.makedirs(dst, exist_ok=True)
        shutil.copy2(plist, os.path.join(dst, label + ".plist"))
        if plist_keys or plist_fmt != plistlib.FMT_XML:
            with open(plist, "rb") as f:
                d = plistlib.load(f)
            d.update(plist_keys or {})
            with open(os.path.join(dst, label + ".plist"), "wb") as f:
                plistlib.dump(d, f, fmt=plist_fmt)
        with open(os.path.join(stage, "+CONTENTS"), "w") as f:
            f.write(f"@name {port}-{version}_0\n@portname {port}\n@portepoch 0\n"
                    f"@portversion {version}\n@portrevision 0\n@archs arm64\n"
                    f"opt/local/sbin/{port}\n")
        with open(os.path.join(stage, "+PORTFILE"), "w") as f:
            f.write(f"PortSystem 1.0\nname {port}\nversion {version}\n")
        where = where or os.path.join(m.ports, "var", "macports", "software", port)
        os.makedirs(where, exist_ok=True)
        out = os.path.join(where, f"{port}-{version}_0.darwin_23.arm64.{kind}")
        fmt, flt = IMAGE_TYPES[kind]
        return mkarchive(out, fmt, flt, stage), stage

    def activate(self, m, stage):
        install_tree(os.path.join(stage, "opt", "local"), m.ports)

    # -- Homebrew ---------------------------------------------------------
    def test_bottle_predicts_what_run_restarts(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            m.brew_install("redis", "7.2.0", daemon=False)
            self.boot(m, ["homebrew.mxcl.nginx", "homebrew.mxcl.redis"])
            prog = os.path.join(m.root, "nginx-new")
            atomic_copy(SLEEP, prog, "nginx 1.25.4")
            archive, keg = self.bottle(m, "nginx", "1.25.4", [("bin/nginx", prog)])
            predicted, doc = self.predict(m, archive)
            self.assertEqual(set(predicted), {"homebrew.mxcl.nginx"})
            self.assertEqual(doc["archives"], [{"path": archive, "kind": "bottle",
                                                "name": "nginx", "version": "1.25.4"}])
            why = {(r["path"], r["change"]) for r in predicted["homebrew.mxcl.nginx"]["reasons"]}
            self.assertIn((m.opt("nginx"), "retargeted"), why)
            # Text output names the package and the job, exit 1.
            r = m.relaunch("plan", "--archive", archive)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("installing nginx 1.25.4 (Homebrew bottle", r.stdout)
            self.assertIn("kickstart system/homebrew.mxcl.nginx", r.stdout)
            self.pour(m, "nginx", "1.25.4", keg)
            results = self.run_json(m)
            self.assert_same(predicted, results)

    def test_library_bottle_predicts_the_jobs_linking_it(self):
        with Machine(RELAUNCH) as m:
            m.brew_c_library("libfoo", "1.0")
            m.brew_c_daemon("app", "1.0", lib="libfoo")
            m.brew_c_daemon("plain", "1.0")
            self.boot(m, ["homebrew.mxcl.app", "homebrew.mxcl.plain"])
            new = os.path.join(m.root, "build-libfoo", "libfoo.so")
            build_c(new, lib_source("foo", "1.1"), shared=True, soname="libfoo.so")
            archive, keg = self.bottle(m, "libfoo", "1.1", [("lib/libfoo.so", new)])
            predicted, _ = self.predict(m, archive)
            self.assertEqual(set(predicted), {"homebrew.mxcl.app"})
            chains = [r.get("chain") for r in predicted["homebrew.mxcl.app"]["reasons"]]
            self.assertTrue(any(c and c[-1].endswith("libfoo.so") for c in chains), chains)
            self.pour(m, "libfoo", "1.1", keg)
            results = self.run_json(m)
            self.assert_same(predicted, results)

    def test_bottle_of_an_unused_formula_predicts_nothing(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            prog = os.path.join(m.root, "jq")
            atomic_copy(SLEEP, prog, "jq 1.7")
            archive, _ = self.bottle(m, "jq", "1.7", [("bin/jq", prog)])
            predicted, doc = self.predict(m, archive, expect=0)
            self.assertEqual(predicted, {})
            self.assertEqual(doc["steps"], [])

    # -- launchd's answers -------------------------------------------------
    # What launchd says of a job now decides a run's step (not loaded,
    # loaded elsewhere, idle, a task left to finish, disabled, copies in
    # other logins): plan --archive asks it as plan does, so that each
    # target it predicts is decided as the run after the install decides it.
    DECISIONS = ("idle", "current", "refused", "skipped", "deferred")

    def predicted_decisions(self, doc):
        """plan --archive's document as {target or label: decision}: each
        step by its target ("kickstart"/"reload"), each decided job by its
        label (the reported decision)."""
        out = {s["target"]: s["action"] for s in doc["steps"]}
        for r in doc["reported"]:
            if r["change"] in self.DECISIONS:
                out.update({label: r["change"] for label in r["labels"]})
        return out

    def run_decisions(self, doc):
        """run's results in the same shape: a restart by its target and
        action, any other outcome by its label."""
        out = {}
        for res in doc["results"]:
            if res["status"] == "restarted":
                out[res["target"]] = res["action"]
            else:
                out[res["label"]] = res["status"]
        return out

    def assert_agrees(self, m, archive, install, expect, *extra):
        """plan --archive (with extra options) decides each job as expect
        says, and `run` (the same options) after install() does the same."""
        r, doc = m.relaunch_json("plan", *extra, "--archive", archive)
        self.assertIn(r.returncode, (0, 1), f"{r.stdout}\n{r.stderr}")
        self.assertEqual(self.predicted_decisions(doc), expect, doc)
        install()
        r, doc = m.relaunch_json("run", *FAST, *extra)
        self.assertIn(r.returncode, (0, 3), f"{r.stdout}\n{r.stderr}")
        self.assertEqual(self.run_decisions(doc), expect, doc)

    def nginx_bottle(self, m, version="1.25.4"):
        prog = os.path.join(m.root, "nginx-" + version)
        atomic_copy(SLEEP, prog, "nginx " + version)
        archive, keg = self.bottle(m, "nginx", version, [("bin/nginx", prog)])
        return archive, lambda: self.pour(m, "nginx", version, keg)

    def nginx_booted_out(self, m):
        """nginx's daemon installed, recorded, then booted out of launchd:
        its label."""
        m.brew_install("nginx", "1.25.3")
        label = brew("nginx")
        self.boot(m, [label])
        self.assertEqual(m.launchctl("bootout", "system/" + label).returncode, 0)
        harness.wait_until(lambda: m.launchctl("print", "system/" + label).returncode,
                           "nginx booted out")
        return label

    def test_plan_archive_skips_a_job_launchd_has_not_loaded(self):
        with Machine(RELAUNCH) as m:
            label = self.nginx_booted_out(m)
            archive, install = self.nginx_bottle(m)
            self.assertEqual(m.relaunch("plan", "--archive", archive).returncode, 0)
            self.assert_agrees(m, archive, install, {label: "skipped"})

    def test_plan_archive_finds_an_agent_where_launchd_has_it(self):
        """brew services over SSH: the agent is loaded in user/<uid>."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3", daemon=False)
            label = brew("nginx")
            m.boot(user_agents=True)
            m.wait_pid(label)
            self.assertEqual(m.relaunch("run").returncode, 0)
            archive, install = self.nginx_bottle(m)
            self.assert_agrees(m, archive, install,
                               {f"user/{os.getuid()}/{label}": "kickstart"})

    def test_plan_archive_restarts_the_copy_in_the_other_domain(self):
        """An agent loaded in gui/<uid> and in user/<uid>: a step each."""
        with Machine(RELAUNCH) as m:
            plist = m.brew_install("nginx", "1.25.3", daemon=False)
            label = brew("nginx")
            m.boot("--load", f"user/{os.getuid()}={plist}")
            self.assert_both_kickstarted(m, label, f"user/{os.getuid()}/{label}")

    def test_plan_archive_restarts_the_copy_in_another_login(self):
        """An agent every GUI login loads: the other login's copy too."""
        with Machine(RELAUNCH) as m:
            other = 502
            shared = os.path.join(m.root, "Library", "LaunchAgents")
            os.makedirs(shared)
            m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared
            m.brew_install("nginx", "1.25.3", daemon=False)
            label = brew("nginx")
            os.replace(os.path.join(m.agents, label + ".plist"),
                       os.path.join(shared, label + ".plist"))
            m.domains[label] = f"gui/{os.getuid()}"
            m.boot("--all-users-agent-dir", shared, "--gui-uid", str(os.getuid()),
                   "--gui-uid", str(other))
            self.assert_both_kickstarted(m, label, f"gui/{other}/{label}")

    def assert_both_kickstarted(self, m, label, copy):
        """label runs in gui/<uid> and as the copy target copy: once both
        run, plan --archive and the run after the install agree on a
        kickstart of each."""
        m.wait_pid(label)
        harness.wait_until(lambda: "pid = " in m.launchctl("print", copy).stdout,
                           "the copy " + copy)
        self.assertEqual(m.relaunch("run").returncode, 0)
        archive, install = self.nginx_bottle(m)
        self.assert_agrees(m, archive, install,
                           {f"gui/{os.getuid()}/{label}": "kickstart", copy: "kickstart"})

    def test_plan_archive_leaves_a_running_task_to_finish(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3", KeepAlive=None, StartInterval=300)
            label = brew("nginx")
            self.boot(m, [label])
            archive, install = self.nginx_bottle(m)
            self.assert_agrees(m, archive, install, {label: "idle"})

    def test_plan_archive_leaves_a_job_without_a_process_idle(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3", KeepAlive=False)
            label = brew("nginx")
            self.boot(m, [label])
            os.kill(m.pid(label), signal.SIGTERM)
            harness.wait_until(lambda: m.pid(label) == 0, "nginx gone")
            archive, install = self.nginx_bottle(m)
            self.assert_agrees(m, archive, install, {label: "idle"})

    def test_plan_archive_refuses_a_daemon_when_not_root(self):
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            label = brew("nginx")
            self.boot(m, [label])
            m.env["RELAUNCH_AS_USER"] = "1"
            archive, install = self.nginx_bottle(m)
            self.assert_agrees(m, archive, install, {label: "refused"})

    def test_plan_archive_refuses_a_job_whose_program_the_bottle_drops(self):
        """The new keg has no bin/nginx (renamed bin/nginx2): once the old
        keg is cleaned up, the job's program is gone, and the run's
        pre-flight refuses the restart; plan --archive says so first."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            label = brew("nginx")
            self.boot(m, [label])
            prog = os.path.join(m.root, "nginx2")
            atomic_copy(SLEEP, prog, "nginx 1.25.4")
            archive, keg = self.bottle(m, "nginx", "1.25.4", [("bin/nginx2", prog)])
            gone = os.path.join(m.brew, "Cellar", "nginx", "1.25.4", "bin", "nginx")
            r, doc = m.relaunch_json("plan", "--archive", archive)
            self.assertEqual([x["why"] for x in doc["reported"] if x["change"] == "refused"],
                             [f"new program {gone} does not exist"], doc)
            self.assert_agrees(m, archive, lambda: self.pour(m, "nginx", "1.25.4", keg),
                               {label: "refused"})

    def test_plan_archive_refuses_a_job_naming_its_old_kegs_program(self):
        """The plist names the program by its keg's path, not opt's (a
        service block's `libexec`, a plist written by hand): the cleanup
        deletes it with the old keg, though the new keg has a bin/nginx,
        and the run's pre-flight refuses the restart; plan --archive says
        so first."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            label = brew("nginx")
            gone = os.path.join(m.brew, "Cellar", "nginx", "1.25.3", "bin", "nginx")
            m.write_plist(label, [gone, "1000"])
            self.boot(m, [label])
            archive, install = self.nginx_bottle(m)
            r, doc = m.relaunch_json("plan", "--archive", archive)
            self.assertEqual([x["why"] for x in doc["reported"] if x["change"] == "refused"],
                             [f"new program {gone} does not exist"], doc)
            self.assert_agrees(m, archive, install, {label: "refused"})

    def test_plan_archive_refuses_a_job_through_a_link_of_its_own_into_the_old_keg(self):
        """The plist names the program through a symlink outside the
        prefix, into the old keg: neither the upgrade nor `brew link`
        retargets it, the cleanup deletes what it points at, and the run's
        pre-flight refuses the restart; plan --archive says so first. A job
        through brew link's own P/bin/nginx is kickstarted: that link is
        retargeted to the new keg."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            label, linked = brew("nginx"), "org.example.linked"
            link = os.path.join(m.root, "x", "nginx-link")
            os.makedirs(os.path.dirname(link))
            os.symlink(os.path.join(m.brew, "Cellar", "nginx", "1.25.3", "bin", "nginx"), link)
            m.write_plist(label, [link, "1000"])
            bin_link = os.path.join(m.brew, "bin", "nginx")
            os.makedirs(os.path.dirname(bin_link), exist_ok=True)
            os.symlink("../Cellar/nginx/1.25.3/bin/nginx", bin_link)
            m.write_plist(linked, [bin_link, "1000"])
            self.boot(m, [label, linked])
            archive, pour = self.nginx_bottle(m)

            def install():
                pour()
                atomic_symlink("../Cellar/nginx/1.25.4/bin/nginx", bin_link)

            gone = os.path.join(m.brew, "Cellar", "nginx", "1.25.3", "bin", "nginx")
            r, doc = m.relaunch_json("plan", "--archive", archive)
            self.assertEqual([x["why"] for x in doc["reported"] if x["change"] == "refused"],
                             [f"new program {gone} does not exist"], doc)
            self.assert_agrees(m, archive, install,
                               {label: "refused", "system/" + linked: "kickstart"})

    def test_plan_archive_says_when_launchd_cannot_be_asked(self):
        """launchd cannot be reached: a job the packages reach is not looked
        at (exit 4, as plan), and one they do not reach is no concern."""
        with Machine(RELAUNCH) as m:
            m.brew_install("nginx", "1.25.3")
            archive, _ = self.nginx_bottle(m)
            r, doc = m.relaunch_json("plan", "--archive", archive)
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn("not looking at the processes of 1 job ('homebrew.mxcl.nginx')",
                          r.stderr)
            prog = os.path.join(m.root, "jq")
            atomic_copy(SLEEP, prog, "jq 1.7")
            archive, _ = self.bottle(m, "jq", "1.7", [("bin/jq", prog)])
            r, doc = m.relaunch_json("plan", "--archive", archive)
            self.assertEqual((r.returncode, r.stderr, doc["steps"]), (0, "", []))

    def test_plan_archive_without_launchd_asks_nothing(self):
        """--no-processes: launchd is not asked, by plan --archive as by
        run; a job launchd has not loaded stays a restart for both."""
        with Machine(RELAUNCH) as m:
            label = self.nginx_booted_out(m)
            archive, _ = self.nginx_bottle(m)
            since = time.time()
            r, doc = m.relaunch_json("plan", "--no-processes", "--archive", archive)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(self.predicted_decisions(doc), {"system/" + label: "kickstart"})
            self.assertEqual(m.calls(since), [])

    def test_plan_archive_defers_the_reload_of_a_disabled_job(self):
        """The image's plist gives the daemon other arguments: a reload, which
        a run leaves for later while launchd's overrides disable the job
        (its bootstrap would be refused); enabled again, the next run reloads
        it."""
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            label = "org.macports.memcached"
            self.boot(m, [label])
            args = [os.path.join(m.ports, "bin", "daemondo"), "--label=memcached",
                    "--start-cmd", os.path.join(m.ports, "sbin", "memcached"), "2000", ";",
                    "--pid=exec"]
            archive, stage = self.image(m, "memcached", "1.6.1", "tgz",
                                        plist_keys={"ProgramArguments": args})
            self.assertEqual(m.launchctl("disable", "system/" + label).returncode, 0)
            self.assert_agrees(m, archive, lambda: self.activate(m, stage), {label: "deferred"})
            self.assertEqual(m.launchctl("enable", "system/" + label).returncode, 0)
            age_history(m)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(self.run_decisions(doc), {"system/" + label: "reload"}, doc)

    def test_plan_archive_kickstarts_a_plist_rewritten_with_its_definition(self):
        """The image's plist holds the same definition in binary form: other
        bytes, nothing to reload. The run after activation kickstarts the
        daemon, and plan --archive says so; other arguments reload it."""
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            label = "org.macports.memcached"
            self.boot(m, [label])
            archive, stage = self.image(m, "memcached", "1.6.1", "tgz",
                                        plist_fmt=plistlib.FMT_BINARY)
            self.assert_agrees(m, archive, lambda: self.activate(m, stage),
                               {"system/" + label: "kickstart"})
            age_history(m)
            args = [os.path.join(m.ports, "bin", "daemondo"), "--label=memcached",
                    "--start-cmd", os.path.join(m.ports, "sbin", "memcached"), "2000", ";",
                    "--pid=exec"]
            archive, stage = self.image(m, "memcached", "1.6.2", "tgz",
                                        plist_keys={"ProgramArguments": args})
            self.assert_agrees(m, archive, lambda: self.activate(m, stage),
                               {"system/" + label: "reload"})

    # -- MacPorts ---------------------------------------------------------
    def test_image_of_every_type_predicts_what_run_restarts(self):
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            m.port_install("redis", "7.0.0")
            labels = ["org.macports.memcached", "org.macports.redis"]
            self.boot(m, labels)
            for n, kind in enumerate(IMAGE_TYPES):
                with self.subTest(kind=kind):
                    archive, stage = self.image(m, "memcached", f"1.6.{n + 1}", kind)
                    predicted, doc = self.predict(m, archive)
                    self.assertEqual(set(predicted), {"org.macports.memcached"}, kind)
                    self.assertEqual(doc["archives"][0]["kind"], "macports")
                    self.assertEqual(doc["archives"][0]["version"], f"1.6.{n + 1}_0")
                    # The startup item's plist comes back with the same bytes:
                    # replaced, not a reload (as the diff after activation says).
                    self.assertEqual(predicted["org.macports.memcached"]["action"], "kickstart")
                    self.assertIn("replaced", {r["change"] for r in doc["reported"]})
                    self.activate(m, stage)
                    results = self.run_json(m)
                    self.assert_same(predicted, results)
                    age_history(m)

    def test_run_archive_restarts_only_what_the_image_reaches(self):
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            m.port_install("redis", "7.0.0")
            self.boot(m, ["org.macports.memcached", "org.macports.redis"])
            archive, stage = self.image(m, "memcached", "1.6.1", "tbz2")
            predicted, _ = self.predict(m, archive)
            self.activate(m, stage)
            m.port_activate("redis", "7.0.1")  # another upgrade, not in the archive
            results = self.run_json(m, "--archive", archive)
            self.assert_same(predicted, results)
            self.assertNotIn("org.macports.redis", results)
            # The rest stays pending: the next full run restarts redis only.
            age_history(m)
            results = self.run_json(m)
            self.assertEqual({k for k, v in results.items() if v["status"] == "restarted"},
                             {"org.macports.redis"})

    def test_image_prefix_given_or_inferred(self):
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            m.boot()
            m.wait_pid("org.macports.memcached")
            elsewhere = os.path.join(m.root, "downloads")
            archive, _ = self.image(m, "memcached", "1.6.1", "tgz", where=elsewhere)
            # Outside <prefix>/var/macports/software the prefix is /opt/local.
            predicted, _ = self.predict(m, archive, expect=0)
            self.assertEqual(predicted, {})
            predicted, _ = self.predict(m, archive, extra=("--prefix", m.ports))
            self.assertEqual(set(predicted), {"org.macports.memcached"})

    # -- hostile archives -------------------------------------------------
    def bad(self, m, archive, entry, *words, cmd=("plan",)):
        """Run relaunch on a hostile archive: exit 4, one line naming the
        archive (and the entry), nothing written; returns its peak RSS (KiB)."""
        before = sorted(os.listdir(m.state)) if os.path.isdir(m.state) else []
        out, err, code, rss = self.measured(m, *cmd, "--archive", archive)
        self.assertEqual(code, 4, f"{out}\n{err}")
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("relaunch: cannot read archive '" + archive + "'"),
                        err)
        if entry is not None:
            self.assertIn(f"entry '{entry}'", lines[0])
        for w in words:
            self.assertIn(w, lines[0])
        after = sorted(os.listdir(m.state)) if os.path.isdir(m.state) else []
        self.assertEqual(before, after)
        return rss

    @staticmethod
    def measured(m, *args):
        """Run relaunch; (stdout, stderr, exit code, peak RSS in KiB) of that
        process alone (wait4)."""
        outp, errp = os.path.join(m.root, "out.txt"), os.path.join(m.root, "err.txt")
        # AddressSanitizer keeps freed memory in a quarantine (256 MB by
        # default): a small one, so peak RSS measures relaunch, not ASan.
        env = dict(m.env)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                     "quarantine_size_mb=1"]))
        with open(outp, "w") as o, open(errp, "w") as e:
            p = subprocess.Popen([RELAUNCH, *args], env=env, stdout=o, stderr=e)
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        with open(outp) as o, open(errp) as e:
            return o.read(), e.read(), p.returncode, ru.ru_maxrss

    def tar_with(self, path, members, mode="w:gz"):
        """members: (TarInfo, bytes or None)."""
        with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as t:
            for ti, data in members:
                t.addfile(ti, io.BytesIO(data) if data is not None else None)
        return path

    @staticmethod
    def info(name, size=0, kind=tarfile.REGTYPE, link=""):
        ti = tarfile.TarInfo(name)
        ti.size, ti.type, ti.linkname, ti.mode = size, kind, link, 0o644
        return ti

    def contents(self):
        data = b"@name x-1_0\n@portname x\n@portversion 1\n@portrevision 0\n"
        return (self.info("+CONTENTS", len(data)), data)

    def test_bad_archives(self):
        with Machine(RELAUNCH) as m:
            m.port_install("memcached", "1.6.0")
            d = os.path.join(m.root, "bad")
            os.makedirs(d)
            good, _ = self.image(m, "memcached", "1.6.1", "tgz", where=d)
            with open(good, "rb") as f:
                data = f.read()
            trunc = os.path.join(d, "trunc-1.0_0.darwin_23.arm64.tgz")
            with open(trunc, "wb") as f:
                f.write(data[:len(data) // 2])
            self.bad(m, trunc, None)
            text = os.path.join(d, "text-1.0_0.darwin_23.arm64.tbz2")
            with open(text, "w") as f:
                f.write("not an archive\n" * 100)
            self.bad(m, text, None)
            dotdot = self.tar_with(os.path.join(d, "dotdot.tgz"), [
                self.contents(), (self.info("opt/local/../../etc/passwd", 1), b"x")])
            self.bad(m, dotdot, "opt/local/../../etc/passwd", "leaves the archive")
            absolute = self.tar_with(os.path.join(d, "abs.tgz"), [
                self.contents(), (self.info("/etc/passwd", 1), b"x")])
            self.bad(m, absolute, "/etc/passwd", "absolute")
            loop = self.tar_with(os.path.join(d, "loop.tgz"), [
                self.contents(),
                (self.info("opt/local/bin/a", kind=tarfile.SYMTYPE, link="b"), None),
                (self.info("opt/local/bin/b", kind=tarfile.SYMTYPE, link="../bin/a"), None)])
            self.bad(m, loop, "opt/local/bin/a", "symlink loop")
            # The same loop behind a double slash in a link's text: an empty
            # component, not a way out of the archive (a bottle) nor back
            # to / (an image).
            slashed = self.tar_with(os.path.join(d, "slashed.tgz"), [
                self.contents(),
                (self.info("opt/local/bin/a", kind=tarfile.SYMTYPE, link="sub//b"), None),
                (self.info("opt/local/bin/sub/b", kind=tarfile.SYMTYPE, link="../a"), None)])
            self.bad(m, slashed, "opt/local/bin/a", "symlink loop")
            slashed = self.tar_with(os.path.join(d, "nginx--1.1.arm64_sonoma.bottle.tar.gz"), [
                (self.info("nginx/1.1/bin/nginx", kind=tarfile.SYMTYPE, link="sub//b"), None),
                (self.info("nginx/1.1/bin/sub/b", kind=tarfile.SYMTYPE, link="../nginx"),
                 None)])
            self.bad(m, slashed, "nginx/1.1/bin/nginx", "symlink loop")
            outside = self.tar_with(os.path.join(d, "nginx--1.0.arm64_sonoma.bottle.tar.gz"), [
                (self.info("nginx/1.0/bin/nginx", 1), b"x"), (self.info("evil/x", 1), b"x")])
            self.bad(m, outside, "evil/x", "not under 'nginx/1.0/'")
            # A header claiming 10 GB, then the archive simply ends: small on
            # disk, refused from the header alone.
            huge = os.path.join(d, "huge-1.0_0.darwin_23.arm64.tgz")
            with gzip.open(huge, "wb") as f:
                c, cd = self.contents()
                f.write(c.tobuf(tarfile.PAX_FORMAT) + cd + b"\0" * (512 - len(cd)))
                f.write(self.info("opt/local/lib/big", 10 * 1024 ** 3).tobuf(tarfile.PAX_FORMAT))
                f.write(b"\0" * 4096)
            self.assertLess(os.path.getsize(huge), 64 * 1024)
            # Bounded: no more than a small good archive needs, plus slack.
            _, err, code, base = self.measured(m, "plan", "--no-processes", "--prefix", m.ports,
                                               "--archive", good)
            self.assertEqual(code, 1, err)
            rss = self.bad(m, huge, "opt/local/lib/big", "10737418240")
            self.assertLess(rss, base + SLACK_KB)
            # A million entries: refused past the limit, memory bounded.
            many = os.path.join(d, "many-1.0_0.darwin_23.arm64.tgz")
            subprocess.run([MKARCHIVE, "many", many, "1000000"], check=True, timeout=300)
            self.assertLess(os.path.getsize(many), 32 * 1024 * 1024)
            rss = self.bad(m, many, None, "more than 500000 entries")
            self.assertLess(rss, base + SLACK_KB)
            # run --archive with a bad archive restarts nothing, writes nothing.
            self.bad(m, loop, "opt/local/bin/a", cmd=("run",))


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "MKARCHIVE")

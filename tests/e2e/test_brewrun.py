#!/usr/bin/env python3
"""End to end: jobs `brew services run` loaded, under the launchd simulator.

    test_brewrun.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

`brew services run FORMULA` bootstraps the formula's plist from where brew
keeps it, its opt link or its keg, and copies it into no job directory
(Homebrew/brew services/cli.rb `service_load`, formula.rb
`launchd_service_path`). relaunch finds such a job in launchd's listings,
and its plist from the path `print` shows it loaded from:
- loaded from the opt link (in gui/<uid>, or user/<uid>, as over SSH,
  with or without a GUI session), an upgrade restarts it (kickstart), or reloads
  it from the same opt path when the new keg's plist says something else;
  loaded in both, each domain's copy is restarted;
- loaded from a keg, an upgrade that keeps the old keg kickstarts it; one
  whose cleanup removed the old keg kickstarts it when the latest keg's
  plist has the same bytes, and reloads it from the latest keg when that
  plist says something else; a `brew cleanup` after the restart removing
  the keg it was loaded from restarts nothing;
- it is listed by `jobs`, also named by its formula;
- nothing changed: nothing planned; a failed restart is retried by the
  next run; a command without launchd knows the job from the manifest;
- its entry in the config is no unknown label, and applies to it;
- a homebrew.mxcl.* job whose plist cannot be found is one warning;
- a job directory's plist of a label launchd runs from another plist
  is not restarted for its files (skipped).
"""
import os
import shutil
import sys
import unittest

import harness
from harness import FAST, Machine, brew, wait_until

RELAUNCH = None


class BrewServicesRun(unittest.TestCase):
    def keg_plist(self, m, formula, version, args=("1000",)):
        """The plist brew writes into the keg (formula.rb: the keg's
        homebrew.mxcl.<formula>.plist), running the program by its opt
        path, as brew's service block renders it."""
        path = os.path.join(m.brew, "Cellar", formula, version, brew(formula) + ".plist")
        exe = os.path.join(m.opt(formula), "bin", formula)
        return m.write_plist(brew(formula), [exe, *args], path=path)

    def install(self, m, formula, version, keg=False):
        """A formula installed, not started: its keg with its plist and its
        opt link. Returns the path `brew services run` loads: the opt
        link's plist, or with keg the keg's own."""
        m.brew_keg(formula, version)
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        harness.atomic_symlink(f"../Cellar/{formula}/{version}", m.opt(formula))
        in_keg = self.keg_plist(m, formula, version)
        return in_keg if keg else os.path.join(m.opt(formula), brew(formula) + ".plist")

    def upgrade(self, m, formula, new, args=("1000",), cleanup=True):
        """brew upgrade: the new keg with its plist, opt relinked, the old
        keg removed unless cleanup is off."""
        opt = m.opt(formula)
        old = os.path.realpath(opt)
        m.brew_keg(formula, new)
        self.keg_plist(m, formula, new, args)
        harness.atomic_symlink(f"../Cellar/{formula}/{new}", opt)
        if cleanup:
            shutil.rmtree(old)

    def boot_run(self, m, *loads, headless=False, user=False):
        """launchd with each (label, path) loaded into the agent domain as
        `brew services run` loads it (headless: no GUI session, user/<uid>,
        as over SSH; user: user/<uid> beside a GUI session, as over SSH
        while the user is logged in at the GUI)."""
        domain = f"user/{os.getuid()}" if headless or user else m.agent_domain
        opts = ["--headless"] if headless else []
        for label, path in loads:
            opts += ["--load", f"{domain}={path}"]
            m.domains[label] = domain
        m.boot(*opts)

    def print_path(self, m, label):
        r = m.launchctl("print", m.target(label))
        self.assertEqual(r.returncode, 0, r.stderr)
        return [ln.strip()[7:] for ln in r.stdout.splitlines()
                if ln.strip().startswith("path = ")][0]

    def plan(self, m, expect, *args):
        r, doc = m.relaunch_json("plan", *args)
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return {s["label"]: s for s in doc["steps"]}, r

    def run_json(self, m, expect=0):
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return {res["label"]: res for res in doc["results"]}, r

    def baseline(self, m, label):
        pid = m.wait_pid(label)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("recorded the baseline", r.stdout)
        files = {f["path"] for f in m.manifest()["files"]
                 if any(u["label"] == label for u in f.get("uses", []))}
        self.assertTrue(any(p.endswith(label + ".plist") for p in files), files)
        return pid

    def restarted(self, m, label, old, version):
        pid = wait_until(lambda: (p := m.pid(label)) and p != old and p, f"{label} to restart")
        self.assertIn(os.path.join("Cellar", label[14:], version, "bin"), m.exe(pid))
        return pid

    def test_opt_link_upgrade_kickstarts(self):
        with Machine(RELAUNCH) as m:
            label = brew("redisd")
            loaded = self.install(m, "redisd", "7.2.4")
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.plan(m, 0)  # nothing changed: nothing
            # Listed, and named by its formula, as any job.
            r, doc = m.relaunch_json("jobs", "redisd")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([j["label"] for j in doc["jobs"]], [label])
            self.assertEqual(doc["jobs"][0]["target"], f"{m.agent_domain}/{label}")
            r = m.relaunch("jobs", "--no-processes", "redisd")
            self.assertEqual(r.returncode, 2, r.stderr)  # not without launchd
            self.upgrade(m, "redisd", "7.2.5")
            steps, _ = self.plan(m, 1)
            self.assertEqual(steps[label]["action"], "kickstart", steps)
            self.assertEqual(steps[label]["plist"], loaded)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "7.2.5")
            self.assertEqual(self.print_path(m, label), loaded)
            self.plan(m, 0)

    def test_opt_link_plist_changed_reloads_same_path(self):
        with Machine(RELAUNCH) as m:
            label = brew("pgd")
            loaded = self.install(m, "pgd", "16.3")
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.upgrade(m, "pgd", "16.4", args=("2000",))
            steps, _ = self.plan(m, 1)
            self.assertEqual(steps[label]["action"], "reload", steps)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "16.4")
            boot = [e for e in m.events("call") if e["argv"][0] == "bootstrap"]
            self.assertEqual(boot[-1]["argv"], ["bootstrap", m.agent_domain, loaded])
            self.assertEqual(self.print_path(m, label), loaded)
            self.plan(m, 0)

    def test_headless_user_domain(self):
        with Machine(RELAUNCH) as m:
            label = brew("tord")
            loaded = self.install(m, "tord", "0.4.8")
            self.boot_run(m, (label, loaded), headless=True)
            old = self.baseline(m, label)
            self.upgrade(m, "tord", "0.4.9")
            steps, _ = self.plan(m, 1)
            self.assertEqual(steps[label]["target"], f"user/{os.getuid()}/{label}")
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "0.4.9")
            self.plan(m, 0)

    def test_user_domain_beside_a_gui_session(self):
        # Over SSH brew loads into user/<uid> even while the user is logged
        # in at the GUI (services/system.rb domain_target): gui/<uid>
        # exists and does not have the job, user/<uid> does.
        with Machine(RELAUNCH) as m:
            label, target = brew("valkeyd"), f"user/{os.getuid()}/{brew('valkeyd')}"
            loaded = self.install(m, "valkeyd", "8.0.1")
            self.boot_run(m, (label, loaded), user=True)
            old = self.baseline(m, label)
            r, doc = m.relaunch_json("jobs", "valkeyd")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([j["target"] for j in doc["jobs"]], [target], doc)
            self.upgrade(m, "valkeyd", "8.0.2")
            steps, _ = self.plan(m, 1)
            self.assertEqual((steps[label]["target"], steps[label]["action"]),
                             (target, "kickstart"), steps)
            results, _ = self.run_json(m)
            self.assertEqual((results[label]["target"], results[label]["status"]),
                             (target, "restarted"), results)
            self.restarted(m, label, old, "8.0.2")
            results, _ = self.run_json(m)
            self.assertEqual(results, {})
            self.plan(m, 0)
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("pending: nothing", r.stdout)

    def test_loaded_in_both_domains_restarts_each(self):
        # `brew services run` at the GUI (gui/<uid>), and again over SSH
        # (user/<uid>): a process in each, each restarted in its own
        # domain.
        with Machine(RELAUNCH) as m:
            label = brew("memcd")
            gui, user = f"{m.agent_domain}/{label}", f"user/{os.getuid()}/{label}"
            loaded = self.install(m, "memcd", "1.6.28")
            m.domains[label] = m.agent_domain
            m.boot("--load", f"{m.agent_domain}={loaded}",
                   "--load", f"user/{os.getuid()}={loaded}")

            def user_pid():
                r = m.launchctl("print", user)
                return ([int(ln.strip()[6:]) for ln in r.stdout.splitlines()
                         if ln.strip().startswith("pid = ")] or [0])[0]

            old = {gui: self.baseline(m, label),
                   user: wait_until(user_pid, "the user domain's copy")}
            self.upgrade(m, "memcd", "1.6.29")
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertEqual([(s["target"], s["action"]) for s in doc["steps"]],
                             [(gui, "kickstart"), (user, "kickstart")], doc)
            r, doc = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual({x["target"]: (x["status"], x["old_pid"]) for x in doc["results"]},
                             {gui: ("restarted", old[gui]), user: ("restarted", old[user])},
                             doc)
            self.restarted(m, label, old[gui], "1.6.29")
            self.assertNotIn(user_pid(), (0, old[user]))
            self.assertIn("/Cellar/memcd/1.6.29/bin", m.exe(user_pid()))
            results, _ = self.run_json(m)
            self.assertEqual(results, {})
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("pending: nothing", r.stdout)

    def test_keg_path_kept_keg_kickstarts(self):
        with Machine(RELAUNCH) as m:
            label = brew("nginxd")
            loaded = self.install(m, "nginxd", "1.25.3", keg=True)
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.upgrade(m, "nginxd", "1.25.4", cleanup=False)
            steps, _ = self.plan(m, 1)
            self.assertEqual(steps[label]["action"], "kickstart", steps)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "1.25.4")
            self.plan(m, 0)

    def test_keg_path_cleanup_after_the_restart_restarts_nothing(self):
        """brew cleanup after a run kickstarted a job brew services run
        loaded from its old keg: the process runs the new keg's program,
        and launchd keeps the definition it loaded, the same as the new
        keg's: nothing to restart, though the plist it was loaded from
        is gone."""
        with Machine(RELAUNCH) as m:
            label = brew("nginxd")
            loaded = self.install(m, "nginxd", "1.25.3", keg=True)
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.upgrade(m, "nginxd", "1.25.4", cleanup=False)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            new = self.restarted(m, label, old, "1.25.4")
            shutil.rmtree(os.path.dirname(loaded))  # brew cleanup
            steps, r = self.plan(m, 0)
            self.assertEqual(steps, {}, r.stdout)
            results, _ = self.run_json(m)
            self.assertEqual(results, {})
            self.assertEqual(m.pid(label), new)

    def removed_keg(self, args, action):
        """The cleanup removed the keg launchd loaded the plist from; the
        latest keg's plist runs its program with args: the upgrade is
        planned as action, from the latest keg's plist, and done (a
        reload loads that plist)."""
        with Machine(RELAUNCH) as m:
            label = brew("unboundd")
            loaded = self.install(m, "unboundd", "1.25.0", keg=True)
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.upgrade(m, "unboundd", "1.25.1", args=args)
            latest = os.path.join(m.brew, "Cellar", "unboundd", "1.25.1", label + ".plist")
            steps, _ = self.plan(m, 1)
            self.assertEqual(steps[label]["action"], action, steps)
            self.assertEqual(steps[label]["plist"], latest)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "1.25.1")
            if action == "reload":
                self.assertEqual(self.print_path(m, label), latest)
            self.plan(m, 0)

    def test_keg_path_removed_keg_kickstarts_on_the_same_bytes(self):
        """The cleanup removed the keg launchd loaded the plist from, and
        the latest keg's plist has the same bytes: the program's upgrade
        is a kickstart; launchd keeps the definition it loaded."""
        self.removed_keg(("1000",), "kickstart")

    def test_keg_path_removed_keg_reloads_latest(self):
        # The latest keg's plist says something else: reloaded from it.
        self.removed_keg(("2000",), "reload")

    def test_failed_restart_is_retried(self):
        with Machine(RELAUNCH) as m:
            label = brew("mosq")
            loaded = self.install(m, "mosq", "2.1.0")
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            self.upgrade(m, "mosq", "2.1.1")
            # A kickstart answering 1 is tried once more: both refused.
            m.fault("exit", "--command", "kickstart", "--label", label, "--code", "1",
                    "--times", "2")
            results, _ = self.run_json(m, expect=3)
            self.assertEqual(results[label]["status"], "failed", results)
            self.assertEqual(m.pid(label), old)
            # Without launchd, the manifest still knows the job.
            steps, _ = self.plan(m, 1, "--no-processes")
            self.assertEqual(steps[label]["plist"], loaded)
            self.assertEqual(steps[label]["target"], f"{m.agent_domain}/{label}")
            r = m.relaunch("status")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertIn(label, r.stdout)
            results, _ = self.run_json(m)
            self.assertEqual(results[label]["status"], "restarted", results)
            self.restarted(m, label, old, "2.1.1")
            self.plan(m, 0)

    def test_config_entry_of_a_run_job_applies_without_warning(self):
        # A jobs.<label> entry for a job `brew services run` loaded names a
        # job relaunch handles: no command warns that it matches no job
        # (config check, plan, record; without launchd, from the
        # manifest), and its options apply to it (restart = never).
        with Machine(RELAUNCH) as m:
            label = brew("redisd")
            loaded = self.install(m, "redisd", "7.2.4")
            self.boot_run(m, (label, loaded))
            old = self.baseline(m, label)
            m.write_config({"jobs": {label: {"restart": "never"}}})
            r = m.relaunch("config", "check")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stderr, "")
            self.assertIn("ok (1 job configured, 1 found)", r.stdout)
            for args in (("record",), ("plan",), ("plan", "--no-processes"), ("run", "-n"),
                         ("jobs",), ("status",)):
                r = m.relaunch(*args)
                self.assertEqual(r.returncode, 0, f"{args}: {r.stdout}{r.stderr}")
                self.assertNotIn("no job", r.stderr, args)
            self.upgrade(m, "redisd", "7.2.5")
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertNotIn("no job", r.stderr)
            self.assertEqual([(s["label"], s["action"], s["never"]) for s in doc["steps"]],
                             [(label, "kickstart", True)], doc)
            results, r = self.run_json(m)
            self.assertNotIn("no job", r.stderr)
            self.assertEqual(results[label]["status"], "skipped", results)
            self.assertEqual(m.pid(label), old)
            # A label neither in a job directory nor loaded is still one.
            m.write_config({"jobs": {label: {}, brew("nowhere"): {}}})
            r = m.relaunch("config", "check")
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertEqual(r.stderr.count("no job"), 1, r.stderr)
            self.assertIn(f"no job '{brew('nowhere')}' found", r.stderr)

    def test_plist_not_found_is_one_warning(self):
        with Machine(RELAUNCH) as m:
            label = brew("ghost")
            elsewhere = os.path.join(m.root, "elsewhere")
            os.makedirs(elsewhere)
            path = m.write_plist(label, [harness.SLEEP, "1000"],
                                 path=os.path.join(elsewhere, label + ".plist"))
            self.boot_run(m, (label, path))
            m.wait_pid(label)
            # config check says it as every command does: a warning, and
            # no problem of the config's.
            m.write_config({})
            for args in (("plan",), ("run", *FAST), ("run", *FAST), ("config", "check"),
                         ("jobs",)):
                r = m.relaunch(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                lines = [ln for ln in r.stderr.splitlines() if "cannot find the plist" in ln]
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertEqual(lines[0], f"relaunch: warning: cannot find the plist of "
                                 f"'{label}', loaded in {m.agent_domain} from {path}: it is "
                                 "not restarted", args)
            self.assertFalse([e for e in m.events("call") if label in " ".join(e["argv"])
                              and e["argv"][0] != "print"])


    def test_directory_plist_of_a_label_loaded_from_elsewhere_is_left_alone(self):
        # The agent directory holds a plist of a label that launchd runs
        # from another plist (print's `path`): the directory's plist does
        # not say what runs, so its files restart nothing; a job whose
        # plist is linked into the directory is the same definition.
        with Machine(RELAUNCH) as m:
            label = "org.example.food"
            m.brew_keg("food", "1.0")
            os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
            harness.atomic_symlink("../Cellar/food/1.0", m.opt("food"))
            elsewhere = os.path.join(m.root, "elsewhere")
            os.makedirs(elsewhere)
            other = m.write_plist(label, [harness.SLEEP, "1000"],
                                  path=os.path.join(elsewhere, label + ".plist"))
            self.boot_run(m, (label, other))
            pid = m.wait_pid(label)
            ours = m.write_plist(label, [os.path.join(m.opt("food"), "bin", "food"), "777"],
                                 daemon=False)
            why = f"launchd runs {m.target(label)} from {other}, not from {ours}: " \
                "not restarted for it"
            r = m.relaunch("run", *FAST)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("recorded the baseline", r.stdout)
            m.brew_keg("food", "1.1")
            harness.atomic_symlink("../Cellar/food/1.1", m.opt("food"))
            r, doc = m.relaunch_json("plan")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(doc["steps"], [], doc)
            self.assertEqual([(x["labels"], x["why"]) for x in doc["reported"]
                              if x["change"] == "skipped"], [([label], why)], doc)
            # jobs says what plan decides, not that the process runs the
            # directory plist's files (it is not that plist's job).
            r = m.relaunch("jobs", label)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(f"  state:  running, pid {pid}, skipped: {why}\n", r.stdout)
            r, doc = m.relaunch_json("jobs", label)
            self.assertEqual([(j["state"], j["pid"], j["code"], j["why"]) for j in doc["jobs"]],
                             [("running", pid, "skipped", why)], doc)
            res, r = self.run_json(m)
            self.assertEqual(res[label]["status"], "skipped", res)
            self.assertEqual(res[label]["error"], why)
            self.assertFalse([e for e in m.events("call") if label in " ".join(e["argv"])
                              and e["argv"][0] != "print"])
            self.assertEqual(m.pid(label), pid)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])

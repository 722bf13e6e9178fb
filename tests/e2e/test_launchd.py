#!/usr/bin/env python3
"""End-to-end tests of launchd as it really answers (issue 10): the agent
domain rule, a Mac with no GUI session, and each row of the error table,
under the launchd simulator with the answers real Macs give injected where
launchd gives them only sometimes (`launchd-sim fault`, tests/sim/README.md).

    test_launchd.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

With RELAUNCH_REAL_LAUNCHD=1 on a Mac, test_real_launchd.py runs the
scenarios that need no injected fault against the real launchctl instead.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import FAST, Machine, brew  # noqa: E402

RELAUNCH = None  # the binary under test, from the command line
UID = os.getuid()
FALSE = shutil.which("false") or "/bin/false"


class ListingHeldLaunchctl:
    """A launchctl to give relaunch (`--launchctl held.path`) that holds its
    first `print DOMAIN` after launchd answered it, until the test lets it
    go: the listing relaunch then reads is launchd's answer of before
    whatever the test does meanwhile, an event to wait on instead of a
    sleep. Every other call, and every later one, goes straight to the
    simulator's launchctl."""

    def __init__(self, m, domain, name="launchctl-listing"):
        self.path = os.path.join(m.root, name)
        self.called = harness.Gate(self.path + ".called")
        self.gate = harness.Gate(self.path + ".gate")
        self.released = self.path + ".released"
        self.out = out = self.path + ".out"
        harness.launchctl_wrapper(
            m, name, f"[ \"$1 $2\" = 'print {domain}' ] && [ ! -e '{self.released}' ]",
            f"'{m.sim_launchctl}' \"$@\" > '{out}' 2> '{out}.err'; rc=$?\n"
            f"read _ < '{self.called.path}'; read _ < '{self.gate.path}'\n"
            f"cat '{out}'; cat '{out}.err' >&2; exit $rc")

    def wait_called(self):
        """Return once launchd answered the listing, which relaunch has not
        read yet."""
        self.called.open()

    def rename_pid(self, label, old, new):
        """Have the held listing name pid new where launchd named old for
        label: as if old had since been given to another process."""
        with open(self.out) as f:
            lines = f.read().split("\n")
        hits = [i for i, line in enumerate(lines)
                if line.endswith("\t" + label) and f"{old:8d}" in line]
        assert len(hits) == 1, lines
        lines[hits[0]] = lines[hits[0]].replace(f"{old:8d}", f"{new:8d}", 1)
        with open(self.out + ".tmp", "w") as f:
            f.write("\n".join(lines))
        os.replace(self.out + ".tmp", self.out)

    def release(self):
        """Hand relaunch the listing, and every later call straight through."""
        open(self.released, "w").close()
        self.gate.open()


def target_held_launchctl(m, target, name="launchctl-target"):
    """A launchctl to give relaunch (`--launchctl held.path`) that holds its
    first `print TARGET` (the job asked itself for its step, after the
    process view judged the pid the listing named) before launchd is
    asked, until the test lets it go: launchd then answers with what the
    test did meanwhile (harness.HeldLaunchctl)."""
    return harness.HeldLaunchctl(m, name, match=f"print {target}")


class LaunchdTest(unittest.TestCase):
    def machine(self):
        m = Machine(RELAUNCH)
        self.addCleanup(m.close)
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "0"
        return m

    def baseline(self, m, *boot_options, user_agents=False, running=()):
        m.boot(*boot_options, user_agents=user_agents)
        for label in running:
            m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("recorded the baseline", r.stdout)

    def run_json(self, m, *args, expect=0):
        r, doc = m.relaunch_json("run", *FAST, *args)
        self.assertEqual(r.returncode, expect, f"stdout {r.stdout}\nstderr {r.stderr}")
        return {res["label"]: res for res in doc["results"]}, r

    def plan_json(self, m):
        r, doc = m.relaunch_json("plan")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return doc

    def kickstarts(self, m, label):
        return [e for e in m.events("start") if e["label"] == label and e["reason"] == "kickstart"]

    # -- the agent domain rule --------------------------------------------
    def test_background_agent_is_found_and_kickstarted_in_user_domain(self):
        """LimitLoadToSessionType = Background (home-manager's domain =
        "user"): user/<uid> is asked first and the restart happens there."""
        m = self.machine()
        m.brew_install("syncd", "1.0", daemon=False)
        m.write_plist(brew("syncd"), [os.path.join(m.opt("syncd"), "bin", "syncd"), "1000"],
                      daemon=False, LimitLoadToSessionType="Background")
        self.baseline(m, running=[brew("syncd")])
        old = m.pid(brew("syncd"))
        m.brew_upgrade("syncd", "1.1")
        res, _ = self.run_json(m)
        r = res[brew("syncd")]
        self.assertEqual(r["status"], "restarted", r)
        self.assertEqual(r["target"], f"user/{UID}/{brew('syncd')}")
        self.assertEqual(r["old_pid"], old)
        self.assertEqual(r["new_pid"], m.pid(brew("syncd")))
        self.assertEqual([e["target"] for e in self.kickstarts(m, brew("syncd"))],
                         [f"user/{UID}/{brew('syncd')}"])

    # -- a reload into the session its new plist allows --------------------
    def session_change(self, m, before, after):
        """An agent of formula syncd, loaded by the simulator where its plist
        (LimitLoadToSessionType before, None: no such key) loads; then a
        switch (home-manager adding or removing domain = "user") rewrites
        the plist with its new arguments and LimitLoadToSessionType after."""
        label = brew("syncd")
        m.brew_install("syncd", "1.0", daemon=False)
        exe = os.path.join(m.opt("syncd"), "bin", "syncd")
        m.write_plist(label, [exe, "1000"], daemon=False, LimitLoadToSessionType=before)
        self.baseline(m, running=[label])
        m.write_plist(label, [exe, "2000"], daemon=False, LimitLoadToSessionType=after)
        return label

    def bootstraps(self, m, label):
        return [e["argv"][1] for e in m.events("call")
                if e["argv"][:1] == ["bootstrap"] and e["argv"][2].endswith(label + ".plist")]

    def assert_moved(self, m, label, old, new):
        """Loaded in new, running the new arguments; not in old; and the
        next plan has nothing left to do for it."""
        p = m.launchctl("print", f"{new}/{label}")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2000", p.stdout)
        self.assertEqual(m.launchctl("print", f"{old}/{label}").returncode, 113)
        m.wait_pid(label)
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_agent_whose_plist_becomes_background_is_reloaded_into_user_domain(self):
        """launchd refuses to load a plist into a session its
        LimitLoadToSessionType excludes: a gui/<uid> agent whose plist now
        says Background is booted out of gui/<uid> and bootstrapped into
        user/<uid>, where the agent domain rule has it; the plan says so."""
        m = self.machine()
        gui, user = f"gui/{UID}", f"user/{UID}"
        label = self.session_change(m, None, "Background")
        r = m.relaunch("plan")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"1. reload {gui}/{label} → {user} (agent)", r.stdout)
        step = self.plan_json(m)["steps"][0]
        self.assertEqual((step["target"], step["reload_target"]),
                         (f"{gui}/{label}", f"{user}/{label}"))
        res, r = self.run_json(m, "-v")
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual((res[label]["target"], res[label]["reload_target"]),
                         (f"{gui}/{label}", f"{user}/{label}"))
        self.assertIn(f"(reload {gui}/{label} → {user}, pid ", r.stderr)
        self.assertEqual(self.bootstraps(m, label), [user])
        self.assert_moved(m, label, gui, user)

    def test_agent_whose_plist_is_no_longer_background_is_reloaded_into_gui_domain(self):
        """The reverse: a user/<uid> agent whose plist no longer says
        Background (home-manager's domain = "user" removed) is bootstrapped
        into gui/<uid>, the agent domain rule's domain for it."""
        m = self.machine()
        gui, user = f"gui/{UID}", f"user/{UID}"
        label = self.session_change(m, "Background", None)
        r = m.relaunch("plan")
        self.assertIn(f"1. reload {user}/{label} → {gui} (agent)", r.stdout)
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual((res[label]["target"], res[label]["reload_target"]),
                         (f"{user}/{label}", f"{gui}/{label}"))
        self.assertEqual(self.bootstraps(m, label), [gui])
        self.assert_moved(m, label, user, gui)

    def test_agent_whose_plist_allows_its_session_still_is_reloaded_where_it_is(self):
        """A plist naming Background among other session types (Homebrew's
        name all five) still loads in user/<uid>: reloaded there."""
        m = self.machine()
        user = f"user/{UID}"
        label = self.session_change(m, "Background", ["Aqua", "Background"])
        self.assertIn(f"1. reload {user}/{label} (agent)", m.relaunch("plan").stdout)
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["reload_target"], f"{user}/{label}")
        self.assertEqual(self.bootstraps(m, label), [user])

    def test_reload_into_another_domain_left_unfinished_is_finished_there(self):
        """A reload that moves an agent to user/<uid> and whose bootstrap
        is refused until the timeout leaves it booted out of gui/<uid>: the
        journal names the domain its plist loads in, so the next run loads
        it into user/<uid>, not gui/<uid> again."""
        m = self.machine()
        gui, user = f"gui/{UID}", f"user/{UID}"
        label = self.session_change(m, None, "Background")
        m.fault("exit", "--command", "bootstrap", "--label", label, "--domain", user,
                "--code", "5", "--times", "1000")
        res, _ = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        with open(os.path.join(m.state, "intent.json")) as f:
            intent = json.load(f)["intents"][0]
        self.assertEqual((intent["target"], intent["domain"]), (f"{gui}/{label}", user))
        m.fault("clear")
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had "
                      f"begun: bootstrapped", r.stderr)
        self.assertIn(f"into {user}", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        self.assertEqual(set(self.bootstraps(m, label)), {user})
        self.assert_moved(m, label, gui, user)

    # -- an agent every GUI login loads -----------------------------------
    OTHER = 502  # a second user logged in at the GUI (fast user switching)

    def all_logins_machine(self, formula, shared=True):
        """A Mac with two users logged in at the GUI, this one's the
        console, and formula's agent in a directory launchd loads into every
        GUI login (shared, as /Library/LaunchAgents) or only into the
        console user's (the agent directory)."""
        m = self.machine()
        shared_dir = os.path.join(m.root, "Library", "LaunchAgents")
        os.makedirs(shared_dir, exist_ok=True)
        m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared_dir
        m.brew_install(formula, "1.0", daemon=False)
        if shared:
            os.replace(os.path.join(m.agents, brew(formula) + ".plist"),
                       os.path.join(shared_dir, brew(formula) + ".plist"))
        m.domains[brew(formula)] = f"gui/{UID}"
        self.baseline(m, "--all-users-agent-dir", shared_dir, "--gui-uid", str(UID),
                      "--gui-uid", str(self.OTHER), running=[brew(formula)])
        return m

    def pid_in(self, m, domain, label):
        """launchd's pid for label in domain, 0 when it has none."""
        r = m.launchctl("print", f"{domain}/{label}")
        for line in r.stdout.splitlines():
            if line.strip().startswith("pid = "):
                return int(line.strip()[6:])
        return 0

    def other_pid(self, m, label):
        return self.pid_in(m, f"gui/{self.OTHER}", label)

    def check_failed_copy_retried(self, m, formula, domain):
        """formula's agent runs in gui/<uid> and in domain too, and the
        kickstart of domain's copy fails: the run exits 3, the console
        copy stays restarted, status says the label is pending, and the
        next run retries domain's copy alone (the console copy's process
        runs the files on disk); then nothing is left."""
        label = brew(formula)
        copy = harness.wait_until(lambda: self.pid_in(m, domain, label), f"the copy in {domain}")
        m.brew_upgrade(formula, "1.1")
        m.fault("exit", "--command", "kickstart", "--label", label, "--domain", domain,
                "--code", "5")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual(res[f"gui/{UID}/{label}"]["status"], "restarted", doc)
        self.assertEqual(res[f"{domain}/{label}"]["status"], "failed", doc)
        self.assertEqual(self.pid_in(m, domain, label), copy)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
        self.assertIn(f"pending: failed   {label}: ", st.stdout)
        mine = m.pid(label)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: x["status"] for t, x in res.items()},
                         {f"gui/{UID}/{label}": "current",
                          f"{domain}/{label}": "restarted"}, doc)
        self.assertEqual(m.pid(label), mine)
        self.assertNotIn(self.pid_in(m, domain, label), (0, copy))
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(doc["results"], [], doc)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn("pending: nothing", st.stdout)

    def check_record_refuses_copy(self, m, formula, domain):
        """formula's agent (KeepAlive false) runs in gui/<uid> and in
        domain; the console copy exits, then formula is upgraded: status
        lists the change pending once, record refuses it naming domain's
        copy (still owed its restart), and the run that follows restarts
        that copy alone (the console copy, not running, is idle)."""
        label = brew(formula)
        copy = harness.wait_until(lambda: self.pid_in(m, domain, label), f"the copy in {domain}")
        os.kill(m.pid(label), signal.SIGTERM)
        harness.wait_until(lambda: m.pid(label) == 0, "the console copy gone")
        m.brew_upgrade(formula, "1.1")
        st = m.relaunch("status")
        self.assertEqual(st.stdout.count(f"pending: changed  {label}: "), 1,
                         st.stdout + st.stderr)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
        self.assertIn(f"{domain}/{label}", r.stderr)
        self.assertIn("not recording", r.stderr)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: x["status"] for t, x in res.items()},
                         {f"gui/{UID}/{label}": "idle", f"{domain}/{label}": "restarted"}, doc)
        self.assertNotIn(self.pid_in(m, domain, label), (0, copy))
        self.assertEqual(m.pid(label), 0)
        st = m.relaunch("status")
        self.assertIn("pending: nothing", st.stdout, st.stdout + st.stderr)

    def results_by_target(self, doc):
        return {res["target"]: res for res in doc["results"]}

    def test_an_agent_every_login_loads_is_restarted_in_each(self):
        """A root-owned agent in /Library/LaunchAgents runs once in each
        GUI login: the second user's copy runs the old code as well, so
        both are restarted, each in its own login."""
        m = self.all_logins_machine("menud")
        label = brew("menud")
        mine = m.pid(label)
        other = harness.wait_until(lambda: self.other_pid(m, label), "the other login's copy")
        m.brew_upgrade("menud", "1.1")
        # Scoped to the label: every login's copy.
        r, doc = m.relaunch_json("plan", label)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(sorted(s["target"] for s in doc["steps"]),
                         sorted([f"gui/{UID}/{label}", f"gui/{self.OTHER}/{label}"]), doc)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: x["status"] for t, x in res.items()},
                         {f"gui/{UID}/{label}": "restarted",
                          f"gui/{self.OTHER}/{label}": "restarted"}, doc)
        self.assertEqual(res[f"gui/{self.OTHER}/{label}"]["old_pid"], other)
        self.assertNotIn(m.pid(label), (0, mine))
        self.assertNotIn(self.other_pid(m, label), (0, other))
        for pid in (m.pid(label), self.other_pid(m, label)):
            self.assertIn("/Cellar/menud/1.1/", m.exe(pid))
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["results"], [], doc)

    def test_a_login_whose_copy_alone_runs_old_code_is_restarted(self):
        """The change is recorded and the console user's copy restarted by
        hand: only the other login's copy still runs the replaced program,
        which the process view finds, so that login alone is restarted."""
        m = self.all_logins_machine("dockd")
        label = brew("dockd")
        other = harness.wait_until(lambda: self.other_pid(m, label), "the other login's copy")
        m.brew_upgrade("dockd", "1.1")
        mine = m.pid(label)
        self.assertEqual(m.launchctl("kickstart", "-k", f"gui/{UID}/{label}").returncode, 0)
        harness.wait_until(lambda: m.pid(label) not in (0, mine), "the console copy restarted")
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = m.pid(label)
        # jobs lists each login's copy, by its own target and state.
        r, doc = m.relaunch_json("jobs", label)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["version"], 6)
        entries = {j["target"]: j for j in doc["jobs"]}
        self.assertEqual(sorted(entries), sorted([f"gui/{UID}/{label}",
                                                  f"gui/{self.OTHER}/{label}"]), doc)
        self.assertEqual((entries[f"gui/{UID}/{label}"]["pid"],
                          entries[f"gui/{UID}/{label}"]["code"]), (mine, "current"), doc)
        self.assertEqual((entries[f"gui/{self.OTHER}/{label}"]["pid"],
                          entries[f"gui/{self.OTHER}/{label}"]["code"]), (other, "stale"), doc)
        r = m.relaunch("jobs", label)
        self.assertIn(f"  target: gui/{self.OTHER}/{label}\n", r.stdout)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: x["status"] for t, x in res.items()},
                         {f"gui/{self.OTHER}/{label}": "restarted"}, doc)
        self.assertEqual([x["change"] for x in res[f"gui/{self.OTHER}/{label}"]["reasons"]][:1],
                         ["stale"], doc)
        self.assertEqual(m.pid(label), mine)
        self.assertNotIn(self.other_pid(m, label), (0, other))

    def test_record_refuses_a_change_another_login_still_runs(self):
        """The console user's copy is not running (KeepAlive false, it
        exited), the other login's copy still runs the replaced program:
        `status` lists the change pending, `record` must not forget it
        (that login's copy is still owed it), and the run that follows
        restarts it there."""
        m = self.machine()
        shared_dir = os.path.join(m.root, "Library", "LaunchAgents")
        os.makedirs(shared_dir, exist_ok=True)
        m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared_dir
        label = brew("traytool")
        m.brew_install("traytool", "1.0", path=os.path.join(shared_dir, label + ".plist"),
                       KeepAlive=False)
        m.domains[label] = f"gui/{UID}"
        self.baseline(m, "--all-users-agent-dir", shared_dir, "--gui-uid", str(UID),
                      "--gui-uid", str(self.OTHER), running=[label])
        self.check_record_refuses_copy(m, "traytool", f"gui/{self.OTHER}")

    def test_a_login_without_the_agent_is_not_touched(self):
        """An agent of the console user's own directory is loaded in no
        other GUI login: the other user's login is asked once, not
        restarted."""
        m = self.all_logins_machine("clipd", shared=False)
        label = brew("clipd")
        m.brew_upgrade("clipd", "1.1")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {f"gui/{UID}/{label}": "restarted"}, doc)
        starts = [e["target"] for e in m.events("start") if e["label"] == label
                  and e["reason"] == "kickstart"]
        self.assertEqual(starts, [f"gui/{UID}/{label}"])

    def test_a_failed_restart_in_another_login_is_retried(self):
        """The second login's kickstart fails: the run exits 3 as for any
        failed job, the console user's copy stays restarted, and the next
        run retries the other login's copy alone."""
        self.check_failed_copy_retried(self.all_logins_machine("noted"), "noted",
                                       f"gui/{self.OTHER}")

    def upgrade_restarts_each_copy(self, m, formula, label, domains):
        """Each copy of label, running in each of domains, one process
        each: once formula is upgraded, plan has a step for each copy and
        run restarts each once onto the new keg; a second run has nothing
        left."""
        old = {d: harness.wait_until(lambda d=d: self.pid_in(m, d, label), f"the copy in {d}")
               for d in domains}
        self.assertEqual(len(set(old.values())), len(domains), old)
        m.brew_upgrade(formula, "1.1")
        r, doc = m.relaunch_json("plan", label)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(sorted(s["target"] for s in doc["steps"]),
                         sorted(f"{d}/{label}" for d in domains), doc)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted((x["target"], x["status"]) for x in doc["results"]),
                         sorted((f"{d}/{label}", "restarted") for d in domains), doc)
        for d in domains:
            pid = self.pid_in(m, d, label)
            self.assertNotIn(pid, (0, old[d]), d)
            self.assertIn(f"/Cellar/{formula}/1.1/", m.exe(pid))
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["results"], [], doc)

    def test_copies_in_other_users_user_domains_are_restarted(self):
        """user/<uid> exists for every user launchd names, one logged in
        over SSH too: the agent every login loads, also loaded in the
        user domains (of the console user, of the other GUI user, of a
        user with no GUI login), runs an instance in each. As root each
        copy is found and restarted, each once: the console user's
        user/<uid> copy is not taken for another user's."""
        m = self.machine()
        ssh = 503
        shared_dir = os.path.join(m.root, "Library", "LaunchAgents")
        os.makedirs(shared_dir, exist_ok=True)
        m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared_dir
        label = brew("syncd")
        plist = os.path.join(shared_dir, label + ".plist")
        m.brew_install("syncd", "1.0", daemon=False, path=plist)
        m.domains[label] = f"gui/{UID}"
        users = [f"user/{u}" for u in (UID, self.OTHER, ssh)]
        loads = [a for d in users for a in ("--load", f"{d}={plist}")]
        self.baseline(m, "--all-users-agent-dir", shared_dir, "--gui-uid", str(UID),
                      "--gui-uid", str(self.OTHER), "--user-uid", str(ssh), *loads,
                      running=[label])
        domains = [f"gui/{UID}", f"gui/{self.OTHER}", *users]
        self.upgrade_restarts_each_copy(m, "syncd", label, domains)

    def test_background_agent_every_user_loads_asks_no_gui_login(self):
        """A root-owned agent of the Background session only runs once for
        each user, in user/<uid>, never in a GUI login: as root the other
        users' user/<uid> are asked whether they have it loaded, their
        gui/<uid> never; one that has it not is not touched."""
        m = self.machine()
        m.brew_install("bgd", "1.0", daemon=False)
        m.write_plist(brew("bgd"), [os.path.join(m.opt("bgd"), "bin", "bgd"), "1000"],
                      daemon=False, LimitLoadToSessionType="Background")
        self.baseline(m, "--gui-uid", str(UID), "--gui-uid", str(self.OTHER),
                      running=[brew("bgd")])
        m.brew_upgrade("bgd", "1.1")
        since = time.time()
        res, r = self.run_json(m)
        self.assertEqual(res[brew("bgd")]["status"], "restarted")
        self.assertEqual(res[brew("bgd")]["target"], f"user/{UID}/{brew('bgd')}")
        prints = [c["argv"] for c in m.calls(since) if c["argv"][0] == "print"]
        self.assertEqual([p[1] for p in prints if str(self.OTHER) in p[1]],
                         [f"user/{self.OTHER}"], prints)
        self.assertNotIn("warning", r.stderr)

    def test_background_agent_copies_in_every_users_domain_are_restarted(self):
        """/Library/LaunchAgents is for all users (TN2083), and a per-user
        (Background only) agent runs in each user's user/<uid>, one with
        no GUI login too: as root each copy is found and restarted, each
        in its own domain; the next run has nothing left."""
        m = self.machine()
        ssh = 503
        shared_dir = os.path.join(m.root, "Library", "LaunchAgents")
        os.makedirs(shared_dir, exist_ok=True)
        m.env["RELAUNCH_AGENT_DIRS"] = m.agents + ":" + shared_dir
        label = brew("bgd")
        plist = os.path.join(shared_dir, label + ".plist")
        m.brew_install("bgd", "1.0", daemon=False, path=plist,
                       LimitLoadToSessionType="Background")
        m.domains[label] = f"user/{UID}"
        self.baseline(m, "--all-users-agent-dir", shared_dir, "--gui-uid", str(UID),
                      "--gui-uid", str(self.OTHER), "--user-uid", str(ssh), running=[label])
        domains = [f"user/{u}" for u in (UID, self.OTHER, ssh)]
        self.upgrade_restarts_each_copy(m, "bgd", label, domains)

    def test_agent_bootstrapped_over_ssh_is_found_in_user_domain(self):
        """brew services over SSH puts an ordinary agent in user/<uid>:
        gui/<uid> answers 113, user/<uid> has it, plan and run say so."""
        m = self.machine()
        m.brew_install("redis", "7.2.0", daemon=False)
        self.baseline(m, user_agents=True, running=[brew("redis")])
        m.brew_upgrade("redis", "7.2.1")
        plan = self.plan_json(m)
        steps = [s for s in plan["steps"] if s["label"] == brew("redis")]
        self.assertEqual([s["target"] for s in steps], [f"user/{UID}/{brew('redis')}"], plan)
        res, _ = self.run_json(m)
        self.assertEqual(res[brew("redis")]["status"], "restarted", res)
        self.assertEqual(res[brew("redis")]["target"], f"user/{UID}/{brew('redis')}")
        self.assertEqual(len(self.kickstarts(m, brew("redis"))), 1)

    def test_agent_in_neither_domain_is_skipped_naming_both(self):
        m = self.machine()
        m.brew_install("redis", "7.2.0", daemon=False)
        self.baseline(m, running=[brew("redis")])
        self.assertEqual(m.launchctl("bootout", m.target(brew("redis"))).returncode, 0)
        m.wait_event("removed", brew("redis"))
        m.brew_upgrade("redis", "7.2.1")
        res, _ = self.run_json(m)
        r = res[brew("redis")]
        self.assertEqual(r["status"], "skipped", r)
        self.assertEqual(r["error"], f"not loaded in gui/{UID} or user/{UID}")

    def test_no_gui_session_is_cannot_tell_and_the_run_goes_on(self):
        """Headless Mac: gui/<uid> answers 112; an agent not in user/<uid>
        either cannot be judged: skipped with launchctl's lines, and the
        daemon after it is still restarted."""
        m = self.machine()
        m.brew_install("redis", "7.2.0", daemon=False)
        m.brew_install("nginx", "1.25.3")
        self.baseline(m, "--headless", running=[brew("redis"), brew("nginx")])
        self.assertEqual(m.launchctl("bootout", f"user/{UID}/{brew('redis')}").returncode, 0)
        m.wait_event("removed", brew("redis"))
        m.brew_upgrade("redis", "7.2.1")
        m.brew_upgrade("nginx", "1.25.4")
        res, _ = self.run_json(m, "--keep-going")
        r = res[brew("redis")]
        self.assertEqual(r["status"], "skipped", r)
        self.assertIn(f"no GUI session for uid {UID}", r["error"])
        self.assertIn(f"Could not find domain for user gui: {UID}", r["error"])
        self.assertIn(f"not loaded in user/{UID}", r["error"])
        self.assertEqual(res[brew("nginx")]["status"], "restarted", res)

    # -- an agent loaded in both gui/<uid> and user/<uid> ------------------
    def both_domains_machine(self, formula):
        """formula's agent in ~/Library/LaunchAgents, loaded twice:
        `brew services start` over SSH bootstrapped it into user/<uid>,
        which outlives the session, and the user's GUI login loaded it into
        gui/<uid> from the directory as well. Each runs a process."""
        m = self.machine()
        plist = m.brew_install(formula, "1.0", daemon=False)
        self.baseline(m, "--load", f"user/{UID}={plist}", running=[brew(formula)])
        harness.wait_until(lambda: self.user_pid(m, brew(formula)), "the user domain's copy")
        return m

    def user_pid(self, m, label):
        return self.pid_in(m, f"user/{UID}", label)

    def test_an_agent_loaded_in_both_domains_is_restarted_in_each(self):
        """Both copies run the replaced program: each is a step of its own,
        by target, restarted in its own domain; the next run has nothing
        left, and status nothing pending."""
        m = self.both_domains_machine("food")
        label = brew("food")
        gui, user = f"gui/{UID}/{label}", f"user/{UID}/{label}"
        old = {gui: m.pid(label), user: self.user_pid(m, label)}
        m.brew_upgrade("food", "1.1")
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(s["target"], s["action"]) for s in doc["steps"]],
                         [(gui, "kickstart"), (user, "kickstart")], doc)
        for s, pid in zip(doc["steps"], (old[gui], old[user])):
            self.assertIn(f"pid {pid} runs ", s["reasons"][0]["text"], s)
        # jobs lists each copy, the first domain's first.
        r, doc = m.relaunch_json("jobs", "food")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([j["target"] for j in doc["jobs"]], [gui, user], doc)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: (x["status"], x["old_pid"]) for t, x in res.items()},
                         {gui: ("restarted", old[gui]), user: ("restarted", old[user])}, doc)
        self.assertEqual([e["target"] for e in self.kickstarts(m, label)], [gui, user])
        for pid in (m.pid(label), self.user_pid(m, label)):
            self.assertNotIn(pid, (0, old[gui], old[user]))
            self.assertIn("/Cellar/food/1.1/", m.exe(pid))
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(doc["results"], [], doc)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn("pending: nothing", st.stdout)

    def test_a_copy_restarted_after_its_listing_is_judged_by_its_new_process(self):
        """The user domain's copy was restarted onto the new files by
        someone else after launchd listed the domain, before the run looked
        at its process: the copy is found again (its domain asked again)
        and judged by its new process, current; the GUI copy, still on the
        old files, is restarted."""
        m = self.both_domains_machine("food")
        label = brew("food")
        gui, user = f"gui/{UID}/{label}", f"user/{UID}/{label}"
        old = {gui: m.pid(label), user: self.user_pid(m, label)}
        m.brew_upgrade("food", "1.1")
        new = []

        def restart(held):
            harness.wait_past_change(os.path.join(m.opt("food"), "bin", "food"))
            r = m.launchctl("kickstart", "-k", user)
            self.assertEqual(r.returncode, 0, r.stderr)
            harness.wait_until(lambda: self.user_pid(m, label) not in (0, old[user]),
                               "the user domain's copy restarted")
            new.append(self.user_pid(m, label))

        res = self.results_by_target(self.run_listing_held(m, f"user/{UID}", restart))
        new = new[0]
        self.assertEqual({t: (x["status"], x["old_pid"]) for t, x in res.items()},
                         {gui: ("restarted", old[gui]), user: ("current", new)}, res)
        self.assertEqual([e["target"] for e in self.kickstarts(m, label)], [user, gui])
        self.assertEqual(self.user_pid(m, label), new)

    def test_a_changed_plist_reloads_each_domain_from_it(self):
        """A plist that says something else now: each copy is reloaded,
        booted out of and bootstrapped into its own domain."""
        m = self.both_domains_machine("pland")
        label = brew("pland")
        m.brew_upgrade("pland", "1.1")
        m.write_plist(label, [os.path.join(m.opt("pland"), "bin", "pland"), "2000"],
                      daemon=False)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: (x["action"], x["status"])
                          for t, x in self.results_by_target(doc).items()},
                         {f"gui/{UID}/{label}": ("reload", "restarted"),
                          f"user/{UID}/{label}": ("reload", "restarted")}, doc)
        boots = [e["argv"] for e in m.events("call") if e["argv"][0] == "bootstrap"]
        plist = os.path.join(m.agents, label + ".plist")
        self.assertEqual(boots[-2:], [["bootstrap", f"gui/{UID}", plist],
                                      ["bootstrap", f"user/{UID}", plist]], boots)
        for pid in (m.pid(label), self.user_pid(m, label)):
            self.assertIn("/Cellar/pland/1.1/", m.exe(pid))
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_copy_its_new_plist_excludes_is_refused_not_left_unloaded(self):
        """The plist, loaded in both domains, now names only Background:
        launchd would not load it into gui/<uid> again, so the GUI copy's
        reload is refused before its bootout (run exits 3, the copy left
        running), the user domain's copy is reloaded; once the GUI copy is
        booted out by hand, nothing is owed."""
        m = self.both_domains_machine("sesd")
        label = brew("sesd")
        gui = m.pid(label)
        m.write_plist(label, [os.path.join(m.opt("sesd"), "bin", "sesd"), "2000"],
                      daemon=False, LimitLoadToSessionType="Background")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: (x["action"], x["status"]) for t, x in res.items()},
                         {f"user/{UID}/{label}": ("reload", "restarted"),
                          f"gui/{UID}/{label}": ("reload", "refused")}, doc)
        self.assertIn(f"its new plist no longer loads in gui/{UID} (LimitLoadToSessionType)",
                      res[f"gui/{UID}/{label}"]["error"])
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), gui)
        self.assertNotEqual(self.user_pid(m, label), 0)
        self.assertEqual(m.launchctl("bootout", f"gui/{UID}/{label}").returncode, 0)
        harness.wait_until(lambda: m.launchctl("print", f"gui/{UID}/{label}").returncode != 0,
                           "the GUI copy booted out")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual([x for x in doc["results"] if x["status"] != "current"], [], doc)
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_user_domain_copy_alone_running_old_code_is_restarted(self):
        """The change is recorded and the GUI login's copy restarted by
        hand: only the user domain's copy still runs the replaced program,
        which the process view finds, so it alone is restarted."""
        m = self.both_domains_machine("dockd")
        label = brew("dockd")
        user = self.user_pid(m, label)
        m.brew_upgrade("dockd", "1.1")
        mine = m.pid(label)
        self.assertEqual(m.launchctl("kickstart", "-k", f"gui/{UID}/{label}").returncode, 0)
        harness.wait_until(lambda: m.pid(label) not in (0, mine), "the GUI copy restarted")
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = m.pid(label)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        res = self.results_by_target(doc)
        self.assertEqual({t: x["status"] for t, x in res.items()},
                         {f"user/{UID}/{label}": "restarted"}, doc)
        self.assertEqual([x["change"] for x in res[f"user/{UID}/{label}"]["reasons"]][:1],
                         ["stale"], doc)
        self.assertEqual(m.pid(label), mine)
        self.assertNotIn(self.user_pid(m, label), (0, user))
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(doc["results"], [], doc)

    def test_a_failed_restart_in_the_user_domain_is_retried(self):
        """The user domain's kickstart fails: the run exits 3, the GUI
        copy stays restarted, status says it is pending, and the next run
        retries the user domain's copy alone (the GUI copy's step is
        current: its process runs the files on disk)."""
        self.check_failed_copy_retried(self.both_domains_machine("noted"), "noted",
                                       f"user/{UID}")

    def test_record_refuses_a_change_the_user_domain_still_runs(self):
        """The GUI login's copy is not running (KeepAlive false, it
        exited), the user domain's copy still runs the replaced program:
        `status` lists the change pending, `record` must not forget it,
        and the run that follows restarts it there."""
        m = self.machine()
        label = brew("trayd")
        plist = m.brew_install("trayd", "1.0", daemon=False, KeepAlive=False)
        self.baseline(m, "--load", f"user/{UID}={plist}", running=[label])
        self.check_record_refuses_copy(m, "trayd", f"user/{UID}")

    def test_plan_of_the_label_names_the_user_domain_copy_found_idle(self):
        """The user domain's copy is not running (KeepAlive false, it
        exited), the GUI login's copy is restarted: `plan <label>`, scoped
        to the label, still reports the copy idle under its target, as the
        unscoped plan does."""
        m = self.machine()
        label = brew("idled")
        plist = m.brew_install("idled", "1.0", daemon=False, KeepAlive=False)
        self.baseline(m, "--load", f"user/{UID}={plist}", running=[label])
        copy = harness.wait_until(lambda: self.user_pid(m, label), "the user domain's copy")
        os.kill(copy, signal.SIGTERM)
        harness.wait_until(lambda: self.user_pid(m, label) == 0, "the user copy gone")
        m.brew_upgrade("idled", "1.1")
        whole = self.plan_json(m)
        idle = [x for x in whole["reported"] if x["change"] == "idle"]
        self.assertEqual([x["labels"] for x in idle], [[f"user/{UID}/{label}"]], whole)
        r, scoped = m.relaunch_json("plan", label)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual([x for x in scoped["reported"] if x["change"] == "idle"], idle, scoped)
        self.assertEqual([s["target"] for s in scoped["steps"]], [f"gui/{UID}/{label}"], scoped)

    def test_a_user_domain_listing_that_cannot_be_read_is_one_warning(self):
        """launchd's listing of user/<uid> prints no services block: the
        agent is judged in gui/<uid> as ever, and whether a copy runs in
        user/<uid> too cannot be told, which is said once, naming both
        domains."""
        m = self.both_domains_machine("lostd")
        label = brew("lostd")
        bad = harness.launchctl_wrapper(m, "launchctl-nouser",
                                        f"[ $# = 2 ] && [ \"$1 $2\" = 'print user/{UID}' ]",
                                        "echo 'user = {'; echo '}'; exit 0")
        m.brew_upgrade("lostd", "1.1")
        r, doc = m.relaunch_json("plan", "--launchctl", bad)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual([s["target"] for s in doc["steps"]], [f"gui/{UID}/{label}"], doc)
        self.assertEqual(r.stderr,
                         f"relaunch: warning: cannot tell which of the agents loaded in "
                         f"gui/{UID} are loaded in user/{UID} too: launchd's listing of "
                         f"user/{UID} could not be read; their copies there are not looked "
                         "at\n")

    def run_listing_held(self, m, domain, meanwhile):
        """relaunch run --json, launchd's first listing of domain held
        (answered, not read yet) while meanwhile(held) runs: run's output,
        once it exited 0."""
        held = ListingHeldLaunchctl(m, domain)
        run = subprocess.Popen([m.relaunch_bin, "run", *FAST, "--json", "--launchctl",
                                held.path], env=m.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            held.wait_called()
            meanwhile(held)
        finally:
            held.release()
        out, err = run.communicate(timeout=harness.SAFETY * 3)
        self.assertEqual(run.returncode, 0, f"stdout {out}\nstderr {err}")
        harness.check_output_schema(["run", "--json"], out)
        return json.loads(out)

    # -- one listing per domain ---------------------------------------------
    def test_one_domain_listing_serves_every_job(self):
        """plan asks each domain once (`print <domain>` lists every job's
        pid) instead of each job: three domain calls for 25 jobs in gui/,
        user/ and system; only the job with a step is asked itself, for
        its loaded definition. Counted in the simulator's event log."""
        m = self.machine()
        agents = [f"a{i:02}" for i in range(12)]
        daemons = [f"d{i:02}" for i in range(12)]
        for f in agents:
            m.brew_install(f, "1.0", daemon=False)
        for f in daemons:
            m.brew_install(f, "1.0")
        m.brew_install("bg", "1.0", daemon=False)
        m.write_plist(brew("bg"), [os.path.join(m.opt("bg"), "bin", "bg"), "1000"],
                      daemon=False, LimitLoadToSessionType="Background")
        labels = [brew(f) for f in agents + daemons + ["bg"]]
        self.baseline(m, running=labels)
        m.brew_upgrade("a03", "1.1")
        before = len(m.events("call"))
        plan = self.plan_json(m)
        calls = [" ".join(e["argv"]) for e in m.events("call")[before:]]
        self.assertEqual([(s["label"], s["action"]) for s in plan["steps"]],
                         [(brew("a03"), "kickstart")], plan)
        self.assertEqual(sorted(calls), sorted([
            f"print gui/{UID}", f"print user/{UID}", "print system",
            f"print gui/{UID}/{brew('a03')}"]), calls)
        # The pids came from the listings: every job's process was looked
        # at, and the upgraded one runs code that is gone from the disk.
        reasons = plan["steps"][0]["reasons"]
        self.assertIn("stale", [r["change"] for r in reasons], reasons)
        # run: the same listings, then the restart's own calls.
        before = len(m.events("call"))
        res, _ = self.run_json(m)
        self.assertEqual(res[brew("a03")]["status"], "restarted", res)
        domain_calls = [e["argv"] for e in m.events("call")[before:]
                        if e["argv"][0] == "print" and (e["argv"][1] == "system" or (
                            e["argv"][1].count("/") == 1 and not e["argv"][1].startswith("system/")))]
        self.assertEqual(sorted(" ".join(a) for a in domain_calls),
                         sorted([f"print gui/{UID}", f"print user/{UID}", "print system"]))

    def test_job_restarted_after_its_listing_is_judged_by_launchd_again(self):
        """A listing names the pid launchd had when it was taken; the run
        looks at that process later (after tracking). A job someone else
        restarted in between (`brew services restart`, a respawn after a
        crash) is no longer that process: launchd is asked for the domain
        again, once, and the job is judged by its new process, which runs
        the upgraded files. Neither kickstarted again nor said to run old
        code."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        m.brew_install("redis", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label, brew("redis")])
        old = m.pid(label)
        m.brew_upgrade("nginx", "1.1")
        before = len(m.events("call"))
        new = []

        def restart(held):
            # Someone else restarts it after launchd answered the listing
            # (a start a tick past the upgrade: after it, for relaunch).
            harness.wait_past_change(os.path.join(m.opt("nginx"), "bin", "nginx"))
            r = m.launchctl("kickstart", "-k", m.target(label))
            self.assertEqual(r.returncode, 0, r.stderr)
            new.append(harness.wait_asleep(m.pid(label)))

        doc = self.run_listing_held(m, "system", restart)
        new = new[0]
        self.assertNotEqual(new, old)
        res = {r["label"]: r for r in doc["results"]}
        self.assertEqual(res[label]["status"], "current", res[label])
        # Judged by the process launchd has now, not the one listed.
        self.assertEqual(res[label]["old_pid"], new, res[label])
        self.assertTrue(res[label]["note"].startswith(f"pid {new} runs "), res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)  # the test's own
        self.assertEqual(m.pid(label), new)
        # The domain that named a gone pid was asked again, once; the
        # other domains (the user's, where `brew services run` loads)
        # once.
        calls = [" ".join(e["argv"]) for e in m.events("call")[before:]
                 if e["argv"][0] == "print" and "/" not in e["argv"][1].replace(f"/{UID}", "")]
        self.assertEqual(sorted(calls), sorted([f"print gui/{UID}", f"print user/{UID}",
                                                "print system", "print system"]), calls)

    def test_pid_reused_after_its_listing_is_not_taken_for_the_job(self):
        """The pid a listing named went to another process before the run
        looked at it (the job restarted, its old pid reused): that process
        started after the listing was taken, so it is not judged as the
        job's; launchd is asked for the domain again and the job is judged
        by its new process."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label])
        old = m.pid(label)
        m.brew_upgrade("nginx", "1.1")
        seen = []

        def restart(held):
            harness.wait_past_change(os.path.join(m.opt("nginx"), "bin", "nginx"))
            r = m.launchctl("kickstart", "-k", m.target(label))
            self.assertEqual(r.returncode, 0, r.stderr)
            seen.append(harness.wait_asleep(m.pid(label)))
            # The old pid, as relaunch reads it, is an unrelated process now.
            other = subprocess.Popen([harness.SLEEP, "1000"])
            self.addCleanup(other.wait)
            self.addCleanup(other.kill)
            seen.append(other)
            held.rename_pid(label, old, other.pid)

        doc = self.run_listing_held(m, "system", restart)
        new, other = seen
        res = {r["label"]: r for r in doc["results"]}
        self.assertEqual(res[label]["status"], "current", res[label])
        self.assertEqual(res[label]["old_pid"], new, res[label])
        self.assertTrue(res[label]["note"].startswith(f"pid {new} runs "), res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)  # the test's own
        self.assertIsNone(other.poll())

    def run_held_at_target(self, m, label, meanwhile, command=("run", *FAST), expect=(0,)):
        """relaunch run (or command), its first `print <target>` of label
        held (after the process view judged the listed pid, before the
        step is decided) while meanwhile() runs; run's results by label,
        another command's output."""
        held = target_held_launchctl(m, m.target(label), f"launchctl-target-{command[0]}")
        run = subprocess.Popen([m.relaunch_bin, *command, "--json", "--launchctl", held.path],
                               env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        try:
            held.wait_called()
            meanwhile()
        finally:
            held.release()
        out, err = run.communicate(timeout=harness.SAFETY * 3)
        self.assertIn(run.returncode, expect, f"stdout {out}\nstderr {err}")
        harness.check_output_schema([command[0], "--json"], out)
        if command[0] != "run":
            return json.loads(out)
        return {r["label"]: r for r in json.loads(out)["results"]}

    def test_job_restarted_before_its_step_is_decided_is_judged_by_its_new_process(self):
        """The process view judged the listed process, which runs the
        replaced keg (stale); someone else restarted the job onto the new
        files before launchd was asked about it for its step. The step is
        decided by the process launchd runs now, viewed then: current, not
        kickstarted again for the old process's stale files."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label])
        old = m.pid(label)
        m.brew_upgrade("nginx", "1.1")
        new = []

        def restart():
            harness.wait_past_change(os.path.join(m.opt("nginx"), "bin", "nginx"))
            r = m.launchctl("kickstart", "-k", m.target(label))
            self.assertEqual(r.returncode, 0, r.stderr)
            new.append(harness.wait_asleep(m.pid(label)))

        res = self.run_held_at_target(m, label, restart)
        self.assertNotEqual(new[0], old)
        self.assertEqual(res[label]["status"], "current", res[label])
        self.assertEqual(res[label]["old_pid"], new[0], res[label])
        self.assertTrue(res[label]["note"].startswith(f"pid {new[0]} runs "), res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)  # the test's own
        self.assertEqual(m.pid(label), new[0])
        # One listing of the domain: the listed pid had not moved when the
        # view looked at it.
        prints = [e["argv"] for e in m.events("call") if e["argv"][0] == "print"]
        self.assertEqual(prints.count(["print", "system"]), 2, prints)  # baseline's, this run's

    def test_live_process_launchd_no_longer_runs_is_not_restarted_for(self):
        """The process view judged the listed process stale; before launchd
        was asked about the job for its step, launchd came to run another
        process for it, on the new files, while the listed one lives on
        (detached from the job, or lingering). That one is no longer the
        job's, alive or not: its stale files are no reason, the step is
        decided by the process launchd runs now (current), and neither
        process is touched."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label])
        old = m.pid(label)
        m.brew_upgrade("nginx", "1.1")
        procs = []

        def another():
            # launchd names a process that runs the new files (print's
            # pid, as the simulator's hook has it); the listed one runs on.
            p = subprocess.Popen([os.path.join(m.opt("nginx"), "bin", "nginx"), "1000"])
            self.addCleanup(p.wait)
            self.addCleanup(p.kill)
            procs.append(p)
            harness.wait_asleep(p.pid)
            m.show_pid(label, p.pid)

        try:
            res = self.run_held_at_target(m, label, another)
            self.assertEqual(res[label]["status"], "current", res[label])
            self.assertEqual(res[label]["old_pid"], procs[0].pid, res[label])
            self.assertTrue(res[label]["note"].startswith(f"pid {procs[0].pid} runs "),
                            res[label])
            self.assertEqual(self.kickstarts(m, label), [])
            self.assertIsNone(procs[0].poll())
        finally:
            m.show_pid(label, None)
        self.assertEqual(m.pid(label), old)  # never restarted: still the stale one

    def test_job_started_before_its_step_is_decided_is_judged_by_its_process(self):
        """A job the listing showed not running (pid 0: no process to view)
        that someone else started onto the new files before launchd was
        asked about it for its step: its process is viewed then, and runs
        the files on disk: current, not kickstarted."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        m.write_plist(label, [os.path.join(m.opt("nginx"), "bin", "nginx"), "1000"],
                      RunAtLoad=False, KeepAlive=False)
        self.baseline(m)
        self.assertEqual(m.pid(label), 0)
        m.brew_upgrade("nginx", "1.1")
        new = []

        def start():
            harness.wait_past_change(os.path.join(m.opt("nginx"), "bin", "nginx"))
            r = m.launchctl("kickstart", m.target(label))
            self.assertEqual(r.returncode, 0, r.stderr)
            new.append(harness.wait_asleep(m.wait_pid(label)))

        res = self.run_held_at_target(m, label, start)
        self.assertEqual(res[label]["status"], "current", res[label])
        self.assertEqual(res[label]["old_pid"], new[0], res[label])
        self.assertTrue(res[label]["note"].startswith(f"pid {new[0]} runs "), res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)  # the test's own
        self.assertEqual(m.pid(label), new[0])

    def test_job_stopped_before_its_step_is_decided_is_not_restarted_for_its_old_process(self):
        """The process view judged the listed process stale; someone else
        stopped the job (not kept alive) before launchd was asked about it
        for its step. The old process's stale files are no reason any
        more: not running, it starts the new files at its next launch, so
        the plan says idle (as run's own look before the step would find
        it), and run does not start it."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        m.write_plist(label, [os.path.join(m.opt("nginx"), "bin", "nginx"), "1000"],
                      KeepAlive=False)
        self.baseline(m, running=[label])
        m.brew_upgrade("nginx", "1.1")

        def stop():
            old = m.pid(label)
            os.kill(old, signal.SIGTERM)
            harness.wait_until(lambda: [e for e in m.events("exit") if e["pid"] == old],
                               "the job's process to exit")
            self.assertEqual(m.pid(label), 0)

        doc = self.run_held_at_target(m, label, stop, command=("plan",), expect=(0, 1))
        self.assertEqual([st["label"] for st in doc["steps"]], [], doc)
        self.assertIn(("idle", [label]), [(r["change"], r["labels"]) for r in doc["reported"]],
                      doc)
        m.launchctl("kickstart", m.target(label))
        m.wait_pid(label)
        res = self.run_held_at_target(m, label, stop)
        self.assertEqual(res[label]["status"], "idle", res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)  # the test's own
        self.assertEqual(m.pid(label), 0)

    def test_job_restarted_onto_replaced_code_before_its_step_is_decided_is_restarted(self):
        """The control: someone else restarted the job before its step was
        decided, but its new process runs a file replaced since it started
        (stale by the same rules as the listed process): restarted, for
        that process."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label])
        m.brew_upgrade("nginx", "1.1")
        exe = os.path.join(m.brew, "Cellar", "nginx", "1.1", "bin", "nginx")
        new = []

        def restart_then_replace():
            harness.wait_past_change(exe)
            r = m.launchctl("kickstart", "-k", m.target(label))
            self.assertEqual(r.returncode, 0, r.stderr)
            new.append(m.pid(label))
            harness.atomic_copy(harness.SLEEP, exe, "nginx 1.1_1")

        res = self.run_held_at_target(m, label, restart_then_replace)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["old_pid"], new[0], res[label])
        # For the process launchd ran, not for the one listed.
        stale = [r for r in res[label]["reasons"] if r["change"] == "stale"]
        self.assertEqual([r["path"] for r in stale], [exe], res[label])
        self.assertTrue(stale[0]["text"].startswith(f"pid {new[0]} runs {exe} (deleted"),
                        res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 2)  # the test's, relaunch's
        self.assertNotEqual(m.pid(label), new[0])

    # -- the error table ----------------------------------------------------
    def reload_setup(self, m, formula="nginx", **keys):
        """A daemon whose plist changes, so that run reloads it."""
        m.brew_install(formula, "1.0")
        self.baseline(m, running=[brew(formula)])
        exe = os.path.join(m.opt(formula), "bin", formula)
        m.write_plist(brew(formula), [exe, "2000"], **keys)
        return brew(formula)

    def slow_stop_reload_setup(self, m):
        """reload_setup's daemon, with ExitTimeOut 1 in its plist before and
        after the change: launchd may take 1 + 5 s to stop it."""
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        exe = os.path.join(m.opt("nginx"), "bin", "nginx")
        m.write_plist(label, [exe, "1000"], ExitTimeOut=1)
        self.baseline(m, running=[label])
        m.write_plist(label, [exe, "2000"], ExitTimeOut=1)
        return label

    def assert_reloaded_by_next_run(self, m, label):
        """No journal entry is left, and the next run reloads label, set up
        as above: the changed plist runs."""
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        m.wait_pid(label)
        self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)

    def test_bootout_answering_36_is_waited_out_then_bootstrapped(self):
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "36", "--perform")
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["action"], "reload")
        events = [e["event"] for e in m.events() if e["label"] == label]
        self.assertEqual(events[-4:], ["exit", "removed", "bootstrap", "start"], events)

    def test_reload_of_a_job_unloaded_meanwhile_is_skipped_not_loaded_again(self):
        """A job unloaded between relaunch's print and its bootout (`brew
        services stop` meanwhile): launchd answers the bootout `Boot-out
        failed: 3: No such process`. Asked again, the job is loaded
        nowhere, so it is skipped as plan skips a job not loaded, and never
        bootstrapped: a reload does not bring back what its user just
        unloaded. The run exits 0, and the next one has nothing to retry."""
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "3", "--unload")
        res, _ = self.run_json(m)
        r = res[label]
        self.assertEqual(r["status"], "skipped", res)
        self.assertEqual(r["error"], "not loaded (unloaded since it was found loaded: launchctl "
                         f"'bootout {m.target(label)}' answered 3)")
        self.assertEqual(self.bootstraps(m, label), [])
        self.assertEqual(m.launchctl("print", m.target(label)).returncode, 113)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        res, _ = self.run_json(m)
        self.assertNotIn(res.get(label, {}).get("status"), ("failed", "restarted"), res)
        self.assertEqual(self.bootstraps(m, label), [])
        self.assertEqual(m.launchctl("print", m.target(label)).returncode, 113)

    def test_bootout_answering_5_that_launchd_took_is_finished_with_a_bootstrap(self):
        """A bootout answering 5 that launchd acted on all the same (the
        job is gone): print tells relaunch so, and the reload goes on to
        its bootstrap, never leaving the job unloaded."""
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5", "--when-gone")
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        events = [e["event"] for e in m.events() if e["label"] == label]
        self.assertEqual(events[-4:], ["exit", "removed", "bootstrap", "start"], events)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)

    def test_bootout_answering_5_that_did_nothing_fails_untouched_and_is_retried(self):
        """A bootout answering 5 that launchd did not act on (print shows
        the same process running for as long as launchd may take to stop
        the job: ExitTimeOut 1 + 5 s here): failed, saying the job was
        left untouched; no journal entry is left, and the next run reloads
        it."""
        m = self.machine()
        label = self.slow_stop_reload_setup(m)
        pid = m.pid(label)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5")
        res, _ = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("Boot-out failed: 5: Input/output error; launchd still has it loaded as "
                      f"before (running); left untouched (nothing was stopped; pid {pid} keeps "
                      "running): the next 'relaunch run' tries it again", res[label]["error"])
        self.assertEqual(m.pid(label), pid)
        self.assertEqual([e["event"] for e in m.events() if e["label"] == label][-1], "start")
        self.assert_reloaded_by_next_run(m, label)

    def test_bootout_answering_a_code_without_a_rule_that_launchd_took_is_finished(self):
        """A bootout answering a code relaunch has no rule of its own for
        (1 `Operation not permitted`, 22, 37) while launchd booted the job
        out all the same: print tells relaunch so, as after a 5, and the
        reload goes on to its bootstrap. Read as "still loaded", the job
        would be left unloaded, and skipped as not loaded from then on."""
        for code, shape in (("1", "--perform"), ("22", "--perform"), ("37", "--when-gone")):
            with self.subTest(code=code, shape=shape):
                m = self.machine()
                label = self.reload_setup(m)
                old = m.pid(label)
                m.fault("exit", "--command", "bootout", "--label", label, "--code", code, shape)
                res, r = self.run_json(m)
                self.assertEqual(res[label]["status"], "restarted", res[label])
                self.assertEqual(res[label]["action"], "reload")
                self.assertGreaterEqual(self.prints_after_bootout(m, label), 1)
                events = [e["event"] for e in m.events() if e["label"] == label]
                self.assertEqual(events[-4:], ["exit", "removed", "bootstrap", "start"], events)
                self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
                new = m.wait_pid(label)
                self.assertNotEqual(new, old)
                self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)
                r = m.relaunch("run", *FAST)
                self.assertEqual((r.returncode, r.stdout), (0, "nothing to restart\n"), r.stderr)
                self.assertEqual(m.pid(label), new)

    def test_bootout_answering_a_code_without_a_rule_that_did_nothing_fails_untouched(self):
        """A bootout answering 1 that launchd did not act on (print shows
        the same process for as long as launchd may take to stop the job:
        ExitTimeOut 1 + 5 s here): failed as after such a 5, saying the
        job was left untouched; no journal entry is left, and the next run
        reloads it."""
        m = self.machine()
        label = self.slow_stop_reload_setup(m)
        pid = m.pid(label)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "1")
        res, _ = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("Boot-out failed: 1: Operation not permitted; launchd still has it loaded "
                      f"as before (running); left untouched (nothing was stopped; pid {pid} "
                      "keeps running): the next 'relaunch run' tries it again",
                      res[label]["error"])
        self.assertGreaterEqual(self.prints_after_bootout(m, label), 2)
        self.assertEqual(m.pid(label), pid)
        self.assert_reloaded_by_next_run(m, label)

    def test_bootout_refused_before_launchd_acted_fails_untouched_and_is_retried(self):
        """A bootout answering 64 (launchctl's usage error), 112 (no such
        domain) or 125 (the domain does not support it) was refused before
        launchd acted on any job: nothing was stopped, and the failure says
        so with the pid that keeps running. No journal entry is left, the
        throttle does not count it, status shows it failed, and the next
        run reloads the job."""
        words = {"64": "Unrecognized target specifier.",
                 "112": "Boot-out failed: 112: Could not find specified domain",
                 "125": "Boot-out failed: 125: Domain does not support specified action"}
        for code, said in words.items():
            with self.subTest(code=code):
                m = self.machine()
                label = self.reload_setup(m)
                pid = m.pid(label)
                m.fault("exit", "--command", "bootout", "--label", label, "--code", code)
                res, r = self.run_json(m, expect=3)
                err = res[label]["error"]
                self.assertEqual(res[label]["status"], "failed", res[label])
                self.assertIn(f"'bootout {m.target(label)}' failed with exit code {code} (", err)
                self.assertIn(said, err)
                # launchctl's text without its final period before "; ".
                self.assertNotIn(".; ", err)
                if code == "64":
                    self.assertIn("<domain-target>/<service-id>; left untouched (", err)
                self.assertTrue(err.endswith(
                    f"; left untouched (nothing was stopped; pid {pid} keeps running): "
                    "the next 'relaunch run' tries it again"), err)
                self.assertEqual(m.pid(label), pid)
                self.assertEqual(m.launchctl("print", m.target(label)).returncode, 0)
                self.assertEqual(m.events("kill"), [])
                self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
                with open(os.path.join(m.state, "history.json")) as f:
                    self.assertNotIn(label, json.load(f)["restarts"])
                st = m.relaunch("status")
                self.assertEqual(st.returncode, 3, st.stdout)
                self.assertIn(f"pending: failed   {label}: ", st.stdout)
                res, _ = self.run_json(m)
                self.assertEqual(res[label]["status"], "restarted", res[label])
                self.assertNotEqual(m.wait_pid(label), pid)
                self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)

    def test_bootout_answering_1_to_a_job_slow_to_stop_is_loaded_by_the_next_run(self):
        """A bootout answering 1 that launchd took, the job slow to stop
        past relaunch's wait: the step fails saying the job may be left
        unloaded, the journal keeps it, and once launchd has unloaded it the
        next run loads it again: never skipped as not loaded."""
        m = self.machine()
        label, gate = self.slow_to_stop(m, "slowdb")
        target = m.target(label)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "1", "--perform")
        res, r = self.run_json(m, "--launchctl", harness.shrunk_launchctl(m), "--timeout", "1",
                               expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn(f"'{target}' was still loaded 6 s after its bootout (SIGTERMed; "
                      "ExitTimeOut 1 s): launchd unloads it once it has exited, so it may be "
                      "left unloaded: the restart journal keeps it", res[label]["error"])
        with open(os.path.join(m.state, "intent.json")) as f:
            intents = json.load(f)["intents"]
        self.assertEqual([(i["label"], i.get("booting_out")) for i in intents], [(label, True)])
        gate.open()
        m.wait_event("removed", label)
        self.assertNotEqual(m.launchctl("print", target).returncode, 0)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        self.assertNotIn("skipped", r.stderr)
        self.assertNotIn(res.get(label, {}).get("status"), ("failed", "skipped"), res)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", target).stdout)

    def print_fails_after(self, m, label, command):
        """launchctl as a wrapper that, once the first `launchctl command`
        has answered, has the simulator answer every `print` of label with
        1 `Operation not permitted` (a fault set before that call returns:
        no race with relaunch's next print)."""
        flag = os.path.join(m.root, "print-fails")
        wrapper = harness.launchctl_after(
            m, "launchctl-print-fails",
            f"if [ \"$1\" = {command} ] && [ ! -e '{flag}' ]; then\n"
            f"  : > '{flag}'\n"
            f"  LAUNCHD_SIM_DIR='{m.simdir}' '{harness.PYTHON}' '{harness.LAUNCHD_SIM}' "
            f"fault exit --command print --label '{label}' --code 1 --times 100000 || "
            "exit 99\n"
            "fi\n")
        return wrapper, flag

    def test_print_failing_after_the_bootout_is_said_so_not_still_loaded(self):
        """print fails from the bootout on until relaunch's wait for the job
        to go ends: the error says relaunch cannot tell whether the job was
        still loaded, never that it was; the journal keeps it as before, and
        the next run loads it again."""
        m = self.machine()
        label = self.slow_stop_reload_setup(m)
        target = m.target(label)
        wrapper, flag = self.print_fails_after(m, label, "bootout")
        res, r = self.run_json(m, "--launchctl", wrapper, "--timeout", "1", expect=3)
        self.assertTrue(os.path.exists(flag))
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertTrue(res[label]["error"].startswith(
            f"cannot tell whether '{target}' was still loaded 6 s after its bootout (cannot get "
            f"the status of '{target}': launchctl 'print {target}' failed with exit code 1"),
            res[label]["error"])
        self.assertIn("ExitTimeOut 1 s): if it was, launchd unloads it once it has exited, so "
                      "it may be left unloaded: the restart journal keeps it",
                      res[label]["error"])
        with open(os.path.join(m.state, "intent.json")) as f:
            intents = json.load(f)["intents"]
        self.assertEqual([(i["label"], i.get("booting_out")) for i in intents], [(label, True)])
        m.fault("clear")
        m.wait_event("removed", label)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("\t\t2000\n", m.launchctl("print", target).stdout)

    def test_print_failing_after_the_bootstrap_is_said_so_not_down(self):
        """The bootstrap answers 0 and print fails from then on: relaunch
        cannot see the job come back, and says it cannot tell, never that
        launchd did not start it or that the service is down (it runs)."""
        m = self.machine()
        label = self.reload_setup(m)
        target = m.target(label)
        old = m.pid(label)
        wrapper, flag = self.print_fails_after(m, label, "bootstrap")
        res, r = self.run_json(m, "--launchctl", wrapper, "--timeout", "1", expect=3)
        self.assertTrue(os.path.exists(flag))
        self.assertEqual(res[label]["status"], "failed", res[label])
        error = res[label]["error"]
        self.assertTrue(error.startswith("cannot tell whether it came back within 1 s"), error)
        self.assertIn(f": cannot get the status of '{target}': launchctl 'print {target}' "
                      "failed with exit code 1", error)
        self.assertTrue(error.endswith(f"; see `launchctl print {target}`; the next 'relaunch "
                                       "run' checks it again"), error)
        self.assertNotIn("did not start", error)
        self.assertNotIn("the service is down", error)
        m.fault("clear")
        new = m.pid(label)
        self.assertNotIn(new, (0, old))
        self.assertIn("\t\t2000\n", m.launchctl("print", target).stdout)

    def test_bootstrap_answering_1_that_loaded_the_job_is_not_said_not_loaded(self):
        """A bootstrap answering 1 although launchd loaded the job: the
        answer says nothing sure of the load, so the error says relaunch
        cannot tell, never that the job is not loaded; the journal keeps it
        as before, and the next run finds it loaded and running."""
        m = self.machine()
        label = self.reload_setup(m)
        plist = os.path.join(m.daemons, label + ".plist")
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "1", "--perform")
        res, r = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertEqual(res[label]["error"],
                         f"cannot tell whether launchd loaded '{plist}': launchctl 'bootstrap "
                         f"system {plist}' failed with exit code 1 (operation not permitted): "
                         "Bootstrap failed: 1: Operation not permitted; the job may not be "
                         "loaded: the restart journal keeps it, and the next 'relaunch run' "
                         "loads it again if so")
        self.assertEqual(m.launchctl("print", m.target(label)).returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(m.state, "intent.json")))
        res, r = self.run_json(m)
        self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: loaded and running", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)

    def test_bootstrap_answering_37_is_retried_until_0(self):
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "37",
                "--times", "2")
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(len([e for e in m.events("bootstrap") if e["label"] == label]), 2)

    def test_bootstrap_answering_already_loaded_after_another_loader_is_no_failure(self):
        """Another loader (`brew services restart`, an activation) bootstraps
        the changed plist between relaunch's bootout and its bootstrap,
        which launchd then answers 5 or 37 (already loaded): launchd has
        the job loaded from that plist as it is now, so the reload is done,
        said so, verified as any, and no reload is left owed."""
        for code in ("5", "37"):
            with self.subTest(code=code):
                m = self.machine()
                label = self.reload_setup(m)
                m.fault("exit", "--command", "bootstrap", "--label", label, "--code", code,
                        "--perform")
                res, r = self.run_json(m)
                self.assertEqual(res[label]["status"], "restarted", res[label])
                self.assertIsNone(res[label]["error"], res[label])
                self.assertIn(f"loaded by another loader meanwhile (bootstrap answered {code}: "
                              "launchd already had this plist loaded as it is now)",
                              res[label]["note"])
                self.assertIn(f"restarted {label} (reload): pid {res[label]['old_pid']} → "
                              f"{res[label]['new_pid']}", r.stderr)
                self.assertNotIn("not loaded", r.stderr)
                # One load, the other loader's: relaunch never asked again.
                self.assertEqual(len([e for e in m.events("bootstrap")
                                      if e["label"] == label]), 2)  # boot, the other loader
                self.assertEqual(len([e for e in m.events("call") if e["argv"][0] == "bootstrap"]),
                                 1)
                self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
                self.assertEqual(m.pid(label), res[label]["new_pid"])
                self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)
                self.assertEqual(m.relaunch("plan").returncode, 0)

    def test_job_another_loader_loaded_that_then_fails_is_reported(self):
        """Loaded by another loader meanwhile is no success by itself: the
        job is still waited for and watched, and one that does not stay up
        fails."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        self.baseline(m, running=[label])
        m.write_plist(label, [FALSE])
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "5", "--perform")
        res, r = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("the service is down", res[label]["error"])
        self.assertIn("loaded by another loader meanwhile", res[label]["note"])
        self.assertEqual(m.launchctl("print", m.target(label)).returncode, 0)
        self.assertEqual(len([e for e in m.events("call") if e["argv"][0] == "bootstrap"]), 1)

    def test_bootstrap_answering_5_with_another_definition_loaded_is_retried(self):
        """A bootstrap answering 5 while launchd has the job loaded from the
        plist as it was (another loader loaded the old bytes) is no load of
        the plist as it is now: retried until --timeout, then failed saying
        what launchd has loaded, never that the job is not loaded."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        label = brew("nginx")
        exe = os.path.join(m.opt("nginx"), "bin", "nginx")
        plist = os.path.join(m.daemons, label + ".plist")
        m.write_plist(label, [exe, "1000"])
        self.baseline(m, running=[label])
        old = os.path.join(m.root, "old.plist")
        shutil.copy(plist, old)
        m.write_plist(label, [exe, "2000"])
        new = os.path.join(m.root, "new.plist")
        shutil.copy(plist, new)
        flag = os.path.join(m.root, "raced")
        wrapper = harness.launchctl_wrapper(
            m, "launchctl-old-loader", f"[ \"$1\" = bootstrap ] && [ ! -e '{flag}' ]",
            f": > '{flag}'\n"
            f"cp '{old}' '{plist}'\n"
            f"'{m.sim_launchctl}' \"$@\" >/dev/null 2>&1\n"
            f"cp '{new}' '{plist}'")
        # The retry comes only while --timeout lasts, counted from the first
        # bootstrap: 8 s leaves room for one under any load (a bootstrap
        # through this wrapper is three launchctl calls), where 1 s did not.
        res, r = self.run_json(m, "--launchctl", wrapper, "--timeout", "8", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertNotIn("not loaded", res[label]["error"])
        self.assertIn("Bootstrap failed: 5: Input/output error; launchd has loaded a different "
                      f"definition than {plist}: its ProgramArguments[1] is 1000, the plist's 2000",
                      res[label]["error"])
        self.assertIsNone(res[label]["note"], res[label])
        self.assertGreater(len([e for e in m.events("call") if e["argv"][0] == "bootstrap"]), 2)
        self.assertIn("\t\t1000\n", m.launchctl("print", m.target(label)).stdout)
        self.assertTrue(os.path.exists(os.path.join(m.state, "intent.json")))
        # The next run finishes the journal's entry as for a job found
        # loaded again, and its step reloads the plist as it is now.
        res, r = self.run_json(m)
        self.assertIn(f"current   {label}: finished the reload an earlier run had begun: "
                      "nothing to do: loaded and running", r.stderr)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("\t\t2000\n", m.launchctl("print", m.target(label)).stdout)

    def test_bootstrap_refused_throughout_is_bootstrapped_by_the_next_run(self):
        """bootstrap answering 5 until --timeout leaves the job booted out:
        the journal keeps it, so the next run loads it again instead of
        skipping it as not loaded and forgetting it."""
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("exit", "--command", "bootstrap", "--label", label, "--code", "5",
                "--times", "1000")
        res, r = self.run_json(m, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("the job is not loaded", res[label]["error"])
        self.assertNotEqual(m.launchctl("print", m.target(label)).returncode, 0)
        with open(os.path.join(m.state, "intent.json")) as f:
            self.assertEqual([i["label"] for i in json.load(f)["intents"]], [label])
        # Still refused: the next run says so, keeps the journal, exits 3,
        # and its step is failed, not skipped as merely not loaded, so the
        # change stays pending and status says so.
        res, r = self.run_json(m, "--timeout", "1", expect=3)
        self.assertIn(f"cannot finish the reload of {label}", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(m.state, "intent.json")))
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("not loaded: an earlier restart left it so", res[label]["error"])
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout)
        self.assertIn(f"pending: failed   {label}: not loaded: an earlier restart", st.stdout)
        m.fault("clear")
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        new = m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", m.target(label)).stdout)
        self.assertNotIn(res.get(label, {}).get("status"), ("failed", "skipped"), res)
        self.assertEqual(m.relaunch("plan").returncode, 0)
        self.assertEqual(m.pid(label), new)

    def slow_to_stop(self, m, formula):
        """A daemon that takes as long to stop as the test wants: on SIGTERM
        it blocks until its gate opens (a database's checkpoint), and its
        ExitTimeOut (60 s) lets it: launchd does not SIGKILL it before. Its
        plist then changes (2000), so that run reloads it."""
        gate = harness.Gate(os.path.join(m.root, formula + ".gate"))
        label = brew(formula)
        m.brew_install(formula, "1.0")
        exe = os.path.join(m.opt(formula), "bin", formula)

        def plist(arg):
            m.write_plist(label, ["/bin/sh", "-c",
                                  f"trap 'read _ < {gate.path}; exit 0' TERM; "
                                  f"'{exe}' {arg} & wait"], ExitTimeOut=60)
        plist("1000")
        self.baseline(m, running=[label])
        plist("2000")
        return label, gate

    def prints_after_bootout(self, m, label):
        """How many `print` calls on label came after its first bootout."""
        argv = [e["argv"] for e in m.events("call")]
        target = m.target(label)
        if ["bootout", target] not in argv:
            return 0
        return argv[argv.index(["bootout", target]):].count(["print", target])

    def test_bootout_answering_5_while_its_job_is_slow_to_exit_is_waited_out(self):
        """launchd took the bootout (SIGTERM sent) and answered 5 while the
        job, which handles SIGTERM slowly, still ran its process, and print
        shows it as before (running, the same pid): at first what a bootout
        launchd did nothing to looks like. relaunch keeps asking for as long
        as launchd may take to stop the job, and once the job has exited
        and been unloaded it bootstraps it: loaded, running the new
        definition, never left unloaded."""
        self.slow_exit_5("--hide-stopping")

    def test_bootout_answering_5_while_launchd_shows_it_sigtermed_is_finished(self):
        """The same, with print showing the job SIGTERMed, as macOS 26 does
        during a bootout: launchd acted, and relaunch waits for it to let
        go, then bootstraps the job."""
        self.slow_exit_5("--perform")

    def slow_exit_5(self, shape):
        m = self.machine()
        label, gate = self.slow_to_stop(m, "slowdb")
        old = m.pid(label)
        m.fault("exit", "--command", "bootout", "--label", label, "--code", "5", shape)
        run = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST], env=m.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        # The 5 came, and print has shown the old process still running
        # twice since: relaunch looks again while the job is stopping.
        harness.wait_until(lambda: run.poll() is not None or
                           self.prints_after_bootout(m, label) >= 2, "prints after the bootout")
        self.assertEqual(m.pid(label), old)
        gate.open()
        out, err = run.communicate(timeout=harness.SAFETY)
        harness.check_output_schema(("run", "--json"), out)
        self.assertEqual(run.returncode, 0, f"stdout {out}\nstderr {err}")
        res = {r["label"]: r for r in json.loads(out)["results"]}
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["action"], "reload")
        new = m.wait_pid(label)
        self.assertNotEqual(new, old)
        self.assertIn("2000", m.launchctl("print", m.target(label)).stdout)
        events = [(e["event"], e.get("exit_code")) for e in m.events() if e["label"] == label]
        self.assertEqual(events[-5:], [("kill", None), ("exit", 0), ("removed", None),
                                       ("bootstrap", None), ("start", None)], events)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))

    def test_job_slower_to_stop_than_timeout_is_loaded_again(self):
        """A reload of a job whose shutdown outlasts --timeout: relaunch
        waits for launchd to let go of it (as long as its ExitTimeOut
        allows), then bootstraps it: it ends loaded, running the new
        definition, never left unloaded."""
        m = self.machine()
        label, gate = self.slow_to_stop(m, "slowdb")
        old = m.pid(label)
        run = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--timeout", "1"],
                               env=m.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        m.wait_event("kill", label)  # the bootout's SIGTERM: the job is stopping
        bootout = [e for e in m.events("call") if e["argv"] == ["bootout", m.target(label)]]
        self.assertEqual(len(bootout), 1, bootout)
        # Stopping for longer than --timeout: relaunch still waits (or,
        # as it did before, gave up and exited).
        harness.wait_until(lambda: run.poll() is not None or any(
            e["argv"] == ["print", m.target(label)] and e["time"] > bootout[0]["time"] + 1.5
            for e in m.events("call")), "a poll past --timeout")
        gate.open()
        out, err = run.communicate(timeout=harness.SAFETY)
        harness.check_output_schema(("run", "--json"), out)
        self.assertEqual(run.returncode, 0, f"stdout {out}\nstderr {err}")
        res = {r["label"]: r for r in json.loads(out)["results"]}
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["action"], "reload")
        new = m.wait_pid(label)
        self.assertNotEqual(new, old)
        self.assertEqual(res[label]["new_pid"], new)
        self.assertIn("2000", m.launchctl("print", m.target(label)).stdout)
        events = [(e["event"], e.get("exit_code")) for e in m.events() if e["label"] == label]
        self.assertEqual(events[-5:], [("kill", None), ("exit", 0), ("removed", None),
                                       ("bootstrap", None), ("start", None)], events)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))

    def test_job_still_stopping_when_the_wait_ends_is_loaded_by_the_next_run(self):
        """launchd still stops the job when relaunch's wait ends (here
        `print` says ExitTimeOut 1, so relaunch waits 6 s, while launchd
        really gives it 60): the step fails saying the job may be left
        unloaded, the journal keeps it, and once launchd has unloaded it
        the next run loads it again."""
        m = self.machine()
        label, gate = self.slow_to_stop(m, "slowdb")
        shrink = harness.shrunk_launchctl(m)
        res, r = self.run_json(m, "--launchctl", shrink, "--timeout", "1", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn(f"'{m.target(label)}' was still loaded 6 s after its bootout (SIGTERMed; "
                      "ExitTimeOut 1 s): launchd unloads it once it has exited, so it may be "
                      "left unloaded: the restart journal keeps it, and the next 'relaunch "
                      "run' (or 'relaunch run' now) loads it again once it is gone",
                      res[label]["error"])
        with open(os.path.join(m.state, "intent.json")) as f:
            intents = json.load(f)["intents"]
        self.assertEqual([(i["label"], i.get("booting_out")) for i in intents], [(label, True)])
        st = m.relaunch("status")
        self.assertIn(f"pending: unfinished {label}: its reload was left unfinished: the job "
                      "may be unloaded (launchd was still stopping it after its bootout, and "
                      "unloads it once it exits); the next run loads it first", st.stdout)
        # Not bootstrapped over a job launchd still had: only boot loaded it.
        self.assertEqual(len([e for e in m.events("bootstrap") if e["label"] == label]), 1)
        gate.open()
        m.wait_event("removed", label)
        self.assertNotEqual(m.launchctl("print", m.target(label)).returncode, 0)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", m.target(label)).stdout)
        self.assertNotEqual(res.get(label, {}).get("status"), "failed", res)

    def test_job_still_stopping_after_recovery_is_waited_for_once(self):
        """A job launchd is still stopping when a run begins (an earlier
        run's bootout), and still when the run's recovery has waited as long
        as launchd may take: the run's own step for it does not boot it out
        and wait as long again. It fails at once saying so; the journal
        keeps it, and once launchd has let go, the next run loads it."""
        m = self.machine()
        label, gate = self.slow_to_stop(m, "slowdb")
        target = m.target(label)
        shrink = harness.shrunk_launchctl(m)
        old = m.pid(label)
        res, r = self.run_json(m, "--launchctl", shrink, "--timeout", "1", expect=3)
        self.assertIn(f"'{target}' was still loaded 6 s after its bootout", res[label]["error"])

        def bootouts():
            return [e for e in m.events("call") if e["argv"] == ["bootout", target]]
        self.assertEqual(len(bootouts()), 1)
        # The next run, launchd still stopping it: its recovery waits for
        # that, once, and its step neither boots it out nor waits again.
        res, r = self.run_json(m, "--launchctl", shrink, "--timeout", "1", expect=3)
        self.assertEqual(r.stderr.count("launchd is still stopping it"), 2, r.stderr)
        self.assertIn(f"relaunch: cannot finish the reload of {label} an earlier run had begun: "
                      f"launchd is still stopping it (pid {old}, since an earlier run's "
                      "bootout)", r.stderr)
        self.assertNotIn("after its bootout", r.stderr)
        self.assertEqual(len(bootouts()), 1)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertEqual(res[label]["old_pid"], old)
        self.assertEqual(res[label]["error"],
                         f"launchd is still stopping it (pid {old}, since an earlier run's "
                         "bootout), as it was when this run had waited for that: not booted "
                         "out again; launchd unloads it once it exits, and the restart "
                         "journal keeps it for the next run to load it again")
        with open(os.path.join(m.state, "intent.json")) as f:
            intents = json.load(f)["intents"]
        self.assertEqual([(i["label"], i.get("booting_out")) for i in intents], [(label, True)])
        # Once launchd has let go of it, the next run loads it again.
        gate.open()
        m.wait_event("removed", label)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "bootstrapped", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", target).stdout)
        self.assertEqual(len(bootouts()), 1)

    def stopping_then_gone(self, m, label, gate, load_again=False):
        """A run whose recovery found launchd still stopping the job (an
        earlier run's bootout): once it has said so, its next print of the
        job lets the job exit, and returns once launchd has dropped it
        (load_again: once it is loaded again, as someone else would; then
        the print the plan makes for the job's step, which would see the
        new process and judge the step by it, goes through first, and the
        step's own print is the one). The run's own step then finds it so.
        Returns (results, run, stderr)."""
        target = m.target(label)
        err = os.path.join(m.root, "run.err")
        flag = os.path.join(m.root, "let-go")
        plist = os.path.join(m.daemons, label + ".plist")
        sim = m.sim_launchctl
        planned = os.path.join(m.root, "planned")
        again = (f"\n'{sim}' bootstrap system '{plist}' >/dev/null 2>&1\n"
                 f"until '{sim}' print '{target}' | grep -q 'pid = '; do sleep 0.02; done"
                 if load_again else "")
        # load_again: false the first time (the plan's print, marked), true after.
        at_step = f"{{ [ -e '{planned}' ] || ! : > '{planned}'; }}" if load_again else "true"
        wrapper = harness.launchctl_wrapper(
            m, "launchctl-let-go",
            f"[ \"$1\" = print ] && [ \"$2\" = '{target}' ] && [ ! -e '{flag}' ] && "
            f"grep -q 'an earlier run had begun: launchd is still stopping' '{err}' && {at_step}",
            f": > '{flag}'\n"
            f"echo go > '{gate.path}'\n"
            f"while '{sim}' print '{target}' >/dev/null 2>&1; do sleep 0.02; done{again}",
            to=harness.shrunk_launchctl(m))
        run = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--launchctl", wrapper,
                                "--timeout", "1"], env=m.env, stdout=subprocess.PIPE,
                               stderr=open(err, "w"), text=True)
        self.addCleanup(lambda: run.poll() is None and run.kill())
        return run, err, flag

    def first_bootout_left_stopping(self, m):
        label, gate = self.slow_to_stop(m, "slowdb")
        target = m.target(label)
        old = m.pid(label)
        res, r = self.run_json(m, "--launchctl", harness.shrunk_launchctl(m), "--timeout", "1",
                               expect=3)
        self.assertIn(f"'{target}' was still loaded 6 s after its bootout", res[label]["error"])
        return label, gate, target, old

    def test_job_gone_after_recovery_still_stopping_is_loaded_by_the_step(self):
        """launchd still stops the job when the run's recovery has waited
        for it, and drops it right after: the run's own step loads it again
        (the journal says it is owed, and nothing tried that yet), never
        leaves it unloaded saying bringing it back failed."""
        m = self.machine()
        label, gate, target, old = self.first_bootout_left_stopping(m)
        run, err, flag = self.stopping_then_gone(m, label, gate)
        out, _ = run.communicate(timeout=harness.SAFETY * 3)
        with open(err) as f:
            stderr = f.read()
        self.assertTrue(os.path.exists(flag), stderr)
        # 3: the run's recovery could not finish it, as it said.
        self.assertEqual(run.returncode, 3, stderr)
        res = {x["label"]: x for x in json.loads(out)["results"]}
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertNotIn("bringing it back failed", stderr)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", target).stdout)
        self.assertEqual(len([e for e in m.events("call")
                              if e["argv"] == ["bootout", target]]), 1)

    def test_job_loaded_again_after_recovery_still_stopping_is_no_longer_stopping(self):
        """launchd still stops the job when the run's recovery has waited
        for it; then it exits and is loaded again (a new pid): the step does
        not say launchd is still stopping it, which is no longer true, but
        reloads it as planned, and the journal lets go of it."""
        m = self.machine()
        label, gate, target, old = self.first_bootout_left_stopping(m)
        run, err, flag = self.stopping_then_gone(m, label, gate, load_again=True)
        # The new process stops as slowly at the step's bootout: let it.
        harness.wait_until(lambda: len([e for e in m.events("kill")
                                        if e["label"] == label]) >= 2 or run.poll() is not None,
                           "the step's bootout of the new process")
        if run.poll() is None:
            gate.open()
        out, _ = run.communicate(timeout=harness.SAFETY * 3)
        with open(err) as f:
            stderr = f.read()
        self.assertTrue(os.path.exists(flag), stderr)
        res = {x["label"]: x for x in json.loads(out)["results"]}
        self.assertNotIn(f"launchd is still stopping it (pid {res[label]['old_pid']}",
                         res[label].get("error") or "")
        self.assertNotEqual(res[label]["old_pid"], old)
        self.assertEqual(run.returncode, 3, stderr)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        m.wait_pid(label)

    def test_reloaded_job_not_started_again_is_started_by_the_next_run(self):
        """A running job that launchd would not start by itself (neither
        KeepAlive nor RunAtLoad) is reloaded, and the kickstart that should
        bring it back is refused: it is loaded but stopped. The next run
        starts it (the journal), instead of calling it idle for good."""
        m = self.machine()
        label = brew("ondemand")
        m.brew_install("ondemand", "1.0")
        exe = os.path.join(m.opt("ondemand"), "bin", "ondemand")
        m.write_plist(label, [exe, "1000"], RunAtLoad=False, KeepAlive=False)
        m.boot()
        self.assertEqual(m.launchctl("kickstart", f"system/{label}").returncode, 0)
        m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.write_plist(label, [exe, "2000"], RunAtLoad=False, KeepAlive=False)
        m.fault("exit", "--command", "kickstart", "--label", label, "--code", "1",
                "--times", "3")
        res, _ = self.run_json(m, expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("the job is loaded but not running", res[label]["error"])
        self.assertEqual(m.pid(label), 0)
        # Refused once more: the job is not called idle (its restart is
        # still owed), and the journal keeps it.
        res, r = self.run_json(m, expect=3)
        self.assertIn(f"cannot finish the reload of {label}", r.stderr)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertIn("not running: an earlier restart left it so", res[label]["error"])
        self.assertEqual(m.relaunch("status").returncode, 3)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (reload): finished the reload an earlier run had begun: "
                      "started it again", r.stderr)
        pid = m.wait_pid(label)
        self.assertIn("2000", m.launchctl("print", f"system/{label}").stdout)
        self.assertNotIn(res.get(label, {}).get("status"), ("failed", "idle"), res)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        self.assertEqual(m.relaunch("plan").returncode, 0)
        self.assertEqual(m.pid(label), pid)

    def test_reloaded_crashed_only_job_is_started_at_once(self):
        """A running job with KeepAlive {Crashed true} and no RunAtLoad:
        launchd does not start it as it loads it, so right after the
        bootstrap of its changed plist relaunch starts it (kickstart),
        instead of waiting --timeout for a start that never comes."""
        m = self.machine()
        label = brew("worker")
        m.brew_install("worker", "1.0")
        exe = os.path.join(m.opt("worker"), "bin", "worker")
        m.write_plist(label, [exe, "1000"], RunAtLoad=False, KeepAlive={"Crashed": True})
        m.boot()
        self.assertEqual(m.launchctl("kickstart", f"system/{label}").returncode, 0)
        old = m.wait_pid(label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.write_plist(label, [exe, "2000"], RunAtLoad=False, KeepAlive={"Crashed": True})
        t0 = time.time()
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(res[label]["action"], "reload")
        self.assertEqual(res[label]["new_pid"], m.pid(label))
        self.assertNotEqual(res[label]["new_pid"], old)
        self.assertIn("2000", m.launchctl("print", f"system/{label}").stdout)
        # The call after the bootstrap is the kickstart: no print polled
        # in between for a start launchd does not make.
        calls = [c["argv"][0] for c in m.calls(t0) if c["argv"][-1].endswith(label) or
                 c["argv"][-1].endswith(label + ".plist")]
        self.assertIn("bootstrap", calls, calls)
        after = calls[calls.index("bootstrap") + 1:]
        self.assertEqual(after[:1], ["kickstart"], calls)
        self.assertEqual(len(self.kickstarts(m, label)), 2, "the test's, then relaunch's")

    def test_kickstarted_job_that_did_not_stay_up_is_started_by_the_next_run(self):
        """kickstart -k of a running job that is not KeepAlive, whose new
        process exits at once (here only the first time): the failure is
        reported, and the next run starts it again rather than calling the
        stopped job idle and forgetting the restart."""
        m = self.machine()
        label = brew("flaky")
        m.brew_install("flaky", "1.0")
        exe = os.path.join(m.opt("flaky"), "bin", "flaky")
        m.write_plist(label, [exe, "1000"], RunAtLoad=True, KeepAlive=False)
        self.baseline(m, running=[label])
        keg = m.brew_keg("flaky", "1.1")
        marker = os.path.join(m.root, "flaky-failed-once")
        prog = os.path.join(keg, "bin", "flaky")
        with open(prog + ".tmp", "w") as f:
            f.write(f"#!/bin/sh\n[ -e '{marker}' ] || {{ : > '{marker}'; exit 1; }}\n"
                    f"exec '{harness.SLEEP}' 1000\n")
        os.chmod(prog + ".tmp", 0o755)
        os.replace(prog + ".tmp", prog)
        harness.atomic_symlink("../Cellar/flaky/1.1", m.opt("flaky"))
        res, _ = self.run_json(m, "--timeout", "2", expect=3)
        self.assertEqual(res[label]["status"], "failed", res[label])
        self.assertTrue(os.path.exists(marker))
        self.assertEqual(m.pid(label), 0)
        res, r = self.run_json(m)
        self.assertIn(f"restarted {label} (kickstart): finished the kickstart an earlier run had begun: "
                      "started it again", r.stderr)
        pid = m.wait_pid(label)
        self.assertNotIn(res.get(label, {}).get("status"), ("failed", "idle"), res)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
        self.assertEqual(m.pid(label), pid)

    def test_plist_gone_before_the_bootout_is_not_booted_out(self):
        """The package manager removes the changed plist while the run is
        under way (here: when relaunch asks print-disabled, right before
        the bootout): launchd could not load it again, so the job is not
        booted out; it keeps running and the step is left for the next run."""
        m = self.machine()
        label = self.reload_setup(m)
        m.domains[label] = "system"  # where it stays once its plist is gone
        old = m.pid(label)
        plist = os.path.join(m.daemons, label + ".plist")
        remover = harness.launchctl_wrapper(m, "launchctl-remover",
                                            "[ \"$1\" = print-disabled ]", f"rm -f '{plist}'")
        res, r = self.run_json(m, "--launchctl", remover)
        self.assertEqual(res[label]["status"], "deferred", res[label])
        self.assertIn(f"cannot read plist '{plist}'", res[label]["error"])
        self.assertIn("not booted out", res[label]["error"])
        self.assertEqual([e for e in m.events("bootout") if e["label"] == label], [])
        self.assertEqual(m.launchctl("print", f"system/{label}").returncode, 0)
        self.assertEqual(m.pid(label), old)
        self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))

    def test_disabled_job_is_not_booted_out(self):
        m = self.machine()
        label = self.reload_setup(m)
        old = m.pid(label)
        self.assertEqual(m.launchctl("disable", f"system/{label}").returncode, 0)
        res, _ = self.run_json(m)
        r = res[label]
        self.assertEqual(r["status"], "deferred", r)
        self.assertIn("disabled in launchd's overrides", r["error"])
        self.assertIn(f"launchctl enable system/{label}", r["error"])
        self.assertEqual(m.pid(label), old, "still loaded and running")
        self.assertEqual([e for e in m.events("bootout") if e["label"] == label], [])

    def test_disabled_reload_is_deferred_by_plan_status_and_jobs_as_by_run(self):
        """plan, run -n, status and jobs ask launchd's overrides as run asks
        them before a bootout, once per domain and only for a reload still
        to make: the disabled job's reload is deferred in run's words by
        each, the other reload in its domain is not, and a kickstart asks
        nothing of them."""
        m = self.machine()
        m.brew_install("redis", "1.0")
        label = self.reload_setup(m)
        other = brew("redis")
        m.wait_pid(other)
        m.write_plist(other, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        self.assertEqual(m.launchctl("disable", f"system/{label}").returncode, 0)
        why = ("disabled in launchd's overrides: not reloaded; left for the next run "
               f"(run `launchctl enable system/{label}` first)")

        def asked(since):
            return [c["argv"] for c in m.calls(since) if c["argv"][0] == "print-disabled"]

        for args, code in ((("plan",), 1), (("run", "-n"), 0)):
            since = time.time()
            r, doc = m.relaunch_json(*args)
            self.assertEqual(r.returncode, code, r.stderr)
            self.assertEqual([s["label"] for s in doc["steps"]], [other], doc)
            self.assertEqual([(e["change"], e["labels"], e["why"]) for e in doc["reported"]],
                             [("deferred", [label], why)], doc)
            self.assertEqual(asked(since), [["print-disabled", "system"]])
        self.assertIn(f"(deferred): {why}; {label}\n", m.relaunch("plan").stdout)
        since = time.time()
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(doc["pending"]["deferred"], [{"label": label, "name": label, "error": why,
                                                     "run": None}])
        self.assertEqual([c["label"] for c in doc["pending"]["changed"]], [other], doc["pending"])
        self.assertEqual(asked(since), [["print-disabled", "system"]])
        self.assertIn(f"pending: deferred {label}: {why} (no run has restarted it since)",
                      m.relaunch("status").stdout)
        since = time.time()
        r, doc = m.relaunch_json("jobs")
        self.assertEqual(r.returncode, 0, r.stderr)
        jobs = {j["label"]: j for j in doc["jobs"]}
        self.assertEqual((jobs[label]["code"], jobs[label]["deferred"]), ("stale", why))
        self.assertEqual((jobs[other]["code"], jobs[other]["deferred"]), ("stale", None))
        self.assertEqual(asked(since), [["print-disabled", "system"]])
        self.assertIn(f"stale, deferred: {why}; ", m.relaunch("jobs", label).stdout)

        # run decides as they said: the disabled job left running.
        old = m.pid(label)
        res, _ = self.run_json(m)
        self.assertEqual((res[label]["status"], res[label]["error"]), ("deferred", why))
        self.assertEqual((res[other]["status"], res[other]["action"]), ("restarted", "reload"))
        self.assertEqual(m.pid(label), old)
        self.assertEqual([e for e in m.events("bootout") if e["label"] == label], [])

        # Enabled and reloaded, then upgraded: a kickstart, whatever the
        # overrides say, and none is asked for.
        self.assertEqual(m.launchctl("enable", f"system/{label}").returncode, 0)
        res, _ = self.run_json(m)
        self.assertEqual((res[label]["status"], res[label]["action"]), ("restarted", "reload"))
        self.assertEqual(m.launchctl("disable", f"system/{label}").returncode, 0)
        m.brew_upgrade("nginx", "1.1")
        for args in (("plan",), ("run", "-n"), ("status",), ("jobs",)):
            since = time.time()
            m.relaunch(*args)
            self.assertEqual(asked(since), [], args)
        self.assertEqual([(s["label"], s["action"]) for s in self.plan_json(m)["steps"]],
                         [(label, "kickstart")])

    def test_bootstrap_that_does_not_spawn_is_kickstarted_once(self):
        m = self.machine()
        label = self.reload_setup(m)
        m.fault("nospawn", "--label", label)
        res, _ = self.run_json(m, "--timeout", "5")
        self.assertEqual(res[label]["status"], "restarted", res[label])
        self.assertEqual(len(self.kickstarts(m, label)), 1)
        self.assertEqual(res[label]["new_pid"], m.pid(label))

    def test_kickstart_answering_1_is_tried_once_more(self):
        m = self.machine()
        m.brew_install("nginx", "1.0")
        self.baseline(m, running=[brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        m.fault("exit", "--command", "kickstart", "--label", brew("nginx"), "--code", "1")
        res, _ = self.run_json(m)
        self.assertEqual(res[brew("nginx")]["status"], "restarted", res)
        self.assertEqual(len(self.kickstarts(m, brew("nginx"))), 1)

    def test_kickstart_launchd_did_not_act_on_is_no_restart(self):
        """A kickstart launchd refused before acting on the job (113: no such
        service) or that never reached launchd (69) touched nothing: the
        history keeps no restart for it, so the next run restarts it at
        once instead of saying it was restarted moments ago, and --max
        does not count it, so the job after it is still restarted."""
        m = self.machine()
        m.env["RELAUNCH_THROTTLE_FLOOR"] = "60"
        labels = [brew(f) for f in ("aaa", "bbb", "ccc")]
        for f in ("aaa", "bbb", "ccc"):
            m.brew_install(f, "1.0")
        self.baseline(m, running=labels)
        for f in ("aaa", "bbb", "ccc"):
            m.brew_upgrade(f, "1.1")
        m.fault("exit", "--command", "kickstart", "--label", labels[0], "--code", "113")
        m.fault("exit", "--command", "kickstart", "--label", labels[1], "--code", "69")
        res, _ = self.run_json(m, "--max", "1", "--keep-going", expect=3)
        self.assertEqual([res[label]["status"] for label in labels],
                         ["failed", "failed", "restarted"], res)
        self.assertIn("exit code 113", res[labels[0]]["error"])
        self.assertIn("left untouched (nothing was stopped", res[labels[1]]["error"])
        with open(os.path.join(m.state, "history.json")) as f:
            self.assertEqual(sorted(json.load(f)["restarts"]), [labels[2]])
        # The next run restarts both at once: no throttle to wait out.
        res, _ = self.run_json(m, "--no-wait")
        self.assertEqual([res[label]["status"] for label in labels[:2]],
                         ["restarted", "restarted"], res)
        self.assertEqual([len(self.kickstarts(m, label)) for label in labels], [1, 1, 1])

    def test_kickstart_of_a_job_unloaded_meanwhile_is_skipped(self):
        """A job unloaded between relaunch's print and its kickstart
        (`brew services stop` meanwhile): launchd answers the kickstart 113,
        `Could not find service "…" in domain for …`. Asked again, the job
        is not loaded, so it is skipped as plan skips a job not loaded: the
        run exits 0, nothing loads it again, and the next run has nothing
        to retry for it."""
        m = self.machine()
        m.brew_install("nginx", "1.0")
        self.baseline(m, running=[brew("nginx")])
        m.brew_upgrade("nginx", "1.1")
        m.fault("exit", "--command", "kickstart", "--label", brew("nginx"), "--code", "113",
                "--unload")
        res, _ = self.run_json(m)
        r = res[brew("nginx")]
        self.assertEqual(r["status"], "skipped", res)
        self.assertEqual(r["error"], "not loaded (unloaded since it was found loaded: launchctl "
                         f"'kickstart -k {m.target(brew('nginx'))}' answered 113)")
        self.assertEqual(self.kickstarts(m, brew("nginx")), [])
        self.assertEqual(m.launchctl("print", m.target(brew("nginx"))).returncode, 113)
        res, _ = self.run_json(m)
        self.assertNotIn(res.get(brew("nginx"), {}).get("status"), ("failed", "restarted"), res)
        self.assertEqual(m.launchctl("print", m.target(brew("nginx"))).returncode, 113)

    def test_kickstart_refused_before_launchd_acted_fails_untouched_and_is_retried(self):
        """A kickstart -k answering 64 (launchctl's usage error), 112 (no
        such domain) or 125 (the domain does not support it) was refused
        before launchd acted on the job: nothing was stopped, and the
        failure says so with the pid that keeps running, as a bootout's
        does. No journal entry is left, the throttle does not count it,
        status shows it failed, and the next run restarts the job."""
        for code in ("64", "112", "125"):
            with self.subTest(code=code):
                m = self.machine()
                m.env["RELAUNCH_THROTTLE_FLOOR"] = "60"
                m.brew_install("nginx", "1.0")
                label = brew("nginx")
                self.baseline(m, running=[label])
                pid = m.pid(label)
                m.brew_upgrade("nginx", "1.1")
                m.fault("exit", "--command", "kickstart", "--label", label, "--code", code)
                res, _ = self.run_json(m, expect=3)
                err = res[label]["error"]
                self.assertEqual(res[label]["status"], "failed", res[label])
                self.assertIn(f"'kickstart -k {m.target(label)}' failed with exit code {code} (",
                              err)
                self.assertTrue(err.endswith(
                    f"; left untouched (nothing was stopped; pid {pid} keeps running): "
                    "the next 'relaunch run' tries it again"), err)
                self.assertEqual(m.pid(label), pid)
                self.assertEqual(m.events("kill"), [])
                self.assertFalse(os.path.exists(os.path.join(m.state, "intent.json")))
                with open(os.path.join(m.state, "history.json")) as f:
                    self.assertNotIn(label, json.load(f)["restarts"])
                st = m.relaunch("status")
                self.assertEqual(st.returncode, 3, st.stdout)
                self.assertIn(f"pending: failed   {label}: ", st.stdout)
                res, _ = self.run_json(m, "--no-wait")
                self.assertEqual(res[label]["status"], "restarted", res[label])
                self.assertNotEqual(m.wait_pid(label), pid)

    def test_apple_service_is_never_touched(self):
        """150: System Integrity Protection guards com.apple.* labels."""
        m = self.machine()
        m.brew_install("clock", "1.0")
        exe = os.path.join(m.opt("clock"), "bin", "clock")
        m.write_plist("com.apple.clockd", [exe, "1000"])
        self.baseline(m, running=["com.apple.clockd"])
        old = m.pid("com.apple.clockd")
        m.brew_upgrade("clock", "1.1")
        res, _ = self.run_json(m)
        r = res["com.apple.clockd"]
        self.assertEqual(r["status"], "skipped", r)
        self.assertIn("System Integrity Protection", r["error"])
        self.assertEqual(m.pid("com.apple.clockd"), old)

    def test_failure_says_launchds_last_exit_reason(self):
        m = self.machine()
        m.brew_install("web", "1.0")
        self.baseline(m, running=[brew("web")])
        m.fault("exit-reason", "--label", brew("web"), "--text",
                "OS_REASON_DYLD | Library missing")
        m.brew_upgrade("web", "1.1", program=FALSE)
        res, _ = self.run_json(m, "--timeout", "5", expect=3)
        r = res[brew("web")]
        self.assertEqual(r["status"], "failed", r)
        self.assertIn("OS_REASON_DYLD | Library missing", r["error"])

    # -- one label, an agent's plist and a daemon's ------------------------
    def same_label_machine(self, formula):
        """`brew services start formula` and `sudo brew services start
        formula`: the same label in ~/Library/LaunchAgents and in
        /Library/LaunchDaemons. The simulator loads both, each running a
        process of its own, gui/<uid>'s and system's."""
        m = self.machine()
        m.brew_install(formula, "1.0", daemon=False)
        m.brew_install(formula, "1.0")
        m.boot()
        label = brew(formula)
        harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        harness.wait_until(lambda: self.pid_in(m, f"gui/{UID}", label), "the agent")
        return m, label

    def kickstarted_in(self, m, label):
        return [e["target"] for e in self.kickstarts(m, label)]

    def test_same_label_daemon_loaded_agent_not_restarts_the_daemon(self):
        """The agent was booted out (or its user never logged in) while
        the daemon runs: the daemon's plist is the job, judged and
        restarted in system/, and plan, run -n and status say so first."""
        m, label = self.same_label_machine("redis")
        self.assertEqual(m.launchctl("bootout", f"gui/{UID}/{label}").returncode, 0)
        m.wait_event("removed", label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        warning = r.stderr
        old = self.pid_in(m, "system", label)
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "kickstart")], plan)
        self.assertIn(f"using plist '{m.daemons}/{label}.plist' for label '{label}': "
                      f"launchd has it loaded in system, not in gui/{UID} or user/{UID}",
                      warning)
        r, doc = m.relaunch_json("run", "-n")
        self.assertEqual([(s["target"], s["action"]) for s in doc["steps"]],
                         [(f"system/{label}", "kickstart")], doc)
        r = m.relaunch("status")
        self.assertIn(label, r.stdout)
        self.assertNotIn("pending: nothing", r.stdout)
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res)
        self.assertEqual(res[label]["target"], f"system/{label}")
        self.assertEqual(self.kickstarted_in(m, label), [f"system/{label}"])
        new = harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        self.assertNotEqual(new, old)
        self.assertIn("1.1", os.path.realpath(m.exe(new)))
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), 0)
        r = m.relaunch("status")
        self.assertIn("pending: nothing", r.stdout)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_agent_booted_out_after_the_baseline(self):
        """Both loaded at the baseline (the agent's plist recorded), then
        the agent booted out: the daemon's plist is the job from then on,
        and an upgrade restarts the daemon in system/, once."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(m.launchctl("bootout", f"gui/{UID}/{label}").returncode, 0)
        m.wait_event("removed", label)
        self.assertEqual(self.plan_json(m)["steps"], [])
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "kickstart")], plan)
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res)
        self.assertEqual(self.kickstarted_in(m, label), [f"system/{label}"])
        # The daemon launchd runs in the agent's place is the label's
        # job: the run log names it by its label, not as a copy.
        r, doc = m.relaunch_json("log", "--count", "1")
        self.assertEqual([(s["name"], s["target"]) for s in doc["runs"][0]["steps"]],
                         [(label, f"system/{label}")], doc)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_agent_loaded_daemon_not_restarts_the_agent(self):
        """The reverse: the daemon was booted out, the agent runs: the
        agent's plist stays the job, restarted in gui/<uid>."""
        m, label = self.same_label_machine("redis")
        self.assertEqual(m.launchctl("bootout", f"system/{label}").returncode, 0)
        m.wait_event("removed", label)
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("using plist", r.stderr)
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([s["target"] for s in plan["steps"]], [f"gui/{UID}/{label}"], plan)
        res, _ = self.run_json(m)
        self.assertEqual(res[label]["status"], "restarted", res)
        self.assertEqual(self.kickstarted_in(m, label), [f"gui/{UID}/{label}"])
        self.assertEqual(self.pid_in(m, "system", label), 0)

    def test_same_label_only_the_agents_plist_changed_reloads_the_agent_only(self):
        """Both loaded, the agent's plist rewritten: only the agent's copy
        is reloaded, in gui/<uid> from its own plist; the daemon's copy,
        whose plist did not change, is left running. No warning says a
        copy is not looked at any more."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("is loaded in system too", r.stderr)
        daemon = self.pid_in(m, "system", label)
        plist = m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"],
                              daemon=False)
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"gui/{UID}/{label}", "reload")], plan)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: (x["action"], x["status"])
                          for t, x in self.results_by_target(doc).items()},
                         {f"gui/{UID}/{label}": ("reload", "restarted")}, doc)
        boots = [e["argv"] for e in m.events("call") if e["argv"][0] == "bootstrap"]
        self.assertEqual(boots[-1:], [["bootstrap", f"gui/{UID}", plist]], boots)
        self.assertEqual(self.pid_in(m, "system", label), daemon)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_loaded_in_both_restarts_each_copy(self):
        """Both copies run the replaced program: each is a step of its own,
        kickstarted in its own domain (gui/<uid>, then system); the next
        run has nothing left, and status nothing pending. Discovery's
        warning about the second plist, said before launchd is asked, does
        not say it is skipped."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("skipping plist", r.stderr)
        self.assertIn(f"relaunch: warning: plist '{m.daemons}/{label}.plist' has label "
                      f"'{label}' too, already defined by '{m.agents}/{label}.plist': it is "
                      "looked at only if launchd, asked, has the label loaded from it, as a "
                      "copy in its own domain or in place of that one\n", r.stderr)
        gui, system = f"gui/{UID}/{label}", f"system/{label}"
        old = {gui: self.pid_in(m, f"gui/{UID}", label), system: self.pid_in(m, "system", label)}
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(gui, "kickstart"), (system, "kickstart")], plan)
        # jobs lists each copy, the label's first.
        r, doc = m.relaunch_json("jobs", "redis")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([j["target"] for j in doc["jobs"]], [gui, system], doc)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: (x["status"], x["old_pid"])
                          for t, x in self.results_by_target(doc).items()},
                         {gui: ("restarted", old[gui]), system: ("restarted", old[system])}, doc)
        self.assertEqual(sorted(self.kickstarted_in(m, label)), sorted([gui, system]))
        for domain in (f"gui/{UID}", "system"):
            pid = harness.wait_until(lambda: self.pid_in(m, domain, label), domain)
            self.assertNotIn(pid, old.values())
            self.assertIn("/Cellar/redis/1.1/", os.path.realpath(m.exe(pid)))
        res, _ = self.run_json(m)
        self.assertEqual(res, {})
        self.assertIn("pending: nothing", m.relaunch("status").stdout)

    def check_system_copy_reloaded_alone(self, m, label, plist, agent):
        """A run reloads the system copy of label alone, bootstrapped from
        plist, and leaves the agent's process (pid agent) alone; the next
        run has nothing left to do."""
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: (x["action"], x["status"])
                          for t, x in self.results_by_target(doc).items()},
                         {f"system/{label}": ("reload", "restarted")}, doc)
        boots = [e["argv"] for e in m.events("call") if e["argv"][0] == "bootstrap"]
        self.assertEqual(boots[-1:], [["bootstrap", "system", plist]], boots)
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), agent)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_only_the_daemons_plist_changed_reloads_the_daemon_only(self):
        """The daemon's plist says something else now, the agent's does
        not: only the system copy is reloaded (booted out of and
        bootstrapped into system from its own plist); the agent's process
        is left alone."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        agent = self.pid_in(m, f"gui/{UID}", label)
        plist = m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "reload")], plan)
        st = m.relaunch("status")
        self.assertNotIn("pending: nothing", st.stdout, st.stdout + st.stderr)
        self.assertIn(label, st.stdout, st.stdout + st.stderr)
        r = m.relaunch("record")
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"would restart system/{label} ", r.stderr)
        self.check_system_copy_reloaded_alone(m, label, plist, agent)

    def check_daemons_plist_kept_by_a_blind_run(self, blind):
        """A run that cannot tell whether launchd has the label loaded from
        both plists (its arguments blind(m)) judges the agent's copy alone
        and keeps the daemon's plist as recorded under its copy's key: the
        daemon's plist changed afterwards still reloads the system copy at
        the next run that asks launchd, and that copy alone; once judged,
        its new state is recorded."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        agent = self.pid_in(m, f"gui/{UID}", label)
        r = m.relaunch("run", *FAST, *blind(m))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr.count(f"relaunch: warning: keeping what was recorded for "
                                        f"system/{label}: "), 1, r.stderr)
        plist = m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "reload")], plan)
        self.check_system_copy_reloaded_alone(m, label, plist, agent)
        # Judged, the plist's new state is recorded: nothing is left to
        # report about it, and record keeps nothing of it.
        plan = self.plan_json(m)
        self.assertEqual(plan["reported"], [], plan)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("keeping what was recorded", r.stderr)

    def test_same_label_daemons_plist_kept_by_a_run_without_processes(self):
        self.check_daemons_plist_kept_by_a_blind_run(lambda m: ["--no-processes"])

    def test_same_label_daemons_plist_kept_by_a_run_without_the_system_listing(self):
        """launchd's listing of system prints no services block: that run
        cannot tell whether the daemon's copy is loaded."""
        self.check_daemons_plist_kept_by_a_blind_run(
            lambda m: ["--launchctl", self.no_system_listing(m)])

    def no_system_listing(self, m):
        """A launchctl whose listing of system prints no services block."""
        return harness.launchctl_wrapper(m, "launchctl-nosystem",
                                         "[ $# = 2 ] && [ \"$1 $2\" = 'print system' ]",
                                         "echo 'system = {'; echo '}'; exit 0")

    def test_same_label_daemons_plist_broken_is_kickstarted_never_booted_out(self):
        """The daemon's plist no longer parses while launchd runs both
        copies: the system copy is still that label's copy, not a job of
        its own launchd says is not loaded. An upgrade kickstarts it in
        system from the definition launchd loaded (never a bootout, which
        could not be undone), as any job whose plist cannot be read; its
        recorded plist is kept, so once fixed as it was nothing is left to
        do, and no run skips it meanwhile."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        gui, system = f"gui/{UID}/{label}", f"system/{label}"
        path = os.path.join(m.daemons, label + ".plist")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text[:len(text) // 2])
        daemon = self.pid_in(m, "system", label)
        res, r = self.run_json(m)
        self.assertEqual(res, {})
        self.assertIn(f"cannot read plist '{path}'", r.stderr)
        self.assertEqual(self.pid_in(m, "system", label), daemon)
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(gui, "kickstart"), (system, "kickstart")], plan)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: (x["action"], x["status"])
                          for t, x in self.results_by_target(doc).items()},
                         {gui: ("kickstart", "restarted"), system: ("kickstart", "restarted")},
                         doc)
        calls = [e["argv"][0] for e in m.events("call")]
        self.assertNotIn("bootout", calls)
        pid = harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        self.assertIn("/Cellar/redis/1.1/", os.path.realpath(m.exe(pid)))
        res, _ = self.run_json(m)
        self.assertEqual({x["status"] for x in res.values()} - {"current"}, set(), res)
        with open(path, "w") as f:
            f.write(text)
        res, _ = self.run_json(m)
        self.assertEqual({x["status"] for x in res.values()} - {"current"}, set(), res)
        self.assertEqual(self.kickstarted_in(m, label).count(system), 1)
        self.assertNotIn("bootout", [e["argv"][0] for e in m.events("call")])
        self.assertEqual(self.pid_in(m, "system", label), pid)

    def test_same_label_a_failed_copy_is_retried_the_other_restarted(self):
        """The system copy's kickstart fails: the agent's copy is restarted
        all the same, the run exits 3, and the next run restarts the
        system copy alone; then nothing is owed."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        gui, system = f"gui/{UID}/{label}", f"system/{label}"
        m.brew_upgrade("redis", "1.1")
        # 1 is tried once more: refused twice, the restart fails.
        m.fault("exit", "--command", "kickstart", "--label", label, "--domain", "system",
                "--code", "1", "--times", "2")
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {gui: "restarted", system: "failed"}, doc)
        self.assertNotIn("pending: nothing", m.relaunch("status").stdout)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()
                          if x["status"] != "current"},
                         {system: "restarted"}, doc)
        self.assertEqual(self.kickstarted_in(m, label).count(gui), 1)
        pid = harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        self.assertIn("/Cellar/redis/1.1/", os.path.realpath(m.exe(pid)))
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def daemon_runs_another_formula_machine(self):
        """redis's label loaded as agent and daemon, the daemon's plist
        running valkey's program: files only the daemon's copy runs."""
        m = self.machine()
        m.brew_install("redis", "1.0", daemon=False)
        m.brew_keg("valkey", "1.0")
        harness.atomic_symlink("../Cellar/valkey/1.0", m.opt("valkey"))
        label = brew("redis")
        m.write_plist(label, [os.path.join(m.opt("valkey"), "bin", "valkey"), "1000"])
        m.boot()
        harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        harness.wait_until(lambda: self.pid_in(m, f"gui/{UID}", label), "the agent")
        return m, label

    def labels_of(self, m, path):
        """The labels the manifest records path's uses under."""
        return [u["label"] for e in m.manifest()["files"] if e["path"] == path
                for u in e.get("uses", [])]

    def check_daemon_only_files_kept_by_a_blind_look(self, blind, upgrade_first=False):
        """A run or record that cannot tell whether the daemon's copy is
        loaded (blind(m): its command and arguments) keeps what is recorded
        of the files only that copy runs, as it keeps its plist: an upgrade
        of them, afterwards or before it (upgrade_first), still restarts
        the daemon's copy, and it alone, at the next run that asks launchd;
        then nothing is owed. The blind run or record says it keeps them,
        once, in the same words."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        system = f"system/{label}"
        valkey = os.path.realpath(os.path.join(m.opt("valkey"), "bin", "valkey"))
        self.assertIn(system, self.labels_of(m, valkey))
        if upgrade_first:
            m.brew_upgrade("valkey", "1.1")
        r = m.relaunch(*blind(m))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        warning = (f"relaunch: warning: keeping what was recorded for {system}: whether "
                   "launchd has this copy loaded could not be told: its files stay as recorded "
                   "until it can\n")
        self.assertEqual(r.stderr.count(warning), 1, r.stderr)
        self.assertIn(system, self.labels_of(m, valkey))
        agent = self.pid_in(m, f"gui/{UID}", label)
        if not upgrade_first:
            m.brew_upgrade("valkey", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(system, "kickstart")], plan)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {system: "restarted"}, doc)
        pid = harness.wait_until(lambda: self.pid_in(m, "system", label), "the daemon")
        self.assertIn("/Cellar/valkey/1.1/", os.path.realpath(m.exe(pid)))
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), agent)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_daemon_only_change_launchd_cannot_tell_of_is_kept_not_uninstalled(self):
        """plan --no-processes, and plan when the system listing cannot be
        read, say of a change only the daemon's copy runs that its files
        stay as recorded (the copy may be loaded), not "job not
        installed"; plan asking launchd makes it that copy's step."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("valkey", "1.1")
        system = f"system/{label}"
        for blind in (["--no-processes"], ["--launchctl", self.no_system_listing(m)]):
            r, doc = m.relaunch_json("plan", *blind)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(doc["steps"], [], doc)
            whys = {(tuple(x["labels"]), x["why"]) for x in doc["reported"]
                    if "valkey" in x["path"]}
            self.assertEqual(whys, {((system,), "whether launchd has this copy loaded could "
                                     "not be told: its files stay as recorded until it can")},
                             doc)
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(system, "kickstart")], plan)
        self.assertEqual(plan["reported"], [], plan)

    def test_same_label_daemon_only_files_kept_by_a_run_without_processes(self):
        self.check_daemon_only_files_kept_by_a_blind_look(
            lambda m: ["run", *FAST, "--no-processes"])

    def test_same_label_daemon_only_files_kept_by_a_record_without_the_system_listing(self):
        self.check_daemon_only_files_kept_by_a_blind_look(
            lambda m: ["record", "--launchctl", self.no_system_listing(m)])

    def test_same_label_daemon_only_files_upgraded_before_a_run_without_processes(self):
        self.check_daemon_only_files_kept_by_a_blind_look(
            lambda m: ["run", *FAST, "--no-processes"], upgrade_first=True)

    def test_same_label_daemon_only_files_upgraded_before_a_run_without_the_system_listing(self):
        self.check_daemon_only_files_kept_by_a_blind_look(
            lambda m: ["run", *FAST, "--launchctl", self.no_system_listing(m)],
            upgrade_first=True)

    def test_same_label_status_lists_a_daemon_only_change_it_cannot_tell_of(self):
        """status, when launchd's listing of system cannot be read, still
        lists a change only the daemon's copy runs as pending, under that
        copy's target as plan names it, saying why it cannot tell more;
        and exits 1 for it, not "pending: nothing"."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("valkey", "1.1")
        blind = ["--launchctl", self.no_system_listing(m)]
        r = m.relaunch("status", *blind)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertNotIn("pending: nothing", r.stdout)
        valkey = os.path.join(m.brew, "Cellar", "valkey", "1.0", "bin", "valkey")
        self.assertIn(f"pending: changed  system/{label}: {valkey} changed (removed); "
                      "whether launchd has this copy loaded could not be told: its files "
                      "stay as recorded until it can (no run has restarted it since)\n",
                      r.stdout)
        r, doc = m.relaunch_json("status", *blind)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["changed"]],
                         [(label, f"system/{label}")],
                         doc)

    def test_same_label_status_names_a_daemon_copy_by_its_target(self):
        """A change only the daemon's copy runs is pending under that
        copy's target, system/<label>, as plan and run name it; with a
        change of the agent's files too, each copy is pending on its own,
        the label's first."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("valkey", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([s["target"] for s in plan["steps"]], [f"system/{label}"], plan)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["changed"]],
                         [(label, f"system/{label}")],
                         doc)
        r = m.relaunch("status")
        self.assertIn(f"pending: changed  system/{label}: ", r.stdout)
        self.assertNotIn(f"pending: changed  {label}: ", r.stdout)
        m.brew_upgrade("redis", "1.1")
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["changed"]],
                         [(label, label), (label, f"system/{label}")], doc)

    def test_same_label_log_and_status_name_each_restarted_copy(self):
        """A run that restarts both copies of a label names the agent's by
        its label and the daemon's copy by its target, system/<label>, as
        run's own lines do: so do log and status's last run, in text and
        in JSON (each step's name; its label stays the label)."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("redis", "1.1")
        system = f"system/{label}"
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"restarted {label} (kickstart): ", r.stderr)
        self.assertIn(f"restarted {system} (kickstart): ", r.stderr)
        lines = [line for line in m.relaunch("log", "--count", "1").stdout.splitlines()
                 if line.startswith("  restarted ")]
        self.assertEqual([line.split(" (")[0] for line in lines],
                         [f"  restarted {label}", f"  restarted {system}"], lines)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        lines = [line for line in st.stdout.splitlines() if line.startswith("  restarted ")]
        self.assertEqual([line.split(" (")[0] for line in lines],
                         [f"  restarted {label}", f"  restarted {system}"], st.stdout)
        r, doc = m.relaunch_json("log", "--count", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["version"], 5, doc)
        steps = doc["runs"][0]["steps"]
        self.assertEqual([(s["name"], s["label"], s["target"], s["status"]) for s in steps],
                         [(label, label, f"gui/{UID}/{label}", "restarted"),
                          (system, label, system, "restarted")], steps)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["version"], 16, doc)
        self.assertEqual([(s["name"], s["target"]) for s in doc["last_run"]["steps"]],
                         [(label, f"gui/{UID}/{label}"), (system, system)], doc)

    def test_same_label_status_names_an_unfinished_daemon_copy_by_its_target(self):
        """A reload of the daemon's copy whose bootstrap launchd refuses
        leaves that copy in the restart journal: status lists it
        unfinished under its target, as run names it, and the journal's
        entry for the copy hides no change of the agent's copy, listed
        changed under the label beside it."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        system = f"system/{label}"
        m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        m.fault("exit", "--command", "bootstrap", "--label", label, "--domain", "system",
                "--code", "5", "--times", "1000")
        r, doc = m.relaunch_json("run", *FAST, "--timeout", "1")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {system: "failed"}, doc)
        with open(os.path.join(m.state, "intent.json")) as f:
            self.assertEqual([i["target"] for i in json.load(f)["intents"]], [system])
        m.fault("clear")
        m.brew_upgrade("redis", "1.1")
        st = m.relaunch("status")
        self.assertIn(f"pending: unfinished {system}: ", st.stdout)
        self.assertNotIn(f"pending: unfinished {label}: ", st.stdout)
        self.assertIn(f"pending: changed  {label}: ", st.stdout)
        # The copy's logged failure is not the agent's either.
        self.assertNotIn(f"pending: failed   {label}: ", st.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["unfinished"]],
                         [(label, system)], doc)
        self.assertEqual([x["label"] for x in doc["pending"]["changed"]], [label], doc)
        # The next run finishes it first, and logs that step by the
        # copy's target too, as its own line names it.
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"restarted {system} (reload): finished the reload an earlier run had "
                      "begun", r.stderr)
        r, doc = m.relaunch_json("log", "--count", "1")
        self.assertEqual([s["name"] for s in doc["runs"][0]["steps"]
                          if s["target"] == system][:1], [system], doc)
        self.assertIn(f"\n  restarted {system} (reload): finished the reload",
                      m.relaunch("log", "--count", "1").stdout)

    def test_same_label_status_keeps_a_daemon_copy_refused_for_want_of_root(self):
        """Run as the user, a run refuses the daemon's copy for want of
        root: status, not root either, lists it refused under its target,
        as run named it, and exits 3 for it, not as a change no run has
        seen (its own plan, without launchd, does not refuse it)."""
        m, label = self.same_label_machine("redis")
        m.env["RELAUNCH_AS_USER"] = "1"
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        system = f"system/{label}"
        m.brew_upgrade("redis", "1.1")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"refused   {system}: restarting a daemon needs root", r.stderr)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
        self.assertIn(f"pending: refused  {system}: restarting a daemon needs root: run "
                      "'sudo relaunch run'\n", st.stdout)
        self.assertNotIn(f"pending: changed  {system}: ", st.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["refused"]],
                         [(label, system)], doc)
        self.assertNotIn(system, [x["name"] for x in doc["pending"]["changed"]], doc)

    def test_same_label_agent_restarted_beside_a_refused_daemon_copy_is_not_restarted_again(self):
        """Run as the user, a run restarts the agent onto the upgrade and
        refuses the daemon's copy for want of root: the old keg, deleted,
        stays recorded for the copy, but the agent is done with it. Plan
        (with or without the process view), status and the next runs as
        the user leave the agent alone and still refuse the copy; run as
        root restarts the copy alone; then nothing is owed."""
        m, label = self.same_label_machine("redis")
        m.env["RELAUNCH_AS_USER"] = "1"
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        gui, system = f"gui/{UID}/{label}", f"system/{label}"
        m.brew_upgrade("redis", "1.1")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"restarted {label} (kickstart)", r.stdout + r.stderr)
        agent = harness.wait_until(lambda: self.pid_in(m, f"gui/{UID}", label), "the agent")
        for args in ((), ("--no-processes",)):
            r, doc = m.relaunch_json("plan", *args)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            self.assertEqual(doc["steps"], [], doc)
        self.assertEqual([x["labels"] for x in doc["reported"] if x["change"] == "refused"],
                         [], doc)
        self.assertEqual([x["labels"] for x in self.plan_json(m)["reported"]
                          if x["change"] == "refused"], [[system]])
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
        self.assertIn(f"pending: refused  {system}: ", st.stdout)
        self.assertNotIn(f"pending: changed  {label}: ", st.stdout)
        # Without the process view launchd's system listing is not read:
        # the copy is kept as recorded, not refused.
        for args, code, want in (((), 3, {system: "refused"}), (("--no-processes",), 0, {})):
            r, doc = m.relaunch_json("run", *FAST, *args)
            self.assertEqual(r.returncode, code, r.stdout + r.stderr)
            self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()
                              if x["status"] != "current"}, want, doc)
        self.assertEqual(self.kickstarted_in(m, label), [gui])
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), agent)
        del m.env["RELAUNCH_AS_USER"]
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()
                          if x["status"] != "current"}, {system: "restarted"}, doc)
        self.assertEqual(self.kickstarted_in(m, label), [gui, system])
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), agent)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_status_names_a_daemon_copy_under_way_by_its_target(self):
        """While a run has the reload of the daemon's copy under way (its
        bootout held), status names that step by the copy's target, as
        run and the rest of status name the copy: its text line, and
        under_way's name beside the label."""
        m, label = self.same_label_machine("redis")
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        system = f"system/{label}"
        m.write_plist(label, [os.path.join(m.opt("redis"), "bin", "redis"), "2000"])
        held = harness.HeldLaunchctl(m, match=f"bootout {system}")
        run = subprocess.Popen([m.relaunch_bin, "run", "--json", *FAST, "--launchctl",
                                held.path], env=m.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            held.wait_called()
            self.assertIsNone(run.poll(), "the holding run ended early")
            st = m.relaunch("status")
            self.assertIn(f"in progress: {system}: its reload is under way\n", st.stdout)
            self.assertNotIn(f"in progress: {label}: ", st.stdout)
            self.assertNotIn("unfinished", st.stdout)
            r, doc = m.relaunch_json("status")
            self.assertEqual([(s["label"], s["name"], s["action"], s["target"])
                              for s in doc["running"]["under_way"]],
                             [(label, system, "reload", system)], doc)
            self.assertEqual(doc["pending"]["unfinished"], [], doc)
        finally:
            held.release()
        out, err = run.communicate(timeout=harness.SAFETY * 3)
        self.assertEqual(run.returncode, 0, f"stdout {out}\nstderr {err}")
        res = self.results_by_target(json.loads(out))
        self.assertEqual({t: x["status"] for t, x in res.items()}, {system: "restarted"}, out)
        st = m.relaunch("status")
        self.assertNotIn("in progress", st.stdout)

    def test_same_label_record_warns_of_a_daemon_copy_it_keeps_as_recorded(self):
        """record, when launchd's listing of system cannot be read, keeps
        what was recorded of the files only the daemon's copy runs (it
        exits 0: nothing is forgotten), and says so, one warning naming the
        copy; status and plan still find its change owed after it."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("valkey", "1.1")
        r = m.relaunch("record", "--launchctl", self.no_system_listing(m))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        warning = (f"relaunch: warning: keeping what was recorded for system/{label}: whether "
                   "launchd has this copy loaded could not be told: its files stay as recorded "
                   "until it can\n")
        self.assertEqual(r.stderr.count(warning), 1, r.stderr)
        self.assertIn(f"pending: changed  system/{label}: ", m.relaunch("status").stdout)
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "kickstart")], plan)
        # Asked, launchd tells: nothing is kept for want of an answer.
        r = m.relaunch("record", "--force")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("keeping what was recorded", r.stderr)

    def test_same_label_a_file_only_the_daemon_runs_restarts_the_daemon_only(self):
        """The daemon's plist runs another formula's program than the
        agent's: that formula's upgrade restarts the daemon's copy alone,
        with its own reasons; the agent, which does not run it, keeps its
        process, and the next run owes nothing."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        agent = self.pid_in(m, f"gui/{UID}", label)
        m.brew_upgrade("valkey", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"system/{label}", "kickstart")], plan)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {f"system/{label}": "restarted"}, doc)
        self.assertEqual(self.kickstarted_in(m, label), [f"system/{label}"])
        self.assertEqual(self.pid_in(m, f"gui/{UID}", label), agent)
        res, _ = self.run_json(m)
        self.assertEqual(res, {})

    def test_same_label_jobs_lists_each_copy_with_its_own_files(self):
        """jobs lists the daemon's copy with its own plist and the files
        that plist runs (valkey's program), not the agent's, in JSON and
        in text; the agent's entry keeps its own."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        gui, system = f"gui/{UID}/{label}", f"system/{label}"
        agent_plist = os.path.join(m.agents, label + ".plist")
        daemon_plist = os.path.join(m.daemons, label + ".plist")
        redis = os.path.realpath(os.path.join(m.opt("redis"), "bin", "redis"))
        valkey = os.path.realpath(os.path.join(m.opt("valkey"), "bin", "valkey"))
        r, doc = m.relaunch_json("jobs", "redis")
        self.assertEqual(r.returncode, 0, r.stderr)
        by = {j["target"]: j for j in doc["jobs"]}
        self.assertEqual(list(by), [gui, system], doc)
        for target, plist, program in ((gui, agent_plist, redis), (system, daemon_plist, valkey)):
            self.assertEqual(by[target]["plist"], plist, by[target])
            files = {(f["role"], f["path"]) for f in by[target]["files"]}
            self.assertIn(("plist", plist), files, by[target])
            self.assertIn(("program", program), files, by[target])
            other = redis if program == valkey else valkey
            self.assertNotIn(other, {p for _, p in files}, by[target])
        r = m.relaunch("jobs", "redis")
        self.assertEqual(r.returncode, 0, r.stderr)
        entries = r.stdout.split("\n\n")
        self.assertEqual(len(entries), 2, r.stdout)
        self.assertIn(f"  target: {system}\n", entries[1])
        self.assertIn(f"  plist:  {daemon_plist}\n", entries[1])
        self.assertIn(f"  plist       {daemon_plist} ", entries[1])
        self.assertIn(f"  program     {valkey} ", entries[1])
        self.assertNotIn(redis, entries[1])
        self.assertNotIn(agent_plist, entries[1])
        self.assertIn(f"  program     {redis} ", entries[0])

    def fail_kickstart_in(self, m, label, domain):
        """The next run's kickstart of label in domain fails (refused twice:
        1 is tried once more)."""
        m.fault("exit", "--command", "kickstart", "--label", label, "--domain", domain,
                "--code", "1", "--times", "2")

    def daemon_copy_failed_machine(self):
        """daemon_runs_another_formula_machine after a run whose restart of
        the daemon's copy, for an upgrade of the formula it alone runs,
        failed (exit 3): (m, label, r, "system/<label>"), r that run."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("valkey", "1.1")
        self.fail_kickstart_in(m, label, "system")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        return m, label, r, f"system/{label}"

    def test_same_label_status_names_a_failed_daemon_copy_by_its_target(self):
        """A run's failed step of the daemon's copy is pending in status
        under that copy's target, as run named it, in text and JSON; the
        agent's failure under its label."""
        m, label, r, system = self.daemon_copy_failed_machine()
        self.assertIn(f"failed    {system} ", r.stderr)
        st = m.relaunch("status")
        self.assertEqual(st.returncode, 3, st.stdout + st.stderr)
        self.assertIn(f"pending: failed   {system}: ", st.stdout)
        self.assertNotIn(f"pending: failed   {label}: ", st.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["failed"]],
                         [(label, system)], doc)
        # The agent's failure beside it goes by the label; the daemon's
        # copy, deferred after it, by its target.
        m.brew_upgrade("redis", "1.1")
        self.fail_kickstart_in(m, label, f"gui/{UID}")
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"deferred  {system}: ", r.stderr)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual([x["label"] for x in doc["pending"]["failed"]], [label], doc)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["deferred"]],
                         [(label, system)], doc)

    def test_same_label_status_a_copys_failure_hides_no_change_of_the_other(self):
        """The daemon's copy's logged failure leaves a fresh change of the
        agent's copy pending on its own, under the label, beside the
        failure under the copy's target; the next run owes both."""
        m, label, r, system = self.daemon_copy_failed_machine()
        m.brew_upgrade("redis", "1.1")
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual([(x["label"], x["name"]) for x in doc["pending"]["failed"]],
                         [(label, system)], doc)
        self.assertEqual([x["label"] for x in doc["pending"]["changed"]], [label], doc)
        st = m.relaunch("status")
        self.assertIn(f"pending: changed  {label}: ", st.stdout)
        plan = self.plan_json(m)
        self.assertEqual([s["target"] for s in plan["steps"]], [f"gui/{UID}/{label}", system],
                         plan)

    def test_same_label_a_file_only_the_agent_runs_restarts_the_agent_only(self):
        """The reverse: the agent's formula upgraded, the daemon's copy,
        which runs another formula's program, is judged by its own files
        (its process runs them as they are on disk): not restarted, nor
        said to run a program its plist does not name."""
        m, label = self.daemon_runs_another_formula_machine()
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        daemon = self.pid_in(m, "system", label)
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual([(s["target"], s["action"]) for s in plan["steps"]],
                         [(f"gui/{UID}/{label}", "kickstart")], plan)
        r, doc = m.relaunch_json("jobs", "redis")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({j["target"]: j["code"] for j in doc["jobs"]},
                         {f"gui/{UID}/{label}": "stale", f"system/{label}": "current"}, doc)
        r, doc = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual({t: x["status"] for t, x in self.results_by_target(doc).items()},
                         {f"gui/{UID}/{label}": "restarted"}, doc)
        self.assertEqual(self.pid_in(m, "system", label), daemon)

    def test_same_label_daemon_loaded_agent_not_as_a_user_is_refused(self):
        """Run as the user, the daemon launchd runs is still the job: a
        user cannot restart it, so its step is refused, naming sudo, and
        stays pending; the agent's domain is not touched."""
        m, label = self.same_label_machine("redis")
        self.assertEqual(m.launchctl("bootout", f"gui/{UID}/{label}").returncode, 0)
        m.wait_event("removed", label)
        m.env["RELAUNCH_AS_USER"] = "1"
        r = m.relaunch("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        m.brew_upgrade("redis", "1.1")
        plan = self.plan_json(m)
        self.assertEqual(plan["steps"], [], plan)
        self.assertEqual([(x["change"], x["labels"], x["why"]) for x in plan["reported"]],
                         [("refused", [label],
                           "restarting a daemon needs root: run 'sudo relaunch run'")], plan)
        r = m.relaunch("run", *FAST)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(f"refused   {label}: restarting a daemon needs root: run 'sudo "
                      "relaunch run'; not restarted", r.stderr)
        self.assertEqual(self.kickstarts(m, label), [])
        self.assertNotIn("pending: nothing", m.relaunch("status").stdout)


if __name__ == "__main__":
    harness.main(sys.modules[__name__])

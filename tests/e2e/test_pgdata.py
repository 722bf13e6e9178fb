#!/usr/bin/env python3
"""End to end: a job whose `pg_ctl … start` starts postgres detached.

    test_pgdata.py RELAUNCH [--shard K/N] [test names…]   (see harness.main)

pg_ctl starts the server as a daemon of its own and exits: launchd's job
then has no process (a RunAtLoad one-shot), or its process (MacPorts'
daemondo) is not the server's parent. The server's pid is the first line
of DATA/postmaster.pid. Here pg_ctl and postgres are small C programs
built in a Homebrew-style keg (Cellar/postgresql@16/<version>/bin, the
opt link) or a MacPorts prefix, acting as the real ones do on the server:
start refuses while a server runs on DATA, and waits for its pid file;
stop sends SIGTERM to that pid and waits for the file to go.

- After `brew upgrade postgresql@16`, a job with no process whose server
  runs the old keg is refused (never restarted, never idle), with the
  commands that restart it; followed, its server is current, by its pid.
- The data directory from -D, from PGDATA in EnvironmentVariables through
  env, relative to WorkingDirectory; a relative one without it is
  refused, saying so. PGDATA a wrapper script surely exports before
  pg_ctl, or an `env PGDATA=…` or `PGDATA=… pg_ctl` prefix sets, is read;
  one set only maybe (in an `if`) is not known: refused, saying so.
- Under daemondo, a stale server restarts the job (daemondo's stop stops
  it), and the run verifies the new server; one that outlives the stop
  fails the step, and so does one the run cannot judge (not verified).
- A wrapper script that stays after `pg_ctl start`: its restart leaves
  the server running, the new pg_ctl start fails against it; the server
  the plan saw outlived the restart, and the step fails saying so. The
  next runs refuse it, though the script's process started after the
  change: the server started before it, and the change stays pending
  until the server is restarted. Under daemondo the same server makes
  the job restart again; a one-shot script that changed while its server
  runs is refused, not idle.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import SAFETY, Machine, atomic_symlink, wait_until  # noqa: E402
import test_trees  # noqa: E402

RELAUNCH = None
FAST = ("--settle", "0.3", "--interval", "0", "--timeout", str(SAFETY))

# postgres: writes DATA/postmaster.pid as the server does (its pid, the
# data directory, the start time, the port, the socket directory, the
# listen address, the shared memory key, its status), removes it when
# SIGTERM stops it, unless DATA/ignore-stop exists (a server that does
# not stop); with DATA/refuse-start it exits at once (a server that does
# not come up); with DATA/undumpable it makes itself not dumpable, which
# a process without CAP_SYS_PTRACE may then not inspect (another user's
# server, as a relaunch that is not root finds it). VERSION tells one
# build from the next.
POSTGRES_C = r"""#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
volatile const char *relaunch_test_version = VERSION;
static char pidfile[4096], ignore[4096];
static void stop(int sig)
{
	(void)sig;
	if (access(ignore, F_OK) == 0)
		return;
	unlink(pidfile);
	_exit(0);
}
int main(int argc, char **argv)
{
	char tmp[4200];
	FILE *f;

	if (argc < 3 || strcmp(argv[1], "-D") != 0)
		return 2;
	snprintf(tmp, sizeof tmp, "%s/refuse-start", argv[2]);
	if (access(tmp, F_OK) == 0)
		return 1;
	snprintf(tmp, sizeof tmp, "%s/undumpable", argv[2]);
	if (access(tmp, F_OK) == 0)
		prctl(PR_SET_DUMPABLE, 0);
	snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", argv[2]);
	snprintf(ignore, sizeof ignore, "%s/ignore-stop", argv[2]);
	snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
	signal(SIGTERM, stop);
	if (!(f = fopen(tmp, "w")) ||
	    fprintf(f, "%d\n%s\n%ld\n5432\n/tmp\nlocalhost\n  5432001     65536\nready   \n",
		    (int)getpid(), argv[2], (long)time(NULL)) < 0 ||
	    fclose(f) != 0 || rename(tmp, pidfile) != 0)
		return 1;
	for (;;)
		pause();
}
"""

# pg_ctl: test_trees.PG_CTL_C.

FORMULA = "postgresql@16"
LABEL = harness.brew(FORMULA)


class PgData(unittest.TestCase):
    # -- the stand-in keg ------------------------------------------------
    def keg(self, m, version):
        """Cellar/postgresql@16/<version>/bin/{pg_ctl,postgres}, linked
        from opt; returns opt's pg_ctl."""
        bindir = os.path.join(m.brew, "Cellar", FORMULA, version, "bin")
        harness.build_c(os.path.join(bindir, "postgres"), POSTGRES_C, f'-DVERSION="{version}"')
        harness.build_c(os.path.join(bindir, "pg_ctl"), test_trees.PG_CTL_C)
        os.makedirs(os.path.join(m.brew, "opt"), exist_ok=True)
        atomic_symlink(f"../Cellar/{FORMULA}/{version}", m.opt(FORMULA))
        return os.path.join(m.opt(FORMULA), "bin", "pg_ctl")

    def upgrade(self, m, old, new):
        """brew upgrade: the new keg, opt relinked, the old keg deleted."""
        self.keg(m, new)
        shutil.rmtree(os.path.join(m.brew, "Cellar", FORMULA, old))

    def data_dir(self, m, name="postgresql@16"):
        data = os.path.join(m.brew, "var", name)
        os.makedirs(data, exist_ok=True)
        return data

    def server(self, m, data, version, old=0):
        """The server's pid once one other than old runs version's postgres
        on data; stopped when the test ends, whatever happens."""
        want = os.path.join(m.brew, "Cellar", FORMULA, version, "bin", "postgres")

        def found():
            pid = test_trees.read_pid(os.path.join(data, "postmaster.pid"))
            return pid if pid and pid != old and test_trees.runs(pid, want) else 0
        pid = wait_until(found, f"postgres {version} to run on {data}")
        self.addCleanup(test_trees.stop_quietly, pid)
        return pid

    def plan_json(self, m, expect):
        r, doc = m.relaunch_json("plan")
        self.assertEqual(r.returncode, expect, f"{r.stdout}\n{r.stderr}")
        return doc

    def reported(self, doc, change):
        return [r for r in doc["reported"] if r["change"] == change]

    def todo(self, m, pg_ctl, data, label=LABEL, k=""):
        return (f"relaunch does not stop a server launchd did not start: run '{pg_ctl} -D "
                f"{data} stop', then 'launchctl kickstart {k}{m.target(label)}'")

    def assert_refused(self, m, want, label=LABEL):
        doc = self.plan_json(m, 1)
        refused = self.reported(doc, "refused")
        self.assertEqual([r["labels"] for r in refused], [[label]], doc)
        self.assertIn(want, refused[0]["why"])
        self.assertEqual(doc["steps"], [])
        p = m.relaunch("plan")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("(refused, listed below)", p.stdout.splitlines()[0])
        r, run = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        res = {x["label"]: x for x in run["results"]}
        self.assertEqual(res[label]["status"], "refused", res)
        self.assertIn(want, res[label]["error"])
        # The reason says what to do: no advice about the package.
        self.assertNotIn("reinstall or repair the package", r.stderr)
        return refused[0]

    # -- a one-shot job, no process: refused, then current ----------------
    def test_one_shot_pg_ctl_stale_server_is_refused_with_what_to_do(self):
        with Machine(RELAUNCH) as m:
            pg_ctl = self.keg(m, "16.1")
            data = self.data_dir(m)
            m.write_plist(LABEL, [pg_ctl, "-D", data, "start"], daemon=False, KeepAlive=False)
            m.boot()
            first = self.server(m, data, "16.1")
            wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            # Nothing changed: nothing to do.
            self.plan_json(m, 0)
            self.upgrade(m, "16.1", "16.2")
            refused = self.assert_refused(
                m, f"its server on {data} (pid {first}, detached) runs replaced code; " +
                self.todo(m, pg_ctl, data))
            # Untouched: the same server, no process of launchd's.
            self.assertEqual(test_trees.read_pid(os.path.join(data, "postmaster.pid")), first)
            self.assertEqual(m.pid(LABEL), 0)
            self.assertTrue(refused["why"].endswith(f"'launchctl kickstart {m.target(LABEL)}'"))
            # Done as it says: the job starts the new server, which is
            # current, by its pid; the run then records it.
            r = subprocess.run([pg_ctl, "-D", data, "stop"], timeout=SAFETY)
            self.assertEqual(r.returncode, 0)
            self.assertEqual(m.launchctl("kickstart", m.target(LABEL)).returncode, 0)
            second = self.server(m, data, "16.2", old=first)
            wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
            doc = self.plan_json(m, 0)
            current = self.reported(doc, "current")
            self.assertEqual([c["labels"] for c in current], [[LABEL]], doc)
            new = os.path.join(m.brew, "Cellar", FORMULA, "16.2", "bin", "postgres")
            self.assertIn(f"its server on {data} (pid {second}, detached) runs {new} as it is "
                          "on disk now", current[0]["why"])
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual([x["status"] for x in run["results"]], ["current"])
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
            self.assertEqual(test_trees.read_pid(os.path.join(data, "postmaster.pid")), second)

    def test_pgdata_from_environment_through_env_without_manifest(self):
        # `env pg_ctl start` with PGDATA in EnvironmentVariables; no
        # manifest: the stale detached server alone makes the step.
        with Machine(RELAUNCH) as m:
            pg_ctl = self.keg(m, "16.1")
            data = self.data_dir(m)
            m.write_plist(LABEL, ["/usr/bin/env", pg_ctl, "start"], daemon=False,
                          KeepAlive=False, EnvironmentVariables={"PGDATA": data})
            m.boot()
            first = self.server(m, data, "16.1")
            self.plan_json(m, 0)  # the server runs the files on disk
            r, doc = m.relaunch_json("jobs")
            files = {f["path"]: f["via"] for f in doc["jobs"][0]["files"]}
            new = os.path.join(m.brew, "Cellar", FORMULA, "16.1", "bin", "postgres")
            self.assertEqual(files.get(new), "env → pg_ctl start", files)
            self.upgrade(m, "16.1", "16.2")
            refused = self.assert_refused(
                m, f"(pid {first}, detached) runs replaced code; " + self.todo(m, pg_ctl, data))
            self.assertEqual(refused["path"], "/usr/bin/env")
            p = m.relaunch("plan")
            self.assertIn(f"  /usr/bin/env (refused): its server on {data} (pid {first}, "
                          "detached) runs replaced code; relaunch does not stop", p.stdout)

    def test_pgdata_a_script_exports_or_a_prefix_sets(self):
        # PGDATA that pg_ctl surely gets from a wrapper script (exported
        # where it surely ran before it, a ${PGDATA:=…} a command that
        # surely ran expanded) or from a prefix: the server on it is the
        # job's. One the script sets only maybe (in an `if`, after `&&`),
        # even over the job's EnvironmentVariables' PGDATA, or a -D not
        # known, cannot be told: refused, saying so, never idle.
        unknown = ("cannot tell whether its server (detached) runs replaced code: its data "
                   "directory is not known: ")
        maybe = (unknown + "PGDATA, which pg_ctl takes it from, may be set, exported or "
                 "unset where that may not run, or to a value not known; ")
        cases = [
            ("PGDATA={data}\nexport PGDATA\nexec {pg_ctl} start\n", None, None),
            ("export PGDATA={data}\nexec {pg_ctl} start\n", None, None),
            ("PGDATA={data} exec {pg_ctl} start\n", None, None),
            ("exec env PGDATA={data} {pg_ctl} start\n", None, None),
            (': "${{PGDATA:={data}}}"\nexport PGDATA\nexec {pg_ctl} start\n', None, None),
            (": ${{PGDATA:={data}/none}}\nexec {pg_ctl} start\n", "data", None),
            ("if [ -d {data} ]; then export PGDATA={data}; fi\nexec {pg_ctl} start\n",
             None, maybe),
            ("if [ -d {data}/none ]; then PGDATA={data}/none; fi\nexec {pg_ctl} start\n",
             "data", maybe),
            ("[ -d {data} ] && export PGDATA={data}\nexec {pg_ctl} start\n", None, maybe),
            ("true && : ${{PGDATA:={data}}}\nexport PGDATA\nexec {pg_ctl} start\n", None,
             maybe),
            ('exec {pg_ctl} -D "$(cat {data}/../where)" start\n', None,
             unknown + "the value of -D is not known; "),
        ]
        for text, env, refused in cases:
            with self.subTest(text=text, env=env), Machine(RELAUNCH) as m:
                pg_ctl = self.keg(m, "16.1")
                data = self.data_dir(m)
                with open(os.path.join(data, "..", "where"), "w") as f:
                    f.write(data)
                script = os.path.join(m.brew, "bin", "postgres-start")
                os.makedirs(os.path.dirname(script), exist_ok=True)
                with open(script, "w") as f:
                    f.write("#!/bin/sh\n" + text.format(data=data, pg_ctl=pg_ctl))
                os.chmod(script, 0o755)
                extra = {"EnvironmentVariables": {"PGDATA": data}} if env else {}
                m.write_plist(LABEL, [script], daemon=False, KeepAlive=False, **extra)
                m.boot()
                first = self.server(m, data, "16.1")
                wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
                r = m.relaunch("record")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.upgrade(m, "16.1", "16.2")
                if refused is None:
                    self.assert_refused(
                        m, f"its server on {data} (pid {first}, detached) runs replaced "
                        "code; " + self.todo(m, pg_ctl, data))
                else:
                    self.assert_refused(m, refused + self.todo(m, pg_ctl, "DATA"))

    def test_relative_data_directory(self):
        # -D relative to WorkingDirectory: found there. Without a
        # WorkingDirectory: refused, saying why.
        with Machine(RELAUNCH) as m:
            pg_ctl = self.keg(m, "16.1")
            data = self.data_dir(m)
            var = os.path.dirname(data)
            m.write_plist(LABEL, [pg_ctl, "-D", "postgresql@16", "start"], daemon=False,
                          KeepAlive=False, WorkingDirectory=var)
            m.boot()
            first = self.server(m, data, "16.1")
            self.plan_json(m, 0)
            self.upgrade(m, "16.1", "16.2")
            self.assert_refused(m, f"its server on {data} (pid {first}, detached) runs "
                                "replaced code; " + self.todo(m, pg_ctl, data))
            m.write_plist(LABEL, [pg_ctl, "-D", "postgresql@16", "start"], daemon=False,
                          KeepAlive=False)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.upgrade(m, "16.2", "16.3")
            self.assert_refused(m, "cannot tell whether its server on postgresql@16 (detached) "
                                "runs replaced code: its data directory 'postgresql@16' is "
                                "relative and the job sets no WorkingDirectory; " +
                                self.todo(m, pg_ctl, "postgresql@16"))

    # -- daemondo: restarted, and the new server verified -----------------
    def port(self, m, version):
        """MacPorts' postgresql16-server: daemondo runs the wrapper whose
        Start runs pg_ctl start and Stop pg_ctl stop."""
        bindir = os.path.join(m.ports, "lib", "postgresql16", "bin")
        harness.build_c(os.path.join(bindir, "postgres"), POSTGRES_C, f'-DVERSION="{version}"')
        pg_ctl = os.path.join(bindir, "pg_ctl")
        if not os.path.exists(pg_ctl):
            harness.build_c(pg_ctl, test_trees.PG_CTL_C)
        return pg_ctl, os.path.join(bindir, "postgres")

    def daemondo_server(self, m, data, postgres, old=0):
        def found():
            pid = test_trees.read_pid(os.path.join(data, "postmaster.pid"))
            return pid if pid and pid != old and test_trees.runs(pid, postgres) else 0
        pid = wait_until(found, "postgres to run")
        self.addCleanup(test_trees.stop_quietly, pid)
        return pid

    def daemondo_job(self, m, prefix=()):
        pg_ctl, postgres = self.port(m, "16.1")
        data = os.path.join(m.ports, "var", "db", "postgresql16", "defaultdb")
        os.makedirs(data)
        label, _ = test_trees.Trees.port_wrapper(
            self, m, "postgresql16-server", f"{pg_ctl} -D {data} start",
            stop=f"{pg_ctl} -D {data} stop")
        m.boot(prefix=prefix)
        top = m.wait_pid(label)
        first = self.daemondo_server(m, data, postgres)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.port(m, "16.2")  # port upgrade: activation copies the new server in
        return label, data, postgres, top, first

    def test_daemondo_stale_server_is_restarted_and_verified(self):
        with Machine(RELAUNCH) as m:
            label, data, postgres, top, first = self.daemondo_job(m)
            doc = self.plan_json(m, 1)
            self.assertEqual([s["label"] for s in doc["steps"]], [label], doc)
            texts = [w["text"] for w in doc["steps"][0]["reasons"] if w["change"] == "stale"]
            self.assertIn(f"pid {first} (its server on {data}, detached) runs {postgres} "
                          "(deleted; a new file is there now)", texts)
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}
            self.assertEqual(res[label]["status"], "restarted", res)
            self.assertEqual(res[label]["old_pid"], top)
            second = self.daemondo_server(m, data, postgres, old=first)
            self.assertTrue(test_trees.gone(first))
            self.assertNotEqual(second, first)
            self.plan_json(m, 0)

    def test_daemondo_server_that_outlives_the_stop_fails_the_step(self):
        with Machine(RELAUNCH) as m:
            label, data, postgres, top, first = self.daemondo_job(m)
            with open(os.path.join(data, "ignore-stop"), "w"):
                pass
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertIn(f"its server on {data} (pid {first}, detached) outlived the restart: "
                          "it still runs, on the code it had; relaunch does not stop a server "
                          "launchd did not start: run ", res[label]["error"])
            self.assertTrue(res[label]["error"].endswith(
                f"then 'launchctl kickstart -k {m.target(label)}'"), res[label]["error"])
            self.assertFalse(test_trees.gone(first))
            # Still owed: the next plan has it again.
            doc = self.plan_json(m, 1)
            self.assertEqual([s["label"] for s in doc["steps"]], [label], doc)

    def test_daemondo_wrapper_changed_server_that_outlived_is_restarted_again(self):
        # The wrapper changes, the server is not upgraded: daemondo's stop
        # does not stop the server, daemondo is new. The next run restarts
        # the job again, since the server still runs what the old wrapper
        # started, and verifies the new server.
        with Machine(RELAUNCH) as m:
            pg_ctl, postgres = self.port(m, "16.1")
            data = os.path.join(m.ports, "var", "db", "postgresql16", "defaultdb")
            os.makedirs(data)
            label, wrapper = test_trees.Trees.port_wrapper(
                self, m, "postgresql16-server", f"{pg_ctl} -D {data} start",
                stop=f"{pg_ctl} -D {data} stop")
            m.boot()
            top = m.wait_pid(label)
            first = self.daemondo_server(m, data, postgres)
            r = m.relaunch("record")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(wrapper) as f:
                text = f.read()
            with open(wrapper + ".tmp", "w") as f:
                f.write(text.replace(f"{pg_ctl} -D {data} start", f"{pg_ctl} -D {data} -w start"))
            os.chmod(wrapper + ".tmp", 0o755)
            os.replace(wrapper + ".tmp", wrapper)
            ignore = os.path.join(data, "ignore-stop")
            with open(ignore, "w"):
                pass
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertIn(f"(pid {first}, detached) outlived the restart", res[label]["error"])
            self.assertNotEqual(m.wait_pid(label), top)
            # Still owed, though daemondo started after the change.
            doc = self.plan_json(m, 1)
            self.assertEqual([s["label"] for s in doc["steps"]], [label], doc)
            os.unlink(ignore)
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}
            self.assertEqual(res[label]["status"], "restarted", res)
            second = self.daemondo_server(m, data, postgres, old=first)
            self.assertTrue(test_trees.gone(first))
            self.assertNotEqual(second, first)
            self.plan_json(m, 0)

    def test_daemondo_server_that_does_not_come_back_fails_the_step(self):
        # The new server exits as it starts: the run waits its --timeout
        # for one (10 s here, not the tests' safety net), then fails.
        with Machine(RELAUNCH) as m:
            label, data, postgres, top, first = self.daemondo_job(m)
            with open(os.path.join(data, "refuse-start"), "w"):
                pass
            r, run = m.relaunch_json("run", *FAST, "--timeout", "10")
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in run["results"]}
            self.assertEqual(res[label]["status"], "failed", res)
            self.assertIn(f"its server on {data} (detached) did not come back: no server runs "
                          "on it; relaunch does not stop", res[label]["error"])
            self.assertTrue(test_trees.gone(first))

    def test_daemondo_server_that_cannot_be_judged_fails_the_step(self):
        # The new server is one relaunch may not inspect: the run cannot
        # verify it, and says so, never "restarted". Neither relaunch nor
        # the jobs have CAP_SYS_PTRACE, so daemondo, as dumpable as any
        # process, is inspected, and the server, not dumpable, is not.
        drop = [shutil.which("setpriv") or "setpriv", "--bounding-set", "-sys_ptrace", "--"]
        with Machine(RELAUNCH) as m:
            label, data, postgres, top, first = self.daemondo_job(m, prefix=drop)
            with open(os.path.join(data, "undumpable"), "w"):
                pass
            r = subprocess.run([*drop, m.relaunch_bin, "run", "--json", *FAST], env=m.env,
                               timeout=SAFETY * 3, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
            res = {x["label"]: x for x in json.loads(r.stdout)["results"]}
            self.assertEqual(res[label]["status"], "failed", res)
            second = self.daemondo_server(m, data, postgres, old=first)
            self.assertEqual(res[label]["error"],
                             f"cannot tell whether its server on {data} (pid {second}, "
                             "detached) runs the files on disk: permission denied")
            self.assertTrue(test_trees.gone(first))

    # -- a wrapper that stays: the server outlives its restart ------------
    def staying_wrapper(self, m, pg_ctl, data):
        """Homebrew-style: the job runs a script that starts the server and
        stays in the foreground; returns write(comment), which rewrites it."""
        script = os.path.join(m.brew, "bin", "postgres-service")
        os.makedirs(os.path.dirname(script), exist_ok=True)

        def write(comment):
            with open(script + ".tmp", "w") as f:
                f.write(f"#!/bin/sh\n# {comment}\n{pg_ctl} -D {data} start\n"
                        f"exec {harness.SLEEP} 1000\n")
            os.chmod(script + ".tmp", 0o755)
            os.replace(script + ".tmp", script)
        write("1")
        m.write_plist(LABEL, [script], daemon=False)
        return write

    def outlived_run(self, m, pg_ctl, data):
        """The script changes (new options, say): its restart kills the
        script, whose pg_ctl start then fails against the server that still
        runs. Nothing restarted it. Returns the server's pid."""
        write = self.staying_wrapper(m, pg_ctl, data)
        m.boot()
        first = self.server(m, data, "16.1")
        top = m.wait_pid(LABEL)
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        write("2")
        # The run's restart starts the new script provably after its
        # change (more than a clock tick), as a restart by hand would be.
        harness.wait_past_change(os.path.join(m.brew, "bin", "postgres-service"))
        doc = self.plan_json(m, 1)
        self.assertEqual([s["label"] for s in doc["steps"]], [LABEL], doc)
        r, run = m.relaunch_json("run", *FAST)
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        res = {x["label"]: x for x in run["results"]}
        self.assertEqual(res[LABEL]["status"], "failed", res)
        self.assertNotEqual(m.pid(LABEL), top)
        self.assertEqual(res[LABEL]["error"],
                         f"its server on {data} (pid {first}, detached) outlived the "
                         "restart: it still runs, on the code it had; " +
                         self.todo(m, pg_ctl, data, k="-k "))
        self.assertEqual(test_trees.read_pid(os.path.join(data, "postmaster.pid")), first)
        return first

    def test_wrapper_that_stays_server_that_outlived_the_restart_fails_the_step(self):
        with Machine(RELAUNCH) as m:
            self.outlived_run(m, self.keg(m, "16.1"), self.data_dir(m))

    def test_wrapper_that_stays_server_that_outlived_the_restart_is_still_owed(self):
        # The script's process is new now, started after the change; the
        # server is the one the old script started: the job is not current
        # and its change stays pending until the server is restarted.
        with Machine(RELAUNCH) as m:
            pg_ctl = self.keg(m, "16.1")
            data = self.data_dir(m)
            first = self.outlived_run(m, pg_ctl, data)
            want = (f"its server on {data} (pid {first}, detached) started ")
            for _ in range(2):  # a refused run keeps it pending
                refused = self.assert_refused(m, want)
                self.assertRegex(refused["why"], r"started [0-9:.]+, before the change at "
                                 r"[0-9:.]+; " + re.escape(self.todo(m, pg_ctl, data, k="-k ")))
            self.assertEqual(test_trees.read_pid(os.path.join(data, "postmaster.pid")), first)
            # Done as it says: the new script starts a new server.
            r = subprocess.run([pg_ctl, "-D", data, "stop"], timeout=SAFETY)
            self.assertEqual(r.returncode, 0)
            self.assertEqual(m.launchctl("kickstart", "-k", m.target(LABEL)).returncode, 0)
            self.server(m, data, "16.1", old=first)
            doc = self.plan_json(m, 0)
            self.assertEqual([c["labels"] for c in self.reported(doc, "current")], [[LABEL]])
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
            self.assertEqual([x["status"] for x in run["results"]], ["current"])
            d = m.relaunch("diff")
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)

    def one_shot_changed(self, m, body):
        """A job whose script (body, formatted with pg_ctl, data and
        options) starts the server and exits, recorded, then its script
        changed (options "" → "-w"): (pg_ctl, data, the server's pid)."""
        pg_ctl = self.keg(m, "16.1")
        data = self.data_dir(m)
        script = os.path.join(m.brew, "bin", "postgres-start")
        os.makedirs(os.path.dirname(script), exist_ok=True)

        def write(options):
            with open(script + ".tmp", "w") as f:
                f.write("#!/bin/sh\n" + body.format(pg_ctl=pg_ctl, data=data, options=options))
            os.chmod(script + ".tmp", 0o755)
            os.replace(script + ".tmp", script)
        write("")
        m.write_plist(LABEL, [script], daemon=False, KeepAlive=False)
        m.boot()
        first = self.server(m, data, "16.1")
        wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
        r = m.relaunch("record")
        self.assertEqual(r.returncode, 0, r.stderr)
        write("-w")
        return pg_ctl, data, first

    def test_one_shot_script_changed_server_started_before_is_refused(self):
        # A script that starts the server and exits: after it changed, no
        # process of launchd's runs, but the server the old script started
        # does; the script's next launch would fail against it.
        with Machine(RELAUNCH) as m:
            pg_ctl, data, first = self.one_shot_changed(
                m, "exec {pg_ctl} -D {data} {options} start\n")
            refused = self.assert_refused(m, f"its server on {data} (pid {first}, detached) "
                                          "started ")
            self.assertTrue(refused["why"].endswith(self.todo(m, pg_ctl, data)), refused)
            r = subprocess.run([pg_ctl, "-D", data, "stop"], timeout=SAFETY)
            self.assertEqual(r.returncode, 0)
            self.assertEqual(m.launchctl("kickstart", m.target(LABEL)).returncode, 0)
            second = self.server(m, data, "16.1", old=first)
            wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
            doc = self.plan_json(m, 0)
            current = self.reported(doc, "current")
            self.assertEqual([c["labels"] for c in current], [[LABEL]], doc)
            self.assertIn(f"(pid {second}, detached) runs ", current[0]["why"])

    def assert_pending_refused(self, m, want):
        """status and record decide the job as plan does: status lists
        the refusal no run has seen (exit 3), record keeps the change."""
        r = m.relaunch("status")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"pending: refused  {LABEL}: {want}", r.stdout)
        r, doc = m.relaunch_json("status")
        self.assertEqual(r.returncode, 3, f"{r.stdout}\n{r.stderr}")
        refused = doc["pending"]["refused"]
        self.assertEqual([(x["label"], x["run"]) for x in refused], [(LABEL, None)], doc)
        self.assertIn(want, refused[0]["error"])
        r = m.relaunch("record")
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"not recording: the manifest holds changes that would restart {LABEL} ",
                      r.stderr)

    def test_one_shot_script_status_and_record_decide_as_plan(self):
        # PGDATA exported by a one-shot script: after the script changed,
        # and after an upgrade, plan refuses; status says so (exit 3) and
        # record keeps the change pending, so the next run still refuses.
        with Machine(RELAUNCH) as m:
            pg_ctl, data, first = self.one_shot_changed(
                m, "export PGDATA={data}\nexec {pg_ctl} {options} start\n")
            self.assert_pending_refused(m, f"its server on {data} (pid {first}, detached) "
                                        "started ")
            self.assert_refused(m, f"its server on {data} (pid {first}, detached) started ")
            # Done as it says: the new server is current, and the run
            # records it.
            r = subprocess.run([pg_ctl, "-D", data, "stop"], timeout=SAFETY)
            self.assertEqual(r.returncode, 0)
            self.assertEqual(m.launchctl("kickstart", m.target(LABEL)).returncode, 0)
            second = self.server(m, data, "16.1", old=first)
            wait_until(lambda: m.pid(LABEL) == 0, "pg_ctl to exit")
            r = m.relaunch("status")
            self.assertIn("pending: nothing", r.stdout)
            r, run = m.relaunch_json("run", *FAST)
            self.assertEqual([x["status"] for x in run["results"]], ["current"], run)
            self.upgrade(m, "16.1", "16.2")
            self.assert_pending_refused(m, f"its server on {data} (pid {second}, detached) "
                                        "runs replaced code; " + self.todo(m, pg_ctl, data))
            self.assert_refused(m, f"its server on {data} (pid {second}, detached) runs "
                                "replaced code; " + self.todo(m, pg_ctl, data))


if __name__ == "__main__":
    harness.main(sys.modules[__name__])

"""Every package-side example parses, and the plists they make are read back
by relaunch's own plist code.

    python3 check_examples.py RELAUNCH SRCDIR

- Ruby (formulae, the Homebrew hook): `ruby -c`; each formula's `service do`
  block is evaluated with Homebrew's service DSL methods
  (render_service.rb) into the plist `brew services` writes.
- Tcl (the Portfile, the MacPorts hook): parse_portfile.tcl under tclsh.
- nix (default.nix, the flake, the nix-darwin and home-manager modules):
  `nix-instantiate --parse`; the modules' launchd job has every key of
  `relaunch agent print`.
- `relaunch agent print` (agent and --system) and the rendered service
  plists: read by `relaunch jobs --json`.
A missing tool fails the test: ./dev installs ruby, tcl and nix-bin.
"""
import glob
import json
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RELAUNCH = SRCDIR = None


def run(*argv, **kw):
    tool = shutil.which(argv[0])
    if not tool:
        raise AssertionError(f"{argv[0]} is not installed (./dev installs it)")
    r = subprocess.run([tool, *argv[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, **kw)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def files(*patterns):
    out = sorted(p for pat in patterns for p in glob.glob(os.path.join(SRCDIR, pat)))
    if not out:
        raise AssertionError(f"no files match {patterns}")
    return out


class ExamplesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="relaunch-examples-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.env = dict(os.environ, RELAUNCH_STATE_DIR=os.path.join(self.tmp, "state"),
                        RELAUNCH_WATCH_PATHS="/opt/homebrew/opt:/opt/homebrew/var/homebrew/linked",
                        HOME=self.tmp)
        for k in ("RELAUNCH_CONFIG", "RELAUNCH_LAUNCHCTL", "RELAUNCH_AGENT_DIRS",
                  "RELAUNCH_DAEMON_DIRS", "HOMEBREW_PREFIX"):
            self.env.pop(k, None)

    def jobs(self, plist_text, name, daemon=False):
        """relaunch jobs --json on a directory holding only this plist (how
        it is read: launchd and the processes are not asked)."""
        d = tempfile.mkdtemp(dir=self.tmp)
        empty = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(d, name), "w") as f:
            f.write(plist_text)
        args = ["--daemon-dir", d, "--agent-dir", empty] if daemon else \
               ["--agent-dir", d, "--daemon-dir", empty]
        r = subprocess.run([RELAUNCH, "jobs", "--json", "--no-processes", *args],
                           env=self.env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "", "relaunch warned about the plist")
        jobs = json.loads(r.stdout)["jobs"]
        self.assertEqual(len(jobs), 1, r.stdout)
        return jobs[0]

    def test_ruby_files_parse(self):
        for path in files("formula-examples/*.rb", "hooks/homebrew/*.rb"):
            with self.subTest(path=path):
                self.assertIn("Syntax OK", run("ruby", "-c", path))

    def test_formula_services_render_plists_relaunch_reads(self):
        want = {"relaunch.rb": ("homebrew.mxcl.relaunch", "run", 300),
                "example-daemon.rb": ("homebrew.mxcl.example-daemon", "--foreground", None)}
        for path in files("formula-examples/*.rb"):
            label, arg1, interval = want[os.path.basename(path)]
            with self.subTest(path=path):
                text = run("ruby", os.path.join(HERE, "render_service.rb"), path, "/opt/homebrew")
                plist = plistlib.loads(text.encode())
                self.assertEqual(plist["Label"], label)
                self.assertEqual(plist["ProgramArguments"][1], arg1)
                self.assertEqual(plist.get("StartInterval"), interval)
                job = self.jobs(text, label + ".plist")
                self.assertEqual(job["label"], label)
                self.assertEqual(job["target"].rsplit("/", 1)[1], label)
                self.assertIn(plist["ProgramArguments"][0], [f["path"] for f in job["files"]])

    def test_tcl_files_parse(self):
        names = run("tclsh", os.path.join(HERE, "parse_portfile.tcl"),
                    os.path.join(SRCDIR, "formula-examples", "Portfile")).split()
        self.assertEqual(names[0], "PortSystem")
        for cmd in ("startupitem.create", "startupitem.executable", "depends_lib-append",
                    "post-destroot"):
            self.assertIn(cmd, names)
        hook = run("tclsh", os.path.join(HERE, "parse_portfile.tcl"),
                   os.path.join(SRCDIR, "hooks", "macports", "post-activate.tcl")).split()
        self.assertEqual(hook[0], "post-activate")

    def test_broken_tcl_is_refused(self):
        bad = os.path.join(self.tmp, "Portfile")
        with open(bad, "w") as f:
            f.write("PortSystem 1.0\npost-activate {\n    if {1} {\n}\n")
        r = subprocess.run([shutil.which("tclsh") or "tclsh",
                            os.path.join(HERE, "parse_portfile.tcl"), bad],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("incomplete Tcl", r.stderr)

    def test_nix_files_parse(self):
        for path in files("formula-examples/*.nix", "hooks/*/*.nix"):
            with self.subTest(path=path):
                run("nix-instantiate", "--parse", path)

    def test_agent_print_is_read_back(self):
        for system in (False, True):
            with self.subTest(system=system):
                args = ["agent", "print", "--queue", "/opt/homebrew/var/relaunch/queue"]
                if system:
                    args.append("--system")
                text = subprocess.run([RELAUNCH, *args], env=self.env, check=True,
                                      stdout=subprocess.PIPE, text=True, timeout=60).stdout
                plist = plistlib.loads(text.encode())
                self.assertEqual(plist["QueueDirectories"], ["/opt/homebrew/var/relaunch/queue"])
                self.assertEqual(plist["WatchPaths"], ["/opt/homebrew/opt",
                                                       "/opt/homebrew/var/homebrew/linked"])
                job = self.jobs(text, "org.relaunch.drain.plist", daemon=system)
                self.assertEqual(job["label"], "org.relaunch.drain")
                self.assertEqual(job["kind"], "daemon" if system else "agent")
                # The nix modules declare the same job.
                for module in ("nix-darwin", "home-manager"):
                    with open(os.path.join(SRCDIR, "hooks", module, "module.nix")) as f:
                        nix = f.read()
                    for key in plist:
                        if key != "EnvironmentVariables":
                            self.assertIn(f"{key} = ", nix, f"{module} lacks {key}")


if __name__ == "__main__":
    RELAUNCH = os.path.abspath(sys.argv.pop(1))
    SRCDIR = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

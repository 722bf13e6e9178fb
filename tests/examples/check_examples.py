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
- Every hook run the way its package manager runs it (HooksRunTest):
  post_install (run_post_install.rb), post-activate (run_post_activate.tcl),
  the nix modules' activation text (eval_module.nix) in nix-darwin's and
  home-manager's activation scripts.
A missing tool fails the test: ./dev installs ruby, tcl and nix-bin.
"""
import glob
import json
import os
import plistlib
import re
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

    def test_nix_build_from_a_checkout(self):
        # `nix-build formula-examples` (formula-examples/README.md): nix
        # calls default.nix with no arguments, so each must have a default
        # (from <nixpkgs>, here a stub giving names for packages).
        stub = os.path.join(self.tmp, "nixpkgs")
        os.makedirs(stub)
        with open(os.path.join(stub, "default.nix"), "w") as f:
            f.write("{ ... }: rec { lib = { cleanSource = p: p; licenses.mit = \"mit\";\n"
                    "  platforms = { darwin = [ ]; linux = [ ]; }; };\n"
                    "  stdenv.mkDerivation = a: a; meson = \"meson\"; ninja = \"ninja\";\n"
                    "  pkg-config = \"pkg-config\"; scdoc = \"scdoc\"; jansson = \"jansson\";\n"
                    "  libarchive = \"libarchive\"; libplist = \"libplist\";\n"
                    "  openssl = \"openssl\"; }\n")
        out = run("nix-instantiate", "--eval", "--strict", "--json", "-I", f"nixpkgs={stub}",
                  "-A", "nativeBuildInputs", os.path.join(SRCDIR, "formula-examples"))
        self.assertEqual(json.loads(out), ["meson", "ninja", "pkg-config", "scdoc"])

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
                # The nix modules declare the same job: nix-darwin's daemon,
                # home-manager's agent.
                module = "nix-darwin" if system else "home-manager"
                with open(os.path.join(SRCDIR, "hooks", module, "module.nix")) as f:
                    nix = f.read()
                for key in plist:
                    if key != "EnvironmentVariables":
                        self.assertIn(f"{key} = ", nix, f"{module} lacks {key}")


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


# A relaunch that fails as badly as it can without being absent: it writes to
# stderr and exits non-zero (a relaunch whose libraries an upgrade broke).
BROKEN = "#!/bin/sh\necho 'dyld: Library not loaded' >&2\nexit 134\n"


class HooksRunTest(unittest.TestCase):
    """Each hook of hooks/ (and each example's hook) run the way its package
    manager runs it: it queues one entry, does nothing when relaunch is
    absent, and never fails the install or activation."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="relaunch-hooks-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def entries(self, queue):
        names = sorted(n for n in os.listdir(queue) if not n.startswith("."))
        out = []
        for n in names:
            self.assertTrue(n.endswith(".json"), n)
            with open(os.path.join(queue, n)) as f:
                out.append(json.load(f))
        return out

    def install_relaunch(self, path, broken=False):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if broken:
            write(path, BROKEN, 0o755)
        else:
            shutil.copy(RELAUNCH, path)

    def env(self, **kw):
        """The environment of a package manager's hook: none of relaunch's
        variables, HOME not the user's (Homebrew's sandbox gives a temporary
        one)."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RELAUNCH_") and k != "HOMEBREW_PREFIX"}
        env.update(HOME=os.path.join(self.tmp, "home"), **kw)
        return env

    # Homebrew: post_install, as formula_installer runs it.

    def brew_prefix(self, relaunch="real"):
        """A Homebrew prefix: relaunch's keg in Cellar, bin/relaunch linked
        to it, the queue relaunch's own post_install made."""
        prefix = os.path.join(self.tmp, "homebrew")
        os.makedirs(os.path.join(prefix, "var", "relaunch", "queue"))
        os.makedirs(os.path.join(prefix, "bin"))
        if relaunch != "absent":
            self.install_relaunch(os.path.join(prefix, "Cellar", "relaunch", "0.1.0", "bin",
                                               "relaunch"), broken=relaunch == "broken")
            os.symlink("../Cellar/relaunch/0.1.0/bin/relaunch",
                       os.path.join(prefix, "bin", "relaunch"))
        return prefix

    def post_install(self, path, prefix, version="2.4.1_1"):
        tool = shutil.which("ruby")
        self.assertTrue(tool, "ruby is not installed (./dev installs it)")
        return subprocess.run([tool, os.path.join(HERE, "run_post_install.rb"), path, prefix,
                               version], env=self.env(), cwd=self.tmp, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def test_homebrew_post_install_queues_an_entry(self):
        for path in (os.path.join(SRCDIR, "hooks", "homebrew", "post_install.rb"),
                     os.path.join(SRCDIR, "formula-examples", "example-daemon.rb")):
            with self.subTest(path=path):
                prefix = self.brew_prefix()
                r = self.post_install(path, prefix)
                self.assertEqual(r.returncode, 0, r.stderr)
                queue = os.path.join(prefix, "var", "relaunch", "queue")
                [entry] = self.entries(queue)
                self.assertEqual((entry["source"], entry["name"], entry["version"]),
                                 ("homebrew", "example-daemon", "2.4.1_1"))
                shutil.rmtree(prefix)

    def test_homebrew_post_install_without_relaunch_or_with_a_broken_one(self):
        for relaunch in ("absent", "broken"):
            with self.subTest(relaunch=relaunch):
                prefix = self.brew_prefix(relaunch)
                r = self.post_install(os.path.join(SRCDIR, "formula-examples",
                                                   "example-daemon.rb"), prefix)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("post_install done", r.stdout)
                self.assertEqual(self.entries(os.path.join(prefix, "var", "relaunch",
                                                           "queue")), [])
                shutil.rmtree(prefix)

    def test_relaunch_formula_post_install_makes_the_queue_notify_writes_to(self):
        prefix = self.brew_prefix()
        os.rmdir(os.path.join(prefix, "var", "relaunch", "queue"))
        r = self.post_install(os.path.join(SRCDIR, "formula-examples", "relaunch.rb"), prefix,
                              "0.1.0")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.post_install(os.path.join(SRCDIR, "hooks", "homebrew", "post_install.rb"),
                              prefix)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.entries(os.path.join(prefix, "var", "relaunch", "queue"))), 1)

    # MacPorts: post-activate, as port activate runs it (as root, in Tcl).

    def post_activate(self, prefix):
        tool = shutil.which("tclsh")
        self.assertTrue(tool, "tclsh is not installed (./dev installs it)")
        return subprocess.run([tool, os.path.join(HERE, "run_post_activate.tcl"),
                               os.path.join(SRCDIR, "hooks", "macports", "post-activate.tcl"),
                               prefix, "nginx", "1.27.3", "2"],
                              env=self.env(), cwd=self.tmp, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def test_macports_post_activate(self):
        for relaunch in ("real", "absent", "broken"):
            with self.subTest(relaunch=relaunch):
                prefix = os.path.join(self.tmp, "opt-local")
                queue = os.path.join(prefix, "var", "relaunch", "queue")
                os.makedirs(queue)
                if relaunch != "absent":
                    self.install_relaunch(os.path.join(prefix, "bin", "relaunch"),
                                          broken=relaunch == "broken")
                r = self.post_activate(prefix)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("post-activate done (1 blocks)", r.stdout)
                got = [(e["source"], e["name"], e["version"]) for e in self.entries(queue)]
                self.assertEqual(got, [("macports", "nginx", "1.27.3_2")]
                                 if relaunch == "real" else [])
                shutil.rmtree(prefix)

    # nix-darwin and home-manager: the modules evaluated, their activation
    # text run inside the script each one wraps it in.

    def module(self, name, **overrides):
        nix = "{ " + "".join(f"{k} = {json.dumps(v)}; " for k, v in overrides.items()) + "}"
        out = run("nix-instantiate", "--eval", "--strict", "--json",
                  os.path.join(HERE, "eval_module.nix"),
                  "--arg", "module", os.path.join(SRCDIR, "hooks", name, "module.nix"),
                  "--argstr", "relaunch", RELAUNCH,
                  "--argstr", "home", os.path.join(self.tmp, "home"),
                  "--arg", "overrides", nix)
        return json.loads(out)

    def darwin_activate(self, text):
        """nix-darwin's activate script (modules/system/activation-scripts.nix):
        `#!/usr/bin/env -i bash`, set -e, pipefail, its own PATH, then the
        snippets in order; postActivation last before the profile switch."""
        script = ("set -e\nset -o pipefail\nPATH=/usr/bin:/bin:/usr/sbin:/sbin\nexport PATH\n"
                  "umask 0022\ncd /\n" + text + "\necho activation went on\n")
        return subprocess.run(["/bin/bash", "-c", script], env={}, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)

    def hm_activate(self, text, dry_run=False):
        """home-manager's activation script (modules/home-environment.nix and
        lib-bash/): set -eu, pipefail, `run` echoing instead of running under
        DRY_RUN, the entries in DAG order."""
        script = ("set -eu\nset -o pipefail\n"
                  'run() { if [[ -v DRY_RUN ]]; then echo "$@"; else "$@"; fi; }\n'
                  + text + "\necho activation went on\n")
        env = self.env()
        if dry_run:
            env["DRY_RUN"] = "1"
        return subprocess.run(["/bin/bash", "-c", script], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)

    def test_nix_darwin_post_activation_queues_an_entry(self):
        queue = os.path.join(self.tmp, "var", "relaunch", "queue")
        m = self.module("nix-darwin", queue=queue)
        r = self.darwin_activate(m["config"]["system"]["activationScripts"]["postActivation"]
                                 ["text"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        [entry] = self.entries(queue)
        self.assertEqual(entry["source"], "nix-darwin")

    def test_home_manager_activation_entry(self):
        queue = os.path.join(self.tmp, "hm-queue")
        m = self.module("home-manager", queue=queue)
        entry = m["config"]["home"]["activation"]["relaunch"]
        # After home-manager's own bootout + bootstrap of changed agents.
        self.assertIn("setupLaunchAgents", entry["after"])
        r = self.hm_activate(entry["data"], dry_run=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(queue), "a dry run created the queue")
        self.assertIn("notify --queue", r.stdout)
        r = self.hm_activate(entry["data"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        [e] = self.entries(queue)
        self.assertEqual(e["source"], "home-manager")

    def test_a_queue_that_cannot_be_made_never_fails_an_activation(self):
        """A path in the way of the queue (a file where the directory should
        be) costs the notification, never the switch: nix-darwin's script and
        home-manager's run under set -e, and a failing command there stops
        every step after it."""
        blocked = os.path.join(self.tmp, "blocked")
        write(blocked, "not a directory\n")
        queue = os.path.join(blocked, "queue")
        m = self.module("nix-darwin", queue=queue)
        r = self.darwin_activate(m["config"]["system"]["activationScripts"]["postActivation"]
                                 ["text"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        self.assertIn("relaunch: warning: notify: ", r.stderr)
        m = self.module("home-manager", queue=queue)
        r = self.hm_activate(m["config"]["home"]["activation"]["relaunch"]["data"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        self.assertIn("relaunch: warning: notify: ", r.stderr)

    def test_nix_darwin_without_the_daemon_runs_relaunch_and_goes_on(self):
        state = os.path.join(self.tmp, "state")
        m = self.module("nix-darwin", daemon=False, stateDir=state)
        self.assertIsNone(m["config"]["launchd"]["daemons"]["relaunch"])
        text = m["config"]["system"]["activationScripts"]["postActivation"]["text"]
        self.assertIn(" run --state-dir ", text)
        r = self.darwin_activate(text)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)

    def moved_state(self):
        """The state an earlier version of the module kept in its stateDir
        (/var/lib/relaunch, here below tmp): a manifest relaunch recorded,
        the queue below it, the old job's log."""
        old = os.path.join(self.tmp, "var", "lib", "relaunch")
        os.makedirs(old, mode=0o700)
        r = subprocess.run([RELAUNCH, "record", "--state-dir", old], cwd="/", text=True,
                           env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        write(os.path.join(old, "history.json"), "{}\n", 0o600)
        write(os.path.join(old, "agent.log"), "the old job's log\n", 0o600)
        write(os.path.join(old, "queue", "1.json"), "{}\n", 0o600)
        return old

    def test_nix_darwin_first_switch_after_the_state_dir_moved_is_no_baseline(self):
        """The module's stateDir moved (/var/lib/relaunch to root's own
        default): the first switch after copies the old state into the new
        directory before relaunch runs, so that switch's changes are
        compared with the last manifest, not recorded as a new baseline.
        The queue and the old job's log stay where they are."""
        old = self.moved_state()
        new = os.path.join(self.tmp, "Library", "Application Support", "relaunch")
        m = self.module("nix-darwin", daemon=False, stateDir=new, oldStateDir=old)
        r = self.darwin_activate(
            m["config"]["system"]["activationScripts"]["postActivation"]["text"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        self.assertNotIn("baseline", r.stdout + r.stderr)
        self.assertEqual(os.stat(new).st_mode & 0o777, 0o700)
        names = set(os.listdir(new))
        self.assertTrue({"manifest.json", "history.json"} <= names, names)
        self.assertFalse({n for n in names if n.startswith(".") or n in ("agent.log", "queue")},
                         names)
        self.assertTrue(os.path.exists(os.path.join(old, "manifest.json")))

    def switch_with_old_state(self, old, new):
        """A nix-darwin switch whose module has stateDir new and
        oldStateDir old: the switch goes on; its result."""
        m = self.module("nix-darwin", stateDir=new, oldStateDir=old,
                        queue=os.path.join(self.tmp, "queue"))
        r = self.darwin_activate(
            m["config"]["system"]["activationScripts"]["postActivation"]["text"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        return r

    def test_nix_darwin_state_dir_with_a_manifest_is_left_alone(self):
        """A stateDir that has a manifest already is relaunch's own: nothing
        of the old directory is copied over it."""
        old = self.moved_state()
        new = os.path.join(self.tmp, "new")
        write(os.path.join(new, "manifest.json"), "the new one\n", 0o600)
        self.switch_with_old_state(old, new)
        with open(os.path.join(new, "manifest.json")) as f:
            self.assertEqual(f.read(), "the new one\n")
        self.assertEqual(os.listdir(new), ["manifest.json"])

    def test_nix_darwin_state_that_cannot_be_copied_never_fails_the_switch(self):
        """The new directory cannot be made (a file in its way): a warning,
        and the switch goes on (its activate script runs under set -e)."""
        old = self.moved_state()
        blocked = os.path.join(self.tmp, "blocked")
        write(blocked, "not a directory\n")
        new = os.path.join(blocked, "relaunch")
        r = self.switch_with_old_state(old, new)
        self.assertIn(f"relaunch: warning: cannot copy the state of '{old}' into '{new}'",
                      r.stderr)
        self.assertEqual(len(self.entries(os.path.join(self.tmp, "queue"))), 1)

    def test_nix_darwin_copy_cut_short_leaves_no_temporary(self):
        """A copy that fails part way (a state file larger than the file
        size limit lets cp write, as a full disk would cut it) removes its
        temporary: a warning, the switch goes on, and no `.<file>.moving`
        is left in stateDir."""
        old = self.moved_state()
        write(os.path.join(old, "runs.json"), "[]" + " " * 16384 + "\n", 0o600)
        new = os.path.join(self.tmp, "new")
        m = self.module("nix-darwin", stateDir=new, oldStateDir=old,
                        queue=os.path.join(self.tmp, "queue"))
        # SIGXFSZ ignored: cp's write past the limit fails (EFBIG), as a
        # write to a full disk does, after its first bytes were written.
        r = self.darwin_activate(
            "trap '' XFSZ\nulimit -f 8\n"
            + m["config"]["system"]["activationScripts"]["postActivation"]["text"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("activation went on", r.stdout)
        self.assertIn(f"relaunch: warning: cannot copy the state of '{old}' into '{new}'",
                      r.stderr)
        self.assertEqual(len(self.entries(os.path.join(self.tmp, "queue"))), 1)
        names = os.listdir(new)
        self.assertEqual([n for n in names if n.startswith(".")], [], names)
        self.assertNotIn("manifest.json", names)

    def test_nix_darwin_state_dir_is_the_one_relaunch_reads_as_root(self):
        """`sudo relaunch status`, `log` and a `sudo relaunch run` by hand use
        root's default state directory on macOS (README, The state
        directory); the daemon must write there, or status shows nothing of
        what it did and the two runs take different locks."""
        with open(os.path.join(SRCDIR, "README.md")) as f:
            root_default = re.search(r"^\| macOS \| `([^`]+)`", f.read(), re.M).group(1)
        m = self.module("nix-darwin")
        self.assertEqual(m["defaults"]["stateDir"], root_default)
        job = m["config"]["launchd"]["daemons"]["relaunch"]["serviceConfig"]
        self.assertEqual(job["ProgramArguments"][-2:], ["--state-dir", root_default])

    def test_module_jobs_are_agent_print(self):
        """The modules' launchd job is `relaunch agent print`'s, key for key
        (but its own WatchPaths and the package's path)."""
        for name, system in (("nix-darwin", True), ("home-manager", False)):
            with self.subTest(module=name):
                m = self.module(name)
                if system:
                    job = m["config"]["launchd"]["daemons"]["relaunch"]["serviceConfig"]
                else:
                    job = m["config"]["launchd"]["agents"]["relaunch"]["config"]
                args = job["ProgramArguments"]
                state = args[args.index("--state-dir") + 1]
                cmd = [RELAUNCH, "agent", "print", "--queue", job["QueueDirectories"][0],
                       "--state-dir", state, "--interval", str(job["ThrottleInterval"])]
                if system:
                    cmd.append("--system")
                want = plistlib.loads(subprocess.run(
                    cmd, env=self.env(), check=True, stdout=subprocess.PIPE,
                    timeout=60).stdout)
                for key in ("EnvironmentVariables", "WatchPaths"):
                    want.pop(key, None)
                    job.pop(key, None)
                self.assertEqual(args[0], RELAUNCH)
                want["ProgramArguments"][0] = RELAUNCH
                self.assertEqual(job, want)


if __name__ == "__main__":
    RELAUNCH = os.path.abspath(sys.argv.pop(1))
    SRCDIR = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

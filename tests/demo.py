#!/usr/bin/env python3
"""The main job where there is no launchd: a whole relaunch cycle on a fake
Mac run by the launchd simulator (tests/sim), with real processes.

  1. Homebrew, MacPorts and nix-darwin services are installed and booted.
  2. `relaunch run` records the baseline.
  3. Each package manager upgrades its package its own way.
  4. `relaunch plan` shows what changed and why; `relaunch run` restarts
     exactly the affected jobs, in order, and verifies each.
  5. The new processes run the new files; the untouched job kept its pid.
"""
import argparse
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
from harness import Machine  # noqa: E402

JOBS = {
    "homebrew.mxcl.nginx": "Homebrew agent",
    "homebrew.mxcl.redis": "Homebrew daemon (not upgraded)",
    "org.macports.rsyncd": "MacPorts daemon, through daemondo",
    "org.nixos.syncd": "nix-darwin daemon, through a profile",
}


def say(text):
    print(f"\n== {text}", flush=True)


def show(m, *args):
    print("$ relaunch " + " ".join(shlex.quote(a) for a in args), flush=True)
    # one stream, as a terminal shows it: the live lines (stderr) come
    # before the summary (stdout)
    r = subprocess.run([m.relaunch_bin, *args], env=m.env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="surrogateescape")
    out = r.stdout.replace(m.root, "$ROOT")
    print(out, end="" if out.endswith("\n") or not out else "\n", flush=True)
    return r


def table(m, before=None):
    now = {}
    for label, what in JOBS.items():
        pid = m.wait_pid(label)
        now[label] = pid
        exe = m.exe(pid).replace(m.root, "$ROOT")
        mark = ""
        if before:
            mark = "  (restarted)" if before[label] != pid else "  (untouched)"
        print(f"  {label:22} pid {pid:<7} {exe}{mark}")
    return now


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relaunch", required=True)
    args = ap.parse_args()
    with Machine(args.relaunch) as m:
        say("a fake Mac: services from three package managers, under the launchd simulator")
        m.brew_install("nginx", "1.25.3", daemon=False)
        m.brew_install("redis", "7.2.4")
        m.port_install("rsyncd", "3.2.7")
        m.nix_install("syncd", "1.0")
        m.boot()
        before = table(m)

        say("first run: no manifest yet, so relaunch records the baseline")
        show(m, "run")

        say("upgrades: brew (new keg, opt relinked, old keg deleted), port (activation"
            " writes new inodes), nix (profile retargeted to a new store path)")
        m.brew_upgrade("nginx", "1.25.4")
        m.port_activate("rsyncd", "3.2.8")
        m.nix_switch("syncd", "1.1")

        say("what would be restarted, and why")
        show(m, "plan")

        say("restart them: ordered, one second apart, each verified")
        r = show(m, "run", "--settle", "1")
        if r.returncode != 0:
            print(f"relaunch run failed with exit code {r.returncode}", file=sys.stderr)
            return 1

        say("the services now")
        after = table(m, before)
        expected = {l: l != "homebrew.mxcl.redis" for l in JOBS}
        got = {l: before[l] != after[l] for l in JOBS}
        stale = [l for l in JOBS if "1.25.3" in m.exe(after[l]) or
                 m.exe(after[l]).endswith("(deleted)")]
        if got != expected or stale:
            print(f"unexpected result: restarted={got} stale={stale}", file=sys.stderr)
            return 1

        say("a second run finds nothing to do")
        r = show(m, "run")
        return r.returncode


if __name__ == "__main__":
    sys.exit(main())

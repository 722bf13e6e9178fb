#!/usr/bin/env python3
"""Run transcript tests (.t files), cram style.

A .t file is prose plus indented blocks:

      $ command              a command, run by bash
      > continued            continuation of the command above
      expected output        stdout and stderr, interleaved
      some (re)              a line matched as a Python regular expression
      some * (glob)          a line matched with * and ? wildcards
      [1]                    the command's exit status, when not 0

All commands of one file run in one bash process, in a fresh temporary
directory, so they share variables and files. The environment has:
  PATH        the built relaunch first, then a directory whose python3 is
              the interpreter running cram.py (sys.executable: never a
              version-manager shim on PATH, which costs a second a start),
              then tests/bin, then the usual
  TESTDIR     the directory holding the .t file
  SRCDIR      the source tree's root
  PYTHONPATH  tests/tools, so python3 can `import manifest_file` (the
              manifest read whatever its version)
  HOME        the temporary directory
  RELAUNCH_STATE_DIR  $HOME/state
"""
import argparse
import difflib
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile

SALT = "@@CRAM-7f3a@@"


def parse(path):
    """Return [(command, [expected lines], status)], plus line numbers."""
    cases = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    cur = None
    for no, line in enumerate(lines, 1):
        if line.startswith("  $ "):
            cur = {"cmd": [line[4:]], "out": [], "status": 0, "line": no}
            cases.append(cur)
        elif line.startswith("  > ") and cur is not None and not cur["out"]:
            cur["cmd"].append(line[4:])
        elif line.startswith("  ") and cur is not None:
            body = line[2:]
            m = re.fullmatch(r"\[(\d+)\]", body)
            if m:
                cur["status"] = int(m.group(1))
            else:
                cur["out"].append(body)
        else:
            cur = None
    return cases


def matches(expected, actual):
    if expected == actual:
        return True
    if expected.endswith(" (re)"):
        try:
            return re.fullmatch(expected[:-5], actual) is not None
        except re.error:
            return False
    if expected.endswith(" (glob)"):
        return fnmatch.fnmatchcase(actual, expected[:-7])
    return False


def lines_match(expected, actual):
    return len(expected) == len(actual) and all(
        matches(e, a) for e, a in zip(expected, actual))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--relaunch", required=True, help="the built binary")
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("tests", nargs="+")
    args = ap.parse_args()
    failed = 0
    for t in args.tests:
        failed += run_one(os.path.abspath(t), args)
    print(f"{len(args.tests) - failed} passed, {failed} failed")
    return 1 if failed else 0


def run_one(path, args):
    cases = parse(path)
    if not cases:
        print(f"{path}: no commands", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="relaunch-cram-")
    pybin = tempfile.mkdtemp(prefix="relaunch-cram-python-")
    os.symlink(sys.executable, os.path.join(pybin, "python3"))
    script = ["set +e"]
    for i, c in enumerate(cases):
        script.append("\n".join(c["cmd"]))
        script.append(f'printf "\\n{SALT} {i} %s\\n" "$?"')
    env = dict(os.environ)
    bindir = os.path.dirname(os.path.abspath(args.relaunch))
    srcdir = os.path.abspath(args.srcdir)
    env.update({
        "PATH": os.pathsep.join([bindir, pybin, os.path.join(srcdir, "tests", "bin"),
                                 env.get("PATH", "/usr/bin:/bin")]),
        "TESTDIR": os.path.dirname(path),
        "SRCDIR": srcdir,
        "PYTHONPATH": os.path.join(srcdir, "tests", "tools"),
        "HOME": tmp,
        "RELAUNCH_STATE_DIR": os.path.join(tmp, "state"),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        # No launchd asks for root here: plan as root would, whoever runs.
        "RELAUNCH_AS_USER": "0",
    })
    for k in ("RELAUNCH_CONFIG", "RELAUNCH_PASSWD", "RELAUNCH_LAUNCHCTL",
              "RELAUNCH_AGENT_DIRS", "RELAUNCH_DAEMON_DIRS", "XDG_STATE_HOME"):
        env.pop(k, None)
    proc = subprocess.run(["bash", "--norc", "--noprofile"], input="\n".join(script) + "\n",
                          cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", errors="surrogateescape")
    shutil.rmtree(pybin, ignore_errors=True)
    out = proc.stdout
    results = {}
    pos = 0
    for i in range(len(cases)):
        marker = re.compile(r"\n?" + re.escape(SALT) + r" " + str(i) + r" (\d+)\n")
        m = marker.search(out, pos)
        if not m:
            break
        chunk = out[pos:m.start()]
        if chunk.endswith("\n"):
            chunk = chunk[:-1]
        results[i] = (chunk.split("\n") if chunk else [], int(m.group(1)))
        pos = m.end()
    bad = 0
    for i, c in enumerate(cases):
        got, status = results.get(i, (["<command did not finish>"], -1))
        if lines_match(c["out"], got) and status == c["status"]:
            continue
        bad = 1
        print(f"{path}:{c['line']}: $ {c['cmd'][0]}")
        exp = c["out"] + ([f"[{c['status']}]"] if c["status"] else [])
        act = got + ([f"[{status}]"] if status else [])
        for d in difflib.unified_diff(exp, act, "expected", "actual", lineterm=""):
            print("    " + d)
    if args.keep or bad:
        print(f"{path}: kept {tmp}" if args.keep else "", end="\n" if args.keep else "")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return bad


if __name__ == "__main__":
    sys.exit(main())

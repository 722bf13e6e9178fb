#!/usr/bin/env python3
"""A scripted stand-in for launchctl, for the restart engine's unit tests.

Not the launchd simulator: nothing runs. Each service is a record in a JSON
state file ($FAKE_LAUNCHCTL_STATE) with an invented pid, and a few knobs that
script how it behaves. Every call is appended to $FAKE_LAUNCHCTL_STATE.log as
a JSON line {"t": wall-clock seconds, "argv": [...]}.

Service record (keyed by target, e.g. "system/org.example.a"):
  loaded          bool
  pid             int, 0 when not running
  domain, plist   for bootstrap <domain> <plist>
  runs, last_exit, last_signal
  start_delay     seconds before a started job gets its pid (default 0)
  die_after       seconds after which a started job exits 1 (default never)
  die_after_prints  a started job exits 1 once print has shown it running
                  this many times (timing-free)
  never_up        kickstart succeeds but nothing runs
  kickstart_exit  exit code for kickstart (with kickstart_stderr)
  hang            a command name: that command sleeps until killed
  print_exit      exit code for print (with print_stderr)
  bootout_delay   seconds bootout takes before print answers 113
  bootstrap_exits list of exit codes, one consumed per bootstrap call
  run_at_load     bootstrap starts the job (default true)
"""
import json
import os
import sys
import time

STATE = os.environ["FAKE_LAUNCHCTL_STATE"]


def load():
    with open(STATE, encoding="utf-8") as f:
        return json.load(f)


def save(state):
    tmp = STATE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, STATE)


def log(argv):
    with open(STATE + ".log", "a", encoding="utf-8") as f:
        f.write(json.dumps({"t": time.time(), "argv": argv}) + "\n")


def new_pid(state):
    state["next_pid"] = state.get("next_pid", 1000) + 1
    return state["next_pid"]


def start(state, svc, now):
    """Start the job: at once, or after start_delay (settled in advance())."""
    svc["pid"] = 0
    if svc.get("never_up"):
        return
    svc["start_at"] = now + svc.get("start_delay", 0)
    advance(state, svc, now)


def advance(state, svc, now):
    """Apply what time has done: bootout finishing, a start, a death."""
    if svc.get("gone_at") is not None and now >= svc["gone_at"]:
        svc["loaded"] = False
        svc["gone_at"] = None
    if not svc.get("loaded"):
        return
    if svc.get("start_at") is not None and now >= svc["start_at"]:
        svc["start_at"] = None
        svc["pid"] = new_pid(state)
        svc["started"] = now
        svc["runs"] = svc.get("runs", 0) + 1
        svc["prints"] = 0
        svc["last_exit"] = svc.get("last_exit", "(never exited)")
    died = svc.get("die_after")
    if svc.get("pid") and died is not None and now >= svc.get("started", now) + died:
        svc["pid"] = 0
        svc["last_exit"] = "1"


def not_found(label):
    sys.stderr.write('Could not find service "%s" in domain for system\n' % label)
    return 113


def cmd_print(state, target, svc):
    if svc.get("print_exit"):
        sys.stderr.write(svc.get("print_stderr", "Bad request.") + "\n")
        return svc["print_exit"]
    if not svc.get("loaded"):
        return not_found(target.rsplit("/", 1)[-1])
    out = ["%s = {" % target, "\tpath = %s" % svc.get("plist", "?"),
           "\tstate = %s" % ("running" if svc.get("pid") else "not running"),
           "\targuments = {", "\t\t/usr/bin/fake", "\t\tpid = 1", "\t}",
           "\truns = %d" % svc.get("runs", 0)]
    if svc.get("pid"):
        out.append("\tpid = %d" % svc["pid"])
    out.append("\tlast exit code = %s" % svc.get("last_exit", "(never exited)"))
    if svc.get("last_signal"):
        out.append("\tlast terminating signal = %s" % svc["last_signal"])
    out.append("}")
    print("\n".join(out))
    if svc.get("pid") and svc.get("die_after_prints") is not None:
        svc["prints"] = svc.get("prints", 0) + 1
        if svc["prints"] >= svc["die_after_prints"]:
            svc["pid"] = 0
            svc["last_exit"] = "1"
    return 0


def cmd_kickstart(state, args, svc, now):
    kill = "-k" in args
    target = [a for a in args if not a.startswith("-")][0]
    if not svc.get("loaded"):
        return not_found(target)
    if svc.get("kickstart_exit"):
        sys.stderr.write(svc.get("kickstart_stderr", "Could not kickstart service") + "\n")
        return svc["kickstart_exit"]
    if svc.get("pid") and not kill:
        return 0
    start(state, svc, now)
    return 0


def cmd_bootout(svc, now):
    if not svc.get("loaded") or svc.get("gone_at") is not None:
        sys.stderr.write("Boot-out failed: 3: No such process\n")
        return 3
    svc["pid"] = 0
    svc["start_at"] = None
    delay = svc.get("bootout_delay", 0)
    if delay:
        svc["gone_at"] = now + delay
    else:
        svc["loaded"] = False
    return 0


def cmd_bootstrap(state, domain, plist, now):
    for svc in state["services"].values():
        if svc.get("plist") == plist and svc.get("domain") == domain:
            break
    else:
        sys.stderr.write("Bootstrap failed: 5: Input/output error\n")
        return 5
    exits = svc.get("bootstrap_exits") or []
    if exits:
        code = exits.pop(0)
        svc["bootstrap_exits"] = exits
        if code:
            sys.stderr.write("Bootstrap failed: %d: Input/output error\n" % code)
            return code
    if svc.get("loaded"):
        sys.stderr.write("Bootstrap failed: 5: Input/output error\n")
        return 5
    svc["loaded"] = True
    svc["pid"] = 0
    if svc.get("run_at_load", True):
        start(state, svc, now)
    return 0


def main(argv):
    log(argv)
    state = load()
    now = time.time()
    services = state.setdefault("services", {})
    if not argv:
        return 64
    verb = argv[0]
    for svc in services.values():
        advance(state, svc, now)
    if services.get(argv[-1], {}).get("hang") == verb:
        save(state)
        time.sleep(3600)
    if verb == "print" and len(argv) == 2:
        rc = cmd_print(state, argv[1], services.get(argv[1], {}))
    elif verb == "kickstart" and len(argv) >= 2:
        target = argv[-1]
        rc = cmd_kickstart(state, argv[1:], services.get(target, {}), now)
    elif verb == "bootout" and len(argv) == 2:
        rc = cmd_bootout(services.get(argv[1], {}), now)
    elif verb == "bootstrap" and len(argv) == 3:
        rc = cmd_bootstrap(state, argv[1], argv[2], now)
    else:
        sys.stderr.write("Usage: launchctl <subcommand> ...\n")
        rc = 64
    save(state)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

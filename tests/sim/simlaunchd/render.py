"""launchctl's text: `print` of a service or domain, `list`, and how
domains are named in error messages."""

import os
import signal

from . import jobspec

# macOS strsignal(3) wording, which `print` uses for the terminating signal.
SIGNAL_NAMES = {
    signal.SIGHUP: "Hangup", signal.SIGINT: "Interrupt", signal.SIGQUIT: "Quit",
    signal.SIGILL: "Illegal instruction", signal.SIGTRAP: "Trace/BPT trap",
    signal.SIGABRT: "Abort trap", signal.SIGFPE: "Floating point exception",
    signal.SIGKILL: "Killed", signal.SIGBUS: "Bus error",
    signal.SIGSEGV: "Segmentation fault", signal.SIGPIPE: "Broken pipe",
    signal.SIGALRM: "Alarm clock", signal.SIGTERM: "Terminated",
    signal.SIGUSR1: "User defined signal 1", signal.SIGUSR2: "User defined signal 2",
}


def domain_description(name):
    """How launchctl names a domain after "Could not find ... for ":
    system, user gui: 501, uid: 501, login: N, asid: N, pid: N."""
    kind, _, handle = name.partition("/")
    return {
        "system": "system",
        "gui": f"user gui: {handle}",
        "user": f"uid: {handle}",
        "login": f"login: {handle}",
        "session": f"asid: {handle}",
        "pid": f"pid: {handle}",
    }[kind]


def last_exit_line(status):
    if status is None:
        return "last exit code = (never exited)"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = SIGNAL_NAMES.get(sig) or signal.strsignal(sig) or "Unknown signal"
        return f"last terminating signal = {name}: {sig}"
    code = os.WEXITSTATUS(status)
    return f"last exit code = {code}: EX_CONFIG" if code == 78 else f"last exit code = {code}"


def _properties(spec):
    props = []
    if spec.keep_alive:
        props.append("keepalive")
    if spec.run_at_load:
        props.append("runatload")
    if not spec.program:
        props.append("inferred program")
    return " | ".join(props)


def _block(lines, title, items):
    lines.append(f"\t{title} = {{")
    lines.extend(f"\t\t{item}" for item in items)
    lines.append("\t}")


def print_service(svc, log_dir, shown_pid=None):
    """The `launchctl print <service-target>` text (the usual subset);
    shown_pid: the pid to name instead of the running process's."""
    spec = svc.spec
    lines = [f"{svc.target} = {{",
             f"\tactive count = {1 if svc.pid else 0}",
             f"\tpath = {spec.path}",
             f"\ttype = {svc.domain.service_type}",
             f"\tstate = {svc.state_text()}",
             "",
             f"\tprogram = {spec.program_text}"]
    if spec.arguments:
        _block(lines, "arguments", spec.arguments)
    lines.append("")
    if spec.working_directory:
        lines.append(f"\tworking directory = {spec.working_directory}")
    lines.append(f"\tstdout path = {spec.stdout_path or os.path.join(log_dir, spec.label + '.out')}")
    lines.append(f"\tstderr path = {spec.stderr_path or os.path.join(log_dir, spec.label + '.err')}")
    _block(lines, "default environment", [f"PATH => {jobspec.STANDARD_PATH}"])
    lines.append("")
    env = dict(spec.environment, XPC_SERVICE_NAME=spec.label)
    _block(lines, "environment", [f"{k} => {v}" for k, v in sorted(env.items())])
    lines.append("")
    lines += [f"\tdomain = {svc.domain.name}",
              f"\tminimum runtime = {spec.throttle_interval}",
              f"\texit timeout = {spec.exit_timeout}",
              f"\truns = {svc.runs}"]
    if svc.crashes:
        lines.append(f"\tsuccessive crashes = {svc.crashes}")
    if svc.pid:
        lines.append(f"\tpid = {shown_pid or svc.pid}")
    lines.append(f"\t{last_exit_line(svc.last_status)}")
    if svc.last_reason:
        lines.append(f"\tlast exit reason = {svc.last_reason}")
    if svc.pid:
        # launchd's coalition blocks carry their own `state = active`.
        lines += ["", "\tresource coalition = {", "\t\tID = " + str(1000 + svc.pid % 1000),
                  "\t\ttype = resource", "\t\tstate = active", "\t\tactive count = 1",
                  f"\t\tname = {spec.label}", "\t}"]
    paths = [(key, values) for key, values in (("WatchPaths", spec.watch_paths),
                                                ("QueueDirectories", spec.queue_directories))
             if values]
    if spec.calendar or paths:
        # One trigger a calendar entry (corpus/real/launchctl
        # print-gui-agent-not-running-exit127.txt); one for all WatchPaths,
        # one for all QueueDirectories (README: print).
        lines += ["", "\tevent triggers = {"]
        for i, entry in enumerate(spec.calendar):
            lines += [f"\t\t{spec.label}.{268435471 + i} => {{", "\t\t\tkeepalive = 0",
                      f"\t\t\tservice = {spec.label}",
                      "\t\t\tstream = com.apple.launchd.calendarinterval",
                      "\t\t\tdescriptor = {"]
            lines += [f'\t\t\t\t"{k}" => {v}' for k, v in entry]
            lines += ["\t\t\t}", "\t\t}"]
        for key, values in paths:
            lines += [f"\t\tcom.apple.launchd.{key} => {{", "\t\t\tkeepalive = 0",
                      f"\t\t\tservice = {spec.label}",
                      "\t\t\tstream = com.apple.fsevents.matching",
                      "\t\t\tdescriptor = {", f'\t\t\t\t"{key}" => [']
            lines += [f'\t\t\t\t\t{i} = "{v}"' for i, v in enumerate(values)]
            lines += ["\t\t\t\t]", "\t\t\t}", "\t\t}"]
        lines.append("\t}")
    if spec.start_interval:
        # corpus/real/launchctl print-gui-agent-running-sigterm-interval.txt
        lines += ["", f"\trun interval = {spec.start_interval} seconds"]
    # Always there, empty too (corpus/real/launchctl
    # print-user-domain-agent-not-running.txt: `properties = `).
    lines += ["", f"\tproperties = {_properties(spec)}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _list_status(svc, never="0"):
    """list's Status column: the last exit code, or minus the signal; print
    <domain> shows "-" for a job that never exited, list 0."""
    st = svc.last_status
    if st is None:
        return never
    return f"-{os.WTERMSIG(st)}" if os.WIFSIGNALED(st) else str(os.WEXITSTATUS(st))


def print_domain(domain, shown_pid=None, subdomains=None, asid=None):
    """`launchctl print <domain-target>` in the layout real launchd prints
    (README: where the shape comes from): counts and a security context,
    then `services = {` with one line per loaded job in launchd's columns,
    pid right-aligned in 8 (0 when not running), the last exit status in 6
    ("-" never exited, the code, or minus the signal), a space and a tab,
    the label; then blocks whose lines look alike but are not jobs
    (endpoints), and the overrides. shown_pid(label): the pid to name
    instead of a running job's own (the print-pid hook), or None.
    subdomains: the names of its `subdomains = {` block (None: no block);
    asid: a gui domain's audit session."""
    kind, _, handle = domain.name.partition("/")
    services = sorted(domain.services.items())
    active = sum(1 for _, svc in services if svc.pid)
    lines = [f"{domain.name} = {{",
             f"\ttype = {'login' if kind == 'gui' else kind}",
             f"\thandle = {handle or 0}",
             f"\tactive count = {active}",
             f"\tservice count = {len(services)}",
             f"\tactive service count = {active}"]
    if kind == "system":
        lines.append("\tmaximum allowed shutdown time = 65 s")
    lines += [f"\tcreator = {'launchd[1]' if kind == 'system' else 'loginwindow[536]'}",
              "\tcreator euid = 0"]
    if kind == "gui":
        lines.append("\tsession = Aqua")
    lines += ["\tsecurity context = {",
              "\t\tuid unset" if kind == "system" else f"\t\tuid = {handle}",
              "\t\tasid = 0" if kind == "system" else f"\t\tasid = {asid or 100017}",
              "\t}", ""]
    if subdomains is not None:
        lines += ["\tsubdomains = {"] + [f"\t\t{name}" for name in subdomains] + ["\t}", ""]
    lines.append("\tservices = {")
    for label, svc in services:
        pid = ((shown_pid(label) if shown_pid else None) or svc.pid) if svc.pid else 0
        lines.append(f"\t\t{pid:>8} {_list_status(svc, '-'):>6} \t{label}")
    lines += ["\t}", "", "\tunmanaged processes = {", "\t}", "", "\tendpoints = {"]
    lines += [f"\t\t{0:>8}    M   {'A' if svc.pid else 'D'}   {label}" for label, svc in services]
    lines += ["\t}", "", "\tdisabled services = {"]
    lines += [f'\t\t"{label}" => {"disabled" if off else "enabled"}'
              for label, off in sorted(domain.overrides.items())]
    lines += ["\t}"]
    if kind in ("system", "gui"):
        props = "uncorked | audit check done" if kind == "system" else "gui | gui login"
        lines += ["", f"\tproperties = {props}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def list_table(domain):
    lines = ["PID\tStatus\tLabel"]
    for label, svc in sorted(domain.services.items()):
        lines.append(f"{svc.pid or '-'}\t{_list_status(svc)}\t{label}")
    return "\n".join(lines) + "\n"


def list_one(svc):
    """`launchctl list <label>`: the old-style dictionary. LastExitStatus
    is the raw wait status, as launchd reports it."""
    spec = svc.spec
    lines = ["{",
             f'\t"LimitLoadToSessionType" = "{"System" if svc.domain.name == "system" else "Aqua"}";',
             f'\t"Label" = "{spec.label}";',
             f'\t"OnDemand" = {"false" if spec.keep_alive else "true"};',
             f'\t"LastExitStatus" = {svc.last_status or 0};']
    if svc.pid:
        lines.append(f'\t"PID" = {svc.pid};')
    lines.append(f'\t"Program" = "{spec.executable()}";')
    lines.append('\t"ProgramArguments" = (')
    lines += [f'\t\t"{a}";' for a in spec.argv()]
    lines += ["\t);", "};"]
    return "\n".join(lines) + "\n"


def print_disabled(domain):
    """`launchctl print-disabled <domain>`: the overrides, current wording."""
    lines = ["disabled services = {"]
    lines += [f'\t"{label}" => {"disabled" if off else "enabled"}'
              for label, off in sorted(domain.overrides.items())]
    lines.append("}")
    if domain.name.startswith("gui/"):
        lines += ["", "login item associations = {", "}"]
    return "\n".join(lines) + "\n"

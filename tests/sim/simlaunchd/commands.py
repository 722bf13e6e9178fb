"""launchctl's subcommands as the daemon runs them: argument syntax, exit
codes and messages of the real launchctl (macOS 10.10+ forms).

Each handler takes (ctx, args, respond) and calls respond(Reply) exactly
once, at once or later (kickstart -k answers after the restart)."""

import getopt
import os
from dataclasses import dataclass

from . import jobspec, render

EUSAGE = 64
ENODOMAIN = 112
ENOSERVICE = 113

# macOS errno values and strerror texts (several differ from Linux's).
EPERM, ENOENT, ESRCH, EIO, EINPROGRESS, EALREADY = 1, 2, 3, 5, 36, 37
EDISABLED, ENOTSUP_DOMAIN, ESIP = 119, 125, 150
STRERROR = {
    EPERM: "Operation not permitted",
    ENOENT: "No such file or directory",
    ESRCH: "No such process",
    EIO: "Input/output error",
    EINPROGRESS: "Operation now in progress",
    EALREADY: "Operation already in progress",
    ENODOMAIN: "Could not find specified domain",
    EDISABLED: "Service is disabled",
    ENOTSUP_DOMAIN: "Domain does not support specified action",
    ESIP: "Operation not permitted while System Integrity Protection is engaged",
}
ROOT_HINT = "Try re-running the command as root for richer errors.\n"
BAD_REQUEST = "Bad request.\n"

USAGE = {
    "bootstrap": "<domain-target> [service-path, service-path2, ...]",
    "bootout": "<domain-target> [service-path1, service-path2, ...] | <service-target>",
    "enable": "<service-target>",
    "disable": "<service-target>",
    "kickstart": "[-k] [-p] <service-target>\n"
                 "\t-k      Terminates the service if it is already running.\n"
                 "\t-p      Prints the PID of the service that was started.\n"
                 "\t-s      Starts the service suspended so that a debugger may attach.",
    "print": "<domain-target> | <service-target>",
    "print-disabled": "<domain-target>",
    "list": "[service-name]",
}

BAD_TARGET = ("Unrecognized target specifier. <service-target> takes a form of "
              "<domain-target>/<service-id>.\n"
              "Please refer to `man launchctl` for explanation of the <domain-target> specifiers.\n")

HANDLE_KINDS = ("gui", "user", "login", "session", "pid")


@dataclass
class Reply:
    status: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class Context:
    launchd: object
    command: str
    uid: int
    cwd: str
    tty: bool


class Failure(Exception):
    """Ends a command with status and the message launchctl prints."""

    def __init__(self, status, stderr):
        super().__init__(stderr)
        self.status = status
        self.stderr = stderr


def usage(command):
    return Failure(EUSAGE, f"Usage: launchctl {command} {USAGE[command]}\n")


def bad_target(command):
    return Failure(EUSAGE, BAD_TARGET + usage(command).stderr)


def parse_target(text, command):
    """'system[/label]' or '<kind>/<number>[/label]' -> (domain, label|None)."""
    if text == "system" or text.startswith("system/"):
        return "system", text[len("system/"):] or None
    parts = text.split("/", 2)
    if len(parts) < 2 or parts[0] not in HANDLE_KINDS or not parts[1].isdigit():
        raise bad_target(command)
    label = parts[2] if len(parts) == 3 and parts[2] else None
    return f"{parts[0]}/{int(parts[1])}", label


def find_domain(ctx, name):
    """The domain, or launchctl's failure: a gui/<uid> without a GUI
    session is 112 for print and kickstart, 125 for bootstrap and bootout."""
    domain = ctx.launchd.domain(name)
    if domain is None:
        if ctx.command in ("bootstrap", "bootout") and name.startswith("gui/"):
            raise Failure(ENOTSUP_DOMAIN, _failed_prefix(ctx.command) +
                          f"{ENOTSUP_DOMAIN}: {STRERROR[ENOTSUP_DOMAIN]}\n")
        raise Failure(ENODOMAIN, _bad_request(ctx) + "Could not find domain for "
                      f"{render.domain_description(name)}\n")
    return domain


def _bad_request(ctx):
    """Modern launchctl's print prefixes its failures with this line."""
    return BAD_REQUEST if ctx.command.startswith("print") else ""


def _failed_prefix(command):
    return {"bootstrap": "Bootstrap failed: ", "bootout": "Boot-out failed: "}[command]


def find_service(domain, label, ctx=None):
    svc = domain.services.get(label)
    if svc is None:
        raise Failure(ENOSERVICE, (_bad_request(ctx) if ctx else "") +
                      f'Could not find service "{label}" in domain for '
                      f"{render.domain_description(domain.name)}\n")
    return svc


def failure_text(command, label, code, as_root=True):
    """launchctl's line for code as command prints it. 64 is launchctl's
    own usage error, printed before any request reaches launchd."""
    if code == EUSAGE and command in USAGE:
        return bad_target(command).stderr
    text = STRERROR.get(code, "Unknown error")
    if command == "kickstart":
        return f'Could not kickstart service "{label}": {code}: {text}\n'
    if command in ("bootstrap", "bootout"):
        hint = ROOT_HINT if command == "bootstrap" and code == EIO and not as_root else ""
        return f"{_failed_prefix(command)}{code}: {text}\n{hint}"
    return f"{code}: {text}\n"


def injected(ctx, label, domain):
    """A fault set with `launchd-sim fault` for this call on label in
    domain (its name), or None."""
    return ctx.launchd.faults.take_exit(ctx.command, label, domain)


def as_root(ctx):
    return ctx.uid == 0 and not ctx.launchd.config.as_user


def service_target(ctx, args):
    """The single <service-target> argument of ctx.command, resolved."""
    if len(args) != 1:
        raise usage(ctx.command)
    name, label = parse_target(args[0], ctx.command)
    if label is None:
        raise bad_target(ctx.command)
    return find_service(find_domain(ctx, name), label, ctx)


def cmd_print(ctx, args, respond):
    if len(args) != 1:
        raise usage("print")
    name, label = parse_target(args[0], "print")
    domain = find_domain(ctx, name)
    if label is None:
        kind, _, handle = domain.name.partition("/")
        asid = ctx.launchd.gui_asid(int(handle)) if kind == "gui" else None
        respond(Reply(0, _indented(ctx, render.print_domain(
            domain, lambda lb: _shown_pid(ctx, lb), ctx.launchd.subdomains(domain), asid))))
        return
    fault = injected(ctx, label, domain.name)
    if fault:
        raise Failure(fault["code"], _bad_request(ctx) + failure_text("print", label, fault["code"]))
    log_dir = os.path.join(ctx.launchd.config.state_dir, "logs")
    respond(Reply(0, _indented(ctx, render.print_service(find_service(domain, label, ctx),
                                                         log_dir, _shown_pid(ctx, label)))))


def _indented(ctx, text):
    """print's text, its leading tabs N spaces each with --indent N."""
    n = ctx.launchd.config.indent
    if not n:
        return text
    lines = []
    for line in text.split("\n"):
        body = line.lstrip("\t")
        lines.append(" " * (n * (len(line) - len(body))) + body)
    return "\n".join(lines)


def _shown_pid(ctx, label):
    """A test's stand-in for the pid launchd names (print-pid/<label> in the
    state directory): a pid that exited or is another user's, which the
    real launchd can name between its answer and the caller's look."""
    path = os.path.join(ctx.launchd.config.state_dir, "print-pid", label)
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _kickstart_failure(svc, code):
    """launchctl's line for a kickstart answering code: 113 in the words
    real kickstarts answer it (`Could not find service "L" in domain for
    system`: nix-installer#960, hermes-agent PR #5536), without print's
    `Bad request.`; any other in launchctl's kickstart form."""
    if code == ENOSERVICE:
        return (f'Could not find service "{svc.label}" in domain for '
                f"{render.domain_description(svc.domain.name)}\n")
    return failure_text("kickstart", svc.label, code)


def cmd_kickstart(ctx, args, respond):
    try:
        opts, rest = getopt.getopt(args, "kps")
    except getopt.GetoptError:
        raise usage("kickstart") from None
    flags = {flag for flag, _ in opts}
    if "-s" in flags:
        raise Failure(1, "launchctl: kickstart -s is not supported by the launchd simulator\n")
    svc = service_target(ctx, rest)
    if svc.label.startswith("com.apple."):
        raise Failure(ESIP, failure_text("kickstart", svc.label, ESIP))
    fault = injected(ctx, svc.label, svc.domain.name)
    if fault and fault.get("unload"):
        # Another tool (`brew services stop`) booted the job out just
        # before this call reached launchd: answered once the job is gone,
        # as launchd answers a kickstart of a label it has not loaded.
        def gone():
            try:
                find_service(svc.domain, svc.label, ctx)
            except Failure as e:
                respond(Reply(e.status, "", e.stderr))
                return
            respond(Reply(fault["code"], "", _kickstart_failure(svc, fault["code"])))

        ctx.launchd.bootout(svc, removed=gone)
        return
    if fault and not fault["perform"]:
        raise Failure(fault["code"], _kickstart_failure(svc, fault["code"]))
    if svc.booting_out:
        raise Failure(EINPROGRESS, f'Could not kickstart service "{svc.label}": '
                      f"{EINPROGRESS}: {STRERROR[EINPROGRESS]}\n")

    def done(pid):
        if fault:
            respond(Reply(fault["code"], "", _kickstart_failure(svc, fault["code"])))
        elif pid is None:
            respond(Reply(ESRCH, "", f'Could not kickstart service "{svc.label}": '
                          f"{ESRCH}: {STRERROR[ESRCH]}\n"))
        elif "-p" not in flags:
            respond(Reply(0))
        elif ctx.tty:
            respond(Reply(0, f"service spawned with pid: {pid}\n"))
        else:
            respond(Reply(0, f"{pid}\n"))

    ctx.launchd.kickstart(svc, "-k" in flags, done)


def _bootout_failed(code):
    return Failure(code, failure_text("bootout", "", code))


def _label_of(path):
    try:
        return jobspec.load(path).label
    except jobspec.SpecError as e:
        raise _bootout_failed(ENOENT if e.code == ENOENT else EIO) from None


def cmd_bootout(ctx, args, respond):
    if not args:
        raise usage("bootout")
    name, label = parse_target(args[0], "bootout")
    domain = find_domain(ctx, name)
    if label is None:
        if len(args) == 1:  # tearing down a whole domain is not simulated
            raise _bootout_failed(ENOTSUP_DOMAIN)
        labels = [_label_of(os.path.join(ctx.cwd, p)) for p in args[1:]]
    else:
        labels = [label]
    # An injected answer with perform: the bootout goes on (osquery#5698:
    # 36 "Operation now in progress", and the daemon did stop); with
    # when_gone it is answered only once the job is gone (a 5 that launchd
    # acted on all the same). Removal always comes later, from the loop.
    state = {"code": 0, "late": 0, "done": False}

    def answer():
        code = state["code"]
        respond(Reply(code, "", _bootout_failed(code).stderr if code else ""))

    def one_gone():
        state["late"] -= 1
        if state["late"] == 0 and state["done"]:
            answer()

    for lab in labels:
        if lab.startswith("com.apple."):
            raise _bootout_failed(ESIP)
        fault = injected(ctx, lab, domain.name)
        svc = domain.services.get(lab)
        if fault and fault.get("unload") and svc is not None:
            # Another tool (`brew services stop`) booted the job out just
            # before this call reached launchd: answered once the job is
            # gone, as launchd answers a bootout of a label it has not
            # loaded (3 `No such process`, whatever --code says).
            state["late"] += 1
            state["code"] = state["code"] or ESRCH
            ctx.launchd.bootout(svc, removed=one_gone)
            continue
        if fault and not fault["perform"]:
            raise _bootout_failed(fault["code"])
        if svc is None:
            raise _bootout_failed(ESRCH)
        late = bool(fault and fault.get("when_gone"))
        svc.hide_stopping = bool(fault and fault.get("hide_stopping"))
        state["late"] += late
        ctx.launchd.bootout(svc, removed=one_gone if late else None)
        state["code"] = state["code"] or (fault["code"] if fault else 0)
    state["done"] = True
    if state["late"] == 0:
        answer()


def cmd_bootstrap(ctx, args, respond):
    if len(args) < 2:
        raise usage("bootstrap")
    name, label = parse_target(args[0], "bootstrap")
    if label is not None:
        raise bad_target("bootstrap")
    domain = find_domain(ctx, name)
    root = as_root(ctx)
    for path in args[1:]:
        full = os.path.join(ctx.cwd, path)
        fault = injected(ctx, _plist_label(full), domain.name)
        if fault and not fault["perform"]:
            raise Failure(fault["code"], failure_text("bootstrap", "", fault["code"], root))
        code = ctx.launchd.bootstrap(domain, full, root)
        if code:
            raise Failure(code, failure_text("bootstrap", "", code, root))
        if fault:
            raise Failure(fault["code"], failure_text("bootstrap", "", fault["code"], root))
    respond(Reply(0))


def _plist_label(path):
    try:
        return jobspec.load(path).label
    except jobspec.SpecError:
        return None


def cmd_enable(ctx, args, respond):
    """enable / disable: the override launchd consults at bootstrap; a
    running job is left alone, as launchd does."""
    if len(args) != 1:
        raise usage(ctx.command)
    name, label = parse_target(args[0], ctx.command)
    if label is None:
        raise bad_target(ctx.command)
    find_domain(ctx, name).overrides[label] = ctx.command == "disable"
    respond(Reply(0))


def cmd_print_disabled(ctx, args, respond):
    """print-disabled <domain-target>: the overrides enable/disable wrote
    (a plist's own Disabled key is not listed, as on a real Mac)."""
    if len(args) != 1:
        raise usage("print-disabled")
    name, label = parse_target(args[0], "print-disabled")
    if label is not None:
        raise bad_target("print-disabled")
    respond(Reply(0, _indented(ctx, render.print_disabled(find_domain(ctx, name)))))


def _caller_domain(ctx):
    """Where plain `launchctl list` looks: root sees system, a user their
    GUI domain if they have one, else their user domain."""
    if ctx.uid == 0:
        return ctx.launchd.domain("system")
    return ctx.launchd.domain(f"gui/{ctx.uid}") or ctx.launchd.domain(f"user/{ctx.uid}")


def cmd_list(ctx, args, respond):
    if len(args) > 1:
        raise usage("list")
    domain = _caller_domain(ctx)
    if not args:
        respond(Reply(0, render.list_table(domain)))
        return
    svc = domain.services.get(args[0])
    if svc is None:  # list keeps the legacy wording
        raise Failure(ENOSERVICE, f'Could not find service "{args[0]}" in domain for port\n')
    respond(Reply(0, render.list_one(svc)))


COMMANDS = {
    "bootout": cmd_bootout,
    "bootstrap": cmd_bootstrap,
    "disable": cmd_enable,
    "enable": cmd_enable,
    "kickstart": cmd_kickstart,
    "list": cmd_list,
    "print": cmd_print,
    "print-disabled": cmd_print_disabled,
}


def help_text():
    lines = ["Usage: launchctl <subcommand> ... | help [subcommand]", "", "Subcommands:"]
    lines += [f"\t{name:<16}{USAGE[name].splitlines()[0]}" for name in sorted(COMMANDS)]
    return "\n".join(lines) + "\n"


def run(launchd, request, respond):
    """Run one launchctl invocation; request holds argv (without argv[0]),
    the caller's uid and cwd, and whether its stdout is a terminal."""
    argv = [str(a) for a in request.get("argv", [])]
    if not argv or argv[0] == "help":
        respond(Reply(0, help_text()))
        return
    handler = COMMANDS.get(argv[0])
    if handler is None:
        respond(Reply(1, "", f"Unrecognized subcommand: {argv[0]}\n" + help_text()))
        return
    launchd.log_call(argv)
    ctx = Context(launchd, argv[0], int(request.get("uid", os.getuid())),
                  str(request.get("cwd", "/")), bool(request.get("tty", False)))
    try:
        handler(ctx, argv[1:], respond)
    except Failure as f:
        respond(Reply(f.status, "", f.stderr))

"""What `relaunch --help` and `relaunch help <command>` say: the commands,
and each command's options, for the tests that hold the man page, the
README and the shell completions to the command line itself."""
import re
import subprocess


def _help(relaunch, *args):
    r = subprocess.run([relaunch, *args], capture_output=True, text=True, check=True)
    return r.stdout


def help_text(relaunch, command):
    """What `relaunch help COMMAND` prints."""
    return _help(relaunch, "help", command)


def commands(relaunch):
    """The commands `relaunch --help` lists, in its order (help included)."""
    text = _help(relaunch, "--help")
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    names = [m.group(1) for m in re.finditer(r"^  ([a-z]+) ", block, re.M)]
    if len(names) < 5:
        raise SystemExit(f"cannot read the commands from relaunch --help:\n{text}")
    return names


def options(relaunch, command):
    """{"--long", "-s", ...}: every option `relaunch help COMMAND` lists."""
    text = _help(relaunch, "help", command)
    block = text.split("options:\n", 1)[1].split("\n\n", 1)[0]
    found = set()
    for m in re.finditer(r"^  (?:(-[A-Za-z]), )?\s*(--[a-z][a-z-]*)", block, re.M):
        if m.group(1):
            found.add(m.group(1))
        found.add(m.group(2))
    if "--help" not in found:
        raise SystemExit(f"cannot read the options of {command}:\n{text}")
    return found


def operands(relaunch, command):
    """The operand words of `relaunch help COMMAND`'s usage line
    (['install', 'uninstall', 'print'], ['check'], ['[JOB...]'])."""
    first = _help(relaunch, "help", command).splitlines()[0]
    rest = first.split("[options]", 1)[1].split()
    return [w for w in rest if w != "|"]

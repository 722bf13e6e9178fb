"""relaunch(1): the page meson built from docs/relaunch.1.scd renders with
`man -l` without a warning, and it and the README agree with the command
line: every command, every option each command's --help lists, every exit
code, every environment variable and state file.

usage: check_man.py MANPAGE RELAUNCH SRCDIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clihelp  # noqa: E402

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def render(page):
    """The page as man-db shows it, 80 columns; stderr must stay empty
    (groff's warnings: --warnings turns them all on)."""
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANOPT="", MAN_KEEP_FORMATTING="")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    version = subprocess.run(["man", "--version"], capture_output=True, text=True)
    args = ["man", "-P", "cat", "-l", page]
    if "man-db" in version.stdout + version.stderr:
        args[1:1] = ["--warnings", "-E", "UTF-8"]
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    check(r.returncode == 0, f"man -l exited {r.returncode}")
    check(r.stderr == "", f"man -l said on stderr:\n{r.stderr}")
    # Rendered bold/underline may still carry overstrikes: drop them.
    return re.sub(r".\x08", "", r.stdout)


def sections(text):
    """{"NAME": body, ...} by the unindented headings."""
    out, name = {}, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            name = line.strip()
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def entries(body):
    """COMMANDS' entries: {first word of a 7-space-indented line: its text}."""
    out, name = {}, None
    for line in body.splitlines():
        m = re.match(r"^ {7}([a-z]+)\b", line)
        if m:
            name = m.group(1)
            out[name] = line + "\n"
        elif name:
            out[name] += line + "\n"
    return out


def words(text):
    """Option-like and plain tokens, so '--json' never matches '--json-x'."""
    return set(re.findall(r"(?<![\w-])-{1,2}[A-Za-z][\w-]*|[\w.]+", text))


def readme_synopsis(readme, command):
    """The first synopsis of `relaunch COMMAND` in README: an indented
    block (with its continuation lines), else one in backquotes."""
    lines = readme.split("\n")
    for i, line in enumerate(lines):
        if re.match(rf"    relaunch {command}\b", line):
            block = [line]
            for more in lines[i + 1:]:
                if not re.match(r"     +[\[-]", more):
                    break
                block.append(more)
            return " ".join(block)
    m = re.search(rf"`relaunch {command} \[[^`]*`", readme)
    return m.group(0) if m else ""


def main():
    page, relaunch, srcdir = sys.argv[1:4]
    with open(page, encoding="utf-8") as f:
        source = f.read()
    check(source.startswith(".\\\"") or source.startswith(".TH") or "\n.TH " in source,
          "the page has no .TH header")
    text = render(page)
    secs = sections(text)
    for need in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "JSON OUTPUT",
                 "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"):
        check(need in secs, f"no {need} section")
    with open(os.path.join(srcdir, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    readme_words = words(readme)

    cmds = clihelp.commands(relaunch)
    per_command = entries(secs.get("COMMANDS", ""))
    shared = words(secs.get("OPTIONS", ""))
    synopsis = secs.get("SYNOPSIS", "")
    for c in cmds:
        check(c in per_command, f"COMMANDS has no entry for '{c}'")
        check(re.search(rf"\brelaunch {c}\b", synopsis), f"SYNOPSIS does not name '{c}'")
        check(f"relaunch {c}" in readme, f"README does not name 'relaunch {c}'")
        if c == "help":
            continue
        own = words(per_command.get(c, ""))
        for opt in sorted(clihelp.options(relaunch, c)):
            check(opt in own or opt in shared,
                  f"man page: '{c}' accepts {opt}, which neither its entry nor OPTIONS names")
            check(opt in readme_words, f"README: '{c}' accepts {opt}, which it never names")
        for w in clihelp.operands(relaunch, c):
            w = w.strip("[].")
            check(w in own or w.rstrip(".") in synopsis,
                  f"man page: '{c}' takes '{w}', which its entry does not name")
        # README's synopsis of the command (its first) names every option
        # but those every command takes, which README says it leaves out;
        # --quiet is named where it takes a value too (run, agent).
        syn = readme_synopsis(readme, c)
        check(syn, f"README has no synopsis of 'relaunch {c}'")
        always = {"-h", "--help", "-v", "--verbose", "-q", "--quiet"}
        if re.search(r"^\s+-q, --quiet \[S\]", clihelp.help_text(relaunch, c), re.M):
            always.discard("--quiet")
        for opt in sorted(clihelp.options(relaunch, c) - always):
            check(syn and re.search(re.escape(opt) + r"(?![\w-])", syn),
                  f"README: the synopsis of '{c}' leaves out {opt}")

    exits = secs.get("EXIT STATUS", "")
    for code in range(5):
        check(re.search(rf"^ {{7}}{code}$", exits, re.M), f"EXIT STATUS does not list {code}")
        check(re.search(rf"^\| {code} \|", readme, re.M), f"README's exit table lacks {code}")

    # --help's exit codes are the README's table: every code, and 3 for a
    # refused restart as for a failed one, in the overview and in each
    # command's "3 when ... failed"; run -n, which exits as the run would,
    # says its 3 too.
    table = dict(re.findall(r"^\| ([0-9]+(?: \+ N)?) \| (.*) \|$", readme, re.M))
    top = re.sub(r"\s+", " ", subprocess.run([relaunch, "--help"], capture_output=True,
                                              text=True).stdout)
    listed = re.search(r"exit codes: (.*?)\.(?: |$)", top)
    check(listed, "relaunch --help lists no exit codes")
    listed = dict(re.findall(r"(?:^|, )([0-9]+(?: \+ N)?) (.*?)(?=, [0-9]+(?: \+ N)? |$)",
                             listed.group(1) if listed else ""))
    check(set(listed) == set(table),
          f"relaunch --help's exit codes {sorted(listed)} are not the README's {sorted(table)}")
    check("refused" in table.get("3", "") and "refused" in listed.get("3", ""),
          "relaunch --help: exit 3 does not say 'refused', as the README does")
    for c in cmds:
        if c == "help":
            continue
        text = re.sub(r"\s+", " ", subprocess.run([relaunch, "help", c], capture_output=True,
                                                  text=True).stdout)
        for clause in re.findall(r"\b3 when [^,;.]*", text):
            check("failed" not in clause or "refused" in clause,
                  f"relaunch help {c}: '{clause}' leaves out a refused restart (README: 3)")
        if c == "run":
            check(re.search(r"-n exits [^;]*\b3 when a step is refused", text),
                  "relaunch help run: -n's exit codes leave out 3 for a refused step")

    # The environment and the state files: the README's lists and the page's.
    env_readme = set(re.findall(r"`([A-Z][A-Z_]+)`",
                                "\n".join(re.findall(r"^\| `[A-Z_]+`.*$", readme, re.M))))
    env_page = set(re.findall(r"^ {7}([A-Z_]+)(?:, ([A-Z_]+))?$", secs.get("ENVIRONMENT", ""),
                              re.M))
    env_page = {v for pair in env_page for v in pair if v}
    check(env_readme and env_readme <= env_page,
          f"ENVIRONMENT lacks {sorted(env_readme - env_page)}")
    check(env_page <= readme_words, f"README never names {sorted(env_page - readme_words)}")
    files = secs.get("FILES", "")
    for name in ("manifest.json", "config.json", "history.json", "intent.json", "runs.json",
                 "runs.lock", "watch.json", "lock", "agent.log"):
        check(f"<state-dir>/{name}" in files, f"FILES lacks <state-dir>/{name}")
        check(name in readme, f"README never names {name}")

    # The time a restart line shows runs to the end of its settle: an
    # example under --settle's default could not be printed, and both say so.
    help_text = subprocess.run([relaunch, "run", "--help"], capture_output=True,
                               text=True).stdout
    settle = re.search(r"--settle S .*\(default ([0-9.]+)\)", help_text)
    check(settle, "run --help names no --settle default")
    with open(os.path.join(srcdir, "docs", "relaunch.1.scd"), encoding="utf-8") as f:
        scd = re.sub(r"\s+", " ", f.read())
    for where, doc in (("README", re.sub(r"\s+", " ", readme)), ("man page", scd)):
        times = re.findall(r"pid [0-9]+ → [0-9]+ in ([0-9.]+) s", doc)
        check(times, f"{where} shows no restart line with its time")
        for t in times:
            check(not settle or float(t) >= float(settle.group(1)),
                  f"{where}: a restart shown taking {t} s, under the --settle default "
                  f"({settle and settle.group(1)} s) that its time includes")
        check("to the end of its settle" in doc,
              f"{where} does not say that a restart's time runs to the end of its settle")

    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"relaunch(1): {len(cmds)} commands, rendered without warnings, "
          "consistent with --help and README")


if __name__ == "__main__":
    main()

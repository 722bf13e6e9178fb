"""The bash, zsh and fish completions: meson installs each where its shell
looks, and each, loaded in its own shell, completes a command from a
prefix, exactly the options `relaunch help <command>` lists (after the
command, and after `relaunch help <command>` too, whose options help
takes), the operands of agent, config and help (help's second: agent's or
config's), and job labels from the plist directories.

usage: check_completions.py RELAUNCH SRCDIR BUILDDIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clihelp  # noqa: E402

problems = []

# One zsh under a pseudo-terminal (zsh/zpty), its completion system loaded
# once, compadd wrapped to append every match it is given to $__out; for
# each line, $__out is set, the line typed, completed with TAB, erased, and
# a marker printed. TAB runs the completion and then shows COMPDONE, and
# nothing more is typed before it shows: keys typed ahead would make zsh
# skip the completion on a loaded machine. Arguments: the fpath
# directory, then pairs of output file and line.
ZSH_DRIVER = r"""
zmodload zsh/zpty
dir=$1
shift
zpty z zsh -f -i
zpty -w z "PS1='PRO''MPT> '"
zpty -r z _ '*PROMPT> *'
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -r z _ '*PROMPT> *'
zpty -w z "_cm() { zle complete-word; zle -M COMP''DONE; }; zle -N _cm; bindkey '^I' _cm"
zpty -r z _ '*PROMPT> *'
zpty -w z "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; print -rl -- \$__m >> \$__out; builtin compadd \"\$@\"; }"
zpty -r z _ '*PROMPT> *'
while (( $# >= 2 )); do
  zpty -w z "__out=${(q)1}"
  zpty -r z _ '*PROMPT> *'
  zpty -w -n z "$2"$'\t'
  zpty -r z _ '*COMPDONE*'
  zpty -w -n z $'\C-u'
  zpty -w z "print -r -- END''MARK"
  zpty -r z _ '*ENDMARK*'
  shift 2
done
zpty -d z
"""

BASH_DRIVER = r"""
source "$1"
shift
fn=$(complete -p relaunch | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || { echo "relaunch has no completion function" >&2; exit 1; }
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$fn" relaunch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def shell(name):
    path = shutil.which(name)
    if not path:
        raise SystemExit(f"{name} is not installed (./dev installs it)")
    return path


class Shells:
    def __init__(self, srcdir, tmp, env):
        self.dir = os.path.join(srcdir, "completions")
        self.tmp = tmp
        self.env = env
        self.bash, self.zsh, self.fish = shell("bash"), shell("zsh"), shell("fish")

    def run(self, args):
        r = subprocess.run(args, capture_output=True, text=True, env=self.env, cwd=self.tmp,
                           stdin=subprocess.DEVNULL)
        if r.returncode != 0 or r.stderr:
            problems.append(f"{args[0]} {args[1:3]}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    def complete(self, sh, line):
        """The matches SH offers at the end of LINE (words separated by
        single spaces; a trailing space starts a new word)."""
        if sh == "bash":
            words = line.split(" ")
            out = self.run([self.bash, "--norc", "--noprofile", "-c", BASH_DRIVER, "bash",
                            os.path.join(self.dir, "relaunch.bash"), *words])
            return {w for w in out.splitlines() if w}
        if sh == "fish":
            out = self.run([self.fish, "--no-config", "-c",
                            "source $argv[1]; complete -C $argv[2]",
                            os.path.join(self.dir, "relaunch.fish"), line])
            return {w.split("\t")[0] for w in out.splitlines() if w}
        return self.zsh_done[line]

    def zsh_batch(self, lines):
        """Complete every line in one zsh (its completion system starts once)."""
        args, outs = [], {}
        for i, line in enumerate(lines):
            outs[line] = os.path.join(self.tmp, f"zsh-{i}.out")
            open(outs[line], "w").close()
            args += [outs[line], line]
        self.run([self.zsh, "-f", "-c", ZSH_DRIVER, "zsh", self.dir, *args])
        self.zsh_done = {}
        for line, out in outs.items():
            with open(out) as f:
                self.zsh_done[line] = {w for w in f.read().splitlines() if w}


def expect(sh, line, got, want, exact=True):
    ok = got == want if exact else want <= got
    if not ok:
        problems.append(f"{sh}: '{line}' completes to {sorted(got)}, expected "
                        f"{'exactly ' if exact else 'at least '}{sorted(want)}")


def check_installed(builddir):
    """meson installs each script under the name and directory its shell reads."""
    r = subprocess.run(["meson", "introspect", "--installed", builddir],
                       capture_output=True, text=True, check=True)
    dests = {os.path.basename(src): dst for src, dst in json.loads(r.stdout).items()}
    want = {"relaunch.bash": "share/bash-completion/completions/relaunch",
            "_relaunch": "share/zsh/site-functions/_relaunch",
            "relaunch.fish": "share/fish/vendor_completions.d/relaunch.fish"}
    for src, tail in want.items():
        if not dests.get(src, "").endswith("/" + tail):
            problems.append(f"{src} installs to {dests.get(src)}, not <prefix>/{tail}")


def check_quiet(srcdir):
    """-q's description says the rule --help says: no information on
    stderr, the errors, warnings and run's failed and refused lines kept."""
    for name in ("_relaunch", "relaunch.fish"):
        with open(os.path.join(srcdir, "completions", name)) as f:
            lines = [ln for ln in f if "quiet" in ln and ("[" in ln or " -d " in ln)]
        if not lines:
            problems.append(f"{name}: no description of -q/--quiet found")
        for ln in lines:
            if not ("no information on stderr, only errors, warnings and the failed and "
                    "refused lines" in ln):
                problems.append(f"{name}: -q is not described by its rule: {ln.strip()}")


def main():
    relaunch, srcdir, builddir = sys.argv[1:4]
    check_installed(builddir)
    check_quiet(srcdir)
    cmds = clihelp.commands(relaunch)
    with tempfile.TemporaryDirectory() as tmp:
        agents, daemons = os.path.join(tmp, "agents"), os.path.join(tmp, "daemons")
        os.mkdir(agents)
        os.mkdir(daemons)
        for d, label in ((agents, "homebrew.mxcl.nginx"), (agents, "org.macports.redis"),
                         (daemons, "org.example.backup")):
            open(os.path.join(d, label + ".plist"), "w").close()
        env = dict(os.environ, HOME=tmp, RELAUNCH_AGENT_DIRS=agents,
                   RELAUNCH_DAEMON_DIRS=daemons, TERM="dumb", LC_ALL="C.UTF-8")
        cases = {
            "relaunch pl": {"plan"},
            "relaunch re": {"record", "report"},
            "relaunch ": set(cmds),
            "relaunch run --dr": {"--dry-run", "--drain-queue"},
            "relaunch agent ": {"install", "uninstall", "print"},
            "relaunch config ": {"check"},
            "relaunch help ": set(cmds),
            "relaunch help agent ": {"install", "uninstall", "print"},
            "relaunch help config ": {"check"},
            "relaunch run homebrew.": {"homebrew.mxcl.nginx"},
            "relaunch plan org.": {"org.macports.redis", "org.example.backup"},
            "relaunch jobs org.m": {"org.macports.redis"},
            # Nothing follows the version; -h before a command is help.
            "relaunch -V ": set(),
            "relaunch --version ": set(),
            "relaunch -h ": set(cmds),
            "relaunch --help config ": {"check"},
        }
        for cmd in cmds:
            if cmd != "help":
                opts = clihelp.options(relaunch, cmd)
                cases[f"relaunch {cmd} -"] = opts
                # `relaunch help log --count`: help takes the command's options.
                cases[f"relaunch help {cmd} -"] = opts
        cases["relaunch -h log -"] = clihelp.options(relaunch, "log")
        cases["relaunch help run "] = set()  # help takes no job
        # `relaunch help help` is help's overview: no command follows it.
        cases["relaunch help help "] = set()
        cases["relaunch help agent install -"] = clihelp.options(relaunch, "agent")
        cases["relaunch help config check --"] = {
            o for o in clihelp.options(relaunch, "config") if o.startswith("--")}
        # A command takes one subcommand: none is offered after it (zsh
        # offers the options there, as for any empty word).
        subs = {"install", "uninstall", "print", "check"}
        after_sub = ["relaunch agent install ", "relaunch agent --system print ",
                     "relaunch config check "]
        sh = Shells(srcdir, tmp, env)
        sh.zsh_batch(list(cases) + after_sub)
        for name in ("bash", "zsh", "fish"):
            for line, want in cases.items():
                expect(name, line, sh.complete(name, line), want)
            for line in after_sub:
                got = sh.complete(name, line) & subs
                if got:
                    problems.append(f"{name}: '{line}' offers the subcommands {sorted(got)} again")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"bash, zsh and fish complete {len(cmds)} commands and their options")


if __name__ == "__main__":
    main()

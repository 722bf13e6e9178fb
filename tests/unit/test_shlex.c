#include "check.h"

#include "core/discover/shlex.h"
#include "core/base/util.h"

/* Split s and return the words of command i joined with '|', the program
 * word marked with '*' and dynamic words with '$'. */
static char *show(const struct rl_shcmds *c, size_t i)
{
	struct rl_buf b = {0};

	if (i >= c->n)
		return rl_xstrdup("(none)");
	for (size_t j = 0; j < c->v[i].n; j++) {
		rl_buf_addf(&b, "%s%s%s%s", j ? "|" : "", j == c->v[i].prog ? "*" : "",
			    c->v[i].w[j].dynamic ? "$" : "", c->v[i].w[j].text);
	}
	return rl_buf_detach(&b);
}

static void check_split(const char *s, size_t ncmds, const char *const *want)
{
	struct rl_shcmds c = {0};
	struct rl_error err = {0};

	CHECK_INT(rl_shlex_split(s, strlen(s), &c, &err), 0);
	CHECK_INT(c.n, ncmds);
	for (size_t i = 0; i < ncmds; i++) {
		char *got = show(&c, i);

		CHECK_STR(got, want[i]);
		free(got);
	}
	rl_shcmds_release(&c);
}

static void test_quotes(void)
{
	check_split("a 'b c' \"d e\" f\\ g", 1, (const char *const[]){"*a|b c|d e|f g"});
	check_split("'it'\\''s' \"a\\\"b\\\\c\\d\"", 1, (const char *const[]){"*it's|a\"b\\c\\d"});
	check_split("\"x\\$y\" 'x$y' \"$y\"", 1, (const char *const[]){"*x$y|x$y|$$y"});
	check_split("a\\\nb", 1, (const char *const[]){"*ab"});
	check_split("echo \"line\\\nnext\"", 1, (const char *const[]){"*echo|linenext"});
}

static void test_operators(void)
{
	check_split("/bin/wait4path /nix/store && exec /nix/store/x-foo/bin/foo --a", 2,
		    (const char *const[]){"*/bin/wait4path|/nix/store",
					  "exec|*/nix/store/x-foo/bin/foo|--a"});
	check_split("a || b; c | d & e\nf", 6,
		    (const char *const[]){"*a", "*b", "*c", "*d", "*e", "*f"});
	check_split("a;;b", 2, (const char *const[]){"*a", "*b"});
	check_split("Start()\n{\n\t/x/y start\n}", 4,
		    (const char *const[]){"Start", "{", "*/x/y|start", "}"});
	check_split("{ /x/y; }", 2, (const char *const[]){"{|*/x/y", "}"});
	check_split("  # only a comment\nx # tail", 1, (const char *const[]){"*x"});
	check_split("a#b", 1, (const char *const[]){"*a#b"});
}

static void test_prefixes(void)
{
	check_split("FOO=1 BAR='x y' /bin/prog arg", 1,
		    (const char *const[]){"FOO=1|BAR=x y|*/bin/prog|arg"});
	check_split("exec env -i PATH=/x HOME=/y -u Z nohup /bin/p", 1,
		    (const char *const[]){"exec|env|-i|PATH=/x|HOME=/y|-u|Z|nohup|*/bin/p"});
	check_split("command -p /bin/p; command -v p", 2,
		    (const char *const[]){"command|-p|*/bin/p", "command|-v|p"});
	check_split("exec -a name /bin/p", 1, (const char *const[]){"exec|-a|name|*/bin/p"});
	check_split("if /bin/test -f x; then /bin/a; fi", 3,
		    (const char *const[]){"if|*/bin/test|-f|x", "then|*/bin/a", "fi"});
	check_split("X=1", 1, (const char *const[]){"X=1"});
}

static void test_dynamic(void)
{
	check_split("$PREFIX/bin/x ${A:-b} $(cat f) `cat g` 'lit$'", 1,
		    (const char *const[]){"*$$PREFIX/bin/x|$${A:-b}|$$(cat f)|$`cat g`|lit$"});
	check_split("exec \"$@\"", 1, (const char *const[]){"exec|*$$@"});
	check_split("echo $ x", 1, (const char *const[]){"*echo|$|x"});
	check_split("\"$X$\"", 1, (const char *const[]){"*$$X$"});
	/* a `)` quoted in a $( … ) closes nothing (bash 5.2, dash 0.5.12) */
	check_split(
		"X=$(echo \")\") /bin/p \"$(echo \"a)`echo \")\"`$(echo \")\")\")\"; b", 2,
		(const char *const[]){
			"$X=$(echo \")\")|*/bin/p|$$(echo \"a)`echo \")\"`$(echo \")\")\")", "*b"});
}

static void test_redirects(void)
{
	/* a here-document's text is data, up to its delimiter alone on a
	 * line (after tabs for `<<-`), in the order of the `<<`; `<<<` is
	 * bash's here-string (bash 5.2, dash 0.5.12) */
	check_split("cat <<A; cat <<'B' >x\n)\nexec /bin/a\nA\n A\nB\n/bin/p\ncat "
		    "<<-\"C\"\n\t)\n\tC\n/bin/q "
		    "<<< x\n/bin/r",
		    6,
		    (const char *const[]){"*cat", "*cat", "*/bin/p", "*cat", "*/bin/q", "*/bin/r"});
	check_split("cat <<E\n/bin/x", 1, (const char *const[]){"*cat"});
	check_split("cat <<E; /bin/y\n/bin/x\nE\n/bin/z", 3,
		    (const char *const[]){"*cat", "*/bin/y", "*/bin/z"});

	check_split("/bin/p >/dev/null 2>&1 </in arg >> log", 1,
		    (const char *const[]){"*/bin/p|arg"});
	check_split("/bin/p 2> err x", 1, (const char *const[]){"*/bin/p|x"});
}

static void test_errors(void)
{
	static const char *const bad[] = {"'open",  "\"open", "`open",
					  "$(open", "${open", "a \"b $(c\""};
	struct rl_shcmds c = {0};
	struct rl_error err = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rl_error_clear(&err);
		CHECK_INT(rl_shlex_split(bad[i], strlen(bad[i]), &c, &err), -1);
		CHECK(err.set && strstr(err.text, "unterminated"));
		rl_shcmds_release(&c);
	}
	/* "$(" nested past MAX_NEST: refused, not read at the stack's cost */
	{
		struct rl_buf b = {0};

		rl_buf_adds(&b, "/bin/p ");
		for (int k = 0; k < 100000; k++)
			rl_buf_adds(&b, "\"$(");
		rl_error_clear(&err);
		CHECK_INT(rl_shlex_split(b.data, b.len, &c, &err), -1);
		CHECK(err.set && strstr(err.text, "nested"));
		rl_shcmds_release(&c);
		rl_buf_release(&b);
	}
	/* A NUL byte ends the text; nothing after it is read. */
	CHECK_INT(rl_shlex_split("a\0'b", 4, &c, NULL), 0);
	CHECK_INT(c.n, 1);
	rl_shcmds_release(&c);
	CHECK_INT(rl_shlex_split("", 0, &c, NULL), 0);
	CHECK_INT(c.n, 0);
	CHECK(rl_shcmd_program(&(struct rl_shcmd){0}) == NULL);
}

/* The value of the only word of s, expanded with env; NULL when refused. */
static char *expand1(const char *s, struct rl_shenv *env, int assignment)
{
	struct rl_shcmds c = {0};
	char *out = NULL;

	CHECK_INT(rl_shlex_split(s, strlen(s), &c, NULL), 0);
	CHECK(c.n == 1 && c.v[0].n == 1);
	if (c.n == 1 && c.v[0].n == 1 && rl_shword_expand(&c.v[0].w[0], env, assignment, &out) < 0)
		CHECK(out == NULL);
	rl_shcmds_release(&c);
	return out;
}

static void check_expand(const char *s, struct rl_shenv *env, const char *want)
{
	char *got = expand1(s, env, 0);

	if (want)
		CHECK_STR(got, want);
	else if (got)
		CHECK_STR(got, "(refused)");
	free(got);
}

static void test_expand(void)
{
	struct rl_shenv env = {0};
	int unknown;
	char *v;

	rl_shenv_set(&env, "PGCTL", "/opt/local/lib/postgresql16/bin/pg_ctl");
	rl_shenv_set(&env, "JAVA_HOME", "/opt/jdk");
	rl_shenv_set(&env, "EMPTY", "");
	rl_shenv_set(&env, "SPACED", "/a b");
	rl_shenv_set(&env, "DIR", NULL); /* assigned $(…) */
	check_expand("${PGCTL}", &env, "/opt/local/lib/postgresql16/bin/pg_ctl");
	check_expand("$PGCTL", &env, "/opt/local/lib/postgresql16/bin/pg_ctl");
	check_expand("\"${JAVA_HOME}/bin/java\"", &env, "/opt/jdk/bin/java");
	check_expand("$JAVA_HOME/bin/$EMPTY'java'", &env, "/opt/jdk/bin/java");
	/* literal $ stays literal: quoted, escaped */
	check_expand("'$JAVA_HOME'\\$x\"\\$y\"", &env, "$JAVA_HOME$x$y");
	/* defaults: unset, empty (with :), known */
	check_expand("${NOPE:-/opt/x}", &env, "/opt/x");
	check_expand("${NOPE-\"/opt/y\"}", &env, "/opt/y");
	check_expand("${EMPTY:-/d}", &env, "/d");
	check_expand("${EMPTY-/d}", &env, "");
	check_expand("${JAVA_HOME:-/d}", &env, "/opt/jdk");
	check_expand("${PGDATA:=/var/db/pg}", &env, "/var/db/pg");
	CHECK_STR(rl_shenv_get(&env, "PGDATA", &unknown), "/var/db/pg");
	/* refused: what only a running shell knows */
	check_expand("$NOPE", &env, NULL);
	check_expand("${DIR}/x", &env, NULL);
	check_expand("${DIR:-/d}", &env, NULL);
	check_expand("$(cat f)", &env, NULL);
	check_expand("\"$(dirname \"$0\")\"/x", &env, NULL);
	check_expand("`pwd`/x", &env, NULL);
	check_expand("$1", &env, NULL);
	check_expand("\"$@\"", &env, NULL);
	check_expand("${#JAVA_HOME}", &env, NULL);
	check_expand("${JAVA_HOME%/*}", &env, NULL);
	check_expand("${NOPE:-$(x)}", &env, NULL);
	/* uname prints the kernel's name: Darwin on macOS; nothing else of
	 * it (the release, the machine) is known */
	check_expand("\"$(uname)\"", &env, "Darwin");
	check_expand("$(uname -s)/x", &env, "Darwin/x");
	check_expand("$( /usr/bin/uname )", &env, "Darwin");
	check_expand("`uname`", &env, "Darwin");
	check_expand("$(uname -r)", &env, NULL);
	check_expand("$(uname -m)", &env, NULL);
	check_expand("$(uname -a)", &env, NULL);
	check_expand("$(uname -s -r)", &env, NULL);
	check_expand("$(unamex)", &env, NULL);
	check_expand("$(/bin/sh uname)", &env, NULL);
	check_expand("$((uname))", &env, NULL);
	/* $0, the path a script was executed by, when known; dirname(1) of
	 * a word whose value is certain */
	check_expand("$0", &env, NULL);
	env.arg0 = rl_xstrdup("/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-server");
	check_expand("$0", &env, "/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-server");
	check_expand("${0}x", &env, "/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-serverx");
	check_expand("$01", &env, "/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-server1");
	check_expand("${0:-/x}", &env, NULL);
	check_expand("\"$(dirname \"$0\")\"/rabbitmq-env", &env,
		     "/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-env");
	check_expand("`dirname $0`", &env, "/opt/homebrew/opt/rabbitmq/sbin");
	check_expand("$( /usr/bin/dirname \"${0}\" )", &env, "/opt/homebrew/opt/rabbitmq/sbin");
	check_expand("$(dirname \"$(dirname \"$0\")\")", &env, "/opt/homebrew/opt/rabbitmq");
	check_expand("$(dirname $JAVA_HOME/bin//)", &env, "/opt/jdk");
	check_expand("$(dirname /x)", &env, "/");
	check_expand("$(dirname //)", &env, "/");
	check_expand("$(dirname run.sh)", &env, ".");
	check_expand("$(dirname \"\")", &env, ".");
	check_expand("$(dirname \"$NOPE\")", &env, NULL);
	check_expand("$(dirname $DIR)", &env, NULL);
	check_expand("$(dirname $SPACED/x)", &env, NULL);
	check_expand("$(dirname '/a b/x')", &env, NULL);
	check_expand("$(dirname -- \"$0\")", &env, NULL);
	check_expand("$(dirname \"$0\" /y)", &env, NULL);
	check_expand("$(dirname)", &env, NULL);
	check_expand("$(dirnamex \"$0\")", &env, NULL);
	free(env.arg0);
	env.arg0 = rl_xstrdup("/a b/run.sh");
	check_expand("$(dirname \"$0\")", &env, NULL); /* sh splits the value */
	check_expand("\"$(dirname \"$0\")\"", &env, "/a b");
	free(env.arg0);
	env.arg0 = NULL;
	/* an unquoted value that sh would split or glob, except in an assignment */
	check_expand("$SPACED", &env, NULL);
	check_expand("\"$SPACED\"", &env, "/a b");
	v = expand1("X=$SPACED", &env, 1);
	CHECK_STR(v, "X=/a b");
	free(v);
	/* the environment's own rules */
	CHECK(rl_shenv_get(&env, "DIR", &unknown) == NULL && unknown);
	CHECK(rl_shenv_get(&env, "NOPE", &unknown) == NULL && !unknown);
	rl_shenv_set(&env, "DIR", "/now/known");
	CHECK_STR(rl_shenv_get(&env, "DIR", &unknown), "/now/known");
	CHECK(!unknown);
	{
		struct rl_shenv child, plist = {0};
		struct rl_strv kv = {0};

		rl_strv_push(&kv, "PATH=/opt/homebrew/bin:/usr/bin");
		rl_shenv_from_environ(&plist, &kv);
		rl_shenv_export(&env, "JAVA_HOME");
		env.arg0 = rl_xstrdup("/opt/x/run.sh");
		rl_shenv_child(&env, &child);
		CHECK(child.arg0 == NULL); /* a program has its own $0 */
		free(env.arg0);
		env.arg0 = NULL;
		CHECK_STR(rl_shenv_get(&child, "JAVA_HOME", &unknown), "/opt/jdk");
		CHECK(rl_shenv_get(&child, "PGCTL", &unknown) == NULL); /* not exported */
		rl_shenv_release(&child);
		rl_shenv_child(&plist, &child);
		CHECK_STR(rl_shenv_get(&child, "PATH", &unknown), "/opt/homebrew/bin:/usr/bin");
		rl_shenv_release(&child);
		rl_shenv_release(&plist);
		rl_strv_release(&kv);
	}
	rl_shenv_release(&env);
}

/* An unquoted `~` starting a word (or an assignment's value) is HOME;
 * quoted or escaped, or later in the word, it is a letter; `~user` and a
 * HOME not known are refused. */
static void test_tilde(void)
{
	struct rl_shenv env = {0};
	char *v;

	check_expand("~/app/server.js", &env, NULL); /* HOME unset */
	rl_shenv_set(&env, "HOME", NULL);
	check_expand("~", &env, NULL); /* HOME not known */
	rl_shenv_set(&env, "HOME", "/Users/me");
	rl_shenv_set(&env, "D", "app");
	check_expand("~", &env, "/Users/me");
	check_expand("~/app/server.js", &env, "/Users/me/app/server.js");
	check_expand("~/$D/x", &env, "/Users/me/app/x");
	check_expand("'~'/app", &env, "~/app");
	check_expand("\\~/app", &env, "~/app");
	check_expand("\"~/app\"", &env, "~/app");
	check_expand("\"~\"/$D", &env, "~/app");
	check_expand("a~/app", &env, "a~/app");
	check_expand("/x/~", &env, "/x/~");
	check_expand("${NOPE:-~/x}", &env, NULL);
	check_expand("~root/app", &env, NULL);
	check_expand("~+/app", &env, NULL);
	v = expand1("X=~/app", &env, 1);
	CHECK_STR(v, "X=/Users/me/app");
	free(v);
	v = expand1("X=a~/app", &env, 1);
	CHECK_STR(v, "X=a~/app");
	free(v);
	rl_shenv_release(&env);
}

/* case patterns are no commands; NAME() heads a function; lines count. */
static void test_structure(void)
{
	struct rl_shcmds c = {0};
	const char *s = "Run()\n{\ncase $1 in\n  start  ) Start   ;;\n  (stop|halt) Stop ;;\n"
			"  *      ) echo \"$0: unknown\";;\nesac\n}\nRun $1\n";

	check_split(s, 9,
		    (const char *const[]){"Run", "{", "case|$$1|in", "*Start", "*Stop",
					  "*echo|$$0: unknown", "esac", "}", "*Run|$$1"});
	CHECK_INT(rl_shlex_split(s, strlen(s), &c, NULL), 0);
	CHECK(c.n >= 9);
	if (c.n >= 9) {
		CHECK(c.v[0].funcdef);
		CHECK_INT(c.v[0].prog, c.v[0].n);
		CHECK_INT(c.v[0].line, 1);
		CHECK_INT(c.v[3].line, 4);
		CHECK_INT(c.v[5].line, 6);
		CHECK_INT(c.v[8].line, 9);
		CHECK_STR(c.v[8].w[0].text, "Run");
		CHECK(!c.v[8].funcdef);
	}
	rl_shcmds_release(&c);
	/* `start` inside the pattern is no program; nested case. */
	check_split("case a in x) case b in y) /bin/y ;; esac ;; z) /bin/z;; esac", 6,
		    (const char *const[]){"case|a|in", "case|b|in", "*/bin/y", "esac", "*/bin/z",
					  "esac"});
	/* a subshell is no function */
	check_split("(/bin/a) ; f ( ) { /bin/b; }", 4,
		    (const char *const[]){"*/bin/a", "f", "{|*/bin/b", "}"});
	/* bash's, zsh's and ksh's `function NAME`, with `()` or not, heads
	 * a function as `NAME()` does */
	check_split("function f { /bin/b; }\nfunction g() { /bin/c; }\nfunction h ()\n{\n/bin/d\n}",
		    10,
		    (const char *const[]){"f", "{|*/bin/b", "}", "g", "{|*/bin/c", "}", "h", "{",
					  "*/bin/d", "}"});
	CHECK_INT(rl_shlex_split("function f {\n:\n}\nfunction g() { :; }", 36, &c, NULL), 0);
	CHECK(c.n == 7 && c.v[0].funcdef && c.v[4].funcdef && !c.v[1].funcdef);
	rl_shcmds_release(&c);
	/* assignments after reserved words are no program */
	CHECK_INT(rl_shlex_split("if a; then X=1; fi; { Y=2 b; }", 30, &c, NULL), 0);
	CHECK(c.n == 5 && c.v[1].prog == c.v[1].n && c.v[1].start == c.v[1].n);
	CHECK(c.n == 5 && c.v[3].prog == 2 && c.v[3].start == 2);
	rl_shcmds_release(&c);
	/* a definition after the words that start a list */
	CHECK_INT(rl_shlex_split("{ g() { a; }; }; if :\nthen h () { b; }; fi", 42, &c, NULL), 0);
	CHECK(c.n == 11 && c.v[0].n == 1 && !strcmp(c.v[0].w[0].text, "{") && c.v[1].funcdef &&
	      !strcmp(c.v[1].w[0].text, "g") && c.v[6].n == 1 &&
	      !strcmp(c.v[6].w[0].text, "then") && c.v[7].funcdef &&
	      !strcmp(c.v[7].w[0].text, "h") && c.v[7].line == 2);
	rl_shcmds_release(&c);
	/* start: where exec, env, sudo… begin */
	CHECK_INT(rl_shlex_split("X=1 if ! sudo -u p /bin/x", 25, &c, NULL), 0);
	CHECK(c.n == 1 && c.v[0].start == 3);
	rl_shcmds_release(&c);
}

/* Each command's depth and the operators on either side of it: "depth
 * before after" per command, 0 shown as '0'. */
static void check_places(const char *s, const char *want)
{
	struct rl_shcmds c = {0};
	struct rl_buf b = {0};

	CHECK_INT(rl_shlex_split(s, strlen(s), &c, NULL), 0);
	for (size_t i = 0; i < c.n; i++)
		rl_buf_addf(&b, "%s%d%c%c", i ? " " : "", c.v[i].depth,
			    c.v[i].before ? c.v[i].before : '0', c.v[i].after ? c.v[i].after : '0');
	CHECK_STR(b.data ? b.data : "", want);
	rl_buf_release(&b);
	rl_shcmds_release(&c);
}

/* Where each command stands: what a reader needs to tell whether one
 * runs in the text's own shell before those after it. */
static void test_places(void)
{
	check_places("a && b || c; d | e & f\ng", "00& 0&| 0|; 0;p 0pb 0b; 0;0");
	check_places("a &&\n\n  b\nc", "00& 0&; 0;0");
	check_places("(a; b) ; c", "1(; 1;) 0;0");
	check_places("if a; then b; elif c; then d; else e; fi; f", "10; 1;; 1;; 1;; 1;; 1;; 0;0");
	check_places("while a; do b; done\nfor x in y; do c; done\nd",
		     "10; 1;; 1;; 1;; 1;; 1;; 0;0");
	check_places("case x in a) b;; esac; c", "10; 1;; 1;; 0;0");
	check_places("f() { a; }\ng", "00; 1;; 1;; 0;0");
	check_places("{ a; } | b", "10; 1;p 0p0");
	check_places("function f {\na\n}\nb", "00; 1;; 1;; 1;; 0;0");
	check_places("x=$(cd /; a) b; c", "00; 0;0");
}

/* The depth of the list each command stands in (rl_shcmd.level),
 * " "-joined: its depth less its own opening words; a `( … )` opens one
 * wherever it stands. */
static void check_levels(const char *s, const char *want)
{
	struct rl_shcmds c = {0};
	struct rl_buf b = {0};

	CHECK_INT(rl_shlex_split(s, strlen(s), &c, NULL), 0);
	for (size_t i = 0; i < c.n; i++)
		rl_buf_addf(&b, "%s%d", i ? " " : "", c.v[i].level);
	CHECK_STR(b.data ? b.data : "", want);
	rl_buf_release(&b);
	rl_shcmds_release(&c);
}

static void test_levels(void)
{
	check_levels("a; if b; then c; fi; d", "0 0 1 1 0");
	check_levels("if a; then ( if b; then c; fi; d ); fi", "0 1 2 3 3 2 1");
	check_levels("f() { ( cd /x && ./d ) & }; f", "0 0 2 2 1 0");
	check_levels("( ( a ); b )", "2 1");
}

/* The fields of the only word of s, "|"-joined; "(refused)" when not
 * certain. */
static char *fields1(const char *s, struct rl_shenv *env)
{
	struct rl_shcmds c = {0};
	struct rl_strv f = {0};
	struct rl_buf b = {0};

	CHECK_INT(rl_shlex_split(s, strlen(s), &c, NULL), 0);
	CHECK(c.n == 1 && c.v[0].n == 1);
	if (c.n != 1 || c.v[0].n != 1 || rl_shword_fields(&c.v[0].w[0], env, &f) < 0)
		rl_buf_adds(&b, "(refused)");
	for (size_t i = 0; i < f.n; i++)
		rl_buf_addf(&b, "%s[%s]", i ? "|" : "", f.v[i]);
	rl_strv_release(&f);
	rl_shcmds_release(&c);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

#define CHECK_FIELDS(s, env, want)                                                                 \
	do {                                                                                       \
		char *got_ = fields1(s, env);                                                      \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

/* env's positional parameters: the n words of v (a word NULL: not known). */
static void set_args(struct rl_shenv *env, const char *const *v, size_t n)
{
	struct rl_strv sv = {0};
	int known = 1;

	for (size_t i = 0; i < n; i++)
		if (v[i])
			rl_strv_push(&sv, v[i]);
		else
			known = 0;
	rl_shenv_set_args(env, known ? (sv.v ? sv.v : (char *[]){NULL}) : (char *[]){NULL, NULL},
			  known ? sv.n : 2);
	rl_strv_release(&sv);
}

static void test_positional(void)
{
	struct rl_shenv env = {0};
	const char *const two[] = {"/opt/foo/bin/food", "a b", NULL};
	const char *const ten[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "ten", NULL};
	const char *const one[] = {"/x", NULL};

	/* not known: refused, as ever */
	check_expand("\"$1\"", &env, NULL);
	check_expand("$#", &env, NULL);
	CHECK_FIELDS("\"$@\"", &env, "(refused)");
	set_args(&env, two, 2);
	check_expand("\"$1\"", &env, "/opt/foo/bin/food");
	check_expand("$1", &env, "/opt/foo/bin/food");
	check_expand("${1}/x", &env, "/opt/foo/bin/food/x");
	check_expand("\"$2\"", &env, "a b");
	check_expand("$2", &env, NULL); /* split */
	check_expand("$#", &env, "2");
	check_expand("${#}", &env, "2");
	check_expand("\"$*\"", &env, "/opt/foo/bin/food a b");
	check_expand("$*", &env, NULL);
	check_expand("\"$@\"", &env, NULL); /* two words */
	check_expand("\"$3\"", &env, NULL); /* unset */
	check_expand("\"${3:-/d}\"", &env, "/d");
	check_expand("\"${3-/d}\"", &env, "/d");
	check_expand("\"${1:-/d}\"", &env, "/opt/foo/bin/food");
	check_expand("\"${3:=/d}\"", &env, NULL);	 /* sh cannot assign it */
	check_expand("$10", &env, "/opt/foo/bin/food0"); /* $1 then 0 */
	check_expand("${#X}", &env, NULL);
	CHECK_FIELDS("\"$@\"", &env, "[/opt/foo/bin/food]|[a b]");
	CHECK_FIELDS("\"${@}\"", &env, "[/opt/foo/bin/food]|[a b]");
	CHECK_FIELDS("$@", &env, "(refused)"); /* "a b" is split */
	CHECK_FIELDS("\"$*\"", &env, "[/opt/foo/bin/food a b]");
	CHECK_FIELDS("x\"$1\"", &env, "[x/opt/foo/bin/food]");
	rl_shenv_set(&env, "IFS", ":");
	check_expand("\"$*\"", &env, NULL);
	set_args(&env, ten, 10);
	check_expand("${10}", &env, "ten");
	check_expand("$9", &env, "9");
	CHECK_FIELDS("$@", &env, "[1]|[2]|[3]|[4]|[5]|[6]|[7]|[8]|[9]|[ten]");
	set_args(&env, one, 1);
	check_expand("$@", &env, "/x");
	check_expand("\"$@\"", &env, "/x");
	set_args(&env, one, 0);
	CHECK_FIELDS("\"$@\"", &env, "");
	CHECK_FIELDS("$@", &env, "");
	check_expand("$#", &env, "0");
	check_expand("$1", &env, NULL);
	/* a word NULL: not known */
	set_args(&env, (const char *const[]){"/x", NULL}, 2);
	check_expand("$1", &env, NULL);
	rl_shenv_release(&env);
}

int main(void)
{
	test_quotes();
	test_operators();
	test_prefixes();
	test_dynamic();
	test_redirects();
	test_errors();
	test_expand();
	test_tilde();
	test_structure();
	test_places();
	test_levels();
	test_positional();
	return check_done();
}

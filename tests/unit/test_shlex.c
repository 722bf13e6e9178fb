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
		    (const char *const[]){"*Start", "{", "*/x/y|start", "}"});
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
}

static void test_redirects(void)
{
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
	/* A NUL byte ends the text; nothing after it is read. */
	CHECK_INT(rl_shlex_split("a\0'b", 4, &c, NULL), 0);
	CHECK_INT(c.n, 1);
	rl_shcmds_release(&c);
	CHECK_INT(rl_shlex_split("", 0, &c, NULL), 0);
	CHECK_INT(c.n, 0);
	CHECK(rl_shcmd_program(&(struct rl_shcmd){0}) == NULL);
}

int main(void)
{
	test_quotes();
	test_operators();
	test_prefixes();
	test_dynamic();
	test_redirects();
	test_errors();
	return check_done();
}

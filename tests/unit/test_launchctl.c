#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/execute/launchctl.h"
#include "core/base/util.h"

static char *tmp;

/* An executable script in the temporary directory. */
static char *script(const char *name, const char *body)
{
	char *path = rl_path_join(tmp, name);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

/* No child of ours is left, reaped or not. */
static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static const char running_sample[] =
	"gui/501/homebrew.mxcl.nginx = {\n"
	"\tactive count = 1\n"
	"\tpath = /Users/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist\n"
	"\ttype = LaunchAgent\n"
	"\tstate = running\n"
	"\n"
	"\tprogram = /opt/homebrew/opt/nginx/bin/nginx\n"
	"\targuments = {\n"
	"\t\t/opt/homebrew/opt/nginx/bin/nginx\n"
	"\t\t}\n"
	"\t\tpid = 1\n"
	"\t\tstate = waiting = {\n"
	"\t\tdaemon off;\n"
	"\t}\n"
	"\n"
	"\tinherited environment = {\n"
	"\t\tSSH_AUTH_SOCK => /private/tmp/com.apple.launchd.x/Listeners {\n"
	"\t}\n"
	"\n"
	"\tdomain = gui/501 [100017]\n"
	"\tminimum runtime = 10\n"
	"\texit timeout = 5\n"
	"\truns = 3\n"
	"\tpid = 928\n"
	"\timmediate reason = speculative\n"
	"\tlast exit code = (never exited)\n"
	"\n"
	"\tendpoints = {\n"
	"\t\t\"com.example.x\" = {\n"
	"\t\t\tport = 0x1234\n"
	"\t\t\tstate = dead\n"
	"\t\t\tpid = 77\n"
	"\t\t}\n"
	"\t}\n"
	"\tproperties = runatload | inferred program\n"
	"}\n"
	"other/block = {\n"
	"\tpid = 5\n"
	"}\n";

static void test_parse_running(void)
{
	struct rl_service_status st;

	CHECK_INT(rl_launchctl_parse_print(running_sample, &st), 0);
	CHECK_STR(st.state, "running");
	CHECK(st.running);
	CHECK_INT(st.pid, 928);
	CHECK_INT(st.runs, 3);
	CHECK_STR(st.last_exit, "(never exited)");
	CHECK_STR(st.last_signal, "");
}

static void test_parse_stopped(void)
{
	struct rl_service_status st;
	const char *stopped = "system/org.example.d = {\n"
			      "\tpath = /Library/LaunchDaemons/org.example.d.plist\n"
			      "\tstate = not running\n"
			      "\targuments = {\n"
			      "\t\t/usr/local/bin/d\n"
			      "\t}\n"
			      "\truns = 2\n"
			      "\tlast exit code = 1\n"
			      "}\n";
	const char *signalled = "system/org.example.d = {\r\n"
				"\tstate = not running\r\n"
				"\truns = 1\r\n"
				"\tlast exit code = (never exited)\r\n"
				"\tlast terminating signal = Terminated: 15\r\n"
				"}\r\n";

	CHECK_INT(rl_launchctl_parse_print(stopped, &st), 0);
	CHECK_STR(st.state, "not running");
	CHECK(!st.running);
	CHECK_INT(st.pid, 0);
	CHECK_INT(st.runs, 2);
	CHECK_STR(st.last_exit, "1");

	CHECK_INT(rl_launchctl_parse_print(signalled, &st), 0);
	CHECK(!st.running);
	CHECK_INT(st.pid, 0);
	CHECK_STR(st.last_signal, "Terminated: 15");
	CHECK_STR(st.last_exit, "(never exited)");
}

/* Without tabs the nesting comes from the braces alone. */
static void test_parse_spaces(void)
{
	struct rl_service_status st;
	const char *text = "x = {\n"
			   "    arguments = {\n"
			   "        pid = 3\n"
			   "    }\n"
			   "    state = running\n"
			   "    pid = 44\n"
			   "}\n";

	CHECK_INT(rl_launchctl_parse_print(text, &st), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 44);
	CHECK_INT(st.runs, -1);
}

static void test_parse_garbage(void)
{
	struct rl_service_status st;
	struct rl_buf big = {0};
	size_t i;

	CHECK_INT(rl_launchctl_parse_print("", &st), -1);
	CHECK_INT(rl_launchctl_parse_print(NULL, &st), -1);
	CHECK_INT(rl_launchctl_parse_print("state = running\npid = 3\n", &st), -1);
	CHECK(!st.running);
	CHECK_INT(st.pid, 0);
	/* Bad numbers and control characters. */
	CHECK_INT(rl_launchctl_parse_print("x = {\n\tstate = run\x01ning\n\tpid = -4\n"
					   "\truns = 99999999999999999999999\n}\n",
					   &st),
		  0);
	CHECK(!st.running);
	CHECK_STR(st.state, "run?ning");
	CHECK_INT(st.pid, 0);
	CHECK_INT(st.runs, -1);
	CHECK_INT(rl_launchctl_parse_print("x = {\n\tpid = 4294967297\n}", &st), 0);
	CHECK_INT(st.pid, 0);
	/* Unbalanced, deep and long. */
	for (i = 0; i < 1000; i++)
		rl_buf_adds(&big, "k = {\n}\n}\n{\n");
	rl_buf_adds(&big, "x = {\n\tstate = ");
	for (i = 0; i < 10000; i++)
		rl_buf_adds(&big, "long");
	rl_buf_adds(&big, "\n");
	CHECK_INT(rl_launchctl_parse_print(big.data, &st), 0);
	CHECK(strlen(st.state) < sizeof(st.state));
	rl_buf_release(&big);
}

static void test_path(void)
{
	unsetenv("RELAUNCH_LAUNCHCTL");
	CHECK_STR(rl_launchctl_path(NULL), "/bin/launchctl");
	CHECK_STR(rl_launchctl_path(""), "/bin/launchctl");
	setenv("RELAUNCH_LAUNCHCTL", "/env/launchctl", 1);
	CHECK_STR(rl_launchctl_path(NULL), "/env/launchctl");
	CHECK_STR(rl_launchctl_path("/x/launchctl"), "/x/launchctl");
	unsetenv("RELAUNCH_LAUNCHCTL");
}

static void test_meaning(void)
{
	CHECK_STR(rl_launchctl_exit_meaning(113), "service not loaded");
	CHECK(strstr(rl_launchctl_exit_meaning(112), "no such domain"));
	CHECK(strstr(rl_launchctl_exit_meaning(125), "does not support"));
	CHECK(strstr(rl_launchctl_exit_meaning(64), "malformed target"));
	CHECK(strstr(rl_launchctl_exit_meaning(5), "input/output error"));
	CHECK_STR(rl_launchctl_exit_meaning(3), "no such process");
	CHECK_STR(rl_launchctl_exit_meaning(42), "unexpected exit code");
}

static void test_missing(void)
{
	char *path = rl_path_join(tmp, "nope");
	struct rl_launchctl lc = {path, 2};
	const char *args[] = {"print", "system/x", NULL};
	struct rl_lc_result r;
	struct rl_service_status st;
	struct rl_error err = {0};
	char *want = rl_xasprintf("cannot run launchctl '%s': No such file or directory", path);

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), -1);
	CHECK_STR(err.text, want);
	rl_lc_result_release(&r);
	rl_error_clear(&err);
	CHECK_INT(rl_launchctl_status(&lc, "system/x", &st, &err), -2);
	CHECK_STR(err.text, want);
	CHECK(no_children());
	free(want);
	free(path);
}

static void test_exit_and_stderr(void)
{
	char *path =
		script("lc-fail", "echo \"out:$1:$2\"\n"
				  "echo 'Could not find service \"x\" in domain for system' >&2\n"
				  "exit 113\n");
	struct rl_launchctl lc = {path, 5};
	const char *args[] = {"kickstart", "-k", "system/x", NULL};
	struct rl_lc_result r;
	struct rl_error err = {0};
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(!err.set);
	CHECK_INT(r.status, 113);
	CHECK(!r.timed_out);
	CHECK_STR(r.out, "out:kickstart:-k\n");
	CHECK_STR(r.errout, "Could not find service \"x\" in domain for system\n");
	CHECK_STR(r.cmd, "kickstart -k system/x");
	d = rl_lc_result_describe(&r);
	CHECK_STR(d, "launchctl 'kickstart -k system/x' failed with exit code 113 (service not "
		     "loaded): Could not find service \"x\" in domain for system");
	free(d);
	rl_lc_result_release(&r);
	CHECK(no_children());
	free(path);
}

/* stdin is /dev/null: a launchctl that reads it does not hang. */
static void test_stdin(void)
{
	char *path = script("lc-cat", "cat\necho done\n");
	struct rl_launchctl lc = {path, 5};
	const char *args[] = {"list", NULL};
	struct rl_lc_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "done\n");
	rl_lc_result_release(&r);
	free(path);
}

static void test_hang(void)
{
	char *path = script("lc-hang", "exec sleep 30\n");
	char *stubborn = script("lc-stubborn", "trap '' TERM\nwhile :; do sleep 1; done\n");
	struct rl_launchctl lc = {path, 0.3};
	const char *args[] = {"kickstart", "-k", "system/x", NULL};
	struct rl_lc_result r;
	struct rl_error err = {0};
	int64_t t0 = rl_now_mono_ns();
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(r.timed_out);
	CHECK_INT(r.status, -1);
	CHECK(rl_now_mono_ns() - t0 >= 300000000);
	d = rl_lc_result_describe(&r);
	CHECK_STR(d, "launchctl 'kickstart -k system/x' timed out after 0.3 s");
	free(d);
	rl_lc_result_release(&r);
	CHECK(no_children());

	/* SIGTERM ignored: SIGKILL after the grace period. */
	lc.path = stubborn;
	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(r.timed_out);
	CHECK_INT(r.status, -1);
	rl_lc_result_release(&r);
	CHECK(no_children());
	CHECK(!err.set);
	free(path);
	free(stubborn);
}

static void test_big_output(void)
{
	char *path =
		script("lc-big", "yes | head -c 3000000\nyes e | head -c 3000000 >&2\nexit 0\n");
	struct rl_launchctl lc = {path, 20};
	const char *args[] = {"list", NULL};
	struct rl_lc_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK_INT(r.status, 0);
	CHECK(!r.timed_out);
	CHECK_INT(strlen(r.out), 1024 * 1024);
	CHECK_INT(strlen(r.errout), 1024 * 1024);
	CHECK(strncmp(r.out, "y\ny\n", 4) == 0);
	rl_lc_result_release(&r);
	free(path);
}

/* A grandchild holding the pipes open does not keep the call waiting for
 * the timeout once launchctl itself has exited. */
static void test_grandchild(void)
{
	char *path = script("lc-bg", "echo hi\nsleep 3 &\nexit 4\n");
	struct rl_launchctl lc = {path, 10};
	const char *args[] = {"list", NULL};
	struct rl_lc_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.status, 4);
	CHECK_STR(r.out, "hi\n");
	rl_lc_result_release(&r);
	free(path);
}

static void test_signalled(void)
{
	char *path = script("lc-sig", "kill -USR1 $$\nsleep 5\n");
	struct rl_launchctl lc = {path, 10};
	const char *args[] = {"list", NULL};
	struct rl_lc_result r;
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.status, -1);
	CHECK_INT(r.signo, SIGUSR1);
	d = rl_lc_result_describe(&r);
	CHECK(strstr(d, "killed by signal") != NULL);
	free(d);
	rl_lc_result_release(&r);
	free(path);
}

static void test_status(void)
{
	char *path =
		script("lc-print", "case \"$2\" in\n"
				   "system/up) printf 'system/up = {\\n\\tstate = running\\n"
				   "\\tpid = 321\\n\\truns = 1\\n}\\n' ;;\n"
				   "system/gone) echo 'Could not find service' >&2; exit 113 ;;\n"
				   "gui/*) echo 'Bad request.' >&2; exit 112 ;;\n"
				   "*) echo 'nonsense' ;;\n"
				   "esac\n");
	struct rl_launchctl lc = {path, 5};
	struct rl_service_status st;
	struct rl_error err = {0};

	CHECK_INT(rl_launchctl_status(&lc, "system/up", &st, &err), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 321);
	CHECK_INT(rl_launchctl_status(&lc, "system/gone", &st, &err), 1);
	CHECK(!err.set);
	CHECK_INT(rl_launchctl_status(&lc, "gui/501/x", &st, &err), -1);
	CHECK_STR(err.text, "cannot get the status of 'gui/501/x': launchctl 'print gui/501/x' "
			    "failed with exit code 112 (no such domain, e.g. no GUI session for "
			    "that user): Bad request.");
	rl_error_clear(&err);
	CHECK_INT(rl_launchctl_status(&lc, "system/odd", &st, &err), -1);
	CHECK(strstr(err.text, "no service block") != NULL);
	CHECK(no_children());
	free(path);
}

int main(void)
{
	tmp = check_tmpdir();
	test_parse_running();
	test_parse_stopped();
	test_parse_spaces();
	test_parse_garbage();
	test_path();
	test_meaning();
	test_missing();
	test_exit_and_stderr();
	test_stdin();
	test_hang();
	test_big_output();
	test_grandchild();
	test_signalled();
	test_status();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}

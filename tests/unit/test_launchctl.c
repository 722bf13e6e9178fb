#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	CHECK_INT(st.exit_timeout, 5); /* what launchd waits before SIGKILL */
}

/* Shape: the schedule of the loaded definition, as real captures show it
 * (a StartInterval agent's `run interval`, a calendar agent's event
 * trigger); a `stream` line elsewhere, or a run interval in another
 * block, is not the job's. */
static void test_parse_schedule(void)
{
	struct rl_service_status st;
	const char *interval = "gui/501/com.dev.cleanup = {\n"
			       "\tstate = running\n"
			       "\tpid = 16090\n"
			       "\tendpoints = {\n"
			       "\t\tstream = com.apple.launchd.calendarinterval\n"
			       "\t\trun interval = 5 seconds\n"
			       "\t}\n"
			       "\trun interval = 43200 seconds\n"
			       "\tproperties = runatload | inferred program\n"
			       "}\n";
	const char *calendar = "gui/501/com.example.backup = {\n"
			       "\tstate = not running\n"
			       "\tevent triggers = {\n"
			       "\t\tcom.example.backup.268435471 => {\n"
			       "\t\t\tkeepalive = 0\n"
			       "\t\t\tservice = com.example.backup\n"
			       "\t\t\tstream = com.apple.launchd.calendarinterval\n"
			       "\t\t\tdescriptor = {\n"
			       "\t\t\t\t\"Minute\" => 30\n"
			       "\t\t\t}\n"
			       "\t\t}\n"
			       "\t}\n"
			       "}\n";

	/* WatchPaths as a public capture shows it (macOS 14); the
	 * QueueDirectories trigger is named alike. A PathState trigger, or a
	 * name outside the service's event triggers, is neither. */
	const char *watch = "gui/501/com.example.watch = {\n"
			    "\tstate = running\n"
			    "\tendpoints = {\n"
			    "\t\tcom.apple.launchd.QueueDirectories => {\n"
			    "\t\t}\n"
			    "\t}\n"
			    "\tevent triggers = {\n"
			    "\t\tcom.apple.launchd.PathState => {\n"
			    "\t\t\tstream = com.apple.fsevents.matching\n"
			    "\t\t}\n"
			    "\t\tcom.apple.launchd.WatchPaths => {\n"
			    "\t\t\tkeepalive = 0\n"
			    "\t\t\tservice = com.example.watch\n"
			    "\t\t\tstream = com.apple.fsevents.matching\n"
			    "\t\t\tmonitor = com.apple.UserEventAgent-Aqua\n"
			    "\t\t\tdescriptor = {\n"
			    "\t\t\t\t\"WatchPaths\" => [\n"
			    "\t\t\t\t\t0 = \"/Users/me/inbox\"\n"
			    "\t\t\t\t]\n"
			    "\t\t\t}\n"
			    "\t\t}\n"
			    "\t}\n"
			    "}\n";
	const char *queue = "gui/501/com.example.queue = {\n"
			    "\tevent triggers = {\n"
			    "\t\tcom.apple.launchd.QueueDirectories => {\n"
			    "\t\t\tstream = com.apple.fsevents.matching\n"
			    "\t\t}\n"
			    "\t}\n"
			    "}\n";

	CHECK_INT(rl_launchctl_parse_print(interval, &st), 0);
	CHECK_INT(st.run_interval, 43200);
	CHECK_INT(st.calendar, 0);
	CHECK_INT(rl_launchctl_parse_print(calendar, &st), 0);
	CHECK_INT(st.run_interval, -1);
	CHECK_INT(st.calendar, 1);
	CHECK_INT(st.watch_paths + st.queue_dirs, 0);
	CHECK_INT(rl_launchctl_parse_print(running_sample, &st), 0);
	CHECK_INT(st.run_interval, -1);
	CHECK_INT(st.calendar, 0);
	CHECK_INT(st.keepalive, 0);
	CHECK_INT(st.watch_paths + st.queue_dirs, 0);
	CHECK_INT(rl_launchctl_parse_print(watch, &st), 0);
	CHECK_INT(st.watch_paths, 1);
	CHECK_INT(st.queue_dirs, 0);
	CHECK_INT(st.calendar, 0);
	CHECK_INT(rl_launchctl_parse_print(queue, &st), 0);
	CHECK_INT(st.watch_paths, 0);
	CHECK_INT(st.queue_dirs, 1);
}

/* Shape: the loaded definition's KeepAlive and RunAtLoad, as real
 * captures of nix-daemon (KeepAlive true) and of agents (RunAtLoad true:
 * "runatload | inferred program") show them among its properties; an event
 * trigger's own "keepalive = 0", or a word that only starts with it, is
 * not. */
static void test_parse_keepalive(void)
{
	struct rl_service_status st;
	const char *kept = "system/org.nixos.nix-daemon = {\n"
			   "\tstate = running\n"
			   "\tproperties = keepalive | inferred program | managed LWCR | has LWCR\n"
			   "}\n";
	const char *last = "gui/501/com.example.d = {\n"
			   "\tproperties = runatload | keepalive\n"
			   "}\n";
	const char *other = "gui/501/com.example.e = {\n"
			    "\tevent triggers = {\n"
			    "\t\tcom.example.e.1 => {\n"
			    "\t\t\tkeepalive = 1\n"
			    "\t\t}\n"
			    "\t}\n"
			    "\tproperties = runatload | keepalives | inferred program\n"
			    "}\n";
	const char *empty = "gui/501/com.example.f = {\n"
			    "\tproperties = \n"
			    "}\n";

	const char *none = "gui/501/com.example.g = {\n"
			   "\tstate = running\n"
			   "}\n";

	CHECK_INT(rl_launchctl_parse_print(kept, &st), 0);
	CHECK_INT(st.keepalive, 1);
	CHECK_INT(st.runatload, 0);
	CHECK_INT(st.properties_shown, 1);
	CHECK_INT(rl_launchctl_parse_print(last, &st), 0);
	CHECK_INT(st.keepalive, 1);
	CHECK_INT(st.runatload, 1);
	CHECK_INT(rl_launchctl_parse_print(other, &st), 0);
	CHECK_INT(st.keepalive, 0);
	CHECK_INT(st.runatload, 1);
	CHECK_INT(rl_launchctl_parse_print(empty, &st), 0);
	CHECK_INT(st.keepalive, 0);
	CHECK_INT(st.runatload, 0);
	CHECK_INT(st.properties_shown, 1);
	/* no properties line (older systems' captures): nothing known */
	CHECK_INT(rl_launchctl_parse_print(none, &st), 0);
	CHECK_INT(st.properties_shown, 0);
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
	CHECK_INT(st.exit_timeout, -1); /* not shown */

	CHECK_INT(rl_launchctl_parse_print(signalled, &st), 0);
	CHECK(!st.running);
	CHECK_INT(st.pid, 0);
	CHECK_STR(st.last_signal, "Terminated: 15");
	CHECK_STR(st.last_exit, "(never exited)");
}

/* A job whose bootout is under way, as macOS 26 prints it until the job is
 * gone: SIGTERMed, with the pid while the process drains. */
static void test_parse_stopping(void)
{
	struct rl_service_status st;
	const char *draining = "gui/501/org.example.agent = {\n"
			       "\tactive count = 1\n"
			       "\tpath = /Users/ann/Library/LaunchAgents/org.example.agent.plist\n"
			       "\ttype = LaunchAgent\n"
			       "\tstate = SIGTERMed\n"
			       "\n"
			       "\tminimum runtime = 10\n"
			       "\texit timeout = 5\n"
			       "\truns = 1\n"
			       "\tpid = 4242\n"
			       "\tresource coalition = {\n"
			       "\t\tstate = active\n"
			       "\t}\n"
			       "}\n";

	CHECK_INT(rl_launchctl_parse_print(draining, &st), 0);
	CHECK_STR(st.state, "SIGTERMed");
	CHECK(st.stopping && !st.running && !st.spawn_scheduled);
	CHECK_INT(st.pid, 4242);
	CHECK_INT(st.exit_timeout, 5);
	CHECK_INT(rl_launchctl_parse_print(running_sample, &st), 0);
	CHECK(!st.stopping);

	/* launchd keeps ExitTimeOut as a uint32_t: shown past INT_MAX too */
	{
		const char *big[] = {"4294967295", "2147483648", "4294967296", "-1"};
		const long long want[] = {4294967295LL, 2147483648LL, -1, -1};

		for (size_t k = 0; k < 4; k++) {
			char *t = rl_xasprintf("x = {\n\tstate = running\n\texit timeout = %s\n"
					       "\tpid = 3\n}\n",
					       big[k]);

			CHECK_INT(rl_launchctl_parse_print(t, &st), 0);
			CHECK_INT(st.exit_timeout, want[k]);
			free(t);
		}
	}
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

	/* A trigger opens its block with " => {" (a calendar job, as the
	 * tab-indented captures show it): what follows is still the job's. */
	const char *trigger = "x = {\n"
			      "    state = running\n"
			      "    event triggers = {\n"
			      "        x.268435471 => {\n"
			      "            keepalive = 0\n"
			      "            stream = com.apple.launchd.calendarinterval\n"
			      "            descriptor = {\n"
			      "                \"Minute\" => 30\n"
			      "            }\n"
			      "        }\n"
			      "    }\n"
			      "\n"
			      "    run interval = 300 seconds\n"
			      "    properties = keepalive | runatload\n"
			      "}\n";

	CHECK_INT(rl_launchctl_parse_print(text, &st), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 44);
	CHECK_INT(st.runs, -1);
	CHECK_INT(rl_launchctl_parse_print(trigger, &st), 0);
	CHECK(st.calendar);
	CHECK_INT(st.run_interval, 300);
	CHECK(st.keepalive);
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

/* The shapes of real `launchctl print` output, one sample each, written for
 * these tests (labels, paths and numbers are made up). */

/* Shape: a gui agent that is not running, with a numeric last exit code and
 * deeply nested calendar event triggers and channels (macOS 14/15, tabs). */
static const char shape_gui_not_running[] =
	"gui/502/org.example.backup = {\n"
	"\tactive count = 0\n"
	"\tpath = /Users/ann/Library/LaunchAgents/org.example.backup.plist\n"
	"\ttype = LaunchAgent\n"
	"\tstate = not running\n"
	"\n"
	"\tprogram = /bin/zsh\n"
	"\targuments = {\n"
	"\t\t/bin/zsh\n"
	"\t\t/Users/ann/bin/nightly backup.sh\n"
	"\t}\n"
	"\n"
	"\tstdout path = /Users/ann/logs/backup.out\n"
	"\tstderr path = /Users/ann/logs/backup.err\n"
	"\tinherited environment = {\n"
	"\t\tSSH_AUTH_SOCK => /private/tmp/com.apple.launchd.abc/Listeners\n"
	"\t}\n"
	"\n"
	"\tdomain = gui/502 [100004]\n"
	"\tasid = 100004\n"
	"\tminimum runtime = 10\n"
	"\texit timeout = 5\n"
	"\truns = 4\n"
	"\tlast exit code = 126\n"
	"\n"
	"\tevent triggers = {\n"
	"\t\torg.example.backup.1234 => {\n"
	"\t\t\tkeepalive = 0\n"
	"\t\t\tservice = org.example.backup\n"
	"\t\t\tdescriptor = {\n"
	"\t\t\t\t\"Hour\" => 3\n"
	"\t\t\t}\n"
	"\t\t}\n"
	"\t}\n"
	"\n"
	"\tevent channels = {\n"
	"\t\t\"com.apple.launchd.calendarinterval\" = {\n"
	"\t\t\tport = 0x1203\n"
	"\t\t\tactive = 0\n"
	"\t\t}\n"
	"\t}\n"
	"\n"
	"\tproperties = runatload | inferred program\n"
	"}\n";

/* Shape: a running gui agent whose previous run ended by a signal, and whose
 * nested coalition blocks carry their own `state = active`. */
static const char shape_gui_running_signalled[] =
	"gui/502/org.example.sync = {\n"
	"\tactive count = 1\n"
	"\tpath = /Users/ann/Library/LaunchAgents/org.example.sync.plist\n"
	"\ttype = LaunchAgent\n"
	"\tstate = running\n"
	"\n"
	"\tprogram = /Users/ann/.local/bin/sync\n"
	"\targuments = {\n"
	"\t\t/Users/ann/.local/bin/sync\n"
	"\t}\n"
	"\n"
	"\tdomain = gui/502 [100004]\n"
	"\tminimum runtime = 10\n"
	"\texit timeout = 5\n"
	"\tnice = 10\n"
	"\truns = 3\n"
	"\tpid = 7311\n"
	"\timmediate reason = non-ipc demand\n"
	"\tforks = 2\n"
	"\tlast terminating signal = Terminated: 15\n"
	"\n"
	"\tresource coalition = {\n"
	"\t\tID = 2210\n"
	"\t\ttype = resource\n"
	"\t\tstate = active\n"
	"\t\tactive count = 1\n"
	"\t}\n"
	"\n"
	"\tjetsam coalition = {\n"
	"\t\tID = 2211\n"
	"\t\tstate = active\n"
	"\t}\n"
	"\n"
	"\trun interval = 3600 seconds\n"
	"\tproperties = runatload | low priority i/o | inferred program\n"
	"}\n";

/* Shape: a system daemon started through /bin/sh -c (nix-darwin), never
 * exited, with a resource limits block (macOS 26). */
static const char shape_system_sh_c[] =
	"system/org.example.store = {\n"
	"\tactive count = 1\n"
	"\tpath = /Library/LaunchDaemons/org.example.store.plist\n"
	"\ttype = LaunchDaemon\n"
	"\tstate = running\n"
	"\n"
	"\tprogram = /bin/sh\n"
	"\targuments = {\n"
	"\t\t/bin/sh\n"
	"\t\t-c\n"
	"\t\t/bin/wait4path /nix/store && exec /nix/store/abc-store-1.0/bin/stored\n"
	"\t}\n"
	"\n"
	"\tdomain = system\n"
	"\truns = 1\n"
	"\tpid = 412\n"
	"\tlast exit code = (never exited)\n"
	"\n"
	"\tresource limits = {\n"
	"\t\tmaxfiles (soft) => 65536\n"
	"\t}\n"
	"\n"
	"\n"
	"\tproperties = keepalive | inferred program\n"
	"}\n";

/* Shape: a user-domain agent (user/<uid>), not running, exit 0, with an
 * empty properties line. */
static const char shape_user_domain[] =
	"user/503/org.example.check = {\n"
	"\tactive count = 0\n"
	"\tpath = /Users/cy/Library/LaunchAgents/org.example.check.plist\n"
	"\ttype = LaunchAgent\n"
	"\tstate = not running\n"
	"\n"
	"\tprogram = /Users/cy/bin/check\n"
	"\targuments = {\n"
	"\t\t/Users/cy/bin/check\n"
	"\t\t--quiet\n"
	"\t}\n"
	"\n"
	"\tstdout path = check.log\n"
	"\tdomain = user/503\n"
	"\truns = 1\n"
	"\tlast exit code = 0\n"
	"\n"
	"\tproperties = \n"
	"}\n";

/* Shape: 8-space indentation, a program path with spaces, the excerpt cut
 * off before the closing brace (as issue reports quote it). */
static const char shape_spaces_truncated[] =
	"system/org.example.agent = {\n"
	"        active count = 1\n"
	"        path = /Library/LaunchDaemons/org.example.agent.plist\n"
	"        type = LaunchDaemon\n"
	"        state = running\n"
	"\n"
	"        program = /usr/local/Library/Application Support/Example.app/bin/agent\n"
	"        arguments = {\n"
	"                /usr/local/Library/Application Support/Example.app/bin/agent\n"
	"                --config\n"
	"        }\n"
	"\n"
	"        working directory = /usr/local/Library/Application Support/Example.app\n"
	"        default environment = {\n"
	"                PATH => /usr/bin:/bin:/usr/sbin:/sbin\n"
	"        }\n"
	"\n"
	"        domain = system\n"
	"        runs = 1\n"
	"        pid = 4301\n"
	"        last exit code = (never exited)\n"
	"\n"
	"        semaphores = {\n";

/* Shape: Mojave and Yosemite: the block named by the bare label, no `type`
 * line, `domain = com.apple.xpc.launchd.domain.system`, `successive
 * crashes`, empty nested blocks, 4-space indentation. */
static const char shape_old_bare_label[] =
	"org.example.db = {\n"
	"    active count = 1\n"
	"    path = /Library/LaunchDaemons/org.example.db.plist\n"
	"    state = running\n"
	"\n"
	"    program = /opt/example/bin/db_safe\n"
	"    arguments = {\n"
	"        /opt/example/bin/db_safe\n"
	"        --defaults-file=/opt/example/my.cnf\n"
	"    }\n"
	"\n"
	"    global environment = {\n"
	"        PATH => /usr/bin:/bin:/usr/sbin:/sbin\n"
	"    }\n"
	"\n"
	"    domain = com.apple.xpc.launchd.domain.system\n"
	"    username = dbuser\n"
	"    runs = 2\n"
	"    successive crashes = 1\n"
	"    excessive crashing = 0\n"
	"    pid = 2478\n"
	"    last exit code = 1\n"
	"\n"
	"    event triggers = {\n"
	"    }\n"
	"\n"
	"    endpoints = {\n"
	"    }\n"
	"}\n";

/* Shape: a crash loop after a library upgrade: `spawn scheduled`, `job
 * state = exited`, `last exit reason = OS_REASON_DYLD …`, successive
 * crashes. */
static const char shape_dyld_crash_loop[] =
	"gui/501/org.example.web = {\n"
	"\tactive count = 0\n"
	"\tpath = /Users/me/Library/LaunchAgents/org.example.web.plist\n"
	"\ttype = LaunchAgent\n"
	"\tstate = spawn scheduled\n"
	"\n"
	"\tprogram = /opt/homebrew/opt/web/bin/web\n"
	"\tjob state = exited\n"
	"\tdomain = gui/501 [100003]\n"
	"\truns = 14\n"
	"\tsuccessive crashes = 13\n"
	"\tlast exit code = 78: EX_CONFIG\n"
	"\tlast exit reason = OS_REASON_DYLD | Library missing\n"
	"\n"
	"\tproperties = keepalive | runatload\n"
	"}\n";

/* Shape: what print writes to stderr for a label that is not loaded. */
static const char shape_not_found_stderr[] =
	"Bad request.\n"
	"Could not find service \"org.example.none\" in domain for user gui: 501\n";

static void test_shapes(void)
{
	struct rl_service_status st;

	CHECK_INT(rl_launchctl_parse_print(shape_gui_not_running, &st), 0);
	CHECK_STR(st.state, "not running");
	CHECK(!st.running && !st.spawn_scheduled);
	CHECK_INT(st.pid, 0);
	CHECK_INT(st.runs, 4);
	CHECK_STR(st.last_exit, "126");
	CHECK_INT(st.exit_code, 126);
	CHECK_INT(st.signo, -1);
	CHECK_STR(st.path, "/Users/ann/Library/LaunchAgents/org.example.backup.plist");
	CHECK_STR(st.program, "/bin/zsh");
	CHECK_STR(st.stderr_path, "/Users/ann/logs/backup.err");
	CHECK_INT(st.nargs, 2);
	CHECK_STR(rl_service_status_arg(&st, 1), "/Users/ann/bin/nightly backup.sh");
	CHECK(rl_service_status_arg(&st, 2) == NULL);

	CHECK_INT(rl_launchctl_parse_print(shape_gui_running_signalled, &st), 0);
	CHECK_STR(st.state, "running"); /* not the coalitions' "active" */
	CHECK(st.running);
	CHECK_INT(st.pid, 7311);
	CHECK_STR(st.last_signal, "Terminated: 15");
	CHECK_INT(st.signo, 15);
	CHECK_STR(st.last_exit, "");
	CHECK_INT(st.exit_code, -1);
	CHECK_INT(st.nargs, 1);

	CHECK_INT(rl_launchctl_parse_print(shape_system_sh_c, &st), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 412);
	CHECK_STR(st.last_exit, "(never exited)");
	CHECK_INT(st.exit_code, -1);
	CHECK_INT(st.nargs, 3);
	CHECK_STR(rl_service_status_arg(&st, 2),
		  "/bin/wait4path /nix/store && exec /nix/store/abc-store-1.0/bin/stored");

	CHECK_INT(rl_launchctl_parse_print(shape_user_domain, &st), 0);
	CHECK_STR(st.state, "not running");
	CHECK_INT(st.exit_code, 0);
	CHECK_STR(st.stdout_path, "check.log");
	CHECK_INT(st.nargs, 2);

	CHECK_INT(rl_launchctl_parse_print(shape_spaces_truncated, &st), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 4301);
	CHECK_STR(st.program, "/usr/local/Library/Application Support/Example.app/bin/agent");
	CHECK_INT(st.nargs, 2);
	CHECK_STR(rl_service_status_arg(&st, 1), "--config");

	CHECK_INT(rl_launchctl_parse_print(shape_old_bare_label, &st), 0);
	CHECK(st.running);
	CHECK_INT(st.pid, 2478);
	CHECK_INT(st.successive_crashes, 1);
	CHECK_INT(st.exit_code, 1);
	CHECK_INT(st.nargs, 2);
	CHECK_STR(st.path, "/Library/LaunchDaemons/org.example.db.plist");

	CHECK_INT(rl_launchctl_parse_print(shape_dyld_crash_loop, &st), 0);
	CHECK(!st.running);
	CHECK(st.spawn_scheduled);
	CHECK_STR(st.job_state, "exited");
	CHECK_INT(st.successive_crashes, 13);
	CHECK_STR(st.last_exit, "78: EX_CONFIG");
	CHECK_INT(st.exit_code, 78);
	CHECK_STR(st.last_exit_reason, "OS_REASON_DYLD | Library missing");
	CHECK_INT(st.nargs, 0);

	CHECK_INT(rl_launchctl_parse_print(shape_not_found_stderr, &st), -1);
}

/* Shape: `print gui/<uid>`, the domain: a services block of "pid status
 * label" lines (pid 0 when not running, "-" never exited, a negative status
 * for a signal), beside other blocks whose lines look alike. */
/* Shapes of `print <domain>` as real launchd prints it (macOS 13-26: the
 * header, nested blocks, then `services = {` with "%8d %6s \t%s" columns:
 * pid, 0 when not running; last exit status, "-" when it never exited;
 * label), followed by blocks whose lines look alike but are no jobs. */
static const char shape_domain[] =
	"gui/501 = {\n"
	"\ttype = login\n"
	"\thandle = 100017\n"
	"\tactive count = 412\n"
	"\tservice count = 6\n"
	"\tcreator = loginwindow[151]\n"
	"\tsecurity context = {\n"
	"\t\tuid = 501\n"
	"\t\tasid = 100017\n"
	"\t}\n"
	"\n"
	"\tsubdomains = {\n"
	"\t\tpid/530\n"
	"\t}\n"
	"\n"
	"\tservices = {\n"
	"\t\t       0      - \torg.example.idle\n"
	"\t\t     612      - \torg.example.web\n"
	"\t\t       0     78 \torg.example.broken\n"
	"\t\t       0     -9 \torg.example.killed\n"
	"\t\t    1200      0 \torg.example.with space\n"
	"\t\t       -      - \torg.example.dash\n"
	"\t}\n"
	"\n"
	"\tunmanaged processes = {\n"
	"\t\tcom.apple.xpc.launchd.unmanaged.loginwindow.151 = {\n"
	"\t\t\tactive count = 1\n"
	"\t\t\tdynamic endpoints = {\n"
	"\t\t\t}\n"
	"\t\t}\n"
	"\t}\n"
	"\n"
	"\tendpoints = {\n"
	"\t\t       0    M   D   org.example.endpoint\n"
	"\t\t 0x1b123    M   A   org.example.active\n"
	"\t}\n"
	"\n"
	"\ttask-special ports = {\n"
	"\t\t\t  0x1d03 4       bootstrap  com.apple.xpc.launchd.domain.user.501\n"
	"\t}\n"
	"\n"
	"\tdisabled services = {\n"
	"\t\t\"org.example.off\" => disabled\n"
	"\t}\n"
	"\n"
	"\tproperties = gui | gui login\n"
	"}\n";

/* Older systems indent with spaces; a domain with nothing loaded still
 * has its (empty) services block. */
static const char shape_domain_spaces[] = "system = {\n"
					  "    type = system\n"
					  "    services = {\n"
					  "               0      - \torg.example.a\n"
					  "             328      - \torg.example.b\n"
					  "    }\n"
					  "    endpoints = {\n"
					  "               0    M   D   org.example.c\n"
					  "    }\n"
					  "}\n";
static const char shape_domain_empty[] = "user/501 = {\n"
					 "\ttype = user\n"
					 "\tservices = {\n"
					 "\t}\n"
					 "}\n";

static void test_domain(void)
{
	struct rl_launchctl_domain d;
	const struct rl_launchctl_service *e;

	CHECK_INT(rl_launchctl_parse_domain(shape_domain, &d), 0);
	CHECK_INT(d.n, 6);
	e = rl_launchctl_domain_find(&d, "org.example.web");
	CHECK(e && e->pid == 612 && strcmp(e->status, "-") == 0);
	e = rl_launchctl_domain_find(&d, "org.example.idle");
	CHECK(e && e->pid == 0);
	e = rl_launchctl_domain_find(&d, "org.example.broken");
	CHECK(e && e->pid == 0 && strcmp(e->status, "78") == 0);
	e = rl_launchctl_domain_find(&d, "org.example.killed");
	CHECK(e && strcmp(e->status, "-9") == 0);
	e = rl_launchctl_domain_find(&d, "org.example.with space");
	CHECK(e && e->pid == 1200 && strcmp(e->status, "0") == 0);
	e = rl_launchctl_domain_find(&d, "org.example.dash");
	CHECK(e && e->pid == 0);
	CHECK(rl_launchctl_domain_find(&d, "org.example.endpoint") == NULL);
	CHECK(rl_launchctl_domain_find(&d, "org.example.active") == NULL);
	CHECK(rl_launchctl_domain_find(&d, "pid/530") == NULL);
	CHECK(rl_launchctl_domain_find(&d, "org.example.off") == NULL);
	CHECK(rl_launchctl_domain_find(&d, "org.example") == NULL);
	rl_launchctl_domain_release(&d);
	CHECK_INT(rl_launchctl_parse_domain(shape_domain_spaces, &d), 0);
	CHECK_INT(d.n, 2);
	e = rl_launchctl_domain_find(&d, "org.example.b");
	CHECK(e && e->pid == 328);
	CHECK(rl_launchctl_domain_find(&d, "org.example.c") == NULL);
	rl_launchctl_domain_release(&d);
	CHECK_INT(rl_launchctl_parse_domain(shape_domain_empty, &d), 0);
	CHECK_INT(d.n, 0);
	CHECK(rl_launchctl_domain_find(&d, "org.example.a") == NULL);
	rl_launchctl_domain_release(&d);
	/* No services block: nothing can be told from it. */
	CHECK_INT(rl_launchctl_parse_domain("Could not find domain for user gui: 501\n", &d), -1);
	rl_launchctl_domain_release(&d);
	CHECK_INT(rl_launchctl_parse_domain("gui/501 = {\n\ttype = login\n}\n", &d), -1);
	rl_launchctl_domain_release(&d);
	/* A service's own print has no services block either. */
	CHECK_INT(rl_launchctl_parse_domain(running_sample, &d), -1);
	rl_launchctl_domain_release(&d);
}

/* `print system` names a user domain for each user launchd has one for,
 * among pid domains (processes' XPC domains, not sessions); a domain's own
 * subdomains block comes before its services, in tabs or, on older
 * systems, spaces. */
static const char shape_system_subdomains[] =
	"system = {\n"
	"\ttype = system\n"
	"\thandle = 0\n"
	"\tsecurity context = {\n"
	"\t\tuid unset\n"
	"\t\tasid = 0\n"
	"\t}\n"
	"\n"
	"\tsubdomains = {\n"
	"\t\tcom.apple.xpc.launchd.domain.pid.systemstats.1142\n"
	"\t\tcom.apple.xpc.launchd.domain.user.502\n"
	"\t\tcom.apple.xpc.launchd.domain.pid.softwareupdated.738\n"
	"\t\tcom.apple.xpc.launchd.domain.user.501\n"
	"\t\tcom.apple.xpc.launchd.domain.user.0\n"
	"\t\tcom.apple.xpc.launchd.domain.user.501\n"
	"\t\tcom.apple.xpc.launchd.domain.user.\n"
	"\t\tcom.apple.xpc.launchd.domain.user.5x1\n"
	"\t\tcom.apple.xpc.launchd.domain.user.89.extra\n"
	"\t}\n"
	"\n"
	"\tservices = {\n"
	"\t\t     328      - \tcom.apple.xpc.launchd.domain.user.77\n"
	"\t}\n"
	"\n"
	"\ttask-special ports = {\n"
	"\t\t\t  0x1d03 4       bootstrap  com.apple.xpc.launchd.domain.user.88\n"
	"\t}\n"
	"}\n";
static const char shape_system_subdomains_spaces[] =
	"system = {\n"
	"    type = system\n"
	"    subdomains = {\n"
	"        com.apple.xpc.launchd.domain.pid.mdworker.412\n"
	"        com.apple.xpc.launchd.domain.user.503   \n"
	"    }\n"
	"    services = {\n"
	"               0      - \torg.example.a\n"
	"    }\n"
	"}\n";
/* `print user/<uid>` names the user's GUI login, Aqua with its asid; other
 * session types are no GUI login. */
static const char shape_user_subdomains[] =
	"user/501 = {\n"
	"\ttype = user\n"
	"\thandle = 501\n"
	"\tsubdomains = {\n"
	"\t\tcom.apple.xpc.launchd.user.domain.501.100008.Aqua\n"
	"\t\tcom.apple.xpc.launchd.user.domain.502.100011.Background\n"
	"\t\tcom.apple.xpc.launchd.user.domain.503.Aqua\n"
	"\t\tcom.apple.xpc.launchd.user.domain.504.1x.Aqua\n"
	"\t}\n"
	"\tservices = {\n"
	"\t}\n"
	"}\n";
static const char shape_user_subdomains_spaces[] =
	"user/501 = {\n"
	"    type = user\n"
	"    subdomains = {\n"
	"        com.apple.xpc.launchd.user.domain.501.104157.Aqua\n"
	"    }\n"
	"}\n";

static void test_subdomains(void)
{
	struct rl_launchctl_subdomains s;

	CHECK_INT(rl_launchctl_parse_subdomains(shape_system_subdomains, &s), 0);
	CHECK_INT(s.nusers, 3);
	CHECK(s.nusers == 3 && s.users[0] == 0 && s.users[1] == 501 && s.users[2] == 502);
	CHECK_INT(s.nlogins, 0);
	CHECK(rl_launchctl_subdomains_has(s.users, s.nusers, 502));
	CHECK(!rl_launchctl_subdomains_has(s.users, s.nusers, 77));
	CHECK(!rl_launchctl_subdomains_has(s.users, s.nusers, 88));
	CHECK(!rl_launchctl_subdomains_has(s.users, s.nusers, 89));
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(shape_system_subdomains_spaces, &s), 0);
	CHECK(s.nusers == 1 && s.users[0] == 503);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(shape_user_subdomains, &s), 0);
	CHECK_INT(s.nusers, 0);
	CHECK(s.nlogins == 1 && s.logins[0] == 501);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(shape_user_subdomains_spaces, &s), 0);
	CHECK(s.nlogins == 1 && s.logins[0] == 501);
	rl_launchctl_subdomains_release(&s);
	/* An empty block tells that there are none; no block tells nothing. */
	CHECK_INT(rl_launchctl_parse_subdomains("user/505 = {\n\tsubdomains = {\n\t}\n}\n", &s), 0);
	CHECK(s.nusers == 0 && s.nlogins == 0);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(shape_domain_empty, &s), -1);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(shape_domain, &s), 0);
	CHECK(s.nusers == 0 && s.nlogins == 0);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains("Bad request.\n"
						"Could not find domain for user gui: 502\n",
						&s),
		  -1);
	rl_launchctl_subdomains_release(&s);
	CHECK_INT(rl_launchctl_parse_subdomains(NULL, &s), -1);
	rl_launchctl_subdomains_release(&s);
}

/* Shapes of print-disabled: current systems say disabled/enabled, older ones
 * true/false; a gui domain adds a login item block after it. */
static const char shape_disabled_words[] = "disabled services = {\n"
					   "\t\"org.example.off\" => disabled\n"
					   "\t\"org.example.on\" => enabled\n"
					   "\t\"org.example.twice\" => disabled\n"
					   "\t\"org.example.twice\" => enabled\n"
					   "}\n"
					   "\n"
					   "login item associations = {\n"
					   "\t\"org.example.login\" => disabled\n"
					   "}\n";
static const char shape_disabled_bool[] = "disabled services = {\n"
					  "    \"org.example.off\" => true\n"
					  "    \"org.example.on\" => false\n"
					  "}\n";

static void test_disabled(void)
{
	struct rl_launchctl_overrides o;

	CHECK_INT(rl_launchctl_parse_disabled(shape_disabled_words, &o), 0);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.off"), 1);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.on"), 0);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.twice"), 0);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.login"), -1);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.other"), -1);
	rl_launchctl_overrides_release(&o);
	CHECK_INT(rl_launchctl_parse_disabled(shape_disabled_bool, &o), 0);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.off"), 1);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.on"), 0);
	rl_launchctl_overrides_release(&o);
	CHECK_INT(rl_launchctl_parse_disabled("Bad request.\n", &o), -1);
	rl_launchctl_overrides_release(&o);
	CHECK_INT(rl_launchctl_parse_disabled(shape_domain, &o), 0);
	CHECK_INT(rl_launchctl_overrides_get(&o, "org.example.off"), 1);
	rl_launchctl_overrides_release(&o);
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
	CHECK(strstr(rl_launchctl_exit_meaning(36), "bootout is under way"));
	CHECK(strstr(rl_launchctl_exit_meaning(37), "already in progress"));
	CHECK_STR(rl_launchctl_exit_meaning(119), "service is disabled");
	CHECK(strstr(rl_launchctl_exit_meaning(150), "System Integrity Protection"));
	CHECK_STR(rl_launchctl_exit_meaning(1), "operation not permitted");
	CHECK_STR(rl_launchctl_exit_meaning(42), "unexpected exit code");
}

/* Whether launchd may have acted on the job, for each answer a kickstart or
 * a bootout can get: only a call that never reached launchd, or that it
 * refused before acting on any job, left it untouched; a bootout's 113 (the
 * job is already gone) is no such refusal; no answer may have touched it. */
static void test_untouched(void)
{
	static const struct {
		int status;
		int kickstart, bootout; /* untouched after a kickstart, a bootout */
	} cases[] = {
		{0, 0, 0},   {1, 0, 0},	  {3, 0, 0},   {5, 0, 0},   {36, 0, 0},
		{37, 0, 0},  {42, 0, 0},  {64, 1, 1},  {69, 1, 1},  {112, 1, 1},
		{113, 1, 0}, {119, 0, 0}, {125, 1, 1}, {150, 1, 1}, {255, 0, 0},
	};
	struct rl_launchctl_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.status = cases[i].status;
		if (rl_launchctl_untouched(&r, 1) != cases[i].kickstart ||
		    rl_launchctl_untouched(&r, 0) != cases[i].bootout)
			fprintf(stderr, "exit code %d\n", cases[i].status);
		CHECK_INT(rl_launchctl_untouched(&r, 1), cases[i].kickstart);
		CHECK_INT(rl_launchctl_untouched(&r, 0), cases[i].bootout);
	}
	/* Timed out: launchd may be acting on it, whatever the status says. */
	memset(&r, 0, sizeof(r));
	r.timed_out = 1;
	r.status = -1;
	CHECK_INT(rl_launchctl_untouched(&r, 1), 0);
	CHECK_INT(rl_launchctl_untouched(&r, 0), 0);
	r.status = RL_LC_EXIT_UNREACHABLE;
	CHECK_INT(rl_launchctl_untouched(&r, 1), 0);
	CHECK_INT(rl_launchctl_untouched(&r, 0), 0);
	/* Killed by a signal: no answer either. */
	memset(&r, 0, sizeof(r));
	r.status = -1;
	r.signo = 9;
	CHECK_INT(rl_launchctl_untouched(&r, 1), 0);
	CHECK_INT(rl_launchctl_untouched(&r, 0), 0);
	/* The untouched codes have their words. */
	CHECK_STR(rl_launchctl_exit_meaning(69), "launchd could not be reached");
	CHECK_STR(rl_launchctl_exit_meaning(0), "success");
}

static void test_missing(void)
{
	char *path = rl_path_join(tmp, "nope");
	struct rl_launchctl lc = {path, 2, NULL};
	const char *args[] = {"print", "system/x", NULL};
	struct rl_launchctl_result r;
	struct rl_service_status st;
	struct rl_error err = {0};
	char *want = rl_xasprintf("cannot run launchctl '%s': No such file or directory", path);

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), -1);
	CHECK_STR(err.text, want);
	rl_launchctl_result_release(&r);
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
	struct rl_launchctl_gate gate = {0};
	struct rl_launchctl lc = {path, 5, &gate};
	const char *args[] = {"kickstart", "-k", "system/x", NULL};
	struct rl_launchctl_result r;
	struct rl_error err = {0};
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(!err.set);
	CHECK(!rl_launchctl_gate_closed(&gate)); /* an answer, if a failure */
	CHECK_INT(r.status, 113);
	CHECK(!r.timed_out);
	CHECK_STR(r.out, "out:kickstart:-k\n");
	CHECK_STR(r.errout, "Could not find service \"x\" in domain for system\n");
	CHECK_STR(r.cmd, "kickstart -k system/x");
	d = rl_launchctl_result_describe(&r);
	CHECK_STR(d, "launchctl 'kickstart -k system/x' failed with exit code 113 (service not "
		     "loaded): Could not find service \"x\" in domain for system");
	free(d);
	rl_launchctl_result_release(&r);
	CHECK(no_children());
	free(path);
}

/* launchctl's line is quoted as it is but for a final period: relaunch
 * goes on after it ("…<service-id>; left untouched"). */
static void test_describe_final_period(void)
{
	char cmd[] = "bootout gui/501/x";
	char refused[] = "Unrecognized target specifier. <service-target> takes a form of "
			 "<domain-target>/<service-id>.\nUsage: launchctl bootout\n";
	char eio[] = "Boot-out failed: 5: Input/output error...\n";
	struct rl_launchctl_result r = {0};
	char *d;

	r.status = 64;
	r.cmd = cmd;
	r.errout = refused;
	d = rl_launchctl_result_describe(&r);
	CHECK(strstr(d, "): Unrecognized target specifier. <service-target> takes a form of "
			"<domain-target>/<service-id>") != NULL);
	CHECK(d[strlen(d) - 1] == '>');
	free(d);
	r.status = 5;
	r.errout = eio;
	d = rl_launchctl_result_describe(&r);
	CHECK(strstr(d, ": Boot-out failed: 5: Input/output error...") != NULL);
	free(d);
}

/* stdin is /dev/null: a launchctl that reads it does not hang. */
static void test_stdin(void)
{
	char *path = script("lc-cat", "cat\necho done\n");
	struct rl_launchctl lc = {path, 5, NULL};
	const char *args[] = {"list", NULL};
	struct rl_launchctl_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "done\n");
	rl_launchctl_result_release(&r);
	free(path);
}

static void test_hang(void)
{
	char *path = script("lc-hang", "exec sleep 30\n");
	char *stubborn = script("lc-stubborn", "trap '' TERM\nwhile :; do sleep 1; done\n");
	struct rl_launchctl_gate gate = {0};
	struct rl_launchctl lc = {path, 0.3, &gate};
	const char *args[] = {"kickstart", "-k", "system/x", NULL};
	struct rl_launchctl_result r;
	struct rl_error err = {0};
	int64_t t0 = rl_now_mono_ns();
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(r.timed_out);
	CHECK_INT(r.status, -1);
	CHECK(rl_now_mono_ns() - t0 >= 300000000);
	d = rl_launchctl_result_describe(&r);
	CHECK_STR(d, "launchctl 'kickstart -k system/x' timed out after 0.3 s");
	free(d);
	rl_launchctl_result_release(&r);
	CHECK(no_children());
	/* The first call without an answer closed the gate, and says why. */
	CHECK_STR(rl_launchctl_gate_closed(&gate),
		  "launchctl 'kickstart -k system/x' timed out after 0.3 s");
	d = rl_launchctl_gate_text(&gate);
	CHECK_STR(d, "not asked: launchctl 'kickstart -k system/x' timed out after 0.3 s earlier, "
		     "and launchd is asked no more");
	free(d);

	/* SIGTERM ignored: SIGKILL after the grace period. The gate keeps
	 * its first reason. */
	lc.path = stubborn;
	args[2] = "system/y";
	CHECK_INT(rl_launchctl_call(&lc, args, &r, &err), 0);
	CHECK(r.timed_out);
	CHECK_INT(r.status, -1);
	rl_launchctl_result_release(&r);
	CHECK(no_children());
	CHECK(!err.set);
	CHECK_STR(rl_launchctl_gate_closed(&gate),
		  "launchctl 'kickstart -k system/x' timed out after 0.3 s");
	rl_launchctl_gate_release(&gate);
	CHECK(!rl_launchctl_gate_closed(&gate));
	free(path);
	free(stubborn);
}

static void test_big_output(void)
{
	char *path =
		script("lc-big", "yes | head -c 3000000\nyes e | head -c 3000000 >&2\nexit 0\n");
	struct rl_launchctl lc = {path, 20, NULL};
	const char *args[] = {"list", NULL};
	struct rl_launchctl_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK_INT(r.status, 0);
	CHECK(!r.timed_out);
	CHECK_INT(strlen(r.out), 1024 * 1024);
	CHECK_INT(strlen(r.errout), 1024 * 1024);
	CHECK(strncmp(r.out, "y\ny\n", 4) == 0);
	rl_launchctl_result_release(&r);
	free(path);
}

/* A grandchild holding the pipes open does not keep the call waiting for
 * the timeout once launchctl itself has exited. */
static void test_grandchild(void)
{
	char *path = script("lc-bg", "echo hi\nsleep 3 &\nexit 4\n");
	struct rl_launchctl lc = {path, 10, NULL};
	const char *args[] = {"list", NULL};
	struct rl_launchctl_result r;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.status, 4);
	CHECK_STR(r.out, "hi\n");
	rl_launchctl_result_release(&r);
	free(path);
}

static void test_signalled(void)
{
	char *path = script("lc-sig", "kill -USR1 $$\nsleep 5\n");
	struct rl_launchctl lc = {path, 10, NULL};
	const char *args[] = {"list", NULL};
	struct rl_launchctl_result r;
	char *d;

	CHECK_INT(rl_launchctl_call(&lc, args, &r, NULL), 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.status, -1);
	CHECK_INT(r.signo, SIGUSR1);
	d = rl_launchctl_result_describe(&r);
	CHECK(strstr(d, "killed by signal") != NULL);
	free(d);
	rl_launchctl_result_release(&r);
	free(path);
}

static void test_status(void)
{
	char *path =
		script("lc-print",
		       "case \"$2\" in\n"
		       "system/up) printf 'system/up = {\\n\\tstate = running\\n"
		       "\\tpid = 321\\n\\truns = 1\\n}\\n' ;;\n"
		       "system/gone) echo 'Could not find service' >&2; exit 113 ;;\n"
		       "gui/*) echo 'Bad request.' >&2; exit 112 ;;\n"
		       "user/*) printf 'Bad request.\\nCould not find domain for uid: 5\\n' >&2;"
		       " exit 112 ;;\n"
		       "*) echo 'nonsense' ;;\n"
		       "esac\n");
	struct rl_launchctl lc = {path, 5, NULL};
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
			    "that user): Bad request");
	rl_error_clear(&err);
	CHECK_INT(rl_launchctl_status(&lc, "user/5/x", &st, &err), -1);
	CHECK(strstr(err.text, "): Could not find domain for uid: 5") != NULL);
	rl_error_clear(&err);
	CHECK_INT(rl_launchctl_status(&lc, "system/odd", &st, &err), -1);
	CHECK(strstr(err.text, "no service block") != NULL);
	CHECK(no_children());
	free(path);
}

/* The agent domain rule over a scripted launchctl. */
static void test_locate(void)
{
	char *path = script(
		"lc-domains",
		"case \"$2\" in\n"
		"user/501/bg) printf 'user/501/bg = {\\n\\tstate = running\\n\\tpid = 77\\n}\\n' "
		";;\n"
		"gui/501/*) printf 'Bad request.\\nCould not find service \"x\" in domain for user "
		"gui: 501\\n' >&2; exit 113 ;;\n"
		"gui/*) printf 'Bad request.\\nCould not find domain for user gui: 502\\n' >&2; "
		"exit "
		"112 ;;\n"
		"user/502/bg) printf 'user/502/bg = {\\n\\tstate = not running\\n}\\n' ;;\n"
		"system/*) echo 'Could not find domain' >&2; exit 112 ;;\n"
		"*) echo 'Could not find service' >&2; exit 113 ;;\n"
		"esac\n");
	struct rl_launchctl lc = {path, 5, NULL};
	const char *gui_first[] = {"gui/501", "user/501"};
	const char *headless[] = {"gui/502", "user/502"};
	const char *sys[] = {"system"};
	struct rl_service_status st;
	struct rl_launchctl_located loc;
	struct rl_error err = {0};

	/* An agent brew bootstrapped over SSH: 113 in gui/, found in user/. */
	CHECK_INT(
		rl_launchctl_locate(rl_launchctl_call_cb, &lc, "bg", gui_first, 2, &st, &loc, &err),
		0);
	CHECK_INT(loc.index, 1);
	CHECK_STR(loc.target, "user/501/bg");
	CHECK_INT(st.pid, 77);
	CHECK(!loc.no_gui);
	/* In neither: both domains named. */
	CHECK_INT(rl_launchctl_locate(rl_launchctl_call_cb, &lc, "nope", gui_first, 2, &st, &loc,
				      &err),
		  1);
	CHECK_STR(loc.text, "not loaded in gui/501 or user/501");
	/* No GUI session: 112 from gui/, then user/ has it. */
	CHECK_INT(
		rl_launchctl_locate(rl_launchctl_call_cb, &lc, "bg", headless, 2, &st, &loc, &err),
		0);
	CHECK_INT(loc.index, 1);
	CHECK(!st.running);
	/* No GUI session and not in user/: cannot tell, launchctl's lines kept. */
	CHECK_INT(rl_launchctl_locate(rl_launchctl_call_cb, &lc, "other", headless, 2, &st, &loc,
				      &err),
		  1);
	CHECK(loc.no_gui);
	CHECK_STR(loc.text, "no GUI session for uid 502 (launchctl: Bad request. Could not find "
			    "domain for user gui: 502); not loaded in user/502");
	CHECK(!err.set);
	/* A daemon: 113 is "not loaded", 112 a failure. */
	CHECK_INT(rl_launchctl_locate(rl_launchctl_call_cb, &lc, "d", sys, 1, &st, &loc, &err), -1);
	CHECK(strstr(err.text, "exit code 112") != NULL);
	rl_error_clear(&err);
	lc.path = "/nonexistent/launchctl";
	CHECK_INT(rl_launchctl_locate(rl_launchctl_call_cb, &lc, "d", sys, 1, &st, &loc, &err), -2);
	rl_error_clear(&err);
	CHECK(no_children());
	free(path);
}

/* A scripted launchctl answering `print <domain>` and `print <target>`
 * from a table, counting the calls. */
struct fake_answer {
	const char *arg;
	int status;
	const char *out;
	const char *errout;
};

struct fake_lc {
	const struct fake_answer *answers;
	int calls;
	int cannot_run;
};

static int fake_call(const char *const *args, struct rl_launchctl_result *res, struct rl_error *err,
		     void *ctx)
{
	struct fake_lc *f = ctx;

	memset(res, 0, sizeof(*res));
	if (f->cannot_run) {
		rl_error_set(err, "cannot run launchctl '/x': No such file or directory");
		return -1;
	}
	f->calls++;
	res->cmd = rl_xasprintf("%s %s", args[0], args[1]);
	for (const struct fake_answer *a = f->answers; a->arg; a++) {
		if (strcmp(a->arg, args[1]) == 0) {
			res->status = a->status;
			res->out = rl_xstrdup(a->out);
			res->errout = rl_xstrdup(a->errout);
			return 0;
		}
	}
	res->status = RL_LC_EXIT_NOT_LOADED;
	res->out = rl_xstrdup("");
	res->errout = rl_xstrdup("Could not find service\n");
	return 0;
}

static const char domain_user[] = "user/501 = {\n"
				  "\ttype = user\n"
				  "\tservices = {\n"
				  "\t\t      77      - \tbg\n"
				  "\t}\n"
				  "}\n";
static const char domain_system[] = "system = {\n"
				    "\ttype = system\n"
				    "\tservices = {\n"
				    "\t\t     328      - \td1\n"
				    "\t\t       0      1 \td2\n"
				    "\t}\n"
				    "}\n";

/* The agent domain rule from the domains' listings: each domain is asked
 * once, whatever the number of jobs; what a listing cannot tell is left to
 * the job's own print. */
static void test_listings(void)
{
	static const struct fake_answer answers[] = {
		{"gui/501", 0, shape_domain, ""},
		{"user/501", 0, domain_user, ""},
		{"gui/502", 112, "", "Bad request.\nCould not find domain for user gui: 502\n"},
		{"user/502", 0, domain_user, ""},
		{"system", 0, domain_system, ""},
		{"gui/503", 0, "gui/503 = {\n\ttype = login\n}\n", ""},
		{"user/503", 1, "", "Operation not permitted\n"},
		{NULL, 0, NULL, NULL},
	};
	struct fake_lc f = {answers, 0, 0};
	const char *gui_first[] = {"gui/501", "user/501"};
	const char *headless[] = {"gui/502", "user/502"};
	const char *garbled[] = {"gui/503", "user/503"};
	const char *sys[] = {"system"};
	struct rl_launchctl_listings ls;
	struct rl_launchctl_service svc;
	struct rl_launchctl_located loc;
	struct rl_error err = {0};

	rl_launchctl_listings_init(&ls, fake_call, &f);
	/* Loaded in the first domain, running or not. */
	CHECK_INT(rl_launchctl_listings_locate(&ls, "org.example.web", gui_first, 2, &svc, &loc,
					       &err),
		  0);
	CHECK_INT(loc.index, 0);
	CHECK_STR(loc.target, "gui/501/org.example.web");
	CHECK_INT(svc.pid, 612);
	CHECK(svc.label == NULL);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "org.example.broken", gui_first, 2, &svc, &loc,
					       &err),
		  0);
	CHECK_INT(svc.pid, 0);
	CHECK_STR(svc.status, "78");
	CHECK_INT(f.calls, 1);
	/* Not in gui/: the other domain, asked once too. */
	CHECK_INT(rl_launchctl_listings_locate(&ls, "bg", gui_first, 2, &svc, &loc, &err), 0);
	CHECK_INT(loc.index, 1);
	CHECK_STR(loc.target, "user/501/bg");
	CHECK_INT(svc.pid, 77);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "nope", gui_first, 2, &svc, &loc, &err), 1);
	CHECK_STR(loc.text, "not loaded in gui/501 or user/501");
	CHECK_INT(loc.status, RL_LC_EXIT_NOT_LOADED);
	CHECK_INT(f.calls, 2);
	/* Many jobs, still one call per domain. */
	for (int i = 0; i < 100; i++)
		CHECK_INT(rl_launchctl_listings_locate(&ls, i % 2 ? "org.example.idle" : "x",
						       gui_first, 2, &svc, &loc, &err),
			  i % 2 ? 0 : 1);
	CHECK_INT(f.calls, 2);
	/* No GUI session: gui/ does not exist, user/ has it. */
	CHECK_INT(rl_launchctl_listings_locate(&ls, "bg", headless, 2, &svc, &loc, &err), 0);
	CHECK_INT(loc.index, 1);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "other", headless, 2, &svc, &loc, &err), 1);
	CHECK(loc.no_gui);
	CHECK_STR(loc.text, "no GUI session for uid 502 (launchctl: Bad request. Could not find "
			    "domain for user gui: 502); not loaded in user/502");
	CHECK_INT(f.calls, 4);
	/* Daemons. */
	CHECK_INT(rl_launchctl_listings_locate(&ls, "d1", sys, 1, &svc, &loc, &err), 0);
	CHECK_INT(svc.pid, 328);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "d3", sys, 1, &svc, &loc, &err), 1);
	CHECK_STR(loc.text, "not loaded");
	/* A listing without a services block, or a domain that answered
	 * something else: the job's own print must tell. */
	CHECK_INT(rl_launchctl_listings_locate(&ls, "a", garbled, 2, &svc, &loc, &err), 2);
	CHECK(!err.set);
	CHECK_INT(f.calls, 6);
	rl_launchctl_listings_release(&ls);
	/* A system domain that does not answer is no "not loaded". */
	{
		static const struct fake_answer none[] = {
			{"system", 112, "", "Could not find domain\n"},
			{NULL, 0, NULL, NULL},
		};
		struct fake_lc g = {none, 0, 0};

		rl_launchctl_listings_init(&ls, fake_call, &g);
		CHECK_INT(rl_launchctl_listings_locate(&ls, "d1", sys, 1, &svc, &loc, &err), 2);
		rl_launchctl_listings_release(&ls);
		g.cannot_run = 1;
		rl_launchctl_listings_init(&ls, fake_call, &g);
		CHECK_INT(rl_launchctl_listings_locate(&ls, "d1", sys, 1, &svc, &loc, &err), -2);
		CHECK(strstr(err.text, "cannot run launchctl") != NULL);
		rl_error_clear(&err);
		rl_launchctl_listings_release(&ls);
	}
}

/* Fast user switching: 501 (the console) and 502 logged in at the GUI,
 * 503 with a user domain and no GUI login (as its user/ listing says),
 * 504 with none either (gui/504 is 112), 505 whose listings cannot tell,
 * 0 and 89 (system users) without a GUI login. */
static const char sessions_system[] = "system = {\n"
				      "\ttype = system\n"
				      "\tsubdomains = {\n"
				      "\t\tcom.apple.xpc.launchd.domain.pid.mdworker.412\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.0\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.89\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.501\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.502\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.503\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.504\n"
				      "\t\tcom.apple.xpc.launchd.domain.user.505\n"
				      "\t}\n"
				      "\tservices = {\n"
				      "\t\t     328      - \td1\n"
				      "\t}\n"
				      "}\n";
static const char sessions_gui502[] = "gui/502 = {\n"
				      "\ttype = login\n"
				      "\tservices = {\n"
				      "\t\t     900      - \torg.example.shared\n"
				      "\t\t     901      - \torg.example.mine\n"
				      "\t\t     902      - \torg.example.twice\n"
				      "\t}\n"
				      "}\n";
/* 502's user domain names the GUI login's process of org.example.shared
 * too (one copy), and an instance of org.example.twice of its own. */
static const char sessions_user502[] = "user/502 = {\n"
				       "\ttype = user\n"
				       "\tsubdomains = {\n"
				       "\t\tcom.apple.xpc.launchd.user.domain.502.100018.Aqua\n"
				       "\t}\n"
				       "\tservices = {\n"
				       "\t\t     900      - \torg.example.shared\n"
				       "\t\t     903      - \torg.example.twice\n"
				       "\t}\n"
				       "}\n";
static const char sessions_user503[] = "user/503 = {\n"
				       "\ttype = user\n"
				       "\tsubdomains = {\n"
				       "\t}\n"
				       "\tservices = {\n"
				       "\t\t     930      - \torg.example.shared\n"
				       "\t}\n"
				       "}\n";
static const char sessions_user_none[] = "user/0 = {\n"
					 "\ttype = user\n"
					 "\tsubdomains = {\n"
					 "\t}\n"
					 "\tservices = {\n"
					 "\t}\n"
					 "}\n";
static const char sessions_user504[] = "user/504 = {\n"
				       "\ttype = user\n"
				       "\tservices = {\n"
				       "\t}\n"
				       "}\n";

static int loaded_is(const struct rl_strv *v, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		if (n >= v->n || strcmp(v->v[n], want[n]) != 0)
			return 0;
	return n == v->n;
}

static void test_listings_sessions(void)
{
	static const struct fake_answer answers[] = {
		{"system", 0, sessions_system, ""},
		{"user/0", 0, sessions_user_none, ""},
		{"user/89", 0, sessions_user_none, ""},
		{"gui/501", 0, shape_domain, ""},
		{"gui/502", 0, sessions_gui502, ""},
		{"user/502", 0, sessions_user502, ""},
		{"user/503", 0, sessions_user503, ""},
		{"gui/504", 125, "", "Bad request.\n"},
		{"user/504", 0, sessions_user504, ""},
		{"gui/505", 1, "", "Operation not permitted\n"},
		{"user/505", 1, "", "Operation not permitted\n"},
		{NULL, 0, NULL, NULL},
	};
	struct fake_lc f = {answers, 0, 0};
	struct rl_launchctl_listings ls;
	struct rl_strv loaded = {0}, unknown = {0};
	struct rl_error err = {0};

	rl_launchctl_listings_init(&ls, fake_call, &f);
	/* user/503 asked before, for another job: kept, not asked again. */
	CHECK(rl_launchctl_listings_get(&ls, "user/503", &err) != NULL);
	CHECK_INT(rl_launchctl_listings_sessions(&ls, "org.example.shared", 501, 1, &loaded,
						 &unknown, &err),
		  0);
	/* 502's GUI login (its user domain names the same process), and
	 * 503's user domain: an SSH login has one too. */
	CHECK(loaded_is(&loaded, (const char *const[]){"gui/502", "user/503", NULL}));
	CHECK(loaded_is(&unknown, (const char *const[]){"user/505", "gui/505", NULL}));
	/* user/503, system, user/0, user/89 (no GUI login: their gui/ is not
	 * asked), user/502, gui/502, user/504, gui/504, user/505, gui/505. */
	CHECK_INT(f.calls, 10);
	rl_strv_release(&loaded);
	rl_strv_release(&unknown);
	/* An instance in each of 502's domains: two copies. The listings kept
	 * answer, launchd is asked nothing. */
	CHECK_INT(rl_launchctl_listings_sessions(&ls, "org.example.twice", 501, 1, &loaded,
						 &unknown, &err),
		  0);
	CHECK(loaded_is(&loaded, (const char *const[]){"gui/502", "user/502", NULL}));
	rl_strv_release(&loaded);
	rl_strv_release(&unknown);
	/* A Background only agent loads in no GUI login: no gui/<uid> is
	 * looked at, the user domains' copies alone are found. */
	CHECK_INT(rl_launchctl_listings_sessions(&ls, "org.example.twice", 501, 0, &loaded,
						 &unknown, &err),
		  0);
	CHECK(loaded_is(&loaded, (const char *const[]){"user/502", NULL}));
	CHECK(loaded_is(&unknown, (const char *const[]){"user/505", NULL}));
	rl_strv_release(&loaded);
	rl_strv_release(&unknown);
	CHECK_INT(rl_launchctl_listings_sessions(&ls, "org.example.other", 501, 1, &loaded,
						 &unknown, &err),
		  0);
	CHECK_INT(loaded.n, 0);
	CHECK_INT(f.calls, 10);
	rl_strv_release(&unknown);
	rl_launchctl_listings_release(&ls);
	/* A system listing without a subdomains block names no users. */
	{
		static const struct fake_answer bare[] = {
			{"system", 0, domain_system, ""},
			{NULL, 0, NULL, NULL},
		};
		struct fake_lc g = {bare, 0, 0};

		rl_launchctl_listings_init(&ls, fake_call, &g);
		CHECK_INT(rl_launchctl_listings_sessions(&ls, "x", 501, 1, &loaded, &unknown, &err),
			  1);
		CHECK_INT(loaded.n + unknown.n, 0);
		CHECK_INT(g.calls, 1);
		rl_launchctl_listings_release(&ls);
		g.cannot_run = 1;
		rl_launchctl_listings_init(&ls, fake_call, &g);
		CHECK_INT(rl_launchctl_listings_sessions(&ls, "x", 501, 1, &loaded, &unknown, &err),
			  -2);
		CHECK(err.set);
		rl_error_clear(&err);
		rl_launchctl_listings_release(&ls);
	}
}

/* A listing asked again (a job restarted since it was taken): launchd is
 * asked once more, and no more; the new answer replaces the kept one. */
static void test_listings_renew(void)
{
	static const char restarted[] = "system = {\n"
					"\ttype = system\n"
					"\tservices = {\n"
					"\t\t     401      - \td1\n"
					"\t}\n"
					"}\n";
	static const struct fake_answer before[] = {
		{"system", 0, domain_system, ""},
		{NULL, 0, NULL, NULL},
	};
	static const struct fake_answer after[] = {
		{"system", 0, restarted, ""},
		{"user/501", 0, domain_user, ""},
		{NULL, 0, NULL, NULL},
	};
	struct fake_lc f = {before, 0, 0};
	const char *sys[] = {"system"};
	struct rl_launchctl_listings ls;
	struct rl_launchctl_service svc;
	struct rl_launchctl_located loc;
	const struct rl_launchctl_listing *l;
	struct rl_error err = {0};
	struct timespec ts;
	int64_t t0, t1;

	clock_gettime(CLOCK_REALTIME, &ts);
	t0 = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	rl_launchctl_listings_init(&ls, fake_call, &f);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "d1", sys, 1, &svc, &loc, &err), 0);
	CHECK_INT(svc.pid, 328);
	l = rl_launchctl_listings_get(&ls, "system", &err);
	CHECK(l && !l->renewed && l->taken_ns >= t0);
	t1 = l->taken_ns;
	f.answers = after;
	l = rl_launchctl_listings_renew(&ls, "system", &err);
	CHECK(l && l->renewed && l->taken_ns >= t1);
	CHECK_INT(f.calls, 2);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "d1", sys, 1, &svc, &loc, &err), 0);
	CHECK_INT(svc.pid, 401);
	CHECK_INT(rl_launchctl_listings_locate(&ls, "d2", sys, 1, &svc, &loc, &err), 1);
	/* Once: asked again already, the listing kept. */
	CHECK(rl_launchctl_listings_renew(&ls, "system", &err) == l);
	CHECK_INT(f.calls, 2);
	/* A domain not asked yet is asked, as get asks it. */
	l = rl_launchctl_listings_renew(&ls, "user/501", &err);
	CHECK(l && l->rc == 0 && !l->renewed);
	CHECK_INT(f.calls, 3);
	/* launchctl that cannot run keeps the listing there was. */
	f.cannot_run = 1;
	CHECK(rl_launchctl_listings_renew(&ls, "user/501", &err) == NULL);
	CHECK(err.set);
	rl_error_clear(&err);
	f.cannot_run = 0;
	CHECK_INT(rl_launchctl_listings_locate(&ls, "bg", (const char *[]){"user/501"}, 1, &svc,
					       &loc, &err),
		  0);
	CHECK_INT(svc.pid, 77);
	CHECK_INT(f.calls, 3);
	rl_launchctl_listings_release(&ls);
}

int main(void)
{
	tmp = check_tmpdir();
	test_parse_running();
	test_parse_stopped();
	test_parse_schedule();
	test_parse_keepalive();
	test_parse_stopping();
	test_parse_spaces();
	test_parse_garbage();
	test_shapes();
	test_domain();
	test_subdomains();
	test_disabled();
	test_path();
	test_meaning();
	test_untouched();
	test_missing();
	test_exit_and_stderr();
	test_stdin();
	test_describe_final_period();
	test_hang();
	test_big_output();
	test_grandchild();
	test_signalled();
	test_status();
	test_locate();
	test_listings();
	test_listings_renew();
	test_listings_sessions();
	check_rmtree(tmp);
	free(tmp);
	return check_done();
}

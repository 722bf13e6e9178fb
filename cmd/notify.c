/* relaunch notify: queue one small entry for the next drained run.
 *
 * Called from package managers' hooks (a formula's post_install runs in
 * Homebrew's sandbox: writes only below the prefix, $HOME unreadable), so
 * it reads nothing but its arguments and the queue directory, writes one
 * file, and exits 0 whatever happens: a hook must never fail an install.
 * Problems are warnings on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/queue.h"

enum { OPT_QUEUE = CLI_OPT_FIRST_PRIVATE, OPT_FORMULA, OPT_PORT, OPT_SOURCE, OPT_VERSION };

static void warn_nothing_queued(const char *why, const char *what)
{
	fprintf(stderr, "relaunch: warning: notify: %s%s%s%s; nothing queued\n", why,
		what ? " '" : "", what ? what : "", what ? "'" : "");
}

struct notify_args {
	const char *queue, *source, *name, *version;
};

/* 0 parsed, 1 help printed, -1 bad usage (warned). */
static int parse(int argc, char **argv, struct notify_args *a)
{
	static const struct option opts[] = {
		{"queue", required_argument, NULL, OPT_QUEUE},
		{"formula", required_argument, NULL, OPT_FORMULA},
		{"port", required_argument, NULL, OPT_PORT},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"version", required_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, CLI_OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	int id, sources = 0;

	opterr = 0;
	while ((id = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (id) {
		case OPT_QUEUE: a->queue = optarg; break;
		case OPT_FORMULA: a->source = "homebrew"; a->name = optarg; sources++; break;
		case OPT_PORT: a->source = "macports"; a->name = optarg; sources++; break;
		case OPT_SOURCE: a->source = optarg; a->name = NULL; sources++; break;
		case OPT_VERSION: a->version = optarg; break;
		case CLI_OPT_HELP: cli_help("notify", stdout); return 1;
		default:
			warn_nothing_queued(id == ':' || (optopt && optopt >= OPT_QUEUE)
						    ? "option needs a value"
						    : "unknown option",
					    argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		warn_nothing_queued("unexpected argument", argv[optind]);
		return -1;
	}
	if (sources > 1)
		fprintf(stderr, "relaunch: warning: notify: --formula, --port and --source "
				"exclude each other; the last one is used\n");
	return 0;
}

int cmd_notify(int argc, char **argv)
{
	struct notify_args a = {0};
	struct rl_queue_entry e = {0};
	char *queue;
	struct rl_error err = {0};
	int rc = parse(argc, argv, &a);

	if (rc != 0)
		return CLI_EXIT_OK;
	queue = a.queue ? rl_xstrdup(a.queue) : rl_queue_default_dir();
	if (!queue) {
		warn_nothing_queued("no queue directory: relaunch is not installed under a "
				    "prefix and HOMEBREW_PREFIX is not set (use --queue DIR)",
				    NULL);
		return CLI_EXIT_OK;
	}
	e.source = rl_xstrdup(a.source ? a.source : "manual");
	e.name = a.name ? rl_xstrdup(a.name) : NULL;
	e.version = a.version ? rl_xstrdup(a.version) : NULL;
	rc = rl_queue_add(queue, &e, &err);
	if (rc != 0)
		fprintf(stderr, "relaunch: warning: notify: %s; nothing queued\n", err.text);
	rl_queue_entry_release(&e);
	free(queue);
	return CLI_EXIT_OK;
}

/* relaunch notify: queue one small entry for the next drained run.
 *
 * Called from package managers' hooks (a formula's post_install runs in
 * Homebrew's sandbox: writes only below the prefix, $HOME unreadable), so
 * it reads nothing but its arguments and the queue directory, writes one
 * file, and exits 0 whatever happens: a hook must never fail an install.
 * Problems are warnings on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/queue.h"

static void warn_nothing_queued(const char *why, const char *what)
{
	fprintf(stderr, "relaunch: warning: notify: %s%s%s%s; nothing queued\n", why,
		what ? " '" : "", what ? what : "", what ? "'" : "");
}

struct notify_args {
	const char *queue, *source, *name, *version;
};

static void read_args(const struct cli_ctx *ctx, struct notify_args *a)
{
	int sources = 0;

	for (size_t i = 0; i < ctx->nopts; i++) {
		const struct cli_value *v = &ctx->opts[i];

		switch (v->id) {
		case CMD_NOTIFY_QUEUE:
			a->queue = v->str;
			break;
		case CMD_NOTIFY_FORMULA:
			a->source = "homebrew";
			a->name = v->str;
			sources++;
			break;
		case CMD_NOTIFY_PORT:
			a->source = "macports";
			a->name = v->str;
			sources++;
			break;
		case CMD_NOTIFY_SOURCE:
			a->source = v->str;
			a->name = NULL;
			sources++;
			break;
		case CMD_NOTIFY_VERSION:
			a->version = v->str;
			break;
		}
	}
	if (sources > 1)
		fprintf(stderr, "relaunch: warning: notify: --formula, --port and --source "
				"exclude each other; the last one is used\n");
}

int cmd_notify(struct cli_ctx *ctx)
{
	struct notify_args a = {0};
	struct rl_queue_entry e = {0};
	char *queue;
	struct rl_error err = {0};
	int rc;

	read_args(ctx, &a);
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

#include "core/execute/failure.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

static void part(struct rl_buf *b, const char *text)
{
	if (b->len)
		rl_buf_adds(b, "; ");
	rl_buf_adds(b, text);
}

char *rl_failure_describe(const struct rl_service_status *st, const struct rl_job *job)
{
	struct rl_buf b = {0};
	char *t;

	if (st && st->last_signal[0]) {
		t = rl_xasprintf("last terminating signal %s", st->last_signal);
		part(&b, t);
		free(t);
	} else if (st && st->last_exit[0] && strcmp(st->last_exit, "(never exited)") != 0) {
		t = rl_xasprintf("last exit code %s", st->last_exit);
		part(&b, t);
		free(t);
	}
	if (st && st->last_exit_reason[0]) {
		/* OS_REASON_DYLD: dyld could not load the program, as after a
		 * library upgrade that broke it. */
		t = rl_xasprintf("last exit reason %s%s", st->last_exit_reason,
				 strncmp(st->last_exit_reason, "OS_REASON_DYLD", 14) == 0
					 ? " (the dynamic loader could not start it)"
					 : "");
		part(&b, t);
		free(t);
	}
	/* One crash is not a loop, nor is a respawn launchd scheduled (after
	 * a clean exit too, for a job kept alive); two or more crashes in a
	 * row are. */
	if (st && (st->spawn_scheduled || st->successive_crashes > 1)) {
		struct rl_buf c = {0};

		if (st->successive_crashes > 1)
			rl_buf_addf(&c, "crash loop: %ld successive crashes",
				    st->successive_crashes);
		else if (st->successive_crashes == 1 && st->spawn_scheduled)
			rl_buf_adds(&c, "crashed once");
		if (st->spawn_scheduled)
			rl_buf_addf(&c,
				    "%slaunchd respawns it after its throttle (spawn scheduled)",
				    c.len ? ", " : "");
		part(&b, c.data);
		rl_buf_release(&c);
	}
	if (!b.len)
		part(&b, "no exit status from launchd");
	if (job && job->stderr_path) {
		char *q = rl_path_quote(job->stderr_path);

		t = rl_xasprintf("its standard error: %s", q);
		part(&b, t);
		free(t);
		free(q);
	}
	return rl_buf_detach(&b);
}

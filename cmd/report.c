/* relaunch report --bundle FILE.tar.gz: what a bug report needs, and
 * nothing else from the disk: the manifest, the config, the run log, the
 * history and the restart journal, the plan and the jobs as `plan --json`
 * and `jobs --json` print them, `launchctl print` of every job, relaunch's
 * version and build, the OS version. MANIFEST.txt lists what the bundle holds and why, and what
 * is absent. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "core/archive/bundle.h"
#include "core/base/fsutil.h"
#include "core/base/jsonutil.h"
#include "core/base/statedir.h"
#include "core/execute/launchctl.h"
#include "core/pipeline.h"

/* A state file larger than this is cut off (and MANIFEST.txt says so). */
#define STATE_FILE_MAX (16 * 1024 * 1024)

struct report {
	struct cli_ctx *ctx;
	struct rl_bundle b;
	struct rl_buf manifest; /* MANIFEST.txt's list */
	int redact;
	struct rl_redactor red;
};

static void add(struct report *r, const char *name, struct rl_buf *data, const char *why)
{
	if (r->redact)
		rl_redact_text(&r->red, data);
	rl_buf_addf(&r->manifest, "%-28s %s\n", name, why);
	rl_bundle_add(&r->b, name, data);
}

static void absent(struct report *r, const char *name, const char *why)
{
	struct rl_buf line = {0};

	rl_buf_addf(&line, "%s", why);
	if (r->redact)
		rl_redact_text(&r->red, &line);
	rl_buf_addf(&r->manifest, "%-28s absent: %s\n", name, line.data);
	rl_buf_release(&line);
}

/* A file of the state directory (state: read as relaunch reads it, a
 * regular file never followed through a symbolic link and owned by root
 * or us, README's Security; a FIFO is never opened, nor a directory),
 * or the config (followed, as its reader does), as it is. The config is
 * bundled only as its reader takes it too: a target owned by root or us,
 * and JSON (a link may point at any file root can read, which the
 * config's reader never quotes either). */
static void add_file(struct report *r, const char *name, const char *path, int state,
		     const char *why)
{
	struct rl_buf data = {0};
	struct rl_error err = {0};
	struct stat st;

	if (!path || lstat(path, &st) != 0 || (!state && access(path, F_OK) != 0)) {
		char *w = rl_xasprintf("%s does not exist", path ? path : "the file");

		absent(r, name, w);
		free(w);
		return;
	}
	/* Nothing of a refused file is bundled. */
	if (rl_file_read_trusted(path, state ? O_NOFOLLOW : 0, name, STATE_FILE_MAX, &data, &err) <
	    0) {
		absent(r, name, err.text);
		rl_buf_release(&data);
		return;
	}
	if (!state) {
		json_error_t jerr;
		json_t *doc = json_loadb(data.data ? data.data : "", data.len,
					 JSON_REJECT_DUPLICATES, &jerr);

		if (!doc) {
			char *w =
				rl_json_error_text(data.data ? data.data : "", data.len, &jerr, 0);
			rl_error_set(&err, "cannot read %s '%s': %s", name, path, w);
			free(w);
			absent(r, name, err.text);
			rl_buf_release(&data);
			return;
		}
		json_decref(doc);
	}
	add(r, name, &data, why);
}

static void add_json(struct report *r, const char *name, json_t *doc, const char *why)
{
	struct rl_buf data = {0};
	char *text = json_dumps(doc, RL_JSON_DOC);

	rl_buf_adds(&data, text ? text : "null");
	rl_buf_adds(&data, "\n");
	free(text);
	json_decref(doc);
	add(r, name, &data, why);
}

static void add_jobs(struct report *r)
{
	struct rl_error err = {0};
	json_t *doc = cli_jobs_json(&r->ctx->jobs, &err);

	if (!doc)
		absent(r, "jobs.json", err.text);
	else
		add_json(r, "jobs.json", doc, "the jobs and every file each uses (jobs --json)");
}

/* `launchctl print <target>` of every job, with its exit status. */
static void add_launchctl(struct report *r)
{
	struct rl_launchctl lc = {.path = rl_launchctl_path(r->ctx->launchctl),
				  .timeout_s = cli_launchctl_timeout()};

	for (size_t i = 0; i < r->ctx->jobs.n; i++) {
		const struct rl_job *j = &r->ctx->jobs.v[i];
		const char *args[] = {"print", j->target, NULL};
		struct rl_launchctl_result res = {0};
		struct rl_error err = {0};
		struct rl_buf data = {0};
		char *name = rl_xasprintf("launchctl/%s.txt", j->label);

		if (strchr(j->label, '/') || j->label[0] == '.') {
			absent(r, name, "the label cannot be a file name");
		} else if (rl_launchctl_call(&lc, args, &res, &err) < 0) {
			absent(r, name, err.text);
		} else {
			rl_buf_addf(&data, "$ launchctl print %s\n%s", j->target,
				    res.out ? res.out : "");
			if (res.errout && *res.errout)
				rl_buf_addf(&data, "[stderr]\n%s", res.errout);
			rl_buf_addf(&data, "[exit %d%s]\n", res.status,
				    res.timed_out ? ", timed out" : "");
			add(r, name, &data, "what launchd says about the job now");
		}
		rl_launchctl_result_release(&res);
		free(name);
	}
	if (r->ctx->jobs.n == 0)
		absent(r, "launchctl/", "no jobs were found");
}

/* plan --json, as the plan command prints it (it takes the jobs). */
static void add_plan(struct report *r)
{
	struct rl_pipeline_opts po;
	struct rl_pipeline p;
	struct rl_launchctl lc;
	struct rl_error err = {0};

	cli_pipeline_opts(r->ctx, &lc, &po);
	if (rl_pipeline_plan(&po, &p, &err) < 0) {
		absent(r, "plan.json", err.text);
	} else if (p.journal_error.set) {
		/* plan fails on it: its plan would leave out a job an earlier
		 * run left booted out. */
		absent(r, "plan.json", p.journal_error.text);
	} else {
		json_t *j = rl_plan_to_json(&p.plan);

		json_object_set_new(j, "baseline", json_boolean(!p.have_prev));
		add_json(r, "plan.json", j, "what a run would restart now, and why (plan --json)");
	}
	rl_pipeline_release(&p);
}

static void add_version(struct report *r)
{
	struct rl_buf data = {0};

	rl_buf_addf(&data, "relaunch %s\nbuild: %s\ncompiler: %s\n", RELAUNCH_VERSION,
		    RELAUNCH_BUILD_OPTIONS, __VERSION__);
	rl_buf_addf(&data, "jansson: %s\nlibarchive: %s\nopenssl: %s\n", JANSSON_VERSION,
		    archive_version_details(), OpenSSL_version(OPENSSL_VERSION));
	add(r, "version.txt", &data, "relaunch's version, build options and libraries");
}

static void add_os(struct report *r)
{
	static const char *const files[] = {"/System/Library/CoreServices/SystemVersion.plist",
					    "/etc/os-release"};
	struct rl_buf data = {0};
	struct utsname u;

	if (uname(&u) == 0)
		rl_buf_addf(&data, "uname: %s %s %s %s\n", u.sysname, u.release, u.version,
			    u.machine);
	for (size_t i = 0; i < 2; i++) {
		struct rl_buf f = {0};

		if (access(files[i], R_OK) == 0 &&
		    rl_file_read(files[i], "OS version", 64 * 1024, &f, NULL) == 0)
			rl_buf_addf(&data, "\n%s:\n%s", files[i], f.data ? f.data : "");
		rl_buf_release(&f);
	}
	add(r, "os.txt", &data, "the OS version (uname, SystemVersion.plist or os-release)");
}

static char *state_path(const struct cli_ctx *ctx, const char *name)
{
	return rl_path_join(ctx->state_dir, name);
}

static void gather(struct report *r)
{
	struct cli_ctx *ctx = r->ctx;
	char *p;

	add_version(r);
	add_os(r);
	p = state_path(ctx, RL_STATE_MANIFEST);
	add_file(r, "manifest.json", p, 1, "the recorded state of every tracked file");
	free(p);
	add_file(r, "config.json", ctx->config_path, 0, "the config in use");
	p = state_path(ctx, "runs.json");
	add_file(r, "runs.json", p, 1, "the run log: what each run did");
	free(p);
	p = state_path(ctx, RL_STATE_HISTORY);
	add_file(r, "history.json", p, 1, "when each job was last restarted (throttling)");
	free(p);
	p = state_path(ctx, RL_STATE_INTENT);
	add_file(r, "intent.json", p, 1,
		 "the restart journal: restarts a run began and did not finish");
	free(p);
	add_jobs(r);
	add_launchctl(r);
	add_plan(r); /* last: the pipeline takes the jobs */
}

static void add_manifest_txt(struct report *r)
{
	struct rl_buf data = {0};
	time_t now = time(NULL);
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	rl_buf_addf(&data,
		    "relaunch support bundle, made %s by relaunch %s\n"
		    "Paths under home directories: %s.\n"
		    "Nothing else from the disk is included.\n\n",
		    when, RELAUNCH_VERSION,
		    r->redact ? "redacted (<redacted-path-N>, one number per path)"
			      : "kept as they are");
	rl_buf_add(&data, r->manifest.data ? r->manifest.data : "", r->manifest.len);
	rl_buf_addf(&data, "%-28s %s\n", "MANIFEST.txt", "this list");
	rl_bundle_add(&r->b, "MANIFEST.txt", &data);
}

int cmd_report(struct cli_ctx *ctx)
{
	struct report r = {0};
	const char *path = NULL;
	struct rl_error err = {0};
	int force = 0, rc;

	for (size_t i = 0; i < ctx->nopts; i++) {
		if (ctx->opts[i].id == CMD_REPORT_BUNDLE)
			path = ctx->opts[i].str;
		else if (ctx->opts[i].id == CMD_REPORT_REDACT)
			r.redact = 1;
		else if (ctx->opts[i].id == CMD_REPORT_FORCE)
			force = 1;
	}
	if (!path)
		return cli_usage_error("report", "--bundle FILE is required");
	r.ctx = ctx;
	rl_redactor_init(&r.red, getenv("HOME"));
	gather(&r);
	add_manifest_txt(&r);
	rc = rl_bundle_write(&r.b, path, "relaunch-report", force, &err);
	if (rc == 1) {
		char *q = rl_path_quote(path);

		fprintf(stderr,
			"relaunch: cannot write bundle '%s': it exists (--force replaces it)\n", q);
		free(q);
		rc = CLI_EXIT_ERROR;
	} else if (rc < 0) {
		rc = cli_fail(&err);
	} else {
		cli_note(ctx, "wrote %s (%zu files)", path, r.b.n);
		rc = CLI_EXIT_OK;
	}
	rl_redactor_release(&r.red);
	rl_bundle_release(&r.b);
	rl_buf_release(&r.manifest);
	return rc;
}

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "core/discover/jobfiles.h"
#include "core/base/jsonutil.h"

/* A library's chain: the executable, then each library that loads the next. */
static json_t *chain_json(const struct rl_strv *chain)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < chain->n; i++)
		json_array_append_new(arr, rl_json_path(chain->v[i]));
	return arr;
}

static json_t *files_json(const struct rl_jobfiles *f)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < f->n; i++) {
		json_t *o = json_pack("{s:o, s:s, s:o, s:b}", "path", rl_json_path(f->v[i].path),
				      "role", rl_role_name(f->v[i].role), "via",
				      rl_json_path(f->v[i].via), "missing", f->v[i].missing);

		if (o && f->v[i].chain.n)
			json_object_set_new(o, "chain", chain_json(&f->v[i].chain));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *job_json(const struct rl_job *j, const struct rl_jobfiles *f)
{
	return json_pack("{s:o, s:o, s:o, s:s, s:o}", "label", rl_json_path(j->label), "target",
			 rl_json_path(j->target), "plist", rl_json_path(j->plist), "kind",
			 rl_job_kind_name(j->kind), "files", files_json(f));
}

/* Text output: every label and path through rl_path_quote, so a newline
 * or an invalid byte in a name never splits or garbles a line. */
static void print_job(const struct rl_job *j, const struct rl_jobfiles *f, int first)
{
	char *label = rl_path_quote(j->label), *target = rl_path_quote(j->target);
	char *plist = rl_path_quote(j->plist);

	if (!first)
		putchar('\n');
	printf("%s\n  target: %s\n  plist:  %s\n  kind:   %s\n", label, target, plist,
	       rl_job_kind_name(j->kind));
	for (size_t i = 0; i < f->n; i++) {
		char *path = rl_path_quote(f->v[i].path);

		printf("  %-11s %s%s (%s)\n", rl_role_name(f->v[i].role), path,
		       f->v[i].missing ? " [missing]" : "", f->v[i].via);
		free(path);
	}
	free(label);
	free(target);
	free(plist);
}

static int list_jobs(const struct rl_jobset *js, int as_json)
{
	json_t *jobs = json_array();
	struct rl_libcache *libs = rl_libcache_new();
	struct rl_error err = {0};
	int rc = CLI_EXIT_OK;

	for (size_t i = 0; i < js->n && rc == CLI_EXIT_OK; i++) {
		struct rl_jobfiles f = {0};

		if (rl_job_files(&js->v[i], libs, &f, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			rl_jobfiles_warn(&js->v[i], &f);
			if (as_json)
				json_array_append_new(jobs, job_json(&js->v[i], &f));
			else
				print_job(&js->v[i], &f, i == 0);
		}
		rl_jobfiles_release(&f);
	}
	if (rc == CLI_EXIT_OK && as_json) {
		cli_print_json(json_pack("{s:i, s:O}", "version", 1, "jobs", jobs));
	}
	json_decref(jobs);
	rl_libcache_free(libs);
	return rc;
}

json_t *cli_jobs_json(const struct rl_jobset *js, struct rl_error *err)
{
	json_t *jobs = json_array();
	struct rl_libcache *libs = rl_libcache_new();

	for (size_t i = 0; i < js->n && jobs; i++) {
		struct rl_jobfiles f = {0};

		if (rl_job_files(&js->v[i], libs, &f, err) < 0) {
			json_decref(jobs);
			jobs = NULL;
		} else {
			json_array_append_new(jobs, job_json(&js->v[i], &f));
		}
		rl_jobfiles_release(&f);
	}
	rl_libcache_free(libs);
	return jobs ? json_pack("{s:i, s:o}", "version", 1, "jobs", jobs) : NULL;
}

int cmd_jobs(struct cli_ctx *ctx)
{
	return list_jobs(&ctx->jobs, ctx->json);
}

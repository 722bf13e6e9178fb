/* relaunch diff: what changed on disk since the manifest was recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/compare/diff.h"
#include "core/base/jsonutil.h"
#include "core/model/manifest.h"
#include "core/base/statedir.h"

static void print_text(const struct rl_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *q = rl_path_quote(d->v[i].path);

		printf("%-10s %s\n", rl_change_kind_name(d->v[i].kind), q);
		free(q);
	}
}

/* The shape of diff --json: 2 made "old" and "new" null where the path does
 * not exist, and "mode" the permission bits as an octal string. */
#define DIFF_JSON_VERSION 2

/* One side of a change: null when the path does not exist (an added path's
 * old, a removed path's new), else its state with "mode" as "0755". */
static json_t *side_json(const struct rl_fileinfo *fi)
{
	json_t *o;
	char mode[8];

	if (!fi || fi->type == RL_FT_MISSING)
		return json_null();
	o = rl_fileinfo_to_json(fi);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(fi->mode & 07777));
	json_object_set_new(o, "mode", json_string(mode));
	return o;
}

static void print_json(const struct rl_diff *d)
{
	json_t *changes = json_array();
	json_t *root;

	for (size_t i = 0; i < d->n; i++) {
		const struct rl_change *c = &d->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "path", rl_json_path(c->path));
		json_object_set_new(o, "change", json_string(rl_change_kind_name(c->kind)));
		json_object_set_new(
			o, "old",
			side_json(c->kind == RL_CHANGE_ADDED || !c->entry ? NULL : &c->entry->fi));
		json_object_set_new(o, "new", side_json(&c->now));
		json_array_append_new(changes, o);
	}
	root = json_pack("{s:i, s:o}", "version", DIFF_JSON_VERSION, "changes", changes);
	cli_print_json(root);
}

/* Load the manifest; a missing one is an error that says what to do. */
static int load_manifest(const struct cli_ctx *ctx, struct rl_manifest *m, struct rl_error *err)
{
	char *mpath, *q;
	int rc;

	mpath = rl_path_join(ctx->state_dir, RL_STATE_MANIFEST);
	rc = rl_manifest_load(m, mpath, err);
	if (rc == 1) {
		q = rl_path_quote(mpath);
		rl_error_set(
			err,
			"cannot read manifest '%s': no manifest yet (" CMD_NO_MANIFEST_NEXT ")", q);
		free(q);
		rc = -1;
	}
	free(mpath);
	return rc;
}

int cmd_diff(struct cli_ctx *ctx)
{
	struct rl_manifest m;
	struct rl_diff d = {0};
	struct rl_error err = {0};
	int verify = 0, status;

	for (size_t i = 0; i < ctx->nopts; i++)
		if (ctx->opts[i].id == CMD_DIFF_VERIFY)
			verify = 1;
	rl_manifest_init(&m);
	if (load_manifest(ctx, &m, &err) < 0 || rl_diff_compute(&m, verify, &d, &err) < 0) {
		rl_manifest_release(&m);
		return cli_fail(&err);
	}
	if (ctx->json)
		print_json(&d);
	else
		print_text(&d);
	status = d.n ? CLI_EXIT_CHANGES : CLI_EXIT_OK;
	rl_diff_release(&d);
	rl_manifest_release(&m);
	return status;
}

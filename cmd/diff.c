/* relaunch diff: what changed on disk since the manifest was recorded. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/compare/diff.h"
#include "core/base/jsonutil.h"
#include "core/model/manifest.h"
#include "core/base/statedir.h"

enum {
	OPT_VERIFY = CLI_OPT_FIRST_PRIVATE,
};

static const struct option diff_opts[] = {
	{"verify", no_argument, NULL, OPT_VERIFY},
	CLI_OPTION_JSON,
	CLI_OPTION_STATE_DIR,
	CLI_OPTION_HELP,
	CLI_OPTION_END,
};

static void print_text(const struct rl_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *q = rl_path_quote(d->v[i].path);

		printf("%-10s %s\n", rl_change_kind_name(d->v[i].kind), q);
		free(q);
	}
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
		if (c->kind != RL_CHANGE_ADDED && c->entry)
			json_object_set_new(o, "old", rl_fileinfo_to_json(&c->entry->fi));
		json_object_set_new(o, "new", rl_fileinfo_to_json(&c->now));
		json_array_append_new(changes, o);
	}
	root = json_pack("{s:i, s:o}", "version", 1, "changes", changes);
	if (!root)
		abort();
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(root);
}

/* Load the manifest; a missing one is an error that says what to do. */
static int load_manifest(const struct cli_common *c, struct rl_manifest *m, struct rl_error *err)
{
	char *dir = rl_statedir_resolve(c->state_dir, err);
	char *mpath, *q;
	int rc;

	if (!dir)
		return -1;
	mpath = rl_path_join(dir, "manifest.json");
	rc = rl_manifest_load(m, mpath, err);
	if (rc == 1) {
		q = rl_path_quote(mpath);
		rl_error_set(err,
			     "cannot read manifest '%s': no manifest yet (run 'relaunch record')",
			     q);
		free(q);
		rc = -1;
	}
	free(mpath);
	free(dir);
	return rc;
}

static int diff(const struct cli_common *c, int verify)
{
	struct rl_manifest m;
	struct rl_diff d = {0};
	struct rl_error err = {0};
	int status;

	rl_manifest_init(&m);
	if (load_manifest(c, &m, &err) < 0 || rl_diff_compute(&m, verify, &d, &err) < 0) {
		rl_manifest_release(&m);
		return cli_fail(&err);
	}
	if (c->json)
		print_json(&d);
	else
		print_text(&d);
	status = d.n ? CLI_EXIT_CHANGES : CLI_EXIT_OK;
	rl_diff_release(&d);
	rl_manifest_release(&m);
	return status;
}

int cmd_diff(int argc, char **argv)
{
	struct cli_common c = {0};
	int verify = 0, status = -1, id;

	while (status < 0 && (id = cli_getopt(argc, argv, diff_opts, &c)) != -1) {
		if (id == OPT_VERIFY)
			verify = 1;
		else
			status = id == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (status < 0)
		status = diff(&c, verify);
	cli_common_release(&c);
	return status;
}

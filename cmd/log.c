/* relaunch log: the run log, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "core/automate/runlog.h"

enum { OPT_COUNT = CLI_OPT_FIRST_PRIVATE };

/* The shared option parser takes long options only: -n N is --count N. */
static char **long_n(int argc, char **argv, struct rl_strv *own)
{
	char **v = rl_xcalloc((size_t)argc + 1, sizeof(*v));

	for (int i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "-n") == 0)
			rl_strv_push(own, "--count");
		else if (i > 0 && strncmp(argv[i], "-n", 2) == 0 && argv[i][2] != '-')
			rl_strv_push_owned(own, rl_xasprintf("--count=%s", argv[i] + 2));
		else
			rl_strv_push(own, argv[i]);
		v[i] = own->v[i];
	}
	return v;
}

static int log_main(int argc, char **argv);

int cmd_log(int argc, char **argv)
{
	struct rl_strv own = {0};
	char **v = long_n(argc, argv, &own);
	int rc = log_main(argc, v);

	free(v);
	rl_strv_release(&own);
	return rc;
}

static int log_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTION_STATE_DIR, CLI_OPTION_JSON, CLI_OPTION_HELP,
		{"count", required_argument, NULL, OPT_COUNT},
		CLI_OPTION_END,
	};
	struct cli_common c = {0};
	struct rl_error err = {0};
	long count = -1;
	char *statedir, *end;
	json_t *runs, *out;
	int id;

	while ((id = cli_getopt(argc, argv, opts, &c)) != -1) {
		if (id == CLI_OPT_HELP)
			return CLI_EXIT_OK;
		if (id != OPT_COUNT)
			return CLI_EXIT_USAGE;
		count = strtol(optarg, &end, 10);
		if (end == optarg || *end || count < 1)
			return cli_usage_error("log", "-n takes a whole number above 0, not '%s'",
					       optarg);
	}
	statedir = cli_state_dir(&c);
	if (!statedir)
		return CLI_EXIT_ERROR;
	runs = rl_runlog_load(statedir, &err);
	free(statedir);
	if (!runs)
		return cli_fail(&err);
	out = json_array();
	for (size_t i = json_array_size(runs); i > 0 && (count < 0 || (long)json_array_size(out) < count); i--)
		json_array_append(out, json_array_get(runs, i - 1));
	json_decref(runs);
	if (c.json) {
		json_t *top = json_pack("{s:i,s:o}", "version", 1, "runs", out);

		json_dumpf(top, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(top);
		return CLI_EXIT_OK;
	}
	if (json_array_size(out) == 0)
		printf("no runs logged yet\n");
	for (size_t i = 0; i < json_array_size(out); i++) {
		struct rl_buf b = {0};

		rl_runlog_record_format(json_array_get(out, i), &b);
		printf("%s%s", i ? "\n" : "", b.data ? b.data : "");
		rl_buf_release(&b);
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

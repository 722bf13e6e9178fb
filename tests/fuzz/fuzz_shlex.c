/* libFuzzer target: sh text (wrapper scripts, sh -c strings) split into
 * simple commands, as job tracking reads it. */
#include <stddef.h>
#include <stdint.h>

#include "core/discover/shlex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_shcmds cmds = {0};
	struct rl_error err = {0};

	/* On an error, cmds holds what was split before it: released too. */
	(void)rl_shlex_split((const char *)data, size, &cmds, &err);
	for (size_t i = 0; i < cmds.n; i++)
		(void)rl_shcmd_program(&cmds.v[i]);
	rl_shcmds_release(&cmds);
	return 0;
}

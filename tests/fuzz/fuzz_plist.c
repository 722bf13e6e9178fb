/* libFuzzer target: a plist (XML or binary) read as a launchd job, the way
 * discovery reads every file in the job directories. */
#include "fuzz_file.h"

#include "core/discover/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_job j;
	struct rl_error err = {0};

	if (rl_job_parse(fuzz_file(data, size, "job.plist"), RL_JOB_DAEMON, &j, &err) == 0)
		rl_job_release(&j);
	return 0;
}

/* libFuzzer target: the config loader. */
#include "fuzz_file.h"

#include "core/discover/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_config c;
	struct rl_error err = {0};

	rl_config_init(&c);
	(void)rl_config_load(&c, fuzz_file(data, size, "config.json"), 0, &err);
	rl_config_release(&c);
	return 0;
}

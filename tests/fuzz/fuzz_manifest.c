/* libFuzzer target: the manifest loader (versions 1 to 3), and a save of
 * whatever it accepted. */
#include "fuzz_file.h"

#include "core/model/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	const char *path = fuzz_file(data, size, "manifest.json");

	if (rl_manifest_load(&m, path, &err) == 0) {
		char *out = malloc(strlen(path) + 5);

		if (!out)
			abort();
		strcpy(out, path);
		strcat(out, ".out");
		if (rl_manifest_save(&m, out, &err) < 0)
			abort(); /* what was read can always be written back */
		free(out);
		rl_manifest_release(&m);
	}
	return 0;
}

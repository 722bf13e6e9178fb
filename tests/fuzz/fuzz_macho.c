/* libFuzzer target for the Mach-O parser (thin and universal files). The
 * seed corpus (tests/fuzz/run_fuzz.py) holds Mach-O images, so mutations
 * stay mostly inside this parser; any input is accepted. */
#include <stddef.h>
#include <stdint.h>

#include "core/discover/libdeps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_objinfo oi;
	struct rl_error err = {0};

	if (rl_objinfo_parse(data, size, "fuzz", &oi, &err) == 0)
		rl_objinfo_release(&oi);
	return 0;
}

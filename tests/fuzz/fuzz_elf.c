/* libFuzzer target for the ELF parser (32/64-bit, both byte orders). The
 * seed corpus (tests/fuzz/run_fuzz.py) holds ELF images, so mutations
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

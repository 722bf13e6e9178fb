/* libFuzzer target: the parsers of launchctl's text (`print <service>`,
 * `print <domain>`, `print-disabled`), which is NOT API and may be
 * anything. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/execute/launchctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct rl_service_status st;
	struct rl_launchctl_domain d;
	struct rl_launchctl_overrides o;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&st, 0, sizeof(st));
	if (rl_launchctl_parse_print(text, &st) == 0)
		for (int i = 0; rl_service_status_arg(&st, i); i++)
			;
	memset(&d, 0, sizeof(d));
	(void)rl_launchctl_parse_domain(text, &d);
	(void)rl_launchctl_domain_find(&d, "a");
	rl_launchctl_domain_release(&d);
	memset(&o, 0, sizeof(o));
	(void)rl_launchctl_parse_disabled(text, &o);
	(void)rl_launchctl_overrides_get(&o, "a");
	rl_launchctl_overrides_release(&o);
	free(text);
	return 0;
}

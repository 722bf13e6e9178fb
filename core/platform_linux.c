/* Linux (and other non-Apple) implementation of platform.h. */
#include "platform.h"

uid_t rl_platform_console_uid(uid_t fallback)
{
	/* No console-user concept that launchd domains map to. */
	return fallback;
}

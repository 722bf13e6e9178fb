/* macOS implementation of platform.h. */
#include "platform.h"

#include <sys/stat.h>

uid_t rl_platform_console_uid(uid_t fallback)
{
	struct stat st;

	/* The console user owns /dev/console; root owns it at the login window. */
	if (stat("/dev/console", &st) == 0 && st.st_uid != 0)
		return st.st_uid;
	return fallback;
}

/* Where a property list that libplist refused is broken. libplist 2.x says
 * only that it failed; people fixing a plist by hand need the line. This
 * reads the bytes again, as text that must be a well-formed XML plist, or
 * as a binary plist's header and trailer, and names the first problem it
 * finds. It never decides whether a plist is valid (libplist did): it only
 * explains a refusal, and may find nothing to say.
 */
#ifndef RL_PLISTSYNTAX_H
#define RL_PLISTSYNTAX_H

#include <stddef.h>

/* The first problem in data (len bytes) as "line 12: <strin> is no plist
 * element" (XML) or "byte 1234: …" (binary), into out (size n, always
 * terminated). Returns 1 when one was found, 0 when nothing could be told
 * (out then empty). Reads at most len bytes; nests at most 512 deep. */
int rl_plist_syntax_error(const char *data, size_t len, char *out, size_t n);

#endif

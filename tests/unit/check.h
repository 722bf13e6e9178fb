/* A minimal assertion kit for the unit tests: each failed check prints
 * file:line and the expression, and the test exits 1 at the end. */
#ifndef RL_TEST_CHECK_H
#define RL_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined in check.c, shared by every file of a test. */
extern int check_failures;
extern int check_count;

#define CHECK(expr)                                                                                \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(expr)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		check_count++;                                                                     \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                   \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s == %s: '%s' != '%s'\n", __FILE__, __LINE__, #a, \
				#b, check_a_ ? check_a_ : "(null)",                                \
				check_b_ ? check_b_ : "(null)");                                   \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
		check_count++;                                                                     \
		if (check_a_ != check_b_) {                                                        \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, \
				#b, check_a_, check_b_);                                           \
		}                                                                                  \
	} while (0)

/* Return from main with this. */
static inline int check_done(void)
{
	if (check_count == 0) {
		fprintf(stderr, "no checks ran\n");
		return 1;
	}
	printf("%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

/* A fresh temporary directory (mkdtemp under $TMPDIR or /tmp); the caller
 * removes it with check_rmtree. */
char *check_tmpdir(void);
void check_rmtree(const char *path);

/* Files below a test's directory: write rel (in place, creating parent
 * directories) with text and mode, and make rel a symlink to target.
 * Each counts as a check. */
#include <sys/types.h>
void check_write(const char *dir, const char *rel, const char *text, mode_t mode);
void check_symlink(const char *dir, const char *target, const char *rel);

#ifdef __linux__
/* Whether the code under test opens path: check_watch_open starts
 * watching (inotify, IN_OPEN), check_not_opened checks nothing opened it
 * since and stops. */
int check_watch_open(const char *path);
void check_not_opened(int watch);
#endif

#endif

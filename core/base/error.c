#include "core/base/error.h"

#include <stdio.h>
#include <string.h>

void rl_error_setv(struct rl_error *err, const char *fmt, va_list ap)
{
	if (!err || err->set)
		return;
	err->set = 1;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
}

void rl_error_set(struct rl_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rl_error_setv(err, fmt, ap);
	va_end(ap);
}

void rl_error_clear(struct rl_error *err)
{
	if (!err)
		return;
	err->set = 0;
	err->text[0] = '\0';
}

int rl_error_hint(struct rl_error *err, const char *hint)
{
	char why[RL_ERROR_TEXT_MAX];

	if (!err)
		return -1;
	snprintf(why, sizeof(why), "%s", err->text);
	rl_error_clear(err);
	rl_error_set(err, "%s (%s)", why, hint);
	return -1;
}

static rl_warn_fn warn_fn;
static void *warn_ctx;

void rl_warn_handler_set(rl_warn_fn fn, void *ctx)
{
	warn_fn = fn;
	warn_ctx = ctx;
}

void rl_warn(const char *fmt, ...)
{
	char text[RL_ERROR_TEXT_MAX];
	va_list ap;

	if (!warn_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	warn_fn(text, warn_ctx);
}

#include "core/base/util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	abort();
}

void *rl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *rl_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *rl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void rl_xgrow(void **p, size_t *alloc, size_t need, size_t elem)
{
	size_t n;

	if (need <= *alloc)
		return;
	n = *alloc ? *alloc : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom();
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		oom();
	*p = rl_xrealloc(*p, n * elem);
	*alloc = n;
}

char *rl_xstrdup(const char *s)
{
	return rl_xstrndup(s, strlen(s));
}

char *rl_xstrndup(const char *s, size_t n)
{
	char *p = rl_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rl_xasprintf(const char *fmt, ...)
{
	struct rl_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return rl_buf_detach(&b);
}

void rl_strv_push_owned(struct rl_strv *sv, char *s)
{
	rl_xgrow((void **)&sv->v, &sv->alloc, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void rl_strv_push(struct rl_strv *sv, const char *s)
{
	rl_strv_push_owned(sv, rl_xstrdup(s));
}

int rl_strv_contains(const struct rl_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void rl_strv_sort_unique(struct rl_strv *sv)
{
	size_t n = 0;

	if (sv->n < 2)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_strp);
	for (size_t i = 0; i < sv->n; i++) {
		if (n && strcmp(sv->v[n - 1], sv->v[i]) == 0)
			free(sv->v[i]);
		else
			sv->v[n++] = sv->v[i];
	}
	sv->n = n;
	sv->v[n] = NULL;
}

size_t rl_lower_bound(const void *key, const void *base, size_t n, size_t size,
		      int (*cmp)(const void *key, const void *elem))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(key, (const char *)base + mid * size) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int key_strp(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

int rl_strv_sorted_contains(const struct rl_strv *sv, const char *s)
{
	size_t i = rl_lower_bound(s, sv->v, sv->n, sizeof(*sv->v), key_strp);

	return i < sv->n && strcmp(sv->v[i], s) == 0;
}

void rl_strv_sorted_add(struct rl_strv *sv, const char *s)
{
	size_t i = rl_lower_bound(s, sv->v, sv->n, sizeof(*sv->v), key_strp);
	char *copy;

	if (i < sv->n && strcmp(sv->v[i], s) == 0)
		return;
	rl_strv_push(sv, s);
	copy = sv->v[sv->n - 1];
	memmove(&sv->v[i + 1], &sv->v[i], (sv->n - 1 - i) * sizeof(*sv->v));
	sv->v[i] = copy;
}

void rl_strv_copy(struct rl_strv *dst, const struct rl_strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		rl_strv_push(dst, src->v[i]);
}

void rl_strv_release(struct rl_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

/* A buffer's first allocation: most texts built in one (a path, a via)
 * fit, without growing through 8, 16, 32 and 64 bytes. */
#define BUF_FIRST 128

void rl_buf_add(struct rl_buf *b, const void *data, size_t len)
{
	size_t need = b->len + len + 1;

	rl_xgrow((void **)&b->data, &b->alloc, !b->alloc && need < BUF_FIRST ? BUF_FIRST : need, 1);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void rl_buf_adds(struct rl_buf *b, const char *s)
{
	rl_buf_add(b, s, strlen(s));
}

void rl_buf_vaddf(struct rl_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	if ((size_t)n < sizeof(small)) {
		rl_buf_add(b, small, (size_t)n);
		return;
	}
	rl_xgrow((void **)&b->data, &b->alloc, b->len + (size_t)n + 1, 1);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void rl_buf_addf(struct rl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rl_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void rl_buf_reset(struct rl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *rl_buf_detach(struct rl_buf *b)
{
	char *p = b->data ? b->data : rl_xstrdup("");

	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

void rl_buf_release(struct rl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

char *rl_xconcat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s;

	if (lb > SIZE_MAX - 1 - la || lc > SIZE_MAX - 1 - la - lb)
		oom();
	s = rl_xmalloc(la + lb + lc + 1);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

char *rl_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);

	if (name[0] == '/')
		return rl_xstrdup(name);
	return rl_xconcat(dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
}

char *rl_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return rl_xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return rl_xstrdup("/");
	return rl_xstrndup(path, (size_t)(slash - path));
}

const char *rl_path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

int rl_path_is_library_name(const char *path)
{
	const char *base = rl_path_basename(path);

	for (const char *p = base; (p = strstr(p, ".so")) != NULL; p += 3)
		if (p > base && (p[3] == '\0' || p[3] == '.'))
			return 1;
	return ends_with(base, ".dylib") || ends_with(base, ".bundle") ||
	       strstr(path, ".framework/") != NULL;
}

/* Length of the path component at s (up to '/' or the end), 0 for "."
 * and "..". */
static size_t component_len(const char *s)
{
	size_t n = strcspn(s, "/");

	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	return n;
}

int rl_path_keg(const char *path, struct rl_keg_path *k)
{
	static const char cellar[] = "/Cellar/";
	const size_t cl = sizeof(cellar) - 1;

	if (!path || path[0] != '/')
		return 0;
	for (const char *c = path; (c = strstr(c, cellar)) != NULL; c++) {
		const char *f = c + cl, *v, *rest;
		size_t fl = component_len(f), vl;

		if (!fl || f[fl] != '/')
			continue;
		v = f + fl + 1;
		vl = component_len(v);
		if (!vl || v[vl] != '/')
			continue;
		rest = v + vl + 1;
		if (!*rest)
			continue;
		if (k) {
			k->prefix_len = (size_t)(c - path);
			k->formula_off = (size_t)(f - path);
			k->formula_len = fl;
			k->version_off = (size_t)(v - path);
			k->version_len = vl;
			k->keg_len = (size_t)(v + vl - path);
		}
		return 1;
	}
	return 0;
}

/* nix's base-32 digits (libutil's nix32Chars): no e, o, t, u. */
static int is_nix32(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && !strchr("eotu", c));
}

static int is_ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A store path's name as nix's checkName accepts it, and not starting
 * with '.', which older nix refused outright. */
static int is_store_name(const char *s, size_t n)
{
	if (n == 0 || n > 211 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') &&
		    !strchr("+-._?=", s[i]))
			return 0;
	return 1;
}

int rl_path_store(const char *path, struct rl_store_path *s)
{
	static const char store[] = "/nix/store/";
	const size_t sl = sizeof(store) - 1, hl = 32;

	if (!path || path[0] != '/')
		return 0;
	for (const char *c = path; (c = strstr(c, store)) != NULL; c++) {
		const char *h = c + sl, *name;
		size_t i, nl;

		for (i = 0; i < hl && is_nix32(h[i]); i++)
			;
		if (i < hl || h[hl] != '-')
			continue;
		name = h + hl + 1;
		nl = strcspn(name, "/");
		if (!is_store_name(name, nl) || (name[nl] == '/' && !name[nl + 1]))
			continue;
		if (s) {
			s->store_len = (size_t)(h - path);
			s->name_off = (size_t)(name - path);
			s->name_len = nl;
			s->pname_len = nl;
			for (i = 0; i + 1 < nl; i++)
				if (name[i] == '-' && !is_ascii_alpha(name[i + 1])) {
					s->pname_len = i;
					break;
				}
			s->path_len = (size_t)(name + nl - path);
		}
		return 1;
	}
	return 0;
}

char *rl_path_keg_opt(const char *path, const struct rl_keg_path *k)
{
	return rl_xasprintf("%.*s/opt/%.*s", (int)k->prefix_len, path, (int)k->formula_len,
			    path + k->formula_off);
}

int rl_path_same_package(const char *a, const char *b)
{
	struct rl_keg_path ka, kb;
	struct rl_store_path sa, sb;

	if (rl_path_keg(a, &ka) && rl_path_keg(b, &kb))
		return ka.prefix_len == kb.prefix_len && ka.formula_len == kb.formula_len &&
		       strncmp(a, b, ka.prefix_len) == 0 &&
		       strncmp(a + ka.formula_off, b + kb.formula_off, ka.formula_len) == 0;
	if (rl_path_store(a, &sa) && rl_path_store(b, &sb))
		return sa.store_len == sb.store_len && sa.pname_len == sb.pname_len &&
		       strncmp(a, b, sa.store_len) == 0 &&
		       strncmp(a + sa.name_off, b + sb.name_off, sa.pname_len) == 0;
	return 0;
}

void rl_text_mask_controls(char *s)
{
	for (unsigned char *c = (unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
}

int rl_path_is_under(const char *path, const char *dir)
{
	size_t dl = strlen(dir);

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (strncmp(path, dir, dl) != 0)
		return 0;
	if (dl == 1 && dir[0] == '/')
		return path[0] == '/';
	return path[dl] == '\0' || path[dl] == '/';
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * there are not one (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 control characters print as badly as C0 ones. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
}

static int quote_byte_plain(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

static int path_needs_quote(const unsigned char *s)
{
	while (*s) {
		size_t n = utf8_len(s);

		if (n == 0 || (n == 1 && !quote_byte_plain(*s)))
			return 1;
		s += n;
	}
	return 0;
}

char *rl_path_quote(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;
	struct rl_buf b = {0};

	if (!path_needs_quote(s))
		return rl_xstrdup(path);
	rl_buf_adds(&b, "\"");
	while (*s) {
		size_t n = utf8_len(s);

		if (n > 1 || (n == 1 && quote_byte_plain(*s)))
			rl_buf_add(&b, s, n);
		else if (*s == '\n')
			rl_buf_adds(&b, "\\n");
		else if (*s == '\t')
			rl_buf_adds(&b, "\\t");
		else if (*s == '"' || *s == '\\')
			rl_buf_addf(&b, "\\%c", *s);
		else
			rl_buf_addf(&b, "\\%03o", *s);
		s += n ? n : 1;
	}
	rl_buf_adds(&b, "\"");
	return rl_buf_detach(&b);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rl_now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t rl_now_wall_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void rl_sleep_s(double seconds)
{
	struct timespec ts, rem;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

char *rl_seconds_text(double seconds, char buf[RL_SECONDS_TEXT])
{
	long long tenths = seconds > 0 && seconds < 1e12 ? (long long)(seconds * 10 + 0.5) : 0;

	if (tenths < 100)
		snprintf(buf, RL_SECONDS_TEXT, "%lld.%lld", tenths / 10, tenths % 10);
	else
		snprintf(buf, RL_SECONDS_TEXT, "%lld", (long long)(seconds + 0.5));
	return buf;
}

void rl_error_set_path(struct rl_error *err, const char *action, const char *path,
		       const char *reason)
{
	char *q = rl_path_quote(path);

	rl_error_set(err, "%s '%s': %s", action, q, reason);
	free(q);
}

const char *rl_home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(geteuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

char *rl_path_absolute(const char *p)
{
	struct rl_buf b = {0};
	char *cwd = NULL, *full;
	const char *s;

	if (p[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
	}
	full = cwd ? rl_path_join(cwd, p) : rl_xstrdup(p);
	free(cwd);
	for (s = full; *s;) {
		size_t len;

		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (len && !(len == 1 && s[0] == '.')) {
			rl_buf_adds(&b, "/");
			rl_buf_add(&b, s, len);
		}
		s += len;
	}
	free(full);
	if (b.len == 0)
		rl_buf_adds(&b, "/");
	return rl_buf_detach(&b);
}

/* The same letter, in ASCII case when fold: "Redis" is one mistyping of
 * "redis" no more than "redis" itself (bytes beyond ASCII compared as
 * they are, whatever the locale). */
static int same_char(char a, char b, int fold)
{
	if (fold && a >= 'A' && a <= 'Z')
		a = (char)(a - 'A' + 'a');
	if (fold && b >= 'A' && b <= 'Z')
		b = (char)(b - 'A' + 'a');
	return a == b;
}

/* Damerau–Levenshtein distance (optimal string alignment), as git's
 * help.c uses to suggest a command; ignoring ASCII case when fold. */
static size_t edit_distance(const char *a, const char *b, int fold)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = rl_xmalloc((la + 1) * (lb + 1) * sizeof(*d));
	size_t r;

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = !same_char(a[i - 1], b[j - 1], fold);
			size_t v = D(i - 1, j) + 1;

			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && same_char(a[i - 1], b[j - 2], fold) &&
			    same_char(a[i - 2], b[j - 1], fold) && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

/* The length of the part of word that differs from cand, whole
 * dot-separated parts they share at either end left out: in
 * "homebrew.mxcl.foo" against "homebrew.mxcl.redis", "foo". A shared
 * part is whole only up to a dot, so that "homebrew.mxcl.x" against
 * "homebrew.mxcl.nginx" is "x", never "" (the x they end in). ASCII case
 * is no difference. */
static size_t differing_len(const char *word, const char *cand)
{
	size_t lw = strlen(word), lc = strlen(cand), pre = 0, suf = 0, i = 0;

	for (; word[i] && same_char(word[i], cand[i], 1); i++)
		if (word[i] == '.')
			pre = i + 1;
	for (i = 1; i <= lw - pre && i <= lc - pre && same_char(word[lw - i], cand[lc - i], 1); i++)
		if (word[lw - i] == '.')
			suf = i;
	return lw - pre - suf;
}

const char *rl_did_you_mean(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, best_exact = (size_t)-1;

	for (size_t i = 0; i < n; i++) {
		/* A letter in the wrong case is no mistake: "homebrew.mxcl.Redis"
		 * and "REDIS" suggest "redis" (a label is still matched exactly). */
		size_t dist = edit_distance(word, candidates[i], 1), exact;
		/* Close enough: at most a third of the part typed that differs
		 * wrong, and at least one edit allowed, so "rn" suggests "run"
		 * and "recrod" "record", but "foo" (two edits from "log")
		 * suggests nothing, nor does "homebrew.mxcl.foo" suggest
		 * "homebrew.mxcl.redis" for the prefix they share. */
		size_t len = differing_len(word, candidates[i]);
		size_t limit = len < 6 ? 1 : len / 3;

		if (dist > limit)
			continue;
		/* The nearest; of those as near, the nearest in case too
		 * ("org.X" for "org.X", not "org.x"), then the first in byte
		 * order, so that the candidates' order never decides. */
		exact = edit_distance(word, candidates[i], 0);
		if (dist < best_d ||
		    (dist == best_d && (exact < best_exact || (exact == best_exact &&
							       strcmp(candidates[i], best) < 0)))) {
			best_d = dist;
			best_exact = exact;
			best = candidates[i];
		}
	}
	return best;
}

static int cmp_strv_slot(const void *a, const void *b)
{
	char *const *x = *(char **const *)a, *const *y = *(char **const *)b;
	int c = strcmp(*x, *y);

	return c ? c : (x > y) - (x < y);
}

void rl_strv_dedupe(struct rl_strv *sv)
{
	char ***slots;
	size_t n = 0;

	if (sv->n < 2)
		return;
	slots = rl_xmalloc(sv->n * sizeof(*slots));
	for (size_t i = 0; i < sv->n; i++)
		slots[i] = &sv->v[i];
	/* by text, then by position: each run's first slot is the one kept */
	qsort(slots, sv->n, sizeof(*slots), cmp_strv_slot);
	for (size_t i = 1, kept = 0; i < sv->n; i++) {
		if (strcmp(*slots[i], *slots[kept]) != 0) {
			kept = i;
			continue;
		}
		free(*slots[i]);
		*slots[i] = NULL;
	}
	free(slots);
	for (size_t i = 0; i < sv->n; i++)
		if (sv->v[i])
			sv->v[n++] = sv->v[i];
	sv->n = n;
	sv->v[n] = NULL;
}

size_t rl_digits_pid(const char *s, size_t len, pid_t *pid)
{
	long long v = 0;
	size_t n = 0;

	*pid = 0;
	for (; n < len && s[n] >= '0' && s[n] <= '9'; n++) {
		v = v * 10 + (s[n] - '0');
		if (v > INT_MAX)
			return 0;
	}
	*pid = (pid_t)v;
	return n;
}

uint64_t rl_hash_mix(uint64_t h, const char *s)
{
	size_t n = strlen(s);
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w ^ (uint64_t)n << 56) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t rl_hash_text(const char *s)
{
	uint64_t h = rl_hash_mix(0x243f6a8885a308d3ULL, s) * 0xff51afd7ed558ccdULL;

	return h ^ (h >> 33);
}

int rl_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

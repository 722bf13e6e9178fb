#include "core/archive/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* Longest entry name or link text accepted. */
#define NAME_MAX_LEN 4096
/* More symlinks than this followed while resolving one is a loop (as
 * MAXSYMLINKS on macOS and Linux). */
#define MAX_HOPS 40
/* A resolution that grows past this is expanding without end: a loop. */
#define RESOLVE_MAX_LEN (64 * 1024)

const char *rl_package_kind_name(enum rl_package_kind k)
{
	return k == RL_PACKAGE_BOTTLE ? "Homebrew bottle" : "MacPorts image";
}

struct symlink {
	char *path;
	char *link;
};

struct reader {
	struct rl_package *pkg;
	struct archive *a;
	rl_package_visit_fn fn;
	void *ctx;
	struct rl_error *err;
	struct rl_buf last; /* the last entry's name, for errors at the next header */
	struct symlink *links;
	size_t nlinks, links_alloc;
	/* MacPorts metadata: +CONTENTS first, else +PORTFILE. */
	char *c_name, *c_version, *c_revision;
	char *p_name, *p_version, *p_revision;
};

static void fail(struct reader *r, const char *entry, const char *fmt, ...) RL_PRINTF(3, 4);

/* "cannot read archive '<archive>': entry '<entry>': <why>" */
static void fail(struct reader *r, const char *entry, const char *fmt, ...)
{
	struct rl_buf b = {0};
	char *qa = rl_path_quote(r->pkg->path);
	va_list ap;

	rl_buf_addf(&b, "cannot read archive '%s': ", qa);
	free(qa);
	if (entry) {
		char *qe = rl_path_quote(entry);

		rl_buf_addf(&b, "entry '%s': ", qe);
		free(qe);
	}
	va_start(ap, fmt);
	rl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rl_error_set(r->err, "%s", b.data);
	rl_buf_release(&b);
}

int rl_package_bottle_name(const char *path, char **name, char **version)
{
	const char *base = rl_path_basename(path);
	const char *sep = strstr(base, "--");
	const char *bottle = strstr(base, ".bottle.");
	const char *tag, *p;

	if (!sep || !bottle || sep == base || bottle < sep + 2)
		return 0;
	/* After ".bottle.": "tar.gz", or a rebuild number then ".tar.gz". */
	p = bottle + strlen(".bottle.");
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != bottle + strlen(".bottle.") && *p++ != '.')
		return 0;
	if (strcmp(p, "tar.gz") != 0)
		return 0;
	/* The tag (arm64_sonoma, x86_64_linux, all) is the last dotted part
	 * before ".bottle". */
	for (tag = bottle; tag > sep + 2 && tag[-1] != '.'; tag--)
		;
	if (tag <= sep + 3)
		return 0;
	*name = rl_xstrndup(base, (size_t)(sep - base));
	*version = rl_xstrndup(sep + 2, (size_t)(tag - 1 - (sep + 2)));
	return 1;
}

/* Normalise an entry name into out: no leading "./", no empty or "."
 * components, no trailing slash. Returns NULL, or why it is refused. */
static const char *normalise(const char *in, struct rl_buf *out)
{
	const char *p = in;

	rl_buf_reset(out);
	if (strlen(in) > NAME_MAX_LEN)
		return "name too long";
	if (in[0] == '/')
		return "absolute path";
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "path leaves the archive (..)";
		if (n && !(n == 1 && p[0] == '.')) {
			if (out->len)
				rl_buf_adds(out, "/");
			rl_buf_add(out, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return NULL;
}

/* "@key value" (+CONTENTS) or "key value" (+PORTFILE) lines. */
static void meta_line(const char *line, size_t n, int contents, struct reader *r)
{
	static const char *const keys[2][3] = {{"name", "version", "revision"},
					       {"@portname", "@portversion", "@portrevision"}};
	char **slots[2][3] = {{&r->p_name, &r->p_version, &r->p_revision},
			      {&r->c_name, &r->c_version, &r->c_revision}};

	for (int k = 0; k < 3; k++) {
		size_t kl = strlen(keys[contents][k]);
		const char *v = line + kl, *end = line + n;

		if (n <= kl || strncmp(line, keys[contents][k], kl) != 0 ||
		    (*v != ' ' && *v != '\t'))
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		/* A Portfile value built from variables is not a version. */
		if (end == v || memchr(v, '$', (size_t)(end - v)) ||
		    memchr(v, '[', (size_t)(end - v)) || memchr(v, ' ', (size_t)(end - v)) ||
		    *slots[contents][k])
			return;
		*slots[contents][k] = rl_xstrndup(v, (size_t)(end - v));
		return;
	}
}

/* Read the first RL_PACKAGE_META_MAX bytes of a metadata entry and take
 * the name and version from them; the rest is skipped. */
static int read_meta(struct reader *r, const char *name, int contents)
{
	char *buf = rl_xmalloc(RL_PACKAGE_META_MAX);
	size_t len = 0;
	const char *p;

	while (len < RL_PACKAGE_META_MAX) {
		la_ssize_t got = archive_read_data(r->a, buf + len, RL_PACKAGE_META_MAX - len);

		if (got < 0) {
			fail(r, name, "%s", archive_error_string(r->a));
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	for (p = buf; p < buf + len;) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);

		if (!nl && len == RL_PACKAGE_META_MAX)
			break; /* a line cut by the bound */
		meta_line(p, n, contents, r);
		p += n + 1;
	}
	free(buf);
	return 0;
}

static int check_bottle_path(struct reader *r, const char *path)
{
	const struct rl_package *pkg = r->pkg;
	size_t nl = strlen(pkg->name), vl = strlen(pkg->version);

	if (strncmp(path, pkg->name, nl) == 0 &&
	    (!path[nl] || (path[nl] == '/' && strncmp(path + nl + 1, pkg->version, vl) == 0 &&
			   (!path[nl + 1 + vl] || path[nl + 1 + vl] == '/'))))
		return 0;
	fail(r, path, "not under '%s/%s/' as in a bottle", pkg->name, pkg->version);
	return -1;
}

static int entry_type(struct reader *r, struct archive_entry *ae, const char *path,
		      enum rl_ftype *type)
{
	const char *hard = archive_entry_hardlink(ae);

	if (hard) {
		struct rl_buf n = {0};
		const char *why = normalise(hard, &n);

		rl_buf_release(&n);
		if (why) {
			fail(r, path, "hard link to '%s': %s", hard, why);
			return -1;
		}
		*type = RL_FT_FILE;
		return 0;
	}
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
	case 0:
		*type = RL_FT_FILE;
		return 0;
	case AE_IFDIR:
		*type = RL_FT_DIR;
		return 0;
	case AE_IFLNK:
		*type = RL_FT_SYMLINK;
		return 0;
	default:
		fail(r, path, "a device, FIFO or socket: no package installs one");
		return -1;
	}
}

static int keep_symlink(struct reader *r, const char *path, const char *link)
{
	if (!link || !*link) {
		fail(r, path, "symlink without a target");
		return -1;
	}
	if (strlen(link) > NAME_MAX_LEN) {
		fail(r, path, "symlink target too long");
		return -1;
	}
	if (r->nlinks >= RL_PACKAGE_MAX_SYMLINKS) {
		fail(r, path, "more than %d symlinks", RL_PACKAGE_MAX_SYMLINKS);
		return -1;
	}
	rl_xgrow((void **)&r->links, &r->links_alloc, r->nlinks + 1, sizeof(*r->links));
	r->links[r->nlinks].path = rl_xstrdup(path);
	r->links[r->nlinks].link = rl_xstrdup(link);
	r->nlinks++;
	return 0;
}

/* One header: checked, then metadata read or the entry visited. */
static int one_entry(struct reader *r, struct archive_entry *ae, struct rl_buf *norm)
{
	const char *raw = archive_entry_pathname(ae);
	struct rl_package_entry e = {0};
	const char *why;

	if (!raw || !*raw) {
		fail(r, r->last.data, "the next entry has no usable name");
		return -1;
	}
	rl_buf_reset(&r->last);
	rl_buf_adds(&r->last, raw);
	if (++r->pkg->nentries > RL_PACKAGE_MAX_ENTRIES) {
		fail(r, raw, "more than %d entries", RL_PACKAGE_MAX_ENTRIES);
		return -1;
	}
	if ((why = normalise(raw, norm))) {
		fail(r, raw, "%s", why);
		return -1;
	}
	if (archive_entry_size_is_set(ae) &&
	    (uint64_t)archive_entry_size(ae) > RL_PACKAGE_MAX_SIZE) {
		fail(r, raw, "claims %lld bytes, more than the %llu a package file may have here",
		     (long long)archive_entry_size(ae), (unsigned long long)RL_PACKAGE_MAX_SIZE);
		return -1;
	}
	if (entry_type(r, ae, raw, &e.type) < 0)
		return -1;
	if (norm->len == 0)
		return 0; /* "./": the root itself */
	if (r->pkg->kind == RL_PACKAGE_MACPORTS && norm->data[0] == '+' &&
	    !strchr(norm->data, '/')) {
		if (strcmp(norm->data, "+CONTENTS") == 0 && e.type == RL_FT_FILE)
			return read_meta(r, raw, 1);
		if (strcmp(norm->data, "+PORTFILE") == 0 && e.type == RL_FT_FILE)
			return read_meta(r, raw, 0);
		return 0;
	}
	if (r->pkg->kind == RL_PACKAGE_BOTTLE && check_bottle_path(r, norm->data) < 0)
		return -1;
	e.path = norm->data;
	e.reader = r;
	e.size = archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;
	if (e.type == RL_FT_SYMLINK) {
		e.link = archive_entry_symlink(ae);
		if (keep_symlink(r, norm->data, e.link) < 0)
			return -1;
	}
	return r->fn ? r->fn(r->pkg, &e, r->ctx, r->err) : 0;
}

/* Feed n zero bytes (a sparse file's hole) to the digest. */
static int hash_zeros(EVP_MD_CTX *ctx, uint64_t n)
{
	static const unsigned char zeros[4096];

	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);

		if (EVP_DigestUpdate(ctx, zeros, k) != 1)
			return 0;
		n -= k;
	}
	return 1;
}

/* Blocks with their offsets, holes hashed as zeros. libarchive before
 * 3.8.2 gives xar blocks the archive's offset instead of the entry's
 * (libarchive PR #2665), so for xar the blocks are simply concatenated. */
int rl_package_entry_sha256(const struct rl_package_entry *e, char out[65], struct rl_error *err)
{
	return rl_package_entry_sha256_keep(e, out, NULL, 0, NULL, err);
}

int rl_package_entry_sha256_keep(const struct rl_package_entry *e, char out[65],
				 struct rl_buf *keep, size_t max, int *kept, struct rl_error *err)
{
	struct reader *r = e->reader;
	int keeping = keep && e->size <= max;
	int xar = archive_format(r->a) == ARCHIVE_FORMAT_XAR;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	uint64_t done = 0;
	int st = ARCHIVE_OK;

	(void)err; /* r->err is the caller's err */
	while (ok) {
		const void *buf;
		size_t n;
		la_int64_t off;

		st = archive_read_data_block(r->a, &buf, &n, &off);
		if (st != ARCHIVE_OK && st != ARCHIVE_WARN)
			break;
		if (!xar && off >= 0 && (uint64_t)off > done) {
			if ((uint64_t)off > RL_PACKAGE_MAX_SIZE) {
				ok = 0;
				break;
			}
			ok = hash_zeros(ctx, (uint64_t)off - done);
			done = (uint64_t)off;
			keeping = 0; /* a hole: not kept */
		}
		ok = ok && EVP_DigestUpdate(ctx, buf, n) == 1;
		keeping = keeping && done + n <= max;
		if (ok && keeping)
			rl_buf_add(keep, buf, n);
		done += n;
	}
	if (ok && st == ARCHIVE_EOF && !xar && e->size > done)
		ok = hash_zeros(ctx, e->size - done);
	if (ok && st == ARCHIVE_EOF)
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (st != ARCHIVE_EOF && st != ARCHIVE_OK && st != ARCHIVE_WARN) {
		fail(r, e->path, "%s", archive_error_string(r->a));
		return -1;
	}
	if (!ok) {
		fail(r, e->path, "cannot compute SHA-256");
		return -1;
	}
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	if (kept)
		*kept = keeping && done == e->size;
	return 0;
}

static int cmp_link(const void *a, const void *b)
{
	return strcmp(((const struct symlink *)a)->path, ((const struct symlink *)b)->path);
}

static const char *find_link(const struct reader *r, const char *path)
{
	size_t lo = 0, hi = r->nlinks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, r->links[mid].path);

		if (c == 0)
			return r->links[mid].link;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Resolve s inside the archive, component by component, following the
 * archive's own symlinks. Leaving the archive (a bottle's absolute target,
 * `..` above the root) or reaching a path that is not a symlink ends it.
 * Returns 1 on a loop, 0 otherwise. */
static int loops(const struct reader *r, const struct symlink *s)
{
	struct rl_buf done = {0}, rest = {0};
	int hops = 0, loop = 0;
	int fresh = 1; /* rest is a link's whole text: a '/' there makes it absolute */
	char *dir = rl_path_dirname(s->path);

	if (strcmp(dir, ".") != 0 && s->link[0] != '/')
		rl_buf_addf(&rest, "%s/", dir);
	free(dir);
	rl_buf_adds(&rest, s->link);
	while (rest.len && !loop) {
		char *slash = strchr(rest.data, '/');
		size_t n = slash ? (size_t)(slash - rest.data) : rest.len;
		char *comp = rl_xstrndup(rest.data, n);
		const char *link;

		/* Only at the start of a link's text: a '/' after a component
		 * ("a//b") is an empty component. */
		if (fresh && rest.data[0] == '/') {
			if (r->pkg->kind == RL_PACKAGE_BOTTLE) {
				free(comp);
				break;
			}
			rl_buf_reset(&done); /* an image is relative to / */
		}
		fresh = 0;
		memmove(rest.data, rest.data + n + (slash ? 1 : 0),
			rest.len - n - (slash ? 1 : 0) + 1);
		rest.len -= n + (slash ? 1 : 0);
		if (!*comp || strcmp(comp, ".") == 0) {
			free(comp);
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			char *up = strrchr(done.data ? done.data : "", '/');

			free(comp);
			if (!done.len)
				break; /* above the root: outside the archive */
			done.len = up ? (size_t)(up - done.data) : 0;
			done.data[done.len] = '\0';
			continue;
		}
		if (done.len)
			rl_buf_adds(&done, "/");
		rl_buf_adds(&done, comp);
		free(comp);
		if (!(link = find_link(r, done.data)))
			continue;
		if (++hops > MAX_HOPS || rest.len + strlen(link) > RESOLVE_MAX_LEN) {
			loop = 1;
			break;
		}
		/* Replace the symlink by its text, relative to its directory. */
		{
			char *up = strrchr(done.data, '/');
			struct rl_buf next = {0};

			done.len = up ? (size_t)(up - done.data) : 0;
			done.data[done.len] = '\0';
			rl_buf_adds(&next, link);
			if (rest.len) {
				rl_buf_adds(&next, "/");
				rl_buf_adds(&next, rest.data);
			}
			rl_buf_release(&rest);
			rest = next;
			fresh = 1;
		}
	}
	rl_buf_release(&done);
	rl_buf_release(&rest);
	return loop;
}

static int check_loops(struct reader *r)
{
	if (r->nlinks > 1) /* qsort's array must not be NULL, even when empty */
		qsort(r->links, r->nlinks, sizeof(*r->links), cmp_link);
	for (size_t i = 0; i < r->nlinks; i++)
		if (loops(r, &r->links[i])) {
			fail(r, r->links[i].path, "symlink loop (-> '%s')", r->links[i].link);
			return -1;
		}
	return 0;
}

static int finish_macports(struct reader *r)
{
	const char *name = r->c_name ? r->c_name : r->p_name;
	const char *version = r->c_name ? r->c_version : r->p_version;
	const char *revision = r->c_name ? r->c_revision : r->p_revision;

	if (!name || !version) {
		fail(r, NULL,
		     "not a Homebrew bottle (<name>--<version>.<tag>.bottle.tar.gz) nor a "
		     "MacPorts image (no +CONTENTS or +PORTFILE naming the port and version)");
		return -1;
	}
	r->pkg->name = rl_xstrdup(name);
	r->pkg->version = rl_xasprintf("%s_%s", version, revision ? revision : "0");
	return 0;
}

static int read_all(struct reader *r)
{
	struct archive_entry *ae;
	struct rl_buf norm = {0};
	int rc = 0;

	for (;;) {
		int st = archive_read_next_header(r->a, &ae);

		if (st == ARCHIVE_EOF)
			break;
		if (st < ARCHIVE_WARN) {
			if (r->last.len)
				fail(r, r->last.data, "after it: %s", archive_error_string(r->a));
			else
				fail(r, NULL, "%s", archive_error_string(r->a));
			rc = -1;
			break;
		}
		if ((rc = one_entry(r, ae, &norm)) < 0)
			break;
	}
	rl_buf_release(&norm);
	if (rc == 0 && r->pkg->nentries == 0) {
		fail(r, NULL, "no entries");
		rc = -1;
	}
	return rc;
}

int rl_package_read(const char *path, rl_package_visit_fn fn, void *ctx, struct rl_package *out,
		    struct rl_error *err)
{
	struct reader r = {0};
	struct stat st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->path = rl_xstrdup(path);
	out->kind = rl_package_bottle_name(path, &out->name, &out->version) ? RL_PACKAGE_BOTTLE
									    : RL_PACKAGE_MACPORTS;
	r.pkg = out;
	r.fn = fn;
	r.ctx = ctx;
	r.err = err;
	r.a = archive_read_new();
	archive_read_support_filter_all(r.a);
	archive_read_support_format_all(r.a);
	/* libarchive says only "Failed to open" or "Error reading": the
	 * reason, in the words every other file's error uses. */
	if (stat(path, &st) != 0)
		fail(&r, NULL, "%s", strerror(errno));
	else if (S_ISDIR(st.st_mode))
		fail(&r, NULL, "is a directory");
	else if (archive_read_open_filename(r.a, path, 64 * 1024) != ARCHIVE_OK)
		fail(&r, NULL, "%s", archive_error_string(r.a));
	else if (read_all(&r) == 0 && check_loops(&r) == 0)
		rc = out->kind == RL_PACKAGE_MACPORTS ? finish_macports(&r) : 0;
	archive_read_free(r.a);
	for (size_t i = 0; i < r.nlinks; i++) {
		free(r.links[i].path);
		free(r.links[i].link);
	}
	free(r.links);
	rl_buf_release(&r.last);
	free(r.c_name);
	free(r.c_version);
	free(r.c_revision);
	free(r.p_name);
	free(r.p_version);
	free(r.p_revision);
	return rc;
}

void rl_package_release(struct rl_package *pkg)
{
	free(pkg->path);
	free(pkg->name);
	free(pkg->version);
	memset(pkg, 0, sizeof(*pkg));
}

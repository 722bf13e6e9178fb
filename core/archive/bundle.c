#include "core/archive/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rl_bundle_add(struct rl_bundle *b, const char *name, struct rl_buf *data)
{
	rl_xgrow((void **)&b->v, &b->alloc, b->n + 1, sizeof(*b->v));
	b->v[b->n].name = rl_xstrdup(name);
	b->v[b->n].data = *data;
	memset(data, 0, sizeof(*data));
	b->n++;
}

void rl_bundle_release(struct rl_bundle *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		rl_buf_release(&b->v[i].data);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int write_items(const struct rl_bundle *b, int fd, const char *top, const char *path,
		       struct rl_error *err)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	time_t now = time(NULL);
	int rc = 0;

	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		rc = -1;
	for (size_t i = 0; i < b->n && rc == 0; i++) {
		char *name = rl_xasprintf("%s/%s", top, b->v[i].name);

		archive_entry_clear(e);
		archive_entry_copy_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0600);
		archive_entry_set_mtime(e, now, 0);
		archive_entry_set_size(e, (la_int64_t)b->v[i].data.len);
		free(name);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (b->v[i].data.len &&
		     archive_write_data(a, b->v[i].data.data, b->v[i].data.len) !=
			     (la_ssize_t)b->v[i].data.len))
			rc = -1;
	}
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
		rc = -1;
	/* The file and the system's reason (a full disk, a size limit), not
	 * only libarchive's "Write error". */
	if (rc < 0)
		rl_error_set_path(err, "cannot write bundle", path,
				  archive_errno(a) > 0	    ? strerror(archive_errno(a))
				  : archive_error_string(a) ? archive_error_string(a)
							    : "libarchive failed");
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}

static void fsync_dir(const char *path)
{
	char *dir = rl_path_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* The file cannot be created beside path: say so of its directory when
 * that is the trouble, "No such file or directory" alone does not tell
 * which of the two is missing. */
static void set_create_error(struct rl_error *err, const char *path, int e)
{
	char *dir, *q, *why;

	if (e != ENOENT && e != ENOTDIR) {
		rl_error_set_path(err, "cannot write bundle", path, strerror(e));
		return;
	}
	dir = rl_path_dirname(path);
	q = rl_path_quote(dir);
	why = rl_xasprintf(
		e == ENOENT ? "directory '%s' does not exist" : "'%s' is not a directory", q);
	rl_error_set_path(err, "cannot write bundle", path, why);
	free(why);
	free(q);
	free(dir);
}

int rl_bundle_write(const struct rl_bundle *b, const char *path, const char *top, int force,
		    struct rl_error *err)
{
	char *tmp;
	struct stat st;
	int fd, rc = 0;

	/* Not "it exists": --force would not replace a directory either, nor
	 * a FIFO, socket or device (`--bundle /dev/null --force`, run as
	 * root, would rename a file over the device node). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		const char *kind = S_ISDIR(st.st_mode)	  ? "is a directory"
				   : S_ISFIFO(st.st_mode) ? "is a FIFO"
				   : S_ISSOCK(st.st_mode) ? "is a socket"
				   : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
					   ? "is a device"
					   : "is not a regular file";

		rl_error_set_path(err, "cannot write bundle", path, kind);
		return -1;
	}
	tmp = rl_xasprintf("%s.tmp-XXXXXX", path);
	if (!force && access(path, F_OK) == 0) {
		free(tmp);
		return 1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		set_create_error(err, path, errno);
		free(tmp);
		return -1;
	}
	fchmod(fd, 0600);
	if (write_items(b, fd, top, path, err) < 0)
		rc = -1;
	else if (fsync(fd) != 0) {
		rl_error_set_path(err, "cannot write bundle", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	if (rc == 0 && force && rename(tmp, path) != 0) {
		rl_error_set_path(err, "cannot write bundle", path, strerror(errno));
		rc = -1;
	} else if (rc == 0 && !force && link(tmp, path) != 0) {
		/* link(2) never replaces: a file that appeared meanwhile wins. */
		rc = errno == EEXIST ? 1 : -1;
		if (rc < 0)
			rl_error_set_path(err, "cannot write bundle", path, strerror(errno));
	}
	if (rc != 0 || !force)
		unlink(tmp);
	if (rc == 0)
		fsync_dir(path);
	free(tmp);
	return rc;
}

void rl_redactor_init(struct rl_redactor *r, const char *home)
{
	memset(r, 0, sizeof(*r));
	if (home && home[0] == '/' && strcmp(home, "/") != 0) {
		char *h = rl_xstrdup(home);
		size_t n = strlen(h);

		while (n > 1 && h[n - 1] == '/')
			h[--n] = '\0';
		rl_strv_push_owned(&r->homes, h);
	}
}

void rl_redactor_release(struct rl_redactor *r)
{
	rl_strv_release(&r->homes);
	rl_strv_release(&r->seen);
}

static int path_end(char c)
{
	return !c || strchr(" \t\r\n\"',:[]{}();=<>`", c) != NULL;
}

/* 1 when the path of len n at p lies in a home directory. */
static int in_home(const struct rl_redactor *r, const char *p, size_t n)
{
	static const char *const roots[] = {"/Users/", "/home/"};
	static const char *const homes[] = {"/var/root", "/root"};

	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(roots[i]);

		if (n > l && strncmp(p, roots[i], l) == 0 &&
		    !(n >= l + 6 && strncmp(p + l, "Shared", 6) == 0 &&
		      (n == l + 6 || p[l + 6] == '/')))
			return 1;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(homes[i]);

		if (n >= l && strncmp(p, homes[i], l) == 0 && (n == l || p[l] == '/'))
			return 1;
	}
	for (size_t i = 0; i < r->homes.n; i++) {
		size_t l = strlen(r->homes.v[i]);

		if (n >= l && strncmp(p, r->homes.v[i], l) == 0 && (n == l || p[l] == '/'))
			return 1;
	}
	return 0;
}

static size_t token_number(struct rl_redactor *r, const char *p, size_t n)
{
	char *s = rl_xstrndup(p, n);

	for (size_t i = 0; i < r->seen.n; i++)
		if (strcmp(r->seen.v[i], s) == 0) {
			free(s);
			return i + 1;
		}
	rl_strv_push_owned(&r->seen, s);
	return r->seen.n;
}

void rl_redact_text(struct rl_redactor *r, struct rl_buf *text)
{
	struct rl_buf out = {0};
	const char *s = text->data ? text->data : "";
	size_t i = 0, len = text->len;

	while (i < len) {
		size_t n = 0;

		if (s[i] == '/' && (i == 0 || path_end(s[i - 1]))) {
			while (i + n < len && !path_end(s[i + n]))
				n++;
			if (in_home(r, s + i, n)) {
				rl_buf_addf(&out, "<redacted-path-%zu>", token_number(r, s + i, n));
				i += n;
				continue;
			}
			rl_buf_add(&out, s + i, n);
			i += n;
			continue;
		}
		rl_buf_add(&out, s + i, 1);
		i++;
	}
	rl_buf_release(text);
	*text = out;
	if (!text->data)
		rl_buf_adds(text, "");
}

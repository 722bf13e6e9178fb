/* Build package archives for the tests with libarchive, in the formats
 * Python cannot write (cpio, xar) as well as the others:
 *
 *   mkarchive tree OUT FORMAT FILTER DIR   every file, symlink and directory
 *                                          under DIR, named relative to it,
 *                                          in bytewise order ("+CONTENTS"
 *                                          first, as MacPorts does)
 *   mkarchive many OUT N                   a tar.gz of N empty files
 *   mkarchive dump ARCHIVE                 read any archive back: per entry
 *                                          "== <mode octal> <size> <name>\n",
 *                                          then its <size> bytes and "\n"
 *
 * FORMAT: pax, ustar, cpio, xar, zip; FILTER: none, gzip, bzip2, xz. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(struct archive *a, const char *what)
{
	fprintf(stderr, "mkarchive: %s: %s\n", what, a ? archive_error_string(a) : "failed");
	exit(1);
}

static struct archive *open_out(const char *out, const char *format, const char *filter)
{
	struct archive *a = archive_write_new();

	if (archive_write_set_format_by_name(a, format) != ARCHIVE_OK)
		die(a, format);
	if (strcmp(filter, "none") != 0 &&
	    archive_write_add_filter_by_name(a, filter) != ARCHIVE_OK)
		die(a, filter);
	if (strcmp(filter, "gzip") == 0)
		archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	if (archive_write_open_filename(a, out) != ARCHIVE_OK)
		die(a, out);
	return a;
}

/* a + sep + b, malloc'd. */
static char *join(const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = malloc(n);

	if (!s)
		die(NULL, "out of memory");
	snprintf(s, n, "%s%s%s", a, sep, b);
	return s;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void add_path(struct archive *a, const char *root, const char *rel)
{
	char buf[65536];
	char *path = join(root, "/", rel);
	struct archive_entry *e = archive_entry_new();
	struct stat st;

	if (lstat(path, &st) != 0)
		die(NULL, path);
	archive_entry_copy_pathname(e, rel);
	archive_entry_set_mode(e, st.st_mode);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	archive_entry_set_size(e, S_ISREG(st.st_mode) ? st.st_size : 0);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);

		if (n < 0)
			die(NULL, path);
		buf[n] = '\0';
		archive_entry_copy_symlink(e, buf);
	}
	if (archive_write_header(a, e) != ARCHIVE_OK)
		die(a, rel);
	if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY);
		ssize_t n;

		if (fd < 0)
			die(NULL, path);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (archive_write_data(a, buf, (size_t)n) != n)
				die(a, rel);
		close(fd);
	}
	archive_entry_free(e);
	free(path);
}

static void add_tree(struct archive *a, const char *root, const char *rel)
{
	char *path = join(root, *rel ? "/" : "", rel);
	char **names = NULL;
	size_t n = 0;
	struct dirent *d;
	DIR *dir;

	if (!(dir = opendir(path)))
		die(NULL, path);
	free(path);
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(d->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		char *child = join(rel, *rel ? "/" : "", names[i]);
		struct stat st;

		add_path(a, root, child);
		path = join(root, "/", child);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			add_tree(a, root, child);
		free(path);
		free(child);
		free(names[i]);
	}
	free(names);
}

static void many(const char *out, long count)
{
	struct archive *a = open_out(out, "ustar", "gzip");
	struct archive_entry *e = archive_entry_new();
	char name[64];

	for (long i = 0; i < count; i++) {
		archive_entry_clear(e);
		snprintf(name, sizeof(name), "opt/local/share/f%07ld", i);
		archive_entry_copy_pathname(e, name);
		archive_entry_set_mode(e, S_IFREG | 0644);
		archive_entry_set_size(e, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			die(a, name);
	}
	archive_entry_free(e);
	if (archive_write_close(a) != ARCHIVE_OK)
		die(a, out);
	archive_write_free(a);
}

static void dump(const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[65536];
	la_ssize_t n;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		die(a, path);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		printf("== %o %lld %s\n", (unsigned)archive_entry_mode(e),
		       (long long)archive_entry_size(e), archive_entry_pathname(e));
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		if (n < 0)
			die(a, archive_entry_pathname(e));
		putchar('\n');
	}
	archive_read_free(a);
}

int main(int argc, char **argv)
{
	struct archive *a;

	if (argc == 3 && strcmp(argv[1], "dump") == 0) {
		dump(argv[2]);
		return 0;
	}

	if (argc == 4 && strcmp(argv[1], "many") == 0) {
		many(argv[2], atol(argv[3]));
		return 0;
	}
	if (argc != 6 || strcmp(argv[1], "tree") != 0) {
		fprintf(stderr, "usage: mkarchive tree OUT FORMAT FILTER DIR | many OUT N\n");
		return 2;
	}
	a = open_out(argv[2], argv[3], argv[4]);
	add_tree(a, argv[5], "");
	if (archive_write_close(a) != ARCHIVE_OK)
		die(a, argv[2]);
	archive_write_free(a);
	return 0;
}

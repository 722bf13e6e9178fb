/*
 * floor: the least work any tool must do for two of the benchmark's
 * measurements, so the table can say how far a target is from what this
 * machine allows. It is part of the benchmark, not of relaunch.
 *
 *   floor hash read|mmap LIST   open, read (or map) and SHA-256 every file
 *                               named in LIST (NUL-separated), on one thread;
 *                               no walk, no lstat, nothing kept. Prints the
 *                               bytes hashed.
 *   floor proc PID...           read each process's stat, exe link, maps and
 *                               children from /proc (Linux), as a process
 *                               view must; prints the bytes read.
 *
 * The caller times it (CPU from wait4). Exit 0 on success, 1 when a file or
 * process could not be read, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { READ_BUF = 1 << 20, MAP_WINDOW = 8 << 20 };

#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* not Linux: pages come in as the hash touches them */
#endif

static int hash_fd(int fd, int use_mmap, EVP_MD_CTX *ctx, unsigned char *buf,
		   unsigned long long *total)
{
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		return -1;
	if (use_mmap) {
		struct stat st;
		if (fstat(fd, &st) != 0)
			return -1;
		for (off_t off = 0; off < st.st_size; off += MAP_WINDOW) {
			size_t len = (size_t)(st.st_size - off < MAP_WINDOW ? st.st_size - off
									    : MAP_WINDOW);
			void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, off);
			if (p == MAP_FAILED)
				return -1;
			int ok = EVP_DigestUpdate(ctx, p, len);
			munmap(p, len);
			if (!ok)
				return -1;
			*total += len;
		}
	} else {
		for (;;) {
			ssize_t n = read(fd, buf, READ_BUF);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
				return -1;
			*total += (unsigned long long)n;
		}
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	return EVP_DigestFinal_ex(ctx, md, &mdlen) ? 0 : -1;
}

static int floor_hash(const char *mode, const char *list)
{
	int use_mmap = strcmp(mode, "mmap") == 0;
	if (!use_mmap && strcmp(mode, "read") != 0) {
		fprintf(stderr, "floor: hash: mode must be read or mmap, not %s\n", mode);
		return 2;
	}
	FILE *f = fopen(list, "r");
	if (!f) {
		fprintf(stderr, "floor: %s: %s\n", list, strerror(errno));
		return 1;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(READ_BUF);
	char *path = NULL;
	size_t cap = 0;
	unsigned long long total = 0;
	int rc = ctx && buf ? 0 : 1;
	while (rc == 0 && getdelim(&path, &cap, '\0', f) > 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || hash_fd(fd, use_mmap, ctx, buf, &total) != 0) {
			fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
			rc = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	free(path);
	free(buf);
	EVP_MD_CTX_free(ctx);
	if (rc == 0)
		printf("%llu\n", total);
	return rc;
}

/* Reads a whole /proc file into buf (grown as needed); returns its length or -1. */
static ssize_t slurp(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		if (len == *cap) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);
			if (!nb) {
				close(fd);
				return -1;
			}
			*buf = nb;
			*cap = ncap;
		}
		ssize_t n = read(fd, *buf + len, *cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return n < 0 ? -1 : (ssize_t)len;
		}
		len += (size_t)n;
	}
}

static int floor_proc(int argc, char **argv)
{
	char *buf = NULL, path[64], link[4096];
	size_t cap = 0;
	unsigned long long total = 0;
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		long pid = strtol(argv[i], NULL, 10);
		static const char *const files[] = {"stat", "maps"};
		for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
			snprintf(path, sizeof path, "/proc/%ld/%s", pid, files[k]);
			ssize_t n = slurp(path, &buf, &cap);
			if (n < 0) {
				fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
				rc = 1;
			} else {
				total += (unsigned long long)n;
			}
		}
		snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
		ssize_t n = slurp(path, &buf, &cap);
		total += n > 0 ? (unsigned long long)n : 0;
		snprintf(path, sizeof path, "/proc/%ld/exe", pid);
		n = readlink(path, link, sizeof link);
		total += n > 0 ? (unsigned long long)n : 0;
	}
	free(buf);
	if (rc == 0)
		printf("%llu\n", total);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "hash") == 0)
		return floor_hash(argv[2], argv[3]);
	if (argc >= 2 && strcmp(argv[1], "proc") == 0)
		return floor_proc(argc - 2, argv + 2);
	fprintf(stderr, "usage: floor hash read|mmap LIST | floor proc PID...\n");
	return 2;
}

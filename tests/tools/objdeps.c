/* Test helper: print what the object-file parsers and the closure find, in
 * a line format the fixture tests compare with llvm-objdump and readelf.
 *
 *   objdeps deps FILE              format, arch, interp, rpaths, and
 *                                  "dep KIND weak|strong NAME" lines
 *   objdeps closure [--no-ldconf] EXE...
 *                                  one line per library: path TAB chain
 *                                  (" > "-joined), one cache for all EXEs
 *
 * Warnings go to stderr as "warning: …". Exit 0, or 1 on an error.
 */
#include <stdio.h>
#include <string.h>

#include "core/discover/libdeps.h"

static const char *kind_name(const struct rl_objdep *d)
{
	switch ((unsigned)d->kind) {
	case 0:
		return "needed";
	case 0xcu:
		return "load";
	case 0x80000018u:
		return "weak";
	case 0x8000001fu:
		return "reexport";
	case 0x20u:
		return "lazy";
	case 0x80000023u:
		return "upward";
	default:
		return "unknown";
	}
}

static int print_deps(const char *path)
{
	static const char *const formats[] = {"none", "macho", "elf"};
	struct rl_error err = {0};
	struct rl_objinfo oi;

	if (rl_objinfo_read(path, &oi, &err) < 0) {
		fprintf(stderr, "objdeps: %s\n", err.text);
		return 1;
	}
	printf("format %s\narch 0x%x\n", formats[oi.format], oi.arch);
	if (oi.interp)
		printf("interp %s\n", oi.interp);
	for (size_t i = 0; i < oi.rpaths.n; i++)
		printf("%s %s\n", oi.runpath ? "runpath" : "rpath", oi.rpaths.v[i]);
	for (size_t i = 0; i < oi.ndeps; i++)
		printf("dep %s %s %s\n", kind_name(&oi.deps[i]),
		       oi.deps[i].weak ? "weak" : "strong", oi.deps[i].name);
	rl_objinfo_release(&oi);
	return 0;
}

static void warn_stderr(const char *text, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", text);
}

static int print_closure(int argc, char **argv)
{
	struct rl_libcache *c = rl_libcache_new();
	int i = 0, rc = 0;

	if (argc > 0 && strcmp(argv[0], "--no-ldconf") == 0) {
		rl_libcache_set_ldconf(c, NULL);
		i++;
	}
	for (; i < argc; i++) {
		struct rl_libdeps d = {0};
		struct rl_error err = {0};

		if (rl_libcache_closure(c, argv[i], &d, &err) < 0) {
			fprintf(stderr, "objdeps: %s\n", err.text);
			rc = 1;
		}
		for (size_t j = 0; j < d.n; j++) {
			printf("%s\t", d.v[j].path);
			for (size_t k = 0; k < d.v[j].chain.n; k++)
				printf("%s%s", k ? " > " : "", d.v[j].chain.v[k]);
			printf("\n");
		}
		rl_libdeps_release(&d);
	}
	rl_libcache_free(c);
	return rc;
}

int main(int argc, char **argv)
{
	rl_warn_handler_set(warn_stderr, NULL);
	if (argc == 3 && strcmp(argv[1], "deps") == 0)
		return print_deps(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "closure") == 0)
		return print_closure(argc - 2, argv + 2);
	fprintf(stderr, "usage: objdeps deps FILE | objdeps closure [--no-ldconf] EXE...\n");
	return 2;
}

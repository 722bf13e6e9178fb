/* libFuzzer target: the manifest loader (versions 1 to 3), and a save of
 * whatever it accepted. Each input is loaded twice, once with version 3's
 * scanner for common entry lines and once with every line through jansson:
 * the two must accept the same inputs and read the same manifest (their
 * saves are byte for byte the same). */
#include "fuzz_file.h"

#include "core/model/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The manifest read from path with or without the scanner, saved to out;
 * the save's bytes (malloc'd, *len) or NULL when the load failed. */
static char *load_and_save(const char *path, const char *out, int fast, size_t *len)
{
	struct rl_manifest m;
	struct rl_error err = {0};
	char *bytes = NULL;
	FILE *f;

	rl_manifest_fast_lines = fast;
	if (rl_manifest_load(&m, path, &err) < 0)
		return NULL;
	if (rl_manifest_save(&m, out, &err) < 0)
		abort(); /* what was read can always be written back */
	rl_manifest_release(&m);
	f = fopen(out, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0)
		abort();
	*len = (size_t)ftell(f);
	rewind(f);
	bytes = malloc(*len + 1);
	if (!bytes || fread(bytes, 1, *len, f) != *len)
		abort();
	fclose(f);
	return bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "manifest.json");
	char *out = malloc(strlen(path) + 5), *a, *b;
	size_t alen = 0, blen = 0;

	if (!out)
		abort();
	strcpy(out, path);
	strcat(out, ".out");
	a = load_and_save(path, out, 1, &alen);
	b = load_and_save(path, out, 0, &blen);
	if (!a != !b)
		abort(); /* one reader accepted what the other refused */
	if (a && (alen != blen || memcmp(a, b, alen) != 0))
		abort(); /* the readers read different manifests */
	free(a);
	free(b);
	free(out);
	return 0;
}

#include "core/base/jsonutil.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/fsutil.h"
#include "core/base/statedir.h"
#include "core/base/util.h"

#define JSON_FILE_MAX ((size_t)1 << 30)

json_t *rl_json_path(const char *path)
{
	size_t len = strlen(path);
	json_t *s = json_stringn(path, len);
	json_t *o;
	char *b64;
	int n;

	if (s)
		return s;
	/* Not UTF-8: EVP_EncodeBlock writes 4 bytes per 3, plus a NUL. */
	b64 = rl_xmalloc(4 * ((len + 2) / 3) + 1);
	n = EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)path, (int)len);
	o = json_pack("{s:s#}", "base64", b64, (size_t)n);
	free(b64);
	if (!o)
		abort();
	return o;
}

static char *decode_base64(const char *in, size_t len)
{
	unsigned char *out;
	size_t pad = 0;
	int n;

	if (len % 4 != 0 || len > (size_t)1 << 20)
		return NULL;
	out = rl_xmalloc(len / 4 * 3 + 1);
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock keeps the zero bytes that padding stands for. */
	if (len >= 1 && in[len - 1] == '=')
		pad++;
	if (len >= 2 && in[len - 2] == '=')
		pad++;
	n -= (int)pad;
	out[n] = '\0';
	if (memchr(out, '\0', (size_t)n)) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

char *rl_json_path_get(const json_t *v, const char *what, struct rl_error *err)
{
	const json_t *b;
	char *p;

	if (json_is_string(v)) {
		size_t len = json_string_length(v);
		const char *s = json_string_value(v);

		if (len == 0 || memchr(s, '\0', len)) {
			rl_error_set(err, "%s: invalid path", what);
			return NULL;
		}
		return rl_xstrndup(s, len);
	}
	b = json_is_object(v) ? json_object_get(v, "base64") : NULL;
	p = json_is_string(b) ? decode_base64(json_string_value(b), json_string_length(b)) : NULL;
	if (!p || !*p) {
		free(p); /* an empty path decodes fine but is none */
		rl_error_set(err, "%s: invalid path", what);
		return NULL;
	}
	return p;
}

/* jansson's message without the text it quotes (" near 'root'"): a file
 * read by following a link may be any file root can read, and nothing of
 * it may reach a message; the line and column say where. Only a quoted
 * token that is JSON's own punctuation, or the end of the file, is kept:
 * it tells what is wrong and holds nothing of the file's data. The column
 * is that of the token's first character (jansson gives its last), unless
 * the message was cut short before the token's end. */
static void parse_error(const char *what, const char *path, const json_error_t *jerr,
			struct rl_error *err)
{
	const char *near = strstr(jerr->text, " near ");
	size_t textlen = strlen(jerr->text);
	int len = near ? (int)(near - jerr->text) : (int)textlen;
	int column = jerr->column;

	if (near && strcmp(near, " near end of file") == 0) {
		rl_error_set(err, "cannot read %s '%s': %s at line %d", what, path, jerr->text,
			     jerr->line);
		return;
	}
	if (near && strncmp(near, " near '", 7) == 0 && strlen(near) == 9 && near[8] == '\'' &&
	    strchr("{}[],:", near[7]))
		len = (int)textlen;
	else if (near && near[6] == '\'' && textlen < JSON_ERROR_TEXT_LENGTH - 2 &&
		 textlen > (size_t)(near - jerr->text) + 8 && jerr->text[textlen - 1] == '\'') {
		int chars = 0;

		/* jansson counts columns in characters, not bytes. */
		for (const char *c = near + 7; c < jerr->text + textlen - 1; c++)
			chars += ((unsigned char)*c & 0xC0) != 0x80;
		if (chars > 0 && column - chars + 1 >= 1)
			column = column - chars + 1;
	}
	rl_error_set(err, "cannot read %s '%s': %.*s at line %d, column %d", what, path, len,
		     jerr->text, jerr->line, column);
}

static int load_json(const char *path, const char *what, int missing_ok, int flags, size_t max,
		     json_t **out, struct rl_error *err)
{
	struct rl_buf buf = {0};
	struct rl_error rerr = {0};
	json_error_t jerr;
	struct stat st;
	char *why;

	*out = NULL;
	if (rl_file_read_at(AT_FDCWD, path, flags, what, max, &buf, &st, &rerr) < 0) {
		if (missing_ok && errno == ENOENT) {
			rl_buf_release(&buf);
			return 1;
		}
		rl_error_set(err, "%s", rerr.text);
		rl_buf_release(&buf);
		return -1;
	}
	/* Root acts on what these files say: only root or we may have
	 * written them. Nothing of a refused file reaches a message. */
	if ((why = rl_trust_why_not(&st)) != NULL) {
		rl_error_set(err, "cannot read %s '%s': %s", what, path, why);
		free(why);
		rl_buf_release(&buf);
		return -1;
	}
	*out = json_loadb(buf.data ? buf.data : "", buf.len, JSON_REJECT_DUPLICATES, &jerr);
	rl_buf_release(&buf);
	if (!*out) {
		parse_error(what, path, &jerr, err);
		return -1;
	}
	return 0;
}

int rl_json_load_file(const char *path, const char *what, int missing_ok, json_t **out,
		      struct rl_error *err)
{
	return load_json(path, what, missing_ok, O_NOFOLLOW, JSON_FILE_MAX, out, err);
}

int rl_json_load_file_follow(const char *path, const char *what, int missing_ok, size_t max,
			     json_t **out, struct rl_error *err)
{
	return load_json(path, what, missing_ok, 0, max, out, err);
}

json_t *rl_json_seconds(double seconds)
{
	if (!(seconds > 0))
		return json_real(0);
	return json_real((double)(long long)(seconds * 1000 + 0.5) / 1000);
}

int rl_json_save_file(const char *path, const char *what, const json_t *v, struct rl_error *err)
{
	char *text = json_dumps(v, RL_JSON_DOC);
	size_t len;
	int rc;

	if (!text) {
		rl_error_set(err, "cannot write %s '%s': cannot encode JSON", what, path);
		return -1;
	}
	len = strlen(text);
	text = rl_xrealloc(text, len + 2);
	text[len++] = '\n';
	rc = rl_file_write_atomic(path, what, text, len, 0600, err);
	free(text);
	return rc;
}

int rl_json_get_int(const json_t *obj, const char *key, int optional, long long *out,
		    const char *what, struct rl_error *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v && optional)
		return 0;
	if (!json_is_integer(v)) {
		rl_error_set(err, "%s: '%s' must be an integer", what, key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int rl_json_get_real(const json_t *obj, const char *key, int optional, double *out,
		     const char *what, struct rl_error *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v && optional)
		return 0;
	if (!json_is_number(v)) {
		rl_error_set(err, "%s: '%s' must be a number", what, key);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

const char *rl_json_get_string(const json_t *obj, const char *key, int optional, const char *what,
			       struct rl_error *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v && optional)
		return NULL;
	if (!json_is_string(v)) {
		rl_error_set(err, "%s: '%s' must be a string", what, key);
		return NULL;
	}
	return json_string_value(v);
}

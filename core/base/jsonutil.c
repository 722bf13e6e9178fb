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

/* What jansson found wrong, in relaunch's own words: a file read by
 * following a link may be any file root can read, and nothing of it may
 * reach a message, not even a byte jansson quotes ("control character
 * 0x7", "near 'root'"). By its error code, and for a syntax error by the
 * start of its fixed text. */
static const char *syntax_text(const json_error_t *jerr)
{
	static const struct {
		const char *jansson, *ours;
	} texts[] = {
		{"string or '}' expected", "a string or '}' expected"},
		{"':' expected", "':' expected"},
		{"'}' expected", "',' or '}' expected"},
		{"']' expected", "',' or ']' expected"},
		{"'[' or '{' expected", "'[' or '{' expected"},
		{"unexpected token", "an unexpected token"},
		{"invalid token", "an invalid token"},
		{"unexpected newline", "a line break in a string"},
		{"control character", "a control character in a string"},
		{"invalid escape", "an invalid escape in a string"},
		{"invalid Unicode", "an invalid \\u escape in a string"},
		{"premature end of input", "a string not closed"},
	};

	switch (json_error_code(jerr)) {
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_numeric_overflow:
		return "a number too big";
	case json_error_stack_overflow:
		return "nesting too deep";
	case json_error_end_of_input_expected:
		return "the end of the file expected";
	case json_error_null_character:
		return "\\u0000 in a string";
	case json_error_null_byte_in_key:
		return "\\u0000 in an object key";
	case json_error_duplicate_key:
		return "a duplicate object key";
	case json_error_out_of_memory:
		return "out of memory";
	case json_error_invalid_syntax:
	case json_error_premature_end_of_input:
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
			if (!strncmp(jerr->text, texts[i].jansson, strlen(texts[i].jansson)))
				return texts[i].ours;
		return "invalid JSON";
	default:
		return "invalid JSON";
	}
}

/* A character of a number or a word ("true", or a bad one jansson read
 * whole). Not the NUL byte, which strchr would find as the terminator. */
static int word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '+' || c == '-' || c == '.';
}

/* Where the token jansson stopped at begins in buf (len bytes): jansson's
 * position is just past it, and its text quotes it when it is 20 bytes or
 * shorter (" near '…'", not shown); a longer one is found in buf: a
 * number or a word back over its characters, a string back to its opening
 * quote. No token (a byte that is no UTF-8 begins one): the position. */
static size_t token_start(const char *buf, size_t len, const json_error_t *jerr)
{
	const char *near = strstr(jerr->text, " near '");
	size_t p = jerr->position > 0 ? (size_t)jerr->position : 0, i;
	size_t textlen = strlen(jerr->text);

	if (p > len)
		return len;
	if (near && textlen > (size_t)(near - jerr->text) + 7 && jerr->text[textlen - 1] == '\'') {
		size_t toklen = textlen - (size_t)(near - jerr->text) - 8;

		return toklen <= p ? p - toklen : p;
	}
	if (p == 0)
		return 0;
	if (json_error_code(jerr) == json_error_invalid_utf8 && strchr(" \t\r\n{}[],:", buf[p - 1]))
		return p;
	if (word_char(buf[p - 1])) {
		for (i = p; i > 0 && word_char(buf[i - 1]); i--)
			;
		return i;
	}
	/* A string: its closing quote, if p is past it, is no opening one. */
	for (i = buf[p - 1] == '"' ? p - 1 : p; i > 0; i--) {
		size_t bs = 0;

		if (buf[i - 1] != '"')
			continue;
		while (i - 1 > bs && buf[i - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return i - 1;
	}
	return p;
}

char *rl_json_error_text(const char *buf, size_t len, const json_error_t *jerr, long line)
{
	const char *text = syntax_text(jerr);
	size_t p = jerr->position > 0 ? (size_t)jerr->position : 0, start;
	int column = jerr->column, chars = 0;
	long at = line > 0 ? line + jerr->line - 1 : (long)jerr->line;

	/* An editor's byte order mark: the text looks right, and jansson
	 * stops at it, "'[' or '{' expected". */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) && jerr->line == 1 && p <= 3)
		return rl_xasprintf("a byte order mark at line %ld, column 1", at);
	/* jansson ends the input at a NUL byte outside a string: not the end
	 * of the file when more follows. */
	if (json_error_code(jerr) == json_error_premature_end_of_input && p > 0 && p < len &&
	    buf[p - 1] == '\0')
		return rl_xasprintf("a NUL byte at line %ld, column %d", at, column);
	if (json_error_code(jerr) == json_error_premature_end_of_input)
		return line > 0 ? rl_xasprintf("%s at the end of line %ld", text, line)
				: rl_xasprintf("%s at end of file", text);
	if (jerr->line < 1 || column < 0 || p > len)
		return rl_xstrdup(text);
	start = token_start(buf, len, jerr);
	/* jansson counts columns in characters, not bytes; a token holds no
	 * line break. */
	for (size_t i = start; i < p; i++) {
		if (buf[i] == '\n') {
			chars = -1;
			break;
		}
		chars += ((unsigned char)buf[i] & 0xC0) != 0x80;
	}
	if (chars >= 0 && column - chars + 1 >= 1)
		column = column - chars + 1;
	return rl_xasprintf("%s at line %ld, column %d", text, at, column);
}

static int load_json(const char *path, const char *what, int missing_ok, int flags, size_t max,
		     json_t **out, struct rl_buf *text, struct rl_error *err)
{
	struct rl_buf buf = {0};
	struct rl_error rerr = {0};
	json_error_t jerr;

	*out = NULL;
	/* Root acts on what these files say: only root or we may have
	 * written them. Nothing of a refused file reaches a message. */
	if (rl_file_read_trusted(path, flags, what, max, &buf, &rerr) < 0) {
		if (missing_ok && errno == ENOENT) {
			rl_buf_release(&buf);
			return 1;
		}
		rl_error_set(err, "%s", rerr.text);
		rl_buf_release(&buf);
		return -1;
	}
	*out = json_loadb(buf.data ? buf.data : "", buf.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		char *detail = rl_json_error_text(buf.data ? buf.data : "", buf.len, &jerr, 0);

		rl_error_set(err, "cannot read %s '%s': %s", what, path, detail);
		free(detail);
	}
	if (*out && text)
		*text = buf;
	else
		rl_buf_release(&buf);
	return *out ? 0 : -1;
}

int rl_json_load_file(const char *path, const char *what, int missing_ok, json_t **out,
		      struct rl_error *err)
{
	return load_json(path, what, missing_ok, O_NOFOLLOW, JSON_FILE_MAX, out, NULL, err);
}

int rl_json_load_file_text(const char *path, const char *what, int missing_ok, json_t **out,
			   struct rl_buf *text, struct rl_error *err)
{
	return load_json(path, what, missing_ok, O_NOFOLLOW, JSON_FILE_MAX, out, text, err);
}

int rl_json_load_file_follow(const char *path, const char *what, int missing_ok, size_t max,
			     json_t **out, struct rl_error *err)
{
	return load_json(path, what, missing_ok, 0, max, out, NULL, err);
}

char *rl_json_version_why_not(const json_t *doc, const char *kind, int max, long long *version,
			      int *newer)
{
	const json_t *v = json_object_get(doc, "version");
	char reads[48];

	*newer = 0;
	if (!json_is_integer(v))
		return rl_xstrdup("'version' must be an integer");
	*version = json_integer_value(v);
	if (max == 1)
		snprintf(reads, sizeof(reads), "version 1");
	else
		snprintf(reads, sizeof(reads), "versions 1 to %d", max);
	if (*version > max) {
		*newer = 1;
		return rl_xasprintf("it was written by a newer relaunch (%s version %lld; this one "
				    "reads %s)",
				    kind, *version, reads);
	}
	if (*version < 1)
		return rl_xasprintf("unknown version %lld (this relaunch reads %s)", *version,
				    reads);
	return NULL;
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

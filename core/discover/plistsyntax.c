/* Where a refused property list is broken (plistsyntax.h).
 *
 * XML: a single pass over the bytes, counting lines, that knows XML's
 * markup (declarations, comments, CDATA, tags with quoted attributes,
 * entities) and the plist DTD's elements and nesting: <plist> holds one
 * value; <dict> alternates <key> and a value; <array> holds values; <key>,
 * <string>, <integer>, <real>, <date> and <data> hold text; <true/> and
 * <false/> nothing. The first thing that breaks a rule is reported with
 * its line. Binary: the header, and the trailer's sizes and offsets
 * (Apple's CFBinaryPList.c layout), with the byte they are at.
 */
#include "core/discover/plistsyntax.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#define DEPTH_MAX  512
#define NAME_SHOWN 40 /* bytes of an element name kept for messages */

enum el {
	EL_PLIST,
	EL_DICT,
	EL_ARRAY,
	EL_KEY,
	EL_STRING,
	EL_INTEGER,
	EL_REAL,
	EL_DATE,
	EL_DATA,
	EL_TRUE,
	EL_FALSE,
	EL_UNKNOWN,
};

static const char *const el_names[] = {
	"plist", "dict", "array", "key",  "string", "integer",
	"real",	 "date", "data",  "true", "false",
};

struct open_el {
	enum el el;
	size_t line;
	size_t children; /* elements it holds so far */
	size_t key_line; /* a dict: the line of the key that waits for its value */
};

struct scan {
	const char *p, *end;
	size_t line;
	char *out;
	size_t n;
	struct open_el st[DEPTH_MAX];
	size_t depth;
	int root_done;
};

static int fail(struct scan *s, size_t line, const char *fmt, ...) RL_PRINTF(3, 4);

static int fail(struct scan *s, size_t line, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(s->out, s->n, "line %zu: ", line);

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < s->n)
		vsnprintf(s->out + k, s->n - (size_t)k, fmt, ap);
	va_end(ap);
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Advance over n bytes, counting lines. */
static void skip(struct scan *s, size_t n)
{
	for (; n && s->p < s->end; n--, s->p++)
		if (*s->p == '\n')
			s->line++;
}

static int starts(const struct scan *s, const char *lit)
{
	size_t k = strlen(lit);

	return (size_t)(s->end - s->p) >= k && memcmp(s->p, lit, k) == 0;
}

/* Skip to just past `until`; 0, or 1 with the failure told (what began at
 * line `from`). */
static int skip_past(struct scan *s, const char *until, const char *what, size_t from)
{
	size_t k = strlen(until);

	while (s->p < s->end) {
		if ((size_t)(s->end - s->p) >= k && memcmp(s->p, until, k) == 0) {
			skip(s, k);
			return 0;
		}
		skip(s, 1);
	}
	return fail(s, s->line, "the file ends inside the %s begun at line %zu", what, from);
}

/* An element name at s->p, into name (NAME_SHOWN bytes, cut); its length. */
static size_t read_name(struct scan *s, char *name)
{
	size_t k = 0;

	while (s->p < s->end && is_name_char(*s->p)) {
		if (k + 1 < NAME_SHOWN)
			name[k] = *s->p;
		k++;
		s->p++;
	}
	name[k + 1 < NAME_SHOWN ? k : NAME_SHOWN - 1] = '\0';
	return k;
}

static enum el el_of(const char *name)
{
	for (size_t i = 0; i < sizeof(el_names) / sizeof(el_names[0]); i++)
		if (strcmp(name, el_names[i]) == 0)
			return (enum el)i;
	return EL_UNKNOWN;
}

static int holds_text(enum el e)
{
	return e >= EL_KEY && e <= EL_DATA;
}

/* An element <name> (line) begins inside the innermost open one. */
static int may_open(struct scan *s, enum el e, const char *name, size_t line)
{
	struct open_el *top = s->depth ? &s->st[s->depth - 1] : NULL;

	if (e == EL_UNKNOWN)
		return fail(s, line, "<%s> is no plist element", name);
	if (!top) {
		if (s->root_done)
			return fail(s, line, "<%s> after the end of the plist", name);
		return 0;
	}
	if (holds_text(top->el))
		return fail(s, line, "<%s> inside <%s> (line %zu), which holds text only", name,
			    el_names[top->el], top->line);
	if (top->el == EL_TRUE || top->el == EL_FALSE)
		return fail(s, line, "<%s> inside <%s/>, which holds nothing", name,
			    el_names[top->el]);
	if (top->el == EL_PLIST && top->children > 0)
		return fail(s, line, "a second value <%s> in <plist> (line %zu), which holds one",
			    name, top->line);
	if (top->el == EL_DICT && top->children % 2 == 0 && e != EL_KEY)
		return fail(s, line, "<%s> in <dict> (line %zu) where a <key> should be", name,
			    top->line);
	if (top->el == EL_DICT && top->children % 2 == 1 && e == EL_KEY)
		return fail(s, line, "<key> follows the <key> of line %zu, which has no value",
			    top->key_line);
	if (top->el != EL_DICT && e == EL_KEY)
		return fail(s, line, "<key> in <%s> (line %zu), outside a <dict>",
			    el_names[top->el], top->line);
	return 0;
}

static int push(struct scan *s, enum el e, size_t line)
{
	struct open_el *top = s->depth ? &s->st[s->depth - 1] : NULL;

	if (s->depth == DEPTH_MAX)
		return fail(s, line, "elements nest deeper than %d", DEPTH_MAX);
	if (top) {
		if (top->el == EL_DICT && e == EL_KEY)
			top->key_line = line;
		top->children++;
	}
	s->st[s->depth++] = (struct open_el){e, line, 0, 0};
	return 0;
}

static int pop(struct scan *s, size_t line)
{
	struct open_el *top = &s->st[s->depth - 1];

	if (top->el == EL_DICT && top->children % 2 == 1)
		return fail(s, line, "the <key> of line %zu has no value before </dict>",
			    top->key_line);
	s->depth--;
	if (s->depth == 0)
		s->root_done = 1;
	return 0;
}

/* A tag after its '<' and name: attributes up to '>' or '/>'. */
static int tag_rest(struct scan *s, const char *name, size_t line, int *self_closing)
{
	char quote = 0;

	while (s->p < s->end) {
		char c = *s->p;

		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '>') {
			skip(s, 1);
			*self_closing = 0;
			return 0;
		} else if (c == '/' && s->p + 1 < s->end && s->p[1] == '>') {
			skip(s, 2);
			*self_closing = 1;
			return 0;
		} else if (c == '<') {
			return fail(s, s->line,
				    "'<' inside the tag <%s> begun at line %zu (its '>' "
				    "is missing)",
				    name, line);
		}
		skip(s, 1);
	}
	return fail(s, s->line, "the file ends inside the tag <%s> begun at line %zu", name, line);
}

static int open_tag(struct scan *s)
{
	char name[NAME_SHOWN];
	size_t line = s->line;
	int self_closing = 0;
	enum el e;

	skip(s, 1); /* '<' */
	if (s->p >= s->end || !is_name_start(*s->p))
		return fail(s, line, "'<' starts no tag (write &lt; for a '<' in text)");
	read_name(s, name);
	e = el_of(name);
	if (may_open(s, e, name, line) || tag_rest(s, name, line, &self_closing) ||
	    push(s, e, line))
		return 1;
	return self_closing ? pop(s, line) : 0;
}

static int close_tag(struct scan *s)
{
	char name[NAME_SHOWN];
	size_t line = s->line;
	const struct open_el *top;

	skip(s, 2); /* "</" */
	read_name(s, name);
	while (s->p < s->end && is_space(*s->p))
		skip(s, 1);
	if (s->p >= s->end || *s->p != '>')
		return fail(s, line, "the closing tag </%s has no '>'", name);
	skip(s, 1);
	if (s->depth == 0)
		return fail(s, line, "</%s> closes nothing", name);
	top = &s->st[s->depth - 1];
	if (el_of(name) != top->el)
		return fail(s, line, "</%s> where </%s> should close the <%s> of line %zu", name,
			    el_names[top->el], el_names[top->el], top->line);
	return pop(s, line);
}

static int entity(struct scan *s)
{
	static const char *const named[] = {"lt;", "gt;", "amp;", "quot;", "apos;"};
	size_t line = s->line;
	const char *q = s->p + 1;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if ((size_t)(s->end - q) >= strlen(named[i]) &&
		    memcmp(q, named[i], strlen(named[i])) == 0) {
			skip(s, 1 + strlen(named[i]));
			return 0;
		}
	if (q < s->end && *q == '#') {
		const char *d = q + 1;
		int hex = d < s->end && *d == 'x';
		size_t k = 0;

		for (d += hex; d < s->end && k < 8; d++, k++)
			if (!((*d >= '0' && *d <= '9') ||
			      (hex && ((*d >= 'a' && *d <= 'f') || (*d >= 'A' && *d <= 'F')))))
				break;
		if (k > 0 && d < s->end && *d == ';') {
			skip(s, (size_t)(d - s->p) + 1);
			return 0;
		}
	}
	return fail(s, line, "'&' starts no entity (write &amp; for a '&' in text)");
}

/* Text between tags: where it may stand. */
static int text(struct scan *s)
{
	const struct open_el *top = s->depth ? &s->st[s->depth - 1] : NULL;

	while (s->p < s->end && *s->p != '<') {
		if (*s->p == '&') {
			if (entity(s))
				return 1;
			continue;
		}
		if (!is_space(*s->p) && (!top || !holds_text(top->el))) {
			if (!top)
				return fail(s, s->line, "text outside the plist's elements");
			return fail(s, s->line, "text in <%s> (line %zu) outside any element%s",
				    el_names[top->el], top->line,
				    top->el == EL_TRUE || top->el == EL_FALSE ? ""
									      : " (a <string>?)");
		}
		skip(s, 1);
	}
	return 0;
}

static int xml(struct scan *s)
{
	while (s->p < s->end) {
		size_t line = s->line;
		int r;

		if (starts(s, "<?"))
			r = skip_past(s, "?>", "processing instruction", line);
		else if (starts(s, "<!--"))
			r = skip_past(s, "-->", "comment", line);
		else if (starts(s, "<![CDATA[")) {
			const struct open_el *top = s->depth ? &s->st[s->depth - 1] : NULL;

			if (!top || !holds_text(top->el))
				return fail(s, line, "CDATA outside an element that holds text");
			r = skip_past(s, "]]>", "CDATA section", line);
		} else if (starts(s, "<!"))
			r = skip_past(s, ">", "declaration", line);
		else if (starts(s, "</"))
			r = close_tag(s);
		else if (*s->p == '<')
			r = open_tag(s);
		else
			r = text(s);
		if (r)
			return 1;
	}
	if (s->depth) {
		const struct open_el *top = &s->st[s->depth - 1];

		return fail(s, s->line, "the file ends before </%s> closes the <%s> of line %zu",
			    el_names[top->el], el_names[top->el], top->line);
	}
	return 0;
}

static uint64_t be(const unsigned char *p, unsigned k)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < k; i++)
		v = v << 8 | p[i];
	return v;
}

static int bfail(char *out, size_t n, uint64_t byte, const char *fmt, ...) RL_PRINTF(4, 5);

static int bfail(char *out, size_t n, uint64_t byte, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(out, n, "byte %llu: ", (unsigned long long)byte);

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(out + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return 1;
}

static int binary(const unsigned char *d, size_t len, char *out, size_t n)
{
	const unsigned char *t;
	unsigned off_size, ref_size;
	uint64_t count, top, table, body;

	if (len < 8 + 32)
		return bfail(out, n, len,
			     "the file ends before a binary plist's trailer (%zu bytes)", len);
	if (memcmp(d + 6, "00", 2) != 0)
		return bfail(out, n, 6, "binary plist version '%c%c' (only 00 is read)",
			     d[6] >= 0x20 && d[6] < 0x7f ? d[6] : '?',
			     d[7] >= 0x20 && d[7] < 0x7f ? d[7] : '?');
	t = d + len - 32;
	off_size = t[6];
	ref_size = t[7];
	count = be(t + 8, 8);
	top = be(t + 16, 8);
	table = be(t + 24, 8);
	body = len - 32;
	if (off_size != 1 && off_size != 2 && off_size != 4 && off_size != 8)
		return bfail(out, n, len - 26,
			     "the trailer's offset size is %u, not 1, 2, 4 or 8 (a file cut "
			     "short?)",
			     off_size);
	if (ref_size != 1 && ref_size != 2 && ref_size != 4 && ref_size != 8)
		return bfail(out, n, len - 25,
			     "the trailer's object reference size is %u, not 1, 2, 4 or 8 (a "
			     "file cut short?)",
			     ref_size);
	if (count == 0 || top >= count)
		return bfail(out, n, len - 16, "the top object %llu is not one of the %llu objects",
			     (unsigned long long)top, (unsigned long long)count);
	if (table < 8 || table > body || count > (body - table) / off_size)
		return bfail(
			out, n, len - 8,
			"the offset table at byte %llu (%llu offsets of %u bytes) lies outside "
			"the %llu bytes before the trailer",
			(unsigned long long)table, (unsigned long long)count, off_size,
			(unsigned long long)body);
	for (uint64_t i = 0; i < count; i++) {
		uint64_t at = table + i * off_size, o = be(d + at, off_size);

		if (o < 8 || o >= table)
			return bfail(
				out, n, at,
				"object %llu starts at byte %llu, outside the objects (bytes 8 "
				"to %llu)",
				(unsigned long long)i, (unsigned long long)o,
				(unsigned long long)table);
	}
	return 0;
}

int rl_plist_syntax_error(const char *data, size_t len, char *out, size_t n)
{
	static struct scan zero;
	struct scan *s;
	int r;

	if (n)
		out[0] = '\0';
	if (!data || n == 0)
		return 0;
	if (len >= 6 && memcmp(data, "bplist", 6) == 0)
		return binary((const unsigned char *)data, len, out, n);
	s = rl_xmalloc(sizeof(*s));
	*s = zero;
	s->p = data;
	s->end = data + len;
	s->line = 1;
	s->out = out;
	s->n = n;
	if (starts(s, "\xef\xbb\xbf"))
		s->p += 3;
	r = xml(s);
	free(s);
	if (!r)
		out[0] = '\0';
	return r;
}

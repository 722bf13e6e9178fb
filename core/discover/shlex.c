#include "core/discover/shlex.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#define MAX_WORDS 100000

struct lexer {
	const char *s;
	size_t len;
	size_t i;
	struct rl_buf word;
	int in_word;
	int quoted; /* some of the word was quoted or escaped */
	int dynamic;
	int redirect; /* the next word is a redirection target, not an argument */
	size_t nwords;
	struct rl_shcmd *cur;
	struct rl_shcmds *out;
	struct rl_error *err;
};

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int is_assignment(const char *t)
{
	if (!is_name_start(*t))
		return 0;
	while (is_name_char(*t))
		t++;
	return *t == '=';
}

static int word_in(const char *t, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(t, list[i]) == 0)
			return 1;
	return 0;
}

/* Words that precede a command in sh's grammar, and words that end or
 * open a construct without running a program. */
static const char *const lead_words[] = {"if",	  "then", "else", "elif", "do", "while",
					 "until", "!",	  "{",	  "time", NULL};
static const char *const no_prog_words[] = {"fi",   "done", "esac",	"}", "for",
					    "case", "in",   "function", NULL};

/* Skip options of `exec` (bash's -a NAME, -c, -l) and `env`. */
static size_t skip_exec_opts(const struct rl_shcmd *c, size_t i)
{
	while (i < c->n && c->w[i].text[0] == '-') {
		if (strcmp(c->w[i].text, "--") == 0)
			return i + 1;
		i += strcmp(c->w[i].text, "-a") == 0 ? 2 : 1;
	}
	return i;
}

static size_t skip_env_args(const struct rl_shcmd *c, size_t i)
{
	while (i < c->n) {
		const char *t = c->w[i].text;

		if (strcmp(t, "--") == 0)
			return i + 1;
		if (strcmp(t, "-u") == 0)
			i += 2;
		else if (t[0] == '-' || is_assignment(t))
			i++;
		else
			break;
	}
	return i;
}

static void find_program(struct rl_shcmd *c)
{
	size_t i = 0;

	for (;;) {
		const char *t;

		while (i < c->n && is_assignment(c->w[i].text))
			i++;
		if (i >= c->n)
			break;
		t = c->w[i].text;
		if (c->w[i].dynamic) {
			c->prog = i;
			return;
		}
		if (word_in(t, lead_words)) {
			i++;
		} else if (word_in(t, no_prog_words)) {
			break;
		} else if (strcmp(t, "exec") == 0) {
			c->exec = 1;
			i = skip_exec_opts(c, i + 1);
		} else if (strcmp(t, "command") == 0) {
			if (i + 1 < c->n && (strcmp(c->w[i + 1].text, "-v") == 0 ||
					     strcmp(c->w[i + 1].text, "-V") == 0))
				break; /* a lookup, not a run */
			i = skip_exec_opts(c, i + 1);
		} else if (strcmp(t, "nohup") == 0) {
			i++;
		} else if (strcmp(t, "env") == 0) {
			i = skip_env_args(c, i + 1);
		} else {
			c->prog = i;
			return;
		}
	}
	c->prog = c->n;
}

static void end_word(struct lexer *lx)
{
	struct rl_shword *w;

	if (!lx->in_word)
		return;
	if (lx->redirect) {
		lx->redirect = 0;
	} else if (lx->nwords < MAX_WORDS) {
		if (!lx->cur) {
			rl_xgrow((void **)&lx->out->v, &lx->out->alloc, lx->out->n + 1,
				 sizeof(*lx->out->v));
			lx->cur = &lx->out->v[lx->out->n++];
			memset(lx->cur, 0, sizeof(*lx->cur));
		}
		rl_xgrow((void **)&lx->cur->w, &lx->cur->alloc, lx->cur->n + 1,
			 sizeof(*lx->cur->w));
		w = &lx->cur->w[lx->cur->n++];
		w->text = rl_xstrndup(lx->word.data ? lx->word.data : "", lx->word.len);
		w->dynamic = lx->dynamic;
		lx->nwords++;
	}
	rl_buf_reset(&lx->word);
	lx->in_word = lx->quoted = lx->dynamic = 0;
}

static void end_cmd(struct lexer *lx)
{
	end_word(lx);
	lx->redirect = 0;
	if (lx->cur)
		find_program(lx->cur);
	lx->cur = NULL;
}

static void add_char(struct lexer *lx, char c)
{
	rl_buf_add(&lx->word, &c, 1);
	lx->in_word = 1;
}

static int fail(struct lexer *lx, const char *what)
{
	rl_error_set(lx->err, "cannot split shell text: unterminated %s", what);
	return -1;
}

/* Copy a balanced $( … ) or ${ … } into the word (it stays unexpanded). */
static int take_balanced(struct lexer *lx, char open, char close)
{
	int depth = 0;

	while (lx->i < lx->len) {
		char c = lx->s[lx->i++];

		add_char(lx, c);
		if (c == '\\' && lx->i < lx->len) {
			add_char(lx, lx->s[lx->i++]);
		} else if (c == '\'' && open == '(') {
			while (lx->i < lx->len && lx->s[lx->i] != '\'')
				add_char(lx, lx->s[lx->i++]);
			if (lx->i >= lx->len)
				return fail(lx, "quote");
			add_char(lx, lx->s[lx->i++]);
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return 0;
		}
	}
	return fail(lx, open == '(' ? "command substitution" : "parameter expansion");
}

static int take_dollar(struct lexer *lx)
{
	char next = lx->i + 1 < lx->len ? lx->s[lx->i + 1] : '\0';

	lx->dynamic = 1;
	if (next == '(' || next == '{') {
		add_char(lx, '$');
		lx->i++;
		return take_balanced(lx, next, next == '(' ? ')' : '}');
	}
	add_char(lx, lx->s[lx->i++]);
	if (is_name_start(next)) {
		while (lx->i < lx->len && is_name_char(lx->s[lx->i]))
			add_char(lx, lx->s[lx->i++]);
	} else if (next && strchr("0123456789@*#?$!-", next)) {
		add_char(lx, lx->s[lx->i++]);
	} else {
		lx->dynamic = 0; /* a lone $ is literal */
	}
	return 0;
}

static int take_backquote(struct lexer *lx)
{
	lx->dynamic = 1;
	add_char(lx, lx->s[lx->i++]);
	while (lx->i < lx->len && lx->s[lx->i] != '`') {
		if (lx->s[lx->i] == '\\' && lx->i + 1 < lx->len)
			add_char(lx, lx->s[lx->i++]);
		add_char(lx, lx->s[lx->i++]);
	}
	if (lx->i >= lx->len)
		return fail(lx, "backquote");
	add_char(lx, lx->s[lx->i++]);
	return 0;
}

static int take_single(struct lexer *lx)
{
	const char *end = memchr(lx->s + lx->i + 1, '\'', lx->len - lx->i - 1);

	if (!end)
		return fail(lx, "quote");
	rl_buf_add(&lx->word, lx->s + lx->i + 1, (size_t)(end - (lx->s + lx->i + 1)));
	lx->i = (size_t)(end - lx->s) + 1;
	lx->in_word = lx->quoted = 1;
	return 0;
}

/* Inside double quotes a backslash escapes only $ ` " \ and newline. */
static int take_double(struct lexer *lx)
{
	lx->i++;
	lx->in_word = lx->quoted = 1;
	while (lx->i < lx->len) {
		char c = lx->s[lx->i];

		if (c == '"') {
			lx->i++;
			return 0;
		}
		if (c == '\\' && lx->i + 1 < lx->len && strchr("$`\"\\\n", lx->s[lx->i + 1])) {
			if (lx->s[lx->i + 1] != '\n')
				add_char(lx, lx->s[lx->i + 1]);
			lx->i += 2;
		} else if (c == '$') {
			if (take_dollar(lx) < 0)
				return -1;
		} else if (c == '`') {
			if (take_backquote(lx) < 0)
				return -1;
		} else {
			add_char(lx, c);
			lx->i++;
		}
	}
	return fail(lx, "double quote");
}

static int all_digits(const struct rl_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] < '0' || b->data[i] > '9')
			return 0;
	return b->len > 0;
}

/* < > >> << <<- >& <& <> >| : the word after it is a target, not an argument.
 * A word of digits right before it is the descriptor, also dropped. */
static void take_redirect(struct lexer *lx)
{
	if (lx->in_word && !lx->quoted && !lx->dynamic && all_digits(&lx->word)) {
		rl_buf_reset(&lx->word);
		lx->in_word = 0;
	}
	end_word(lx);
	lx->i++;
	while (lx->i < lx->len && strchr("<>&|-", lx->s[lx->i]))
		lx->i++;
	lx->redirect = 1;
}

static void take_operator(struct lexer *lx)
{
	char c = lx->s[lx->i++];

	end_cmd(lx);
	if ((c == '&' || c == '|' || c == ';') && lx->i < lx->len && lx->s[lx->i] == c)
		lx->i++;
}

static int step(struct lexer *lx)
{
	char c = lx->s[lx->i];

	if (c == ' ' || c == '\t') {
		end_word(lx);
		lx->i++;
	} else if (c == '\n') {
		end_cmd(lx);
		lx->i++;
	} else if (c == '#' && !lx->in_word) {
		while (lx->i < lx->len && lx->s[lx->i] != '\n')
			lx->i++;
	} else if (c == '\\') {
		if (lx->i + 1 < lx->len && lx->s[lx->i + 1] != '\n') {
			add_char(lx, lx->s[lx->i + 1]);
			lx->quoted = 1;
		}
		lx->i += 2;
	} else if (c == '\'') {
		return take_single(lx);
	} else if (c == '"') {
		return take_double(lx);
	} else if (c == '`') {
		return take_backquote(lx);
	} else if (c == '$') {
		return take_dollar(lx);
	} else if (strchr(";&|()", c)) {
		take_operator(lx);
	} else if (c == '<' || c == '>') {
		take_redirect(lx);
	} else {
		add_char(lx, c);
		lx->i++;
	}
	return 0;
}

int rl_shlex_split(const char *s, size_t len, struct rl_shcmds *out, struct rl_error *err)
{
	struct lexer lx = {0};
	const char *nul = memchr(s, '\0', len);
	int rc = 0;

	lx.s = s;
	lx.len = nul ? (size_t)(nul - s) : len;
	lx.out = out;
	lx.err = err;
	while (lx.i < lx.len && rc == 0)
		rc = step(&lx);
	if (rc == 0)
		end_cmd(&lx);
	else if (lx.cur)
		find_program(lx.cur);
	rl_buf_release(&lx.word);
	return rc;
}

const struct rl_shword *rl_shcmd_program(const struct rl_shcmd *cmd)
{
	return cmd->prog < cmd->n ? &cmd->w[cmd->prog] : NULL;
}

void rl_shcmds_release(struct rl_shcmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->v[i].n; j++)
			free(c->v[i].w[j].text);
		free(c->v[i].w);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

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
	struct rl_buf expr; /* the word with expansions kept: see rl_shword.expr */
	size_t word_line;   /* line the word started on */
	size_t line;	    /* line of s[lpos] */
	size_t lpos;
	int case_depth; /* inside `case … in` … `esac` */
	/* per case_depth level: its `case WORD in` command's index, and its
	 * open arm's index + 1 (0: none) */
	size_t *case_at, *open_arm;
	size_t levels_alloc;
	int pattern; /* reading a case pattern, up to its `)` */
	int in_word;
	int quoted; /* some of the word was quoted or escaped */
	int dynamic;
	int redirect; /* the next word is a redirection target, not an argument */
	int heredoc;  /* that target is a here-document's delimiter: 1 `<<`, 2 `<<-` */
	/* the delimiters of the here-documents whose text starts after the
	 * next newline, and whether tabs lead their lines (`<<-`) */
	char **hd_word;
	int *hd_tabs;
	size_t nhd, hd_alloc;
	int depth;     /* of the next command: see rl_shcmd.depth */
	char last_op;  /* the operator before the next command: rl_shcmd.before */
	int parens;    /* `( … )` open: rl_shcmd.parens */
	size_t closed; /* `( … )` closed so far: rl_shcmd.closed */
	int nest;      /* "…" in $( … ) in "…" …: take_inner_double's depth */
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

/* A name as sh allows it for variables and functions. */
static int is_assignment_name(const char *t)
{
	if (!is_name_start(*t))
		return 0;
	while (is_name_char(*t))
		t++;
	return *t == '\0';
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
/* Reserved words that start a list, a function definition may follow. */
static const char *const list_words[] = {"{", "then", "else", "do", NULL};
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

/* The word after the lead word at i; after `time`, after its `-p` and
 * `--` too (bash(1): "time [-p] pipeline"; bash 5.2 takes `time --` and
 * `time -p --` as well). */
static size_t skip_lead(const struct rl_shcmd *c, size_t i)
{
	if (strcmp(c->w[i++].text, "time") != 0)
		return i;
	if (i < c->n && !c->w[i].dynamic && strcmp(c->w[i].text, "-p") == 0)
		i++;
	if (i < c->n && !c->w[i].dynamic && strcmp(c->w[i].text, "--") == 0)
		i++;
	return i;
}

static void find_program(struct rl_shcmd *c)
{
	size_t i = 0;

	c->start = c->n;
	if (c->funcdef) {
		c->prog = c->n;
		return;
	}
	for (;;) {
		const char *t;

		/* `then X=1`, `{ X=1 cmd`: assignments after reserved words */
		while (i < c->n && (is_assignment(c->w[i].text) ||
				    (!c->w[i].dynamic && word_in(c->w[i].text, lead_words))))
			i = is_assignment(c->w[i].text) ? i + 1 : skip_lead(c, i);
		if (c->start == c->n)
			c->start = i;
		if (i >= c->n)
			break;
		t = c->w[i].text;
		if (c->w[i].dynamic) {
			c->prog = i;
			return;
		}
		if (word_in(t, lead_words)) {
			i = skip_lead(c, i);
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

static int word_is(const struct rl_shword *w, const char *t)
{
	return !w->dynamic && strcmp(w->text, t) == 0;
}

/* The command's depth, from the words that open a construct (`if`,
 * `while`, `until`, `{` before its program; `for`, `case`, `select` as
 * its first; the `{` of `function NAME {`) and then the depth of the
 * next, less one when it closes one. */
static void note_depth(struct lexer *lx, struct rl_shcmd *c)
{
	static const char *const opens[] = {"if", "while", "until", "{", NULL};
	static const char *const firsts[] = {"for", "case", "select", NULL};
	static const char *const closes[] = {"fi", "done", "esac", "}", NULL};
	size_t i = 0;

	c->depth = c->level = lx->depth;
	for (; i < c->start && i < c->n; i++)
		if (!c->w[i].dynamic && word_in(c->w[i].text, opens))
			c->depth++;
	if (i < c->n && !c->w[i].dynamic && word_in(c->w[i].text, firsts))
		c->depth++;
	if (i < c->n && word_is(&c->w[i], "function"))
		for (size_t k = i + 1; k < c->n; k++)
			c->depth += word_is(&c->w[k], "{");
	lx->depth = c->depth;
	if (i < c->n && !c->w[i].dynamic && word_in(c->w[i].text, closes))
		lx->depth--;
}

static void end_cmd_by(struct lexer *lx, char op);
static void drop_cmd(struct lexer *lx);

/* `case WORD in` opens a pattern, after the words that may lead it
 * (`do case …`, `then case …`, `{ case …`); `esac` closes the construct. */
static void note_case(struct lexer *lx)
{
	struct rl_shcmd *c = lx->cur;
	size_t k = 0;

	while (k < c->n && !c->w[k].dynamic && word_in(c->w[k].text, lead_words))
		k++;
	if (c->n == k + 3 && word_is(&c->w[k], "case") && word_is(&c->w[k + 2], "in")) {
		end_cmd_by(lx, ';');
		lx->last_op = ';';
		rl_xgrow((void **)&lx->case_at, &lx->levels_alloc, (size_t)lx->case_depth + 1,
			 sizeof(*lx->case_at));
		lx->open_arm = rl_xrealloc(lx->open_arm, lx->levels_alloc * sizeof(*lx->open_arm));
		lx->case_at[lx->case_depth] = lx->out->n - 1;
		lx->open_arm[lx->case_depth] = 0;
		lx->out->v[lx->out->n - 1].arm0 = lx->out->narms;
		lx->case_depth++;
		lx->pattern = 1;
	} else if (c->n == 1 && lx->case_depth > 0 && word_is(&c->w[0], "esac")) {
		size_t at = lx->out->n - 1, open;

		lx->case_depth--;
		lx->pattern = 0;
		open = lx->open_arm[lx->case_depth];
		if (open) {
			lx->out->arms[open - 1].end = at;
			lx->out->arms[open - 1].ends = ';';
		}
		lx->out->v[lx->case_at[lx->case_depth]].esac = at;
	}
}

/* The pattern words of lx->cur end with `)`: an arm opens. */
static void start_arm(struct lexer *lx)
{
	struct rl_sharm *a;
	size_t level = (size_t)lx->case_depth - 1;

	if (lx->case_depth <= 0) {
		drop_cmd(lx);
		return;
	}
	rl_xgrow((void **)&lx->out->arms, &lx->out->arms_alloc, lx->out->narms + 1,
		 sizeof(*lx->out->arms));
	a = &lx->out->arms[lx->out->narms++];
	memset(a, 0, sizeof(*a));
	a->case_at = lx->case_at[level];
	a->end = SIZE_MAX;
	if (lx->cur && lx->cur->n) {
		a->npat = lx->cur->n;
		a->pat = rl_xcalloc(a->npat, sizeof(*a->pat));
		for (size_t k = 0; k < a->npat; k++) {
			const struct rl_shword *w = &lx->cur->w[k];

			if (!w->dynamic && !(w->quoted && strpbrk(w->text, "*?[\\")))
				a->pat[k] = rl_xstrdup(w->text);
		}
	}
	drop_cmd(lx);
	a->first = lx->out->n;
	lx->open_arm[level] = lx->out->narms;
}

/* `;;` (ends ';') or `;&`, `;;&` ('&') ended the command before it. */
static void close_arm(struct lexer *lx, char ends)
{
	size_t level = (size_t)lx->case_depth - 1, open = lx->open_arm[level];

	if (!open)
		return;
	lx->out->arms[open - 1].end = lx->out->n;
	lx->out->arms[open - 1].ends = ends;
	lx->open_arm[level] = 0;
}

/* Forget the command being read (a case pattern: not a command). */
static void drop_cmd(struct lexer *lx)
{
	if (!lx->cur)
		return;
	for (size_t j = 0; j < lx->cur->n; j++) {
		free(lx->cur->w[j].text);
		free(lx->cur->w[j].expr);
	}
	free(lx->cur->w);
	lx->out->n--;
	lx->cur = NULL;
}

static int function_word(const struct rl_shcmd *c);

/* bash's, zsh's and ksh's `function NAME` (bash(1), Shell Function
 * Definitions: "function fname [()] compound-command"): a header as
 * `NAME()` is, the word `function` dropped. */
static void take_function(struct lexer *lx)
{
	struct rl_shcmd *c = lx->cur;

	free(c->w[0].text);
	free(c->w[0].expr);
	memmove(&c->w[0], &c->w[1], (c->n - 1) * sizeof(*c->w));
	c->n--;
	c->funcdef = 1;
}

/* A command begins: after the operator last passed, within the `(`
 * opened so far. */
static void new_cmd(struct lexer *lx)
{
	rl_xgrow((void **)&lx->out->v, &lx->out->alloc, lx->out->n + 1, sizeof(*lx->out->v));
	lx->cur = &lx->out->v[lx->out->n++];
	memset(lx->cur, 0, sizeof(*lx->cur));
	lx->cur->before = lx->last_op;
	lx->cur->parens = lx->parens;
	lx->cur->closed = lx->closed;
}

static void end_word(struct lexer *lx)
{
	struct rl_shword *w;
	size_t j;

	if (!lx->in_word)
		return;
	if (lx->redirect) {
		lx->redirect = 0;
		if (lx->heredoc) {
			rl_xgrow((void **)&lx->hd_word, &lx->hd_alloc, lx->nhd + 1,
				 sizeof(*lx->hd_word));
			lx->hd_tabs = rl_xrealloc(lx->hd_tabs, lx->hd_alloc * sizeof(*lx->hd_tabs));
			lx->hd_word[lx->nhd] =
				rl_xstrndup(lx->word.data ? lx->word.data : "", lx->word.len);
			lx->hd_tabs[lx->nhd++] = lx->heredoc == 2;
			lx->heredoc = 0;
		}
	} else if (lx->nwords < MAX_WORDS) {
		if (!lx->cur)
			new_cmd(lx);
		rl_xgrow((void **)&lx->cur->w, &lx->cur->alloc, lx->cur->n + 1,
			 sizeof(*lx->cur->w));
		w = &lx->cur->w[lx->cur->n++];
		w->text = rl_xstrndup(lx->word.data ? lx->word.data : "", lx->word.len);
		w->dynamic = lx->dynamic;
		w->expr = lx->dynamic ? rl_xstrndup(lx->expr.data, lx->expr.len) : NULL;
		w->quoted = lx->quoted;
		if (lx->cur->n == 1)
			lx->cur->line = lx->word_line;
		lx->nwords++;
	}
	rl_buf_reset(&lx->word);
	rl_buf_reset(&lx->expr);
	lx->in_word = lx->quoted = lx->dynamic = 0;
	if (lx->cur)
		note_case(lx);
	if (!lx->cur || !function_word(lx->cur))
		return;
	/* `function NAME` then no `(` (take_funcdef's): the header ends */
	for (j = lx->i; j < lx->len && (lx->s[j] == ' ' || lx->s[j] == '\t');)
		j++;
	if (j < lx->len && lx->s[j] == '(')
		return;
	take_function(lx);
	end_cmd_by(lx, ';');
	lx->last_op = ';';
}

/* End the command being read, the operator op after it (see
 * rl_shcmd.after). */
static void end_cmd_by(struct lexer *lx, char op)
{
	end_word(lx);
	lx->redirect = 0;
	if (lx->cur) {
		find_program(lx->cur);
		note_depth(lx, lx->cur);
		lx->cur->after = op;
	}
	lx->cur = NULL;
}

static void end_cmd(struct lexer *lx)
{
	end_cmd_by(lx, 0);
}

/* The line of s[pos]; pos only grows. */
static size_t line_at(struct lexer *lx, size_t pos)
{
	for (; lx->lpos < pos && lx->lpos < lx->len; lx->lpos++)
		if (lx->s[lx->lpos] == '\n')
			lx->line++;
	return lx->line;
}

static void begin_word(struct lexer *lx)
{
	if (!lx->in_word)
		lx->word_line = line_at(lx, lx->i);
	lx->in_word = 1;
}

/* A literal character: in expr, sh's special ones are escaped. */
static void add_char(struct lexer *lx, char c)
{
	begin_word(lx);
	rl_buf_add(&lx->word, &c, 1);
	if (c == '\\' || c == '$' || c == '`' || c == '"' || c == '~')
		rl_buf_add(&lx->expr, "\\", 1);
	rl_buf_add(&lx->expr, &c, 1);
}

/* A character of an expansion, kept as written. */
static void add_exp(struct lexer *lx, char c)
{
	begin_word(lx);
	rl_buf_add(&lx->word, &c, 1);
	rl_buf_add(&lx->expr, &c, 1);
}

/* Whether an unquoted `~` here is a tilde prefix: it starts the word, or
 * the value of an assignment (`NAME=~/…`). */
static int tilde_starts(const struct lexer *lx)
{
	const char *t = lx->word.data;
	size_t n = lx->word.len;

	if (!lx->in_word)
		return 1;
	if (lx->quoted || lx->dynamic || n < 2 || t[n - 1] != '=' || !is_name_start(t[0]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_name_char(t[i]))
			return 0;
	return 1;
}

static int fail(struct lexer *lx, const char *what)
{
	rl_error_set(lx->err, "cannot split shell text: unterminated %s", what);
	return -1;
}

static int take_balanced(struct lexer *lx, char open, char close);

/* Copy the rest of a `…` whose opening backquote was taken, its closing
 * one too: a backslash escapes the next character. */
static int take_backquote_rest(struct lexer *lx)
{
	while (lx->i < lx->len && lx->s[lx->i] != '`') {
		if (lx->s[lx->i] == '\\' && lx->i + 1 < lx->len)
			add_exp(lx, lx->s[lx->i++]);
		add_exp(lx, lx->s[lx->i++]);
	}
	if (lx->i >= lx->len)
		return fail(lx, "backquote");
	add_exp(lx, lx->s[lx->i++]);
	return 0;
}

/* How deep take_inner_double nests: no real script comes near it, and
 * the text is bounded (SCRIPT_MAX, a plist's size) but the stack is too. */
#define MAX_NEST 256

/* Copy the rest of a "…" inside a $( … ) into the word, past its closing
 * quote: a `)` in it closes nothing (`$(echo ")")`, bash and dash), but a
 * $( … ) or `…` in it nests. */
static int take_inner_double(struct lexer *lx)
{
	if (lx->nest >= MAX_NEST) {
		rl_error_set(lx->err, "cannot split shell text: quotes nested over %d deep",
			     MAX_NEST);
		return -1;
	}
	lx->nest++;
	while (lx->i < lx->len) {
		char c = lx->s[lx->i];

		if (c == '$' && lx->i + 1 < lx->len && lx->s[lx->i + 1] == '(') {
			add_exp(lx, c);
			lx->i++;
			if (take_balanced(lx, '(', ')') < 0)
				return -1;
			continue;
		}
		add_exp(lx, c);
		lx->i++;
		if (c == '"') {
			lx->nest--;
			return 0;
		}
		if (c == '\\' && lx->i < lx->len) {
			add_exp(lx, lx->s[lx->i++]);
		} else if (c == '`' && take_backquote_rest(lx) < 0) {
			return -1;
		}
	}
	return fail(lx, "quote");
}

/* Copy a balanced $( … ) or ${ … } into the word (it stays unexpanded). */
static int take_balanced(struct lexer *lx, char open, char close)
{
	int depth = 0;

	while (lx->i < lx->len) {
		char c = lx->s[lx->i++];

		add_exp(lx, c);
		if (c == '\\' && lx->i < lx->len) {
			add_exp(lx, lx->s[lx->i++]);
		} else if (c == '"' && open == '(') {
			if (take_inner_double(lx) < 0)
				return -1;
		} else if (c == '\'' && open == '(') {
			while (lx->i < lx->len && lx->s[lx->i] != '\'')
				add_exp(lx, lx->s[lx->i++]);
			if (lx->i >= lx->len)
				return fail(lx, "quote");
			add_exp(lx, lx->s[lx->i++]);
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
	int was = lx->dynamic;

	lx->dynamic = 1;
	if (next == '(' || next == '{') {
		add_exp(lx, '$');
		lx->i++;
		return take_balanced(lx, next, next == '(' ? ')' : '}');
	}
	if (is_name_start(next)) {
		/* $NAME: braced in expr, so a literal after it stays apart */
		begin_word(lx);
		rl_buf_add(&lx->word, "$", 1);
		rl_buf_add(&lx->expr, "${", 2);
		for (lx->i++; lx->i < lx->len && is_name_char(lx->s[lx->i]); lx->i++) {
			rl_buf_add(&lx->word, &lx->s[lx->i], 1);
			rl_buf_add(&lx->expr, &lx->s[lx->i], 1);
		}
		rl_buf_add(&lx->expr, "}", 1);
	} else if (next && strchr("0123456789@*#?$!-", next)) {
		add_exp(lx, lx->s[lx->i++]);
		add_exp(lx, lx->s[lx->i++]);
	} else {
		/* a lone $ is literal */
		lx->dynamic = was;
		add_char(lx, lx->s[lx->i++]);
	}
	return 0;
}

static int take_backquote(struct lexer *lx)
{
	lx->dynamic = 1;
	add_exp(lx, lx->s[lx->i++]);
	return take_backquote_rest(lx);
}

static int take_single(struct lexer *lx)
{
	const char *end = memchr(lx->s + lx->i + 1, '\'', lx->len - lx->i - 1);

	if (!end)
		return fail(lx, "quote");
	begin_word(lx);
	for (const char *c = lx->s + lx->i + 1; c < end; c++)
		add_char(lx, *c);
	lx->i = (size_t)(end - lx->s) + 1;
	lx->quoted = 1;
	return 0;
}

/* Inside double quotes a backslash escapes only $ ` " \ and newline. */
static int take_double(struct lexer *lx)
{
	begin_word(lx);
	lx->i++;
	lx->quoted = 1;
	rl_buf_add(&lx->expr, "\"", 1);
	while (lx->i < lx->len) {
		char c = lx->s[lx->i];

		if (c == '"') {
			rl_buf_add(&lx->expr, "\"", 1);
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
		rl_buf_reset(&lx->expr);
		lx->in_word = 0;
	}
	end_word(lx);
	/* `<<` and `<<-`, not bash's `<<<` here-string */
	lx->heredoc = lx->s[lx->i] == '<' && lx->i + 1 < lx->len && lx->s[lx->i + 1] == '<' &&
				      !(lx->i + 2 < lx->len && lx->s[lx->i + 2] == '<')
			      ? (lx->i + 2 < lx->len && lx->s[lx->i + 2] == '-' ? 2 : 1)
			      : 0;
	lx->i++;
	while (lx->i < lx->len && strchr("<>&|-", lx->s[lx->i]))
		lx->i++;
	lx->redirect = 1;
}

/* Past the text of the here-documents whose `<<` were on the line that
 * just ended, in order: their lines, up to one that is the delimiter
 * alone (after leading tabs for `<<-`), or the end (POSIX 2.7.4, bash
 * and dash). Their text is data, never commands: a `)` or `exec` in it
 * ends or runs nothing. */
static void skip_heredocs(struct lexer *lx)
{
	for (size_t k = 0; k < lx->nhd; k++) {
		const char *d = lx->hd_word[k];
		size_t dl = strlen(d);

		while (lx->i < lx->len) {
			size_t b = lx->i, e;
			const char *nl = memchr(lx->s + b, '\n', lx->len - b);

			e = nl ? (size_t)(nl - lx->s) : lx->len;
			lx->i = nl ? e + 1 : e;
			while (lx->hd_tabs[k] && b < e && lx->s[b] == '\t')
				b++;
			if (e - b == dl && memcmp(lx->s + b, d, dl) == 0)
				break;
		}
		free(lx->hd_word[k]);
	}
	lx->nhd = 0;
}

/* A function's name as bash outside posix mode takes it: any word as
 * written (bash 5.2 defines and calls `start-daemon`, `a.b`, `c:d`, `1x`),
 * but none with a `=` (bash's `arr=()` assigns an array) and none of the
 * reserved words that are no name (`{`, `}`, `!`, `[[`, `]]`); a name sh
 * could assign is taken whatever it is. dash ("Syntax error: Bad function
 * name") and bash in posix mode ("`start-daemon': not a valid
 * identifier") stop the script at such a definition instead; it is read
 * as bash reads it there too, so what the script would run is never
 * missed. */
static int is_function_name(const struct rl_shword *w)
{
	static const char *const reserved[] = {"{", "}", "!", "[[", "]]", NULL};

	if (w->dynamic || w->quoted || !w->text[0] || strchr(w->text, '='))
		return 0;
	return is_assignment_name(w->text) || !word_in(w->text, reserved);
}

/* Whether c is `function NAME` so far: its two words, as written. */
static int function_word(const struct rl_shcmd *c)
{
	return c->n == 2 && !c->funcdef && !c->w[0].dynamic && !c->w[0].quoted &&
	       strcmp(c->w[0].text, "function") == 0 && is_function_name(&c->w[1]);
}

/* `NAME ( )` (or `function NAME ( )`): the header of a function
 * definition. */
static int take_funcdef(struct lexer *lx)
{
	size_t j = lx->i + 1;
	int function = lx->cur && function_word(lx->cur);

	size_t lead = 0;

	/* `{ NAME()`, `then NAME()`, `else`, `do`: the words that start a
	 * list, then a definition (bash 5.2, dash 0.5.12) */
	while (!function && lx->cur && lead + 1 < lx->cur->n && !lx->cur->w[lead].dynamic &&
	       !lx->cur->w[lead].quoted && word_in(lx->cur->w[lead].text, list_words))
		lead++;
	if (!function &&
	    (!lx->cur || lx->cur->n != lead + 1 || !is_function_name(&lx->cur->w[lead])))
		return 0;
	while (j < lx->len && (lx->s[j] == ' ' || lx->s[j] == '\t'))
		j++;
	if (j >= lx->len || lx->s[j] != ')')
		return 0;
	if (function)
		take_function(lx);
	if (lead) {
		/* those words a command of their own, as before a `(` */
		struct rl_shword name = lx->cur->w[lead];
		size_t line = lx->cur->line;

		lx->cur->n--;
		end_cmd_by(lx, ';');
		lx->last_op = ';';
		new_cmd(lx);
		lx->cur->line = line;
		rl_xgrow((void **)&lx->cur->w, &lx->cur->alloc, 1, sizeof(*lx->cur->w));
		lx->cur->w[0] = name;
		lx->cur->n = 1;
	}
	lx->cur->funcdef = 1;
	lx->i = j + 1;
	end_cmd_by(lx, ';');
	lx->last_op = ';';
	return 1;
}

static void take_operator(struct lexer *lx)
{
	char c = lx->s[lx->i];

	end_word(lx);
	if (lx->pattern && c == ')') {
		start_arm(lx); /* the pattern before it: not a command */
		lx->pattern = 0;
		lx->i++;
		return;
	}
	if (lx->pattern && (c == '(' || c == '|')) {
		lx->i++; /* `(pat)`, `a|b` */
		return;
	}
	if (c == '(' && take_funcdef(lx))
		return;
	lx->i++;
	if (c == ';' && lx->i < lx->len && (lx->s[lx->i] == ';' || lx->s[lx->i] == '&')) {
		char ends = lx->s[lx->i] == '&' ? '&' : ';';

		end_cmd_by(lx, ';');
		lx->i++;
		if (lx->i < lx->len && lx->s[lx->i] == '&') {
			lx->i++; /* bash's ;;& */
			ends = '&';
		}
		if (lx->case_depth > 0) {
			close_arm(lx, ends);
			lx->pattern = 1;
		}
	} else if ((c == '&' || c == '|') && lx->i < lx->len && lx->s[lx->i] == c) {
		end_cmd_by(lx, c);
		lx->i++;
	} else {
		c = c == '|' ? 'p' : c == '&' ? 'b' : c;
		end_cmd_by(lx, c);
		lx->depth += c == '(' ? 1 : c == ')' ? -1 : 0;
		lx->closed += c == ')' && lx->parens > 0;
		lx->parens += c == '(' ? 1 : c == ')' && lx->parens > 0 ? -1 : 0;
	}
	lx->last_op = c;
}

static int step(struct lexer *lx)
{
	char c = lx->s[lx->i];

	if (c == ' ' || c == '\t') {
		end_word(lx);
		lx->i++;
	} else if (c == '\n') {
		end_word(lx);
		if (lx->cur || !lx->last_op || !strchr("&|p", lx->last_op))
			lx->last_op = ';'; /* else the list goes on */
		end_cmd_by(lx, ';');
		lx->i++;
		skip_heredocs(lx);
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
	} else if (c == '~' && tilde_starts(lx)) {
		/* kept unescaped in expr: rl_shword_expand expands it */
		add_exp(lx, c);
		lx->dynamic = 1;
		lx->i++;
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
	lx.line = 1;
	lx.out = out;
	lx.err = err;
	while (lx.i < lx.len && rc == 0)
		rc = step(&lx);
	if (rc == 0)
		end_cmd(&lx);
	else if (lx.cur)
		find_program(lx.cur);
	rl_buf_release(&lx.word);
	rl_buf_release(&lx.expr);
	free(lx.case_at);
	free(lx.open_arm);
	for (size_t k = 0; k < lx.nhd; k++)
		free(lx.hd_word[k]);
	free(lx.hd_word);
	free(lx.hd_tabs);
	return rc;
}

const struct rl_shword *rl_shcmd_program(const struct rl_shcmd *cmd)
{
	return cmd->prog < cmd->n ? &cmd->w[cmd->prog] : NULL;
}

void rl_shcmds_release(struct rl_shcmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->v[i].n; j++) {
			free(c->v[i].w[j].text);
			free(c->v[i].w[j].expr);
		}
		free(c->v[i].w);
	}
	free(c->v);
	for (size_t i = 0; i < c->narms; i++) {
		for (size_t k = 0; k < c->arms[i].npat; k++)
			free(c->arms[i].pat[k]);
		free(c->arms[i].pat);
	}
	free(c->arms);
	memset(c, 0, sizeof(*c));
}

/* ---- what a reader can know of a word's value ---- */

static ptrdiff_t var_index(const struct rl_strv *sv, const char *name, size_t n)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strncmp(sv->v[i], name, n) == 0 && (sv->v[i][n] == '=' || !sv->v[i][n]))
			return (ptrdiff_t)i;
	return -1;
}

static void strv_remove(struct rl_strv *sv, size_t i)
{
	free(sv->v[i]);
	memmove(&sv->v[i], &sv->v[i + 1], (sv->n - i) * sizeof(*sv->v)); /* keeps the NULL */
	sv->n--;
}

void rl_shenv_set(struct rl_shenv *e, const char *name, const char *value)
{
	size_t n = strlen(name);
	ptrdiff_t i = var_index(&e->vars, name, n), k = var_index(&e->unknown, name, n);

	if (i >= 0)
		strv_remove(&e->vars, (size_t)i);
	if (k >= 0)
		strv_remove(&e->unknown, (size_t)k);
	if (value)
		rl_strv_push_owned(&e->vars, rl_xasprintf("%s=%s", name, value));
	else
		rl_strv_push(&e->unknown, name);
	if ((k = var_index(&e->maybe, name, n)) >= 0)
		strv_remove(&e->maybe, (size_t)k);
}

const char *rl_shenv_get(const struct rl_shenv *e, const char *name, int *unknown)
{
	size_t n = strlen(name);
	ptrdiff_t i = var_index(&e->vars, name, n);

	*unknown = i < 0 && var_index(&e->unknown, name, n) >= 0;
	return i >= 0 ? e->vars.v[i] + n + 1 : NULL;
}

void rl_shenv_export(struct rl_shenv *e, const char *name)
{
	ptrdiff_t k = var_index(&e->maybe_export, name, strlen(name));

	if (var_index(&e->exported, name, strlen(name)) < 0)
		rl_strv_push(&e->exported, name);
	if (k >= 0)
		strv_remove(&e->maybe_export, (size_t)k);
}

void rl_shenv_maybe(struct rl_shenv *e, const char *name, size_t n, int value, int export)
{
	if (value && var_index(&e->maybe, name, n) < 0)
		rl_strv_push_owned(&e->maybe, rl_xstrndup(name, n));
	if (export && var_index(&e->maybe_export, name, n) < 0)
		rl_strv_push_owned(&e->maybe_export, rl_xstrndup(name, n));
}

void rl_shenv_maybe_exported(struct rl_shenv *e)
{
	for (size_t i = 0; i < e->exported.n; i++)
		rl_shenv_maybe(e, e->exported.v[i], strlen(e->exported.v[i]), 1, 0);
}

const char *rl_shenv_passed(const struct rl_shenv *e, const char *name)
{
	size_t n = strlen(name);
	int unknown;

	if (var_index(&e->exported, name, n) < 0 || var_index(&e->maybe, name, n) >= 0 ||
	    var_index(&e->maybe_export, name, n) >= 0)
		return NULL;
	return rl_shenv_get(e, name, &unknown);
}

int rl_shenv_passed_unknown(const struct rl_shenv *e, const char *name)
{
	size_t n = strlen(name);
	int unknown;

	if (var_index(&e->exported, name, n) < 0)
		return 0; /* a maybe export is in exported too */
	if (var_index(&e->maybe, name, n) >= 0 || var_index(&e->maybe_export, name, n) >= 0)
		return 1;
	rl_shenv_get(e, name, &unknown);
	return unknown;
}

void rl_shenv_surely(struct rl_shenv *e, const struct rl_strv *before)
{
	for (size_t i = 0; i < e->maybe.n;)
		if (!rl_strv_contains(before, e->maybe.v[i]))
			strv_remove(&e->maybe, i);
		else
			i++;
}

void rl_shenv_child(const struct rl_shenv *from, struct rl_shenv *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < from->exported.n; i++) {
		const char *name = from->exported.v[i];
		int unknown;
		const char *v = rl_shenv_get(from, name, &unknown);

		if (v || unknown)
			rl_shenv_set(out, name, v);
		rl_shenv_export(out, name);
		/* the child has it, or not, as the parent maybe exported it */
		if (var_index(&from->maybe, name, strlen(name)) >= 0 ||
		    var_index(&from->maybe_export, name, strlen(name)) >= 0)
			rl_shenv_maybe(out, name, strlen(name), 1, 0);
	}
}

void rl_shenv_from_environ(struct rl_shenv *e, const struct rl_strv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		const char *eq = strchr(kv->v[i], '=');
		char *name;

		if (!eq || eq == kv->v[i])
			continue;
		name = rl_xstrndup(kv->v[i], (size_t)(eq - kv->v[i]));
		rl_shenv_set(e, name, eq + 1);
		rl_shenv_export(e, name);
		free(name);
	}
}

void rl_shenv_copy(struct rl_shenv *dst, const struct rl_shenv *src)
{
	memset(dst, 0, sizeof(*dst));
	rl_strv_copy(&dst->vars, &src->vars);
	rl_strv_copy(&dst->unknown, &src->unknown);
	rl_strv_copy(&dst->exported, &src->exported);
	rl_strv_copy(&dst->maybe, &src->maybe);
	rl_strv_copy(&dst->maybe_export, &src->maybe_export);
	dst->arg0 = src->arg0 ? rl_xstrdup(src->arg0) : NULL;
	rl_strv_copy(&dst->args, &src->args);
	dst->args_known = src->args_known;
}

void rl_shenv_set_args(struct rl_shenv *e, char *const *v, size_t n)
{
	rl_strv_release(&e->args);
	e->args_known = v != NULL;
	for (size_t i = 0; v && i < n; i++)
		if (!v[i])
			e->args_known = 0;
	for (size_t i = 0; e->args_known && i < n; i++)
		rl_strv_push(&e->args, v[i]);
	if (!e->args_known)
		rl_strv_release(&e->args);
}

void rl_shenv_release(struct rl_shenv *e)
{
	rl_strv_release(&e->vars);
	rl_strv_release(&e->unknown);
	rl_strv_release(&e->exported);
	rl_strv_release(&e->maybe);
	rl_strv_release(&e->maybe_export);
	free(e->arg0);
	e->arg0 = NULL;
	rl_strv_release(&e->args);
	e->args_known = 0;
}

/* The default word of ${NAME:-word}: literal text, quotes removed. */
static char *literal_default(const char *s, size_t n)
{
	struct rl_buf b = {0};
	char q = 0;

	if (n && s[0] == '~')
		return NULL; /* a tilde prefix */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '$' || c == '`' || (c == '\\' && q != '\'')) {
			rl_buf_release(&b);
			return NULL;
		}
		if (!q && (c == '\'' || c == '"'))
			q = c;
		else if (q && c == q)
			q = 0;
		else
			rl_buf_add(&b, &c, 1);
	}
	if (q) {
		rl_buf_release(&b);
		return NULL;
	}
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

/* Positional parameter number n (from 1): its value, NULL when unset
 * (*unknown = 0) or not known (*unknown = 1). */
static const char *positional(const struct rl_shenv *env, size_t n, int *unknown)
{
	*unknown = !env->args_known;
	return env->args_known && n >= 1 && n <= env->args.n ? env->args.v[n - 1] : NULL;
}

/* `$@`, `$*` (star), quoted or not: the one value it is certain to be,
 * malloc'd, else NULL. "$*" joins the parameters with the first
 * character of IFS: a space when IFS is not set. */
static char *all_params(const struct rl_shenv *env, int star, int quoted)
{
	struct rl_buf b = {0};
	int unknown;

	if (!env->args_known)
		return NULL;
	if (env->args.n == 1)
		return rl_xstrdup(env->args.v[0]);
	if (!star || !quoted || rl_shenv_get(env, "IFS", &unknown) || unknown)
		return NULL;
	for (size_t i = 0; i < env->args.n; i++)
		rl_buf_addf(&b, "%s%s", i ? " " : "", env->args.v[i]);
	return b.data ? rl_buf_detach(&b) : rl_xstrdup("");
}

/* ${…} or $NAME at *p (past the $): the value (malloc'd) or NULL; *pos
 * set when it is a positional parameter's ($1, $@, …; not $0). */
static char *expand_param(const char **p, struct rl_shenv *env, int quoted, int *pos)
{
	const char *s = *p, *name, *op = NULL, *end;
	size_t nlen;
	char *n, *val = NULL, *def = NULL;
	const char *cur;
	int braced = *s == '{', unknown, colon = 0, digits = 0;

	*pos = 0;
	if (braced)
		s++;
	name = s;
	if (*s == '0' && (!braced || s[1] == '}')) {
		/* $0: one digit, unbraced ($01 is $0 then 1) */
		if (!env->arg0)
			return NULL;
		*p = s + 1 + braced;
		return rl_xstrdup(env->arg0);
	}
	if ((*s == '@' || *s == '*' || *s == '#') && (!braced || s[1] == '}')) {
		/* $@, $*, $#: ${#NAME} (a length) is not read */
		*pos = 1;
		*p = s + 1 + braced;
		if (*s == '#')
			return env->args_known ? rl_xasprintf("%zu", env->args.n) : NULL;
		return all_params(env, *s == '*', quoted);
	}
	if (*s >= '1' && *s <= '9') {
		/* $1…$9: one digit unbraced ($10 is $1 then 0); ${10} */
		digits = 1;
		s++;
		while (braced && *s >= '0' && *s <= '9')
			s++;
	} else if (!is_name_start(*s)) {
		return NULL; /* $$, $?, $!, ${#X}… */
	} else {
		while (is_name_char(*s))
			s++;
	}
	nlen = (size_t)(s - name);
	end = s;
	if (braced) {
		int depth = 1;

		op = s;
		while (*end && depth) {
			if (*end == '{')
				depth++;
			else if (*end == '}')
				depth--;
			if (depth)
				end++;
		}
		if (!*end)
			return NULL;
		if (*op == ':') {
			colon = 1;
			op++;
		}
		if (op < end && *op != '-' && (*op != '=' || digits))
			return NULL; /* ${X+…}, ${X#…}, ${X?…}, ${1=…}… */
		if (op < end) {
			def = literal_default(op + 1, (size_t)(end - op - 1));
			if (!def)
				return NULL;
		} else if (colon) {
			return NULL;
		}
		end++;
	}
	n = rl_xstrndup(name, nlen);
	if (digits) {
		*pos = 1;
		cur = positional(env, strtoul(n, NULL, 10), &unknown);
	} else {
		cur = rl_shenv_get(env, n, &unknown);
	}
	if (!unknown && (!cur || (colon && !*cur)) && def) {
		val = rl_xstrdup(def);
		if (*op == '=') {
			rl_shenv_set(env, n, def);
			/* whether the word's command ran is not known here */
			rl_shenv_maybe(env, n, strlen(n), 1, 0);
		}
	} else if (cur) {
		val = rl_xstrdup(cur);
	}
	free(n);
	free(def);
	*p = end;
	return val;
}

/* `uname` or `uname -s` (or /usr/bin/uname), all of a command
 * substitution from *p (past its `$(` or backquote) to close: 1 and *p
 * past close, else 0. */
static int is_uname(const char **p, char close)
{
	const char *s = *p;

	s += strspn(s, " \t");
	if (strncmp(s, "/usr/bin/", 9) == 0)
		s += 9;
	if (strncmp(s, "uname", 5) != 0)
		return 0;
	s += 5;
	if (*s == ' ' || *s == '\t') {
		s += strspn(s, " \t");
		if (s[0] == '-' && s[1] == 's')
			s += 2;
		s += strspn(s, " \t");
	}
	if (*s != close)
		return 0;
	*p = s + 1;
	return 1;
}

static int splits(const char *v)
{
	return strpbrk(v, " \t\n*?[") != NULL;
}

/* What dirname(1) prints for v (malloc'd): v without its last component
 * and the slashes around it; "." when it has no slash, "/" for the root. */
static char *dirname_text(const char *v)
{
	size_t n = strlen(v);

	while (n > 1 && v[n - 1] == '/')
		n--;
	while (n > 0 && v[n - 1] != '/')
		n--;
	if (n == 0)
		return rl_xstrdup(".");
	while (n > 1 && v[n - 1] == '/')
		n--;
	return rl_xstrndup(v, n);
}

/* `dirname WORD` (or /usr/bin/dirname), all of a command substitution
 * from *p (past its `$(` or backquote) to close: 1 with *out (malloc'd)
 * what it prints and *p past close when WORD's value is certain
 * (rl_shword_expand; a WORD with a single quote, a backslash or a
 * backquote is not read), else 0. */
static int dirname_of(const char **p, char close, struct rl_shenv *env, char **out)
{
	const char *s = *p, *start;
	struct rl_shword w = {0};
	char q = 0, *v;
	int depth = 0, ok;

	s += strspn(s, " \t");
	if (strncmp(s, "/usr/bin/", 9) == 0)
		s += 9;
	if (strncmp(s, "dirname", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
		return 0;
	s += 7;
	s += strspn(s, " \t");
	for (start = s; *s; s++) {
		if (!q && !depth && (*s == ' ' || *s == '\t' || *s == close))
			break;
		if (*s == '\'' || *s == '\\' || *s == '`')
			return 0;
		if (*s == '"')
			q = !q;
		else if (*s == '$' && s[1] == '(')
			depth++, s++;
		else if (*s == ')' && depth)
			depth--;
	}
	if (s == start || *start == '-')
		return 0; /* no operand, or an option */
	w.expr = rl_xstrndup(start, (size_t)(s - start));
	w.dynamic = 1;
	s += strspn(s, " \t");
	ok = *s == close && rl_shword_expand(&w, env, 0, &v) == 0;
	free(w.expr);
	if (!ok)
		return 0;
	*out = dirname_text(v);
	free(v);
	*p = s + 1;
	return 1;
}

int rl_shword_expand(const struct rl_shword *w, struct rl_shenv *env, int assignment, char **out)
{
	struct rl_buf b = {0};
	const char *p;
	int quoted = 0;

	*out = NULL;
	if (!w->dynamic) {
		*out = rl_xstrdup(w->text);
		return 0;
	}
	for (p = w->expr; p && *p;) {
		char c = *p++;

		if (c == '\\' && *p) {
			rl_buf_add(&b, p++, 1);
		} else if (c == '"') {
			quoted = !quoted;
		} else if ((c == '$' && *p == '(') || c == '`') {
			const char *q = p + (c == '$');
			char close = c == '$' ? ')' : '`', *v = NULL;

			if (is_uname(&q, close)) {
				rl_buf_adds(&b, "Darwin"); /* uname(1) on macOS */
			} else if (dirname_of(&q, close, env, &v) &&
				   (quoted || assignment || !splits(v))) {
				rl_buf_adds(&b, v);
			} else {
				free(v);
				rl_buf_release(&b);
				return -1; /* what a command prints */
			}
			free(v);
			p = q;
		} else if (c == '$') {
			int pos;
			char *v = expand_param(&p, env, quoted, &pos);

			/* unquoted, an empty parameter may leave no field */
			if (!v || (!quoted && !assignment && (splits(v) || (pos && !*v)))) {
				free(v);
				rl_buf_release(&b);
				return -1;
			}
			rl_buf_adds(&b, v);
			free(v);
		} else if (c == '~') {
			/* a tilde prefix (literal ones are escaped): `~` alone
			 * or before a '/' is HOME; `~user`, `~+`… are not known */
			int unknown;
			const char *home = rl_shenv_get(env, "HOME", &unknown);

			if ((*p && *p != '/' && !(assignment && *p == ':')) || !home || !*home) {
				rl_buf_release(&b);
				return -1;
			}
			rl_buf_adds(&b, home);
		} else {
			rl_buf_add(&b, &c, 1);
		}
	}
	*out = b.data ? rl_buf_detach(&b) : rl_xstrdup("");
	return 0;
}

/* Whether expr, a whole word, is `$@`, `${@}` (at: 1), `$*`, `${*}` (2),
 * quoted (*quoted) or not; else 0. */
static int whole_params(const char *expr, int *quoted)
{
	static const char *const forms[] = {"$@", "${@}", "$*", "${*}"};

	*quoted = 0;
	for (int k = 0; k < 4; k++) {
		size_t n = strlen(forms[k]);

		if (strcmp(expr, forms[k]) == 0 ||
		    (expr[0] == '"' && strncmp(expr + 1, forms[k], n) == 0 && expr[n + 1] == '"' &&
		     !expr[n + 2])) {
			*quoted = expr[0] == '"';
			return k < 2 ? 1 : 2;
		}
	}
	return 0;
}

int rl_shword_fields(const struct rl_shword *w, struct rl_shenv *env, struct rl_strv *out)
{
	char *v;
	int quoted, which = w->dynamic && w->expr ? whole_params(w->expr, &quoted) : 0;

	if (which && !(which == 2 && quoted)) {
		if (!env->args_known)
			return -1;
		for (size_t i = 0; !quoted && i < env->args.n; i++)
			if (!*env->args.v[i] || splits(env->args.v[i]))
				return -1;
		for (size_t i = 0; i < env->args.n; i++)
			rl_strv_push(out, env->args.v[i]);
		return 0;
	}
	if (rl_shword_expand(w, env, 0, &v) < 0)
		return -1;
	rl_strv_push_owned(out, v);
	return 0;
}

#include "core/base/pathwalk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* Cut b back to its first n bytes. */
static void buf_cut(struct rl_buf *b, size_t n)
{
	if (b->data) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* `..`: cur holds no symlink, so its parent is its text's; the parent of
 * the root is the root. */
static void go_up(struct rl_buf *cur, const char *root)
{
	char *slash = cur->len ? strrchr(cur->data, '/') : NULL;

	if (root && strcmp(cur->data, root) == 0)
		slash = NULL;
	if (slash)
		buf_cut(cur, (size_t)(slash - cur->data));
}

/* The symlink at link (cur its directory now) with after left to walk:
 * the new text to walk, or NULL with res->end set. */
static char *follow(const struct rl_walk_ops *ops, const char *link, const char *after,
		    struct rl_buf *cur, struct rl_walk_result *res)
{
	char *target, *next;
	size_t n;

	if (++res->hops > RL_WALK_MAX_HOPS) {
		res->end = RL_WALK_LOOP;
		return NULL;
	}
	target = ops->readlink(ops->arg, link);
	if (!target || !target[0]) {
		res->end = target ? RL_WALK_EMPTY : RL_WALK_UNREADABLE;
		res->err = target ? 0 : errno;
		free(target);
		return NULL;
	}
	if (ops->link)
		ops->link(ops->arg, link, target);
	if (target[0] == '/') {
		rl_buf_reset(cur);
		if (ops->root)
			rl_buf_adds(cur, ops->root);
	}
	n = strlen(target);
	if (ops->max_text && n + strlen(after) > ops->max_text) {
		res->end = RL_WALK_TOO_LONG;
		free(target);
		return NULL;
	}
	next = rl_xconcat(target, *after ? "/" : "", after);
	free(target);
	return next;
}

void rl_walk_path(const char *path, const struct rl_walk_ops *ops, struct rl_walk_result *res)
{
	struct rl_buf cur = {0};
	char *rest = rl_xstrdup(path), *link, *next;
	size_t pos = 0;

	memset(res, 0, sizeof(*res));
	if (ops->root)
		rl_buf_adds(&cur, ops->root);
	for (;;) {
		const char *comp, *after;
		enum rl_walk_kind kind;
		size_t clen, old;

		while (rest[pos] == '/')
			pos++;
		if (!rest[pos]) {
			res->end = RL_WALK_DONE;
			res->path = cur.len ? rl_buf_detach(&cur) : rl_xstrdup("/");
			break;
		}
		comp = rest + pos;
		clen = strcspn(comp, "/");
		after = comp + clen;
		if (clen == 1 && comp[0] == '.') {
			pos += clen;
			continue;
		}
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			go_up(&cur, ops->root);
			pos += clen;
			continue;
		}
		/* cur becomes the candidate: it stays when a directory, and
		 * goes back to its parent for a symlink to be followed from. */
		old = cur.len;
		rl_buf_add(&cur, "/", 1);
		rl_buf_add(&cur, comp, clen);
		while (*after == '/')
			after++;
		kind = ops->kind(ops->arg, cur.data);
		if (kind == RL_WALK_ABSENT || (*after && kind == RL_WALK_FILE)) {
			res->end = RL_WALK_MISSING;
			res->path = *after ? rl_xasprintf("%s/%s", cur.data, after)
					   : rl_buf_detach(&cur);
			break;
		}
		if (kind != RL_WALK_LINK) {
			pos = (size_t)(after - rest);
			continue;
		}
		link = rl_xstrdup(cur.data);
		buf_cut(&cur, old);
		next = follow(ops, link, after, &cur, res);
		if (!next) {
			res->path = link;
			break;
		}
		free(link);
		free(rest);
		rest = next;
		pos = 0;
	}
	free(rest);
	rl_buf_release(&cur);
}

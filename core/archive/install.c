#include "core/archive/install.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/discover/job.h"

#define MACPORTS_DEFAULT_PREFIX "/opt/local"
#define MACPORTS_IMAGES		"/var/macports/software/"

/* What the package writes at a tracked path. */
struct mark {
	enum rl_ftype type; /* RL_FT_MISSING: nothing */
	char *link;
	int hashed; /* MacPorts files: sha256 of the bytes to be installed */
	char sha256[65];
	char def_sha256[65]; /* of a plist's: their definition, "" unknown */
	size_t succ;	     /* bottles: 1 + its place in the new keg (judge succ), or 0 */
	int succeeded;	     /* the bottle writes a file at that place */
};

/* The place in the new keg of a tracked file of an old keg (bottles). */
struct successor {
	char *path; /* P/Cellar/<name>/<version>/R */
	size_t m, i;
};

struct judge {
	const struct rl_manifest *const *ms;
	size_t nms;
	struct mark **marks; /* per manifest, per entry */
	struct rl_strv prefixes;
	const struct rl_package *pkg; /* name and version set once read */
	struct rl_buf mapped;
	struct successor *succ; /* sorted by path; built at the first entry */
	size_t nsucc;
	int succ_built;
};

/* The prefix an image lies in: P/var/macports/software/<port>/<file>. */
static char *image_prefix(const char *path)
{
	char *abs = realpath(path, NULL);
	char *hit = abs ? strstr(abs, MACPORTS_IMAGES) : NULL;
	char *prefix = NULL;

	if (hit && hit > abs) {
		*hit = '\0';
		prefix = rl_xstrdup(abs);
	}
	free(abs);
	return prefix;
}

static void add_prefix(struct rl_strv *sv, const char *path, size_t len)
{
	char *p = rl_xstrndup(path, len);

	if (len && !rl_strv_contains(sv, p))
		rl_strv_push(sv, p);
	free(p);
}

/* Every P with a tracked P/Cellar/<name>/… or P/opt/<name>, the symlinks'
 * recorded targets included. */
static void bottle_prefixes(struct judge *j, const char *name)
{
	char *cellar = rl_xasprintf("/Cellar/%s/", name);
	char *opt = rl_xasprintf("/opt/%s", name);
	size_t ol = strlen(opt);

	for (size_t m = 0; m < j->nms; m++)
		for (size_t i = 0; i < j->ms[m]->n; i++) {
			const struct rl_entry *e = &j->ms[m]->entries[i];
			const char *texts[] = {e->path, e->fi.resolved};

			for (size_t t = 0; t < 2; t++) {
				const char *s = texts[t], *hit;
				char *slashed;

				if (!s)
					continue;
				if ((hit = strstr(s, cellar)))
					add_prefix(&j->prefixes, s, (size_t)(hit - s));
				slashed = rl_xasprintf("%s/", s);
				if ((hit = strstr(slashed, cellar)))
					add_prefix(&j->prefixes, s, (size_t)(hit - slashed));
				free(slashed);
				if (strlen(s) > ol && strcmp(s + strlen(s) - ol, opt) == 0)
					add_prefix(&j->prefixes, s, strlen(s) - ol);
			}
		}
	free(cellar);
	free(opt);
}

static int used_as_plist(const struct rl_entry *e)
{
	for (size_t u = 0; u < e->nuses; u++)
		if (e->uses[u].role == RL_ROLE_PLIST)
			return 1;
	return 0;
}

static int mark_path(struct judge *j, const char *path, const struct rl_package_entry *e,
		     struct rl_error *err)
{
	int hashed = 0, kept = 0;
	char sha[65], def[65] = "";
	struct rl_buf bytes = {0};

	for (size_t m = 0; m < j->nms; m++) {
		const struct rl_entry *hit = rl_manifest_find(j->ms[m], path);
		struct mark *mk;

		if (!hit)
			continue;
		mk = &j->marks[m][hit - j->ms[m]->entries];
		free(mk->link);
		mk->type = e->type;
		mk->link = e->link ? rl_xstrdup(e->link) : NULL;
		/* An image's files are installed byte for byte: identical bytes
		 * are "replaced", as the diff after activation will say. */
		if (j->pkg->kind == RL_PACKAGE_MACPORTS && e->type == RL_FT_FILE &&
		    hit->fi.type == RL_FT_FILE && hit->fi.hashed) {
			/* A plist's bytes are read too: what its definition is. */
			if (!hashed &&
			    rl_package_entry_sha256_keep(e, sha, used_as_plist(hit) ? &bytes : NULL,
							 RL_PACKAGE_META_MAX, &kept, err) < 0) {
				rl_buf_release(&bytes);
				return -1;
			}
			if (!hashed && kept &&
			    rl_job_definition_digest(bytes.data, bytes.len, def) < 0)
				def[0] = '\0';
			hashed = 1;
			mk->hashed = 1;
			memcpy(mk->sha256, sha, sizeof(sha));
			memcpy(mk->def_sha256, def, sizeof(def));
		}
	}
	rl_buf_release(&bytes);
	return 0;
}

static const char *keg_version(const char *path, const char *cellar, size_t *len);

static int cmp_successor(const void *a, const void *b)
{
	return strcmp(((const struct successor *)a)->path, ((const struct successor *)b)->path);
}

static int cmp_path_successor(const void *path, const void *b)
{
	return strcmp(path, ((const struct successor *)b)->path);
}

/* For each tracked file of an old keg of the bottle's formula, under each
 * prefix, its place in the new keg (pkg's name and version are set). */
static void build_successors(struct judge *j, const struct rl_package *pkg)
{
	size_t alloc = 0;

	j->succ_built = 1;
	for (size_t p = 0; p < j->prefixes.n; p++) {
		char *cellar = rl_xasprintf("%s/Cellar/%s", j->prefixes.v[p], pkg->name);

		for (size_t m = 0; m < j->nms; m++)
			for (size_t i = 0; i < j->ms[m]->n; i++) {
				const struct rl_entry *e = &j->ms[m]->entries[i];
				const char *v;
				size_t vl;

				if (e->fi.type != RL_FT_FILE ||
				    !(v = keg_version(e->path, cellar, &vl)) || v[vl] != '/' ||
				    (vl == strlen(pkg->version) && !strncmp(v, pkg->version, vl)))
					continue;
				rl_xgrow((void **)&j->succ, &alloc, j->nsucc + 1, sizeof(*j->succ));
				j->succ[j->nsucc++] = (struct successor){
					rl_xasprintf("%s/%s%s", cellar, pkg->version, v + vl), m,
					i};
			}
		free(cellar);
	}
	if (j->nsucc)
		qsort(j->succ, j->nsucc, sizeof(*j->succ), cmp_successor);
	for (size_t k = 0; k < j->nsucc; k++)
		j->marks[j->succ[k].m][j->succ[k].i].succ = k + 1;
}

/* The old keg's files whose place in the new keg is path: written anew. */
static void mark_successors(struct judge *j, const char *path)
{
	struct successor *hit =
		j->nsucc ? bsearch(path, j->succ, j->nsucc, sizeof(*j->succ), cmp_path_successor)
			 : NULL;

	if (!hit)
		return;
	while (hit > j->succ && !strcmp(hit[-1].path, path))
		hit--;
	for (; hit < j->succ + j->nsucc && !strcmp(hit->path, path); hit++)
		j->marks[hit->m][hit->i].succeeded = 1;
}

static int visit(const struct rl_package *pkg, const struct rl_package_entry *e, void *ctx,
		 struct rl_error *err)
{
	struct judge *j = ctx;

	if (pkg->kind == RL_PACKAGE_BOTTLE) {
		if (!j->succ_built)
			build_successors(j, pkg);
		for (size_t i = 0; i < j->prefixes.n; i++) {
			rl_buf_reset(&j->mapped);
			rl_buf_addf(&j->mapped, "%s/Cellar/%s", j->prefixes.v[i], e->path);
			if (e->type != RL_FT_DIR)
				mark_successors(j, j->mapped.data);
			if (mark_path(j, j->mapped.data, e, err) < 0)
				return -1;
		}
		return 0;
	}
	/* An image is relative to /; one made for the default prefix lands in
	 * the prefix it is activated in. */
	rl_buf_reset(&j->mapped);
	if (strncmp(e->path, "opt/local/", 10) == 0 &&
	    !rl_path_is_under(e->path, j->prefixes.v[0] + 1))
		rl_buf_addf(&j->mapped, "%s/%s", j->prefixes.v[0], e->path + 10);
	else
		rl_buf_addf(&j->mapped, "/%s", e->path);
	return mark_path(j, j->mapped.data, e, err);
}

/* What the package writes at e: content, retargeted, added, or nothing. */
static int written(const struct rl_entry *e, const struct mark *mk, enum rl_change_kind *kind)
{
	if (mk->type == RL_FT_MISSING || mk->type == RL_FT_DIR)
		return 0;
	if (e->fi.type == RL_FT_MISSING)
		*kind = RL_CHANGE_ADDED;
	else if (mk->type == RL_FT_SYMLINK && e->fi.type == RL_FT_SYMLINK)
		*kind = RL_CHANGE_RETARGETED;
	else if (mk->hashed && e->fi.type == RL_FT_FILE && e->fi.hashed &&
		 strcmp(mk->sha256, e->fi.sha256) == 0)
		*kind = RL_CHANGE_REPLACED;
	else
		*kind = RL_CHANGE_CONTENT;
	return *kind != RL_CHANGE_RETARGETED || strcmp(e->fi.link ? e->fi.link : "", mk->link) != 0;
}

/* The version directory of path when it lies under cellar/ (…/Cellar/<name>),
 * as a pointer into path and a length; NULL otherwise. */
static const char *keg_version(const char *path, const char *cellar, size_t *len)
{
	const char *v, *end;

	if (!path || !rl_path_is_under(path, cellar) || strlen(path) == strlen(cellar))
		return NULL;
	v = path + strlen(cellar) + 1;
	end = strchr(v, '/');
	*len = end ? (size_t)(end - v) : strlen(v);
	return v;
}

/* Whether path is a link brew retargets into the new keg: one `brew link`
 * makes under P (P/bin/x, P/lib/…), or P/var/homebrew/linked/<name>. A
 * link anywhere else (a user's own) keeps pointing at the old keg. */
static int brew_linked(const char *prefix, const char *path)
{
	static const char *const dirs[] = {"bin", "sbin",  "etc",	 "include",
					   "lib", "share", "Frameworks", "var/homebrew/linked",
					   NULL};
	int hit = 0;

	for (size_t i = 0; dirs[i] && !hit; i++) {
		char *dir = rl_xasprintf("%s/%s", prefix, dirs[i]);

		hit = rl_path_is_under(path, dir) && strlen(path) > strlen(dir);
		free(dir);
	}
	return hit;
}

static int bottle_judge(const struct judge *j, const char *prefix, const struct rl_entry *e,
			const struct mark *mk, enum rl_change_kind *kind)
{
	const char *name = j->pkg->name, *version = j->pkg->version;
	char *cellar = rl_xasprintf("%s/Cellar/%s", prefix, name);
	char *opt = rl_xasprintf("%s/opt/%s", prefix, name);
	char *want = rl_xasprintf("../Cellar/%s/%s", name, version);
	const char *v;
	size_t vl;
	int hit = 0;

	if (strcmp(e->path, opt) == 0) {
		*kind = e->fi.type == RL_FT_MISSING   ? RL_CHANGE_ADDED
			: e->fi.type != RL_FT_SYMLINK ? RL_CHANGE_CONTENT
						      : RL_CHANGE_RETARGETED;
		hit = *kind != RL_CHANGE_RETARGETED ||
		      strcmp(e->fi.link ? e->fi.link : "", want) != 0;
	} else if ((v = keg_version(e->path, cellar, &vl))) {
		int same = vl == strlen(version) && strncmp(v, version, vl) == 0;

		if (same && written(e, mk, kind))
			hit = 1;
		else if (e->fi.type != RL_FT_MISSING &&
			 (!same || (mk->type == RL_FT_MISSING && v[vl] == '/'))) {
			*kind = RL_CHANGE_REMOVED;
			hit = 1;
		}
	} else if (e->fi.type == RL_FT_SYMLINK && brew_linked(prefix, e->path) &&
		   (v = keg_version(e->fi.resolved, cellar, &vl)) &&
		   !(vl == strlen(version) && strncmp(v, version, vl) == 0)) {
		*kind = RL_CHANGE_RETARGETED; /* brew link's P/bin/x into the old keg */
		hit = 1;
	}
	free(cellar);
	free(opt);
	free(want);
	return hit;
}

static void push_effect(struct rl_effects *out, size_t m, const struct rl_entry *e,
			enum rl_change_kind kind)
{
	rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	out->v[out->n].manifest = m;
	out->v[out->n].entry = e;
	out->v[out->n].kind = kind;
	out->v[out->n].vanishes = NULL;
	out->v[out->n].def_sha256[0] = '\0';
	out->n++;
}

static void judge_all(const struct judge *j, struct rl_effects *out)
{
	for (size_t m = 0; m < j->nms; m++)
		for (size_t i = 0; i < j->ms[m]->n; i++) {
			const struct rl_entry *e = &j->ms[m]->entries[i];
			const struct mark *mk = &j->marks[m][i];
			enum rl_change_kind kind;
			int hit = 0;

			if (j->pkg->kind == RL_PACKAGE_MACPORTS)
				hit = written(e, mk, &kind);
			for (size_t p = 0;
			     !hit && j->pkg->kind == RL_PACKAGE_BOTTLE && p < j->prefixes.n; p++)
				hit = bottle_judge(j, j->prefixes.v[p], e, mk, &kind);
			if (hit)
				push_effect(out, m, e, kind);
			if (hit && kind == RL_CHANGE_CONTENT)
				memcpy(out->v[out->n - 1].def_sha256, mk->def_sha256,
				       sizeof(mk->def_sha256));
			/* A removed file of an old keg the new keg leaves no file
			 * in place of: where it will be missing. */
			if (hit && kind == RL_CHANGE_REMOVED && mk->succ && !mk->succeeded)
				out->v[out->n - 1].vanishes =
					rl_xstrdup(j->succ[mk->succ - 1].path);
		}
}

int rl_install_effects(const char *path, const char *prefix, const struct rl_manifest *const *ms,
		       size_t nms, struct rl_effects *out, struct rl_package *pkg,
		       struct rl_error *err)
{
	struct judge j = {0};
	char *name = NULL, *version = NULL;
	int rc;

	j.ms = ms;
	j.nms = nms;
	j.pkg = pkg;
	j.marks = rl_xcalloc(nms, sizeof(*j.marks));
	for (size_t m = 0; m < nms; m++)
		j.marks[m] = rl_xcalloc(ms[m]->n ? ms[m]->n : 1, sizeof(**j.marks));
	if (prefix) {
		rl_strv_push(&j.prefixes, prefix);
	} else if (rl_package_bottle_name(path, &name, &version)) {
		bottle_prefixes(&j, name);
	} else {
		char *p = image_prefix(path);

		rl_strv_push(&j.prefixes, p ? p : MACPORTS_DEFAULT_PREFIX);
		free(p);
	}
	rc = rl_package_read(path, visit, &j, pkg, err);
	if (rc == 0)
		judge_all(&j, out);
	for (size_t m = 0; m < nms; m++) {
		for (size_t i = 0; i < ms[m]->n; i++)
			free(j.marks[m][i].link);
		free(j.marks[m]);
	}
	free(j.marks);
	for (size_t k = 0; k < j.nsucc; k++)
		free(j.succ[k].path);
	free(j.succ);
	rl_strv_release(&j.prefixes);
	rl_buf_release(&j.mapped);
	free(name);
	free(version);
	return rc;
}

void rl_effects_release(struct rl_effects *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		free(fx->v[i].vanishes);
	free(fx->v);
	memset(fx, 0, sizeof(*fx));
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct rl_change *)a)->path, ((const struct rl_change *)b)->path);
}

void rl_effects_to_diff(const struct rl_effects *fx, size_t manifest, struct rl_diff *out)
{
	for (size_t i = 0; i < fx->n; i++) {
		const struct rl_effect *f = &fx->v[i];
		struct rl_change *c;
		int dup = 0;

		if (f->manifest != manifest)
			continue;
		for (size_t k = 0; k < out->n && !dup; k++)
			dup = out->v[k].entry == f->entry;
		if (dup)
			continue;
		rl_xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
		c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->kind = f->kind;
		c->path = rl_xstrdup(f->entry->path);
		c->entry = f->entry;
		if (f->kind != RL_CHANGE_REMOVED)
			rl_fileinfo_copy(&c->now, &f->entry->fi);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_change);
}

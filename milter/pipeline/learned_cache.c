/*
 * learned_cache.c - learned labels per sender domain, in memory.  See
 * learned_cache.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_learn.h"
#include "learned_cache.h"
#include "logging.h"

int learned_cache_init(struct learned_cache *c)
{
	memset(c, 0, sizeof *c);
	c->e = calloc(LEARNED_CACHE_DOMAINS, sizeof *c->e);
	if (c->e == NULL)
		return -1;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void learned_cache_destroy(struct learned_cache *c)
{
	if (c->e == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		learned_labels_free(&c->e[i].labels);
	case_store_close(c->rd);
	c->rd = NULL;
	free(c->e);
	c->e = NULL;
	pthread_mutex_destroy(&c->lock);
}

struct read_args {
	const char *domain;
	struct learned_labels *out;
};

static long long read_fn(struct case_store *cs, void *arg)
{
	struct read_args *a = arg;

	return case_store_learned_for(cs, a->domain, a->out);
}

/* The domain's entry, fresh: 0, or -1 (not read; *e NULL). */
static int fresh_entry(struct learned_cache *c, struct writer *w, const char *domain,
                       time_t now, struct learned_cache_entry **out)
{
	unsigned long gen = __atomic_load_n(&case_store_learned_generation, __ATOMIC_RELAXED);
	struct learned_cache_entry *e = NULL;
	struct read_args a;

	for (size_t i = 0; i < c->n && e == NULL; i++)
		if (strcmp(c->e[i].domain, domain) == 0)
			e = &c->e[i];
	if (e && e->generation == gen && now - e->read_at < LEARNED_CACHE_TTL && now >= e->read_at) {
		*out = e;
		return 0;
	}
	if (e == NULL) {
		/* a new domain: a free slot, else the oldest filled */
		e = &c->e[c->n < LEARNED_CACHE_DOMAINS ? c->n++ : c->next++ % LEARNED_CACHE_DOMAINS];
		learned_labels_free(&e->labels);
		snprintf(e->domain, sizeof e->domain, "%s", domain);
	}
	learned_labels_free(&e->labels);
	learned_labels_init(&e->labels);
	e->read_at = 0;     /* not fresh until read */
	a.domain = domain;
	a.out = &e->labels;
	/* A connection of the cache's own, reading without a transaction of
	 * the writer's: in WAL mode a reader neither waits for nor delays
	 * the writer (a database locked by another process must cost a
	 * message one busy wait, its commit's, not two). */
	if (c->rd == NULL) {
		char err[512];

		if ((c->rd = case_store_open(w->database, err, sizeof err)) == NULL)
			log_msg(LOG_WARNING, "learned labels: %s", err);
	}
	if (c->rd == NULL || read_fn(c->rd, &a) < 0) {
		if (c->rd) {
			log_msg(LOG_WARNING, "learned labels: %s", case_store_errmsg(c->rd));
			case_store_close(c->rd);   /* a fresh connection next time */
			c->rd = NULL;
		}
		learned_labels_free(&e->labels);
		*out = NULL;
		return -1;
	}
	e->read_at = now;
	e->generation = gen;
	*out = e;
	return 0;
}

int learned_cache_get(struct learned_cache *c, struct writer *w, const char *domain,
                      time_t now, struct learned_labels *out)
{
	struct learned_cache_entry *e;
	int rc = 0;

	if (c->e == NULL || domain == NULL || domain[0] == '\0' || strlen(domain) >= 256)
		return 0;
	pthread_mutex_lock(&c->lock);
	if (fresh_entry(c, w, domain, now, &e) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && e && i < e->labels.n; i++)
		if (learned_labels_add(out, e->labels.v[i].label, e->labels.v[i].field) != 0)
			rc = -1;
	pthread_mutex_unlock(&c->lock);
	if (rc != 0)
		learned_labels_free(out);
	return rc;
}

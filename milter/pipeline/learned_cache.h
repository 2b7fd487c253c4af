/*
 * learned_cache.h - private to the pipeline stage: the labels officers
 * taught (SPEC 5.7), per sender domain, kept in memory between messages.
 *
 * NAME
 *	learned_cache - read the learned labels of a domain without a
 *	database transaction per message
 *
 * Owns: up to LEARNED_CACHE_DOMAINS domains' maps and when each was read,
 * and a reading connection of its own.  Reading them per message through
 * the writer's connection (a transaction under its lock) made every
 * message wait behind the group commit: most of CME mail's time at end
 * of message.
 * A domain's map is read again when LEARNED_CACHE_TTL seconds have
 * passed (a label taught by `cmectl edit` in another process applies
 * within that), or at once after this process learned a label
 * (case_store_learned_generation).
 *
 * Return conventions: learned_cache_get fills *out (a copy the caller
 * frees) and returns 0, or -1 when the database could not be read (out
 * is then empty: the message is read with the vocabulary alone).
 *
 * Concurrency: any thread; one mutex, held while a domain is looked up
 * or copied (microseconds), and while a stale domain is read again.
 */
#ifndef CME_LEARNED_CACHE_H
#define CME_LEARNED_CACHE_H

#include <pthread.h>
#include <time.h>

#include "commit.h"
#include "learned.h"

#define LEARNED_CACHE_DOMAINS 256
#define LEARNED_CACHE_TTL     10

struct learned_cache_entry {
	char domain[256];
	time_t read_at;
	unsigned long generation;
	struct learned_labels labels;
};

struct learned_cache {
	pthread_mutex_t lock;
	struct case_store *rd;           /* the cache's reading connection */
	struct learned_cache_entry *e;   /* LEARNED_CACHE_DOMAINS, or NULL */
	size_t n, next;                  /* used; the next to reuse when full */
};

int  learned_cache_init(struct learned_cache *c);
void learned_cache_destroy(struct learned_cache *c);
int  learned_cache_get(struct learned_cache *c, struct writer *w, const char *domain,
                       time_t now, struct learned_labels *out);

#endif

/*
 * pipeline_int.h - the pipeline's state, private to the pipeline stage
 * (pipeline.c: messages; pipeline_tasks.c: officer actions and the
 * daily work).  See pipeline.h for the public contract.
 *
 * Concurrency: as pipeline.h says.  The writer is shared by every
 * thread and serialised by commit.h; the sender's thread is sender.h's.
 */
#ifndef CME_PIPELINE_INT_H
#define CME_PIPELINE_INT_H

#include "commit.h"
#include "learned_cache.h"
#include "officer_map.h"
#include "outbox.h"
#include "policy.h"
#include "sender.h"

struct pipeline {
	const struct cme_conf *conf;
	struct policy *policy;
	struct officer_map *officers;    /* OfficerMap, or NULL */
	char host[128];                  /* right-hand side of event UIDs */
	struct emit_env env;             /* conf, policy and host, for emit */
	struct writer writer;            /* the writing connection (commit.h) */
	int writer_ready;
	struct sender sender;            /* outbox and feeds (sender.h) */
	int sender_ready;
	struct learned_cache learned;    /* learned labels (learned_cache.h) */
};

#endif

/*
 * membudget.c - the process-wide bound on memory held for messages in
 * flight.  See membudget.h for the contract and the concurrency rules.
 */
#include "build-config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "membudget.h"
#include "message.h"

#define MIB ((size_t)1024 * 1024)

/* Blocks at least this big are mmap'd by glibc and so go back to the
 * system when freed.  (Left to itself glibc raises the threshold after
 * each large free, up to 32 MiB, and a burst of hostile messages then
 * leaves its multi-megabyte text buffers resident in the heap.) */
#define MMAP_THRESHOLD ((int)(256 * 1024))
/* malloc_trim at most once a second. */
#define TRIM_INTERVAL 1

static pthread_mutex_t mb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mb_freed = PTHREAD_COND_INITIALIZER;
static size_t mb_total;          /* 0: no bound */
static size_t mb_used;
static time_t mb_last_trim;

void membudget_configure(size_t total)
{
	pthread_mutex_lock(&mb_lock);
	mb_total = total;
	pthread_cond_broadcast(&mb_freed);
	pthread_mutex_unlock(&mb_lock);
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
}

/* Does `extra` more fit?  A holder alone always fits. */
static int fits(size_t held, size_t extra)
{
	if (mb_total == 0 || mb_used == held)
		return 1;
	return mb_used <= mb_total && extra <= mb_total - mb_used;
}

int membudget_reserve(size_t *held, size_t want, unsigned wait_ms)
{
	struct timespec until;
	size_t extra;
	int rc = 0;

	if (want <= *held)
		return 0;
	extra = want - *held;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mb_lock);
	while (!fits(*held, extra)) {
		if (wait_ms == 0 ||
		    pthread_cond_timedwait(&mb_freed, &mb_lock, &until) ==
		    ETIMEDOUT) {
			rc = fits(*held, extra) ? 0 : -1;
			break;
		}
	}
	if (rc == 0) {
		mb_used += extra;
		*held = want;
	}
	pthread_mutex_unlock(&mb_lock);
	return rc;
}

void membudget_release(size_t *held)
{
	if (*held == 0)
		return;
	pthread_mutex_lock(&mb_lock);
	mb_used -= *held <= mb_used ? *held : mb_used;
	pthread_cond_broadcast(&mb_freed);
	pthread_mutex_unlock(&mb_lock);
	*held = 0;
}

size_t membudget_in_use(void)
{
	size_t n;

	pthread_mutex_lock(&mb_lock);
	n = mb_used;
	pthread_mutex_unlock(&mb_lock);
	return n;
}

size_t membudget_message_cost(size_t len)
{
	struct message_limits lim;
	size_t text;

	message_limits_default(&lim);
	/* the text kept, its copy in the DOCX/HTML sink, the extractor's
	 * lines and fields over it; the parser's state is O(depth) */
	text = 3 * lim.max_text_bytes;
	/* the body decoded (at most its size again) and libetpan's MIME
	 * tree over it, bounded against overflow by MaxMessageSize */
	if (len > SIZE_MAX / 4 - text)
		return SIZE_MAX / 4;
	return 3 * len + text + MIB;
}

void membudget_return_memory(void)
{
	int trim = 0;
	time_t now = time(NULL);

	pthread_mutex_lock(&mb_lock);
	/* when the burst is over: nobody holds anything */
	if (mb_used == 0 && now - mb_last_trim >= TRIM_INTERVAL) {
		mb_last_trim = now;
		trim = 1;
	}
	pthread_mutex_unlock(&mb_lock);
#ifdef __GLIBC__
	if (trim)
		(void)malloc_trim(0);
#else
	(void)trim;
#endif
}

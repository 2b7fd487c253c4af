/*
 * test_logging - log_msg to stderr (Syslog no: a milter run in the
 * foreground, as the benchmarks and systemd's journal read it) from
 * many threads at once: every line comes out whole, never half one
 * thread's line and half another's.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "logging.h"
#include "tap.h"

#define THREADS 8
#define LINES   3000

static void *writer(void *arg)
{
	int t = (int)(long)arg;

	for (int i = 0; i < LINES; i++)
		log_msg(LOG_INFO, "thread=%d line=%d %s", t, i, "ms=1.00 parse=0.10 batch=3");
	return NULL;
}

int main(void)
{
	char path[] = "/tmp/test_logging.XXXXXX", line[256], what[160];
	pthread_t th[THREADS];
	size_t whole = 0, broken = 0;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0 || freopen(path, "w", stderr) == NULL) {
		printf("Bail out! cannot redirect stderr\n");
		return 99;
	}
	setvbuf(stderr, NULL, _IONBF, 0);      /* as stderr starts */
	log_open("cme-milter", 0, LOG_MAIL);
	for (long t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, writer, (void *)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	fflush(stderr);
	if ((f = fopen(path, "r")) == NULL) {
		printf("Bail out! cannot read %s\n", path);
		return 99;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		int t, i, n = 0;

		if (sscanf(line, "cme-milter: thread=%d line=%d ms=1.00 parse=0.10 batch=3%n",
		           &t, &i, &n) == 2 && n > 0 && strcmp(line + n, "\n") == 0)
			whole++;
		else
			broken++;
	}
	fclose(f);
	remove(path);
	snprintf(what, sizeof what, "%d threads x %d lines: all whole (%zu whole, %zu broken)",
	         THREADS, LINES, whole, broken);
	CHECK(whole == (size_t)THREADS * LINES && broken == 0, what);
	return tap_done();
}

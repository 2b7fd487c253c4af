/*
 * fsyncprobe - the disk's floor under load: what a durable commit costs
 * when nothing else is done.
 *
 * Usage: fsyncprobe FILE [INTERVAL_MS] [BYTES]
 * Every INTERVAL_MS (default 5) appends BYTES (default 16384: a commit
 * of four 4 KB pages, what one referral adds to SQLite's WAL) to FILE
 * and fdatasync()s it, as SQLite does at COMMIT with synchronous=FULL in
 * WAL mode.  On SIGINT or SIGTERM prints one line,
 *   fsync: n N p50 X ms p99 Y ms max Z ms
 * and removes FILE.  bench/throughput.sh runs it alongside the
 * do-nothing milter: cme-milter's end-of-message time can be no better
 * than this, under the same load, without giving up the commit before
 * the 250.
 *
 * Not installed; built on demand (make bench/fsyncprobe).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

#define MAX_SAMPLES 200000

static volatile sig_atomic_t stop;
static double samples[MAX_SAMPLES];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct sigaction sa;
	long interval = argc > 2 ? atol(argv[2]) : 5;
	size_t bytes = argc > 3 ? (size_t)atol(argv[3]) : 16384, n = 0;
	off_t off = 0;
	int fd;

	if (argc < 2 || interval < 0 || bytes == 0 || bytes > sizeof buf) {
		fprintf(stderr, "usage: fsyncprobe FILE [INTERVAL_MS] [BYTES <= 1 MB]\n");
		return 2;
	}
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 'x', bytes);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop && n < MAX_SAMPLES) {
		double t0 = now_ms();

		/* a WAL that grows past 64 MB is checkpointed and restarted */
		if (off > (64 << 20))
			off = 0;
		if (pwrite(fd, buf, bytes, off) != (ssize_t)bytes || fdatasync(fd) != 0)
			break;
		off += (off_t)bytes;
		samples[n++] = now_ms() - t0;
		if (interval > 0)
			usleep((useconds_t)interval * 1000);
	}
	close(fd);
	unlink(argv[1]);
	if (n == 0) {
		fprintf(stderr, "fsyncprobe: no sample\n");
		return 1;
	}
	qsort(samples, n, sizeof samples[0], cmp_double);
	printf("fsync: n %zu p50 %.2f ms p99 %.2f ms max %.2f ms\n", n, samples[n / 2],
	       samples[(n * 99) / 100], samples[n - 1]);
	return 0;
}

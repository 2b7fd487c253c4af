/*
 * bench_parse - parse + extract throughput on one core.
 *
 * Usage: bench_parse [-s SECONDS] FILE...
 * Loads every file into memory, then runs message_parse + extract_referral
 * over them round-robin until SECONDS have passed (wall clock, one
 * thread), and prints messages/s and MB/s.  Nothing touches the disk in
 * the timed loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "fileio.h"
#include "message.h"
#include "referral.h"
#include "strlist.h"
#include "vocab.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 5, start, elapsed;
	char **data;
	size_t *lens, n = 0, total_bytes = 0, messages = 0, bytes = 0;
	struct message_limits lim;
	struct extract_options eo;
	const char *vocabulary = CME_PKGDATADIR "/vocabulary";
	struct strlist problems = STRLIST_INIT;
	int opt;

	while ((opt = getopt(argc, argv, "s:V:")) != -1)
		if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'V')
			vocabulary = optarg;
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_parse [-s SECONDS] [-V VOCABULARYDIR] FILE...\n");
		return 1;
	}
	if (vocab_load(vocabulary, NULL, &problems) != 0) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		return 1;
	}
	strlist_free(&problems);
	data = calloc((size_t)(argc - optind), sizeof *data);
	lens = calloc((size_t)(argc - optind), sizeof *lens);
	for (int i = optind; i < argc; i++) {
		int truncated;

		data[n] = file_read_all(argv[i], 64u << 20, &lens[n], &truncated);
		if (data[n]) {
			total_bytes += lens[n];
			n++;
		}
	}
	if (n == 0)
		return 1;
	message_limits_default(&lim);
	extract_options_default(&eo);
	start = now_seconds();
	do {
		for (size_t i = 0; i < n; i++) {
			struct cme_message *m = message_parse(data[i], lens[i], &lim);
			struct cme_referral r;

			referral_init(&r);
			if (m)
				extract_referral(m, &eo, &r);
			referral_free(&r);
			message_free(m);
			messages++;
			bytes += lens[i];
		}
		elapsed = now_seconds() - start;
	} while (elapsed < seconds);
	printf("corpus: %zu messages, %.1f kB\n", n, total_bytes / 1024.0);
	printf("parsed: %zu messages in %.2f s\n", messages, elapsed);
	printf("throughput: %.0f messages/s, %.2f MB/s (one core)\n",
	       messages / elapsed, bytes / elapsed / 1e6);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(lens);
	return 0;
}

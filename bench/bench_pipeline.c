/*
 * bench_pipeline - the whole pipeline (parse, extract, store with its
 * fsync'd commit, schedule, queue reminders) on one thread, no MTA.
 *
 * Usage: bench_pipeline -c CONF [-n COUNT] [-p PREFIX]
 * Sends COUNT distinct one-child referrals (made here, Message-ID
 * <PREFIX-N@bench.sch.test>) through pipeline_process against the
 * configured database, and prints messages/s and the p50/p99 time of one
 * pipeline_process call.  What the milter adds to Postfix is this, plus
 * the milter protocol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "case_store.h"
#include "conf.h"
#include "pipeline.h"
#include "strlist.h"
#include "vocab.h"

int main(int argc, char **argv)
{
	const char *conf_path = NULL, *prefix = "bench";
	unsigned long long salt = 0;
	long count = 1000;
	struct cme_conf conf;
	struct strlist errors = STRLIST_INIT;
	struct pipeline *p;
	double *lat, start, total;
	int opt;

	(void)case_store_init_library();   /* as cme-milter does */
	while ((opt = getopt(argc, argv, "c:n:p:")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'n')
			count = atol(optarg);
		else if (opt == 'p')
			prefix = optarg;
	}
	if (conf_path == NULL || count <= 0) {
		fprintf(stderr, "usage: bench_pipeline -c CONF [-n COUNT] [-p PREFIX]\n");
		return 1;
	}
	conf_defaults(&conf);
	if (conf_load(&conf, conf_path, &errors) != 0 ||
	    vocab_load(conf.shipped_vocabulary_dir, conf.vocabulary_dir, &errors) != 0 ||
	    (p = pipeline_new(&conf, &errors)) == NULL) {
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		return 1;
	}
	/* as in cme-milter: feeds and reminder mails from the background */
	(void)pipeline_start_sender(p);
	lat = calloc((size_t)count, sizeof *lat);
	/* another PREFIX, other children: a second run opens new cases */
	for (const char *q = prefix; *q; q++)
		salt = salt * 31 + (unsigned char)*q;
	salt = (salt % 1000) * 100003ULL;
	start = now_ms();
	for (long i = 0; i < count; i++) {
		char msg[1024], name[8];
		struct pipeline_input in;
		struct pipeline_result res;
		/* Distinct children, as a real month's referrals are: the
		 * surname's letters are i scrambled (a bijection mod 26^6,
		 * so neighbours do not differ by one letter and look like
		 * possible duplicates of each other), forenames and dates
		 * of birth spread over a list and eleven years. */
		static const char *const forenames[] = {
			"Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo",
			"Ivy", "Arthur", "Freya", "Muhammad", "Lily", "Harry", "Florence",
			"Oscar", "Willow", "Archie", "Rosie", "Jack", "Sophia", "Henry",
			"Grace", "Theo", "Evie", "Alfie", "Poppy", "Charlie", "Ella", "Finley",
			"Aisha", "Zain", "Maja", "Jakub", "Amira", "Yusuf", "Chloe", "Reggie",
			"Hannah", "Tommy",
		};
		unsigned long long k = (((unsigned long long)i + salt) * 2654435761ULL) % 308915776ULL;
		double t0;

		for (int j = 5; j >= 0; j--, k /= 26)
			name[j] = (char)('a' + k % 26);
		name[6] = '\0';
		snprintf(msg, sizeof msg,
		         "From: Attendance <attendance@bench.sch.test>\r\nTo: cme@la.test\r\n"
		         "Subject: CME referral\r\nMessage-ID: <%s-%ld@bench.sch.test>\r\n\r\n"
		         "Child's forename: %s\r\nChild's surname: Q%s\r\n"
		         "Date of birth: %02ld/%02ld/%ld\r\nPostcode: IP1 2BX\r\n"
		         "Reason for referral: moved away, address unknown\r\n",
		         prefix, i, forenames[(i * 7) % 40], name, 1 + i % 28, 1 + (i / 28) % 12,
		         2010 + i % 11);
		memset(&in, 0, sizeof in);
		in.raw = msg;
		in.len = strlen(msg);
		in.now = time(NULL);
		pipeline_result_init(&res);
		t0 = now_ms();
		if (pipeline_process(p, &in, &res) != 0) {
			fprintf(stderr, "message %ld failed\n", i);
			return 1;
		}
		lat[i] = now_ms() - t0;
		pipeline_result_free(&res);
	}
	total = now_ms() - start;
	qsort(lat, (size_t)count, sizeof *lat, cmp_double);
	printf("%ld messages in %.2f s: %.1f messages/s; pipeline_process p50 %.2f ms, p99 %.2f ms\n",
	       count, total / 1e3, count / (total / 1e3), lat[count / 2],
	       lat[(count * 99) / 100 < count ? (count * 99) / 100 : count - 1]);
	free(lat);
	pipeline_free(p);
	conf_free(&conf);
	strlist_free(&errors);
	return 0;
}

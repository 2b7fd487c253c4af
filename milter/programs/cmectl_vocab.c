/*
 * cmectl_vocab.c - `cmectl vocabulary`: the labels officers' corrections
 * taught (SPEC 5.7, case_learn.h).
 *
 *	vocabulary --learned [--json]   every learned label: domain, label,
 *	                                field, when, by whom, from which case
 *	vocabulary --export DOMAIN      the domain's learned labels as a
 *	                                labels.vocab file ("FIELD | label")
 *
 * The export is for an LA that wants a learned label everywhere: files
 * in VocabularyDir are global (every sender), not per domain, and the
 * comment header of the export says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "case_learn.h"
#include "case_store.h"
#include "cmectl.h"

/* learned_labels holds the vocabulary's own field names ("dob"), the
 * names labels.vocab takes. */
static void when_text(time_t at, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&at, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int print_row(const char *domain, const char *label, const char *field, time_t at,
                     const char *by, const char *ref, void *arg)
{
	char when[32];

	(void)arg;
	when_text(at, when, sizeof when);
	printf("%-24s %-32s %-16s %s  %s%s%s\n", domain, label, field, when, by,
	       ref[0] ? "  " : "", ref);
	return 0;
}

static int json_row(const char *domain, const char *label, const char *field, time_t at,
                    const char *by, const char *ref, void *arg)
{
	json_object *o = json_object_new_object();
	char when[32];

	if (o == NULL)
		return 1;
	when_text(at, when, sizeof when);
	json_object_object_add(o, "domain", json_object_new_string(domain));
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "field", json_object_new_string(field));
	json_object_object_add(o, "learned_at", json_object_new_string(when));
	json_object_object_add(o, "taught_by", json_object_new_string(by));
	if (ref[0])
		json_object_object_add(o, "case", json_object_new_string(ref));
	json_object_array_add(arg, o);
	return 0;
}

/* One labels.vocab line; a label a vocabulary file could not hold (a
 * '|' or '#', which the file format reads as syntax) is left out with a
 * comment saying so. */
static int export_row(const char *domain, const char *label, const char *field, time_t at,
                      const char *by, const char *ref, void *arg)
{
	char when[32];

	(void)domain;
	(void)arg;
	when_text(at, when, sizeof when);
	if (strpbrk(label, "|#") != NULL) {
		printf("# not exportable (a '|' or '#' in it): a label for %s\n", field);
		return 0;
	}
	printf("%-16s | %s\n", field, label);
	printf("#   learned %s by %s%s%s\n", when, by, ref[0] ? " from " : "", ref);
	return 0;
}

int cmd_vocabulary(struct ctl *ctl, int argc, char **argv)
{
	int learned = 0, json = 0, rc;
	const char *domain = NULL;
	struct case_store *cs;
	json_object *arr = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--learned") == 0)
			learned = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--export") == 0 && i + 1 < argc)
			domain = argv[++i];
		else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	if (learned == (domain != NULL))
		return fail(EXIT_USER, "%s", "vocabulary needs --learned [--json] or --export DOMAIN");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	if (domain) {
		printf("# labels.vocab lines learned from officers' corrections of referrals\n"
		       "# from %s (cmectl vocabulary --export).\n"
		       "# A file in VocabularyDir is GLOBAL: its labels apply to every\n"
		       "# sender, not only to %s.  Check each line before installing it\n"
		       "# (VocabularyDir/labels-learned.vocab) and restart cme-milter.\n",
		       domain, domain);
		rc = case_store_learned_each(cs, domain, export_row, NULL);
	} else if (json) {
		if ((arr = json_object_new_array()) == NULL) {
			case_store_close(cs);
			return fail(EXIT_INTERNAL, "%s", "out of memory");
		}
		rc = case_store_learned_each(cs, NULL, json_row, arr);
		if (rc == 0)
			printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
			                                              JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		rc = case_store_learned_each(cs, NULL, print_row, NULL);
	}
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
	case_store_close(cs);
	return rc != 0 ? EXIT_INTERNAL : 0;
}

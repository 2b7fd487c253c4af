/*
 * cmectl_census.c - cmectl census: the termly DfE children-missing-
 * education return (issue 13 item 6; README "Census return").
 *
 * Owns: the term's census date, the presentation of each counted child
 * (sex, NC year group at the census date, days and band of time missing
 * education, our reason and its DfE category) and the reason map file,
 * census-reasons.map, read at run time from ShippedVocabularyDir and
 * then VocabularyDir (the LA's entries replace the shipped ones).  Which
 * cases count is case_census.h's.  Every text printed comes from a table
 * here or from the map file, never from a message: a stored reason not
 * in the map prints as `other`.
 */
#include "build-config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "case_census.h"
#include "case_store.h"
#include "conf.h"
#include "deadline.h"
#include "fileio.h"
#include "policy.h"
#include "ukdate.h"

#include "cmectl.h"

/* The terms and their census days: the DfE's EHE/CME collection dates
 * are the school census days - autumn the first Thursday of October,
 * spring and summer the third Thursday of January and of May (the GOV.UK
 * guide's 2022/23 dates: 6 October 2022, 19 January 2023, 18 May 2023).
 * A term is named by the calendar year its census falls in; it runs
 * from its first month (autumn 1 September - 31 December, spring 1
 * January - Easter Sunday, summer to 31 August), which bounds a
 * --census-date the DfE sets otherwise. */
static const struct term {
	const char *name;
	int month, nth;            /* the census: the nth Thursday of month */
	int first_month;           /* the term starts on its 1st (summer: after Easter) */
} terms[] = {
	{ "autumn", 10, 1, 9 }, { "spring", 1, 3, 1 }, { "summer", 5, 3, 0 },
};
#define N_TERMS (sizeof terms / sizeof terms[0])

/* Length of time missing education at the census date, in days.  The
 * DfE's published split (autumn 2025/26 release): 12 weeks or less, more
 * than 12 weeks, unknown.  Finer collection bands were not confirmed
 * from a public source; days_missing goes in the CSV to re-band. */
static const struct band {
	long max_days;
	const char *name;
} bands[] = {
	{ 84, "12 weeks or less" }, { LONG_MAX, "more than 12 weeks" },
};
#define N_BANDS (sizeof bands / sizeof bands[0])
#define BAND_UNKNOWN N_BANDS
static const char band_unknown[] = "unknown";

/* Sex as the DfE publishes it (Female, Male, Sex unknown); our X (the
 * referral said non-binary, indeterminate, other) has no DfE category
 * of its own and is "unknown". */
static const struct sex {
	const char *code, *csv, *label;
} sexes[] = {
	{ "M", "M", "Male" }, { "F", "F", "Female" }, { NULL, "unknown", "Sex unknown" },
};
#define N_SEXES (sizeof sexes / sizeof sexes[0])

#define YG_UNKNOWN INT_MIN
#define YG_MIN (-1)                /* nursery: below Reception */
#define YG_MAX 14

/* The reason map: our reason | DfE category. */
#define MAP_MAX 64
#define MAP_FILE "census-reasons.map"
#define MAP_FILE_LIMIT (64 * 1024)
struct reason_map {
	struct { char ours[32]; char dfe[96]; } v[MAP_MAX];
	size_t n;
};

struct census_line {
	char ref[32];
	int sex, year_group, band;
	long days;
	size_t reason;                 /* index into the map */
};

#define MAX_LINES 1000000
struct census {
	const struct policy *pol;
	const struct reason_map *map;
	struct ymd date;
	long date_days;
	struct census_line *lines;
	size_t n, cap;
	int oom;
};

/* ------------------------------------------------------------------ */
/* The reason map file.                                                 */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int valid_key(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && n < 32 && s[n] == '\0';
}

static int valid_category(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 96)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static size_t map_find(const struct reason_map *m, const char *ours)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].ours, ours) == 0)
			return i;
	return m->n;
}

/* One line "ours | DfE category" into the map (a later one replaces). */
static int map_line(struct reason_map *m, char *line, const char *path, int lineno)
{
	char *bar = strchr(line, '|'), *ours, *dfe;
	size_t i;

	if (bar == NULL)
		return fail(EXIT_USER, "%s:%d: expected 'our-reason | DfE category'", path, lineno);
	*bar = '\0';
	ours = trim(line);
	dfe = trim(bar + 1);
	if (!valid_key(ours) || !valid_category(dfe))
		return fail(EXIT_USER, "%s:%d: bad reason name or category", path, lineno);
	if ((i = map_find(m, ours)) == m->n) {
		if (m->n == MAP_MAX)
			return fail(EXIT_USER, "%s:%d: more than %d reasons", path, lineno, MAP_MAX);
		m->n++;
	}
	snprintf(m->v[i].ours, sizeof m->v[i].ours, "%s", ours);
	snprintf(m->v[i].dfe, sizeof m->v[i].dfe, "%s", dfe);
	return 0;
}

/* Read dir/census-reasons.map into m.  A missing file is an error
 * only when required.  0 or an exit code (printed). */
static int map_load(struct reason_map *m, const char *dir, int required)
{
	char path[4096], *text, *line, *next;
	size_t len;
	int truncated = 0, lineno = 0, rc = 0;

	if (dir == NULL || *dir == '\0') {
		if (required)
			return fail(EXIT_USER, "%s", "no ShippedVocabularyDir for " MAP_FILE);
		return 0;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, MAP_FILE) >= sizeof path)
		return fail(EXIT_USER, "%s", "vocabulary directory name too long");
	if ((text = file_read_all(path, MAP_FILE_LIMIT, &len, &truncated)) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		return fail(EXIT_USER, "cannot read %s: %s", path, strerror(errno));
	}
	if (truncated || strlen(text) != len)
		rc = fail(EXIT_USER, "%s: over %d bytes, or not text", path, MAP_FILE_LIMIT);
	/* a spreadsheet's or Notepad's UTF-8 byte order mark */
	line = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
	for (; rc == 0 && line != NULL; line = next) {
		char *t;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		t = trim(line);
		if (*t != '\0' && *t != '#')
			rc = map_line(m, t, path, lineno);
	}
	free(text);
	return rc;
}

/* The shipped map, then the LA's; `none` (no reason recorded) and
 * `other` (anything the map does not name) must be there. */
static int map_load_all(const struct cme_conf *c, struct reason_map *m)
{
	int rc;

	memset(m, 0, sizeof *m);
	if ((rc = map_load(m, c->shipped_vocabulary_dir, 1)) != 0 ||
	    (rc = map_load(m, c->vocabulary_dir, 0)) != 0)
		return rc;
	if (map_find(m, "none") == m->n || map_find(m, "other") == m->n)
		return fail(EXIT_USER, "%s", MAP_FILE " needs a 'none' and an 'other' line");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Terms and the census date.                                           */

/* "autumn-2026" (any case): the term's index and year.  0 or -1. */
static int parse_term(const char *arg, size_t *term, int *year)
{
	const char *dash = arg ? strchr(arg, '-') : NULL;
	char *end;
	long y;

	if (dash == NULL)
		return -1;
	y = strtol(dash + 1, &end, 10);
	if (*end != '\0' || end - (dash + 1) != 4 || y < 2000 || y > 2199)
		return -1;
	for (size_t i = 0; i < N_TERMS; i++)
		if (strlen(terms[i].name) == (size_t)(dash - arg) &&
		    strncasecmp(arg, terms[i].name, (size_t)(dash - arg)) == 0) {
			*term = i;
			*year = (int)y;
			return 0;
		}
	return -1;
}

/* The term's census day: the nth Thursday (weekday 4) of its month. */
static void term_census_date(size_t term, int year, struct ymd *out)
{
	out->y = year;
	out->m = terms[term].month;
	out->d = 1;
	ymd_add_days(out, (4 - ymd_weekday(out) + 7) % 7 + 7 * (terms[term].nth - 1));
}

/* 1 if d lies in the term: from its first day (summer: the day after
 * Easter Sunday; spring ends on it) to the day before the next one's. */
static int in_term(size_t term, int year, const struct ymd *d)
{
	struct ymd from = { year, terms[term].first_month, 1 }, to = { year, 12, 31 }, easter;

	ymd_easter(year, &easter);
	if (terms[term].first_month == 0) {
		from = easter;
		ymd_add_days(&from, 1);
		to = (struct ymd){ year, 8, 31 };
	} else if (terms[term].first_month == 1) {
		to = easter;
	}
	return ymd_cmp(d, &from) >= 0 && ymd_cmp(d, &to) <= 0;
}

/* ------------------------------------------------------------------ */
/* One counted child.                                                   */

/* The NC year group at the census date: from the DOB (the child is on
 * no school's roll: the year group is the age's, as the school census
 * counts it); else the stored one (stated, or from the DOB on the message
 * date) moved on by the school years since the case opened; else
 * unknown. */
static int year_group_at(const struct census *c, const struct case_census_row *r)
{
	struct ymd opened, dob;
	int yg = YG_UNKNOWN;

	if (ymd_parse_iso(r->dob, &dob) == 0 && ymd_valid(&dob)) {
		yg = uk_year_group(&dob, &c->date);
	} else if (r->year_group >= 0) {
		deadline_local_date(c->pol, r->opened_at, &opened);
		yg = r->year_group + uk_school_year(&c->date) - uk_school_year(&opened);
	}
	return yg == YG_UNKNOWN || yg < YG_MIN || yg > YG_MAX ? YG_UNKNOWN : yg;
}

static const char *year_group_label(int yg, char buf[12])
{
	if (yg == YG_UNKNOWN)
		return "unknown";
	if (yg == 0)
		return "R";
	if (yg < 0)
		return "N";            /* nursery age: below Reception */
	snprintf(buf, 12, "%d", yg);
	return buf;
}

static int sex_of(const char *gender)
{
	size_t i;

	for (i = 0; i + 1 < N_SEXES; i++)
		if (strcmp(gender, sexes[i].code) == 0)
			break;
	return (int)i;
}

static int add_child(const struct case_census_row *r, void *arg)
{
	struct census *c = arg;
	struct census_line *l;
	struct ymd since;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct census_line *nl;

		if (cap > MAX_LINES || (nl = realloc(c->lines, cap * sizeof *nl)) == NULL) {
			c->oom = 1;
			return 1;
		}
		c->lines = nl;
		c->cap = cap;
	}
	l = &c->lines[c->n++];
	snprintf(l->ref, sizeof l->ref, "%s", r->ref);
	l->sex = sex_of(r->gender);
	l->year_group = year_group_at(c, r);
	l->days = -1;
	l->band = BAND_UNKNOWN;
	if (r->missing_since > 0) {
		deadline_local_date(c->pol, r->missing_since, &since);
		l->days = c->date_days - ymd_to_days(&since);
		if (l->days < 0)
			l->days = 0;
		for (l->band = 0; l->band < (int)N_BANDS && l->days > bands[l->band].max_days; l->band++)
			;
	}
	l->reason = map_find(c->map, *r->reason ? r->reason : "none");
	if (l->reason == c->map->n)
		l->reason = map_find(c->map, "other");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Output.                                                              */

static const char *band_name(int b)
{
	return b >= 0 && b < (int)N_BANDS ? bands[b].name : band_unknown;
}

static void print_csv(const struct census *c)
{
	char buf[12], days[24];

	printf("ref,sex,year_group,days_missing,time_missing_band,reason,dfe_reason\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct census_line *l = &c->lines[i];

		snprintf(days, sizeof days, "%ld", l->days);
		csv_cell(stdout, l->ref, 1);
		csv_cell(stdout, sexes[l->sex].csv, 0);
		csv_cell(stdout, year_group_label(l->year_group, buf), 0);
		csv_cell(stdout, l->days < 0 ? "" : days, 0);
		csv_cell(stdout, band_name(l->band), 0);
		csv_cell(stdout, c->map->v[l->reason].ours, 0);
		csv_cell(stdout, c->map->v[l->reason].dfe, 0);
		putchar('\n');
	}
}

static void print_count(const char *label, size_t n)
{
	if (n > 0)
		printf("    %-58s %6zu\n", label, n);
}

static void print_summary(const struct census *c)
{
	char buf[12];

	printf("  by sex\n");
	for (size_t s = 0; s < N_SEXES; s++) {
		size_t n = 0;

		for (size_t i = 0; i < c->n; i++)
			n += c->lines[i].sex == (int)s;
		print_count(sexes[s].label, n);
	}
	printf("  by year group at the census date\n");
	for (int yg = YG_MIN - 1; yg <= YG_MAX; yg++) {
		int want = yg < YG_MIN ? YG_UNKNOWN : yg;
		size_t n = 0;

		for (size_t i = 0; i < c->n; i++)
			n += c->lines[i].year_group == want;
		print_count(year_group_label(want, buf), n);
	}
	printf("  by length of time missing education at the census date\n");
	for (int b = 0; b <= (int)BAND_UNKNOWN; b++) {
		size_t n = 0;

		for (size_t i = 0; i < c->n; i++)
			n += c->lines[i].band == b;
		print_count(band_name(b), n);
	}
	printf("  by primary reason (DfE category)\n");
	for (size_t r = 0; r < c->map->n; r++) {
		size_t n = 0, first = 1;

		/* a category several of our reasons share is counted once */
		for (size_t k = 0; k < r && first; k++)
			first = strcmp(c->map->v[k].dfe, c->map->v[r].dfe) != 0;
		for (size_t i = 0; first && i < c->n; i++)
			n += strcmp(c->map->v[c->lines[i].reason].dfe, c->map->v[r].dfe) == 0;
		print_count(c->map->v[r].dfe, n);
	}
}

static void print_human(const struct census *c, const char *term)
{
	char date[64], buf[12];
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = c->date.y - 1900;
	tm.tm_mon = c->date.m - 1;
	tm.tm_mday = c->date.d;
	tm.tm_wday = ymd_weekday(&c->date);
	strftime(date, sizeof date, "%A %d %B %Y", &tm);
	printf("CME census return, %s: census date %s\n\n", term, date);
	printf("  children missing education at the census date %6zu\n", c->n);
	print_summary(c);
	printf("\n%-16s %-8s %-5s %5s  %-18s %s\n", "ref", "sex", "year", "days", "time missing",
	       "reason (DfE category)");
	for (size_t i = 0; i < c->n; i++) {
		const struct census_line *l = &c->lines[i];
		char days[24] = "";

		if (l->days >= 0)
			snprintf(days, sizeof days, "%ld", l->days);
		printf("%-16s %-8s %-5s %5s  %-18s %s (%s)\n", l->ref, sexes[l->sex].csv,
		       year_group_label(l->year_group, buf), days, band_name(l->band),
		       c->map->v[l->reason].ours, c->map->v[l->reason].dfe);
	}
}

int cmd_census(struct ctl *ctl, int argc, char **argv)
{
	const char *term = NULL, *date = NULL;
	int csv = 0, rc, year;
	size_t ti;
	time_t now = time(NULL), at;
	struct reason_map map;
	struct census c;
	struct case_store *cs;
	struct policy *pol;
	struct ymd next;

	const struct cmd_opt opts[] = {
		{ "--term", NULL, &term }, { "--census-date", NULL, &date }, { "--csv", &csv, NULL },
	};

	if ((rc = cmd_options(argc, argv, 1, opts, sizeof opts / sizeof opts[0], &now)) != 0)
		return rc;
	memset(&c, 0, sizeof c);
	if (parse_term(term, &ti, &year) != 0)
		return fail(EXIT_USER, "%s", "census needs --term autumn-YYYY, spring-YYYY or summer-YYYY");
	term_census_date(ti, year, &c.date);
	if (date != NULL && (parse_user_date(date, &c.date) != 0 || !in_term(ti, year, &c.date)))
		return fail(EXIT_USER, "--census-date %s is not a date in the %s term", date, term);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = map_load_all(&ctl->conf, &map)) != 0 ||
	    (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((pol = load_policy(ctl, NULL)) == NULL)
		return EXIT_USER;
	/* the state at the end of the census day, in the policy's zone */
	next = c.date;
	ymd_add_days(&next, 1);
	at = deadline_time_at(pol, &next, 0);
	if (at > now) {
		policy_free(pol);
		return fail(EXIT_USER, "the %s census date has not passed yet", term);
	}
	c.pol = pol;
	c.map = &map;
	c.date_days = ymd_to_days(&c.date);
	if ((cs = open_read_store(ctl, at - 1)) == NULL) {
		policy_free(pol);
		return EXIT_INTERNAL;
	}
	rc = case_census_each(cs, at, add_child, &c);
	close_read_store(cs);
	if (rc != 0 || c.oom)
		rc = fail(EXIT_INTERNAL, "%s", "the census could not be computed");
	else if (csv)
		print_csv(&c);
	else
		print_human(&c, term);
	free(c.lines);
	policy_free(pol);
	return rc;
}

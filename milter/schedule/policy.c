/*
 * policy.c - reading an LA's CME policy file (SPEC section 6) and the
 * closure calendars it names.  See policy.h.
 *
 * Owns: struct policy, duration_parse/duration_format, and the policy
 * file syntax: `key = value` lines, `#` comments.  Every problem in a
 * file is reported as "file:line: problem" (not only the first), so that
 * `cme-milter -n` shows an administrator everything to fix in one run.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "policy.h"
#include "vocab.h"

#define POLICY_MAX_BYTES   (256u * 1024)
#define POLICY_MAX_LINE    4096
#define PATH_MAX_LEN       4096
/* The largest N a duration may have: ten years of any unit keeps every
 * deadline computation short and every result representable. */
#define DURATION_MAX_N     3650
#define DURATION_MAX_HOURS 87600

static const char DEFAULT_TIMEZONE[] = "Europe/London";

/* ------------------------------------------------------------------ */
/* Durations                                                           */

static const struct {
	const char *word;          /* lower case; spaces or hyphens both match */
	enum duration_unit unit;
} unit_words[] = {
	{ "hours", UNIT_HOURS }, { "hour", UNIT_HOURS },
	{ "days", UNIT_DAYS }, { "day", UNIT_DAYS },
	{ "weeks", UNIT_WEEKS }, { "week", UNIT_WEEKS },
	{ "months", UNIT_MONTHS }, { "month", UNIT_MONTHS },
	{ "working-days", UNIT_WORKING_DAYS }, { "working-day", UNIT_WORKING_DAYS },
	{ "school-days", UNIT_SCHOOL_DAYS }, { "school-day", UNIT_SCHOOL_DAYS },
};

/* Compare a unit as written with a table word: case-insensitive, and a
 * space (or several) in the text matches a hyphen ("3 working days"). */
static int unit_matches(const char *text, size_t len, const char *word)
{
	size_t i = 0, j = 0;

	while (i < len && word[j] != '\0') {
		if (word[j] == '-' && (text[i] == ' ' || text[i] == '\t' || text[i] == '-')) {
			if (text[i] == '-')
				i++;
			else
				while (i < len && (text[i] == ' ' || text[i] == '\t'))
					i++;
			j++;
			continue;
		}
		if (tolower((unsigned char)text[i]) != word[j])
			return 0;
		i++;
		j++;
	}
	return i == len && word[j] == '\0';
}

/* One expression, text[0..len). */
static int parse_single(const char *text, size_t len, struct duration *out)
{
	const char *s = text, *unit_start, *end;
	long n = 0;
	int digits = 0;

	while (s < text + len && isspace((unsigned char)*s))
		s++;
	end = text + len;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - s) == 9 && strncasecmp(s, "immediate", 9) == 0) {
		out->n = 0;
		out->unit = UNIT_IMMEDIATE;
		out->set = 1;
		return 0;
	}
	/* "none": the LA does not use this deadline. */
	if ((size_t)(end - s) == 4 && strncasecmp(s, "none", 4) == 0) {
		out->n = 0;
		out->unit = UNIT_IMMEDIATE;
		out->set = 0;
		return 0;
	}
	while (s < end && isdigit((unsigned char)*s)) {
		if (++digits > 6)
			return -1;
		n = n * 10 + (*s - '0');
		s++;
	}
	if (digits == 0 || n < 1)
		return -1;
	if (s == end || !isspace((unsigned char)*s))
		return -1;
	while (s < end && isspace((unsigned char)*s))
		s++;
	unit_start = s;
	for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++) {
		if (unit_matches(unit_start, (size_t)(end - unit_start), unit_words[i].word)) {
			long max = unit_words[i].unit == UNIT_HOURS ? DURATION_MAX_HOURS
			                                             : DURATION_MAX_N;

			if (n > max)
				return -1;
			out->n = (int)n;
			out->unit = unit_words[i].unit;
			out->set = 1;
			return 0;
		}
	}
	return -1;
}

int duration_parse(const char *text, struct duration *out)
{
	const char *bar;
	struct duration a, b;

	if (text == NULL || out == NULL)
		return -1;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	bar = strchr(text, '|');
	if (bar == NULL) {
		if (parse_single(text, strlen(text), &a) != 0)
			return -1;
		*out = a;
		return 0;
	}
	/* "A | B": the earlier of two real durations; one '|' only. */
	if (strchr(bar + 1, '|') != NULL || parse_single(text, (size_t)(bar - text), &a) != 0 ||
	    parse_single(bar + 1, strlen(bar + 1), &b) != 0 || !a.set || !b.set ||
	    a.unit == UNIT_IMMEDIATE || b.unit == UNIT_IMMEDIATE)
		return -1;
	a.or_n = b.n;
	a.or_unit = b.unit;
	a.or_set = 1;
	*out = a;
	return 0;
}

void duration_format(const struct duration *d, char *out, size_t outlen)
{
	static const char *const names[][2] = {
		[UNIT_IMMEDIATE]    = { "immediate", "immediate" },
		[UNIT_HOURS]        = { "hour", "hours" },
		[UNIT_DAYS]         = { "day", "days" },
		[UNIT_WEEKS]        = { "week", "weeks" },
		[UNIT_MONTHS]       = { "month", "months" },
		[UNIT_WORKING_DAYS] = { "working-day", "working-days" },
		[UNIT_SCHOOL_DAYS]  = { "school-day", "school-days" },
	};

	if (out == NULL || outlen == 0)
		return;
	if (d == NULL || !d->set) {
		snprintf(out, outlen, "none");
		return;
	}
	if (d->unit == UNIT_IMMEDIATE) {
		snprintf(out, outlen, "immediate");
		return;
	}
	if ((unsigned)d->unit > UNIT_SCHOOL_DAYS) {
		snprintf(out, outlen, "?");
		return;
	}
	if (d->or_set && (unsigned)d->or_unit <= UNIT_SCHOOL_DAYS)
		snprintf(out, outlen, "%d %s | %d %s", d->n, names[d->unit][d->n == 1 ? 0 : 1],
		         d->or_n, names[d->or_unit][d->or_n == 1 ? 0 : 1]);
	else
		snprintf(out, outlen, "%d %s", d->n, names[d->unit][d->n == 1 ? 0 : 1]);
}

/* ------------------------------------------------------------------ */
/* Reading a policy file                                               */

struct reader {
	const char     *path;
	struct strlist *errors;
	int             nproblems;
};

static void problem(struct reader *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct reader *r, int line, const char *fmt, ...)
{
	char msg[512], full[1024 + PATH_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof full, "%s:%d: %s", r->path, line, msg);
	else
		snprintf(full, sizeof full, "%s: %s", r->path, msg);
	r->nproblems++;
	if (r->errors)
		(void)strlist_add(r->errors, full);
}

static char *dup_n(const char *s, size_t n)
{
	char *copy = malloc(n + 1);

	if (copy != NULL) {
		memcpy(copy, s, n);
		copy[n] = '\0';
	}
	return copy;
}

/* Join dir and name into out; fails (rather than truncating) when the
 * result would not fit. */
static int join_path(char *out, size_t outlen, const char *dir, size_t dirlen,
                     const char *name, const char *suffix)
{
	int n;

	if (dir == NULL || dirlen == 0)
		n = snprintf(out, outlen, "%s%s", name, suffix);
	else
		n = snprintf(out, outlen, "%.*s%s%s%s", (int)dirlen, dir,
		             dir[dirlen - 1] == '/' ? "" : "/", name, suffix);
	return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

/* "HH:MM" -> minutes after midnight, or -1. */
static int parse_hhmm(const char *s, size_t len)
{
	int h, m;

	if (len == 4 && isdigit((unsigned char)s[0]) && s[1] == ':') {
		h = s[0] - '0';
		s += 2;
	} else if (len == 5 && isdigit((unsigned char)s[0]) &&
	           isdigit((unsigned char)s[1]) && s[2] == ':') {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		s += 3;
	} else {
		return -1;
	}
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static void parse_working_day(struct reader *r, int line, const char *v,
                              struct policy *p)
{
	const char *dash = strchr(v, '-');
	const char *a_end, *b;
	int start, end;

	if (dash == NULL) {
		problem(r, line, "working_day '%s': expected HH:MM-HH:MM", v);
		return;
	}
	a_end = dash;
	while (a_end > v && isspace((unsigned char)a_end[-1]))
		a_end--;
	b = dash + 1;
	while (isspace((unsigned char)*b))
		b++;
	start = parse_hhmm(v, (size_t)(a_end - v));
	end = parse_hhmm(b, strlen(b));
	if (start < 0 || end < 0) {
		problem(r, line, "working_day '%s': bad time, expected HH:MM-HH:MM", v);
		return;
	}
	if (end <= start) {
		problem(r, line, "working_day '%s': the day ends before it starts", v);
		return;
	}
	p->day_start_min = start;
	p->day_end_min = end;
}

/* libical 3.0.x loads builtin zones lazily and not thread-safely, so the
 * zone is loaded here, at policy load time (before threads), and a far
 * conversion makes it expand its transitions up front. */
static int timezone_known(const char *tzid)
{
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);

	if (zone == NULL)
		return 0;
	(void)icaltime_from_timet_with_zone((time_t)4102444800, 0, zone); /* 2100 */
	return 1;
}

static void load_calendars(struct reader *r, int line, const char *value,
                           const char *calendar_dir, struct closures *into)
{
	const char *s = value;

	while (*s) {
		const char *start;
		char *name, path[PATH_MAX_LEN], err[PATH_MAX_LEN + 256];

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		start = s;
		while (*s && *s != ' ' && *s != '\t' && *s != ',')
			s++;
		name = dup_n(start, (size_t)(s - start));
		if (name == NULL) {
			problem(r, line, "out of memory");
			return;
		}
		if (strchr(name, '/') != NULL || calendar_dir == NULL) {
			if (join_path(path, sizeof path, NULL, 0, name, "") != 0) {
				problem(r, line, "calendar name too long");
				free(name);
				continue;
			}
		} else if (join_path(path, sizeof path, calendar_dir,
		                     strlen(calendar_dir), name, "") != 0) {
			problem(r, line, "calendar name too long");
			free(name);
			continue;
		}
		if (closures_load_file(into, path, err, sizeof err) != 0)
			problem(r, line, "calendar '%s' unreadable: %s", name, err);
		free(name);
	}
}

static void parse_immediate(struct reader *r, int line, const char *value,
                            struct policy *p)
{
	const char *s = value;

	p->immediate_flags = 0;
	while (*s) {
		const char *start;
		char name[128];
		size_t n;
		int idx;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		start = s;
		while (*s && *s != ' ' && *s != '\t' && *s != ',')
			s++;
		n = (size_t)(s - start);
		if (n >= sizeof name) {
			problem(r, line, "unknown flag '%.40s...'", start);
			continue;
		}
		memcpy(name, start, n);
		name[n] = '\0';
		if (strcasecmp(name, "none") == 0)
			continue;
		idx = vocab_flag_index(name);
		if (idx < 0 || (size_t)idx >= sizeof p->immediate_flags * 8) {
			problem(r, line, "unknown flag '%s'", name);
			continue;
		}
		p->immediate_flags |= 1UL << idx;
	}
}

static void parse_duration_key(struct reader *r, int line, const char *key,
                               const char *value, struct duration *d)
{
	if (duration_parse(value, d) != 0)
		problem(r, line, "%s '%s': bad duration (expected e.g. '3 working-days', "
		        "'20 school-days', '72 hours', '6 months', 'immediate' or 'none')",
		        key, value);
}

enum key_id {
	K_NAME, K_TIMEZONE, K_WORKING_DAY, K_WORKING_CLOSURES, K_SCHOOL_CLOSURES,
	K_HOME_VISIT, K_ESCALATION, K_LONG_TERM, K_IMMEDIATE, K_ARCHIVE_CHECK,
	K_HOME_VISIT_ALERTS, K_ESCALATION_ALERTS, K_LONG_TERM_ALERTS,
	K_DIGEST_TIME, K_IMMEDIATE_ACTION, K_ESCALATION_ACTION, K_ALERT_EVENTS, K__COUNT
};

static const char *const key_names[K__COUNT] = {
	[K_NAME] = "name", [K_TIMEZONE] = "timezone", [K_WORKING_DAY] = "working_day",
	[K_WORKING_CLOSURES] = "working_closures", [K_SCHOOL_CLOSURES] = "school_closures",
	[K_HOME_VISIT] = "home_visit", [K_ESCALATION] = "escalation",
	[K_LONG_TERM] = "long_term", [K_IMMEDIATE] = "immediate",
	[K_ARCHIVE_CHECK] = "archive_check",
	[K_HOME_VISIT_ALERTS] = "home_visit_alerts",
	[K_ESCALATION_ALERTS] = "escalation_alerts",
	[K_LONG_TERM_ALERTS] = "long_term_alerts",
	[K_DIGEST_TIME] = "digest_time", [K_IMMEDIATE_ACTION] = "immediate_action",
	[K_ALERT_EVENTS] = "alert_events",
	[K_ESCALATION_ACTION] = "escalation_action",
};

/* The defaults of SPEC 7: a home visit alerts on arrival, at 09:00 on
 * the working day before the due day and at 09:00 on the due day; an
 * escalation at 09:00 five school days before and on the due day; a
 * long-term review at 09:00 on its (working) due day. */
static const char *const default_alerts[3] = {
	"on-arrival, 1 working-day before 09:00, due-day 09:00",
	"5 school-days before 09:00, due-day 09:00",
	"due-day 09:00",
};

static struct alert_list *policy_alerts(struct policy *p, int which)
{
	return which == 0 ? &p->home_visit_alerts
	     : which == 1 ? &p->escalation_alerts : &p->long_term_alerts;
}

static void parse_alerts_key(struct reader *r, int line, const char *key, const char *value,
                             struct alert_list *al)
{
	char err[200];

	if (alert_list_parse(value, al, err, sizeof err) != 0)
		problem(r, line, "%s '%.200s': %s (expected e.g. 'on-arrival, "
		        "1 working-day before 09:00, due-day 09:00' or 'none')", key, value, err);
	else
		al->line = line;
}

/* An alert outside working hours would fire when nobody is there to
 * act on it (SPEC 7): every HH:MM must lie within working_day. */
static void check_alert_times(struct reader *r, struct policy *p)
{
	for (int w = 0; w < 3; w++) {
		const struct alert_list *al = policy_alerts(p, w);

		for (size_t i = 0; i < al->n; i++)
			if (al->a[i].anchor != ALERT_ON_ARRIVAL &&
			    (al->a[i].at_min < p->day_start_min || al->a[i].at_min >= p->day_end_min))
				problem(r, al->line, "%s: %02d:%02d is outside working_day "
				        "(%02d:%02d-%02d:%02d): nobody would see that alert",
				        key_names[K_HOME_VISIT_ALERTS + w], al->a[i].at_min / 60,
				        al->a[i].at_min % 60, p->day_start_min / 60,
				        p->day_start_min % 60, p->day_end_min / 60, p->day_end_min % 60);
	}
}

/* digest_time = HH:MM: when the sender thread mails the daily digest
 * (on working days, local time). */
static void parse_digest_time(struct reader *r, int line, const char *v, struct policy *p)
{
	int m = parse_hhmm(v, strlen(v));

	if (m < 0)
		problem(r, line, "digest_time '%s': expected HH:MM", v);
	else
		p->digest_min = m;
}

/* immediate_action / escalation_action: the plain words a reminder uses
 * for what the officer must do (one line, printable, bounded). */
static void parse_action(struct reader *r, int line, const char *key, const char *v,
                         char *dst, size_t dstlen)
{
	if (strlen(v) >= dstlen) {
		problem(r, line, "'%s' longer than %zu bytes", key, dstlen - 1);
		return;
	}
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c < 0x20 || *c == 0x7F) {
			problem(r, line, "'%s' holds a control character", key);
			return;
		}
	memcpy(dst, v, strlen(v) + 1);
}

/* archive_check: one line per database the long-term archive form lists,
 * in order; the only key that may repeat. */
#define ARCHIVE_CHECKS_MAX 64

static void add_archive_check(struct reader *r, int line, const char *value, struct policy *p)
{
	if (*value == '\0')
		problem(r, line, "'archive_check' has no value");
	else if (p->archive_checks.n >= ARCHIVE_CHECKS_MAX)
		problem(r, line, "more than %d archive_check lines", ARCHIVE_CHECKS_MAX);
	else if (strlist_add(&p->archive_checks, value) != 0)
		problem(r, line, "out of memory");
}

/* Values of the two calendar keys, kept until the whole file is read so
 * that school_closures can be made a superset of working_closures however
 * the file orders them. */
struct cal_lines {
	char *value;
	int   line;
};

/* One key's value into the policy (handle_line has checked the key is
 * known, set once and not empty where it must not be). */
static void set_key(struct reader *r, int line, int k, const char *value, struct policy *p,
                    struct cal_lines cals[2])
{
	switch (k) {
	case K_NAME: {
		char *copy = strdup(value);

		if (copy == NULL) {
			problem(r, line, "out of memory");
			return;
		}
		free(p->name);
		p->name = copy;
		break;
	}
	case K_TIMEZONE: {
		char *copy;

		if (!timezone_known(value)) {
			problem(r, line, "unknown timezone '%.100s'", value);
			return;
		}
		copy = strdup(value);
		if (copy == NULL) {
			problem(r, line, "out of memory");
			return;
		}
		free(p->timezone);
		p->timezone = copy;
		break;
	}
	case K_WORKING_DAY:
		parse_working_day(r, line, value, p);
		break;
	case K_WORKING_CLOSURES:
	case K_SCHOOL_CLOSURES: {
		struct cal_lines *cl = &cals[k == K_WORKING_CLOSURES ? 0 : 1];

		cl->value = strdup(value);
		cl->line = line;
		if (cl->value == NULL)
			problem(r, line, "out of memory");
		break;
	}
	case K_HOME_VISIT:
		parse_duration_key(r, line, key_names[k], value, &p->home_visit);
		break;
	case K_ESCALATION:
		parse_duration_key(r, line, key_names[k], value, &p->escalation);
		break;
	case K_LONG_TERM:
		parse_duration_key(r, line, key_names[k], value, &p->long_term);
		break;
	case K_IMMEDIATE:
		parse_immediate(r, line, value, p);
		break;
	case K_HOME_VISIT_ALERTS:
	case K_ESCALATION_ALERTS:
	case K_LONG_TERM_ALERTS:
		parse_alerts_key(r, line, key_names[k], value,
		                 policy_alerts(p, k - K_HOME_VISIT_ALERTS));
		break;
	case K_DIGEST_TIME:
		parse_digest_time(r, line, value, p);
		break;
	case K_IMMEDIATE_ACTION:
		parse_action(r, line, key_names[k], value, p->immediate_action,
		             sizeof p->immediate_action);
		break;
	case K_ESCALATION_ACTION:
		parse_action(r, line, key_names[k], value, p->escalation_action,
		             sizeof p->escalation_action);
		break;
	case K_ALERT_EVENTS:
		if (strcmp(value, "events") == 0 || strcmp(value, "digest") == 0)
			p->alert_events = strcmp(value, "events") == 0;
		else
			problem(r, line, "alert_events '%.60s': expected 'digest' or 'events'", value);
		break;
	}
}

static void handle_line(struct reader *r, int line, char *text, struct policy *p,
                        int seen[K__COUNT], struct cal_lines cals[2])
{
	char *eq, *key, *value, *end;
	int k;

	/* A '#' starts a comment at the start of a line or after white
	 * space, so a value such as "Team#2" keeps its '#'. */
	for (char *c = text; *c; c++) {
		if (*c == '#' && (c == text || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			break;
		}
	}
	key = text;
	while (isspace((unsigned char)*key))
		key++;
	if (*key == '\0')
		return;
	eq = strchr(key, '=');
	if (eq == NULL) {
		problem(r, line, "expected 'key = value'");
		return;
	}
	end = eq;
	while (end > key && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	value = eq + 1;
	while (isspace((unsigned char)*value))
		value++;
	end = value + strlen(value);
	while (end > value && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';

	for (k = 0; k < K__COUNT; k++)
		if (strcasecmp(key, key_names[k]) == 0)
			break;
	if (k == K__COUNT) {
		problem(r, line, "unknown key '%.100s'", key);
		return;
	}
	if (k == K_ARCHIVE_CHECK) {
		add_archive_check(r, line, value, p);
		return;
	}
	if (seen[k]) {
		problem(r, line, "'%s' set again (first set on line %d)", key_names[k], seen[k]);
		return;
	}
	seen[k] = line;
	if (*value == '\0' && k != K_IMMEDIATE && k != K_WORKING_CLOSURES &&
	    k != K_SCHOOL_CLOSURES) {
		problem(r, line, "'%s' has no value", key_names[k]);
		return;
	}
	set_key(r, line, k, value, p, cals);
}

static char *read_policy_text(struct reader *r)
{
	FILE *f = fopen(r->path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		problem(r, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(POLICY_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		problem(r, 0, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, POLICY_MAX_BYTES + 1, f);
	if (ferror(f)) {
		problem(r, 0, "cannot read: %s", strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	if (n > POLICY_MAX_BYTES) {
		problem(r, 0, "larger than %u bytes; not a policy file", POLICY_MAX_BYTES);
		free(buf);
		return NULL;
	}
	if (memchr(buf, '\0', n) != NULL) {
		problem(r, 0, "contains NUL bytes; not a policy file");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The base name without ".policy": the name a policy has when it does
 * not set `name`. */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 7 && strcmp(base + n - 7, ".policy") == 0)
		n -= 7;
	return dup_n(base, n);
}

struct policy *policy_load(const char *name_or_path, const char *policy_dir,
                           const char *calendar_dir, struct strlist *errors)
{
	struct reader r;
	struct policy *p;
	char path[PATH_MAX_LEN], *text, *line, *next, *dir_of_policy = NULL;
	int seen[K__COUNT] = { 0 };
	struct cal_lines cals[2] = { { NULL, 0 }, { NULL, 0 } };
	int lineno = 0;

	r.errors = errors;
	r.nproblems = 0;
	r.path = name_or_path ? name_or_path : "(null)";
	if (name_or_path == NULL || *name_or_path == '\0') {
		problem(&r, 0, "no policy named");
		return NULL;
	}
	if (strchr(name_or_path, '/') != NULL || policy_dir == NULL) {
		if (join_path(path, sizeof path, NULL, 0, name_or_path, "") != 0) {
			problem(&r, 0, "policy name too long");
			return NULL;
		}
	} else {
		size_t n = strlen(name_or_path);
		const char *suffix = n > 7 && strcmp(name_or_path + n - 7, ".policy") == 0
		                     ? "" : ".policy";

		if (join_path(path, sizeof path, policy_dir, strlen(policy_dir),
		              name_or_path, suffix) != 0) {
			problem(&r, 0, "policy name too long");
			return NULL;
		}
	}
	r.path = path;

	p = calloc(1, sizeof *p);
	if (p == NULL) {
		problem(&r, 0, "out of memory");
		return NULL;
	}
	closures_init(&p->working_closures);
	closures_init(&p->school_closures);
	p->day_start_min = 9 * 60;
	p->day_end_min = 17 * 60;
	for (int w = 0; w < 3; w++)
		if (alert_list_parse(default_alerts[w], policy_alerts(p, w), NULL, 0) != 0)
			problem(&r, 0, "internal error: default alerts");
	p->digest_min = 8 * 60 + 30;
	p->path = strdup(path);
	p->timezone = strdup(DEFAULT_TIMEZONE);
	if (p->path == NULL || p->timezone == NULL) {
		problem(&r, 0, "out of memory");
		policy_free(p);
		return NULL;
	}
	r.path = p->path;

	text = read_policy_text(&r);
	if (text == NULL) {
		policy_free(p);
		return NULL;
	}
	for (line = text; line != NULL; line = next) {
		size_t n;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n > POLICY_MAX_LINE) {
			problem(&r, lineno, "line longer than %d bytes", POLICY_MAX_LINE);
			continue;
		}
		handle_line(&r, lineno, line, p, seen, cals);
	}
	free(text);

	/* Calendar names without a '/' live in calendar_dir; with no
	 * calendar_dir, beside the policy file. */
	if (calendar_dir == NULL) {
		const char *slash = strrchr(p->path, '/');

		dir_of_policy = slash ? dup_n(p->path, (size_t)(slash - p->path + 1))
		                      : strdup("./");
		if (dir_of_policy == NULL)
			problem(&r, 0, "out of memory");
		calendar_dir = dir_of_policy;
	}
	if (cals[0].value)
		load_calendars(&r, cals[0].line, cals[0].value, calendar_dir,
		               &p->working_closures);
	if (cals[1].value)
		load_calendars(&r, cals[1].line, cals[1].value, calendar_dir,
		               &p->school_closures);
	/* A school day is a working day not in a school closure, so every
	 * working closure is a school closure too. */
	if (closures_add_all(&p->school_closures, &p->working_closures) != 0)
		problem(&r, cals[1].line, "too many school closure days");
	free(cals[0].value);
	free(cals[1].value);
	free(dir_of_policy);

	if (p->name == NULL && (p->name = name_from_path(p->path)) == NULL)
		problem(&r, 0, "out of memory");
	check_alert_times(&r, p);
	if (r.nproblems > 0) {
		policy_free(p);
		return NULL;
	}
	/* builtin zones live as long as the process: no free */
	p->zone = icaltimezone_get_builtin_timezone(p->timezone);
	return p;
}

/* Six months before a calendar's last closure, warn (SPEC 6): long
 * enough for an LA to get next year's term dates agreed. */
#define CALENDAR_WARN_DAYS 183

static int warn_sources(const struct closures *c, long today, struct strlist *out,
                        struct strlist *seen)
{
	int n = 0;

	for (size_t i = 0; i < c->nsrc; i++) {
		const struct closure_source *src = &c->src[i];
		char line[512], last[16];
		struct ymd d;

		if (src->last_day - today > CALENDAR_WARN_DAYS || strlist_contains(seen, src->name))
			continue;
		(void)strlist_add(seen, src->name);
		ymd_from_days(src->last_day, &d);
		snprintf(last, sizeof last, "%04d-%02d-%02d", d.y, d.m, d.d);
		snprintf(line, sizeof line,
		         "warning: calendar %s %s on %s (its last closure): deadlines after "
		         "that date are computed without holidays and marked calendar-incomplete; "
		         "add the next dates to it",
		         src->name, src->last_day < today ? "ran out" : "runs out", last);
		if (strlist_add(out, line) == 0)
			n++;
	}
	return n;
}

int policy_calendar_warnings(const struct policy *p, time_t now, struct strlist *out)
{
	struct strlist seen = STRLIST_INIT;
	long today = (long)(now / 86400);
	int n;

	if (p == NULL || out == NULL)
		return 0;
	n = warn_sources(&p->working_closures, today, out, &seen);
	n += warn_sources(&p->school_closures, today, out, &seen);
	strlist_free(&seen);
	return n;
}
const char *policy_immediate_action(const struct policy *p)
{
	return p->immediate_action[0] ? p->immediate_action
	       : "Contact the MASH / children's social care today and record it on the case.";
}

const char *policy_escalation_action(const struct policy *p)
{
	return p->escalation_action[0] ? p->escalation_action
	       : "Refer the case along your CME policy's escalation route (the CME manager) "
	         "and record it on the case.";
}

const struct strlist *policy_archive_checks(const struct policy *p)
{
	return &p->archive_checks;
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->path);
	free(p->timezone);
	closures_free(&p->working_closures);
	closures_free(&p->school_closures);
	strlist_free(&p->archive_checks);
	free(p);
}

/*
 * alerts.c - the `*_alerts` policy lines and the alert times of a
 * deadline.  See alerts.h.
 *
 * Syntax (one line per deadline kind, comma-separated, at most
 * POLICY_MAX_ALERTS):
 *     on-arrival
 *     N working-days before HH:MM     N school-days before HH:MM
 *     due-day HH:MM
 *     none                            (alone: no alert at all)
 * Words are case-insensitive; "working days" may be written with a space
 * and "working-day" in the singular.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alerts.h"
#include "deadline.h"

#define ALERT_MAX_DAYS_BEFORE 60

/* The words of an alert, as a table: a form is its words in order, with
 * "#" for the number and "@" for the HH:MM. */
static const struct {
	const char *form;
	enum alert_anchor anchor;
	int school;
} alert_forms[] = {
	{ "on-arrival", ALERT_ON_ARRIVAL, 0 },
	{ "on arrival", ALERT_ON_ARRIVAL, 0 },
	{ "due-day @", ALERT_DUE_DAY, 0 },
	{ "due day @", ALERT_DUE_DAY, 0 },
	{ "# working-days before @", ALERT_DAYS_BEFORE, 0 },
	{ "# working-day before @", ALERT_DAYS_BEFORE, 0 },
	{ "# working days before @", ALERT_DAYS_BEFORE, 0 },
	{ "# working day before @", ALERT_DAYS_BEFORE, 0 },
	{ "# school-days before @", ALERT_DAYS_BEFORE, 1 },
	{ "# school-day before @", ALERT_DAYS_BEFORE, 1 },
	{ "# school days before @", ALERT_DAYS_BEFORE, 1 },
	{ "# school day before @", ALERT_DAYS_BEFORE, 1 },
};

/* "HH:MM" or "H:MM" at *s; advances it.  Minutes after midnight or -1. */
static int read_hhmm(const char **s, const char *end)
{
	const char *p = *s;
	int h = 0, m, digits = 0;

	while (p < end && isdigit((unsigned char)*p) && digits < 2) {
		h = h * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || p + 3 > end || *p != ':' || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]))
		return -1;
	m = (p[1] - '0') * 10 + (p[2] - '0');
	if (h > 23 || m > 59)
		return -1;
	*s = p + 3;
	return h * 60 + m;
}

/* Match one alert, text[0..len) trimmed, against a form. */
static int match_form(const char *s, const char *end, const char *form, struct alert_spec *a)
{
	while (*form) {
		if (*form == ' ') {
			if (s == end || !isspace((unsigned char)*s))
				return 0;
			while (s < end && isspace((unsigned char)*s))
				s++;
			form++;
		} else if (*form == '#') {
			long n = 0;
			int digits = 0;

			while (s < end && isdigit((unsigned char)*s) && digits < 4) {
				n = n * 10 + (*s++ - '0');
				digits++;
			}
			if (digits == 0 || n < 1 || n > ALERT_MAX_DAYS_BEFORE)
				return 0;
			a->n = (int)n;
			form++;
		} else if (*form == '@') {
			if ((a->at_min = read_hhmm(&s, end)) < 0)
				return 0;
			form++;
		} else {
			if (s == end || tolower((unsigned char)*s) != *form)
				return 0;
			s++;
			form++;
		}
	}
	return s == end;
}

static void set_err(char *err, size_t errlen, const char *msg, const char *s, size_t n)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s '%.*s'", msg, (int)(n > 60 ? 60 : n), s);
}

int alert_list_parse(const char *text, struct alert_list *out, char *err, size_t errlen)
{
	struct alert_list al;
	const char *s = text;

	memset(&al, 0, sizeof al);
	if (text == NULL || out == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, "none", 4) == 0) {
		const char *t = s + 4;

		while (isspace((unsigned char)*t))
			t++;
		if (*t == '\0') {
			*out = al;
			return 0;
		}
	}
	{
		const char *e = s + strlen(s);

		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s && e[-1] == ',') {
			set_err(err, errlen, "empty alert after the last comma", "", 0);
			return -1;
		}
	}
	while (*s) {
		const char *start, *end, *comma = strchr(s, ',');
		struct alert_spec a;
		size_t f;

		end = comma ? comma : s + strlen(s);
		start = s;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		memset(&a, 0, sizeof a);
		for (f = 0; f < sizeof alert_forms / sizeof alert_forms[0]; f++)
			if (match_form(start, end, alert_forms[f].form, &a))
				break;
		if (f == sizeof alert_forms / sizeof alert_forms[0]) {
			set_err(err, errlen, start == end ? "empty alert" : "unknown alert",
			        start, (size_t)(end - start));
			return -1;
		}
		if (al.n >= POLICY_MAX_ALERTS) {
			set_err(err, errlen, "more than 6 alerts at", start, (size_t)(end - start));
			return -1;
		}
		a.anchor = alert_forms[f].anchor;
		a.school = alert_forms[f].school;
		al.a[al.n++] = a;
		s = comma ? comma + 1 : end + strlen(end);
	}
	if (al.n == 0) {
		set_err(err, errlen, "no alert (write 'none' for none)", "", 0);
		return -1;
	}
	al.line = out->line;
	*out = al;
	return 0;
}

void alert_list_format(const struct alert_list *al, char *out, size_t outlen)
{
	size_t o = 0;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	if (al == NULL || al->n == 0) {
		snprintf(out, outlen, "none");
		return;
	}
	for (size_t i = 0; i < al->n && o < outlen; i++) {
		const struct alert_spec *a = &al->a[i];
		const char *sep = i ? ", " : "";
		int w;

		if (a->anchor == ALERT_ON_ARRIVAL)
			w = snprintf(out + o, outlen - o, "%son-arrival", sep);
		else if (a->anchor == ALERT_DUE_DAY)
			w = snprintf(out + o, outlen - o, "%sdue-day %02d:%02d", sep,
			             a->at_min / 60, a->at_min % 60);
		else
			w = snprintf(out + o, outlen - o, "%s%d %s before %02d:%02d", sep, a->n,
			             a->school ? (a->n == 1 ? "school-day" : "school-days")
			                       : (a->n == 1 ? "working-day" : "working-days"),
			             a->at_min / 60, a->at_min % 60);
		if (w < 0)
			return;
		o += (size_t)w;
	}
}

const struct alert_list *policy_alerts_for(const struct policy *p, enum deadline_kind kind)
{
	switch (kind) {
	case DL_KIND_HOME_VISIT: return &p->home_visit_alerts;
	case DL_KIND_ESCALATION: return &p->escalation_alerts;
	case DL_KIND_LONG_TERM_REVIEW: return &p->long_term_alerts;
	default: return NULL;
	}
}

size_t deadline_alerts(const struct policy *p, const struct alert_list *al, time_t set_at,
                       time_t due, time_t out[ALERTS_MAX])
{
	size_t n = 0;

	if (p == NULL || al == NULL || due == (time_t)-1)
		return 0;
	for (size_t i = 0; i < al->n && i < ALERTS_MAX; i++) {
		const struct alert_spec *a = &al->a[i];
		struct ymd day;
		time_t t;
		size_t k;

		switch (a->anchor) {
		case ALERT_ON_ARRIVAL:
			t = set_at;
			break;
		case ALERT_DUE_DAY:
			deadline_local_date(p, due, &day);
			t = deadline_time_at(p, &day, a->at_min);
			break;
		default:
			t = deadline_day_before(p, due, a->n, a->school, a->at_min);
			break;
		}
		if (t == (time_t)-1)
			continue;
		/* An alert before the deadline was set is past already (the
		 * on-arrival alert stands for it); one that would fire at
		 * night or on a closed day waits for the next working-day
		 * start; one after the due time is too late to help. */
		if (a->anchor != ALERT_ON_ARRIVAL && t < set_at)
			continue;
		t = deadline_in_working_hours(p, t);
		if (t == (time_t)-1 || t > due)
			continue;
		for (k = 0; k < n && out[k] != t; k++)
			;
		if (k < n)
			continue;
		/* insert sorted */
		for (k = n; k > 0 && out[k - 1] > t; k--)
			out[k] = out[k - 1];
		out[k] = t;
		n++;
	}
	return n;
}

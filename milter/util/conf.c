/*
 * conf.c - cme-milter.conf(5).  See conf.h.
 *
 * Owns: the table of configuration keys.  Each row names a key, how its
 * value is read, and where it is stored; conf_load walks lines and looks
 * keys up in the table, so adding a key is adding a row (and a line in
 * cme-milter.conf.5).  Keys are case-insensitive, as in opendkim.conf.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

enum conf_type {
	CT_STRING,      /* replace */
	CT_LIST,        /* each line appends; whitespace/comma separated */
	CT_BOOL,        /* yes/no/true/false/1/0 */
	CT_OCTAL,
	CT_SIZE,
	CT_SECONDS,
	CT_ON_ERROR,
	CT_DETAIL,
};

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;
	const char *default_value;   /* NULL: no default */
	int required;
};

#define OFF(field) offsetof(struct cme_conf, field)

static const struct conf_key conf_keys[] = {
	{ "Socket", CT_STRING, OFF(socket), "local:/run/cme-milter/cme-milter.sock", 0 },
	{ "UserID", CT_STRING, OFF(user_id), "cme-milter", 0 },
	{ "UMask", CT_OCTAL, OFF(umask_value), "007", 0 },
	{ "PidFile", CT_STRING, OFF(pid_file), NULL, 0 },
	{ "Syslog", CT_BOOL, OFF(syslog), "yes", 0 },
	{ "SyslogFacility", CT_STRING, OFF(syslog_facility), "mail", 0 },
	{ "Mailbox", CT_LIST, OFF(mailboxes), NULL, 1 },
	{ "Database", CT_STRING, OFF(database), CME_LOCALSTATEDIR "/lib/cme-milter/cases.db", 0 },
	{ "Policy", CT_STRING, OFF(policy), "default", 0 },
	{ "PolicyDir", CT_STRING, OFF(policy_dir), CME_PKGDATADIR "/policies", 0 },
	{ "CalendarDir", CT_STRING, OFF(calendar_dir), CME_PKGDATADIR "/calendars", 0 },
	{ "ShippedVocabularyDir", CT_STRING, OFF(shipped_vocabulary_dir), CME_PKGDATADIR "/vocabulary", 0 },
	{ "VocabularyDir", CT_STRING, OFF(vocabulary_dir), CME_SYSCONFDIR "/cme-milter/vocabulary.d", 0 },
	{ "ReminderDir", CT_STRING, OFF(reminder_dir), CME_LOCALSTATEDIR "/lib/cme-milter/reminders", 0 },
	{ "DutyOfficer", CT_STRING, OFF(duty_officer), NULL, 1 },
	{ "EscalationContact", CT_STRING, OFF(escalation_contact), NULL, 0 },
	{ "OfficerMap", CT_STRING, OFF(officer_map), NULL, 0 },
	{ "NotifyOfficers", CT_BOOL, OFF(notify_officers), "yes", 0 },
	{ "SendmailPath", CT_STRING, OFF(sendmail_path), "/usr/sbin/sendmail", 0 },
	{ "ReminderEchoWait", CT_SECONDS, OFF(reminder_echo_wait), "90", 0 },
	{ "StatusInterval", CT_SECONDS, OFF(status_interval), "3600", 0 },
	{ "SubjectTag", CT_BOOL, OFF(subject_tag), "yes", 0 },
	{ "ReminderDetail", CT_DETAIL, OFF(reminder_detail), "minimal", 0 },
	{ "TrustedAuthservIDs", CT_LIST, OFF(trusted_authserv_ids), NULL, 0 },
	{ "InternalHosts", CT_LIST, OFF(internal_hosts), "127.0.0.1/8", 0 },
	{ "TrustedSenderDomains", CT_LIST, OFF(trusted_sender_domains), NULL, 0 },
	{ "PublicSuffixes", CT_LIST, OFF(public_suffixes), NULL, 0 },
	/* none: the domain of the first Mailbox (officer_mail.c) */
	{ "Officers", CT_LIST, OFF(officers), NULL, 0 },
	{ "On-InternalError", CT_ON_ERROR, OFF(on_internal_error), "tempfail", 0 },
	{ "MaxMessageSize", CT_SIZE, OFF(max_message_size), "26214400", 0 },
	{ "MaxMemory", CT_SIZE, OFF(max_memory), "268435456", 0 },
	/* NULL: the domain of the first Mailbox (conf_calendar_domain). */
	{ "CalendarDomain", CT_STRING, OFF(calendar_domain), NULL, 0 },
};

#define NKEYS (sizeof conf_keys / sizeof conf_keys[0])

const char *conf_default_path(void)
{
	return CME_SYSCONFDIR "/cme-milter/cme-milter.conf";
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Store `value` for key k.  Returns NULL or a problem description. */
static const char *conf_set(struct cme_conf *c, const struct conf_key *k,
                            const char *value, int replace_list)
{
	void *slot = (char *)c + k->offset;
	char *end;

	switch (k->type) {
	case CT_STRING: {
		char *copy = strdup(value);

		if (copy == NULL)
			return "out of memory";
		free(*(char **)slot);
		*(char **)slot = copy;
		return NULL;
	}
	case CT_LIST: {
		struct strlist *l = slot;
		const char *p = value;

		if (replace_list)
			strlist_free(l);
		/* "none" empties a list (e.g. InternalHosts none: no client
		 * network counts as authenticated). */
		if (strcasecmp(value, "none") == 0)
			return NULL;
		while (*p) {
			size_t n;

			while (*p && (isspace((unsigned char)*p) || *p == ','))
				p++;
			n = strcspn(p, " \t,");
			if (n && strlist_addn(l, p, n) != 0)
				return "out of memory";
			p += n;
		}
		return NULL;
	}
	case CT_BOOL:
		return parse_bool(value, slot) == 0 ? NULL : "expected yes or no";
	case CT_OCTAL: {
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 8);
		if (errno || *end || v > 0777)
			return "expected an octal mode such as 007";
		*(unsigned *)slot = (unsigned)v;
		return NULL;
	}
	case CT_SIZE: {
		unsigned long long v;

		errno = 0;
		v = strtoull(value, &end, 10);
		if (errno || *end || v < 1024 || v > (1ULL << 31))
			return "expected a size in bytes between 1024 and 2147483648";
		*(size_t *)slot = (size_t)v;
		return NULL;
	}
	case CT_SECONDS: {
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno || *end || end == value || v > 86400)
			return "expected a number of seconds between 0 and 86400";
		*(int *)slot = (int)v;
		return NULL;
	}
	case CT_ON_ERROR:
		if (strcasecmp(value, "tempfail") == 0)
			*(enum on_error *)slot = ON_ERROR_TEMPFAIL;
		else if (strcasecmp(value, "accept") == 0)
			*(enum on_error *)slot = ON_ERROR_ACCEPT;
		else
			return "expected tempfail or accept";
		return NULL;
	case CT_DETAIL:
		if (strcasecmp(value, "minimal") == 0)
			*(enum reminder_detail *)slot = DETAIL_MINIMAL;
		else if (strcasecmp(value, "full") == 0)
			*(enum reminder_detail *)slot = DETAIL_FULL;
		else
			return "expected minimal or full";
		return NULL;
	}
	return "internal error";
}

void conf_defaults(struct cme_conf *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NKEYS; i++)
		if (conf_keys[i].default_value)
			(void)conf_set(c, &conf_keys[i], conf_keys[i].default_value, 1);
}

static void add_problem(struct strlist *errors, const char *path, int line,
                        const char *what, const char *key)
{
	char buf[512];

	if (key)
		snprintf(buf, sizeof buf, "%s:%d: %s: %s", path, line, key, what);
	else
		snprintf(buf, sizeof buf, "%s:%d: %s", path, line, what);
	(void)strlist_add(errors, buf);
}

int conf_load(struct cme_conf *c, const char *path, struct strlist *errors)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, problems = 0;
	unsigned char seen[NKEYS] = { 0 };

	if (f == NULL) {
		char buf[512];

		snprintf(buf, sizeof buf, "%s: cannot open: %s", path, strerror(errno));
		(void)strlist_add(errors, buf);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *p = line, *key, *value, *e;
		size_t i;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int ch;

			add_problem(errors, path, lineno, "line too long", NULL);
			problems++;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		if ((e = strchr(p, '#')) != NULL)
			*e = '\0';
		while (isspace((unsigned char)*p))
			p++;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*p == '\0')
			continue;
		key = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		value = p;
		for (i = 0; i < NKEYS; i++)
			if (strcasecmp(conf_keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			add_problem(errors, path, lineno, "unknown key", key);
			problems++;
			continue;
		}
		if (*value == '\0') {
			add_problem(errors, path, lineno, "missing value", conf_keys[i].name);
			problems++;
			continue;
		}
		/* A list key given in the file replaces its default; later
		 * lines of the same key add to it. */
		const char *why = conf_set(c, &conf_keys[i], value, !seen[i]);

		seen[i] = 1;
		if (why) {
			add_problem(errors, path, lineno, why, conf_keys[i].name);
			problems++;
		}
	}
	fclose(f);
	return problems ? -1 : 0;
}

/* A domain name: labels of letters, digits and '-', joined by dots. */
static int domain_ok(const char *d)
{
	size_t n = strlen(d), label = 0;

	if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
		return 0;
	for (const char *p = d; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

const char *conf_calendar_domain(const struct cme_conf *c)
{
	const char *at;

	if (c->calendar_domain != NULL)
		return c->calendar_domain;
	if (c->mailboxes.n > 0 && (at = strrchr(c->mailboxes.v[0], '@')) != NULL &&
	    domain_ok(at + 1))
		return at + 1;
	return "cme-milter.invalid";
}

int conf_check(const struct cme_conf *c, struct strlist *errors)
{
	int problems = 0;

	if (c->calendar_domain != NULL && !domain_ok(c->calendar_domain)) {
		(void)strlist_add(errors, "CalendarDomain: expected a domain name such as la.gov.uk");
		problems++;
	}

	for (size_t i = 0; i < NKEYS; i++) {
		const void *slot = (const char *)c + conf_keys[i].offset;
		int missing;

		if (!conf_keys[i].required)
			continue;
		if (conf_keys[i].type == CT_LIST)
			missing = ((const struct strlist *)slot)->n == 0;
		else
			missing = *(char *const *)slot == NULL;
		if (missing) {
			char buf[256];

			snprintf(buf, sizeof buf, "%s is required but not set", conf_keys[i].name);
			(void)strlist_add(errors, buf);
			problems++;
		}
	}
	return problems;
}

void conf_free(struct cme_conf *c)
{
	for (size_t i = 0; i < NKEYS; i++) {
		void *slot = (char *)c + conf_keys[i].offset;

		if (conf_keys[i].type == CT_STRING)
			free(*(char **)slot);
		else if (conf_keys[i].type == CT_LIST)
			strlist_free(slot);
	}
	memset(c, 0, sizeof *c);
}

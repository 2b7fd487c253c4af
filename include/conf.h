/*
 * conf.h - cme-milter.conf(5): "Key value" lines, '#' comments.
 *
 * Owns: struct cme_conf.  The set of keys is one table in conf.c (name,
 * type, default, where it is stored); nothing else parses config text.
 * Both cme-milter and cmectl read the same file through this module.
 */
#ifndef CME_CONF_H
#define CME_CONF_H

#include <stddef.h>
#include "strlist.h"

enum on_error { ON_ERROR_TEMPFAIL, ON_ERROR_ACCEPT };
enum reminder_detail { DETAIL_MINIMAL, DETAIL_FULL };

struct cme_conf {
	char *socket;                 /* Socket */
	char *user_id;                /* UserID  user[:group] */
	unsigned umask_value;         /* UMask (octal) */
	char *pid_file;               /* PidFile */
	int   syslog;                 /* Syslog yes|no */
	char *syslog_facility;        /* SyslogFacility */
	struct strlist mailboxes;     /* Mailbox (repeatable) */
	char *database;               /* Database */
	char *policy;                 /* Policy name or path */
	char *policy_dir;             /* PolicyDir */
	char *calendar_dir;           /* CalendarDir */
	char *shipped_vocabulary_dir; /* ShippedVocabularyDir */
	char *vocabulary_dir;         /* VocabularyDir (the LA's additions) */
	char *reminder_dir;           /* ReminderDir */
	char *duty_officer;           /* DutyOfficer */
	char *escalation_contact;     /* EscalationContact */
	char *officer_map;            /* OfficerMap */
	int   notify_officers;        /* NotifyOfficers yes|no */
	int   reminder_echo_wait;     /* ReminderEchoWait seconds */
	int   status_interval;        /* StatusInterval seconds; 0: no status line */
	char *sendmail_path;          /* SendmailPath */
	int   subject_tag;            /* SubjectTag yes|no */
	enum reminder_detail reminder_detail; /* ReminderDetail */
	struct strlist trusted_authserv_ids;  /* TrustedAuthservIDs */
	struct strlist internal_hosts;        /* InternalHosts (CIDR list) */
	struct strlist trusted_sender_domains;/* TrustedSenderDomains */
	struct strlist public_suffixes;       /* PublicSuffixes: added to the PSL */
	struct strlist officers;              /* Officers: addresses, @domains or
	                                         domains (empty: the first
	                                         Mailbox's domain) */
	enum on_error on_internal_error;      /* On-InternalError */
	size_t max_message_size;      /* MaxMessageSize */
	size_t max_memory;            /* MaxMemory (membudget.h) */
	char *calendar_domain;        /* CalendarDomain, or NULL */
};

/* Fill *c with every key's default. */
void conf_defaults(struct cme_conf *c);

/* Read `path` over the defaults.  On error returns -1 and writes
 * "file:line: problem" lines (one per problem, all of them) to *errors. */
int  conf_load(struct cme_conf *c, const char *path, struct strlist *errors);

/* Problems a complete configuration must not have (missing required
 * keys, ...), appended to *errors.  Returns the number found. */
int  conf_check(const struct cme_conf *c, struct strlist *errors);

void conf_free(struct cme_conf *c);

/* The right-hand side of every event UID (SPEC 3.2): CalendarDomain, or
 * the domain of the first Mailbox - never the host name, so that two
 * installations never share UIDs and renaming the server changes none.
 * "cme-milter.invalid" only when there is no Mailbox (conf_check fails
 * then). */
const char *conf_calendar_domain(const struct cme_conf *c);

/* Default config file path: $(sysconfdir)/cme-milter/cme-milter.conf */
const char *conf_default_path(void);

#endif

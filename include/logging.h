/*
 * NAME
 *	logging.h - one place that decides where messages go.
 *
 * PURPOSE
 *	log_msg writes one line to syslog (Syslog yes, the default) or to
 *	stderr as "IDENT: text" (Syslog no; and before log_open, with IDENT
 *	"cme": cmectl opens the log only for a purge).
 *
 * OWNS
 *	The process's log destination and ident.  Rule for every caller
 *	(README, "Logs"): a line carries queue IDs, actions, case
 *	references, counts, timings and configuration or system errors;
 *	never a child's name, date of birth or address, a subject, or a
 *	Message-ID (chosen by the sender, it could contain anything).
 *
 * RETURN CONVENTIONS
 *	log_facility_from_name: the LOG_* facility, or -1 if unknown.
 *
 * CONCURRENCY
 *	log_open once, before threads start (it sets the ident and
 *	destination that every thread reads); log_msg from any thread
 *	(syslog(3) locks for itself; a stderr line, cut at 8 KB, is one
 *	write, so lines logged at once by several threads never mix).
 */
#ifndef CME_LOGGING_H
#define CME_LOGGING_H

#include <syslog.h>

void log_open(const char *ident, int use_syslog, int facility);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int  log_facility_from_name(const char *name);

#endif

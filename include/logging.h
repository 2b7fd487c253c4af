/*
 * logging.h - one place that decides where messages go.
 *
 * Owns: the process's log destination (syslog or stderr).
 * Rule for every caller: no child's name, date of birth or address is
 * ever logged; log case references, queue IDs and Message-IDs only.
 */
#ifndef CME_LOGGING_H
#define CME_LOGGING_H

#include <syslog.h>

void log_open(const char *ident, int use_syslog, int facility);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int  log_facility_from_name(const char *name);      /* -1 if unknown */

#endif

/*
 * logging.c - syslog or stderr.  See logging.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "logging.h"

#define LOG_LINE_MAX 8192

static int log_to_syslog;
static const char *log_ident = "cme";

void log_open(const char *ident, int use_syslog, int facility)
{
	log_ident = ident;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_to_syslog) {
		vsyslog(priority, fmt, ap);
	} else {
		/* One line, one write: the milter's threads log at once, and
		 * three writes per line (ident, text, newline) interleaved
		 * into lines that were half one message, half another.  A
		 * longer line is cut, as syslog would. */
		char line[LOG_LINE_MAX];
		int n = snprintf(line, sizeof line, "%s: ", log_ident);
		size_t len;

		if (n < 0)
			n = 0;
		line[n < (int)sizeof line ? n : (int)sizeof line - 1] = '\0';
		if ((size_t)n < sizeof line - 1)
			(void)vsnprintf(line + n, sizeof line - 1 - (size_t)n, fmt, ap);
		len = strnlen(line, sizeof line - 2);
		line[len++] = '\n';
		(void)fwrite(line, 1, len, stderr);
	}
	va_end(ap);
}

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int log_facility_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].facility;
	return -1;
}

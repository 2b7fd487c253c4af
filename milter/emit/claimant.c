/*
 * claimant.c - outbox claimant names and liveness.  See claimant.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "claimant.h"

/* Start time of process `pid` in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it cannot be read (no such process). */
static unsigned long long start_time_of(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': skip to the
	 * last ')' and count fields from field 3. */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

void claimant_self(char *out, size_t outlen, const char *host)
{
	long pid = (long)getpid();

	snprintf(out, outlen, "%ld.%llu@%s", pid, start_time_of(pid), host);
}

int claimant_alive(const char *name, const char *host)
{
	char *end;
	const char *at;
	long pid;
	unsigned long long start;

	if (name == NULL || (at = strchr(name, '@')) == NULL || strcmp(at + 1, host) != 0)
		return 1;       /* another host's: only its lease can tell */
	errno = 0;
	pid = strtol(name, &end, 10);
	if (errno || end == name || *end != '.' || pid <= 0)
		return 1;
	start = strtoull(end + 1, &end, 10);
	if (end != at)
		return 1;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 0;
	return start_time_of(pid) == start;
}

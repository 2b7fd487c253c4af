/*
 * ical-check.c - standalone iCalendar validator for the end-to-end tests.
 *
 * Owns: `ical-check FILE...`.  Each file is parsed with libical and every
 * component and property walked; a file fails when libical reported a
 * parse problem (an X-LIC-ERROR property anywhere), the root is not one
 * VCALENDAR, a required property is missing (VERSION/PRODID on the
 * calendar; UID/DTSTAMP/DTSTART on a VEVENT; ACTION/TRIGGER on a VALARM),
 * DTEND precedes DTSTART, or libical's iTIP restriction check complains.
 * The restriction tables are keyed by METHOD; a feed without METHOD is
 * checked against libical's METHOD-less table (RFC 5545 basics).
 *
 * Prints "ok FILE: N events" per good file; problems go to stderr, one
 * line each, naming the file.  Exit 0 when every file is good, 1 when any
 * is bad, 2 on a usage error.  Links only libical, so the e2e tests can
 * judge the product's output with a tool that shares none of its code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

/* A calendar feed larger than this is a bug in itself. */
#define MAX_FILE (64u * 1024 * 1024)

static const char *cur_file;
static int cur_problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ical-check: %s: ", cur_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cur_problems++;
}

/* Read a whole file, refusing one over MAX_FILE or holding a NUL byte
 * (libical would silently stop parsing at it). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, len = 0, r;
	char *buf, *nbuf;

	if (f == NULL) {
		problem("cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		problem("out of memory");
		fclose(f);
		return NULL;
	}
	while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			if (cap >= MAX_FILE) {
				problem("larger than %u bytes", MAX_FILE);
				free(buf);
				fclose(f);
				return NULL;
			}
			cap *= 2;
			nbuf = realloc(buf, cap + 1);
			if (nbuf == NULL) {
				problem("out of memory");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nbuf;
		}
	}
	if (ferror(f)) {
		problem("read error: %s", strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		problem("contains a NUL byte at offset %zu", strlen(buf));
		free(buf);
		return NULL;
	}
	return buf;
}

/* Where a component is, for messages: "VEVENT UID=..." or its kind. */
static void describe(icalcomponent *c, char *out, size_t outlen)
{
	icalproperty *uid = icalcomponent_get_first_property(c,
	                                                 ICAL_UID_PROPERTY);
	const char *kind = icalcomponent_kind_to_string(icalcomponent_isa(c));

	if (uid != NULL && icalproperty_get_uid(uid) != NULL)
		snprintf(out, outlen, "%s UID=%s", kind ? kind : "?",
		         icalproperty_get_uid(uid));
	else
		snprintf(out, outlen, "%s", kind ? kind : "?");
}

/* Report every X-LIC-ERROR under c (c included); returns how many. */
static int report_errors(icalcomponent *c, const char *stage)
{
	icalproperty *p;
	icalcomponent *sub;
	const char **msgs = NULL, **nm;
	size_t nmsgs = 0, cap = 0, i, j;
	char where[512];
	int n = 0;

	/* Collect first: libical keeps one property iterator per component,
	 * so looking back while iterating is not possible. */
	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p != NULL;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);

		n++;
		if (nmsgs == cap) {
			cap = cap ? cap * 2 : 8;
			nm = realloc(msgs, cap * sizeof *msgs);
			if (nm == NULL) {
				problem("out of memory");
				break;
			}
			msgs = nm;
		}
		msgs[nmsgs++] = msg ? msg : "(no text)";
	}
	describe(c, where, sizeof where);
	for (i = 0; i < nmsgs; i++) {
		/* libical 3.0's restriction check files the same finding once
		 * per property it visits: say each thing once. */
		for (j = 0; j < i; j++)
			if (strcmp(msgs[j], msgs[i]) == 0)
				break;
		if (j == i)
			problem("%s: %s: %s", stage, where, msgs[i]);
	}
	free(msgs);

	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += report_errors(sub, stage);
	return n;
}

/* Remove all X-LIC-ERROR properties under c, so the restriction check's
 * own findings can be told apart from parse errors already reported. */
static void strip_errors(icalcomponent *c)
{
	icalproperty *p, *next;
	icalcomponent *sub;

	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p != NULL; p = next) {
		next = icalcomponent_get_next_property(c,
		                                       ICAL_XLICERROR_PROPERTY);
		icalcomponent_remove_property(c, p);
		icalproperty_free(p);
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		strip_errors(sub);
}

static void need(icalcomponent *c, icalproperty_kind kind, const char *name)
{
	char where[512];

	if (icalcomponent_get_first_property(c, kind) == NULL) {
		describe(c, where, sizeof where);
		problem("%s lacks %s", where, name);
	}
}

/* Structural checks on every component; counts VEVENTs. */
static void walk(icalcomponent *c, int *events)
{
	icalcomponent_kind k = icalcomponent_isa(c);
	icalcomponent *sub;
	icalproperty *p;
	char where[512];
	int nprops = 0;

	/* Touch every property: a property libical could not type comes
	 * back as ICAL_NO_PROPERTY or with no value. */
	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
	     p != NULL;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		nprops++;
		if (icalproperty_isa(p) == ICAL_NO_PROPERTY ||
		    icalproperty_get_value(p) == NULL) {
			describe(c, where, sizeof where);
			problem("%s: property %d has no usable value", where,
			        nprops);
		}
	}

	switch (k) {
	case ICAL_VEVENT_COMPONENT: {
		icalproperty *s, *e;

		(*events)++;
		need(c, ICAL_UID_PROPERTY, "UID");
		need(c, ICAL_DTSTAMP_PROPERTY, "DTSTAMP");
		need(c, ICAL_DTSTART_PROPERTY, "DTSTART");
		s = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
		e = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
		if (s != NULL && e != NULL &&
		    icaltime_compare(icalproperty_get_dtend(e),
		                     icalproperty_get_dtstart(s)) < 0) {
			describe(c, where, sizeof where);
			problem("%s: DTEND before DTSTART", where);
		}
		break;
	}
	case ICAL_VALARM_COMPONENT:
		need(c, ICAL_ACTION_PROPERTY, "ACTION");
		need(c, ICAL_TRIGGER_PROPERTY, "TRIGGER");
		break;
	case ICAL_VCALENDAR_COMPONENT:
		need(c, ICAL_VERSION_PROPERTY, "VERSION");
		need(c, ICAL_PRODID_PROPERTY, "PRODID");
		break;
	default:
		break;
	}

	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(sub) == ICAL_VCALENDAR_COMPONENT) {
			problem("VCALENDAR nested inside %s",
			        icalcomponent_kind_to_string(k));
			continue;
		}
		walk(sub, events);
	}
}

static int check_file(const char *path)
{
	icalcomponent *root;
	char *text;
	int events = 0;

	cur_file = path;
	cur_problems = 0;
	text = slurp(path);
	if (text == NULL)
		return 1;
	root = icalparser_parse_string(text);
	free(text);
	if (root == NULL) {
		problem("libical could not parse it");
		return 1;
	}
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		/* Several top-level components come back as an XROOT. */
		problem("root is %s, not a single VCALENDAR",
		        icalcomponent_kind_to_string(icalcomponent_isa(root)));
		icalcomponent_free(root);
		return 1;
	}

	report_errors(root, "parse");
	walk(root, &events);

	/* icalrestriction_check adds X-LIC-ERROR properties for what it
	 * finds; start from a clean tree so only its findings are counted. */
	strip_errors(root);
	if (!icalrestriction_check(root)) {
		icalproperty *m = icalcomponent_get_first_property(root,
		                                        ICAL_METHOD_PROPERTY);
		const char *ms = m ? icalproperty_method_to_string(
		                         icalproperty_get_method(m)) : "none";

		if (report_errors(root, "restriction") == 0)
			problem("restriction check (METHOD %s) failed",
			        ms ? ms : "?");
	}
	icalcomponent_free(root);

	if (cur_problems > 0)
		return 1;
	printf("ok %s: %d events\n", path, events);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ical-check FILE...\n");
		return 2;
	}
	/* A malformed input must be reported, never abort the checker. */
	icalerror_set_errors_are_fatal(0);
	/* Load the builtin zone table once, before any parsing. */
	(void)icaltimezone_get_utc_timezone();

	for (i = 1; i < argc; i++)
		bad |= check_file(argv[i]);
	icaltimezone_free_builtin_timezones();
	return bad ? 1 : 0;
}

/*
 * reminder.c - stage 5: iCalendar reminders for the officer (SPEC 7).
 *
 * Owns: building the VCALENDAR text for a set of reminder events (a feed,
 * or an iMIP REQUEST/CANCEL) with libical, mapping an officer address to
 * a safe feed file name, and writing the feed atomically.
 *
 * Every piece of text that can come from a message (summary, description,
 * even the UID's host part) is cleaned here before libical sees it:
 * control characters and invalid UTF-8 go, lengths are bounded.  libical
 * then escapes ; , \ and newline in TEXT values, so nothing a sender
 * writes can become a property, a parameter or a line of the calendar.
 * Addresses go into CAL-ADDRESS values, which libical does NOT escape, so
 * they are validated strictly instead and refused when odd.
 */
#include "build-config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "fileio.h"
#include "reminder.h"
#include "textclean.h"

/* Bounds, in bytes of UTF-8.  A summary is a calendar title: clients cut
 * it anyway.  A description holds a few lines of case detail. */
#define SUMMARY_MAX      255
#define DESCRIPTION_MAX  4000
#define UID_MAX          255
#define ADDR_MAX         254     /* RFC 5321 path limit */
#define FEED_NAME_MAX    200     /* leaves room for ".ics" within NAME_MAX */

#define DEFAULT_SUMMARY  "CME reminder"
#define PRODID           "-//cme-milter//cme-milter//EN"
#define FEED_MODE        0640

/*
 * libical 3.0 initialises its builtin time zone table (which holds the
 * UTC zone we use) lazily and without a lock.  Doing it once here makes
 * this module safe on its own; the daemon also calls reminder_init()
 * before starting threads, because other modules use libical too.
 */
static pthread_once_t ical_once = PTHREAD_ONCE_INIT;

static void ical_init_once(void)
{
	(void)icaltimezone_get_utc_timezone();
}

void reminder_init(void)
{
	(void)pthread_once(&ical_once, ical_init_once);
}

/* ------------------------------------------------------------------ */
/* Text cleaning                                                       */

/*
 * Copy `in` to a new string fit for an iCalendar TEXT value: valid UTF-8,
 * no C0/C1 control characters or DEL, none of textclean's invisible
 * characters (a value stored before they were cleaned on the way in may
 * hold them), at most `max` bytes (cut at a character boundary),
 * leading/trailing blanks trimmed.  Controls become
 * one space, so "Jayden\r\nSmith" stays readable.  With `keep_lines`, a
 * line break (LF, CR, CRLF, U+2028, U+2029) becomes a single LF, which
 * libical writes as the two characters "\n": a DESCRIPTION keeps its lines
 * but still cannot start a new iCalendar line.  Invalid bytes become
 * U+FFFD.  Returns NULL only when out of memory.
 */
static char *clean_text(const char *in, size_t max, int keep_lines)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), i = 0, o = 0;
	char *out;
	int pending = 0;        /* 1: a space is owed, 2: a newline is owed */

	out = malloc(max + 1);
	if (out == NULL)
		return NULL;

	while (i < n) {
		unsigned cp;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		const char *bytes;
		size_t blen;

		if (len == 0) {
			bytes = "\xEF\xBF\xBD";         /* U+FFFD */
			blen = 3;
			i++;
		} else {
			bytes = (const char *)s + i;
			blen = len;
			i += len;
			if (cp == '\r' || cp == '\n' || cp == 0x2028 ||
			    cp == 0x2029) {
				if (keep_lines)
					pending = 2;
				else if (pending == 0)
					pending = 1;
				continue;
			}
			if (cp < 0x20 || cp == 0x7F || cp == ' ' ||
			    text_class_of(cp) == TEXT_BREAK) {
				if (pending == 0)
					pending = 1;
				continue;
			}
			if (text_class_of(cp) == TEXT_DROP)
				continue;       /* bidi controls, zero-width ... */
		}
		/* Owed separator, never at the start of the value. */
		if (pending && o > 0) {
			if (o + 1 + blen > max)
				break;
			out[o++] = pending == 2 ? '\n' : ' ';
		}
		pending = 0;
		if (o + blen > max)
			break;
		memcpy(out + o, bytes, blen);
		o += blen;
	}
	out[o] = '\0';
	return out;
}

/*
 * Validate a mail address for a CAL-ADDRESS ("mailto:...") value, which
 * libical writes verbatim.  Accepts an optional "mailto:" prefix.  Only
 * printable ASCII without space or the characters that are special in
 * iCalendar (; : , ") or in addresses (< > ( ) [ ] \) is allowed, with one
 * '@' that is neither first nor last.  Writes "mailto:ADDR" into out.
 */
static int make_caladdr(const char *addr, char *out, size_t outlen)
{
	const char *p;
	size_t len;
	int ats = 0;

	if (addr == NULL)
		return -1;
	if (strncasecmp(addr, "mailto:", 7) == 0)
		addr += 7;
	len = strlen(addr);
	if (len < 3 || len > ADDR_MAX)
		return -1;
	for (p = addr; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7F || strchr("\";:,<>()[]\\", c))
			return -1;
		if (c == '@')
			ats++;
	}
	if (ats != 1 || addr[0] == '@' || addr[len - 1] == '@')
		return -1;
	if ((size_t)snprintf(out, outlen, "mailto:%s", addr) >= outlen)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Building the calendar                                               */

/* Add a property, remembering failure: every libical constructor
 * returns NULL when out of memory and adding NULL is a libical error. */
static void add_prop(icalcomponent *c, icalproperty *p, int *ok)
{
	if (p == NULL) {
		*ok = 0;
		return;
	}
	icalcomponent_add_property(c, p);
}

static void add_comp(icalcomponent *parent, icalcomponent *child, int *ok)
{
	if (child == NULL) {
		*ok = 0;
		return;
	}
	icalcomponent_add_component(parent, child);
}

static struct icaltimetype utc_time(time_t t)
{
	return icaltime_from_timet_with_zone(t, 0,
	                                     icaltimezone_get_utc_timezone());
}

static void add_x_prop(icalcomponent *cal, const char *name, const char *value, int *ok)
{
	icalproperty *x = icalproperty_new_x(value);

	if (x != NULL)
		icalproperty_set_x_name(x, name);
	add_prop(cal, x, ok);
}

/* A subscribed feed: its name (Gmail, Apple and Thunderbird show it),
 * and how often to fetch it again - REFRESH-INTERVAL (RFC 7986) and
 * X-PUBLISHED-TTL (Outlook, Google). */
static void add_feed_props(icalcomponent *cal, int *ok)
{
	icalproperty *r;
	icalparameter *v;

	add_x_prop(cal, "X-WR-CALNAME", "CME reminders", ok);
	add_x_prop(cal, "X-PUBLISHED-TTL", FEED_REFRESH, ok);
	/* libical 3.0 has no REFRESH-INTERVAL constructor: an X property
	 * renamed, with VALUE=DURATION, which RFC 7986 requires. */
	r = icalproperty_new_x(FEED_REFRESH);
	v = icalparameter_new_value(ICAL_VALUE_DURATION);
	if (r != NULL && v != NULL) {
		icalproperty_set_x_name(r, "REFRESH-INTERVAL");
		icalproperty_add_parameter(r, v);
	} else if (v != NULL) {
		icalparameter_free(v);
	}
	add_prop(cal, r, ok);
}

/* A CAL-ADDRESS property with its parameters; NULL when out of memory. */
static icalproperty *new_attendee(const char *caladdr)
{
	icalproperty *p = icalproperty_new_attendee(caladdr);
	icalparameter *par[4];
	size_t i;

	if (p == NULL)
		return NULL;
	/* An automated reminder wants no reply: RSVP=FALSE.  NEEDS-ACTION
	 * and REQ-PARTICIPANT are what Outlook/Exchange and Gmail expect on
	 * an invitation they should place in the officer's calendar. */
	par[0] = icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL);
	par[1] = icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT);
	par[2] = icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION);
	par[3] = icalparameter_new_rsvp(ICAL_RSVP_FALSE);
	for (i = 0; i < 4; i++) {
		if (par[i] == NULL) {
			size_t j;

			for (j = i + 1; j < 4; j++)
				if (par[j] != NULL)
					icalparameter_free(par[j]);
			icalproperty_free(p);
			return NULL;
		}
		icalproperty_add_parameter(p, par[i]);
	}
	return p;
}

/* One VEVENT (with its VALARM when live).  NULL on failure. */
static icalcomponent *build_event(const struct reminder_event *ev,
                                  int cancelled, const char *org,
                                  const char *att)
{
	icalcomponent *ve = NULL, *alarm = NULL;
	char *uid = NULL, *summary = NULL, *desc = NULL;
	struct icaltriggertype trig;
	time_t stamp, start;
	int ok = 1;

	uid = clean_text(ev->uid, UID_MAX, 0);
	summary = clean_text(ev->summary, SUMMARY_MAX, 0);
	desc = clean_text(ev->description, DESCRIPTION_MAX, 1);
	if (uid == NULL || summary == NULL || desc == NULL)
		goto fail;
	if (uid[0] == '\0') {   /* a reminder without identity cannot be
	                         * updated or cancelled later */
		errno = EINVAL;
		goto fail;
	}
	if (summary[0] == '\0') {
		free(summary);
		summary = strdup(DEFAULT_SUMMARY);
		if (summary == NULL)
			goto fail;
	}
	start = ev->start > 0 ? ev->start : ev->due;
	if (ev->due <= 0 || start <= 0) {
		errno = EINVAL;
		goto fail;
	}
	stamp = ev->stamp > 0 ? ev->stamp : time(NULL);

	ve = icalcomponent_new_vevent();
	if (ve == NULL)
		goto fail;
	add_prop(ve, icalproperty_new_uid(uid), &ok);
	add_prop(ve, icalproperty_new_dtstamp(utc_time(stamp)), &ok);
	add_prop(ve, icalproperty_new_lastmodified(utc_time(stamp)), &ok);
	add_prop(ve, icalproperty_new_sequence(ev->sequence > 0 ?
	                                       ev->sequence : 0), &ok);
	/* The event is the instant itself (the due time, or the alert's
	 * time): no DTEND, so it is not a block of time before the
	 * deadline and its alarm is the only lead time (SPEC 7). */
	add_prop(ve, icalproperty_new_dtstart(utc_time(start)), &ok);
	add_prop(ve, icalproperty_new_summary(summary), &ok);
	if (desc[0] != '\0')
		add_prop(ve, icalproperty_new_description(desc), &ok);
	add_prop(ve, icalproperty_new_status(cancelled ? ICAL_STATUS_CANCELLED
	                                               : ICAL_STATUS_CONFIRMED),
	         &ok);
	add_prop(ve, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT), &ok);
	/* Reminders carry safeguarding detail: PRIVATE keeps it from anyone
	 * the officer shares free/busy or the calendar with. */
	add_prop(ve, icalproperty_new_class(ICAL_CLASS_PRIVATE), &ok);
	if (org != NULL)
		add_prop(ve, icalproperty_new_organizer(org), &ok);
	if (att != NULL)
		add_prop(ve, new_attendee(att), &ok);

	if (!cancelled && ev->alarm > 0) {
		alarm = icalcomponent_new_valarm();
		if (alarm == NULL)
			goto fail;
		add_comp(ve, alarm, &ok);
		add_prop(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY),
		         &ok);
		add_prop(alarm, icalproperty_new_description(summary), &ok);
		memset(&trig, 0, sizeof trig);
		trig.time = icaltime_null_time();
		/* Relative to DTSTART: Outlook ignores absolute triggers in
		 * invitations.  Negative before the event, zero at it. */
		trig.duration = icaldurationtype_from_int((int)(ev->alarm - start));
		add_prop(alarm, icalproperty_new_trigger(trig), &ok);
	}
	if (!ok) {
		errno = ENOMEM;
		goto fail;
	}
	free(uid);
	free(summary);
	free(desc);
	return ve;
fail:
	if (ve != NULL)
		icalcomponent_free(ve);     /* frees the alarm with it */
	free(uid);
	free(summary);
	free(desc);
	return NULL;
}

char *reminder_calendar_text(const struct reminder_event *ev, size_t n,
                             const char *method, const char *organizer,
                             const char *attendee)
{
	icalproperty_method m = ICAL_METHOD_NONE;
	icalcomponent *cal = NULL;
	char org[ADDR_MAX + 8], att[ADDR_MAX + 8];
	const char *orgp = NULL, *attp = NULL;
	char *ics, *out;
	size_t i;
	int ok = 1;

	reminder_init();
	if (ev == NULL && n > 0) {
		errno = EINVAL;
		return NULL;
	}
	if (method != NULL) {
		if (strcasecmp(method, "REQUEST") == 0)
			m = ICAL_METHOD_REQUEST;
		else if (strcasecmp(method, "CANCEL") == 0)
			m = ICAL_METHOD_CANCEL;
		else if (strcasecmp(method, "PUBLISH") == 0)
			m = ICAL_METHOD_PUBLISH;
		else {
			errno = EINVAL;
			return NULL;
		}
	}
	/* An address given must be a sound one: it is written verbatim. */
	if (organizer != NULL) {
		if (make_caladdr(organizer, org, sizeof org) < 0) {
			errno = EINVAL;
			return NULL;
		}
		orgp = org;
	}
	if (attendee != NULL) {
		if (make_caladdr(attendee, att, sizeof att) < 0) {
			errno = EINVAL;
			return NULL;
		}
		attp = att;
	}
	/* iTIP (RFC 5546): REQUEST and CANCEL need an ORGANIZER, REQUEST an
	 * ATTENDEE; PUBLISH must not name attendees. */
	if ((m == ICAL_METHOD_REQUEST || m == ICAL_METHOD_CANCEL) &&
	    orgp == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (m == ICAL_METHOD_REQUEST && attp == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (m == ICAL_METHOD_PUBLISH)
		attp = NULL;
	/* A REQUEST only carries live events (STATUS TENTATIVE/CONFIRMED);
	 * cancelling one is a CANCEL. */
	if (m == ICAL_METHOD_REQUEST)
		for (i = 0; i < n; i++)
			if (ev[i].cancelled) {
				errno = EINVAL;
				return NULL;
			}

	cal = icalcomponent_new_vcalendar();
	if (cal == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	add_prop(cal, icalproperty_new_version("2.0"), &ok);
	add_prop(cal, icalproperty_new_prodid(PRODID), &ok);
	add_prop(cal, icalproperty_new_calscale("GREGORIAN"), &ok);
	if (m != ICAL_METHOD_NONE)
		add_prop(cal, icalproperty_new_method(m), &ok);
	if (m == ICAL_METHOD_NONE || m == ICAL_METHOD_PUBLISH)
		add_feed_props(cal, &ok);
	if (!ok) {
		icalcomponent_free(cal);
		errno = ENOMEM;
		return NULL;
	}

	for (i = 0; i < n; i++) {
		int cancelled = ev[i].cancelled || m == ICAL_METHOD_CANCEL;
		icalcomponent *ve = build_event(&ev[i], cancelled, orgp, attp);

		if (ve == NULL) {
			int saved = errno;

			icalcomponent_free(cal);
			errno = saved;
			return NULL;
		}
		icalcomponent_add_component(cal, ve);
	}

	ics = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (ics == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* Hand back memory from our own malloc, so callers free() it and
	 * never need to know about libical's allocator. */
	out = strdup(ics);
	icalmemory_free_buffer(ics);
	if (out == NULL)
		errno = ENOMEM;
	return out;
}

/* ------------------------------------------------------------------ */
/* Feed files                                                          */

int reminder_feed_path(const char *dir, const char *officer,
                       char *out, size_t outlen)
{
	char name[FEED_NAME_MAX + 1];
	size_t len, i, dl;
	int r;

	if (dir == NULL || *dir == '\0' || officer == NULL || out == NULL ||
	    outlen == 0) {
		errno = EINVAL;
		return -1;
	}
	if (strncasecmp(officer, "mailto:", 7) == 0)
		officer += 7;
	len = strlen(officer);
	/* Refuse rather than truncate: two long addresses cut to the same
	 * prefix would share one feed. */
	if (len == 0 || len > FEED_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)officer[i]);

		if (c > 0x7F || !(isalnum(c) || c == '@' || c == '.' ||
		                  c == '_' || c == '-'))
			c = '_';
		name[i] = (char)c;
	}
	name[len] = '\0';
	/* No hidden file, and no "." or ".." (the map above already
	 * removed every '/'). */
	if (name[0] == '.')
		name[0] = '_';

	dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	r = snprintf(out, outlen, "%.*s%s%s.ics", (int)dl, dir,
	             (dl == 1 && dir[0] == '/') ? "" : "/", name);
	if (r < 0 || (size_t)r >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int reminder_write_feed(const char *dir, const char *officer,
                        const struct reminder_event *ev, size_t n,
                        const char *organizer, char *err, size_t errlen)
{
	char path[4096];
	char *ics;
	int saved;

	if (reminder_feed_path(dir, officer, path, sizeof path) < 0) {
		saved = errno;
		set_err(err, errlen, "no feed file name for officer: %s",
		        strerror(saved));
		errno = saved;
		return -1;
	}
	/* A feed has no METHOD: it is the officer's own view, not an
	 * invitation; ORGANIZER says who sent it, ATTENDEE whose it is
	 * (clients that list "my" events want one).  An address that
	 * cannot be one is left out rather than losing the feed. */
	ics = reminder_calendar_text(ev, n, NULL, organizer, officer);
	if (ics == NULL && errno == EINVAL)
		ics = reminder_calendar_text(ev, n, NULL, organizer, NULL);
	if (ics == NULL) {
		saved = errno;
		set_err(err, errlen, "building calendar for %s: %s", path,
		        strerror(saved));
		errno = saved;
		return -1;
	}
	if (file_replace_atomic(path, ics, strlen(ics), FEED_MODE) < 0) {
		saved = errno;
		set_err(err, errlen, "writing %s: %s", path, strerror(saved));
		free(ics);
		errno = saved;
		return -1;
	}
	free(ics);
	return 0;
}

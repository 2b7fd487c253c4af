/*
 * reminder.h - stage 5: iCalendar for the officer (SPEC section 7).
 *
 * Owns: turning reminder events into iCalendar text with libical, and
 * writing an officer's feed file atomically.  Event text (summary,
 * description) is set through libical's typed property constructors,
 * which escape it, and is first stripped of control characters: no text
 * from a message can become an iCalendar property or line.
 */
#ifndef CME_REMINDER_H
#define CME_REMINDER_H

#include <stddef.h>
#include <time.h>

struct reminder_event {
	const char *uid;          /* stable: "CME-2026-00001-home-visit@host" */
	const char *summary;
	const char *description;
	time_t due;               /* the deadline */
	time_t start;             /* DTSTART: the event is this instant (no
	                             DTEND: RFC 5545 3.6.1); 0 = due */
	time_t alarm;             /* the one VALARM fires then (a TRIGGER
	                             relative to DTSTART); 0 = no alarm */
	int    sequence;          /* rises on every change */
	int    cancelled;         /* STATUS:CANCELLED */
	time_t stamp;             /* DTSTAMP / LAST-MODIFIED */
};

/* Initialise libical's builtin time zone table (it holds the UTC zone).
 * libical 3.0.x does this lazily without a lock, so the daemon calls this
 * once before starting threads; reminder_calendar_text also calls it
 * (pthread_once), which is enough for single-threaded tools. */
void  reminder_init(void);

/* A VCALENDAR with one VEVENT (and at most one VALARM) per event, each
 * TRANSP:TRANSPARENT (a deadline does not make the officer busy).  A
 * feed (method NULL) carries REFRESH-INTERVAL and X-PUBLISHED-TTL
 * (FEED_REFRESH, PT4H) and may name the officer as ATTENDEE.  `method` is
 * NULL for a feed, or "REQUEST" / "CANCEL" for iMIP; `organizer` and
 * `attendee` are mail addresses (may be NULL for a feed).  Times are UTC.
 * Summary/description/uid are cleaned (control characters and invalid
 * UTF-8 removed, lengths bounded; a description keeps its line breaks,
 * which libical writes as the escape "\n").  Addresses must be plain
 * (optionally "mailto:"); an odd one is refused.  REQUEST needs organizer
 * and attendee and only live events; CANCEL needs organizer and marks
 * every event CANCELLED; cancelled events get no VALARM.
 * Returns malloc'd text (CRLF lines, free() it) or NULL with errno
 * (EINVAL for bad arguments, ENOMEM). */
char *reminder_calendar_text(const struct reminder_event *ev, size_t n,
                             const char *method, const char *organizer,
                             const char *attendee);

/* How often a feed asks to be fetched again: feeds are an overview,
 * iMIP mails and the digest carry what is urgent (SPEC 7). */
#define FEED_REFRESH "PT4H"

/* Write DIR/<officer>.ics (officer address made filename-safe) holding
 * exactly `ev`, atomically, mode 0640, with the officer as ATTENDEE
 * (clients that show "my" events want one).  Returns 0 or -1 with err
 * set. */
int   reminder_write_feed(const char *dir, const char *officer,
                          const struct reminder_event *ev, size_t n,
                          const char *organizer, char *err, size_t errlen);

/* The feed path reminder_write_feed uses, into out. */
int   reminder_feed_path(const char *dir, const char *officer,
                         char *out, size_t outlen);

#endif

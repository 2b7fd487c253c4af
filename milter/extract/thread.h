/*
 * thread.h - where a message's own words end and quoted or forwarded
 * mail begins.
 *
 * NAME
 *	thread - line classifier and thread structure matcher
 *
 * Every line of a text is classified (empty, quote marker '>', reply
 * splitter, forward marker, header line of a quoted message, disclaimer,
 * text); the split is then decided on the sequence as a whole, not by
 * one pattern per mail client (the approach of Mailgun's talon):
 *	- a reply's new text is what comes before the first splitter, a
 *	  quoted header block ("From:" followed by "Sent:"/"Date:"/"To:"/
 *	  "Subject:" lines) or a run of '>' lines;
 *	- a forward's header block may list its lines in any order
 *	  (Thunderbird starts with "Subject:"), TAB-aligned or not;
 *	- HTML quote containers reach this reader as '>' lines
 *	  (html_text.c): a '>'-quoted forward marker opens a forward whose
 *	  '>' lines are the forwarded message (Gmail and Apple Mail HTML);
 *	- a forward marker ("Forwarded message", "Begin forwarded
 *	  message:"), or a header block in a message whose Subject says
 *	  forward, opens a forwarded message: its body is what the caller
 *	  reads next, and the header block's "From:" is its original sender;
 *	- a disclaimer ("This email and any attachments are confidential")
 *	  runs to the end of its segment, unless it is a banner within the
 *	  segment's first three lines of text, which ends at a blank line;
 *	  so does a paragraph, after three lines of text, holding two
 *	  different disclaimer cues anywhere in it (VW_DISCLAIMER_CUE: a
 *	  council footer that starts "X Council is committed to ...").
 * Words are vocab's (VW_SPLITTER, VW_FORWARD_MARKER, VW_QUOTE_HEADER_FIELD,
 * VW_DISCLAIMER).  '>' lines after a forward marker are the forwarded
 * message (Apple Mail quotes what it forwards).
 *
 * Return conventions: thread_classify returns an enum; thread_split
 * fills *out and returns 1 when a quote or forward was found, 0 when the
 * whole text is new.  Offsets are into the caller's text; nothing is
 * allocated.  Concurrency: none; pure functions.
 */
#ifndef CME_THREAD_H
#define CME_THREAD_H

#include <stddef.h>

enum thread_line {
	TL_EMPTY, TL_QUOTE, TL_SPLITTER, TL_FORWARD, TL_HEADER, TL_FROM,
	TL_DISCLAIMER, TL_TEXT
};

enum thread_line thread_classify(const char *s, size_t len);

struct thread_cut {
	size_t new_end;      /* [start, new_end) is the segment's own text,
	                        disclaimers left out */
	int forwarded;       /* a forwarded message follows */
	int quoted_fwd;      /* ... and its lines are '>'-quoted */
	size_t fwd_start;    /* where the forwarded message's body begins */
	int subject_forward; /* its header block's Subject says forward */
	const char *from;    /* its header block's From: value, or NULL */
	size_t from_len;
};

/* Split s[0..len) (one segment).  forward_subject: the segment's
 * Subject says forward (FW:, Fwd:); a header block is then a forward,
 * else a reply. */
int thread_split(const char *s, size_t len, int forward_subject, struct thread_cut *out);

#endif

/*
 * textclean.h - the characters a stored value never carries.
 *
 * Owns: the table of invisible and line-breaking code points (C1
 * controls, U+2028/2029, bidi embeddings, overrides and isolates, marks,
 * zero-width characters, the soft hyphen, the BOM) and the one cleaning
 * every value read from a message (names, school, address, referrer,
 * free text) or typed by an officer goes through before it is stored.
 * A bidi override in a name would reorder what an officer reads in a
 * calendar title; a zero-width space would make "Ellie" and "El<ZWSP>lie"
 * two children.
 */
#ifndef CME_TEXTCLEAN_H
#define CME_TEXTCLEAN_H

#include <stddef.h>

enum text_class {
	TEXT_KEEP,      /* an ordinary character */
	TEXT_BREAK,     /* a line break or control: becomes one space */
	TEXT_DROP       /* invisible: removed */
};

/* What a code point >= 0x80 becomes in a stored value (see the table in
 * textclean.c).  ASCII is the caller's: its controls are TEXT_KEEP here. */
enum text_class text_class_of(unsigned cp);

/* Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and the code point, or 0 for an invalid, overlong, surrogate or
 * out-of-range sequence. */
size_t text_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* A new string of the first `max` bytes of s[0..len): controls, blanks
 * and TEXT_BREAK characters collapsed to single spaces (none leading or
 * trailing), TEXT_DROP characters removed, and never ending in a cut
 * UTF-8 sequence.  Invalid bytes are copied as they are (message text is
 * valid UTF-8 already).  NULL only when out of memory. */
char *text_clean(const char *s, size_t len, size_t max);

#endif

/*
 * message_int.h - private to milter/message/: the parsed message and the
 * state of one walk over its MIME tree, shared by message.c, headers.c
 * and parts.c.
 *
 * NAME
 *	message_int - the message stage's shared state
 *
 * Owns: the layout of struct cme_message (opaque outside this folder)
 * and struct walk (on message_parse's stack, one parse).
 *
 * Return conventions: the walk's steps return nothing; limits reached
 * become problem sentences (message_problem), and out of memory sets
 * walk.oom, on which message_parse frees what it read and returns NULL.
 *
 * Concurrency: none; a walk belongs to one thread.
 */
#ifndef CME_MESSAGE_INT_H
#define CME_MESSAGE_INT_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#include "charset.h"
#include "message.h"
#include "strlist.h"

#define MIB ((size_t)1024 * 1024)
/* Top-level header lines kept; a real message has a few dozen. */
#define MAX_HEADERS      1000
/* One header value (after unfolding); longer ones are cut. */
#define MAX_HEADER_VALUE (64u * 1024u)
#define MAX_CHARSET_NAME CHARSET_MAX_NAME

struct header {
	char *name;
	char *value;
};

struct cme_message {
	struct header *hdrs;
	size_t nhdrs, caphdrs;
	struct message_text *texts;
	size_t ntexts, captexts;
	struct strlist problems;
	char *from_addr;
	char *from_name;
	time_t date;
	int is_report;
};

/* State of one walk over the MIME tree. */
struct walk {
	struct cme_message *m;
	const struct message_limits *lim;
	size_t parts;           /* parts visited */
	size_t text_bytes;      /* decoded text kept so far */
	size_t inflated;        /* XML inflated from DOCX parts so far */
	int next_alt;           /* next multipart/alternative group index */
	int parts_cut, depth_cut, text_cut;
	int oom;
};

/* message.c */
void message_problem(struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "the message contained more than MaxText of text; only the first ...
 * were read", once, and the walk marked cut. */
void message_text_cut(struct walk *w);
void message_human_size(size_t n, char *buf, size_t bufsz);
void message_normalise_newlines(char *s, size_t *len);
void message_add_text(struct walk *w, enum text_source src, int depth,
                      int alt, char *filename, char *text, size_t len);

/* headers.c: the top-level header block (raw[0..len)); returns where
 * the body starts.  Then From and Date from the stored headers. */
const char *headers_read(struct walk *w, const char *raw, size_t len);
void headers_read_from(struct walk *w);
void headers_read_date(struct cme_message *m);
void headers_sanitise_line(char *s);
char *headers_decode_value(const char *v, size_t n);

/* parts.c: the MIME tree from mime down. */
int parts_is_type(const struct mailmime_content *ct, const char *type,
                  const char *subtype);
void parts_walk_mime(struct walk *w, struct mailmime *mime, int depth,
                     size_t nest, int alt);

#endif

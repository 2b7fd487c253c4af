/*
 * strbuf.h - growable byte buffer with a hard size cap.
 *
 * Owns: struct strbuf and its memory.  Every buffer is NUL-terminated so
 * it can be handed to string functions, but may also hold NUL bytes.
 * Appends beyond the cap are refused (return -1) rather than silently
 * truncated, so a caller always knows when input was too large.
 */
#ifndef CME_STRBUF_H
#define CME_STRBUF_H

#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	char   *data;   /* NUL-terminated; NULL until first append */
	size_t  len;    /* bytes used, not counting the terminator */
	size_t  cap;    /* bytes allocated */
	size_t  limit;  /* maximum len; 0 means SIZE_MAX/2 */
};

void  strbuf_init(struct strbuf *sb, size_t limit);
int   strbuf_append(struct strbuf *sb, const void *p, size_t n);
int   strbuf_puts(struct strbuf *sb, const char *s);
int   strbuf_putc(struct strbuf *sb, int c);
int   strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void  strbuf_reset(struct strbuf *sb);          /* len = 0, keeps memory */
char *strbuf_detach(struct strbuf *sb);         /* caller frees; "" if empty */
void  strbuf_free(struct strbuf *sb);
const char *strbuf_str(const struct strbuf *sb);/* never NULL */

#endif

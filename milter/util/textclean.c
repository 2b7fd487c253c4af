/*
 * textclean.c - the characters a stored value never carries.  See
 * textclean.h.
 */
#include <stdlib.h>

#include "textclean.h"

/* Code points that are not what they look like, in order.  ZWJ and ZWNJ
 * shape some scripts, but a name is matched and shown, never typeset:
 * without them it is still the same name. */
static const struct {
	unsigned lo, hi;
	enum text_class cls;
} classes[] = {
	{ 0x0080, 0x009F, TEXT_BREAK },     /* C1 controls, NEL among them */
	{ 0x00AD, 0x00AD, TEXT_DROP },      /* soft hyphen */
	{ 0x061C, 0x061C, TEXT_DROP },      /* Arabic letter mark */
	{ 0x180E, 0x180E, TEXT_DROP },      /* Mongolian vowel separator */
	{ 0x200B, 0x200F, TEXT_DROP },      /* ZWSP, ZWNJ, ZWJ, LRM, RLM */
	{ 0x2028, 0x2029, TEXT_BREAK },     /* line and paragraph separators */
	{ 0x202A, 0x202E, TEXT_DROP },      /* LRE, RLE, PDF, LRO, RLO */
	{ 0x2060, 0x2064, TEXT_DROP },      /* word joiner, invisible operators */
	{ 0x2066, 0x2069, TEXT_DROP },      /* LRI, RLI, FSI, PDI */
	{ 0x206A, 0x206F, TEXT_DROP },      /* deprecated format characters */
	{ 0xFEFF, 0xFEFF, TEXT_DROP },      /* BOM, zero-width no-break space */
	{ 0xFFF9, 0xFFFB, TEXT_DROP },      /* interlinear annotation */
};

enum text_class text_class_of(unsigned cp)
{
	if (cp < classes[0].lo)
		return TEXT_KEEP;       /* ASCII: most of every text, at once */
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (cp >= classes[i].lo && cp <= classes[i].hi)
			return classes[i].cls;
	return TEXT_KEEP;
}

size_t text_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;       /* continuation byte, C0/C1, F5..FF */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return len;
}

/* Drop a UTF-8 sequence cut short at the end of out[0..o). */
static size_t drop_cut_sequence(char *out, size_t o)
{
	size_t k = o;

	while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
		k--;
	if (k > 0 && (unsigned char)out[k - 1] >= 0xC0) {
		unsigned char lead = (unsigned char)out[k - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

		if (o - (k - 1) < need)
			o = k - 1;
	}
	return o;
}

char *text_clean(const char *s, size_t len, size_t max)
{
	char *out;
	size_t o = 0;
	int space = 0;

	if (len > max)
		len = max;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t n = c < 0x80 ? 1 : text_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		enum text_class cls = c < 0x80 || n == 0 ? TEXT_KEEP : text_class_of(cp);

		if (n == 0)
			n = 1;      /* an invalid byte, or a sequence the cap cut */
		if (c == ' ' || c < 0x20 || c == 0x7F || cls == TEXT_BREAK) {
			space = o > 0;
			i += n - 1;
			continue;
		}
		if (cls == TEXT_DROP) {
			i += n - 1;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		for (size_t k = 0; k < n; k++)
			out[o++] = s[i + k];
		i += n - 1;
	}
	o = drop_cut_sequence(out, o);
	out[o] = '\0';
	return out;
}

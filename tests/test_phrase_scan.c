/*
 * test_phrase_scan - a scan (vocab_scan_begin, milter/extract/
 * phrase_scan.c) changes how fast a phrase search gives up, never what
 * it finds: every search below gives the same answer inside a scan of
 * the text as outside one, including where the scan's trigrams could
 * mislead it (a hard wrap inside a phrase, a window that starts in the
 * middle of a word, capitals, a prefix phrase, a phrase that is not
 * there, a text shorter than a trigram); and no loaded flag phrase or
 * word-list entry is ruled out of a text that holds it, written plainly
 * or with its first space a hard wrap.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tap_vocab.h"
#include "vocab.h"

struct probe {
	const char *text;
	size_t off;            /* the window searched: text + off ... */
	const char *phrase;
	long want;             /* ... and where the phrase is, or -1 */
};

static const struct probe probes[] = {
	{ "Allocated social worker: Jo Bell", 0, "social worker", 10 },
	{ "Known to a social\n   worker in Leeds", 0, "social worker", 11 },
	{ "Known to a social\n\nworker in Leeds", 0, "social worker", -1 },
	{ "Child looked\nafter by the LA", 0, "looked after", 6 },
	{ "She is SUBJECT TO A CHILD PROTECTION PLAN", 0, "child protection plan", 20 },
	{ "Concerns about extremism raised", 0, "extremis*", 15 },
	{ "Concerns about extremism raised", 0, "extremist", -1 },
	{ "presentation at school", 0, "sent", -1 },
	{ "unsent: moved abroad to Poland", 8, "moved abroad", 0 },
	{ "unsent: moved abroad to Poland", 2, "sent", 0 },
	{ "no", 0, "now", -1 },
	{ "not on roll; whereabouts unknown", 0, "whereabouts unknown", 13 },
	{ "ex-pupil's whereabouts not known", 0, "whereabouts unknown", -1 },
	{ "left for Romania \xe2\x80\x93 family said", 0, "romania", 9 },
	{ "not returned after the holiday", 0, "not returned", 0 },
};

/* s with its line breaks shown as \n: a TAP description is one line */
static const char *shown(const char *s)
{
	static char buf[128];
	size_t o = 0;

	for (; *s && o + 3 < sizeof buf; s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Is the phrase `ph` (a trailing '*' dropped) ruled out of a text that
 * holds it, in capitals, after a word, and with its first space wrapped?
 * `absent` asks through the loaded entry (flag f or list l, index k). */
static int ruled_out(const char *ph, int (*absent)(size_t, size_t, const char *, size_t),
                     size_t a, size_t k)
{
	char text[512];
	struct vocab_scan scan;
	size_t n;
	int out;

	n = (size_t)snprintf(text, sizeof text, "Re: %s", ph);
	if (n >= sizeof text)
		return 0;
	if (n > 0 && text[n - 1] == '*')
		text[--n] = '\0';
	for (size_t i = 4; i < n; i++)
		if (text[i] >= 'a' && text[i] <= 'z')
			text[i] = (char)(text[i] - 'a' + 'A');
	vocab_scan_begin(&scan, text, n);
	out = absent(a, k, text, n);
	vocab_scan_end(&scan);
	{
		char *sp = strchr(text + 4, ' ');

		if (sp != NULL && n + 3 < sizeof text) {
			memmove(sp + 3, sp + 1, n - (size_t)(sp + 1 - text) + 1);
			memcpy(sp, "\n  ", 3);
			n += 2;
			vocab_scan_begin(&scan, text, n);
			out |= absent(a, k, text, n);
			vocab_scan_end(&scan);
		}
	}
	return out;
}

static int word_absent(size_t l, size_t i, const char *text, size_t len)
{
	return vocab_word_absent((enum vocab_words)l, i, text, len);
}

static void test_loaded_phrases(void)
{
	size_t bad = 0, all = 0;
	char what[256];
	const char *ph;

	for (size_t f = 0; f < vocab_flag_count(); f++)
		for (size_t k = 0; (ph = vocab_flag_phrase(f, k)) != NULL; k++, all++)
			if (ruled_out(ph, vocab_flag_phrase_absent, f, k) && bad++ == 0)
				printf("# ruled out of its own text: flag phrase '%s'\n", ph);
	for (size_t l = 0; l < VW__COUNT; l++) {
		size_t n;
		const char *const *w = vocab_words((enum vocab_words)l, &n);

		for (size_t i = 0; i < n; i++, all++)
			if (ruled_out(w[i], word_absent, l, i) && bad++ == 0)
				printf("# ruled out of its own text: word '%s'\n", w[i]);
	}
	snprintf(what, sizeof what, "none of %zu loaded phrases is ruled out of a text "
	         "that holds it (%zu were)", all, bad);
	CHECK(all > 100 && bad == 0, what);
}

int main(void)
{
	char what[256];

	tap_vocabulary();
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		const struct probe *p = &probes[i];
		const char *w = p->text + p->off;
		size_t wl = strlen(w);
		long plain = vocab_phrase_find(w, wl, p->phrase, 0), scanned, inner;
		struct vocab_scan whole, part;

		snprintf(what, sizeof what, "'%s' in '%s' at %ld", p->phrase, shown(w), p->want);
		CHECK(plain == p->want, what);
		/* a scan of the whole text, the window searched inside it */
		vocab_scan_begin(&whole, p->text, strlen(p->text));
		scanned = vocab_phrase_find(w, wl, p->phrase, 0);
		/* a scan of the window itself, nested */
		vocab_scan_begin(&part, w, wl);
		inner = vocab_phrase_find(w, wl, p->phrase, 0);
		vocab_scan_end(&part);
		vocab_scan_end(&whole);
		snprintf(what, sizeof what, "'%s' in '%s': the same inside a scan", p->phrase,
		         shown(w));
		CHECK(scanned == plain && inner == plain, what);
	}
	{
		/* a scan of a prefix says nothing of the text past it */
		const char *t = "No concerns noted.  Child protection plan in place.";
		struct vocab_scan prefix;
		long at;

		vocab_scan_begin(&prefix, t, 18);
		at = vocab_phrase_find(t, strlen(t), "child protection plan", 0);
		vocab_scan_end(&prefix);
		CHECK(at == 20, "a window reaching past the scanned prefix is searched as without a scan");
	}
	test_loaded_phrases();
	return tap_done();
}

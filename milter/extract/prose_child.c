/*
 * prose_child.c - children, parents and addresses written in sentences
 * by the public, police, housing and health: "Ayaan Khan (DOB
 * 03/04/2018), who should be in Year 4, and his sister Zara Khan, born
 * 12th June 2020", "check on Kai Morgan, aged 12", "their mum, Sadia
 * Khan, 07700 900123", "previously lived at ... but are now living at
 * 22 Station Road, Lowestoft NR32 1AB".  See extract_int.h.
 *
 * Owns: nothing at run time.  The reading:
 *   - a child is a capitalised name of two or three words right before
 *     a DOB cue ("(DOB", "born", ", aged"), each cue in the text once;
 *     the same name twice is one child; a child whose date of birth puts
 *     them below Reception (or an age "aged 2", "aged 8 months") is a
 *     younger sibling, not referred, and one past Year 13 is an adult;
 *   - else a group: a count, a group noun and as many forenames ("the
 *     two Begum girls, Ruma ... and her little sister Sadia", "two
 *     girls, Sophie and Ella Turner");
 *   - else a name after a cue ("his name is Oliver Grant"), not the
 *     writer's ("my name is") nor a parent's ("his mum is called"); a
 *     forename alone takes a surname after a surname cue close after it
 *     ("His name is Jordan, I think the surname is Pryce");
 *   - a child's year group and last-attended date are read in the
 *     child's own stretch of text (from its name to the next child's),
 *     else, for the date, anywhere in the prose;
 *   - a parent is a relationship word followed by a name (after a comma,
 *     a bracket or a link word: "Mum (Jade Brennan", "their mum is
 *     Nasrin Begum"), and a phone number close after it;
 *   - the address is the one whose postcode is not called previous;
 *   - the school is a school's name after a school cue ("removed from
 *     roll at", "were at", "has not attended"), not in an update.
 * Which words are cues is vocab's business.  Bounded: at most
 * PROSE_CHILDREN children and PROSE_PARENTS parents are read; every
 * window is a fixed number of bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define PROSE_CHILDREN 8
#define PROSE_PARENTS  2
#define DATE_WINDOW    40     /* bytes after a cue a date is read in */
#define PHONE_WINDOW   40     /* bytes after a parent's name */
#define ADDRESS_MAX    100    /* bytes before a postcode an address spans */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* The phrase in s at i, its spaces matching any run of white space (a
 * hard wrap), ASCII case-insensitive, whole words; its length or 0. */
static size_t match_at(const char *s, size_t len, size_t i, const char *ph)
{
	size_t k = i;

	if (i > 0 && (isalnum((unsigned char)s[i - 1]) || (unsigned char)s[i - 1] >= 0x80) &&
	    isalnum((unsigned char)ph[0]))
		return 0;
	for (const char *p = ph; *p; p++) {
		if (*p == ' ') {
			if (k >= len || !is_space((unsigned char)s[k]))
				return 0;
			while (k < len && is_space((unsigned char)s[k]))
				k++;
			continue;
		}
		if (k >= len || tolower((unsigned char)s[k]) != tolower((unsigned char)*p))
			return 0;
		k++;
	}
	/* a word ends at a non-letter: "Y" matches in "Y4" */
	if (k < len && isalpha((unsigned char)ph[strlen(ph) - 1]) &&
	    (isalpha((unsigned char)s[k]) || (unsigned char)s[k] >= 0x80))
		return 0;
	return k - i;
}

/* The first phrase of the list in s[from..to): its position and matched
 * length in *ml, or -1. */
static long find_any(const char *s, size_t from, size_t to, enum vocab_words list,
                     size_t *ml)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);
	unsigned char starts[256];

	/* the bytes a phrase of the list can start with: most positions
	 * start none, and need no match_at at all */
	memset(starts, 0, sizeof starts);
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)w[k][0];

		starts[tolower(c)] = starts[toupper(c)] = 1;
		if (c == ' ')
			starts['\t'] = starts['\n'] = starts['\r'] = 1;
	}
	for (size_t i = from; i < to; i++) {
		if (!starts[(unsigned char)s[i]])
			continue;
		for (size_t k = 0; k < n; k++)
			if ((*ml = match_at(s, to, i, w[k])) != 0)
				return (long)i;
	}
	return -1;
}

/* 1 if the word before w (over one space or line break) is a place
 * preposition (words.vocab place_preposition: "in", "from"). */
static int after_place_preposition(const char *s, const char *w)
{
	const char *e = w, *b;

	if (e > s && (e[-1] == ' ' || e[-1] == '\n'))
		e--;
	for (b = e; b > s && isalpha((unsigned char)b[-1]); b--)
		;
	return e > b && islower((unsigned char)*b) &&
	       fields_word_in(VW_PLACE_PREPOSITION, b, (size_t)(e - b));
}

/* Up to three capitalised words ending at `end` (four with a surname
 * particle among them): their start, or NULL when fewer than two. */
static const char *name_before(const char *s, const char *end, const char **name_end)
{
	const char *start;
	int words = 0, particles = 0;

	while (end > s && (end[-1] == ' ' || end[-1] == ',' || end[-1] == '(' ||
	                   end[-1] == '\n'))
		end--;
	start = end;
	/* three words, and one more when a surname particle is among them
	 * ("JAYDEN VAN DER BERG") */
	while (start > s && words < 3 + (particles > 0)) {
		const char *w = start;

		while (w > s && w[-1] != ' ' && w[-1] != '\n' && w[-1] != '(')
			w--;
		if (!(isupper((unsigned char)*w) || (unsigned char)*w >= 0xC0))
			break;
		/* "Officer," ends the line above: a name word has no comma */
		if (words > 0 && memchr(w, ',', (size_t)(start - w)) != NULL)
			break;
		if (words > 0 && memchr(w, '.', (size_t)(start - w)) != NULL)
			break;
		/* "Referral: Leo Grant": a word with a colon is a label */
		if (words > 0 && memchr(w, ':', (size_t)(start - w)) != NULL)
			break;
		/* "... in Birmingham\nAya Al-Hassan": over a hard wrap, a
		 * word after "in" is a place, not the name ("spoke to Louis
		 * WREN" on one line is the name) */
		if (words > 0 && memchr(w, '\n', (size_t)(end - w)) != NULL &&
		    after_place_preposition(s, w))
			break;
		if (fields_word_in(VW_SURNAME_PARTICLE, w, (size_t)(start - w)))
			particles++;
		start = w;
		words++;
		if (start > s && start[-1] == ' ')
			start--;
		else if (start > s + 1 && start[-1] == '\n' && start[-2] != '\n')
			start--;        /* a hard wrap, not a paragraph break */
		else
			break;
	}
	while (start < end && is_space((unsigned char)*start))
		start++;
	*name_end = end;
	return words >= 2 ? start : NULL;
}

/* Up to three capitalised words from p (over white space; four with a
 * surname particle): their end, or NULL when fewer than two. */
static const char *name_after(const char *p, const char *end)
{
	const char *e = NULL;
	int words = 0, particles = 0;

	/* a word starts with a capital or a UTF-8 letter; lead byte 0xE2
	 * (U+2000-U+2FFF) is punctuation and symbols: tick boxes "☐ Yes
	 * ☒" after "Young carer:" are no name; four words with a surname
	 * particle among them ("MARCO VAN DER BERG") */
	while (p < end && words < 3 + (particles > 0) && (isupper((unsigned char)*p) ||
	       ((unsigned char)*p >= 0xC0 && (unsigned char)*p != 0xE2))) {
		const char *w = p;

		while (p < end && !is_space((unsigned char)*p) && !strchr(",.()", *p))
			p++;
		if (fields_word_in(VW_SURNAME_PARTICLE, w, (size_t)(p - w)))
			particles++;
		e = p;
		words++;
		if (p + 1 < end && (*p == ' ' || (*p == '\n' && p[1] != '\n')))
			p++;            /* a space, or a hard wrap inside the name */
		else
			break;
	}
	return words >= 2 ? e : NULL;
}

/* A stated year group in s[0..len): "Year 4", "Yr 4", "Y4" (a year
 * word right before a number), "in Reception"; -1 if none. */
int prose_year_in(const char *s, size_t len)
{
	size_t ml;
	long at = -1, rec = find_any(s, 0, len, VW_PROSE_RECEPTION, &ml);

	while ((at = find_any(s, (size_t)(at + 1), len, VW_PROSE_YEAR_WORD, &ml)) >= 0) {
		size_t d = (size_t)at + ml;

		if (rec >= 0 && rec < at)
			break;
		if (d < len && isdigit((unsigned char)s[d]))
			return fields_parse_year_group(s + d, len - d < 3 ? len - d : 3);
	}
	return rec >= 0 ? 0 : -1;
}

/* A name before a DOB cue, over one short clause between that states
 * the year group ("Liam CARTER, Year 3, DOB ...", "Kai Morgan (Y7) born
 * ..."): as name_before, else the name before that clause, or NULL. */
#define YEAR_CLAUSE_MAX 16
static const char *name_before_cue(const char *s, const char *cue, const char **name_end)
{
	const char *nb = name_before(s, cue, name_end), *e = cue, *b;

	if (nb != NULL)
		return nb;
	while (e > s && (e[-1] == ' ' || e[-1] == ',' || e[-1] == '(' || e[-1] == ')'))
		e--;
	for (b = e; b > s && e - b <= YEAR_CLAUSE_MAX && !strchr(",(\n.;", b[-1]); b--)
		;
	/* "Daisy Marsh in Year 2 (DOB ...)": the clause opens with "in" */
	for (const char *in = e - s > 4 ? e - 4 : s;
	     e - b > YEAR_CLAUSE_MAX && in > s && e - in <= YEAR_CLAUSE_MAX; in--)
		if (in[0] == ' ' && in[1] == 'i' && in[2] == 'n' && in[3] == ' ' &&
		    prose_year_in(in + 4, (size_t)(e - in - 4)) >= 0)
			return name_before(s, in, name_end);
	if (b == e || e - b > YEAR_CLAUSE_MAX || b == s || b[-1] == '.' || b[-1] == ';' ||
	    b[-1] == '\n' || prose_year_in(b, (size_t)(e - b)) < 0)
		return NULL;
	return name_before(s, b - 1, name_end);
}

/* A last-attended date after a cue in s[from..to). */
static void last_attended_in(struct reader *rd, struct cme_child *c, const char *s,
                             size_t from, size_t to)
{
	size_t ml;
	long at = find_any(s, from, to, VW_LAST_ATTENDED_CUE, &ml);

	if (at >= 0) {
		size_t off = (size_t)at + ml;

		fields_set_date(rd, &c->last_attended, s + off, to - off < DATE_WINDOW ?
		                to - off : DATE_WINDOW);
	}
}

/* An age after a cue ("aged 2", "aged 8 months"): 1 if it is below
 * Reception age (four), 0 if it is not or no age is written. */
#define RECEPTION_AGE 4
static int age_below_school(const char *s, size_t len)
{
	size_t i = 0, n = 0, digits = 0;

	while (i < len && !isdigit((unsigned char)s[i]) && !strchr(".;\n", s[i]))
		i++;
	while (i < len && isdigit((unsigned char)s[i]) && digits < 3)
		n = n * 10 + (size_t)(s[i++] - '0'), digits++;
	if (digits == 0 || (i < len && strchr("/.-", s[i]) && i + 1 < len &&
	                    isdigit((unsigned char)s[i + 1])))
		return 0;       /* no number, or a date */
	while (i < len && s[i] == ' ')
		i++;
	if (match_at(s, len, i, "month") || match_at(s, len, i, "months") ||
	    match_at(s, len, i, "weeks"))
		return 1;
	return n < RECEPTION_AGE;
}

static int same_name(const struct cme_child *a, const char *fore, const char *sur)
{
	return a->forename && a->surname && fore && sur &&
	       strcasecmp(a->forename, fore) == 0 && strcasecmp(a->surname, sur) == 0;
}

/* Children named before a DOB cue.  Returns how many were made.  The
 * children array moves as it grows: children are kept by index. */
static size_t children_by_dob(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len, ml, made = 0, mark[PROSE_CHILDREN + 1];
	size_t kids[PROSE_CHILDREN];
	long at = -1;

	while (made < PROSE_CHILDREN &&
	       (at = find_any(s, (size_t)(at + 1), len, VW_PROSE_DOB_CUE, &ml)) >= 0) {
		const char *ne, *nb = name_before_cue(s, s + at, &ne);
		struct cme_child tmp, *c;
		int dup = 0;

		if (nb == NULL)
			continue;
		memset(&tmp, 0, sizeof tmp);
		fields_split_name(nb, (size_t)(ne - nb), &tmp.forename, &tmp.surname);
		for (size_t i = 0; i < rd->r->n_children; i++)
			dup |= same_name(&rd->r->children[i], tmp.forename, tmp.surname);
		fields_set_date(rd, &tmp.dob, s + at, len - (size_t)at < DATE_WINDOW ?
		                len - (size_t)at : DATE_WINDOW);
		if (tmp.dob == NULL &&
		    age_below_school(s + at, len - (size_t)at < DATE_WINDOW ? len - (size_t)at : DATE_WINDOW))
			dup = 1;        /* "Luca, aged 2": a younger sibling */
		/* below Reception (a younger sibling) or past Year 13 (an
		 * adult "born 1985"): not a child of the referral */
		if (dup || fields_outside_school_age(rd, tmp.dob) ||
		    (c = fields_new_child_block(rd)) == NULL) {
			free(tmp.forename); free(tmp.surname); free(tmp.dob);
			continue;
		}
		c->forename = tmp.forename;
		c->surname = tmp.surname;
		c->dob = tmp.dob;
		rd->cur = NULL;
		if (c == &rd->spill) {          /* past the cap: listed, not kept */
			fields_spill_flush(rd);
			continue;
		}
		kids[made] = (size_t)(c - rd->r->children);
		mark[made++] = (size_t)(nb - s);
	}
	mark[made] = len;
	for (size_t k = 0; k < made; k++) {
		struct cme_child *c = &rd->r->children[kids[k]];

		if (c->year_group < 0)
			c->year_group = prose_year_in(s + mark[k], mark[k + 1] - mark[k]);
		last_attended_in(rd, c, s, mark[k], mark[k + 1]);
	}
	return made;
}

static const char *name_word(const char *p, const char *end);

/* 1 if the name cue at s[at] is about the writer ("my name is") or a
 * parent ("his mum is called Donna"): the two words before it. */
#define CUE_OWNER_WINDOW 24
static int cue_not_child(const char *s, size_t at)
{
	size_t b = at > CUE_OWNER_WINDOW ? at - CUE_OWNER_WINDOW : 0;

	while (b < at && b > 0 && isalpha((unsigned char)s[b - 1]))
		b++;            /* from a whole word */
	return vocab_match_relationship(s + b, at - b) != NULL ||
	       (at >= 3 && match_at(s, at, at - 3, "my") > 0);
}

/* A writer who uses no capital letter at all ("theres a girl lives next
 * door to me ... shes called lacey dunn"): their names are lower case
 * too.  Some prose (80 letters) is needed to tell. */
static int all_lower_case(const char *s, size_t len)
{
	size_t lower = 0;

	for (size_t i = 0; i < len; i++) {
		if (isupper((unsigned char)s[i]))
			return 0;
		lower += islower((unsigned char)s[i]) != 0;
	}
	return lower >= 80;
}

/* A lower-case word of a name at p on its line (letters, hyphen,
 * apostrophe; two letters at least) that is no common word ("i",
 * "and", "she"): its end, or NULL. */
static const char *lower_name_word(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && (islower((unsigned char)*q) || *q == '-' || *q == '\''))
		q++;
	if (q - p < 2 || !islower((unsigned char)*p) || q - p > MAX_NAME / 2 ||
	    (q < end && isalnum((unsigned char)*q)) ||
	    fields_word_in(VW_LOWER_NAME_STOP, p, (size_t)(q - p)))
		return NULL;
	return q;
}

/* In an all lower-case text, a forename and a surname after a name cue
 * ("called lacey dunn"): exactly two name words on one line.  Their end,
 * or NULL. */
static const char *lower_name_after(const char *p, const char *end)
{
	const char *e = lower_name_word(p, end);

	if (e == NULL || e + 1 >= end || *e != ' ')
		return NULL;
	return lower_name_word(e + 1, end);
}

/* "lacey" -> "Lacey", "kerry-ann" -> "Kerry-Ann", "o'neill" -> "O'Neill". */
static void capitalise(char *w)
{
	for (size_t i = 0; w && w[i]; i++)
		if (i == 0 || w[i - 1] == '-' || w[i - 1] == '\'')
			w[i] = (char)toupper((unsigned char)w[i]);
}

/* "his name is Oliver Grant", "a girl called Maya Patel"; a forename
 * alone ("His name is Jordan") takes a surname given after a surname
 * cue in the next few words ("I think the surname is Pryce"). */
#define SURNAME_WINDOW 60
static void child_by_cue(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose), *e, *b;
	size_t len = rd->prose.len, ml;
	long at = -1;
	struct cme_child *child;
	int lower = all_lower_case(s, len);

	while ((at = find_any(s, (size_t)(at + 1), len, VW_NAME_CUE, &ml)) >= 0) {
		size_t i = skip_spaces(s, len, (size_t)at + ml), sl;
		const char *lim = s + (len - i < SURNAME_WINDOW ? len : i + SURNAME_WINDOW);
		long sc;

		if (cue_not_child(s, (size_t)at))
			continue;
		b = s + i;
		if ((e = name_after(b, s + len)) != NULL ||
		    (lower && (e = lower_name_after(b, s + len)) != NULL)) {
			if ((child = fields_new_child_block(rd)) != NULL) {
				fields_split_name(b, (size_t)(e - b), &child->forename, &child->surname);
				if (lower) {
					capitalise(child->forename);
					capitalise(child->surname);
				}
			}
			rd->cur = NULL;
			return;
		}
		if ((e = name_word(b, s + len)) == NULL || (e < s + len && isalpha((unsigned char)*e)))
			continue;
		if ((child = fields_new_child_block(rd)) == NULL)
			return;
		rd->cur = NULL;
		fields_set_str(&child->forename, b, (size_t)(e - b), MAX_NAME);
		sc = find_any(s, (size_t)(e - s), (size_t)(lim - s), VW_SURNAME_CUE, &sl);
		if (sc >= 0) {
			const char *sb = s + skip_spaces(s, len, (size_t)sc + sl), *se;

			if ((se = name_word(sb, s + len)) != NULL)
				fields_set_str(&child->surname, sb, (size_t)(se - sb), MAX_NAME);
		}
		return;
	}
}

/* A capitalised name word at p (letters, hyphen, apostrophe; two bytes
 * at least): its end, or NULL. */
static const char *name_word(const char *p, const char *end)
{
	const char *q = p;

	if (p >= end || !(isupper((unsigned char)*p) || (unsigned char)*p >= 0xC0))
		return NULL;
	while (q < end && (isalpha((unsigned char)*q) || (unsigned char)*q >= 0x80 ||
	                   *q == '-' || *q == '\''))
		q++;
	return q - p >= 2 && q - p <= MAX_NAME / 2 ? q : NULL;
}

/* The count a group noun is preceded by ("the two [Begum] girls"): the
 * number of children it announces, with the surname between in *sur,
 * or 0. */
static size_t group_count(const char *s, size_t at, const char **sur, size_t *sl)
{
	size_t n, i = at, ml;
	const char *const *w = vocab_words(VW_NUMBER_WORD, &n);

	*sur = NULL;
	*sl = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t e, b;

		while (i > 0 && s[i - 1] == ' ')
			i--;
		e = i;
		while (i > 0 && isalpha((unsigned char)s[i - 1]))
			i--;
		b = i;
		if (b == e)
			return 0;
		if (e - b == 1 && isdigit((unsigned char)s[b]))
			return (size_t)(s[b] - '0');
		for (size_t k = 0; k < n; k++)
			if ((ml = match_at(s, e, b, w[k])) == e - b)
				return k + 1;
		if (pass > 0 || !isupper((unsigned char)s[b]))
			return 0;
		*sur = s + b;   /* "two Begum girls": the family name */
		*sl = e - b;
	}
	return 0;
}

/* The next name of a group's list after p: past a separator ("," or
 * "and"), bracketed details and a few lower-case words ("who I think is
 * about 9 and her little sister Sadia").  Its start, or NULL at the end
 * of the sentence or past GROUP_WINDOW bytes. */
#define GROUP_WINDOW 120
#define GROUP_SKIP_WORDS 4
static const char *group_next(const char *p, const char *end, int first)
{
	const char *lim = end - p > GROUP_WINDOW ? p + GROUP_WINDOW : end;
	int lower = 0;

	if (!first) {           /* to the separator, over brackets */
		int depth = 0;

		for (; p < lim; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth > 0)
				depth--;
			else if (depth == 0 && strchr(".;!?\n", *p) && !(*p == '\n' && p + 1 < lim && p[1] != '\n'))
				return NULL;
			else if (depth == 0 && (*p == ',' ||
			         (p[0] == 'a' && p + 3 < lim && strncmp(p, "and ", 4) == 0 && p[-1] == ' ')))
				break;
		}
		if (p >= lim)
			return NULL;
		p += *p == ',' ? 1 : 3;
	}
	while (p < lim) {
		while (p < lim && (is_space((unsigned char)*p) || *p == ','))
			p++;
		if (p < lim && name_word(p, lim))
			return p;
		if (p >= lim || !islower((unsigned char)*p) || ++lower > GROUP_SKIP_WORDS)
			return NULL;
		while (p < lim && isalpha((unsigned char)*p))
			p++;
	}
	return NULL;
}

/* A group child's own stretch s[from..to) (from its name to the next):
 * its date of birth after a DOB cue ("Ayaan (DOB 03/04/2018, Year 4)")
 * and its year group. */
static void group_child_details(struct reader *rd, struct cme_child *c, size_t from,
                                size_t to)
{
	const char *s = strbuf_str(&rd->prose);
	size_t ml;
	long at = find_any(s, from, to, VW_PROSE_DOB_CUE, &ml);

	if (at >= 0 && c->dob == NULL)
		fields_set_date(rd, &c->dob, s + at, to - (size_t)at);
	if (c->year_group < 0)
		c->year_group = prose_year_in(s + from, to - from);
}

/* "the two Begum girls, Ruma ... and her little sister Sadia", "two
 * girls, Sophie and Ella Turner": a count, a group noun, then as many
 * forenames as the count says; the family name is the one before the
 * noun, else the one after the last forename.  All or nothing. */
static size_t children_by_group(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose), *end = s + rd->prose.len;
	size_t len = rd->prose.len, ml, made = 0;
	long at = -1;

	while ((at = find_any(s, (size_t)(at + 1), len, VW_CHILD_GROUP, &ml)) >= 0) {
		const char *sur, *p = s + at + ml, *nb[PROSE_CHILDREN], *ne[PROSE_CHILDREN];
		size_t sl, count = group_count(s, (size_t)at, &sur, &sl), k;

		if (count < 2 || count > PROSE_CHILDREN)
			continue;
		while (p < end && *p == ' ')
			p++;
		if (end - p > 3 && memcmp(p, "\xe2\x80", 2) == 0 &&
		    ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94))
			p += 2;         /* an en or em dash: its last byte is the separator */
		else if (p >= end || !strchr(",:-", *p))
			continue;
		for (k = 0, p++; k < count; k++) {
			if ((nb[k] = group_next(p, end, k == 0)) == NULL)
				break;
			p = ne[k] = name_word(nb[k], end);
		}
		if (k < count)
			continue;
		if (sur == NULL && *p == ' ' && (sur = name_word(p + 1, end)) != NULL) {
			sl = (size_t)(sur - (p + 1));   /* "Sophie and Ella Turner" */
			sur = p + 1;
		}
		if (sur == NULL)
			continue;
		for (k = 0; k < count; k++) {
			struct cme_child *c;

			if ((c = fields_new_child_block(rd)) == NULL)
				return made;
			rd->cur = NULL;
			fields_set_str(&c->forename, nb[k], (size_t)(ne[k] - nb[k]), MAX_NAME);
			fields_set_str(&c->surname, sur, sl, MAX_NAME);
			group_child_details(rd, c, (size_t)(ne[k] - s),
			                    k + 1 < count ? (size_t)(nb[k + 1] - s) :
			                    (size_t)(end - ne[k]) < GROUP_WINDOW ? len :
			                    (size_t)(ne[k] - s) + GROUP_WINDOW);
			if (c == &rd->spill) {
				fields_spill_flush(rd);
				continue;
			}
			made++;
		}
		return made;
	}
	return 0;
}

size_t prose_read_child(struct reader *rd)
{
	size_t n = children_by_dob(rd);

	if (n == 0)
		n = children_by_group(rd);
	if (n == 0)
		child_by_cue(rd);
	if (n == 0 && rd->r->n_children == 0)
		n = prose_children_by_age(rd);
	return n;
}

/* With no address cue: where the address before a postcode at p
 * begins, as an offset from sent, or -1.  The address is the run of
 * capitalised and numbered words (over commas and hard wraps) right
 * before the postcode, from its first house number, with a flat or room
 * word before that number ("at Room 6, 40 London Road, Grays", "officers
 * attended 9 Beck Close, Tarnby"): a lower-case word ends the run. */
static long house_number_start(const char *sent, const char *p)
{
	const char *b = p, *num = NULL;

	while (b > sent) {
		const char *w = b;

		while (w > sent && (w[-1] == ' ' || w[-1] == ',' ||
		                    (w[-1] == '\n' && !(w - 1 > sent && w[-2] == '\n'))))
			w--;
		if (w == b && b != p)
			break;
		{
			const char *we = w;

			while (w > sent && (isalnum((unsigned char)w[-1]) || w[-1] == '\'' ||
			                    w[-1] == '-' || (unsigned char)w[-1] >= 0x80))
				w--;
			if (w == we || !(isupper((unsigned char)*w) || isdigit((unsigned char)*w)))
				break;
		}
		b = w;
		if (isdigit((unsigned char)*b))
			num = b;
	}
	if (num == NULL)
		return -1;
	/* "Flat 3, 22 ...", "Room 6, 40 ...": a number before the street's
	 * number keeps the word before it */
	{
		const char *w = num, *we, *ne = num;

		while (isdigit((unsigned char)*ne) || isalpha((unsigned char)*ne))
			ne++;
		while (w > b && w[-1] == ' ')
			w--;
		we = w;
		while (w > b && isalpha((unsigned char)w[-1]))
			w--;
		if (w < we && *ne == ',')
			return (long)(w - sent);
	}
	return (long)(num - sent);
}

/* The postcode of the current address: the first not called previous
 * ("previously lived at ..."), else the first; its address, after "at",
 * too.  Returns 1 if one was taken. */
static int address_pass(const char *s, size_t len, struct cme_child *c, int any)
{
	size_t i = 0;
	char pc[9];

	while (i < len) {
		size_t from = i, ml;
		const char *p;

		if (!fields_postcode_find(s + i, len - i, pc))
			return 0;
		p = fields_memstr_ci(s + i, len - i, pc);
		if (p == NULL) {       /* written without its space: skip on */
			while (i < len && s[i] != '\n')
				i++;
			i++;
			continue;
		}
		i = (size_t)(p - s) + strlen(pc);
		from = (size_t)(p - s) > ADDRESS_MAX ? (size_t)(p - s) - ADDRESS_MAX : 0;
		{
			const char *sent = p;

			while (sent > s + from && !strchr(".!?", sent[-1]))
				sent--;
			if (!any && find_any(sent, 0, (size_t)(p - sent), VW_PREVIOUS_WORD, &ml) >= 0 &&
			    find_any(sent, 0, (size_t)(p - sent), VW_CURRENT_WORD, &ml) < 0)
				continue;
			if (c->postcode == NULL)
				c->postcode = strdup(pc);
			if (c->address == NULL) {
				long at = -1, last = -1;

				while ((at = find_any(sent, (size_t)(at + 1), (size_t)(p - sent),
				                      VW_ADDRESS_CUE, &ml)) >= 0)
					last = at + (long)ml;
				if (last < 0)
					last = house_number_start(sent, p);
				if (last >= 0) {
					const char *a = sent + last;
					size_t al;
					char *v;

					while (a < p && is_space((unsigned char)*a))
						a++;
					al = (size_t)(p - a);

					while (al > 0 && (a[al - 1] == ' ' || a[al - 1] == ','))
						al--;
					if (al > 0 && (isdigit((unsigned char)*a) || isupper((unsigned char)*a)) &&
					    (v = fields_dup_trimmed(a, al, ADDRESS_MAX)) != NULL) {
						for (char *q = v; *q; q++)
							if (is_space((unsigned char)*q))
								*q = ' ';
						c->address = v;
					}
				}
			}
			return 1;
		}
	}
	return 0;
}

static void current_address(const char *s, size_t len, struct cme_child *c)
{
	if (!address_pass(s, len, c, 0))
		(void)address_pass(s, len, c, 1);
}

/* "removed from roll at Fellside Primary School", "has not attended
 * Tarnby Academy since 2 October", "Both were at Quarry Hill Academy":
 * a school cue, then a school's name: the child's school; "until" and a
 * date after the name, or "since" and a date after a negated cue, are
 * the last day attended.  Not in an update,
 * where a school after "on roll at" is the new one. */
static void school_in(struct reader *rd, struct cme_child *c, const char *s, size_t len)
{
	size_t ml;
	long at = -1;

	if (c->school != NULL || rd->r->case_refs.n > 0 || prose_update_cue(rd))
		return;
	while ((at = find_any(s, (size_t)(at + 1), len, VW_SCHOOL_CUE, &ml)) >= 0) {
		const char *b = s + at + ml, *e = prose_school_span(&b, s + len);
		size_t sl;

		if (e == NULL)
			continue;
		fields_set_str(&c->school, b, (size_t)(e - b), MAX_VALUE);
		for (char *q = c->school; q && *q; q++)
			if (*q == '\n')
				*q = ' ';
		e = s + skip_spaces(s, len, (size_t)(e - s));
		/* "a pupil at X until 30/10": the last day; "has not attended
		 * X since 2 October" too, but "on roll at X since 2019" is no
		 * absence */
		if (c->last_attended == NULL &&
		    ((sl = match_at(s, len, (size_t)(e - s), "until")) > 0 ||
		     ((sl = match_at(s, len, (size_t)(e - s), "since")) > 0 &&
		      vocab_negated_at(s, (size_t)at))))
			fields_set_date(rd, &c->last_attended, e + sl,
			                (size_t)(s + len - (e + sl)) < DATE_WINDOW ?
			                (size_t)(s + len - (e + sl)) : DATE_WINDOW);
		return;
	}
}

/* "Leo Grant, DOB 21/05/2018, Year 4, Caversham Primary School.": in a
 * child's entry, the school's name as the item after the year group.
 * Returns 1 if the school was set. */
static int school_after_year(struct cme_child *c, const char *s, size_t len)
{
	for (size_t i = 0; i + 7 < len; i++) {
		const char *b, *e;
		size_t k;

		if ((i > 0 && isalnum((unsigned char)s[i - 1])) || strncasecmp(s + i, "year ", 5) != 0)
			continue;
		k = i + 5;
		if (k < len && (s[k] == 'R' || s[k] == 'r'))
			k++;
		else
			while (k < len && k < i + 7 && isdigit((unsigned char)s[k]))
				k++;
		if (k == i + 5 || k >= len || s[k] != ',')
			continue;
		b = s + k + 1;
		if ((e = prose_school_span(&b, s + len)) == NULL)
			continue;
		fields_set_str(&c->school, b, (size_t)(e - b), MAX_VALUE);
		return c->school != NULL;
	}
	return 0;
}

void prose_read_details(struct reader *rd, struct cme_child *c, int single)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len;

	school_in(rd, c, s, len);
	if (single && c->school == NULL && rd->r->case_refs.n == 0 && !prose_update_cue(rd))
		(void)school_after_year(c, s, len);
	if (single && c->year_group < 0)
		c->year_group = prose_year_in(s, len);
	if (c->last_attended == NULL)
		last_attended_in(rd, c, s, 0, len);
	current_address(s, len, c);
}

/* 1 if s[0..e) names a child of the message ("his sister Zara Khan"). */
static int names_child(const struct reader *rd, const char *s, const char *e)
{
	char *fore = NULL, *sur = NULL;
	int hit = 0;

	fields_split_name(s, (size_t)(e - s), &fore, &sur);
	for (size_t i = 0; i < rd->r->n_children; i++)
		hit |= same_name(&rd->r->children[i], fore, sur);
	free(fore);
	free(sur);
	return hit;
}

/* After a relationship word: the start of the parent's name, past
 * commas, a dash, a colon, an opening bracket and a link word ("Mum
 * (Blessing Okafor", "Mum - Jo Moss", "their mum is Nasrin Begum",
 * "Mum's name is Jo Moss"). */
static const char *skip_link(const char *s, size_t len, const char *p)
{
	size_t n, best = 0;
	const char *const *w = vocab_words(VW_PARENT_LINK, &n);

	while (p < s + len && (*p == ',' || *p == '(' || *p == '-' || *p == ':' ||
	                       is_space((unsigned char)*p)))
		p++;
	for (size_t k = 0; k < n; k++) {
		size_t ml = match_at(s, len, (size_t)(p - s), w[k]);

		if (ml > best)
			best = ml;
	}
	p += best;
	while (p < s + len && is_space((unsigned char)*p))
		p++;
	return p;
}

/* Bytes from p to the end of its sentence (". ", "!", "?", an empty
 * line), at most SENTENCE_MAX. */
#define SENTENCE_MAX 200
static size_t sentence_rest(const char *p, const char *end)
{
	const char *q = p, *lim = end - p > SENTENCE_MAX ? p + SENTENCE_MAX : end;

	for (; q < lim; q++)
		if (((*q == '.' || *q == '!' || *q == '?') && (q + 1 >= lim || is_space((unsigned char)q[1]))) ||
		    (*q == '\n' && q + 1 < lim && q[1] == '\n'))
			break;
	return (size_t)(q - p);
}

/* A parent named without a phone: the phone of a later sentence that
 * begins with their relationship word ("... mum, Kirsty Reid, did not
 * know ... Mum is happy to be contacted on 07700 900812."). */
static void parent_phone_later(const char *s, size_t len, struct cme_parent *p)
{
	for (size_t i = 0; i < len && p->phone == NULL; i++) {
		size_t we = i, ps, pl, w;
		const char *rel;

		if (!isupper((unsigned char)s[i]) ||
		    (i > 0 && s[i - 1] != '\n' && !(i > 1 && s[i - 1] == ' ' && s[i - 2] == '.')))
			continue;
		while (we < len && isalpha((unsigned char)s[we]))
			we++;
		rel = vocab_match_relationship(s + i, we - i);
		if (rel == NULL || strcmp(rel, p->relationship) != 0)
			continue;
		w = sentence_rest(s + we, s + len);
		if (fields_phone_find(s + we, w, &ps, &pl))
			fields_set_str(&p->phone, s + we + ps, pl, 32);
	}
}

/* "their mum, Sadia Khan, 07700 900123", "His father, Darren Morgan
 * (07700 900456)": a relationship word, a name, a phone close after. */
void prose_read_parents(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len, made = 0;

	if (rd->r->n_parents > 0)
		return;
	for (size_t i = 0; i < len && made < PROSE_PARENTS; i++) {
		size_t we = i, ps, pl;
		const char *rel, *ne, *nb;
		struct cme_parent *p;

		if (!isalpha((unsigned char)s[i]) || (i > 0 && isalpha((unsigned char)s[i - 1])))
			continue;
		while (we < len && isalpha((unsigned char)s[we]))
			we++;
		if ((rel = vocab_match_relationship(s + i, we - i)) == NULL)
			continue;
		nb = skip_link(s, len, s + we);
		if ((ne = name_after(nb, s + len)) == NULL || names_child(rd, nb, ne)) {
			i = we;
			continue;
		}
		if ((p = referral_add_parent(rd->r, MAX_PARENTS)) == NULL)
			return;
		made++;
		fields_set_str(&p->name, nb, (size_t)(ne - nb), MAX_NAME);
		p->relationship = strdup(rel);
		{
			size_t w = (size_t)(s + len - ne) < PHONE_WINDOW ? (size_t)(s + len - ne) :
			           PHONE_WINDOW;

			/* "Dad (Imran Hussain) told us ... and his phone (07700
			 * 900157) is off": else the first phone of its sentence */
			if (!fields_phone_find(ne, w, &ps, &pl))
				w = sentence_rest(ne, s + len);

			if (fields_phone_find(ne, w, &ps, &pl))
				fields_set_str(&p->phone, ne + ps, pl, 32);
		}
		if (p->phone == NULL && p->relationship)
			parent_phone_later(s, len, p);
		i = (size_t)(ne - s);
	}
}

/*
 * prose.c - the signature (after a valediction, or a trailing name
 * paragraph) that names the referrer, role and organisation.  Children,
 * parents and addresses in sentences are prose_child.c's.  See
 * extract_int.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"
#include "ukdate.h"

/* Does this line look like a person's name: two or three capitalised
 * words, no digits or punctuation beyond hyphen and apostrophe? */
static int looks_like_name(const char *s, size_t len)
{
	int words = 0, in_word = 0;

	if (len < 3 || len > 40)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			in_word = 0;
			continue;
		}
		if (isdigit(c) || (c < 0x80 && !isalpha(c) && c != '-' && c != '\'' && c != '.'))
			return 0;
		if (!in_word) {
			if (!(isupper(c) || c >= 0xC0))
				return 0;
			words++;
			in_word = 1;
		}
	}
	return words >= 2 && words <= 3;
}

/* A line that cannot be in a signature: it carries a date, asks a
 * question (a form's "Your role?": the answers below it are read as the
 * form's), or is a label of the child's or a parent's details (an
 * unlabelled list of details at the end of a referral is the referral,
 * not its sender). */
static int not_signature_line(const char *l, size_t ll)
{
	struct ymd d;
	size_t used, vl;
	const char *v;
	enum field f = records_split_label(l, ll, &v, &vl);

	if (ukdate_find(l, ll, &d, &used) || (ll > 0 && l[ll - 1] == '?'))
		return 1;
	/* "Tel:" is a parent's phone on a form, the sender's here */
	return (f >= F_FORENAME && f <= F_PARENT) && f != F_ADDRESS && f != F_POSTCODE &&
	       f != F_SCHOOL && f != F_PARENT_PHONE;
}

/* The signature's first line: the sender's name (sl bytes of sender),
 * or a line that looks like a name; in a spaced signature not a role or
 * an organisation ("Attendance Officer", "Northaw Vale School" look
 * like names too). */
static int name_line(const char *l, size_t ll, const char *sender, size_t sl, int spaced)
{
	if (sender != NULL && sl == ll && strncasecmp(sender, l, ll) == 0)
		return 1;
	return looks_like_name(l, ll) &&
	       (!spaced || (!fields_memstr_any(l, ll, VW_ORG_WORD) &&
	                    !fields_memstr_any(l, ll, VW_ROLE_WORD)));
}

static int next_part(const char *line, size_t ll, size_t *p, size_t *ps, size_t *pl);

/* A signature on one line: "Sarah Jones, Head of Year 9, Northgate High
 * School", "Sarah Jones | Attendance Officer | Northgate High School": a
 * name, then a part naming a role (a last line "Ayaan Khan, Year 4,
 * Northgate Primary School" names a child and a school, no role), or
 * the sender's own name then an organisation. */
static int one_line_signature(const char *l, size_t ll, const char *sender, size_t sl)
{
	size_t p = 0, ps, pl;

	if (!next_part(l, ll, &p, &ps, &pl) || p > ll || !name_line(l + ps, pl, sender, sl, 1))
		return 0;
	if (fields_memstr_any(l + p, ll - p, VW_ROLE_WORD))
		return 1;
	return sl == pl && strncasecmp(sender, l + ps, pl) == 0 &&
	       fields_memstr_any(l + p, ll - p, VW_ORG_WORD);
}

/* 1 if the line ending before s[b] (b at a line's start) ends a
 * sentence: a note's text, not a form's label ("Referrer Name"). */
static int ends_sentence(const char *s, size_t b)
{
	if (b == 0)
		return 0;
	b--;                                /* the '\n' */
	while (b > 0 && isspace((unsigned char)s[b - 1]))
		b--;
	return b > 0 && strchr(".!?", s[b - 1]) != NULL;
}

/* The signature's lines, bottom-up, into lines[]/lens[]: the last
 * paragraph of the text, or (spaced, for HTML whose every line is a
 * <p>: "Hannah Frost", blank, "Designated Safeguarding Lead", blank,
 * the address) the last one-line paragraphs up to one that names the
 * sender.  Returns how many lines (0: none) and *start, the offset of
 * the first. */
static size_t signature_lines(const char *s, size_t len, int spaced, const char *sender,
                              const char **lines, size_t *lens, size_t *start)
{
	size_t n = 0, end = len, sl = sender ? fields_name_part(sender, strlen(sender)) : 0;

	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	while (end > 0 && n <= MAX_SIGNATURE_LINES) {
		size_t b = end;
		const char *l;
		size_t ll;

		while (b > 0 && s[b - 1] != '\n')
			b--;
		l = s + b;
		ll = end - b;
		fields_trim(&l, &ll);
		/* the blank line above the paragraph, or a table row (HTML
		 * puts no blank line between a table and the next <p>) */
		if (ll == 0 && spaced && n > 0 && b > 0) {
			end = b - 1;        /* one blank line between one-line paragraphs */
			continue;
		}
		if (ll == 0 || memchr(l, '\t', ll))
			break;
		if (ll > 100 || not_signature_line(l, ll))
			return 0;
		lines[n] = l;
		lens[n] = ll;
		n++;
		*start = b;
		/* spaced: each paragraph is one line, the sender's name the
		 * first; unspaced, the sender's own name opens the signature
		 * too, under a note with no blank line before it ("Hi,
		 * please see attached.\nClaire Dunn\nSchool Business
		 * Manager, ...") */
		if (spaced && name_line(l, ll, sender, sl, 1))
			break;
		if (!spaced && n >= 2 && sender != NULL && sl == ll &&
		    strncasecmp(sender, l, ll) == 0 && ends_sentence(s, b))
			break;
		if (b == 0)
			break;
		end = b - 1;
		if (spaced && end > 0 && !isspace((unsigned char)s[end - 1]))
			return 0;           /* a paragraph of several lines */
	}
	return n <= MAX_SIGNATURE_LINES ? n : 0;
}

/* A signature with no "Regards" before it: the last paragraph of the
 * text (or its last one-line paragraphs, see signature_lines), of two
 * to MAX_SIGNATURE_LINES short lines, whose first line is the sender's
 * name (sender: the From display name, or the forwarded message's From
 * value) or looks like a name.  The lines go to rd->signature; returns
 * the offset where the signature starts (len when there is none), so
 * the caller reads only the text above it and the school's address,
 * postcode and e-mail never become the child's (issue 12 item 8). */
size_t prose_trailing_signature(struct reader *rd, const char *s, size_t len,
                                const char *sender)
{
	const char *lines[MAX_SIGNATURE_LINES + 1];
	size_t lens[MAX_SIGNATURE_LINES + 1], n = 0, start = len;
	size_t sl = sender ? fields_name_part(sender, strlen(sender)) : 0;

	for (int spaced = 0; spaced < 2; spaced++) {
		n = signature_lines(s, len, spaced, sender, lines, lens, &start);
		/* lines[] is bottom-up; the first line of the signature is last */
		if (n >= 2 && name_line(lines[n - 1], lens[n - 1], sender, sl, spaced))
			break;
		if (n == 1 && !spaced && one_line_signature(lines[0], lens[0], sender, sl))
			break;
		n = 0;
	}
	if (n == 0)
		return len;
	/* the first signature found is the sender's: a second text (the
	 * HTML of the same message) only sets its own apart */
	if (rd->signature[0] == NULL)
		for (size_t i = 0; i < n; i++)
			rd->signature[i] = fields_dup_trimmed(lines[n - 1 - i], lens[n - 1 - i], 100);
	return start;
}

int prose_is_school_name(const char *s)
{
	size_t l = strlen(s);

	return fields_memstr_any(s, l, VW_SCHOOL_WORD) &&
	       !fields_memstr_any(s, l, VW_NOT_SCHOOL_ORG);
}

/* The school's name in an organisation that is a school, without a
 * team of the school after it: "Greenbank School Office" is
 * "Greenbank School" (bytes of s to keep). */
size_t prose_school_name_len(const char *s)
{
	size_t l = strlen(s), n;
	const char *const *w = vocab_words(VW_SCHOOL_TEAM, &n);

	for (size_t k = 0; k < n; k++) {
		size_t wl = strlen(w[k]);

		if (wl + 2 <= l && s[l - wl - 1] == ' ' && strcasecmp(s + l - wl, w[k]) == 0 &&
		    fields_memstr_any(s, l - wl - 1, VW_SCHOOL_WORD))
			return l - wl - 1;
	}
	return l;
}

/* A signature line that only says how to reach the sender: a phone
 * number, an e-mail or web address, or a postal address (a postcode).
 * It names no role and no organisation. */
static int contact_line(const char *l, size_t ll)
{
	size_t a, b;
	char pc[9];

	return fields_phone_find(l, ll, &a, &b) || fields_email_find(l, ll, &a, &b) ||
	       fields_postcode_find(l, ll, pc) || fields_memstr_ci(l, ll, "www.") ||
	       fields_memstr_ci(l, ll, "http");
}

/* A signature line's parts are separated by commas or bars ("Housing
 * Officer | Marsham Homes", "Kingsmead School | Kingsmead Way | Kingsford
 * KT3 1AB").  next_part: the part starting at *p (trimmed, in
 * [*ps, *ps + *pl)), *p moved past its separator; 0 at the end. */
static int next_part(const char *line, size_t ll, size_t *p, size_t *ps, size_t *pl)
{
	size_t e = *p;
	const char *part;

	if (*p > ll)
		return 0;
	while (e < ll && line[e] != ',' && line[e] != '|')
		e++;
	part = line + *p;
	*pl = e - *p;
	fields_trim(&part, pl);
	*ps = (size_t)(part - line);
	*p = e + 1;
	return 1;
}

/* A part that is a street or a place: a house number, or what follows
 * the organisation on its line ("Beacon Road"). */
static int has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)s[i]))
			return 1;
	return 0;
}

/* 1 if the part ends in a role word ("School Nurse", "School Business
 * Manager"): a role named after where it is done, not the school,
 * whose name ends in a school word ("Parkside Academy"). */
static int role_named_part(const char *part, size_t pl)
{
	size_t n;
	const char *const *w = vocab_words(VW_ROLE_WORD, &n);

	while (pl > 0 && isspace((unsigned char)part[pl - 1]))
		pl--;
	for (size_t i = 0; i < n; i++) {
		const char *t = w[i];
		size_t tl = strlen(t);

		while (tl > 0 && t[tl - 1] == ' ')
			tl--;
		while (tl > 0 && *t == ' ')
			t++, tl--;
		if (tl > 0 && tl < pl && part[pl - tl - 1] == ' ' &&
		    strncasecmp(part + pl - tl, t, tl) == 0)
			return 1;
	}
	return 0;
}

/* A part naming a unit of an organisation ("Neighbourhood Policing
 * Team"): a whole word of VW_ORG_UNIT. */
static int unit_part(const char *part, size_t pl)
{
	size_t n;
	const char *const *w = vocab_words(VW_ORG_UNIT, &n);

	for (size_t i = 0; i < n; i++)
		if (vocab_phrase_find(part, pl, w[i], 0) >= 0)
			return 1;
	return 0;
}

/* The organisation in a signature line of parts: the first part naming
 * a school, else the first naming an organisation, and never a part
 * with an address or a phone in it ("Pakefield High School, London
 * Road, Lowestoft NR33 7AQ": the school).  A unit's part gives way to
 * the body named after it ("Neighbourhood Policing Team, Lowshire
 * Police").  Returns the part's index in [*os, *os + *ol), or -1. */
static int org_part(const char *line, size_t ll, size_t *os, size_t *ol)
{
	int best = -1, best_school = 0, k = 0, unit = 0;
	size_t p = 0, ps, pl;

	while (k < 16 && next_part(line, ll, &p, &ps, &pl)) {
		const char *part = line + ps;

		if (pl > 0 && !contact_line(part, pl) && fields_memstr_any(part, pl, VW_ORG_WORD) &&
		    !role_named_part(part, pl)) {
			int school = fields_memstr_any(part, pl, VW_SCHOOL_WORD);

			if (best < 0 || (school && !best_school) || (unit && !unit_part(part, pl))) {
				best = k;
				best_school = school;
				unit = !school && unit_part(part, pl);
				*os = ps;
				*ol = pl;
			}
		} else if (unit && pl > 0 && !contact_line(part, pl) && !has_digit(part, pl) &&
		           (isupper((unsigned char)*part) || (unsigned char)*part >= 0xC0)) {
			best = k;           /* the body the unit belongs to */
			unit = 0;
			*os = ps;
			*ol = pl;
		}
		k++;
	}
	return best;
}

/* One organisation line: the organisation, and a role written before
 * it ("Head of Year 10, Lowestoft Academy"). */
static void signature_org(struct cme_person *ref, const char *line, size_t ll, int i)
{
	size_t os = 0, ol = 0;
	int k = org_part(line, ll, &os, &ol);

	if (k < 0)
		return;
	if (k > 0 && ref->role == NULL && i > 0) {
		const char *r = line;
		size_t rl = os;

		while (rl > 0 && (r[rl - 1] == ',' || r[rl - 1] == '|' ||
		                  isspace((unsigned char)r[rl - 1])))
			rl--;
		fields_set_str(&ref->role, r, rl, 120);
	}
	/* "Attendance Team" then "Randal Cremer Primary School": the
	 * school is the organisation, the team a role. */
	if (ref->organisation && !prose_is_school_name(ref->organisation) &&
	    fields_memstr_any(line + os, ol, VW_SCHOOL_WORD)) {
		if (ref->role == NULL)
			ref->role = ref->organisation;
		else
			free(ref->organisation);
		ref->organisation = NULL;
	}
	fields_set_str(&ref->organisation, line + os, ol, 120);
}

/* A signature part that names neither a role nor a known kind of
 * organisation, below the sender's role: the organisation ("Marsham
 * Homes", "Marsham Community Health"), the way signatures run name,
 * role, organisation, address.  A part with a number, a postcode or a
 * phone is the address or the contact details. */
static void signature_other_org(struct cme_person *ref, const char *part, size_t pl)
{
	if (ref->role == NULL || ref->organisation != NULL || pl == 0 || pl > 60 ||
	    has_digit(part, pl) || contact_line(part, pl) ||
	    fields_memstr_any(part, pl, VW_ROLE_WORD))
		return;
	fields_set_str(&ref->organisation, part, pl, 120);
}

/* A signature line of several parts ("Paul Greer | Housing Officer |
 * Marsham Homes | 2 High Street"): each part for what it names. */
static void signature_parts(struct reader *rd, const char *line, size_t ll, int i)
{
	struct cme_person *ref = &rd->r->referrer;
	size_t p = 0, ps, pl;
	int k = 0, had_org = org_part(line, ll, &ps, &pl) >= 0;

	if (had_org)
		signature_org(ref, line, ll, i);
	p = 0;
	while (k < 16 && next_part(line, ll, &p, &ps, &pl)) {
		const char *part = line + ps;

		if (i == 0 && k == 0 && !fields_memstr_any(part, pl, VW_ORG_WORD) && pl <= 60)
			fields_set_referrer(rd, part, pl);
		else if (fields_memstr_any(part, pl, VW_ROLE_WORD) &&
		         (!fields_memstr_any(part, pl, VW_SCHOOL_WORD) || role_named_part(part, pl)) &&
		         !contact_line(part, pl))
			fields_set_str(&ref->role, part, pl, 120);
		else if (!had_org)
			signature_other_org(ref, part, pl);
		k++;
	}
}

/* Bytes of a rank and collar number before a name ("PC 4471 Daniel
 * Marsh", "DC 812 Jo Hill"): a short word, then a word of digits. */
static size_t rank_number(const char *s, size_t n)
{
	size_t i = 0, d;

	while (i < n && isalpha((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 5 || i >= n || s[i] != ' ')
		return 0;
	d = ++i;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == d || i >= n || s[i] != ' ')
		return 0;
	return i + 1;
}

/* A role line below the name: "Attendance Officer", or the role and
 * the organisation with a dash between ("Head of Year 9 - Hillside
 * Academy", an en dash too) when what follows the dash names an
 * organisation and no role. */
static void role_dash_org(struct cme_person *ref, const char *line, size_t ll)
{
	for (size_t k = 1; k + 3 < ll; k++) {
		size_t dl = line[k + 1] == '-' ? 1 :
		            (k + 5 < ll && memcmp(line + k + 1, "\xe2\x80\x93", 3) == 0) ? 3 : 0;
		const char *org = line + k + dl + 2;
		size_t orgl = ll - (k + dl + 2);

		if (line[k] != ' ' || dl == 0 || line[k + 1 + dl] != ' ')
			continue;
		if (fields_memstr_any(line, k, VW_ROLE_WORD) &&
		    fields_memstr_any(org, orgl, VW_ORG_WORD) &&
		    !fields_memstr_any(org, orgl, VW_ROLE_WORD)) {
			fields_set_str(&ref->role, line, k, 120);
			signature_other_org(ref, org, orgl);
			return;
		}
	}
	fields_set_str(&ref->role, line, ll, 120);
}

/* Signature line i: the referrer's name, role or organisation. */
static void signature_line(struct reader *rd, int i)
{
	struct cme_person *ref = &rd->r->referrer;
	const char *line = rd->signature[i];
	size_t ll = strlen(line), os, ol;
	int is_org, is_role;

	if (i == 0) {
		size_t skip = rank_number(line, ll);

		line += skip;
		ll -= skip;
	}
	is_org = org_part(line, ll, &os, &ol) >= 0;
	is_role = fields_memstr_any(line, ll, VW_ROLE_WORD);

	/* "School Admissions Officer" is a role; "Head of Year 10,
	 * Lowestoft Academy" is a role and an organisation. */
	if (memchr(line, '|', ll) || (i == 0 && is_org && memchr(line, ',', ll))) {
		/* "Sarah Jones, Head of Year 9, Northgate High School" */
		signature_parts(rd, line, ll, i);
	} else if (is_role && !memchr(line, ',', ll) && i > 0) {
		role_dash_org(ref, line, ll);
	} else if (i == 0 && !is_org && ll <= 60) {
		fields_set_referrer(rd, line, ll);
	} else if (is_org) {
		signature_org(ref, line, ll, i);
	} else if (i > 0 && ref->role == NULL && !contact_line(line, ll)) {
		size_t p = 0, ps, pl;

		/* "Health Visitor, 0-19 Public Health Nursing": the role,
		 * then the organisation */
		if (next_part(line, ll, &p, &ps, &pl))
			fields_set_str(&ref->role, line + ps, pl, 120);
		if (next_part(line, ll, &p, &ps, &pl))
			signature_other_org(ref, line + ps, pl);
	} else if (i > 0) {
		size_t p = 0, ps, pl;

		/* "Marsham Community Health" below the role; of a line
		 * of parts, the first ("Marsham Homes, 2 High Street") */
		if (next_part(line, ll, &p, &ps, &pl))
			signature_other_org(ref, line + ps, pl);
	}
}

/* The one telephone number the text gives ("my number is still the
 * same 07700 900634"), copied to *out; NULL when it gives none or two
 * different ones (whose it is would be a guess). */
static void only_phone(const char *s, size_t len, char **out)
{
	size_t a, b, off = 0, first = 0, flen = 0;
	int n = 0;

	while (off < len && fields_phone_find(s + off, len - off, &a, &b)) {
		if (n == 0) {
			first = off + a;
			flen = b;
			n = 1;
		} else if (b != flen || memcmp(s + off + a, s + first, b) != 0) {
			return;
		}
		off += a + b;
	}
	if (n)
		fields_set_str(out, s + first, flen, 32);
}

/* A writer who signs as the children's parent ("Joanna Ferreira (mum)",
 * "Tom Hale (Dad)"): that parent, with the relationship the bracket
 * gives and the one number the message holds.  The writer stays the
 * referrer as well. */
static void signed_as_parent(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *line = rd->signature[0], *ob, *cb, *rel;
	struct cme_parent *p;
	struct prov_mark pm;
	size_t ll, nl;

	if (line == NULL || r->n_children == 0)
		return;
	ll = strlen(line);
	if ((ob = memchr(line, '(', ll)) == NULL ||
	    (cb = memchr(ob, ')', ll - (size_t)(ob - line))) == NULL ||
	    (rel = vocab_match_relationship(ob + 1, (size_t)(cb - ob - 1))) == NULL)
		return;
	for (nl = (size_t)(ob - line); nl > 0 && line[nl - 1] == ' '; nl--)
		;
	if (nl == 0 || nl > MAX_NAME || memchr(line, ' ', nl) == NULL)
		return;                         /* a parent is named in full */
	if (fields_parent_named(r, line, nl))
		return;
	rd->where.sig_line = 1;
	provenance_before(rd, F_PARENT, &pm);
	if ((p = referral_add_parent(r, MAX_PARENTS)) != NULL) {
		fields_set_str(&p->name, line, nl, MAX_NAME);
		p->relationship = strdup(rel);
	}
	provenance_after(rd, &pm);
	rd->where.sig_line = 0;
	/* the number is the body's, not the signature's: no provenance
	 * note rather than a wrong one */
	if (p != NULL)
		only_phone(strbuf_str(&rd->prose), rd->prose.len, &p->phone);
}

void prose_signature_referrer(struct reader *rd)
{
	for (int i = 0; i < MAX_SIGNATURE_LINES && rd->signature[i]; i++) {
		struct prov_mark pm;

		rd->where.sig_line = i + 1;
		provenance_before(rd, F_REFERRER, &pm);
		signature_line(rd, i);
		provenance_after(rd, &pm);
	}
	rd->where.sig_line = 0;
	signed_as_parent(rd);
}

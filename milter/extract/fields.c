/*
 * fields.c - the reader's text helpers, and one labelled value into the
 * field it names.  See extract_int.h.
 *
 * Owns: the rules for a value: trimmed and cleaned (textclean.h), first
 * statement wins (names: names.c); an address without the postcode that
 * ends it; which child, parent or referrer a field belongs to (the open
 * child block, a block a "Sibling 1 ..." label names, else the fields
 * common to all children).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"
#include "textclean.h"
#include "upn.h"


/* ------------------------------------------------------------------ */
/* Small text helpers.                                                  */

void fields_trim(const char **s, size_t *len)
{
	while (*len > 0 && (isspace((unsigned char)**s) || **s == '*' || **s == '-' ||
	                    **s == ':'))
		(*s)++, (*len)--;
	/* a value cut from a drawn table or a form's answer line ends
	 * without its rule: "SMITH ---", "Jayden |", "Oak Lane ____" */
	for (;;) {
		size_t d;

		while (*len > 0 && (isspace((unsigned char)(*s)[*len - 1]) ||
		                    (*s)[*len - 1] == '*' || (*s)[*len - 1] == '|' ||
		                    (*s)[*len - 1] == '_'))
			(*len)--;
		/* a run of dashes is a rule when a space (or nothing) stands
		 * before it: "SMITH ---"; "cases;--" and "Jones-" keep theirs */
		d = *len;
		while (d > 0 && (*s)[d - 1] == '-')
			d--;
		if (d == *len || (d > 0 && !isspace((unsigned char)(*s)[d - 1])))
			break;
		*len = d;
	}
}

/* Every value read from the message is stored through here: trimmed,
 * and cleaned of controls, line breaks and invisible characters
 * (textclean.h). */
char *fields_dup_trimmed(const char *s, size_t len, size_t max)
{
	fields_trim(&s, &len);
	return text_clean(s, len, max);
}

void fields_set_str(char **slot, const char *s, size_t len, size_t max)
{
	char *v;

	if (*slot != NULL)
		return;             /* first statement wins */
	v = fields_dup_trimmed(s, len, max);
	if (v && *v)
		*slot = v;
	else
		free(v);
}

const char *fields_memstr_ci(const char *h, size_t hl, const char *n)
{
	size_t nl = strlen(n);
	int first = tolower((unsigned char)n[0]);

	for (size_t i = 0; i + nl <= hl; i++)
		if (tolower((unsigned char)h[i]) == first && strncasecmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* 1 if any word of the list occurs in h[0..hl), case-insensitive. */
int fields_memstr_any(const char *h, size_t hl, enum vocab_words list)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	for (size_t i = 0; i < n; i++)
		if (fields_memstr_ci(h, hl, w[i]))
			return 1;
	return 0;
}

void fields_keep(struct reader *rd, struct strbuf *sb, const char *s, size_t n)
{
	/* strbuf refuses both past its cap and out of memory; only the
	 * second loses text the caps did not mean to drop. */
	if (strbuf_append(sb, s, n) != 0 && n <= sb->limit - sb->len)
		rd->oom = 1;
}

void fields_keep_str(struct reader *rd, struct strbuf *sb, const char *s)
{
	fields_keep(rd, sb, s, strlen(s));
}

/* A problem sentence an officer reads; losing one is out of memory.
 * unique: not added if the list holds it already. */
void fields_problem(struct reader *rd, const char *sentence, int unique)
{
	if ((unique ? strlist_add_unique(&rd->r->problems, sentence) :
	              strlist_add(&rd->r->problems, sentence)) != 0)
		rd->oom = 1;
}

/* A UK postcode anywhere in text, normalised "IP1 2BX".  Outward code:
 * 1-2 letters, a digit, an optional letter or digit; inward: digit and
 * two letters.  Whole-word only. */
int fields_postcode_find(const char *s, size_t len, char out[9])
{
	for (size_t i = 0; i < len; i++) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t n = len - i, k = 0, o = 0;
		char buf[9];

		if (i > 0 && isalnum((unsigned char)s[i - 1]))
			continue;
		if (!isalpha(p[0]))
			continue;
		buf[o++] = (char)toupper(p[k++]);
		if (k < n && isalpha(p[k]))
			buf[o++] = (char)toupper(p[k++]);
		if (k >= n || !isdigit(p[k]))
			continue;
		buf[o++] = (char)p[k++];
		if (k < n && isalnum(p[k]) && !(k + 1 < n && isalpha(p[k + 1]) &&
		                                isdigit(p[k]) && k + 2 < n && isalpha(p[k + 2]) &&
		                                !(k + 3 < n && isalnum(p[k + 3]))))
			buf[o++] = (char)toupper(p[k++]);
		while (k < n && p[k] == ' ')
			k++;
		if (k + 3 > n || !isdigit(p[k]) || !isalpha(p[k + 1]) || !isalpha(p[k + 2]))
			continue;
		if (k + 3 < n && isalnum(p[k + 3]))
			continue;
		buf[o++] = ' ';
		buf[o++] = (char)p[k];
		buf[o++] = (char)toupper(p[k + 1]);
		buf[o++] = (char)toupper(p[k + 2]);
		buf[o] = '\0';
		memcpy(out, buf, o + 1);
		return 1;
	}
	return 0;
}

/* A UK phone number: 10-13 digits with spaces/hyphens, starting 0 or +44. */
int fields_phone_find(const char *s, size_t len, size_t *start, size_t *plen)
{
	for (size_t i = 0; i < len; i++) {
		size_t k = i, digits = 0, last = i;

		if (!(s[i] == '0' || s[i] == '+') || (i > 0 && isalnum((unsigned char)s[i - 1])))
			continue;
		if (s[i] == '+')
			k++;
		while (k < len && (isdigit((unsigned char)s[k]) || s[k] == ' ' || s[k] == '-' ||
		                   s[k] == '(' || s[k] == ')')) {
			if (isdigit((unsigned char)s[k])) {
				digits++;
				last = k;
				if (digits > 13)
					break;
			}
			k++;
		}
		if (digits >= 10 && digits <= 13) {
			*start = i;
			*plen = last - i + 1;
			return 1;
		}
	}
	return 0;
}

int fields_email_find(const char *s, size_t len, size_t *start, size_t *elen)
{
	const char *at = memchr(s, '@', len);
	size_t a, b;

	if (at == NULL)
		return 0;
	a = b = (size_t)(at - s);
	while (a > 0 && (isalnum((unsigned char)s[a - 1]) || strchr("._%+-", s[a - 1])))
		a--;
	b++;
	while (b < len && (isalnum((unsigned char)s[b]) || s[b] == '.' || s[b] == '-'))
		b++;
	while (b > 0 && s[b - 1] == '.')
		b--;
	if (a == (size_t)(at - s) || b == (size_t)(at - s) + 1)
		return 0;
	*start = a;
	*elen = b - a;
	return 1;
}

void fields_set_date(struct reader *rd, char **slot, const char *s, size_t len)
{
	struct ymd d;
	size_t used;
	char buf[11];

	if (*slot)
		return;
	if (ukdate_find_ref(s, len, &rd->ref_date, &d, &used)) {
		ymd_format(&d, buf);
		*slot = strdup(buf);
	}
}

/* 1 if an ISO date of birth puts its child outside compulsory school
 * age on the message date (before Reception, or past Year 13); 0 if in
 * it or unknown. */
int fields_outside_school_age(const struct reader *rd, const char *iso_dob)
{
	struct ymd dob;
	int yg;

	if (iso_dob == NULL || ymd_parse_iso(iso_dob, &dob) != 0)
		return 0;
	yg = uk_year_group(&dob, &rd->ref_date);
	return yg < 0 || yg > 13;
}

int fields_parse_year_group(const char *s, size_t len)
{
	size_t i = 0;

	fields_trim(&s, &len);
	if (vocab_words_prefix(VW_RECEPTION_PREFIX, s, len, NULL))
		return 0;
	{
		size_t wl;

		if (vocab_words_prefix(VW_RECEPTION_ABBREV, s, len, &wl) && wl == len)
			return 0;
	}
	while (i < len && !isdigit((unsigned char)s[i]))
		i++;
	if (i < len && i <= 6) {
		int v = 0;

		while (i < len && isdigit((unsigned char)s[i]) && v < 100)
			v = v * 10 + (s[i++] - '0');
		if (v >= 0 && v <= 14)
			return v;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Assigning fields.                                                    */

static struct cme_child *child_target(struct reader *rd)
{
	return rd->cur ? rd->cur : &rd->common;
}

/* The child read into the spill joins the overflow listing. */
void fields_spill_flush(struct reader *rd)
{
	referral_add_overflow(rd->r, &rd->spill);
	referral_child_clear(&rd->spill);
}

struct cme_child *fields_new_child_block(struct reader *rd)
{
	struct cme_child *c;

	if (rd->r->n_children < rd->o->max_children) {
		c = referral_add_child(rd->r, rd->o->max_children);
	} else {
		/* Past the cap the child is still read, one at a time into
		 * the spill, and listed (SPEC 8: nobody is left out). */
		fields_spill_flush(rd);
		c = &rd->spill;
	}
	rd->cur = c;
	rd->cur_fields = 0;
	rd->section = F_FULLNAME;
	return c;
}

/* A person's name from a value: without a title or rank before it, and
 * ending where fields_name_part says.  "FLYNN, Lisa (MOTHER) 07700
 * 900413", as police notices and MIS exports write it (the surname in
 * capitals, a comma, then the forename), is "Lisa FLYNN". */
static void set_person_name(char **slot, const char *v, size_t vl)
{
	size_t t = fields_title_len(v, vl), n;
	const char *s = v + t;
	size_t sl = vl - t;

	n = fields_name_part(s, sl);
	if (n > 0 && n + 1 < sl && s[n] == ',' && fields_all_caps(s, n)) {
		const char *b = s + n + 1;
		size_t bl = sl - n - 1, m;

		fields_trim(&b, &bl);
		m = fields_name_part(b, bl);
		if (m > 0 && m <= MAX_NAME && isupper((unsigned char)b[0]) &&
		    !fields_all_caps(b, m) && vocab_match_relationship(b, m) == NULL) {
			char name[2 * MAX_NAME + 2];

			snprintf(name, sizeof name, "%.*s %.*s", (int)m, b, (int)n, s);
			fields_set_str(slot, name, strlen(name), MAX_NAME);
			return;
		}
	}
	fields_set_str(slot, s, n, MAX_NAME);
}

/* "Parent: Mr Daniel Marsh": a parent whose relationship nothing states
 * is the father or mother the courtesy title says (genders.vocab), when
 * the label names no closer relationship than "carer".  (A later
 * "Relationship:" line does not undo it: forms ask it beside the name,
 * before or after, and a title with a relationship is rare.) */
static void relationship_from_title(struct reader *rd, struct cme_parent *p,
                                    const char *v, size_t vl)
{
	size_t t = fields_title_len(v, vl);
	const char *g, *lrel = NULL;

	if (p->relationship || t == 0)
		return;
	if (rd->where.label)
		lrel = vocab_match_relationship(rd->where.label, rd->where.label_len);
	if (lrel && strcmp(lrel, "carer") != 0)
		return;
	g = vocab_match_gender(v, t);
	if (g && strcmp(g, "M") == 0)
		p->relationship = strdup("father");
	else if (g && strcmp(g, "F") == 0)
		p->relationship = strdup("mother");
}

static struct cme_parent *current_parent(struct reader *rd, int want_new_name)
{
	struct cme_referral *r = rd->r;

	if (r->n_parents == 0 || (want_new_name && r->parents[r->n_parents - 1].name))
		return referral_add_parent(r, MAX_PARENTS);
	return &r->parents[r->n_parents - 1];
}

static void set_parent(struct reader *rd, const char *v, size_t vl)
{
	struct cme_parent *p;
	size_t n = fields_name_part(v, vl), ps, pl;
	const char *rel;

	if (vocab_is_negative_answer(v, vl))
		return;
	p = current_parent(rd, n > 0);
	if (p == NULL)
		return;
	if (n > 0) {
		const char *rel_in_name = vocab_match_relationship(v, n);

		/* "Mother - Kerry Ward" or "Mum": a relationship, not a name */
		if (!(rel_in_name && memchr(v, ' ', n) == NULL))
			set_person_name(&p->name, v, vl);
	}
	if ((rel = vocab_match_relationship(v, vl)) != NULL && p->relationship == NULL)
		p->relationship = strdup(rel);
	relationship_from_title(rd, p, v, vl);
	if (fields_phone_find(v, vl, &ps, &pl))
		fields_set_str(&p->phone, v + ps, pl, 32);
}

/* The third part of "NAME, ROLE, ORGANISATION" ("Sarah Dunn, Attendance
 * Officer, Hillcrest Academy"): the organisation, up to a further comma;
 * a part with a digit, a phone or an address is contact details. */
static void referrer_org_part(struct cme_person *ref, const char *s, size_t n)
{
	const char *c = memchr(s, ',', n);
	size_t ps, pl;

	if (c)
		n = (size_t)(c - s);
	fields_trim(&s, &n);
	if (ref->organisation || n == 0 || n > 80 || memchr(s, '@', n) ||
	    fields_phone_find(s, n, &ps, &pl))
		return;
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)s[i]))
			return;
	fields_set_str(&ref->organisation, s, n, 120);
}

void fields_set_referrer(struct reader *rd, const char *v, size_t vl)
{
	struct cme_person *ref = &rd->r->referrer;
	size_t ps, pl, es, el;
	const char *comma;
	size_t n = fields_name_part(v, vl);

	if (n > 0)
		set_person_name(&ref->name, v, vl);
	comma = memchr(v, ',', vl);
	if (comma) {
		const char *rs = comma + 1;
		size_t rl = vl - (size_t)(rs - v);
		const char *c2 = memchr(rs, ',', rl);
		size_t role_len = c2 ? (size_t)(c2 - rs) : rl;

		if (!fields_phone_find(rs, role_len, &ps, &pl) && memchr(rs, '@', role_len) == NULL)
			fields_set_str(&ref->role, rs, role_len, 120);
		if (c2)
			referrer_org_part(ref, c2 + 1, rl - role_len - 1);
	}
	if (fields_phone_find(v, vl, &ps, &pl))
		fields_set_str(&ref->phone, v + ps, pl, 32);
	if (fields_email_find(v, vl, &es, &el))
		fields_set_str(&ref->email, v + es, el, 254);
}

int fields_take_upn(struct cme_child *c, const char *s, size_t len)
{
	char upn[14];

	if (c->upn != NULL || !upn_find(s, len, upn))
		return 0;
	c->upn = strdup(upn);
	c->upn_valid = upn_valid(upn);
	return 1;
}

int fields_parent_named(const struct cme_referral *r, const char *name, size_t nl)
{
	for (size_t i = 0; i < r->n_parents; i++)
		if (r->parents[i].name && strlen(r->parents[i].name) == nl &&
		    strncasecmp(r->parents[i].name, name, nl) == 0)
			return 1;
	return 0;
}

static void set_upn(struct cme_child *c, const char *v, size_t vl)
{
	if (c->upn || fields_take_upn(c, v, vl))
		return;
	if (!vocab_is_negative_answer(v, vl)) {
		fields_set_str(&c->upn, v, vl, 20);
		if (c->upn)
			c->upn_valid = 0;
	}
}

/* Map a generic label to the field it means in the current section:
 * "Name" under "Referrer details" is the referrer's name. */
static enum field in_section(const struct reader *rd, enum field f)
{
	if (rd->section == F_REFERRER) {
		switch (f) {
		case F_FULLNAME: case F_FORENAME: case F_SURNAME: return F_REFERRER_NAME;
		case F_PARENT_PHONE: return F_REFERRER_PHONE;
		case F_SCHOOL: return F_REFERRER_ORG;
		case F_ADDRESS: case F_POSTCODE: return F_NONE;
		default: return f;
		}
	}
	if (rd->section == F_PARENT) {
		switch (f) {
		case F_FULLNAME: return F_PARENT_NAME;
		case F_FORENAME: case F_SURNAME: return F_PARENT_NAME;
		case F_REFERRER_EMAIL: return F_NONE;
		default: return f;
		}
	}
	return f;
}

/* A school's (or organisation's) name without the address a form
 * adds after it: "Northgate High School, 1 High St, Ipswich IP1 1AA"
 * ends at the comma, because what follows has a house number or a
 * postcode.  "St Mary's, Ipswich" (no number, no postcode) is kept. */
static size_t org_name_len(const char *v, size_t vl)
{
	for (size_t i = 0; i < vl; i++) {
		const char *rest;
		size_t rl;
		char pc[9];

		if (v[i] != ',' && v[i] != '\n')
			continue;
		rest = v + i + 1;
		rl = vl - i - 1;
		fields_trim(&rest, &rl);
		if ((rl > 0 && isdigit((unsigned char)rest[0])) ||
		    fields_postcode_find(rest, rl, pc))
			return i;
	}
	/* a note after a spaced dash, shouted or lower-case: "Castlegate
	 * Academy - NOT ATTENDING (mother states since September)",
	 * "Oakfield Primary - left in October"; a place after the dash is
	 * kept ("St John's - Westmere") */
	for (size_t i = 1; i + 3 < vl; i++) {
		size_t d = fields_spaced_dash(v, i, vl), w = i + 2 + d, we = w;

		if (d == 0)
			continue;
		while (we < vl && isalpha((unsigned char)v[we]))
			we++;
		if (fields_memstr_any(v, i, VW_SCHOOL_WORD) && we > w &&
		    (islower((unsigned char)v[w]) || (we - w >= 2 && fields_all_caps(v + w, we - w))))
			return i;
	}
	/* a note in brackets after the name, to the end of the value:
	 * "Riverside Short Stay School (main roll since March 2026)",
	 * "Whitmoor Academy (offer letter sent 12/10/2026)"; a bracket
	 * inside a name ("St Mary's (C of E) Primary") is kept */
	for (size_t i = vl; i-- > 1; )
		if (v[i] == '(' && v[i - 1] == ' ') {
			if (v[vl - 1] == ')' && fields_memstr_any(v, i, VW_SCHOOL_WORD))
				return i - 1;
			break;
		}
	return vl;
}

/* A "School:" line under an "Outcome: located on roll" line (a closure
 * notice) names the school the child is now on roll at, not the school
 * the child was missing from: r->new_school, its town ("..., Lancaster")
 * left off.  Returns 1 when the value was taken. */
static int outcome_school(struct reader *rd, const char *v, size_t vl)
{
	const char *oc, *p = v, *e;

	if (rd->outcome_text.len == 0 || rd->r->new_school != NULL)
		return 0;
	oc = vocab_match_outcome(strbuf_str(&rd->outcome_text), rd->outcome_text.len);
	if (oc == NULL || strcmp(oc, "located-on-roll") != 0)
		return 0;
	e = prose_school_span(&p, v + vl);
	if (e == NULL)
		return 0;
	rd->r->new_school = fields_dup_trimmed(p, (size_t)(e - p), 120);
	return rd->r->new_school != NULL;
}

/* The length of an address without the postcode that ends it: "61
 * Thames View, Ripplemead RM9 6QX" is "61 Thames View, Ripplemead"
 * (the postcode is its own field, SPEC 4).  A postcode inside the
 * text is left where it is. */
static size_t address_len(const char *v, size_t vl)
{
	size_t e = vl, cut = vl, words = 0;
	char pc[9];

	while (e > 0 && (isspace((unsigned char)v[e - 1]) || v[e - 1] == '.' || v[e - 1] == ','))
		e--;
	for (size_t i = e; i > 0 && words < 2; i--) {
		if (v[i - 1] != ' ' && v[i - 1] != ',' && v[i - 1] != '\n')
			continue;
		words++;
		if (e - i <= 8 && fields_postcode_find(v + i, e - i, pc))
			cut = i;
	}
	if (cut == vl)
		return vl;
	while (cut > 0 && (isspace((unsigned char)v[cut - 1]) || v[cut - 1] == ','))
		cut--;
	return cut > 0 ? cut : vl;
}

/* The full name of a child, and the date of birth it may carry:
 * "Child: Ali Khan born 3rd Apr 2014". */
static void assign_full_name(struct reader *rd, struct cme_child *c,
                             const char *v, size_t vl)
{
	size_t ncues;
	const char *const *cues = vocab_words(VW_DOB_CUE, &ncues);

	fields_split_name(v, vl, &c->forename, &c->surname);
	if (c->dob != NULL)
		return;
	for (size_t i = 0; i < ncues && !c->dob; i++) {
		const char *hit = fields_memstr_ci(v, vl, cues[i]);

		if (hit)
			fields_set_date(rd, &c->dob, hit, vl - (size_t)(hit - v));
	}
	/* "Name/DOB: Lacey WARD 07/03/2015": a date right after the name,
	 * in the child's name field, is the date of birth */
	if (c->dob == NULL) {
		size_t n = fields_name_part(v, vl);

		while (n < vl && (v[n] == ' ' || v[n] == ',' || v[n] == '(' || v[n] == '-'))
			n++;
		if (n > 0 && n < vl && isdigit((unsigned char)v[n]))
			fields_set_date(rd, &c->dob, v + n, vl - n);
	}
}

int fields_starts_with_word(const char *v, size_t vl, enum vocab_words list)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	fields_trim(&v, &vl);
	while (vl > 0 && (*v == '"' || *v == '\'' || *v == '('))
		v++, vl--;
	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(w[i]);

		if (wl <= vl && strncasecmp(v, w[i], wl) == 0 &&
		    (wl == vl || !isalnum((unsigned char)v[wl])))
			return 1;
	}
	return 0;
}

static int starts_not_known(const char *v, size_t vl)
{
	return fields_starts_with_word(v, vl, VW_NOT_KNOWN);
}

/* A school value that names none: "None", "N/A", "None - family moved
 * here from Croydon and mum has not applied", "Not on roll anywhere
 * (home since March)", "Unknown".  A school's name never opens with
 * such a word followed by a separator. */
static int names_no_school(const char *v, size_t vl)
{
	return vocab_is_negative_answer(v, vl) || fields_starts_with_word(v, vl, VW_NO_SCHOOL) ||
	       starts_not_known(v, vl);
}

/* Two postcodes in different postcode areas (the letters before the
 * first digit: "PE" and "LE"): a new home there is another council's
 * area as far as the form can tell; a move within the area ("PE1" to
 * "PE7") says nothing (README, decisions). */
static int other_postcode_area(const char *a, const char *b)
{
	size_t i = 0;

	while (isalpha((unsigned char)a[i]) && toupper((unsigned char)a[i]) == toupper((unsigned char)b[i]))
		i++;
	return isalpha((unsigned char)a[i]) || isalpha((unsigned char)b[i]);
}

/* The child's address.  "Previous address" gives it only until a
 * current or new one ("Future address", "Address") is stated, whatever
 * the order of the lines (issue 12 item 2); the postcode goes with it
 * when the new address has one. */
static void set_address(struct reader *rd, struct cme_child *c, const char *v, size_t vl)
{
	char pc[9];
	int previous = rd->where.label != NULL &&
	               fields_memstr_any(rd->where.label, rd->where.label_len, VW_PREVIOUS_WORD);

	/* "New address: unknown - 'moving up north'": no address, and the
	 * destination is unknown (moved-away-unknown, SPEC 4) whatever
	 * vague direction follows; the previous address stays the last
	 * known one (README, decisions) */
	if (!previous && starts_not_known(v, vl)) {
		fields_keep_str(rd, &rd->reason_text, "\naddress unknown\n");
		return;
	}
	if (previous && c->address == NULL)
		rd->prev_address = c;
	else if (!previous && rd->prev_address == c && c->address != NULL) {
		rd->prev_address = NULL;
		free(c->address);
		c->address = NULL;
		if (fields_postcode_find(v, vl, pc)) {
			free(c->postcode);
			c->postcode = NULL;
		}
	}
	if (!previous && c->postcode && rd->where.label != NULL &&
	    fields_memstr_any(rd->where.label, rd->where.label_len, VW_NEW_ADDRESS_WORD) &&
	    fields_postcode_find(v, vl, pc) && other_postcode_area(c->postcode, pc))
		fields_keep_str(rd, &rd->reason_text, "\nnew address out of area\n");
	fields_set_str(&c->address, v, address_len(v, vl), 200);
	if (c->postcode == NULL && fields_postcode_find(v, vl, pc))
		c->postcode = strdup(pc);
}

/* A field about one child (F_FORENAME .. F_REASON). */
/* The full stop fields_assign closed the last value with, taken off
 * when the next line continues that value. */
static void unstop(struct strbuf *sb)
{
	if (sb->data && sb->len >= 2 && sb->data[sb->len - 2] == '.' &&
	    sb->data[sb->len - 1] == '\n') {
		sb->data[sb->len - 2] = '\n';
		sb->data[--sb->len] = '\0';
	}
}

/* A child's own reason cell is read as the common reason text is:
 * "Moved to Manchester, no school" is a move to a named town
 * (extract_text_reason); a wrapped value is read whole again. */
static void child_reason(struct reader *rd, struct cme_child *c)
{
	struct strbuf t;
	const char *reason;
	size_t n = rd->reason_text.len - rd->reason_from;

	if (rd->reason_text.data == NULL || rd->reason_from > rd->reason_text.len)
		return;
	strbuf_init(&t, MAX_VALUE * 2);
	fields_keep(rd, &t, rd->reason_text.data + rd->reason_from,
	            n < MAX_VALUE * 2 ? n : MAX_VALUE * 2);
	reason = extract_text_reason(&t);
	if (reason) {
		char *dup = strdup(reason);

		if (dup) {
			free(c->reason);
			c->reason = dup;
		} else
			rd->oom = 1;
	}
	strbuf_free(&t);
}

static void assign_child(struct reader *rd, struct cme_child *c, enum field f,
                         const char *v, size_t vl)
{
	char pc[9];

	switch (f) {
	case F_FORENAME:
		fields_set_str(&c->forename, v, fields_name_part(v, vl), MAX_NAME);
		break;
	case F_SURNAME:
		fields_set_str(&c->surname, v, fields_name_part(v, vl), MAX_NAME);
		break;
	case F_FULLNAME:
		assign_full_name(rd, c, v, vl);
		break;
	case F_DOB:
		fields_set_date(rd, &c->dob, v, vl);
		break;
	case F_GENDER:
		if (c->gender == NULL) {
			const char *g = vocab_match_gender(v, vl);

			if (g)
				c->gender = strdup(g);
		}
		break;
	case F_UPN:
		set_upn(c, v, vl);
		break;
	case F_YEAR:
		if (c->year_group < 0)
			c->year_group = fields_parse_year_group(v, vl);
		break;
	case F_ADDRESS:
		set_address(rd, c, v, vl);
		break;
	case F_POSTCODE:
		if (c->postcode == NULL && fields_postcode_find(v, vl, pc))
			c->postcode = strdup(pc);
		break;
	case F_SCHOOL:
		if (names_no_school(v, vl)) {
			/* what follows "None -" says why: a reason in words */
			fields_keep(rd, &rd->reason_text, v, vl);
			fields_keep_str(rd, &rd->reason_text, ".\n");
			break;
		}
		if (outcome_school(rd, v, vl))
			break;
		fields_set_str(&c->school, v, org_name_len(v, vl), 120);
		break;
	case F_LAST_ATTENDED:
		fields_set_date(rd, &c->last_attended, v, vl);
		break;
	case F_REASON:
		/* a value hard-wrapped onto the next line ("... moved to\n
		 * Blackburn and ...") is one sentence: the full stop the
		 * line above was closed with goes */
		if (rd->value_wrap) {
			unstop(&rd->reason_text);
			unstop(&rd->flag_text);
		} else
			rd->reason_from = rd->reason_text.len;
		fields_keep(rd, &rd->reason_text, v, vl);
		fields_keep_str(rd, &rd->reason_text, ".\n");
		fields_keep(rd, &rd->flag_text, v, vl);
		fields_keep_str(rd, &rd->flag_text, ".\n");
		/* the reason told in sentences is prose as well: its "taken
		 * off roll at Warley Town School" names the school */
		fields_keep(rd, &rd->prose, v, vl);
		fields_keep_str(rd, &rd->prose, "\n");
		if (rd->cur && (c->reason == NULL || rd->value_wrap))
			child_reason(rd, c);
		break;
	default:
		break;
	}
}

/* "Contact telephone of parents: Mrs Folake Adeyemi (mother) 07700
 * 900901": the phone's value names its person first.  A person is a
 * name of two words or more with a courtesy title or a relationship
 * beside it; "Daytime", "Mobile number" or "Home" before a phone name
 * nobody. */
static int person_before_phone(const char *v, size_t ps)
{
	size_t t = fields_title_len(v, ps), n = fields_name_part(v + t, ps - t);

	if (n == 0 || memchr(v + t, ' ', n) == NULL)
		return 0;
	return t > 0 || vocab_match_relationship(v, ps) != NULL;
}

/* A field about a parent or carer. */
static void assign_parent(struct reader *rd, enum field f, const char *v, size_t vl)
{
	struct cme_parent *p;
	const char *rel;
	size_t ps, pl;

	switch (f) {
	case F_PARENT:
		set_parent(rd, v, vl);
		break;
	case F_PARENT_NAME:
		p = current_parent(rd, 1);
		if (p && !vocab_is_negative_answer(v, vl))
			set_person_name(&p->name, v, vl);
		if (p && p->relationship == NULL &&
		    (rel = vocab_match_relationship(v, vl)) != NULL)
			p->relationship = strdup(rel);
		if (p)
			relationship_from_title(rd, p, v, vl);
		/* "Shannon Marsh (mother) 07700 900902": the phone after
		 * the name is the parent's */
		if (p && p->phone == NULL && fields_phone_find(v, vl, &ps, &pl))
			fields_set_str(&p->phone, v + ps, pl, 32);
		break;
	case F_PARENT_REL:
		p = current_parent(rd, 0);
		rel = vocab_match_relationship(v, vl);
		/* "Parent/carer with parental responsibility: Elena Lacatus"
		 * then "Relationship: Mother": the stated relationship is
		 * more exact than the label's generic "carer" */
		if (p && p->relationship && rel && strcmp(p->relationship, "carer") == 0 &&
		    strcmp(rel, "carer") != 0) {
			free(p->relationship);
			p->relationship = NULL;
		}
		if (p && p->relationship == NULL)
			p->relationship = rel ? strdup(rel) : fields_dup_trimmed(v, vl, 40);
		break;
	case F_PARENT_PHONE:
		if (fields_phone_find(v, vl, &ps, &pl) && person_before_phone(v, ps)) {
			set_parent(rd, v, vl);
			break;
		}
		p = current_parent(rd, 0);
		if (p && fields_phone_find(v, vl, &ps, &pl))
			fields_set_str(&p->phone, v + ps, pl, 32);
		break;
	default:
		break;
	}
}

/* A field about the person referring. */
static void assign_referrer(struct reader *rd, enum field f, const char *v, size_t vl)
{
	struct cme_person *ref = &rd->r->referrer;
	size_t s, l;

	switch (f) {
	case F_REFERRER:
		fields_set_referrer(rd, v, vl);
		break;
	case F_REFERRER_NAME:
		set_person_name(&ref->name, v, vl);
		break;
	case F_REFERRER_ROLE:
		fields_set_str(&ref->role, v, vl, 120);
		break;
	case F_REFERRER_ORG:
		fields_set_str(&ref->organisation, v, org_name_len(v, vl), 120);
		break;
	case F_REFERRER_EMAIL:
		if (fields_email_find(v, vl, &s, &l))
			fields_set_str(&ref->email, v + s, l, 254);
		break;
	case F_REFERRER_PHONE:
		if (fields_phone_find(v, vl, &s, &l))
			fields_set_str(&ref->phone, v + s, l, 32);
		break;
	default:
		break;
	}
}

/* 1 if the value's first word is a negator (words.vocab). */
static int opens_negated(const char *v, size_t vl)
{
	size_t i = 0, w;

	while (i < vl && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (w = i; i < vl && isalpha((unsigned char)v[i]); i++)
		;
	return i > w && vocab_negated_at(v, i);
}

/* Notes, flags and what an update reports. */
static void assign_other(struct reader *rd, enum field f, const char *v, size_t vl)
{
	struct cme_referral *r = rd->r;

	switch (f) {
	case F_SAFEGUARDING:
	case F_NOTES:
	case F_NEXT_STEPS:
	case F_REFERRAL_TYPE:
		if (!vocab_is_negative_answer(v, vl)) {
			fields_keep(rd, &rd->flag_text, v, vl);
			fields_keep_str(rd, &rd->flag_text, ".\n");
		}
		if (f == F_NOTES) {
			fields_keep(rd, &rd->prose, v, vl);
			fields_keep_str(rd, &rd->prose, "\n");
		}
		break;
	case F_SOCIAL_WORKER:
		/* A named social worker is the flag; "None" is not, nor one
		 * in the past ("Yes (ended)", "Previously - case closed"), nor
		 * a value that opens with a negator ("Not open to CSC",
		 * "Never had one") */
		if (!vocab_is_negative_answer(v, vl) && !fields_memstr_any(v, vl, VW_NOT_KNOWN) &&
		    answers_value(v, vl) != VOCAB_ANSWER_NO && !vocab_ended(v, vl) &&
		    !opens_negated(v, vl))
			r->flags |= 1UL << vocab_flag_index("social-worker");
		break;
	case F_OUTCOME:
		fields_keep(rd, &rd->outcome_text, v, vl);
		fields_keep_str(rd, &rd->outcome_text, ".\n");
		break;
	case F_NEW_SCHOOL:
		if (!vocab_is_negative_answer(v, vl))
			fields_set_str(&r->new_school, v, vl, 120);
		break;
	case F_VISIT_DATE:
		fields_set_date(rd, &r->visit_date, v, vl);
		break;
	case F_CASE_REF:        /* refs are found by pattern over all text */
	case F_VISIT_BY:
	case F_VISIT_ADDRESS:
	case F_DATE_REMOVED:
	default:
		break;
	}
}

/* "Sibling 1 name", "Sibling surname", "Child 2 DOB", "Brother's school":
 * a label that says which child it is about.  Returns a key for that
 * child (the word and its number) or 0.  A block word ("child",
 * "pupil") names another child only with a number: "Pupil surname" is
 * the first child's. */
static long label_child_key(const char *l, size_t ll)
{
	size_t wl = 0, i, nn;
	long num = 0, base;
	const char *const *numbers = vocab_words(VW_NUMBER_WORD, &nn);

	if (vocab_words_prefix(VW_SIBLING_WORD, l, ll, &wl))
		base = 1;
	else if (vocab_words_prefix(VW_BLOCK_WORD, l, ll, &wl))
		base = 2;
	else
		return 0;
	i = wl;
	if (i + 1 < ll && l[i] == '\'' && l[i + 1] == 's')
		i += 2;                         /* "Sibling's" */
	else if (i < ll && l[i] == 's')
		i++;                            /* "Siblings" */
	if (i < ll && isalpha((unsigned char)l[i]))
		return 0;                       /* "Childline", "Pupillage" */
	while (i < ll && (l[i] == ' ' || l[i] == '#'))
		i++;
	if (i < ll && isdigit((unsigned char)l[i])) {
		while (i < ll && isdigit((unsigned char)l[i]) && num < 1000)
			num = num * 10 + (l[i++] - '0');
	} else {
		for (size_t k = 0; k < nn; k++) {
			size_t kl = strlen(numbers[k]);

			if (ll - i >= kl && strncasecmp(l + i, numbers[k], kl) == 0 &&
			    (i + kl == ll || !isalpha((unsigned char)l[i + kl]))) {
				num = (long)k + 1;
				break;
			}
		}
	}
	if (base == 2 && num == 0)
		return 0;
	return base * 1000000 + (long)wl * 1000 + num;
}

/* 1 if the child's field f is set already (a second "Sibling name" is
 * the next sibling). */
static int child_has(const struct cme_child *c, enum field f)
{
	switch (f) {
	case F_FORENAME: return c->forename != NULL;
	case F_SURNAME: return c->surname != NULL;
	case F_FULLNAME: return c->forename != NULL || c->surname != NULL;
	case F_DOB: return c->dob != NULL;
	case F_GENDER: return c->gender != NULL;
	case F_UPN: return c->upn != NULL;
	case F_YEAR: return c->year_group >= 0;
	case F_SCHOOL: return c->school != NULL;
	default: return 0;
	}
}

/* The first child, read outside any block, becomes child 1 before a
 * sibling's block opens (first: 0), or is put before the children read
 * in rows (first: 1); what it shares with its siblings (address,
 * postcode, reason, last attended) stays common to all.  Returns the
 * child, or NULL when none was made. */
struct cme_child *fields_first_child_from_common(struct reader *rd, int first)
{
	struct cme_referral *r = rd->r;
	struct cme_child *k = &rd->common, *c, tmp;

	if ((!first && r->n_children > 0) || !(k->forename || k->surname || k->dob || k->upn))
		return NULL;
	if ((c = referral_add_child(r, rd->o->max_children)) == NULL)
		return NULL;
#define MOVE(f) do { c->f = k->f; k->f = NULL; } while (0)
	MOVE(forename); MOVE(surname); MOVE(dob); MOVE(gender); MOVE(upn); MOVE(school);
#undef MOVE
	c->upn_valid = k->upn_valid;
	c->year_group = k->year_group;
	k->upn_valid = -1;
	k->year_group = -1;
	if (first && r->n_children > 1) {
		/* to the front; the others' provenance moves with them */
		tmp = *c;
		memmove(&r->children[1], &r->children[0],
		        (r->n_children - 1) * sizeof r->children[0]);
		r->children[0] = tmp;
		for (size_t n = 0; n < rd->n_notes; n++)
			if (rd->notes[n].kind == 'c')
				rd->notes[n].idx++;
		c = &r->children[0];
	}
	return c;
}

/* 1 if the last unlabelled line kept (a heading the reader did not
 * know, right above the labelled line) names siblings: "SECTION 3
 * SIBLINGS (also missing education)", "Other children in the family". */
static int under_sibling_heading(const struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t e = rd->prose.len, b;

	while (e > 0 && s[e - 1] == '\n')
		e--;
	b = e;
	while (b > 0 && s[b - 1] != '\n')
		b--;
	return e - b > 0 && e - b <= 80 && fields_memstr_any(s + b, e - b, VW_SIBLING_WORD) &&
	       !vocab_is_negative_answer(s + b, e - b);
}

/* A labelled line about a named child ("Sibling 1 date of birth")
 * goes to that child's block, opened when first named or when the
 * field is set already; blank lines between do not lose it.  Table
 * cells past a label|value pair are placed by tables.c. */
static void label_child_target(struct reader *rd, enum field f)
{
	long key;
	struct cme_child *c;

	if (rd->where.label == NULL || rd->where.col > 2)
		return;
	if ((key = label_child_key(rd->where.label, rd->where.label_len)) == 0) {
		/* "SECTION 3 SIBLINGS" then "Name  Kayla SMITH": a name
		 * the first child has already, under a sibling heading */
		if (rd->cur == NULL && (f == F_FULLNAME || f == F_FORENAME || f == F_SURNAME) &&
		    child_has(&rd->common, f) && under_sibling_heading(rd))
			key = -1;
		else
			return;
	}
	if (key == rd->block_key && rd->block_child > 0 &&
	    rd->block_child <= rd->r->n_children &&
	    !child_has(&rd->r->children[rd->block_child - 1], f)) {
		rd->cur = &rd->r->children[rd->block_child - 1];
		return;
	}
	if (rd->cur && rd->cur_fields == 0 && rd->cur != &rd->spill) {
		/* "Child 1: Levi SMITH": the heading opened this block */
		rd->block_key = key;
		rd->block_child = (size_t)(rd->cur - rd->r->children) + 1;
		return;
	}
	(void)fields_first_child_from_common(rd, 0);
	if ((c = fields_new_child_block(rd)) == NULL)
		return;
	rd->block_key = key;
	rd->block_child = c == &rd->spill ? 0 : (size_t)(c - rd->r->children) + 1;
}

void fields_record_line(struct reader *rd)
{
	struct cme_child *c = child_target(rd);

	if (rd->section != F_NONE && rd->section != F_FULLNAME)
		return;
	if (!child_has(c, F_FULLNAME) || !child_has(c, F_DOB))
		return;
	(void)fields_first_child_from_common(rd, 0);
	if ((c = fields_new_child_block(rd)) == NULL)
		return;
	rd->block_key = -1;
	rd->block_child = c == &rd->spill ? 0 : (size_t)(c - rd->r->children) + 1;
}

void fields_assign(struct reader *rd, enum field f, const char *v, size_t vl)
{
	struct prov_mark pm;

	fields_trim(&v, &vl);
	if (vl > MAX_VALUE)
		vl = MAX_VALUE;
	f = in_section(rd, f);
	if (f == F_NONE)
		return;
	rd->labelled_fields++;
	if (f >= F_FORENAME && f <= F_REASON)
		label_child_target(rd, f);
	if (rd->cur && f >= F_FORENAME && f <= F_REASON)
		rd->cur_fields++;
	provenance_before(rd, f, &pm);     /* the one provenance hook */
	if (f >= F_FORENAME && f <= F_REASON)
		assign_child(rd, child_target(rd), f, v, vl);
	else if (f >= F_PARENT_NAME && f <= F_PARENT)
		assign_parent(rd, f, v, vl);
	else if (f >= F_REFERRER_NAME && f <= F_REFERRER)
		assign_referrer(rd, f, v, vl);
	else
		assign_other(rd, f, v, vl);
	provenance_after(rd, &pm);
}

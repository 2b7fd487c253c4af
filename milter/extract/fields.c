/*
 * fields.c - the reader's text helpers, and one labelled value into the
 * field it names.  See extract_int.h.
 *
 * Owns: the rules for a value: trimmed and cleaned (textclean.h), first
 * statement wins, a name ends where a date of birth, a bracket or a
 * phone number begins; which child, parent or referrer a field belongs
 * to (the open child block, else the fields common to all children).
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
	while (*len > 0 && (isspace((unsigned char)(*s)[*len - 1]) ||
	                    (*s)[*len - 1] == '*' || (*s)[*len - 1] == '|' ||
	                    (*s)[*len - 1] == '_' ||
	                    ((*s)[*len - 1] == '-' && (*len == 1 ||
	                     isspace((unsigned char)(*s)[*len - 2]) || (*s)[*len - 2] == '-'))))
		(*len)--;
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

/* Text up to the first '(' or ',' or phone number or " - ": the name
 * part of "Siobhán O'Brien (mother), tel 07700 900456". */
size_t fields_name_part(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '(' && s[n] != ',' && s[n] != ';' && s[n] != '<' &&
	       !isdigit((unsigned char)s[n]) && !(s[n] == ' ' && n + 2 < len &&
	                                          s[n + 1] == '-' && s[n + 2] == ' '))
		n++;
	/* "Ali Khan born 3rd Apr 2014", "Ali Khan DOB 03/04/2014": the name
	 * ends where the date of birth is introduced. */
	{
		size_t ncues;
		const char *const *cues = vocab_words(VW_NAME_END, &ncues);

		for (size_t i = 0; i < ncues; i++) {
			const char *hit = fields_memstr_ci(s, n, cues[i]);
			size_t cl = strlen(cues[i]);

			if (hit && ((size_t)(hit - s) + cl >= n ||
			            !isalpha((unsigned char)hit[cl])))
				n = (size_t)(hit - s);
		}
	}
	/* drop a trailing "tel"/"tel:"/"mob" word left before the number */
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	{
		size_t ntails;
		const char *const *tails = vocab_words(VW_NAME_TAIL, &ntails);

		for (size_t i = 0; i < ntails; i++) {
			size_t tl = strlen(tails[i]);

			if (n >= tl && strncasecmp(s + n - tl, tails[i], tl) == 0) {
				n -= tl;
				break;
			}
		}
	}
	return n;
}

/* Split a full name into forename(s) and surname.  "SMITH, Jayden" and
 * "Smith, Jayden" (surname first, comma) are recognised; otherwise the
 * last word is the surname. */
/* "Alexander (Alex) JONES": a bracketed known-as name inside a full
 * name is dropped, so the legal forename and the surname remain.  A
 * bracket that ends the name ("Ali Khan (brother)") is left for
 * fields_name_part to cut.  Returns the length written to out. */
static size_t drop_known_as(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		const char *close;
		size_t k;

		if (s[i] == '(' && (close = memchr(s + i, ')', len - i)) != NULL) {
			k = (size_t)(close - s) + 1;
			while (k < len && s[k] == ' ')
				k++;
			if (k < len && isalpha((unsigned char)s[k])) {
				i = k - 1;      /* the name goes on after it */
				continue;
			}
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return o;
}

void fields_split_name(const char *s, size_t len, char **forename, char **surname)
{
	char plain[MAX_NAME * 2 + 1];
	const char *comma;
	size_t n;

	fields_trim(&s, &len);
	if (len < sizeof plain && memchr(s, '(', len)) {
		len = drop_known_as(s, len, plain, sizeof plain);
		s = plain;
	}
	comma = memchr(s, ',', len);
	if (comma) {
		const char *a = s, *b = comma + 1;
		size_t al = (size_t)(comma - s), bl = len - al - 1;

		fields_trim(&b, &bl);
		n = fields_name_part(b, bl);
		if (al > 0 && memchr(a, ' ', al) == NULL && n > 0) {
			fields_set_str(surname, a, al, MAX_NAME);
			fields_set_str(forename, b, n, MAX_NAME);
			return;
		}
	}
	n = fields_name_part(s, len);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n > MAX_NAME)
		return;
	{
		const char *sp = NULL;

		for (size_t i = n; i > 0; i--)
			if (s[i - 1] == ' ') {
				sp = s + i - 1;
				break;
			}
		if (sp == NULL) {
			fields_set_str(surname, s, n, MAX_NAME);   /* one word: a surname */
			return;
		}
		fields_set_str(forename, s, (size_t)(sp - s), MAX_NAME);
		fields_set_str(surname, sp + 1, n - (size_t)(sp + 1 - s), MAX_NAME);
	}
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
			fields_set_str(&p->name, v, n, MAX_NAME);
	}
	if ((rel = vocab_match_relationship(v, vl)) != NULL && p->relationship == NULL)
		p->relationship = strdup(rel);
	if (fields_phone_find(v, vl, &ps, &pl))
		fields_set_str(&p->phone, v + ps, pl, 32);
}

void fields_set_referrer(struct reader *rd, const char *v, size_t vl)
{
	struct cme_person *ref = &rd->r->referrer;
	size_t ps, pl, es, el;
	const char *comma;
	size_t n = fields_name_part(v, vl);

	if (n > 0)
		fields_set_str(&ref->name, v, n, MAX_NAME);
	comma = memchr(v, ',', vl);
	if (comma) {
		const char *rs = comma + 1;
		size_t rl = vl - (size_t)(rs - v);
		const char *c2 = memchr(rs, ',', rl);
		size_t role_len = c2 ? (size_t)(c2 - rs) : rl;

		if (!fields_phone_find(rs, role_len, &ps, &pl) && memchr(rs, '@', role_len) == NULL)
			fields_set_str(&ref->role, rs, role_len, 120);
	}
	if (fields_phone_find(v, vl, &ps, &pl))
		fields_set_str(&ref->phone, v + ps, pl, 32);
	if (fields_email_find(v, vl, &es, &el))
		fields_set_str(&ref->email, v + es, el, 254);
}

static void set_upn(struct cme_child *c, const char *v, size_t vl)
{
	char upn[14];

	if (c->upn)
		return;
	if (upn_find(v, vl, upn)) {
		c->upn = strdup(upn);
		c->upn_valid = upn_valid(upn);
	} else if (!vocab_is_negative_answer(v, vl)) {
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
	return vl;
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
	fields_set_str(&c->address, v, vl, 200);
	if (c->postcode == NULL && fields_postcode_find(v, vl, pc))
		c->postcode = strdup(pc);
}

/* A field about one child (F_FORENAME .. F_REASON). */
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
		if (!vocab_is_negative_answer(v, vl))
			fields_set_str(&c->school, v, org_name_len(v, vl), 120);
		break;
	case F_LAST_ATTENDED:
		fields_set_date(rd, &c->last_attended, v, vl);
		break;
	case F_REASON:
		if (rd->cur) {
			const char *reason = vocab_match_reason(v, vl);

			if (reason && c->reason == NULL)
				c->reason = strdup(reason);
		}
		fields_keep(rd, &rd->reason_text, v, vl);
		fields_keep_str(rd, &rd->reason_text, ".\n");
		fields_keep(rd, &rd->flag_text, v, vl);
		fields_keep_str(rd, &rd->flag_text, ".\n");
		break;
	default:
		break;
	}
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
			fields_set_str(&p->name, v, fields_name_part(v, vl), MAX_NAME);
		if (p && p->relationship == NULL &&
		    (rel = vocab_match_relationship(v, vl)) != NULL)
			p->relationship = strdup(rel);
		break;
	case F_PARENT_REL:
		p = current_parent(rd, 0);
		rel = vocab_match_relationship(v, vl);
		if (p && p->relationship == NULL)
			p->relationship = rel ? strdup(rel) : fields_dup_trimmed(v, vl, 40);
		break;
	case F_PARENT_PHONE:
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
		fields_set_str(&ref->name, v, fields_name_part(v, vl), MAX_NAME);
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
		/* A named social worker is the flag; "None" is not. */
		if (!vocab_is_negative_answer(v, vl) && !fields_memstr_any(v, vl, VW_NOT_KNOWN) &&
		    answers_value(v, vl) != VOCAB_ANSWER_NO)
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

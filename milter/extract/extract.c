/*
 * extract.c - stage 2: read a parsed message into a struct cme_referral.
 *
 * Owns: the reading logic.  Schools write referrals as labelled lines
 * ("Child's surname: Smith"), as tables (HTML rows, CSV rows), in blocks
 * ("Child 1" / "Child 2") and in prose; this module turns all of those
 * into fields.  Which words mean what is vocab's business: no label,
 * reason or flag phrase is spelled here.
 *
 * The reader keeps a small state machine per text part:
 *   - a *section* (child / parent / referrer) opened by a heading line,
 *     so that a bare "Name:" under "Referrer details" is the referrer's;
 *   - a *current child block* opened by "Child 1", "Pupil 2", ... and
 *     closed by a blank line; fields outside any block are *common* and
 *     apply to every child that lacks them (siblings share an address);
 *   - quoted lines ("> ...") and, in replies, everything after the
 *     original-message marker are not read: they describe the past.
 * Nothing here fails on odd input; what cannot be read becomes a problem
 * sentence an officer can act on.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"
#include "strbuf.h"
#include "textclean.h"
#include "ukdate.h"
#include "upn.h"
#include "vocab.h"

#define MAX_VALUE      512     /* bytes of one field value considered */
#define MAX_NAME       80      /* a longer "name" is not a name */
#define MAX_CELLS      64      /* cells read per table row */
#define MAX_PARENTS    8
#define MAX_SCAN_TEXT  (256 * 1024)  /* prose kept for reason/flag scans */
#define MAX_PROSE_LINE 1000          /* bytes of one prose line kept */

void extract_options_default(struct extract_options *o)
{
	o->max_children = EXTRACT_MAX_CHILDREN;
	o->immediate_flags = 0;
	o->trust = NULL;
	o->null_sender = 0;
}

struct reader {
	const struct extract_options *o;
	struct cme_referral *r;
	struct ymd ref_date;         /* message date: dates without a year */
	int is_reply;                /* Subject RE:/AW: */
	int is_forward;              /* Subject FW:/FWD: */

	struct cme_child common;     /* fields given outside child blocks */
	struct cme_child *cur;       /* open child block, or NULL */
	int cur_fields;              /* fields set in the open block */
	int section;                 /* F_NONE, F_FULLNAME, F_PARENT, F_REFERRER */
	enum field last_field;       /* field of the previous line, for wraps */
	const char *from_name;       /* From display name: finds a signature */
	size_t para_start;           /* prose offset where the paragraph began */
	size_t last_para_start;      /* ... and the paragraph before the last blank */
	int labelled_fields;         /* recognised label lines, all texts */
	struct cme_child spill;      /* a child past max_children being read:
	                                listed in r->overflow, never kept */

	struct strbuf prose;         /* unlabelled text: reason, flags, names */
	struct strbuf reason_text;   /* common "Reason:" values */
	struct strbuf flag_text;     /* safeguarding values, notes */
	struct strbuf outcome_text;  /* "Outcome:" values */
	char *signature[4];          /* lines after the valediction */
	int in_signature;
};

/* ------------------------------------------------------------------ */
/* Small text helpers.                                                  */

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && (isspace((unsigned char)**s) || **s == '*' || **s == '-' ||
	                    **s == ':'))
		(*s)++, (*len)--;
	while (*len > 0 && (isspace((unsigned char)(*s)[*len - 1]) ||
	                    (*s)[*len - 1] == '*'))
		(*len)--;
}

/* Every value read from the message is stored through here: trimmed,
 * and cleaned of controls, line breaks and invisible characters
 * (textclean.h). */
static char *dup_trimmed(const char *s, size_t len, size_t max)
{
	trim(&s, &len);
	return text_clean(s, len, max);
}

static void set_str(char **slot, const char *s, size_t len, size_t max)
{
	char *v;

	if (*slot != NULL)
		return;             /* first statement wins */
	v = dup_trimmed(s, len, max);
	if (v && *v)
		*slot = v;
	else
		free(v);
}

static const char *memstr_ci(const char *h, size_t hl, const char *n)
{
	size_t nl = strlen(n);
	int first = tolower((unsigned char)n[0]);

	for (size_t i = 0; i + nl <= hl; i++)
		if (tolower((unsigned char)h[i]) == first && strncasecmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* A UK postcode anywhere in text, normalised "IP1 2BX".  Outward code:
 * 1-2 letters, a digit, an optional letter or digit; inward: digit and
 * two letters.  Whole-word only. */
static int postcode_find(const char *s, size_t len, char out[9])
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
static int phone_find(const char *s, size_t len, size_t *start, size_t *plen)
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

static int email_find(const char *s, size_t len, size_t *start, size_t *elen)
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
static size_t name_part(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '(' && s[n] != ',' && s[n] != ';' && s[n] != '<' &&
	       !isdigit((unsigned char)s[n]) && !(s[n] == ' ' && n + 2 < len &&
	                                          s[n + 1] == '-' && s[n + 2] == ' '))
		n++;
	/* "Ali Khan born 3rd Apr 2014", "Ali Khan DOB 03/04/2014": the name
	 * ends where the date of birth is introduced. */
	{
		static const char *const cues[] = { " born", " dob", " d.o.b", " aged",
			" age ", " date of birth", " year " };

		for (size_t i = 0; i < sizeof cues / sizeof cues[0]; i++) {
			const char *hit = memstr_ci(s, n, cues[i]);
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
		static const char *const tails[] = { " tel", " tel.", " tel:", " mob",
			" mobile", " phone", " on", " t:", " m:" };

		for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
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
static void split_name(const char *s, size_t len, char **forename, char **surname)
{
	const char *comma = memchr(s, ',', len);
	size_t n;

	trim(&s, &len);
	if (comma) {
		const char *a = s, *b = comma + 1;
		size_t al = (size_t)(comma - s), bl = len - al - 1;

		trim(&b, &bl);
		n = name_part(b, bl);
		if (al > 0 && memchr(a, ' ', al) == NULL && n > 0) {
			set_str(surname, a, al, MAX_NAME);
			set_str(forename, b, n, MAX_NAME);
			return;
		}
	}
	n = name_part(s, len);
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
			set_str(surname, s, n, MAX_NAME);   /* one word: a surname */
			return;
		}
		set_str(forename, s, (size_t)(sp - s), MAX_NAME);
		set_str(surname, sp + 1, n - (size_t)(sp + 1 - s), MAX_NAME);
	}
}

static void set_date(struct reader *rd, char **slot, const char *s, size_t len)
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

static int parse_year_group(const char *s, size_t len)
{
	size_t i = 0;

	trim(&s, &len);
	if (len >= 3 && strncasecmp(s, "rec", 3) == 0)
		return 0;
	if (len == 1 && toupper((unsigned char)s[0]) == 'R')
		return 0;
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
static void spill_flush(struct reader *rd)
{
	referral_add_overflow(rd->r, &rd->spill);
	referral_child_clear(&rd->spill);
}

static struct cme_child *new_child_block(struct reader *rd)
{
	struct cme_child *c;

	if (rd->r->n_children < rd->o->max_children) {
		c = referral_add_child(rd->r, rd->o->max_children);
	} else {
		/* Past the cap the child is still read, one at a time into
		 * the spill, and listed (SPEC 8: nobody is left out). */
		spill_flush(rd);
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
	size_t n = name_part(v, vl), ps, pl;
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
			set_str(&p->name, v, n, MAX_NAME);
	}
	if ((rel = vocab_match_relationship(v, vl)) != NULL && p->relationship == NULL)
		p->relationship = strdup(rel);
	if (phone_find(v, vl, &ps, &pl))
		set_str(&p->phone, v + ps, pl, 32);
}

static void set_referrer(struct reader *rd, const char *v, size_t vl)
{
	struct cme_person *ref = &rd->r->referrer;
	size_t ps, pl, es, el;
	const char *comma;
	size_t n = name_part(v, vl);

	if (n > 0)
		set_str(&ref->name, v, n, MAX_NAME);
	comma = memchr(v, ',', vl);
	if (comma) {
		const char *rs = comma + 1;
		size_t rl = vl - (size_t)(rs - v);
		const char *c2 = memchr(rs, ',', rl);
		size_t role_len = c2 ? (size_t)(c2 - rs) : rl;

		if (!phone_find(rs, role_len, &ps, &pl) && memchr(rs, '@', role_len) == NULL)
			set_str(&ref->role, rs, role_len, 120);
	}
	if (phone_find(v, vl, &ps, &pl))
		set_str(&ref->phone, v + ps, pl, 32);
	if (email_find(v, vl, &es, &el))
		set_str(&ref->email, v + es, el, 254);
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
		set_str(&c->upn, v, vl, 20);
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

static void assign(struct reader *rd, enum field f, const char *v, size_t vl)
{
	struct cme_child *c = child_target(rd);
	struct cme_referral *r = rd->r;
	char pc[9];

	trim(&v, &vl);
	if (vl > MAX_VALUE)
		vl = MAX_VALUE;
	f = in_section(rd, f);
	if (f == F_NONE)
		return;
	rd->labelled_fields++;
	if (rd->cur && f >= F_FORENAME && f <= F_REASON)
		rd->cur_fields++;

	switch (f) {
	case F_FORENAME:
		set_str(&c->forename, v, name_part(v, vl), MAX_NAME);
		break;
	case F_SURNAME:
		set_str(&c->surname, v, name_part(v, vl), MAX_NAME);
		break;
	case F_FULLNAME:
		split_name(v, vl, &c->forename, &c->surname);
		/* "Child: Ali Khan born 3rd Apr 2014" carries the DOB too */
		if (c->dob == NULL) {
			static const char *const cues[] = { "born", "dob", "d.o.b", "date of birth" };

			for (size_t i = 0; i < sizeof cues / sizeof cues[0] && !c->dob; i++) {
				const char *hit = memstr_ci(v, vl, cues[i]);

				if (hit)
					set_date(rd, &c->dob, hit, vl - (size_t)(hit - v));
			}
		}
		break;
	case F_DOB:
		set_date(rd, &c->dob, v, vl);
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
			c->year_group = parse_year_group(v, vl);
		break;
	case F_ADDRESS:
	case F_VISIT_ADDRESS:
		if (f == F_ADDRESS)
			set_str(&c->address, v, vl, 200);
		if (f == F_ADDRESS && c->postcode == NULL && postcode_find(v, vl, pc))
			c->postcode = strdup(pc);
		break;
	case F_POSTCODE:
		if (c->postcode == NULL && postcode_find(v, vl, pc))
			c->postcode = strdup(pc);
		break;
	case F_SCHOOL:
		if (!vocab_is_negative_answer(v, vl))
			set_str(&c->school, v, vl, 120);
		break;
	case F_LAST_ATTENDED:
		set_date(rd, &c->last_attended, v, vl);
		break;
	case F_REASON:
		if (rd->cur) {
			const char *reason = vocab_match_reason(v, vl);

			if (reason && c->reason == NULL)
				c->reason = strdup(reason);
		}
		(void)strbuf_append(&rd->reason_text, v, vl);
		(void)strbuf_puts(&rd->reason_text, ".\n");
		(void)strbuf_append(&rd->flag_text, v, vl);
		(void)strbuf_puts(&rd->flag_text, ".\n");
		break;
	case F_PARENT:
		set_parent(rd, v, vl);
		break;
	case F_PARENT_NAME: {
		struct cme_parent *p = current_parent(rd, 1);

		if (p && !vocab_is_negative_answer(v, vl))
			set_str(&p->name, v, name_part(v, vl), MAX_NAME);
		if (p && p->relationship == NULL) {
			const char *rel = vocab_match_relationship(v, vl);

			if (rel)
				p->relationship = strdup(rel);
		}
		break;
	}
	case F_PARENT_REL: {
		struct cme_parent *p = current_parent(rd, 0);
		const char *rel = vocab_match_relationship(v, vl);

		if (p && p->relationship == NULL)
			p->relationship = rel ? strdup(rel) : dup_trimmed(v, vl, 40);
		break;
	}
	case F_PARENT_PHONE: {
		size_t ps, pl;
		struct cme_parent *p = current_parent(rd, 0);

		if (p && phone_find(v, vl, &ps, &pl))
			set_str(&p->phone, v + ps, pl, 32);
		break;
	}
	case F_REFERRER:
		set_referrer(rd, v, vl);
		break;
	case F_REFERRER_NAME:
		set_str(&r->referrer.name, v, name_part(v, vl), MAX_NAME);
		break;
	case F_REFERRER_ROLE:
		set_str(&r->referrer.role, v, vl, 120);
		break;
	case F_REFERRER_ORG:
		set_str(&r->referrer.organisation, v, vl, 120);
		break;
	case F_REFERRER_EMAIL: {
		size_t es, el;

		if (email_find(v, vl, &es, &el))
			set_str(&r->referrer.email, v + es, el, 254);
		break;
	}
	case F_REFERRER_PHONE: {
		size_t ps, pl;

		if (phone_find(v, vl, &ps, &pl))
			set_str(&r->referrer.phone, v + ps, pl, 32);
		break;
	}
	case F_SAFEGUARDING:
	case F_NOTES:
	case F_NEXT_STEPS:
	case F_REFERRAL_TYPE:
		if (!vocab_is_negative_answer(v, vl)) {
			(void)strbuf_append(&rd->flag_text, v, vl);
			(void)strbuf_puts(&rd->flag_text, ".\n");
		}
		if (f == F_NOTES) {
			(void)strbuf_append(&rd->prose, v, vl);
			(void)strbuf_puts(&rd->prose, "\n");
		}
		break;
	case F_SOCIAL_WORKER:
		/* A named social worker is the flag; "None" is not. */
		if (!vocab_is_negative_answer(v, vl) && !memstr_ci(v, vl, "not known"))
			r->flags |= 1UL << vocab_flag_index("social-worker");
		break;
	case F_CASE_REF:
		break;      /* refs are found by pattern over all text */
	case F_OUTCOME:
		(void)strbuf_append(&rd->outcome_text, v, vl);
		(void)strbuf_puts(&rd->outcome_text, ".\n");
		break;
	case F_NEW_SCHOOL:
		if (!vocab_is_negative_answer(v, vl))
			set_str(&r->new_school, v, vl, 120);
		break;
	case F_VISIT_DATE:
		set_date(rd, &r->visit_date, v, vl);
		break;
	case F_VISIT_BY:
	case F_DATE_REMOVED:
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Lines and tables.                                                    */

/* "Child 1", "Pupil 2:", "Sibling 3 -", "CHILD ONE": opens a block.
 * Returns the length of the heading (so "Child 1: Tyler Evans" can
 * hand its rest on as a name), or 0. */
static size_t child_heading(const char *s, size_t len)
{
	static const char *const words[] = { "child", "pupil", "sibling", "student",
		"young person" };
	static const char *const numbers[] = { "one", "two", "three", "four", "five",
		"six", "seven", "eight", "nine", "ten" };

	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t wl = strlen(words[w]), i;

		if (len <= wl || strncasecmp(s, words[w], wl) != 0)
			continue;
		i = wl;
		while (i < len && (s[i] == ' ' || s[i] == '#' || s[i] == '.'))
			i++;
		if (i < len && isdigit((unsigned char)s[i])) {
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
		} else {
			size_t k;

			for (k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
				size_t nl = strlen(numbers[k]);

				if (len - i >= nl && strncasecmp(s + i, numbers[k], nl) == 0 &&
				    (i + nl == len || !isalpha((unsigned char)s[i + nl]))) {
					i += nl;
					break;
				}
			}
			if (k == sizeof numbers / sizeof numbers[0])
				continue;
		}
		while (i < len && (s[i] == ' ' || s[i] == ':' || s[i] == ')' || s[i] == '-' ||
		                   s[i] == '.'))
			i++;
		/* "Child 1 surname: X" is a label, not a heading. */
		if (i < len && memchr(s + i, ':', len - i) && !memchr(s, ':', i))
			continue;
		return i;
	}
	return 0;
}

/* Split "Label: value" / "Label<TAB>value".  The label must be short
 * and known to vocab. */
static enum field split_label(const char *s, size_t len, const char **value, size_t *vlen)
{
	size_t limit = len < 64 ? len : 64;

	for (size_t i = 0; i < limit; i++) {
		if (s[i] == ':' || s[i] == '\t') {
			enum field f;
			const char *lab = s;
			size_t ll = i;

			trim(&lab, &ll);
			f = vocab_label(lab, ll);
			if (f == F_NONE)
				return F_NONE;
			*value = s + i + 1;
			*vlen = len - i - 1;
			return f;
		}
	}
	return F_NONE;
}

struct row {
	const char *cell[MAX_CELLS];
	size_t len[MAX_CELLS];
	size_t n;
};

static void split_row(const char *s, size_t len, char sep, struct row *row)
{
	size_t start = 0;

	row->n = 0;
	for (size_t i = 0; i <= len && row->n < MAX_CELLS; i++) {
		if (i == len || s[i] == sep) {
			const char *c = s + start;
			size_t cl = i - start;

			trim(&c, &cl);
			row->cell[row->n] = c;
			row->len[row->n] = cl;
			row->n++;
			start = i + 1;
		}
	}
}

/* A header row names child fields in at least two of its cells. */
static int header_columns(const struct row *row, enum field cols[MAX_CELLS])
{
	int known = 0;

	for (size_t i = 0; i < row->n; i++) {
		cols[i] = vocab_label(row->cell[i], row->len[i]);
		if (cols[i] >= F_FORENAME && cols[i] <= F_REASON)
			known++;
	}
	return row->n >= 3 && known >= 2;
}

/* One table record (CSV row or HTML row under a header row) is one
 * child. */
static void read_record(struct reader *rd, const struct row *row,
                        const enum field cols[MAX_CELLS])
{
	int nonempty = 0;

	for (size_t i = 0; i < row->n; i++)
		if (row->len[i])
			nonempty++;
	if (nonempty == 0)
		return;
	if (new_child_block(rd) == NULL)
		return;
	for (size_t i = 0; i < row->n; i++)
		if (cols[i] != F_NONE && row->len[i])
			assign(rd, cols[i], row->cell[i], row->len[i]);
	rd->cur = NULL;
}

/* A label column followed by one column per child:
 *     Surname | Evans | Evans
 *     Forename| Tyler | Grace                                        */
static int read_label_columns(struct reader *rd, const struct row *rows, size_t nrows)
{
	size_t width = rows[0].n, first_child = rd->r->n_children;

	if (width < 3)
		return 0;
	for (size_t k = 1; k < width; k++) {
		if (new_child_block(rd) == NULL)
			break;
		for (size_t j = 0; j < nrows; j++) {
			enum field f = vocab_label(rows[j].cell[0], rows[j].len[0]);

			if (f != F_NONE && k < rows[j].n && rows[j].len[k])
				assign(rd, f, rows[j].cell[k], rows[j].len[k]);
		}
	}
	rd->cur = NULL;
	return rd->r->n_children > first_child;
}

static void read_line(struct reader *rd, const char *s, size_t len);

/* Consecutive TAB-separated lines from an HTML table. */
static void read_table(struct reader *rd, const char *s, size_t len)
{
	struct row *rows;
	size_t nrows = 0, cap = 0, i = 0;
	enum field cols[MAX_CELLS];

	rows = NULL;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (s + i)) : len - i;

		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct row *nr;

			if (ncap > 10000)
				break;
			nr = realloc(rows, ncap * sizeof *nr);
			if (nr == NULL)
				break;
			rows = nr;
			cap = ncap;
		}
		split_row(s + i, ll, '\t', &rows[nrows++]);
		i += ll + 1;
	}
	if (nrows == 0) {
		free(rows);
		return;
	}
	if (header_columns(&rows[0], cols)) {
		for (size_t j = 1; j < nrows; j++)
			read_record(rd, &rows[j], cols);
	} else {
		/* Several label rows with 3+ cells: children in columns. */
		size_t labelled_wide = 0;

		for (size_t j = 0; j < nrows; j++)
			if (rows[j].n >= 3 && vocab_label(rows[j].cell[0], rows[j].len[0]) >= F_FORENAME &&
			    vocab_label(rows[j].cell[0], rows[j].len[0]) <= F_REASON)
				labelled_wide++;
		if (labelled_wide >= 2 && read_label_columns(rd, rows, nrows)) {
			free(rows);
			return;
		}
		for (size_t j = 0; j < nrows; j++) {
			struct strbuf line;

			/* Two-cell rows are "label: value" lines. */
			strbuf_init(&line, 4096);
			for (size_t k = 0; k < rows[j].n; k++) {
				if (k)
					(void)strbuf_puts(&line, k == 1 ? ":" : " ");
				(void)strbuf_append(&line, rows[j].cell[k], rows[j].len[k]);
			}
			read_line(rd, strbuf_str(&line), line.len);
			strbuf_free(&line);
		}
	}
	free(rows);
}

/* RFC 4180 CSV with the usual liberties (CRLF or LF, quoted fields with
 * doubled quotes, embedded newlines).  The first row is the header. */
static void read_csv(struct reader *rd, const char *s, size_t len)
{
	enum field cols[MAX_CELLS];
	struct strbuf field[MAX_CELLS];
	struct row row;
	size_t nf = 0, i = 0, rowno = 0;
	int have_header = 0, quoted = 0;

	for (size_t k = 0; k < MAX_CELLS; k++)
		strbuf_init(&field[k], 4096);
	while (i <= len) {
		int c = i < len ? (unsigned char)s[i] : -1;

		if (quoted) {
			if (c == '"' && i + 1 < len && s[i + 1] == '"') {
				(void)strbuf_putc(&field[nf], '"');
				i += 2;
				continue;
			}
			if (c == '"')
				quoted = 0;
			else if (c >= 0)
				(void)strbuf_putc(&field[nf], c);
			else
				quoted = 0;     /* unterminated quote at end */
			i++;
			continue;
		}
		if (c == '"' && field[nf].len == 0) {
			quoted = 1;
		} else if (c == ',' || c == ';') {
			if (nf + 1 < MAX_CELLS)
				nf++;
		} else if (c == '\n' || c == -1) {
			row.n = nf + 1;
			for (size_t k = 0; k < row.n; k++) {
				row.cell[k] = strbuf_str(&field[k]);
				row.len[k] = field[k].len;
				trim(&row.cell[k], &row.len[k]);
			}
			if (rowno == 0)
				have_header = header_columns(&row, cols);
			else if (have_header)
				read_record(rd, &row, cols);
			rowno++;
			for (size_t k = 0; k <= nf; k++)
				strbuf_reset(&field[k]);
			nf = 0;
			if (!have_header && rowno == 1)
				break;          /* not a referral table */
			if (c == -1)
				break;
		} else if (c != '\r') {
			(void)strbuf_putc(&field[nf], c);
		}
		i++;
	}
	for (size_t k = 0; k < MAX_CELLS; k++)
		strbuf_free(&field[k]);
	if (!have_header)
		(void)strlist_add_unique(&rd->r->problems,
			"a spreadsheet attachment had no recognisable column headings");
}

/* Lines that end what a reply says and start what it quotes. */
static int reply_marker(const char *s, size_t len)
{
	if (len >= 5 && memstr_ci(s, len, "original message"))
		return 1;
	if (len > 8 && strncasecmp(s, "On ", 3) == 0 && len >= 6 &&
	    strncasecmp(s + len - 6, "wrote:", 6) == 0)
		return 1;
	if (len >= 10 && s[0] == '_' && s[1] == '_' && s[len - 1] == '_')
		return 1;
	if (len > 6 && strncasecmp(s, "From: ", 6) == 0)
		return 2;           /* an Outlook header block: reply or forward */
	return 0;
}

static void read_line(struct reader *rd, const char *s, size_t len)
{
	const char *v;
	size_t vl, h;
	enum field f, sect;

	trim(&s, &len);
	if (len == 0) {
		rd->last_field = F_NONE;
		/* A blank line closes a child block that has content. */
		if (rd->cur && rd->cur_fields > 0)
			rd->cur = NULL;
		return;
	}
	if (rd->in_signature) {
		/* The first signature read (the sender's, before any forwarded
		 * text) is the one kept. */
		if (rd->in_signature <= 4 && len < 100 && rd->signature[rd->in_signature - 1] == NULL)
			rd->signature[rd->in_signature - 1] = dup_trimmed(s, len, 100);
		rd->in_signature++;
		return;
	}
	if (vocab_is_valediction(s, len)) {
		rd->in_signature = 1;
		rd->cur = NULL;
		return;
	}
	if ((h = child_heading(s, len)) > 0) {
		if (new_child_block(rd) && h < len)
			assign(rd, F_FULLNAME, s + h, len - h);
		return;
	}
	f = split_label(s, len, &v, &vl);
	if (f == F_NONE && (sect = vocab_section_heading(s, len)) != F_NONE) {
		rd->section = sect;
		if (sect != F_FULLNAME)
			rd->cur = NULL;
		return;
	}
	if (f != F_NONE) {
		assign(rd, f, v, vl);
		rd->last_field = f;
		if (f == F_PARENT && rd->r->n_parents > 0 &&
		    rd->r->parents[rd->r->n_parents - 1].relationship == NULL) {
			/* "Mother: Agnieszka Kaczmarek": the label is the relationship */
			const char *rel = vocab_match_relationship(s, (size_t)(v - s));

			if (rel)
				rd->r->parents[rd->r->n_parents - 1].relationship = strdup(rel);
		}
		return;
	}
	/* A long value wrapped onto the next line ("Reason: Not attended,\n
	 * and the house was found empty") continues its field. */
	if (rd->last_field == F_REASON || rd->last_field == F_NOTES ||
	    rd->last_field == F_SAFEGUARDING || rd->last_field == F_OUTCOME) {
		assign(rd, rd->last_field, s, len);
	}
	/* Prose: kept for reasons, flags and names in sentences.  A line
	 * "Child protection plan: No" names a flag and answers it. */
	{
		const char *colon = memchr(s, ':', len < 64 ? len : 64);

		if (colon && vocab_is_negative_answer(colon + 1, len - (size_t)(colon + 1 - s)))
			return;
	}
	if (rd->prose.len < MAX_SCAN_TEXT) {
		/* A sentence is not 1,000 bytes long; a longer "line" is junk
		 * or an encoded blob, and scanning it for phrases costs time
		 * without finding anything an officer wrote. */
		if (len > MAX_PROSE_LINE)
			len = MAX_PROSE_LINE;
		(void)strbuf_append(&rd->prose, s, len);
		(void)strbuf_putc(&rd->prose, '\n');
	}
}

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

/* A signature with no "Regards" before it: the last paragraph of the
 * text, of two to four short lines, whose first line is the sender's
 * display name or looks like a name. */
static void trailing_signature(struct reader *rd, const char *s, size_t len)
{
	const char *lines[5];
	size_t lens[5], n = 0, end = len;

	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	while (end > 0 && n < 5) {
		size_t b = end;

		while (b > 0 && s[b - 1] != '\n')
			b--;
		{
			const char *l = s + b;
			size_t ll = end - b;

			trim(&l, &ll);
			if (ll == 0)
				break;  /* the blank line above the paragraph */
			lines[n] = l;
			lens[n] = ll;
			n++;
		}
		if (b == 0)
			break;
		end = b - 1;
	}
	if (n < 2 || n > 4)
		return;
	/* lines[] is bottom-up; the first line of the paragraph is last */
	{
		const char *first = lines[n - 1];
		size_t fl = lens[n - 1];
		int is_sender = rd->from_name && strlen(rd->from_name) == fl &&
		                strncasecmp(rd->from_name, first, fl) == 0;

		if (!is_sender && !looks_like_name(first, fl))
			return;
		for (size_t i = 0; i < n; i++) {
			if (lens[n - 1 - i] > 100)
				return;
		}
		for (size_t i = 0; i < n && i < 4; i++)
			rd->signature[i] = dup_trimmed(lines[n - 1 - i], lens[n - 1 - i], 100);
	}
}

static void read_text(struct reader *rd, const struct message_text *t)
{
	const char *s = t->text;
	size_t len = t->len, i = 0;

	rd->cur = NULL;
	rd->section = F_NONE;
	rd->in_signature = 0;
	if (t->source == TEXT_CSV) {
		read_csv(rd, s, len);
		return;
	}
	if (t->source == TEXT_REPORT)
		return;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (s + i)) : len - i;
		const char *line = s + i;
		size_t next = i + ll + (nl ? 1 : 0);
		int marker;

		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll > 0 && line[0] == '>') {
			i = next;
			continue;       /* quoted: what someone else said before */
		}
		marker = reply_marker(line, ll);
		if (marker == 1 || (marker == 2 && rd->is_reply && !rd->is_forward))
			break;
		if (memchr(line, '\t', ll) && t->source != TEXT_PLAIN) {
			/* gather the whole table block */
			size_t j = i;

			while (j < len) {
				const char *n2 = memchr(s + j, '\n', len - j);
				size_t l2 = n2 ? (size_t)(n2 - (s + j)) : len - j;

				if (!memchr(s + j, '\t', l2))
					break;
				j += l2 + (n2 ? 1 : 0);
			}
			read_table(rd, s + i, j - i);
			i = j;
			continue;
		}
		read_line(rd, line, ll);
		i = next;
	}
	if (rd->signature[0] == NULL && t->depth == 0 && t->source == TEXT_PLAIN)
		trailing_signature(rd, s, i < len ? i : len);
}

/* ------------------------------------------------------------------ */
/* After reading: prose, shared fields, derived values, kind.          */

/* "Kai Jones (DOB 12/05/2012)", "about Kai Jones, born 12.05.2012":
 * a capitalised name right before a DOB mention in prose. */
/* "his name is Oliver Grant", "a girl called Maya Patel": a name after
 * a cue.  Returns 1 if a child was made. */
static int read_prose_named_child(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len;
	static const char *const cues[] = { "name is", "named", "called", "name's" };

	for (size_t c = 0; c < sizeof cues / sizeof cues[0]; c++) {
		const char *hit = memstr_ci(s, len, cues[c]);
		const char *p, *start, *end;
		int words = 0;
		struct cme_child *child;

		if (hit == NULL)
			continue;
		p = hit + strlen(cues[c]);
		if (p >= s + len || !isspace((unsigned char)*p))
			continue;   /* "named" in "renamed", "calledX" */
		while (p < s + len && isspace((unsigned char)*p))
			p++;
		start = end = p;
		while (p < s + len && words < 3 && (isupper((unsigned char)*p) ||
		                                    (unsigned char)*p >= 0xC0)) {
			while (p < s + len && !isspace((unsigned char)*p) && *p != ',' && *p != '.' &&
			       *p != '(')
				p++;
			end = p;
			words++;
			if (p < s + len && *p == ' ')
				p++;
			else
				break;
		}
		if (words < 2)
			continue;
		child = new_child_block(rd);
		if (child == NULL)
			return 0;
		split_name(start, (size_t)(end - start), &child->forename, &child->surname);
		rd->cur = NULL;
		return 1;
	}
	return 0;
}

static void read_prose_child(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len;
	static const char *const cues[] = { "(dob", "dob", "(d.o.b", "born", "date of birth" };

	for (size_t c = 0; c < sizeof cues / sizeof cues[0]; c++) {
		const char *hit = memstr_ci(s, len, cues[c]);
		const char *end, *start;
		int words = 0;
		struct cme_child *child;

		if (hit == NULL)
			continue;
		end = hit;
		while (end > s && (end[-1] == ' ' || end[-1] == ',' || end[-1] == '('))
			end--;
		start = end;
		/* Up to three capitalised words before the cue. */
		while (start > s && words < 3) {
			const char *w = start;

			while (w > s && w[-1] != ' ' && w[-1] != '\n' && w[-1] != '(')
				w--;
			if (!(isupper((unsigned char)*w) || (unsigned char)*w >= 0xC0))
				break;
			start = w;
			words++;
			if (start > s && start[-1] == ' ')
				start--;
			else
				break;
		}
		while (start < end && (*start == ' '))
			start++;
		if (words < 2)
			continue;
		child = new_child_block(rd);
		if (child == NULL)
			return;
		split_name(start, (size_t)(end - start), &child->forename, &child->surname);
		set_date(rd, &child->dob, hit, (size_t)(s + len - hit) < 40 ? (size_t)(s + len - hit) : 40);
		rd->cur = NULL;
		return;
	}
	(void)read_prose_named_child(rd);
}

/* Phrases in prose that carry a year group or a last-attended date. */
static void read_prose_details(struct reader *rd, struct cme_child *c)
{
	const char *s = strbuf_str(&rd->prose), *hit;
	size_t len = rd->prose.len;
	char pc[9];

	if (c->year_group < 0 && (hit = memstr_ci(s, len, "year ")) != NULL &&
	    (size_t)(hit - s) + 7 <= len && isdigit((unsigned char)hit[5])) {
		/* "Year 10," but not "Head of Year 10" in a signature: prose
		 * excludes the signature already. */
		c->year_group = parse_year_group(hit, 7);
	}
	if (c->last_attended == NULL) {
		static const char *const cues[] = { "not been in school since",
			"not attended since", "absent since", "last attended on",
			"last attended", "not seen since", "not in school since",
			"last day in school was", "last day at school was",
			"last day in school", "last day at school", "last in school on",
			"last came to school on", "last came in on" };

		for (size_t i = 0; i < sizeof cues / sizeof cues[0] && !c->last_attended; i++)
			if ((hit = memstr_ci(s, len, cues[i])) != NULL) {
				size_t off = (size_t)(hit - s) + strlen(cues[i]);
				size_t take = len - off < 40 ? len - off : 40;

				set_date(rd, &c->last_attended, s + off, take);
			}
	}
	if (c->postcode == NULL && postcode_find(s, len, pc))
		c->postcode = strdup(pc);
}

static void fill_from_common(struct cme_child *c, const struct cme_child *k)
{
#define FILL(f) do { if (c->f == NULL && k->f) c->f = strdup(k->f); } while (0)
	FILL(forename); FILL(surname); FILL(dob); FILL(gender); FILL(address);
	FILL(postcode); FILL(school); FILL(last_attended); FILL(reason);
#undef FILL
	if (c->upn == NULL && k->upn) {
		c->upn = strdup(k->upn);
		c->upn_valid = k->upn_valid;
	}
	if (c->year_group < 0)
		c->year_group = k->year_group;
}

static int child_has_identity(const struct cme_child *c)
{
	return c->surname || c->forename || c->dob || c->upn;
}

static int is_school_name(const char *s)
{
	size_t l = strlen(s);

	return memstr_ci(s, l, "school") || memstr_ci(s, l, "academy") ||
	       memstr_ci(s, l, "college") || memstr_ci(s, l, "primary");
}

static void signature_referrer(struct reader *rd)
{
	struct cme_person *ref = &rd->r->referrer;
	static const char *const org_words[] = { "school", "academy", "college",
		"council", "trust", "primary", "secondary", "service", "team", "federation" };

	static const char *const role_words[] = { "officer", "lead", "manager", "head ",
		"headteacher", "teacher", "coordinator", "co-ordinator", "administrator",
		"caseworker", "worker", "assistant", "clerk", "director", "senco", "dsl",
		"deputy", "advisor", "adviser", "practitioner", "secretary" };

	for (int i = 0; i < 4 && rd->signature[i]; i++) {
		const char *line = rd->signature[i];
		size_t ll = strlen(line);
		int is_org = 0, is_role = 0;

		for (size_t k = 0; k < sizeof org_words / sizeof org_words[0]; k++)
			if (memstr_ci(line, ll, org_words[k]))
				is_org = 1;
		for (size_t k = 0; k < sizeof role_words / sizeof role_words[0]; k++)
			if (memstr_ci(line, ll, role_words[k]))
				is_role = 1;
		/* "School Admissions Officer" is a role; "Head of Year 10,
		 * Lowestoft Academy" is a role and an organisation. */
		if (is_role && !memchr(line, ',', ll) && i > 0) {
			set_str(&ref->role, line, ll, 120);
			continue;
		}
		if (i == 0 && !is_org && ll <= 60) {
			set_referrer(rd, line, ll);
			continue;
		}
		if (is_org) {
			const char *comma = strrchr(line, ',');

			const char *org = comma ? comma + 1 : line;

			/* "Head of Year 10, Lowestoft Academy" */
			if (comma && ref->role == NULL && i > 0)
				set_str(&ref->role, line, (size_t)(comma - line), 120);
			/* "Attendance Team" then "Randal Cremer Primary School":
			 * the school is the organisation, the team a role. */
			if (ref->organisation && !is_school_name(ref->organisation) &&
			    is_school_name(org)) {
				if (ref->role == NULL)
					ref->role = ref->organisation;
				else
					free(ref->organisation);
				ref->organisation = NULL;
			}
			set_str(&ref->organisation, org, comma ? strlen(org) : ll, 120);
		} else if (i > 0 && ref->role == NULL) {
			set_str(&ref->role, line, ll, 120);
		}
	}
}


static void find_case_refs(struct cme_referral *r, const char *s, size_t len)
{
	for (size_t i = 0; i + 14 <= len; i++) {
		size_t k;

		if ((s[i] != 'C' && s[i] != 'c') || strncasecmp(s + i, "CME-", 4) != 0 || (i > 0 && isalnum((unsigned char)s[i - 1])))
			continue;
		for (k = 4; k < 8 && isdigit((unsigned char)s[i + k]); k++)
			;
		if (k != 8 || s[i + 8] != '-')
			continue;
		for (k = 9; k < 14 && isdigit((unsigned char)s[i + k]); k++)
			;
		if (k != 14 || (i + 14 < len && isalnum((unsigned char)s[i + 14])))
			continue;
		{
			char ref[15];

			memcpy(ref, s + i, 14);
			ref[14] = '\0';
			ref[0] = 'C'; ref[1] = 'M'; ref[2] = 'E';
			if (r->case_refs.n < 16)
				(void)strlist_add_unique(&r->case_refs, ref);
		}
	}
}

static int header_says_auto(const struct cme_message *m)
{
	const char *v;

	if ((v = message_header(m, "Auto-Submitted")) && strncasecmp(v, "no", 2) != 0)
		return 1;
	if (message_header(m, "X-Autoreply") || message_header(m, "X-Autorespond"))
		return 1;
	if ((v = message_header(m, "Precedence")) &&
	    (strcasestr(v, "bulk") || strcasestr(v, "junk") || strcasestr(v, "list")))
		return 1;
	if ((v = message_header(m, "Subject")) &&
	    (strncasecmp(v, "Automatic reply", 15) == 0 || strncasecmp(v, "Auto:", 5) == 0 ||
	     strcasestr(v, "out of office") != NULL))
		return 1;
	return 0;
}

static int is_bounce(const struct cme_message *m)
{
	const char *from = message_from_address(m);

	if (message_is_report(m))
		return 1;
	if (from && (strncasecmp(from, "mailer-daemon@", 14) == 0 ||
	             strncasecmp(from, "postmaster@", 11) == 0))
		return 1;
	return 0;
}

static void read_headers(struct reader *rd, const struct cme_message *m)
{
	struct cme_referral *r = rd->r;
	const char *v;
	time_t t;

	if ((v = message_header(m, "Message-ID")) != NULL) {
		const char *s = v;
		size_t l = strlen(v);

		trim(&s, &l);
		set_str(&r->message_id, s, l, 998);
	}
	if ((v = message_header(m, "Subject")) != NULL)
		set_str(&r->subject, v, strlen(v), 998);
	if ((v = message_from_address(m)) != NULL)
		r->from_addr = strdup(v);
	r->date = message_date(m);
	if ((v = message_header(m, "In-Reply-To")) != NULL) {
		const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

		if (lt && gt)
			set_str(&r->in_reply_to, lt, (size_t)(gt - lt + 1), 998);
	}
	if ((v = message_header(m, "References")) != NULL) {
		const char *p = v;

		while ((p = strchr(p, '<')) != NULL && r->references.n < 50) {
			const char *gt = strchr(p, '>');

			if (gt == NULL)
				break;
			(void)strlist_addn(&r->references, p, (size_t)(gt - p + 1));
			p = gt + 1;
		}
	}
	t = r->date != (time_t)-1 ? r->date : time(NULL);
	{
		struct tm tm;

		gmtime_r(&t, &tm);
		rd->ref_date.y = tm.tm_year + 1900;
		rd->ref_date.m = tm.tm_mon + 1;
		rd->ref_date.d = tm.tm_mday;
	}
	if (r->subject) {
		const char *s = r->subject;

		while (*s == ' ' || *s == '[')
			s++;
		rd->is_reply = strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "aw:", 3) == 0;
		rd->is_forward = strncasecmp(s, "fw:", 3) == 0 || strncasecmp(s, "fwd:", 4) == 0;
		find_case_refs(r, r->subject, strlen(r->subject));
	}
}

static void evaluate_trust(struct cme_referral *r, const struct cme_message *m,
                           const struct trust_context *tc)
{
	const char *dom = trust_domain_of(r->from_addr);

	r->authenticated = 0;
	if (tc->auth_authen && *tc->auth_authen)
		r->authenticated = 1;
	else if (tc->client_addr && trust_ip_in_list(tc->client_addr, tc->internal_hosts))
		r->authenticated = 1;
	else {
		/* Headers topmost first: trust.h says which are believed. */
		struct trust_ar_walk w;
		const char *name, *value;

		trust_ar_walk_init(&w);
		for (size_t i = 0; (value = message_header_at(m, i, &name)) != NULL; i++)
			trust_ar_walk_header(&w, name, value, tc, dom);
		r->authenticated = w.pass;
	}
}

/* Choose, per multipart/alternative group, the part that yields the most
 * recognised labels: the richer rendering.  Returns 1 if text i should be
 * read. */
static int alternative_chosen(const struct cme_message *m, size_t i, const int *score)
{
	const struct message_text *t = message_text_at(m, i);

	if (t->alternative < 0)
		return 1;
	for (size_t j = 0; j < message_text_count(m); j++) {
		const struct message_text *u = message_text_at(m, j);

		if (j == i || u->alternative != t->alternative)
			continue;
		if (score[j] > score[i] || (score[j] == score[i] && j > i && u->source == TEXT_HTML))
			return 0;
	}
	return 1;
}

static int count_labels(const struct message_text *t)
{
	int n = 0;
	size_t i = 0;

	while (i < t->len) {
		const char *nl = memchr(t->text + i, '\n', t->len - i);
		size_t ll = nl ? (size_t)(nl - (t->text + i)) : t->len - i;
		const char *v;
		size_t vl;

		if (split_label(t->text + i, ll, &v, &vl) != F_NONE)
			n++;
		i += ll + 1;
	}
	return n;
}

static void reader_free(struct reader *rd)
{
	struct cme_child *k = &rd->common;

	strbuf_free(&rd->prose);
	strbuf_free(&rd->reason_text);
	strbuf_free(&rd->flag_text);
	strbuf_free(&rd->outcome_text);
	for (int i = 0; i < 4; i++)
		free(rd->signature[i]);
	free(k->forename); free(k->surname); free(k->dob); free(k->gender);
	free(k->upn); free(k->address); free(k->postcode); free(k->school);
	free(k->last_attended); free(k->reason);
	referral_child_clear(&rd->spill);
}

int extract_referral(const struct cme_message *m, const struct extract_options *o,
                     struct cme_referral *r)
{
	struct reader rd;
	size_t ntext = message_text_count(m);
	int *score;

	memset(&rd, 0, sizeof rd);
	rd.o = o;
	rd.r = r;
	rd.common.upn_valid = -1;
	rd.common.year_group = -1;
	referral_child_clear(&rd.spill);
	strbuf_init(&rd.prose, MAX_SCAN_TEXT + 4096);
	strbuf_init(&rd.reason_text, 16384);
	strbuf_init(&rd.flag_text, 65536);
	strbuf_init(&rd.outcome_text, 8192);

	read_headers(&rd, m);
	rd.from_name = message_from_name(m);
	if (o->trust)
		evaluate_trust(r, m, o->trust);
	for (size_t i = 0; i < message_problem_count(m); i++) {
		/* A problem may quote an attachment's file name: clean it too. */
		const char *pr = message_problem_at(m, i);
		char *clean = text_clean(pr, strlen(pr), 1000);

		if (clean)
			(void)strlist_add_unique(&r->problems, clean);
		free(clean);
	}
	r->damaged = message_problem_count(m) > 0;

	if (is_bounce(m)) {
		r->kind = KIND_BOUNCE;
		goto done;
	}
	if (header_says_auto(m)) {
		r->kind = KIND_AUTO_REPLY;
		goto done;
	}

	score = calloc(ntext ? ntext : 1, sizeof *score);
	if (score == NULL)
		goto oom;
	for (size_t i = 0; i < ntext; i++)
		score[i] = count_labels(message_text_at(m, i));
	for (size_t i = 0; i < ntext; i++) {
		const struct message_text *t = message_text_at(m, i);

		find_case_refs(r, t->text, t->len);
		if (alternative_chosen(m, i, score))
			read_text(&rd, t);
	}
	free(score);

	spill_flush(&rd);       /* the last child past the cap */
	rd.cur = NULL;

	/* Children: blocks found, else the common fields make one child, else
	 * a child named in prose. */
	if (r->n_children == 0 && child_has_identity(&rd.common))
		(void)referral_add_child(r, o->max_children);
	if (r->n_children == 0 && r->case_refs.n == 0)
		read_prose_child(&rd);
	for (size_t i = 0; i < r->n_children; i++) {
		struct cme_child *c = &r->children[i];

		fill_from_common(c, &rd.common);
		if (r->n_children == 1)
			read_prose_details(&rd, c);
	}

	/* Updates: outcome, visit, new school. */
	if (rd.outcome_text.len) {
		const char *oc = vocab_match_outcome(strbuf_str(&rd.outcome_text), rd.outcome_text.len);
		int found = vocab_match_visit_found(strbuf_str(&rd.outcome_text), rd.outcome_text.len);

		if (oc)
			r->outcome = strdup(oc);
		if (r->visit_date || memstr_ci(strbuf_str(&rd.outcome_text), rd.outcome_text.len, "visit"))
			r->visit_found = found;
	}
	if (r->outcome == NULL && (r->case_refs.n || r->in_reply_to) && r->n_children == 0) {
		const char *oc = vocab_match_outcome(strbuf_str(&rd.prose), rd.prose.len);

		if (oc)
			r->outcome = strdup(oc);
	}
	if (r->visit_date && r->visit_found < 0)
		r->visit_found = vocab_match_visit_found(strbuf_str(&rd.prose), rd.prose.len);

	/* Kind. */
	if ((r->case_refs.n || r->in_reply_to) &&
	    (r->outcome || r->visit_date || r->new_school || r->n_children == 0))
		r->kind = KIND_UPDATE;
	else if (r->outcome || r->visit_date)
		r->kind = KIND_UPDATE;
	else if (r->n_children > 0)
		r->kind = KIND_REFERRAL;
	else
		r->kind = KIND_UNRECOGNISED;

	signature_referrer(&rd);
	if (r->referrer.name == NULL && r->kind == KIND_REFERRAL) {
		const char *dn = message_from_name(m);

		if (dn && *dn)
			set_str(&r->referrer.name, dn, strlen(dn), MAX_NAME);
	}
	if (r->referrer.email == NULL && r->from_addr && r->kind == KIND_REFERRAL &&
	    r->referrer.name && message_from_name(m) &&
	    strcasecmp(r->referrer.name, message_from_name(m)) == 0)
		r->referrer.email = strdup(r->from_addr);

	/* Derived child values and problems. */
	if (r->kind == KIND_REFERRAL) {
		const char *body_reason = NULL;
		const char *common_reason = NULL;
		struct ymd on = rd.ref_date;

		if (rd.reason_text.len)
			common_reason = vocab_match_reason(strbuf_str(&rd.reason_text), rd.reason_text.len);
		if (common_reason == NULL) {
			struct strbuf all;

			strbuf_init(&all, MAX_SCAN_TEXT * 2);
			(void)strbuf_append(&all, strbuf_str(&rd.reason_text), rd.reason_text.len);
			(void)strbuf_append(&all, strbuf_str(&rd.prose), rd.prose.len);
			if (r->subject) {
				(void)strbuf_puts(&all, "\n");
				(void)strbuf_puts(&all, r->subject);
			}
			body_reason = vocab_match_reason(strbuf_str(&all), all.len);
			strbuf_free(&all);
		}
		for (size_t i = 0; i < r->n_children; i++) {
			struct cme_child *c = &r->children[i];
			struct ymd dob;
			char what[128];

			if (c->reason == NULL && (common_reason || body_reason))
				c->reason = strdup(common_reason ? common_reason : body_reason);
			if (c->school == NULL && r->referrer.organisation &&
			    is_school_name(r->referrer.organisation))
				c->school = strdup(r->referrer.organisation);
			if (c->year_group < 0 && c->dob && ymd_parse_iso(c->dob, &dob) == 0) {
				int yg = uk_year_group(&dob, &on);

				if (yg >= 0 && yg <= 14)
					c->year_group = yg;
			}
			/* "child N" in these lines sends each to child N's case
			 * only (referral_problem_concerns). */
			if (c->surname == NULL && c->forename == NULL) {
				snprintf(what, sizeof what, "no name for child %zu", i + 1);
				(void)strlist_add(&r->problems, what);
			}
			if (c->dob == NULL) {
				snprintf(what, sizeof what, "no date of birth for child %zu", i + 1);
				(void)strlist_add(&r->problems, what);
			}
			if (c->upn && !c->upn_valid) {
				snprintf(what, sizeof what,
				         "the UPN for child %zu fails the DfE check letter", i + 1);
				(void)strlist_add(&r->problems, what);
			}
			if (c->address == NULL && c->postcode == NULL) {
				snprintf(what, sizeof what, "no last known address for child %zu", i + 1);
				(void)strlist_add(&r->problems, what);
			}
		}
		if (r->n_overflow > 0) {
			char what[128];

			snprintf(what, sizeof what,
			         "more than %zu children in one message; the other %zu are "
			         "listed on a triage case", o->max_children, r->n_overflow);
			(void)strlist_add(&r->problems, what);
		}
	} else if (r->kind == KIND_UNRECOGNISED) {
		(void)strlist_add(&r->problems,
			"no child's details could be found in the message");
	}

	/* Safeguarding flags from what the message says, honouring
	 * negation; the subject counts ("URGENT - CP plan"). */
	if (r->kind == KIND_REFERRAL || r->kind == KIND_UPDATE || r->kind == KIND_UNRECOGNISED) {
		r->flags |= vocab_scan_flags(strbuf_str(&rd.flag_text), rd.flag_text.len);
		r->flags |= vocab_scan_flags(strbuf_str(&rd.prose), rd.prose.len);
		if (r->subject)
			r->flags |= vocab_scan_flags(r->subject, strlen(r->subject));
	}
	if (o->immediate_flags || o->trust)
		r->immediate = (r->flags & o->immediate_flags) != 0;

done:
	if (o->null_sender)
		r->kind = KIND_BOUNCE;  /* MAIL FROM:<> is a bounce whatever it says */
	reader_free(&rd);
	return 0;
oom:
	reader_free(&rd);
	return -1;
}

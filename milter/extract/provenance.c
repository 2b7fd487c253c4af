/*
 * provenance.c - where each extracted field came from (issue 12 item 9,
 * SPEC 4 "cmectl parse --explain").  See extract_int.h.
 *
 * Owns: the reader's notes (rd->notes) and the provenance text it
 * leaves on the referral and its children.
 *
 * One hook records everything: fields_assign() (every labelled line,
 * table cell and CSV cell ends there) and the signature reader call
 * provenance_before() / provenance_after() around the assignment.  The
 * two compare which slots of the target (a child, the common child,
 * the referrer, the last parent) were empty before and set after, so a
 * note is taken exactly for the slots this statement filled (the first
 * statement wins, fields.c), in the words of rd->where: the part, its
 * type, the line, the table cell, the label matched.  Fields set
 * without the hook (a sentence, the From header, a derived year group)
 * are described when the referral is settled (provenance_settle).
 *
 * Bounds: at most PROV_MAX_NOTES notes of PROV_WHERE_MAX bytes each;
 * the texts left on the referral are bounded by the fields they list.
 * Message text (a label, a value) is copied with control characters as
 * spaces, so one field is one line; it never becomes a header line or
 * an iCalendar property (these texts are only printed and stored).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

/* The slots a note can name.  One table per holder: the JSON key and
 * where the value lives. */
struct slot { const char *key; size_t off; };

#define CHILD_SLOT(k, m) { k, offsetof(struct cme_child, m) }
static const struct slot child_slots[] = {
	CHILD_SLOT("forename", forename), CHILD_SLOT("surname", surname),
	CHILD_SLOT("dob", dob), CHILD_SLOT("gender", gender), CHILD_SLOT("upn", upn),
	CHILD_SLOT("address", address), CHILD_SLOT("postcode", postcode),
	CHILD_SLOT("school", school), CHILD_SLOT("last_attended", last_attended),
	CHILD_SLOT("reason", reason),
};
#define PERSON_SLOT(k, m) { k, offsetof(struct cme_person, m) }
static const struct slot person_slots[] = {
	PERSON_SLOT("name", name), PERSON_SLOT("role", role),
	PERSON_SLOT("organisation", organisation), PERSON_SLOT("email", email),
	PERSON_SLOT("phone", phone),
};
#define PARENT_SLOT(k, m) { k, offsetof(struct cme_parent, m) }
static const struct slot parent_slots[] = {
	PARENT_SLOT("name", name), PARENT_SLOT("relationship", relationship),
	PARENT_SLOT("phone", phone),
};
#define NSLOTS(a) (sizeof a / sizeof a[0])
#define YEAR_BIT (1u << NSLOTS(child_slots))   /* year_group is an int */

static const char *slot_value(const void *holder, const struct slot *s)
{
	return *(char *const *)(const void *)((const char *)holder + s->off);
}

static unsigned slots_set(const void *holder, const struct slot *t, size_t n)
{
	unsigned m = 0;

	for (size_t i = 0; holder && i < n; i++)
		if (slot_value(holder, &t[i]) != NULL)
			m |= 1u << i;
	return m;
}

static unsigned child_set(const struct cme_child *c)
{
	return c ? slots_set(c, child_slots, NSLOTS(child_slots)) |
	           (c->year_group >= 0 ? YEAR_BIT : 0) : 0;
}

static const char *const source_names[] = {
	[TEXT_PLAIN] = "text/plain", [TEXT_HTML] = "text/html", [TEXT_CSV] = "text/csv",
	[TEXT_DOCX] = "DOCX", [TEXT_REPORT] = "report",
};

/* Printable, one line: control characters become spaces. */
static void put_clean(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 1 < cap; i++)
		out[(*n)++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? ' ' : s[i];
	out[*n] = '\0';
}

/* Text then a number: "line 12". */
static void put_num(char *out, size_t cap, size_t *n, const char *text, long v)
{
	char num[24];

	put_clean(out, cap, n, text, strlen(text));
	snprintf(num, sizeof num, "%ld", v);
	put_clean(out, cap, n, num, strlen(num));
}

/* rd->where in words: "part 1 text/plain, line 12, label "DOB"". */
static void where_text(const struct reader *rd, char out[PROV_WHERE_MAX])
{
	const struct prov_where *w = &rd->where;
	size_t n = 0;
	const char *src = (unsigned)w->source < sizeof source_names / sizeof source_names[0] &&
	                  source_names[w->source] ? source_names[w->source] : "text";

	out[0] = '\0';
	if (w->sig_line > 0) {
		put_num(out, PROV_WHERE_MAX, &n, "signature line ", w->sig_line);
		return;
	}
	put_num(out, PROV_WHERE_MAX, &n, "part ", w->part);
	put_clean(out, PROV_WHERE_MAX, &n, " ", 1);
	put_clean(out, PROV_WHERE_MAX, &n, src, strlen(src));
	if (w->line > 0)
		put_num(out, PROV_WHERE_MAX, &n, ", line ",
		        (long)(w->line0 + w->line) + (w->row > 0 ? w->row - 1 : 0));
	if (w->row > 0) {
		put_num(out, PROV_WHERE_MAX, &n, ", table row ", w->row);
		put_num(out, PROV_WHERE_MAX, &n, " column ", w->col);
	}
	if (w->label && w->label_len) {
		size_t ll = w->label_len < 60 ? w->label_len : 60;

		put_clean(out, PROV_WHERE_MAX, &n, ", label \"", 9);
		put_clean(out, PROV_WHERE_MAX, &n, w->label, ll);
		put_clean(out, PROV_WHERE_MAX, &n, "\"", 1);
	} else if (w->row == 0) {
		put_clean(out, PROV_WHERE_MAX, &n, ", unlabelled", 12);
	}
}

static void note(struct reader *rd, char kind, int idx, unsigned bit, const char *where)
{
	struct prov_note *p;

	if (rd->n_notes >= PROV_MAX_NOTES)
		return;
	if (rd->n_notes == rd->cap_notes) {
		/* grown as notes come (a referral has a dozen or two): a
		 * block for all PROV_MAX_NOTES at once (36 KB, zeroed) cost
		 * more than the notes */
		size_t cap = rd->cap_notes ? rd->cap_notes * 2 : 16;
		struct prov_note *v;

		if (cap > PROV_MAX_NOTES)
			cap = PROV_MAX_NOTES;
		if ((v = realloc(rd->notes, cap * sizeof *v)) == NULL)
			return;         /* provenance is an aid: lose it, not the referral */
		rd->notes = v;
		rd->cap_notes = cap;
	}
	p = &rd->notes[rd->n_notes++];
	p->kind = kind;
	p->idx = idx;
	p->bit = bit;
	snprintf(p->where, sizeof p->where, "%s", where);
}

void provenance_before(struct reader *rd, enum field f, struct prov_mark *m)
{
	struct cme_referral *r = rd->r;

	memset(m, 0, sizeof *m);
	if (f >= F_FORENAME && f <= F_REASON) {
		const struct cme_child *c = rd->cur ? rd->cur : &rd->common;

		if (c == &rd->common)
			m->kind = 'k';
		else if (c >= r->children && c < r->children + r->n_children)
			m->kind = 'c', m->idx = (int)(c - r->children);
		m->mask = child_set(c);
	} else if (f >= F_PARENT_NAME && f <= F_PARENT) {
		m->kind = 'p';
		m->idx = (int)r->n_parents;
		if (r->n_parents)
			m->mask = slots_set(&r->parents[r->n_parents - 1], parent_slots,
			                    NSLOTS(parent_slots));
	} else if (f >= F_REFERRER_NAME && f <= F_REFERRER) {
		m->kind = 'r';
		m->mask = slots_set(&r->referrer, person_slots, NSLOTS(person_slots));
	}
}

static void note_new(struct reader *rd, char kind, int idx, unsigned before, unsigned after)
{
	char where[PROV_WHERE_MAX];
	unsigned fresh = after & ~before;

	if (fresh == 0)
		return;
	where_text(rd, where);
	for (unsigned b = 0; b < 32; b++)
		if (fresh & (1u << b))
			note(rd, kind, idx, b, where);
}

void provenance_after(struct reader *rd, const struct prov_mark *m)
{
	struct cme_referral *r = rd->r;

	switch (m->kind) {
	case 'k':
		note_new(rd, 'k', 0, m->mask, child_set(&rd->common));
		break;
	case 'c':
		if ((size_t)m->idx < r->n_children)
			note_new(rd, 'c', m->idx, m->mask, child_set(&r->children[m->idx]));
		break;
	case 'p':
		/* the last parent before, then any parent this statement added */
		for (size_t i = m->idx ? (size_t)m->idx - 1 : 0; i < r->n_parents; i++)
			note_new(rd, 'p', (int)i, (int)i == m->idx - 1 ? m->mask : 0,
			         slots_set(&r->parents[i], parent_slots, NSLOTS(parent_slots)));
		break;
	case 'r':
		note_new(rd, 'r', 0, m->mask, slots_set(&r->referrer, person_slots,
		                                         NSLOTS(person_slots)));
		break;
	default:
		break;
	}
}

void provenance_note(struct reader *rd, const char *person_key, const char *where)
{
	for (size_t i = 0; i < NSLOTS(person_slots); i++)
		if (strcmp(person_slots[i].key, person_key) == 0)
			note(rd, 'r', 0, (unsigned)i, where);
}

void provenance_note_child(struct reader *rd, size_t idx, const char *key, const char *where)
{
	if (strcmp(key, "year_group") == 0)
		note(rd, 'c', (int)idx, NSLOTS(child_slots), where);
	for (size_t i = 0; i < NSLOTS(child_slots); i++)
		if (strcmp(child_slots[i].key, key) == 0)
			note(rd, 'c', (int)idx, (unsigned)i, where);
}

/* The last note of a slot: a slot is noted when it goes from empty to
 * set, so the last note is the statement that set it (a forward's From
 * replaces the e-mail read before it). */
static const char *find_note(const struct reader *rd, char kind, int idx, unsigned bit)
{
	for (size_t i = rd->n_notes; i-- > 0; )
		if (rd->notes[i].kind == kind && rd->notes[i].idx == idx && rd->notes[i].bit == bit)
			return rd->notes[i].where;
	return NULL;
}

/* One "key<TAB>value<TAB>where" line. */
static void add_line(struct reader *rd, struct strbuf *sb, const char *prefix,
                     const char *key, const char *value, const char *where)
{
	char line[PROV_WHERE_MAX + 512];
	size_t n = 0;

	line[0] = '\0';
	put_clean(line, sizeof line, &n, prefix, strlen(prefix));
	put_clean(line, sizeof line, &n, key, strlen(key));
	fields_keep_str(rd, sb, line);
	fields_keep_str(rd, sb, "\t");
	n = 0;
	put_clean(line, sizeof line, &n, value, strlen(value) < 200 ? strlen(value) : 200);
	fields_keep_str(rd, sb, line);
	fields_keep_str(rd, sb, "\t");
	fields_keep_str(rd, sb, where);
	fields_keep_str(rd, sb, "\n");
}

static char *take(struct strbuf *sb)
{
	char *s = sb->len ? strdup(strbuf_str(sb)) : NULL;

	strbuf_free(sb);
	return s;
}

/* The child's fields: its own note, else the common one (a value given
 * once for all children), else how it was derived. */
static char *child_text(struct reader *rd, size_t i)
{
	const struct cme_child *c = &rd->r->children[i];
	const struct cme_person *ref = &rd->r->referrer;
	struct strbuf sb;
	char year[16];

	strbuf_init(&sb, 16384);
	for (unsigned b = 0; b < NSLOTS(child_slots); b++) {
		const char *v = slot_value(c, &child_slots[b]), *w;

		if (v == NULL)
			continue;
		if ((w = find_note(rd, 'c', (int)i, b)) == NULL &&
		    (w = find_note(rd, 'k', 0, b)) == NULL) {
			const char *k = child_slots[b].key;

			if (strcmp(k, "school") == 0 && ref->organisation &&
			    strcmp(v, ref->organisation) == 0)
				w = "the referrer's organisation";
			else if (strcmp(k, "reason") == 0)
				w = "reason words in the message";
			else
				w = "prose";
		}
		add_line(rd, &sb, "", child_slots[b].key, v, w);
	}
	if (c->year_group >= 0) {
		const char *w = find_note(rd, 'c', (int)i, NSLOTS(child_slots));

		if (w == NULL)
			w = find_note(rd, 'k', 0, NSLOTS(child_slots));
		snprintf(year, sizeof year, "%d", c->year_group);
		add_line(rd, &sb, "", "year_group", year,
		         w ? w : c->dob ? "computed from the date of birth" : "prose");
	}
	return take(&sb);
}

static void person_text(struct reader *rd, struct strbuf *sb, const char *prefix,
                        char kind, int idx, const void *holder,
                        const struct slot *t, size_t n)
{
	const struct cme_referral *r = rd->r;

	for (unsigned b = 0; b < n; b++) {
		const char *v = slot_value(holder, &t[b]), *w;

		if (v == NULL)
			continue;
		if ((w = find_note(rd, kind, idx, b)) == NULL) {
			if (kind == 'r' && r->from_addr && strcmp(v, r->from_addr) == 0)
				w = "header From";
			else if (kind == 'r' && rd->from_name && strcmp(v, rd->from_name) == 0)
				w = "header From (display name)";
			else
				w = "prose";
		}
		add_line(rd, sb, prefix, t[b].key, v, w);
	}
}

void provenance_settle(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	struct strbuf sb;
	char prefix[32];

	for (size_t i = 0; i < r->n_children; i++) {
		free(r->children[i].provenance);
		r->children[i].provenance = child_text(rd, i);
	}
	strbuf_init(&sb, 65536);
	for (size_t i = 0; i < r->n_parents; i++) {
		snprintf(prefix, sizeof prefix, "parents[%zu].", i);
		person_text(rd, &sb, prefix, 'p', (int)i, &r->parents[i], parent_slots,
		            NSLOTS(parent_slots));
	}
	person_text(rd, &sb, "referrer.", 'r', 0, &r->referrer, person_slots,
	            NSLOTS(person_slots));
	free(r->provenance);
	r->provenance = take(&sb);
	free(rd->notes);
	rd->notes = NULL;
	rd->n_notes = rd->cap_notes = 0;
}

/* Lines of "key<TAB>value<TAB>where" as "prefix key = value  <- where". */
static void explain_lines(struct strbuf *out, const char *prefix, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n'), *t1, *t2;
		size_t ll = nl ? (size_t)(nl - text) : strlen(text);

		t1 = memchr(text, '\t', ll);
		t2 = t1 ? memchr(t1 + 1, '\t', ll - (size_t)(t1 + 1 - text)) : NULL;
		if (t2) {
			(void)strbuf_append(out, prefix, strlen(prefix));
			(void)strbuf_append(out, text, (size_t)(t1 - text));
			(void)strbuf_append(out, " = ", 3);
			(void)strbuf_append(out, t1 + 1, (size_t)(t2 - t1 - 1));
			(void)strbuf_append(out, "  <- ", 5);
			(void)strbuf_append(out, t2 + 1, ll - (size_t)(t2 + 1 - text));
			(void)strbuf_append(out, "\n", 1);
		}
		text += ll + (nl ? 1 : 0);
	}
}

char *referral_explain(const struct cme_referral *r)
{
	struct strbuf out;
	char prefix[32];
	char *s;

	strbuf_init(&out, 0);
	for (size_t i = 0; i < r->n_children; i++) {
		snprintf(prefix, sizeof prefix, "children[%zu].", i);
		explain_lines(&out, prefix, r->children[i].provenance);
	}
	explain_lines(&out, "", r->provenance);
	s = strdup(strbuf_str(&out));
	strbuf_free(&out);
	return s;
}

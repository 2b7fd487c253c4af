/*
 * referral.c - lifetime and JSON form of struct cme_referral.
 * See referral.h.  JSON is produced with json-c, never by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "referral.h"
#include "vocab.h"

void referral_init(struct cme_referral *r)
{
	memset(r, 0, sizeof *r);
	strbuf_init(&r->overflow, REFERRAL_MAX_OVERFLOW_TEXT);
	r->date = (time_t)-1;
	r->kind = KIND_UNRECOGNISED;
	r->authenticated = -1;
	r->immediate = -1;
	r->visit_found = -1;
}

static void child_free(struct cme_child *c)
{
	free(c->forename); free(c->surname); free(c->dob); free(c->gender);
	free(c->upn); free(c->address); free(c->postcode); free(c->school);
	free(c->last_attended); free(c->reason); free(c->provenance);
}

int referral_problem_concerns(const struct cme_referral *r, size_t i,
                              const struct cme_child *c)
{
	const char *line = r->problems.v[i], *p;
	unsigned long n;
	char *end;

	if (c == NULL || c < r->children || c >= r->children + r->n_children)
		return 1;
	for (p = strstr(line, "child "); p; p = strstr(p + 1, "child ")) {
		if (p[6] < '1' || p[6] > '9')
			continue;
		n = strtoul(p + 6, &end, 10);
		if (*end == '\0' || *end == ' ')
			return n == (unsigned long)(c - r->children) + 1;
	}
	return 1;
}

void referral_child_clear(struct cme_child *c)
{
	child_free(c);
	memset(c, 0, sizeof *c);
	c->upn_valid = -1;
	c->year_group = -1;
}

/* One field of an overflow line: "label value", control characters
 * (CR, LF, TAB ...) as spaces so that one child stays one line. */
static void overflow_field(struct strbuf *line, const char *label, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	if (line->len)
		(void)strbuf_puts(line, "; ");
	(void)strbuf_puts(line, label);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		(void)strbuf_putc(line, *p < 0x20 || *p == 0x7f ? ' ' : *p);
}

void referral_add_overflow(struct cme_referral *r, const struct cme_child *c)
{
	struct strbuf line;
	char name[200];

	snprintf(name, sizeof name, "%s%s%s", c->surname ? c->surname : "",
	         c->surname && c->forename ? ", " : "", c->forename ? c->forename : "");
	strbuf_init(&line, 4096);
	overflow_field(&line, "", name);
	overflow_field(&line, "born ", c->dob);
	overflow_field(&line, "UPN ", c->upn);
	overflow_field(&line, "", c->address);
	overflow_field(&line, "", c->address ? NULL : c->postcode);
	overflow_field(&line, "school ", c->school);
	if (line.len > 0) {
		r->n_overflow++;
		/* the whole line or nothing: the listing never ends mid-child */
		if (r->overflow.len + line.len + 1 <= REFERRAL_MAX_OVERFLOW_TEXT &&
		    strbuf_append(&r->overflow, line.data, line.len) == 0 &&
		    strbuf_putc(&r->overflow, '\n') == 0)
			r->n_overflow_listed++;
	}
	strbuf_free(&line);
}

static void person_free(struct cme_person *p)
{
	free(p->name); free(p->role); free(p->organisation); free(p->email);
	free(p->phone);
}

void referral_free(struct cme_referral *r)
{
	for (size_t i = 0; i < r->n_children; i++)
		child_free(&r->children[i]);
	free(r->children);
	for (size_t i = 0; i < r->n_parents; i++) {
		free(r->parents[i].name);
		free(r->parents[i].relationship);
		free(r->parents[i].phone);
	}
	free(r->parents);
	person_free(&r->referrer);
	free(r->message_id); free(r->subject); free(r->from_addr);
	free(r->in_reply_to); free(r->outcome); free(r->new_school);
	free(r->visit_date);
	free(r->visit_time);
	free(r->new_school_start);
	free(r->provenance);
	strlist_free(&r->references);
	strlist_free(&r->case_refs);
	strlist_free(&r->problems);
	strlist_free(&r->unknown_records);
	strbuf_free(&r->overflow);
	referral_init(r);
}

/* Grow an array of `size`-byte elements by one zeroed element. */
static void *grow_one(void *base, size_t *n, size_t size, size_t cap)
{
	char *p;

	if (*n >= cap)
		return NULL;
	p = realloc(base, (*n + 1) * size);
	if (p == NULL)
		return NULL;
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

struct cme_child *referral_add_child(struct cme_referral *r, size_t cap)
{
	struct cme_child *v = grow_one(r->children, &r->n_children, sizeof *v, cap);

	if (v == NULL)
		return NULL;
	r->children = v;
	v[r->n_children - 1].upn_valid = -1;
	v[r->n_children - 1].year_group = -1;
	return &v[r->n_children - 1];
}

struct cme_parent *referral_add_parent(struct cme_referral *r, size_t cap)
{
	struct cme_parent *v = grow_one(r->parents, &r->n_parents, sizeof *v, cap);

	if (v == NULL)
		return NULL;
	r->parents = v;
	return &v[r->n_parents - 1];
}

const char *referral_kind_name(enum cme_kind k)
{
	static const char *const names[] = {
		[KIND_REFERRAL] = "referral", [KIND_UPDATE] = "update",
		[KIND_AUTO_REPLY] = "auto-reply", [KIND_BOUNCE] = "bounce",
		[KIND_UNRECOGNISED] = "unrecognised",
	};

	return names[k];
}

static void put_str(json_object *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static json_object *strlist_json(const struct strlist *l)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(a, json_object_new_string(l->v[i]));
	return a;
}

static json_object *child_json(const struct cme_child *c)
{
	json_object *o = json_object_new_object();

	put_str(o, "forename", c->forename);
	put_str(o, "surname", c->surname);
	put_str(o, "dob", c->dob);
	put_str(o, "gender", c->gender);
	put_str(o, "upn", c->upn);
	if (c->upn_valid >= 0)
		json_object_object_add(o, "upn_valid", json_object_new_boolean(c->upn_valid));
	if (c->year_group >= 0)
		json_object_object_add(o, "year_group", json_object_new_int(c->year_group));
	put_str(o, "address", c->address);
	put_str(o, "postcode", c->postcode);
	put_str(o, "school", c->school);
	put_str(o, "last_attended", c->last_attended);
	put_str(o, "reason", c->reason);
	return o;
}

char *referral_to_json(const struct cme_referral *r)
{
	json_object *o = json_object_new_object(), *a;
	char *text;

	if (o == NULL)
		return NULL;
	put_str(o, "message_id", r->message_id);
	put_str(o, "kind", referral_kind_name(r->kind));
	if (r->case_refs.n)
		json_object_object_add(o, "case_refs", strlist_json(&r->case_refs));
	if (r->authenticated >= 0)
		json_object_object_add(o, "authenticated", json_object_new_boolean(r->authenticated));
	if (r->n_children) {
		a = json_object_new_array();
		for (size_t i = 0; i < r->n_children; i++)
			json_object_array_add(a, child_json(&r->children[i]));
		json_object_object_add(o, "children", a);
	}
	if (r->n_parents) {
		a = json_object_new_array();
		for (size_t i = 0; i < r->n_parents; i++) {
			json_object *p = json_object_new_object();

			put_str(p, "name", r->parents[i].name);
			put_str(p, "relationship", r->parents[i].relationship);
			put_str(p, "phone", r->parents[i].phone);
			json_object_array_add(a, p);
		}
		json_object_object_add(o, "parents", a);
	}
	if (r->referrer.name || r->referrer.email || r->referrer.role ||
	    r->referrer.organisation || r->referrer.phone) {
		json_object *p = json_object_new_object();

		put_str(p, "name", r->referrer.name);
		put_str(p, "role", r->referrer.role);
		put_str(p, "organisation", r->referrer.organisation);
		put_str(p, "email", r->referrer.email);
		put_str(p, "phone", r->referrer.phone);
		json_object_object_add(o, "referrer", p);
	}
	a = json_object_new_array();
	for (size_t i = 0; i < vocab_flag_count(); i++)
		if (r->flags & (1UL << i))
			json_object_array_add(a, json_object_new_string(vocab_flag_name(i)));
	json_object_object_add(o, "flags", a);
	if (r->immediate >= 0)
		json_object_object_add(o, "immediate", json_object_new_boolean(r->immediate));
	put_str(o, "outcome", r->outcome);
	put_str(o, "new_school", r->new_school);
	put_str(o, "new_school_start", r->new_school_start);
	if (r->visit_date || r->visit_found >= 0) {
		json_object *v = json_object_new_object();

		put_str(v, "date", r->visit_date);
		put_str(v, "time", r->visit_time);
		if (r->visit_found >= 0)
			json_object_object_add(v, "found", json_object_new_boolean(r->visit_found));
		json_object_object_add(o, "visit", v);
	}
	if (r->problems.n)
		json_object_object_add(o, "problems", strlist_json(&r->problems));
	text = strdup(json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

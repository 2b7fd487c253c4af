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
 *
 * This file is the driver: extract_referral() reads the headers, picks
 * which texts to read, hands each to records.c (lines; tables to
 * tables.c), then settles children (prose.c when none was labelled),
 * updates, the kind, derived values, problems and flags.  The files are
 * listed in extract_int.h.
 *
 * Return conventions: extract_referral returns 0, or -1 when out of
 * memory (the referral is then incomplete and must not be stored).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"
#include "learned.h"
#include "textclean.h"

void extract_options_default(struct extract_options *o)
{
	o->max_children = EXTRACT_MAX_CHILDREN;
	o->immediate_flags = 0;
	o->trust = NULL;
	o->null_sender = 0;
	o->learned = NULL;
}

/* ------------------------------------------------------------------ */
/* Children and case references.                                       */

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

static void find_case_refs(struct reader *rd, const char *s, size_t len)
{
	if (caseref_scan(s, len, &rd->r->case_refs, 16) != 0)
		rd->oom = 1;
}

static int header_says_auto(const struct cme_message *m)
{
	const char *v;

	if ((v = message_header(m, "Auto-Submitted")) && strncasecmp(v, "no", 2) != 0)
		return 1;
	if (message_header(m, "X-Autoreply") || message_header(m, "X-Autorespond"))
		return 1;
	if ((v = message_header(m, "Precedence")) &&
	    fields_memstr_any(v, strlen(v), VW_BULK_PRECEDENCE))
		return 1;
	if ((v = message_header(m, "Subject")) &&
	    (vocab_words_prefix(VW_AUTO_SUBJECT_PREFIX, v, strlen(v), NULL) ||
	     fields_memstr_any(v, strlen(v), VW_AUTO_SUBJECT_PHRASE)))
		return 1;
	return 0;
}

static int is_bounce(const struct cme_message *m)
{
	const char *from = message_from_address(m);

	if (message_is_report(m))
		return 1;
	if (from && vocab_words_prefix(VW_BOUNCE_SENDER, from, strlen(from), NULL))
		return 1;
	return 0;
}

/* In-Reply-To and References: the message IDs an update answers. */
static void read_thread_headers(struct reader *rd, const struct cme_message *m)
{
	struct cme_referral *r = rd->r;
	const char *v;

	if ((v = message_header(m, "In-Reply-To")) != NULL) {
		const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

		if (lt && gt)
			fields_set_str(&r->in_reply_to, lt, (size_t)(gt - lt + 1), 998);
	}
	if ((v = message_header(m, "References")) != NULL) {
		const char *p = v;

		while ((p = strchr(p, '<')) != NULL && r->references.n < 50) {
			const char *gt = strchr(p, '>');

			if (gt == NULL)
				break;
			if (strlist_addn(&r->references, p, (size_t)(gt - p + 1)) != 0)
				rd->oom = 1;
			p = gt + 1;
		}
	}
}

static void read_headers(struct reader *rd, const struct cme_message *m)
{
	struct cme_referral *r = rd->r;
	const char *v;
	time_t t;
	struct tm tm;

	if ((v = message_header(m, "Message-ID")) != NULL) {
		const char *s = v;
		size_t l = strlen(v);

		fields_trim(&s, &l);
		fields_set_str(&r->message_id, s, l, 998);
	}
	if ((v = message_header(m, "Subject")) != NULL)
		fields_set_str(&r->subject, v, strlen(v), 998);
	if ((v = message_from_address(m)) != NULL)
		r->from_addr = strdup(v);
	r->date = message_date(m);
	read_thread_headers(rd, m);
	t = r->date != (time_t)-1 ? r->date : time(NULL);
	gmtime_r(&t, &tm);
	rd->ref_date.y = tm.tm_year + 1900;
	rd->ref_date.m = tm.tm_mon + 1;
	rd->ref_date.d = tm.tm_mday;
	if (r->subject) {
		const char *s = r->subject;

		while (*s == ' ' || *s == '[')
			s++;
		rd->is_reply = vocab_words_prefix(VW_REPLY_PREFIX, s, strlen(s), NULL);
		rd->is_forward = vocab_words_prefix(VW_FORWARD_PREFIX, s, strlen(s), NULL);
		find_case_refs(rd, r->subject, strlen(r->subject));
	}
}

/* ------------------------------------------------------------------ */
/* Texts.                                                               */

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

		if (records_split_label(t->text + i, ll, &v, &vl) != F_NONE)
			n++;
		i += ll + 1;
	}
	return n;
}

/* Every text part, the chosen rendering of each alternative group.
 * Returns -1 when out of memory. */
static int read_texts(struct reader *rd, const struct cme_message *m)
{
	size_t ntext = message_text_count(m);
	int *score = calloc(ntext ? ntext : 1, sizeof *score);

	if (score == NULL)
		return -1;
	for (size_t i = 0; i < ntext; i++)
		score[i] = count_labels(message_text_at(m, i));
	for (size_t i = 0; i < ntext; i++) {
		const struct message_text *t = message_text_at(m, i);

		find_case_refs(rd, t->text, t->len);
		if (alternative_chosen(m, i, score)) {
			rd->where.part = (long)i + 1;
			rd->where.source = t->source;
			records_read_text(rd, t);
		}
	}
	free(score);
	fields_spill_flush(rd);       /* the last child past the cap */
	rd->cur = NULL;
	return 0;
}

/* The message stage's problems, cleaned: one may quote a file name. */
static void copy_message_problems(struct reader *rd, const struct cme_message *m)
{
	for (size_t i = 0; i < message_problem_count(m); i++) {
		const char *pr = message_problem_at(m, i);
		char *clean = text_clean(pr, strlen(pr), 1000);

		if (clean)
			fields_problem(rd, clean, 1);
		free(clean);
	}
	rd->r->damaged = message_problem_count(m) > 0;
}

/* ------------------------------------------------------------------ */
/* After reading: children, updates, kind, derived values, flags.      */

/* Children: blocks found, else the common fields make one child, else a
 * child named in prose.  Common fields fill what each child lacks. */
/* Drop child i, saying so to the officer (no child named is dropped
 * silently; the sentence holds only a normalised date); provenance notes
 * follow the children that remain. */
static void drop_child(struct reader *rd, size_t i)
{
	struct cme_referral *r = rd->r;
	size_t k = 0;
	char why[128];

	if (r->children[i].dob)
		snprintf(why, sizeof why, "a household member born %.10s is outside compulsory "
		         "school age and was not referred", r->children[i].dob);
	else
		snprintf(why, sizeof why, "a household member with no date of birth was not "
		         "referred");
	fields_problem(rd, why, 1);
	referral_child_clear(&r->children[i]);
	memmove(&r->children[i], &r->children[i + 1],
	        (r->n_children - i - 1) * sizeof r->children[0]);
	r->n_children--;
	for (size_t n = 0; n < rd->n_notes; n++) {
		struct prov_note *pn = &rd->notes[n];

		if (pn->kind == 'c' && pn->idx == (int)i)
			continue;
		if (pn->kind == 'c' && pn->idx > (int)i)
			pn->idx--;
		rd->notes[k++] = *pn;
	}
	rd->n_notes = k;
}

/* A household list is not a list of referrals (issue 12 item 2): when
 * the child's own details were read outside the rows ("Surname: BAKER"
 * above a table of the household), the rows are the household and only
 * its school-age children with their own date of birth are referred too;
 * the child read outside comes first.  Whatever the layout, a child whose
 * own date of birth is outside compulsory school age is dropped when a
 * school-age child remains.  Decided where the spec is silent: README. */
static void settle_household(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	struct cme_child *k = &rd->common;
	int named_outside = (k->forename || k->surname) && (k->dob || k->upn);
	size_t i, in_age = 0;

	for (i = 0; i < r->n_children && named_outside; i++)
		if (!(r->children[i].forename || r->children[i].surname))
			named_outside = 0;
	if (named_outside && r->n_children > 0) {
		for (i = r->n_children; i-- > 0;)
			if (r->children[i].dob == NULL || fields_outside_school_age(rd, r->children[i].dob))
				drop_child(rd, i);
		if (fields_first_child_from_common(rd, 1) == NULL)
			return;
	}
	for (i = 0; i < r->n_children; i++)
		in_age += !fields_outside_school_age(rd, r->children[i].dob);
	if (in_age == 0 || in_age == r->n_children)
		return;
	for (i = r->n_children; i-- > 0;)
		if (fields_outside_school_age(rd, r->children[i].dob))
			drop_child(rd, i);
}

static void settle_children(struct reader *rd)
{
	struct cme_referral *r = rd->r;

	settle_household(rd);
	if (r->n_children == 0 && child_has_identity(&rd->common))
		(void)referral_add_child(r, rd->o->max_children);  /* copies from common below */
	if (r->n_children == 0 && r->case_refs.n == 0)
		(void)lists_read_children(rd);
	if (r->n_children == 0 && r->case_refs.n == 0)
		(void)prose_read_child(rd);
	subject_read_child(rd);         /* the body names no child */
	for (size_t i = 0; i < r->n_children; i++) {
		struct cme_child *c = &r->children[i];

		fill_from_common(c, &rd->common);
		/* children from a table or labels too: the household's
		 * address and school written once in a sentence above a
		 * household table are every child's that has none */
		prose_read_details(rd, c, r->n_children == 1);
	}
	if (r->n_children > 0)
		prose_read_parents(rd);
	forward_writer_parent(rd);
}

/* Updates: outcome, visit, new school. */
static void settle_update(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *ot = strbuf_str(&rd->outcome_text);
	size_t ol = rd->outcome_text.len;

	if (ol) {
		const char *oc = vocab_match_outcome(ot, ol);
		int found = vocab_match_visit_found(ot, ol);

		if (oc)
			r->outcome = strdup(oc);
		if (r->visit_date || fields_memstr_any(ot, ol, VW_VISIT_WORD))
			r->visit_found = found;
	}
	/* news in sentences: of a case named, or of a child ("returned to
	 * school this morning") that is no new referral */
	if (r->outcome == NULL && (((r->case_refs.n || r->in_reply_to) && r->n_children == 0) ||
	                           prose_update_cue(rd))) {
		/* out of memory: no outcome (the update is still recorded) */
		char *heard = prose_without_hearsay(strbuf_str(&rd->prose), rd->prose.len);
		const char *oc = heard ? vocab_match_outcome(heard, rd->prose.len) : NULL;

		if (oc)
			r->outcome = strdup(oc);
		if (heard)
			prose_update_moved(rd, heard, rd->prose.len);
		free(heard);
	}
	if (r->case_refs.n || r->in_reply_to || r->outcome)
		prose_read_update(rd);
	if (r->visit_date && r->visit_found < 0)
		r->visit_found = vocab_match_visit_found(strbuf_str(&rd->prose), rd->prose.len);
}

/* The one place the kind of a readable message is decided. */
static enum cme_kind decide_kind(const struct cme_referral *r)
{
	if ((r->case_refs.n || r->in_reply_to) &&
	    (r->outcome || r->visit_date || r->new_school || r->n_children == 0))
		return KIND_UPDATE;
	if (r->outcome || r->visit_date)
		return KIND_UPDATE;
	if (r->n_children > 0)
		return KIND_REFERRAL;
	return KIND_UNRECOGNISED;
}

/* The next word of s at *i (letters, digits, apostrophes, hyphens);
 * its length, 0 at the end. */
static size_t next_word(const char *s, size_t *i)
{
	size_t n = 0;

	while (s[*i] && !isalnum((unsigned char)s[*i]) && (unsigned char)s[*i] < 0x80)
		(*i)++;
	while (s[*i + n] && (isalnum((unsigned char)s[*i + n]) || s[*i + n] == '\'' ||
	                     s[*i + n] == '-' || (unsigned char)s[*i + n] >= 0x80))
		n++;
	return n;
}

/* 1 if the names a and b have the same words in any order: the From
 * display name "Hollins, Mark" is the signature's "Mark Hollins". */
static int same_person(const char *a, const char *b)
{
	size_t i = 0, n, words = 0;

	if (strcasecmp(a, b) == 0)
		return 1;
	while ((n = next_word(a, &i)) > 0) {
		size_t j = 0, m, found = 0;

		while (!found && (m = next_word(b, &j)) > 0) {
			found = m == n && strncasecmp(a + i, b + j, n) == 0;
			j += m;
		}
		if (!found || ++words > 8)
			return 0;
		i += n;
	}
	for (i = 0; (n = next_word(b, &i)) > 0; i += n)
		words--;
	return words == 0 && i > 0;
}

/* The From display name names a team or a mailbox, not a person:
 * "Office", "Safeguarding", "Oakridge Academy Attendance Team" (a team
 * word, whole or last after a school's or council's name). */
static int team_display_name(const char *dn)
{
	size_t n, l = strlen(dn);
	const char *const *w = vocab_words(VW_TEAM_NAME, &n);

	while (l > 0 && isspace((unsigned char)dn[l - 1]))
		l--;
	for (size_t k = 0; k < n; k++) {
		size_t wl = strlen(w[k]);

		if (wl > l || strncasecmp(dn + l - wl, w[k], wl) != 0)
			continue;
		if (wl == l || (dn[l - wl - 1] == ' ' &&
		                fields_memstr_any(dn, l - wl, VW_SCHOOL_WORD)))
			return 1;
	}
	return 0;
}

/* The referrer: the signature, else the From display name unless it
 * names a team (no person signed: the name stays unknown). */
static void settle_referrer(struct reader *rd, const struct cme_message *m)
{
	struct cme_referral *r = rd->r;
	const char *dn = message_from_name(m);

	prose_signature_referrer(rd);
	if (rd->fwd_from && r->kind == KIND_REFERRAL && !rd->fwd_reporter) {
		/* an inline forward: the forwarded message's sender referred */
		const char *f = rd->fwd_from;
		size_t es, el, fl = strlen(f), nl = fields_name_part(f, fl);

		if (fields_email_find(f, fl, &es, &el)) {
			free(r->referrer.email);
			r->referrer.email = NULL;
			fields_set_str(&r->referrer.email, f + es, el, 254);
			provenance_note(rd, "email", "the forwarded message's From: line");
			if (es < nl)
				nl = es;
		}
		if (r->referrer.name == NULL && nl > 0) {
			fields_set_str(&r->referrer.name, f, nl, MAX_NAME);
			provenance_note(rd, "name", "the forwarded message's From: line");
		}
		return;
	}
	if (r->referrer.name == NULL && r->kind == KIND_REFERRAL && dn && *dn &&
	    team_display_name(dn)) {
		/* the team's mailbox is still where the referrer is reached */
		if (r->referrer.email == NULL && r->from_addr)
			r->referrer.email = strdup(r->from_addr);
		return;
	}
	if (r->referrer.name == NULL && r->kind == KIND_REFERRAL && dn && *dn)
		fields_set_str(&r->referrer.name, dn, strlen(dn), MAX_NAME);
	if (r->referrer.email == NULL && r->from_addr && r->kind == KIND_REFERRAL &&
	    r->referrer.name && dn && same_person(r->referrer.name, dn))
		r->referrer.email = strdup(r->from_addr);
}

/* The reason a text gives: a move written in prose (places.c), unless
 * the scored words give a reason in an unambiguous phrase ("never been
 * registered", except since an arrival); the words are read with a
 * parent's posting, an arrival and the options a form offers but were
 * not chosen blanked (sb is changed). */
const char *extract_text_reason(struct strbuf *sb)
{
	const char *moved, *scored;
	int score = 0, since, weak;

	if (sb->len == 0 || sb->data == NULL)
		return NULL;
	answers_mask_unchosen(sb->data, sb->len);
	moved = places_move(sb->data, sb->len, &weak);   /* one reading, both answers */
	since = places_arrival_since(sb->data, sb->len);
	places_mask(sb->data, sb->len);
	scored = vocab_match_reason_scored(sb->data, sb->len, &score);
	/* "never registered at a school since they moved here from
	 * Swansea": not registered since an arrival is the arrival's reason
	 * (an in-year place); "never registered ... they moved here in
	 * 2021" stays never-registered (README, decisions) */
	if (moved && scored && strcmp(moved, "moved-into-area-no-school") == 0 &&
	    strcmp(scored, "never-registered") == 0 && since)
		return moved;
	/* "going to Romania for a wedding ... have not come back": a trip
	 * told only by a weak cue, then a stated non-return, is the leave
	 * not returned from (README, decisions) */
	if (moved && weak && scored && strcmp(scored, "not-returned-from-leave") == 0 &&
	    score >= 4)
		return scored;
	return moved && score < 5 ? moved : scored;
}

/* The reason every child without its own shares: the "Reason:" values,
 * else anything in the text and subject.  NULL if none.  A bare "moved"
 * in the values is refined by a destination in the prose. */
static const char *common_reason(struct reader *rd)
{
	const struct cme_referral *r = rd->r;
	const char *reason = NULL, *fromall;
	struct strbuf all;

	strbuf_init(&all, MAX_SCAN_TEXT * 2);
	fields_keep(rd, &all, strbuf_str(&rd->reason_text), rd->reason_text.len);
	reason = extract_text_reason(&all);
	if (reason && strcmp(reason, "moved-away-unknown") != 0) {
		strbuf_free(&all);
		return reason;
	}
	strbuf_reset(&all);
	fields_keep(rd, &all, strbuf_str(&rd->reason_text), rd->reason_text.len);
	fields_keep(rd, &all, strbuf_str(&rd->prose), rd->prose.len);
	if (r->subject) {
		fields_keep_str(rd, &all, "\n");
		fields_keep_str(rd, &all, r->subject);
	}
	fromall = extract_text_reason(&all);
	strbuf_free(&all);
	if (reason == NULL || (fromall && strncmp(fromall, "moved-", 6) == 0))
		reason = fromall;
	return reason;
}

/* "child N" in these lines sends each to child N's case only
 * (referral_problem_concerns). */
static void child_problems(struct reader *rd, const struct cme_child *c, size_t i)
{
	char what[128];

	if (c->surname == NULL && c->forename == NULL) {
		snprintf(what, sizeof what, "no name for child %zu", i + 1);
		fields_problem(rd, what, 0);
	}
	if (c->dob == NULL) {
		snprintf(what, sizeof what, "no date of birth for child %zu", i + 1);
		fields_problem(rd, what, 0);
	}
	if (c->upn && !c->upn_valid) {
		snprintf(what, sizeof what,
		         "the UPN for child %zu fails the DfE check letter", i + 1);
		fields_problem(rd, what, 0);
	}
	if (c->address == NULL && c->postcode == NULL) {
		snprintf(what, sizeof what, "no last known address for child %zu", i + 1);
		fields_problem(rd, what, 0);
	}
}

/* The year group a child's date of birth gives on the message date. */
static void year_from_dob(struct cme_child *c, const struct ymd *on)
{
	struct ymd dob;

	if (c->year_group < 0 && c->dob && ymd_parse_iso(c->dob, &dob) == 0) {
		int yg = uk_year_group(&dob, on);

		if (yg >= 0 && yg <= 14)
			c->year_group = yg;
	}
}

/* The reason told in the first sentence of the prose that names a
 * sibling ("Harvey has a younger sister who has never been on roll at
 * any school:"), or NULL. */
static const char *sibling_sentence_reason(const char *s, size_t len)
{
	size_t b = 0;

	while (b < len) {
		size_t e = b;
		const char *reason;

		while (e < len && !strchr(".!?:", s[e]) &&
		       !(s[e] == '\n' && e + 1 < len && s[e + 1] == '\n'))
			e++;
		if (fields_memstr_any(s + b, e - b, VW_SIBLING_WORD) &&
		    (reason = vocab_match_reason(s + b, e - b)) != NULL)
			return reason;
		b = e + 1;
	}
	return NULL;
}

/* An update that carries a child (a sibling found on a visit, given in
 * labelled lines under "Harvey has a younger sister who has never been
 * on roll at any school:"): its year group from the date of birth, and
 * the reason the sentence naming the sibling tells.  Nothing else of a
 * referral's settling: the writer's school is not the child's. */
static void settle_update_children(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *reason = NULL;

	if (r->n_children == 0)
		return;
	reason = sibling_sentence_reason(strbuf_str(&rd->prose), rd->prose.len);
	for (size_t i = 0; i < r->n_children; i++) {
		struct cme_child *c = &r->children[i];

		year_from_dob(c, &rd->ref_date);
		if (c->reason == NULL && reason)
			c->reason = strdup(reason);
	}
}

/* A referral's children: shared reason, school from the referrer,
 * year group from the date of birth, and what is missing. */
static void settle_referral(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *reason = common_reason(rd);
	struct ymd on = rd->ref_date;

	for (size_t i = 0; i < r->n_children; i++) {
		struct cme_child *c = &r->children[i];

		if (c->reason == NULL && reason)
			c->reason = strdup(reason);
		if (c->school == NULL && r->referrer.organisation &&
		    prose_is_school_name(r->referrer.organisation))
			c->school = strndup(r->referrer.organisation,
			                    prose_school_name_len(r->referrer.organisation));
		year_from_dob(c, &on);
		child_problems(rd, c, i);
	}
	if (r->n_overflow > 0) {
		char what[128];

		snprintf(what, sizeof what,
		         "more than %zu children in one message; the other %zu are "
		         "listed on a triage case", rd->o->max_children, r->n_overflow);
		fields_problem(rd, what, 0);
	}
}

/* Safeguarding flags from what the message answers (answers.c); the
 * subject counts ("URGENT - CP plan"), and a referrer who is a social
 * worker is the child's (answers_role_flags).  A fact stated positively
 * anywhere counts even when a tick box elsewhere says No: the flag is
 * set and the conflict is a problem for the officer. */
static void settle_flags(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const struct extract_options *o = rd->o;
	unsigned long yes = 0, no = 0, both;

	if (r->kind == KIND_REFERRAL || r->kind == KIND_UPDATE || r->kind == KIND_UNRECOGNISED) {
		answers_scan_flags(strbuf_str(&rd->flag_text), rd->flag_text.len, &yes, &no);
		answers_scan_flags(strbuf_str(&rd->prose), rd->prose.len, &yes, &no);
		if (r->subject)
			answers_scan_flags(r->subject, strlen(r->subject), &yes, &no);
		yes |= answers_role_flags(r->referrer.role);
		r->flags |= yes;
		both = r->flags & no;
		for (size_t i = 0; i < vocab_flag_count(); i++) {
			char what[160];

			if (!(both & (1UL << i)))
				continue;
			snprintf(what, sizeof what, "the form answers No to %s but the "
			         "message states it: check with the referrer",
			         vocab_flag_name(i));
			fields_problem(rd, what, 1);
		}
	}
	if (o->immediate_flags || o->trust)
		r->immediate = (r->flags & o->immediate_flags) != 0;
}

static void reader_init(struct reader *rd, const struct extract_options *o,
                        struct cme_referral *r)
{
	memset(rd, 0, sizeof *rd);
	rd->o = o;
	rd->r = r;
	rd->common.upn_valid = -1;
	rd->common.year_group = -1;
	referral_child_clear(&rd->spill);
	strbuf_init(&rd->prose, MAX_SCAN_TEXT + 4096);
	strbuf_init(&rd->reason_text, 16384);
	strbuf_init(&rd->flag_text, 65536);
	strbuf_init(&rd->outcome_text, 8192);
}

static void reader_free(struct reader *rd)
{
	struct cme_child *k = &rd->common;

	strbuf_free(&rd->prose);
	strbuf_free(&rd->reason_text);
	strbuf_free(&rd->flag_text);
	strbuf_free(&rd->outcome_text);
	for (int i = 0; i < MAX_SIGNATURE_LINES; i++)
		free(rd->signature[i]);
	free(rd->fwd_from);
	free(rd->notes);
	free(k->forename); free(k->surname); free(k->dob); free(k->gender);
	free(k->upn); free(k->address); free(k->postcode); free(k->school);
	free(k->last_attended); free(k->reason);
	referral_child_clear(&rd->spill);
}

/* The people's names and mobile numbers as officers type and search
 * for them (fields_fold_apostrophes, fields_tidy_phone). */
static void settle_people(struct cme_referral *r)
{
	for (size_t i = 0; i < r->n_children; i++) {
		fields_fold_apostrophes(r->children[i].forename);
		fields_fold_apostrophes(r->children[i].surname);
	}
	for (size_t i = 0; i < r->n_parents; i++) {
		fields_fold_apostrophes(r->parents[i].name);
		fields_tidy_phone(&r->parents[i].phone);
	}
	fields_fold_apostrophes(r->referrer.name);
	fields_tidy_phone(&r->referrer.phone);
}

int extract_referral(const struct cme_message *m, const struct extract_options *o,
                     struct cme_referral *r)
{
	struct reader rd;
	int oom;

	reader_init(&rd, o, r);
	learned_use(o->learned);        /* vocab_label's misses ask it */
	read_headers(&rd, m);
	rd.from_name = message_from_name(m);
	if (o->trust)
		r->authenticated = trust_message_authenticated(m, r->from_addr, o->trust);
	copy_message_problems(&rd, m);

	if (is_bounce(m)) {
		r->kind = KIND_BOUNCE;
	} else if (header_says_auto(m)) {
		r->kind = KIND_AUTO_REPLY;
	} else if (read_texts(&rd, m) != 0) {
		rd.oom = 1;
	} else {
		settle_children(&rd);
		settle_update(&rd);
		r->kind = decide_kind(r);
		settle_referrer(&rd, m);
		if (r->kind == KIND_UPDATE)
			prose_update_school_from_signature(&rd);
		if (r->kind == KIND_REFERRAL)
			settle_referral(&rd);
		else if (r->kind == KIND_UPDATE)
			settle_update_children(&rd);
		else if (r->kind == KIND_UNRECOGNISED)
			fields_problem(&rd, "no child's details could be found in the message", 0);
		settle_flags(&rd);
		settle_people(r);
		provenance_settle(&rd);
	}
	if (o->null_sender)
		r->kind = KIND_BOUNCE;  /* MAIL FROM:<> is a bounce whatever it says */
	learned_use(NULL);
	oom = rd.oom;
	reader_free(&rd);
	return oom ? -1 : 0;
}

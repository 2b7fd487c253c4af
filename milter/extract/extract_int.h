/*
 * extract_int.h - private to milter/extract/: the reader state shared by
 * the files that read a message into a struct cme_referral.
 *
 * NAME
 *	extract_int - the reader's state and the steps the readers share
 *
 * Owns: nothing at run time; struct reader is on extract_referral's
 * stack and lives for one call.  The files and what each reads:
 *	extract.c  the driver (extract_referral): headers, which texts to
 *	           read, children, updates, kind, derived values, flags;
 *	layout.c   where a label ends and its value begins, whatever the
 *	           layout (colon, TAB, dotted leader, aligned spaces, pipe,
 *	           numbered question, label alone above its value) and
 *	           ASCII-art tables as TAB rows;
 *	records.c  text line by line: labelled lines, child blocks,
 *	           section headings, wrapped values, quoted/replied text;
 *	tables.c   HTML tables (TAB-separated rows) and CSV attachments;
 *	prose.c    signatures;
 *	prose_child.c  children, parents, dates, addresses in sentences;
 *	prose_update.c visits, outcomes, new schools in sentences;
 *	places.c   the reason a move written in prose gives ("moved to
 *	           Leeds", "arrived from Syria", a parent "posted to
 *	           Germany");
 *	subject_child.c a child named only in the Subject ("CME referral -
 *	           Oliver Nowak Y6");
 *	lists.c    children written one a line as a numbered or
 *	           bulleted list ("1. ABDI, Hodan - DOB ... - school");
 *	names.c    a person's name: its end, title, surname;
 *	fields.c   the text helpers and fields_assign(): one labelled value
 *	           into the field it names;
 *	answers.c  whether a flag's topic is answered yes, no, or only
 *	           asked (tick boxes, struck options, ended states).
 * Which words mean what is vocab's business (vocab.h): no word list is
 * spelled in these files.
 *
 * Return conventions: the readers return nothing; what cannot be read
 * becomes a problem sentence.  Out of memory sets reader.oom, and
 * extract_referral then returns -1.  Predicates return 1/0; finders
 * return 1 with their outputs set, or 0.
 *
 * Concurrency: none here; a reader belongs to one thread.
 */
#ifndef CME_EXTRACT_INT_H
#define CME_EXTRACT_INT_H

#include <stddef.h>

#include "extract.h"
#include "strbuf.h"
#include "strlist.h"
#include "ukdate.h"
#include "vocab.h"

#define MAX_VALUE      512     /* bytes of one field value considered */
#define MAX_NAME       80      /* a longer "name" is not a name */
#define MAX_CELLS      64      /* cells read per table row */
#define MAX_PARENTS    8
#define MAX_SCAN_TEXT  (256 * 1024)  /* prose kept for reason/flag scans */
#define MAX_PROSE_LINE 1000          /* bytes of one prose line kept */
#define LAYOUT_MAX_PENDING 128       /* bytes of a label kept for the next line */
#define MAX_SIGNATURE_LINES 8        /* name, role, school, address, phone... */

/* provenance.c: where the reader is (set by records.c, tables.c and
 * the signature reader; see provenance.c). */
#define PROV_MAX_NOTES 256
#define PROV_WHERE_MAX 128
struct prov_where {
	long part;                   /* 1-based index of the text part */
	enum text_source source;
	size_t line0;                /* lines of the part before the segment */
	size_t line;                 /* 1-based line in the segment, 0 none */
	long row, col;               /* 1-based table cell, 0 none */
	const char *label;           /* the label matched (valid only during
	                                fields_assign), or NULL */
	size_t label_len;
	long sig_line;               /* 1-based signature line, 0 none */
};
struct prov_note {
	char kind;                   /* 'c' child, 'k' common, 'p' parent,
	                                'r' referrer */
	int idx;                     /* child or parent index */
	unsigned bit;                /* slot (provenance.c's tables) */
	char where[PROV_WHERE_MAX];
};
struct prov_mark { char kind; int idx; unsigned mask; };

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
	size_t reason_from;          /* reason_text offset where the last
	                                "Reason:" value began */
	int value_wrap;              /* the line read continues the value
	                                above it (a hard wrap, records.c) */
	char *signature[MAX_SIGNATURE_LINES]; /* the signature's lines */
	int in_signature;
	int sig_gap;                 /* a blank line since the sign-off */
	int inline_children;         /* one-line child entries in a run: an
	                                address after two or more is every
	                                child's (records.c) */
	int oom;                     /* an allocation failed: text was lost */
	int fwd_reporter;            /* the forwarder's note tells the case: the
	                                forwarder referred (forward.c) */
	int fwd_parent;              /* the forwarded letter is a parent's */
	char *fwd_from;              /* inline forward: the innermost forwarded
	                                message's "From:" value (thread.c) */
	char pending[LAYOUT_MAX_PENDING]; /* a label alone on its line: its
	                                value is the next line (records.c) */
	size_t pending_len;          /* 0: no label waits */
	int pending_blanks;          /* blank lines since the label */
	int sibling_list;            /* a "Siblings name(s) and DOB:" label
	                              * alone: its pairs on the next line */
	int sibling_section;         /* under a "Siblings" heading: the next
	                                child field opens a child block
	                                (records.c) */
	long block_key;              /* fields.c: the child a "Sibling 1 ..."
	                                label named, 0 none ... */
	size_t block_child;          /* ... and its index + 1 in r->children */
	const struct cme_child *prev_address; /* the child whose address a
	                                "Previous address" label gave: a
	                                current or new one replaces it
	                                (fields.c) */
	struct prov_where where;     /* provenance.c */
	struct prov_note *notes;
	size_t n_notes, cap_notes;   /* used, allocated (provenance.c) */
};

/* lists.c: children in list lines of the kept prose; returns how many
 * were made. */
size_t lists_read_children(struct reader *rd);
/* lists.c: the year group, school, UPN and gender among the comma-,
 * dash- or bracket-cut parts of one child's line ("Levi SMITH, DOB
 * 29/01/2015, Lane End Primary"), each set only when the child has none. */
void lists_item_parts(struct cme_child *c, const char *s, size_t len);

/* caseref.c: case references as typed ("CME 2026 00017", "CME/2026/00017",
 * en dashes) appended to out in canonical form until it holds max;
 * 0, or -1 when out of memory. */
int caseref_scan(const char *s, size_t len, struct strlist *out, size_t max);

/* fields.c: text helpers. */
void fields_trim(const char **s, size_t *len);
char *fields_dup_trimmed(const char *s, size_t len, size_t max);
void fields_set_str(char **slot, const char *s, size_t len, size_t max);
const char *fields_memstr_ci(const char *h, size_t hl, const char *n);
int fields_memstr_any(const char *h, size_t hl, enum vocab_words list);
int fields_postcode_find(const char *s, size_t len, char out[9]);
int fields_phone_find(const char *s, size_t len, size_t *start, size_t *plen);
/* fields_take_upn: a UPN-shaped token in s[0..len) becomes c's UPN
 * (with its check letter's verdict) when c has none; 1 if it did.
 * fields_parent_named: 1 if r already lists a parent of that name
 * (name[0..nl), case-insensitive). */
int fields_take_upn(struct cme_child *c, const char *s, size_t len);
int fields_parent_named(const struct cme_referral *r, const char *name, size_t nl);
int fields_email_find(const char *s, size_t len, size_t *start, size_t *elen);
/* 1 if the value v[0..vl) opens with a word of the list, as a whole
 * word ("Unknown", "Not known - believed up north", "N/K"; leading
 * quotes and brackets skipped). */
int fields_starts_with_word(const char *v, size_t vl, enum vocab_words list);
/* names.c: a person's name. */
size_t fields_name_part(const char *s, size_t len);
size_t fields_title_len(const char *s, size_t len);
void fields_split_name(const char *s, size_t len, char **forename, char **surname);
/* 1 if s[0..n) has a letter and no lower-case one ("FLYNN", "VAN DER BERG"). */
int fields_all_caps(const char *s, size_t n);
/* The length of the dash (1, or 3 for an en or em dash) of a spaced
 * dash " - " at s[i], or 0. */
size_t fields_spaced_dash(const char *s, size_t i, size_t len);
void fields_fold_apostrophes(char *s);
void fields_tidy_phone(char **slot);
/* 1 if w[0..n) is a whole word of the list (case-insensitive, Latin-1
 * capitals in UTF-8 too). */
int fields_word_in(enum vocab_words list, const char *w, size_t n);
int fields_parse_year_group(const char *s, size_t len);
int fields_outside_school_age(const struct reader *rd, const char *iso_dob);

/* fields.c: keeping text.  Past a buffer's cap text is dropped by
 * design (the cap is the bound); out of memory sets rd->oom. */
void fields_keep(struct reader *rd, struct strbuf *sb, const char *s, size_t n);
void fields_keep_str(struct reader *rd, struct strbuf *sb, const char *s);
void fields_problem(struct reader *rd, const char *sentence, int unique);

/* fields.c: fields and children. */
void fields_set_date(struct reader *rd, char **slot, const char *s, size_t len);
void fields_spill_flush(struct reader *rd);
struct cme_child *fields_new_child_block(struct reader *rd);
struct cme_child *fields_first_child_from_common(struct reader *rd, int first);
void fields_set_referrer(struct reader *rd, const char *v, size_t vl);
/* A line holding a whole record ("Name: Kayla BRIGGS   DOB: 22.08.17
 * Gender: Female") begins: if the child being read has a name and a
 * date of birth already, the line's fields are a new child's. */
void fields_record_line(struct reader *rd);
void fields_assign(struct reader *rd, enum field f, const char *v, size_t vl);

/* layout.c: where a label ends.  layout_split_label: the field a line's
 * label names (F_NONE if none) and its value; *vlen 0 when the label
 * stands alone (the value is on the next line).  layout_question_prefix:
 * bytes of a "4. " / "Q4 " / "(d) " before a label, or 0.
 * layout_is_rule / layout_is_pipe_row: lines of an ASCII-art table;
 * layout_pipe_rows: such a block as TAB rows (malloc'd, NULL out of
 * memory). */
enum field layout_split_label(const char *s, size_t len, const char **value,
                              size_t *vlen);
size_t layout_question_prefix(const char *s, size_t len);
int layout_is_rule(const char *s, size_t len);
int layout_is_pipe_row(const char *s, size_t len);
char *layout_pipe_rows(const char *s, size_t len, size_t *outlen);
/* layout_next_line: the line at s[*i] (up to len), its length in *ll;
 * *i moves past its newline. */
const char *layout_next_line(const char *s, size_t len, size_t *i, size_t *ll);
/* layout_aligned_header: a line of three or more cells apart by two or
 * more spaces, at least two of them labels of child fields ("Surname
 * Forename   DOB"), or a parents table's headings (a relationship
 * column, three in four cells a person's fields: "Relationship   Tick
 * if P.R   Name   Tel No"): its number of cells, or 0.  layout_aligned_rows: the
 * header and its rows (up to a blank line) as TAB rows, each cut where
 * the header's columns start (malloc'd, NULL out of memory). */
size_t layout_aligned_header(const char *s, size_t len);
/* layout_tab_header: the same header with TABs between its cells
 * ("Legal Surname<TAB>Legal Forename<TAB>DOB"): a grid pasted into a
 * plain text is a table from it on.  Its number of cells, or 0. */
size_t layout_tab_header(const char *s, size_t len);
/* layout_next_pair: in a value, where a further "Label: value" begins
 * after two or more spaces or a TAB ("BROWN      Forename: Harper"),
 * or vl when none does. */
size_t layout_next_pair(const char *v, size_t vl);
char *layout_aligned_rows(const char *s, size_t len, size_t *outlen);

/* records.c */
enum field records_split_label(const char *s, size_t len, const char **value,
                               size_t *vlen);
void records_read_line(struct reader *rd, const char *s, size_t len);
void records_read_text(struct reader *rd, const struct message_text *t);

/* tables.c */
void tables_read_table(struct reader *rd, const char *s, size_t len);
void tables_read_csv(struct reader *rd, const char *s, size_t len);

/* answers.c: flags the text answers Yes (or states in a sentence) into
 * *yes, flags a form answers No into *no; both are or-ed into.
 * answers_value: the answer a field value gives ("No", "Yes [ ] No [x]",
 * "~~Yes~~ No"): VOCAB_ANSWER_YES, VOCAB_ANSWER_NO (an unanswered
 * question counts as No, and so does a state that has ended: "Closed in
 * 2023"), or 0 when the value is no answer (a name). */
void answers_scan_flags(const char *text, size_t len, unsigned long *yes,
                        unsigned long *no);
/* answers_mask_unchosen: blank the lines of s that offer an option
 * not chosen ("( ) i - continuous absence", "○ g2 - moved out of the
 * borough"), so that only the chosen option is read as a reason. */
void answers_mask_unchosen(char *s, size_t len);
/* answers_role_flags: a referrer whose role names a social worker
 * ("Social Worker, Children in Care Team") is the child's: the
 * social-worker flag.  No other flag comes from a job title ("Missing
 * Persons Coordinator"); "Education Social Worker" is attendance staff
 * (words.vocab flag_exclusion). */
unsigned long answers_role_flags(const char *role);
int answers_value(const char *v, size_t vl);

/* provenance.c: provenance_before/after bracket an assignment (the
 * hook in fields_assign and the signature reader) and note the slots it
 * filled, in the words of rd->where; provenance_note notes a referrer
 * slot set elsewhere (the From header of a forward), and
 * provenance_note_child a child's slot ("forename", "year_group") set
 * from elsewhere than a text (the Subject); provenance_settle
 * leaves the text on r->provenance and each child's provenance
 * ("key<TAB>value<TAB>where" lines) and frees the notes. */
void provenance_before(struct reader *rd, enum field f, struct prov_mark *m);
void provenance_after(struct reader *rd, const struct prov_mark *m);
void provenance_note(struct reader *rd, const char *person_key, const char *where);
void provenance_note_child(struct reader *rd, size_t idx, const char *key, const char *where);
void provenance_settle(struct reader *rd);

/* forward.c: an inline forward reported on or passed on.
 * forward_note_reports: the forwarder's note s[0..len) tells the case
 * itself (two sentences or more), so the forwarder referred;
 * forward_from_parent: the forwarded text is a parent's letter about
 * their child ("my son"); forward_writer_parent: after the children are
 * settled, the forwarded letter's writer becomes a parent (once), with
 * the relationship the text gives them. */
int forward_note_reports(const char *s, size_t len);
int forward_from_parent(const char *s, size_t len);
void forward_writer_parent(struct reader *rd);

/* prose.c */
size_t prose_trailing_signature(struct reader *rd, const char *s, size_t len,
                                const char *sender);

/* prose_child.c: children named in sentences (returns how many were
 * made); a child's year group (when `single`), last-attended date and
 * current address from the prose; parents named in sentences when no
 * parent was labelled. */
size_t prose_read_child(struct reader *rd);
/* prose_age.c: children named with an approximate age and no date of
 * birth ("Bella (about 9)", "Reggie is maybe 6"); how many were made. */
size_t prose_children_by_age(struct reader *rd);
void prose_read_details(struct reader *rd, struct cme_child *c, int single);
/* A stated year group in s[0..len) ("Year 4", "Y4", "in Reception"),
 * or -1. */
int prose_year_in(const char *s, size_t len);
void prose_read_parents(struct reader *rd);
int prose_is_school_name(const char *s);
size_t prose_school_name_len(const char *s);
void prose_signature_referrer(struct reader *rd);

/* subject_child.c: when the body names no child, the child the Subject
 * names, with its year group and date of birth. */
void subject_read_child(struct reader *rd);

/* prose_update.c: prose_update_cue: 1 if the prose gives news of a
 * known child ("returned to school this morning") rather than a new
 * referral.  prose_read_update: a visit (date, time, seen) and, for a
 * located-on-roll outcome, the new school and its start date, from the
 * prose.  prose_update_school_from_signature: "started with us": the
 * new school is the replying school (after the referrer is settled). */
int prose_update_cue(const struct reader *rd);
void prose_read_update(struct reader *rd);
void prose_update_school_from_signature(struct reader *rd);
/* answers_grid.c: a plain-text grid of answer columns ("YES  NO  NOT
 * KNOWN" over rows of "question ... X") rewritten as "question: NO"
 * lines, the rest of the text as it is; malloc'd (length in *outlen),
 * or NULL when the text holds no such grid (or is out of memory): read
 * the text as it is. */
char *answers_grid_rewrite(const char *text, size_t len, size_t *outlen);

/* prose_update_moved: in an update, the outcome a move in text (the
 * prose without hearsay) gives (moved-abroad, moved-out-of-area) when
 * the words gave none, or moved-abroad over located-on-roll. */
void prose_update_moved(struct reader *rd, const char *text, size_t len);
/* prose_without_hearsay: a copy of s[0..len) (NUL-terminated, the same
 * length) with each sentence that reports someone else's word ("the
 * neighbour says the family moved to Wales", "apparently") blanked to
 * spaces: a neighbour's word settles no outcome.  malloc'd; NULL when
 * out of memory. */
char *prose_without_hearsay(const char *s, size_t len);
/* prose_school_span: capitalised words from *start (moved past white
 * space) naming a school ("Park Lane Primary School", "St Mary's C of E
 * Primary School"; past the school word no joining word is taken):
 * their end, or NULL. */
const char *prose_school_span(const char **start, const char *end);

/* extract.c: the reason a text gives (a move in prose, places.c, unless
 * the scored words are unambiguous), or NULL; sb is changed (options not
 * chosen, postings and arrivals blanked). */
const char *extract_text_reason(struct strbuf *sb);

/* places.c: the reason the first move in a text gives
 * ("moved-abroad", "moved-out-of-area", "moved-into-area-no-school"),
 * or NULL.  places_mask: blank a parent's posting ("deployed overseas")
 * and an arrival ("arrived from Syria") in s, so that no word scorer
 * reads them as the child moving abroad. */
const char *places_reason(const char *s, size_t len);
/* places_arrival_since: 1 if the text's first move is an arrival
 * written after "since" ("never registered at a school since they moved
 * to <house> from Swansea"): the child came here of school age. */
int places_arrival_since(const char *s, size_t len);
/* places_move: places_reason(), and *weak 1 when the move is read only
 * from a weak cue ("going to Romania for a wedding"): a trip that may be
 * a visit, not a move, so a stated non-return outweighs it; 0 else. */
const char *places_move(const char *s, size_t len, int *weak);
void places_mask(char *s, size_t len);

#endif

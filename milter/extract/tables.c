/*
 * tables.c - tables: HTML tables (rows of TAB-separated cells, as
 * html_text/docx_text render them) and CSV attachments.  A header row
 * naming child fields makes each further row one child; a label column
 * with a column per child makes each column one child; other rows are
 * read as "label: value" lines, two per row in a label|value|label|
 * value form; under a "| Yes | No" heading row each row is answered by
 * the column its mark stands in (an answer grid); under a row of
 * questions ("CP Plan | LAC | S47") each cell answers its column's.
 * See extract_int.h.
 *
 * Owns: struct row (a bounded view of one row's cells: MAX_CELLS).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define MAX_LABEL_NORM 128   /* bytes of a normalised column heading */
#define MAX_FLAG_HEADING 200 /* bytes of a flag question read as a heading */

struct row {
	const char *cell[MAX_CELLS];
	size_t len[MAX_CELLS];
	unsigned char star[MAX_CELLS];  /* the cell began or ended with '*' */
	size_t n;
};

/* A cell marked with an asterisk ("HARRIS *", "* Mia"): a household
 * list's way of saying "also being referred".  (fields_trim drops the
 * mark from the value.) */
static int star_cell(const char *c, size_t cl)
{
	while (cl > 0 && isspace((unsigned char)c[cl - 1]))
		cl--;
	while (cl > 0 && isspace((unsigned char)c[0]))
		c++, cl--;
	return cl > 0 && (c[0] == '*' || c[cl - 1] == '*');
}

/* Rows [1, nrows) of a header-row table: does any mark a child with an
 * asterisk?  Then only the marked rows are the referral's children,
 * the rest the household they live in. */
static int rows_starred(const struct row *rows, size_t nrows)
{
	for (size_t j = 1; j < nrows; j++)
		for (size_t k = 0; k < rows[j].n; k++)
			if (rows[j].star[k])
				return 1;
	return 0;
}

static int row_starred(const struct row *row)
{
	for (size_t k = 0; k < row->n; k++)
		if (row->star[k])
			return 1;
	return 0;
}

static void split_row(const char *s, size_t len, char sep, struct row *row)
{
	size_t start = 0;

	row->n = 0;
	for (size_t i = 0; i <= len && row->n < MAX_CELLS; i++) {
		if (i == len || s[i] == sep) {
			const char *c = s + start;
			size_t cl = i - start;

			row->star[row->n] = star_cell(c, cl);
			fields_trim(&c, &cl);
			row->cell[row->n] = c;
			row->len[row->n] = cl;
			row->n++;
			start = i + 1;
		}
	}
}

/* A cell shaped like a question or label the vocabulary does not know
 * ("Your relationship to the child", "How did you hear of the
 * family?"): words with lower-case letters and no digits or '@' (no
 * date, phone, postcode or email), three or more of them, at most
 * MAX_NAME bytes. */
static int label_shaped(const char *c, size_t cl)
{
	size_t words = 0, lower = 0;

	if (cl == 0 || cl > MAX_NAME || !isupper((unsigned char)c[0]))
		return 0;
	for (size_t i = 0; i < cl; i++) {
		if (isdigit((unsigned char)c[i]) || c[i] == '@')
			return 0;
		lower += islower((unsigned char)c[i]) != 0;
		words += c[i] != ' ' && (i == 0 || c[i - 1] == ' ');
	}
	return words >= 3 && lower > 0;
}

/* "Surname | Smith | Forename | Jayden": label, value, label, value
 * (a two-column form), not a header row.  The first label is a known
 * one; a later label cell may be one the vocabulary does not know when
 * it is shaped like a label (label_shaped), so that its value is not
 * read as part of the value before it. */
static int is_pair_row(const struct row *row)
{
	if (row->n < 4 || row->n % 2 != 0)
		return 0;
	for (size_t k = 0; k + 1 < row->n; k += 2)
		if ((row->len[k] && vocab_label(row->cell[k], row->len[k]) == F_NONE &&
		     (k == 0 || !label_shaped(row->cell[k], row->len[k]))) ||
		    (row->len[k + 1] && vocab_label(row->cell[k + 1], row->len[k + 1]) != F_NONE))
			return 0;
	return vocab_label(row->cell[0], row->len[0]) != F_NONE;
}

/* "Surname | Legal Surname": the legal column is the field, the other
 * (the preferred name an MIS also exports) is not read. */
static void legal_columns_win(const struct row *row, enum field cols[MAX_CELLS])
{
	for (size_t i = 0; i < row->n; i++) {
		if (cols[i] == F_NONE ||
		    !fields_starts_with_word(row->cell[i], row->len[i], VW_LEGAL_WORD))
			continue;
		for (size_t k = 0; k < row->n; k++)
			if (k != i && cols[k] == cols[i] &&
			    !fields_starts_with_word(row->cell[k], row->len[k], VW_LEGAL_WORD))
				cols[k] = F_NONE;
	}
}

/* A header row names child fields in at least two of its cells. */
static int header_columns(const struct row *row, enum field cols[MAX_CELLS])
{
	int known = 0;

	if (is_pair_row(row))
		return 0;

	for (size_t i = 0; i < row->n; i++) {
		cols[i] = vocab_label(row->cell[i], row->len[i]);
		if (cols[i] >= F_FORENAME && cols[i] <= F_REASON)
			known++;
	}
	legal_columns_win(row, cols);
	return row->n >= 3 && known >= 2;
}

static int child_field(enum field f)
{
	return f >= F_FORENAME && f <= F_REASON;
}

/* The section a column heading opens for the label|value cells under
 * it ("Referrer's details"), or F_NONE. */
static enum field column_section(enum field head)
{
	if (head >= F_REFERRER_NAME && head <= F_REFERRER)
		return F_REFERRER;
	if (head >= F_PARENT_NAME && head <= F_PARENT)
		return F_PARENT;
	return F_NONE;
}

/* Cells k, k+1 of a record row are a label|value pair of their own:
 * "Child 1 | Filip | NOWAK | 09/09/2012 | Name | Rachel Ingram", where
 * the right-hand columns are a "Referrer's details" box drawn beside
 * the children.  Cell k is a known label under a heading that names no
 * child field, cell k+1 a value under no known heading. */
static int side_pair(const struct row *row, const enum field cols[MAX_CELLS], size_t k)
{
	return k + 1 < row->n && row->len[k] && row->len[k + 1] &&
	       !child_field(cols[k]) && cols[k + 1] == F_NONE &&
	       vocab_label(row->cell[k], row->len[k]) != F_NONE &&
	       vocab_label(row->cell[k + 1], row->len[k + 1]) == F_NONE;
}

static void read_cells_as_line(struct reader *rd, const struct row *row,
                               size_t from, size_t to);
static void read_value_line(struct reader *rd, const char *label, size_t ll,
                            const char *value, size_t vl);

/* The side pairs of a record row, read as "label: value" lines in the
 * section their column heading names; *used[k] marks their cells. */
static void read_side_pairs(struct reader *rd, const struct row *row,
                            const enum field cols[MAX_CELLS],
                            unsigned char used[MAX_CELLS])
{
	int section = rd->section;
	struct cme_child *cur = rd->cur;

	memset(used, 0, MAX_CELLS);
	for (size_t k = 0; k < row->n; k++) {
		if (!side_pair(row, cols, k))
			continue;
		used[k] = used[k + 1] = 1;
		if (column_section(cols[k]) != F_NONE)
			rd->section = column_section(cols[k]);
		rd->cur = NULL;
		rd->where.col = (long)k + 2;    /* provenance: the value cell */
		read_cells_as_line(rd, row, k, k + 2);
		rd->section = section;
		rd->cur = cur;
		k++;
	}
}

static int has_list_phrase(const char *text, size_t len, enum vocab_words list);

/* A row of a household table ("Name | Relationship to child | D.O.B. |
 * Contact number") whose relationship cell names a parent or carer
 * ("Mother"), in a table with no separate parent-name column, is a
 * parent, not a child: unless its date of birth makes it a child (an
 * older sister caring is a carer; a sister of school age is a child). */
static int parent_row(const struct reader *rd, const struct row *row,
                      const enum field cols[MAX_CELLS])
{
	int rel = 0;

	for (size_t i = 0; i < row->n; i++) {
		if (cols[i] == F_PARENT_NAME || cols[i] == F_PARENT)
			return 0;
		if (cols[i] == F_PARENT_REL && row->len[i] &&
		    (vocab_match_relationship(row->cell[i], row->len[i]) != NULL ||
		     has_list_phrase(row->cell[i], row->len[i], VW_HOUSEHOLDER_WORD)))
			rel = 1;
	}
	if (!rel)
		return 0;
	for (size_t i = 0; i < row->n; i++) {
		struct ymd dob;
		size_t used;

		if (cols[i] == F_DOB && row->len[i] &&
		    ukdate_find(row->cell[i], row->len[i], &dob, &used) &&
		    ymd_valid(&rd->ref_date) && rd->ref_date.y - dob.y < 18)
			return 0;
	}
	return 1;
}

/* 1 if text[0..len) holds one of list's phrases as whole words. */
static int has_list_phrase(const char *text, size_t len, enum vocab_words list)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	for (size_t k = 0; k < n; k++)
		if (vocab_phrase_find(text, len, w[k], 0) >= 0)
			return 1;
	return 0;
}

/* A column heading asking whether the row's adult has parental
 * responsibility ("Tick if P.R", "PR (Y/N)"): compared normalised, as
 * a label is, so "P.R" is "pr". */
static int pr_heading(const char *c, size_t cl)
{
	char norm[MAX_LABEL_NORM];
	size_t nl = vocab_label_normalise(c, cl, norm, sizeof norm);

	return nl > 0 && has_list_phrase(norm, nl, VW_PR_HEADING);
}

/* A parents table: a header row naming a relationship column and a
 * name column ("Relationship | Tick if P.R | Name | Tel No"), and fewer
 * than two child fields (header_columns did not take it).  Each row
 * under it is a parent or carer. */
static int parent_header(const struct row *row, enum field cols[MAX_CELLS])
{
	int rel = 0, name = 0;

	if (row->n < 3 || is_pair_row(row))
		return 0;
	for (size_t i = 0; i < row->n; i++) {
		cols[i] = vocab_label(row->cell[i], row->len[i]);
		rel |= cols[i] == F_PARENT_REL;
		name |= cols[i] == F_FULLNAME || cols[i] == F_PARENT_NAME ||
		        cols[i] == F_FORENAME || cols[i] == F_SURNAME;
	}
	return rel && name;
}

/* The column of a header row asking about parental responsibility,
 * + 1, or 0. */
static size_t pr_column(const struct row *head)
{
	for (size_t i = 0; i < head->n; i++)
		if (head->len[i] && pr_heading(head->cell[i], head->len[i]))
			return i + 1;
	return 0;
}

/* Rows [1, nrows) answering the parental-responsibility column
 * (pr_col, 1-based) Yes: how many. */
static size_t pr_yes_rows(const struct row *rows, size_t nrows, size_t pr_col)
{
	size_t yes = 0;

	for (size_t j = 1; pr_col && j < nrows; j++)
		if (pr_col - 1 < rows[j].n && rows[j].len[pr_col - 1] &&
		    answers_value(rows[j].cell[pr_col - 1], rows[j].len[pr_col - 1]) ==
		    VOCAB_ANSWER_YES)
			yes++;
	return yes;
}

/* A household row's adult who does not live with the child: no phone
 * in the row, and a cell other than the name and relationship says
 * where they are instead ("working in Poland", "deceased"). */
static int adult_elsewhere(const struct row *row, const enum field cols[MAX_CELLS])
{
	size_t ps, pl;

	for (size_t i = 0; i < row->n; i++)
		if (row->len[i] && fields_phone_find(row->cell[i], row->len[i], &ps, &pl))
			return 0;
	for (size_t i = 0; i < row->n; i++)
		if (row->len[i] && cols[i] != F_PARENT_REL && cols[i] != F_FULLNAME &&
		    cols[i] != F_PARENT_NAME && cols[i] != F_FORENAME && cols[i] != F_SURNAME &&
		    has_list_phrase(row->cell[i], row->len[i], VW_ELSEWHERE_CUE))
			return 1;
	return 0;
}

static void read_parent_row(struct reader *rd, const struct row *row,
                            const enum field cols[MAX_CELLS]);

/* A parent row read, unless its adult lives elsewhere: then the
 * officer is told (no message text in the sentence). */
static void read_parent_unless_elsewhere(struct reader *rd, const struct row *row,
                                         const enum field cols[MAX_CELLS])
{
	if (adult_elsewhere(row, cols))
		fields_problem(rd, "a parent said to live elsewhere, with no phone, "
		               "was not listed as a contact", 1);
	else
		read_parent_row(rd, row, cols);
}

/* The parent a parent row names: its name (one cell, or forename and
 * surname cells), relationship and phone. */
static void read_parent_row(struct reader *rd, const struct row *row,
                            const enum field cols[MAX_CELLS])
{
	static const enum field order[] = { F_FULLNAME, F_FORENAME, F_SURNAME,
	                                    F_PARENT_REL, F_PARENT_PHONE };
	char name[MAX_NAME + 1];
	size_t nl = 0, name_col = 0;

	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
		for (size_t i = 0; i < row->n; i++) {
			if (cols[i] != order[o] || row->len[i] == 0)
				continue;
			if (order[o] == F_FORENAME || order[o] == F_SURNAME ||
			    order[o] == F_FULLNAME) {
				/* "Stacey" then "BAKER": one name */
				if (nl > 0 && nl < MAX_NAME)
					name[nl++] = ' ';
				else
					name_col = i + 1;
				for (size_t b = 0; b < row->len[i] && nl < MAX_NAME; b++)
					name[nl++] = row->cell[i][b];
				continue;
			}
			if (nl > 0) {
				rd->where.col = (long)name_col;    /* provenance */
				fields_assign(rd, F_PARENT_NAME, name, nl);
				nl = 0;
			}
			/* "Applicant" says who deals with the service, not how
			 * the adult is related to the child */
			if (order[o] == F_PARENT_REL &&
			    vocab_match_relationship(row->cell[i], row->len[i]) == NULL &&
			    has_list_phrase(row->cell[i], row->len[i], VW_HOUSEHOLDER_WORD))
				continue;
			rd->where.col = (long)i + 1;    /* provenance */
			fields_assign(rd, order[o], row->cell[i], row->len[i]);
		}
	if (nl > 0) {
		rd->where.col = (long)name_col;
		fields_assign(rd, F_PARENT_NAME, name, nl);
	}
}

/* A row of a household table (a table with a relationship column)
 * whose date of birth puts the child below school age ("Poppy, 2023,
 * half-sister") lives with the referred child but is not referred:
 * SPEC 4, a household list is not a list of referrals.  (A row marked
 * as referred never comes here: see rows_starred.) */
static int preschool_household_row(const struct reader *rd, const struct row *row,
                                   const enum field cols[MAX_CELLS])
{
	int household = 0;

	for (size_t i = 0; i < row->n; i++)
		household |= cols[i] == F_PARENT_REL;
	for (size_t i = 0; household && i < row->n; i++) {
		struct ymd dob;
		size_t used;

		if (cols[i] == F_DOB && row->len[i] &&
		    ukdate_find(row->cell[i], row->len[i], &dob, &used) &&
		    ymd_valid(&rd->ref_date) && uk_year_group(&dob, &rd->ref_date) < 0)
			return 1;
	}
	return 0;
}

/* A row that repeats a parent already listed: its parent-name (or
 * parent) cell holds a listed parent's name.  Siblings' rows in an
 * export repeat the family's contact; one parent is listed once. */
static int row_repeats_parent(const struct reader *rd, const struct row *row,
                              const enum field cols[MAX_CELLS])
{
	for (size_t i = 0; i < row->n; i++) {
		if ((cols[i] != F_PARENT_NAME && cols[i] != F_PARENT) || row->len[i] == 0)
			continue;
		for (size_t p = 0; p < rd->r->n_parents; p++) {
			const char *name = rd->r->parents[p].name, *at;
			size_t nl = name ? strlen(name) : 0;

			/* the whole name, not "Jo" inside "Joanne Smith" */
			at = nl ? fields_memstr_ci(row->cell[i], row->len[i], name) : NULL;
			if (at && (at == row->cell[i] || !isalnum((unsigned char)at[-1])) &&
			    (at + nl == row->cell[i] + row->len[i] ||
			     !isalnum((unsigned char)at[nl])))
				return 1;
		}
	}
	return 0;
}

#define MAX_ADDRESS_JOINED 200  /* bytes of an address made of columns */

/* An address split over columns ("Address Line 1 | Town"): the row's
 * address cells in order, joined with ", ", into buf.  Returns the
 * first address column + 1, or 0 when the row has none. */
static size_t joined_address(const struct row *row, const enum field cols[MAX_CELLS],
                             char buf[MAX_ADDRESS_JOINED + 1], size_t *blen)
{
	size_t first = 0, n = 0;

	for (size_t i = 0; i < row->n; i++) {
		if (cols[i] != F_ADDRESS || row->len[i] == 0)
			continue;
		if (first == 0)
			first = i + 1;
		if (n > 0 && n + 2 < MAX_ADDRESS_JOINED) {
			buf[n++] = ',';
			buf[n++] = ' ';
		}
		for (size_t b = 0; b < row->len[i] && n < MAX_ADDRESS_JOINED; b++)
			buf[n++] = row->cell[i][b] == '\n' ? ' ' : row->cell[i][b];
	}
	buf[n] = '\0';
	*blen = n;
	return first;
}

/* One table record (CSV row or HTML row under a header row) is one
 * child.  A relationship column with no parent's name beside it and no
 * parent's relationship in it is the child's relationship to the
 * household ("daughter"), not a parent's.  A row with no child field
 * filled in (only its "Child 4" label, or only side pairs) is no
 * child.  Address columns are one address; a parent a sibling's row
 * already gave is not listed again.  head is the header row (its cells
 * the columns' headings), for the flag columns. */
/* The columns of a record row whose heading names no field: a heading
 * that is a flag question ("Child Protection Plan", "Looked After?")
 * answered Yes or No in this row ("Y", "No", "N/A") goes to the flag
 * reader as "heading: answer", which decides whether it names a flag.
 * Flags are the referral's, so a Yes in any child's row sets it; a
 * column of free text (notes) is not read here. */
static void read_flag_columns(struct reader *rd, const struct row *head,
                              const struct row *row, const enum field cols[MAX_CELLS])
{
	if (head == NULL)
		return;
	for (size_t i = 0; i < row->n && i < head->n; i++) {
		int a;

		if (cols[i] != F_NONE || row->len[i] == 0 || head->len[i] == 0 ||
		    head->len[i] > MAX_FLAG_HEADING || row->len[i] > MAX_NAME)
			continue;
		a = answers_value(row->cell[i], row->len[i]);
		if (a != VOCAB_ANSWER_YES && a != VOCAB_ANSWER_NO)
			continue;
		fields_keep(rd, &rd->flag_text, head->cell[i], head->len[i]);
		fields_keep_str(rd, &rd->flag_text, ": ");
		fields_keep(rd, &rd->flag_text, row->cell[i], row->len[i]);
		fields_keep_str(rd, &rd->flag_text, "\n");
	}
}

static void read_record(struct reader *rd, const struct row *head,
                        const struct row *row, const enum field cols[MAX_CELLS])
{
	int nonempty = 0, parent_named = 0, repeated;
	unsigned char used[MAX_CELLS];
	char address[MAX_ADDRESS_JOINED + 1];
	size_t address_len, address_col;

	if (parent_row(rd, row, cols)) {
		read_parent_unless_elsewhere(rd, row, cols);
		return;
	}
	if (preschool_household_row(rd, row, cols))
		return;
	read_side_pairs(rd, row, cols, used);
	for (size_t i = 0; i < row->n; i++) {
		if (row->len[i] && cols[i] != F_NONE && !used[i])
			nonempty++;
		if (cols[i] == F_PARENT_NAME || cols[i] == F_PARENT)
			parent_named = 1;
	}
	if (nonempty == 0)
		return;
	if (fields_new_child_block(rd) == NULL)
		return;
	read_flag_columns(rd, head, row, cols);
	repeated = row_repeats_parent(rd, row, cols);
	address_col = joined_address(row, cols, address, &address_len);
	for (size_t i = 0; i < row->n; i++) {
		if (cols[i] == F_NONE || row->len[i] == 0 || used[i] ||
		    (cols[i] == F_PARENT_REL && !parent_named &&
		     vocab_match_relationship(row->cell[i], row->len[i]) == NULL) ||
		    (repeated && cols[i] >= F_PARENT_NAME && cols[i] <= F_PARENT))
			continue;
		rd->where.col = (long)i + 1;    /* provenance */
		if (cols[i] != F_ADDRESS)
			fields_assign(rd, cols[i], row->cell[i], row->len[i]);
		else if (i + 1 == address_col)
			fields_assign(rd, F_ADDRESS, address, address_len);
	}
	rd->cur = NULL;
}

/* A word of the all_children list at c[0..cl), as a whole word: its
 * length, or 0. */
static size_t all_word(const char *c, size_t cl)
{
	size_t wl;

	if (!vocab_words_prefix(VW_ALL_CHILDREN, c, cl, &wl) ||
	    (wl < cl && isalnum((unsigned char)c[wl])))
		return 0;
	return wl;
}

/* A cell that says it applies to every child: "Both: 18/11/2026",
 * "Stanbridge Primary School (both)", "Yes (both, since 05/2026)".
 * Returns 1 with the value in *v, *vl: a leading "Both:" and a
 * parenthesis holding only the word are dropped, anything else is
 * kept (the flag reader reads "since 05/2026"). */
static int all_children_cell(const char *c, size_t cl, const char **v, size_t *vl)
{
	size_t wl = all_word(c, cl);
	const char *open;

	*v = c;
	*vl = cl;
	if (wl > 0 && wl < cl && (c[wl] == ':' || c[wl] == '-')) {
		*v = c + wl + 1;
		*vl = cl - wl - 1;
		fields_trim(v, vl);
		return 1;
	}
	for (open = memchr(c, '(', cl); open; open = memchr(open + 1, '(', cl - (size_t)(open + 1 - c))) {
		size_t at = (size_t)(open + 1 - c);

		if (at < cl && (wl = all_word(c + at, cl - at)) > 0) {
			/* "(both)" ending the cell is dropped; "(both) and
			 * more" is kept whole */
			if (at + wl + 1 == cl && c[at + wl] == ')') {
				*vl = (size_t)(open - c);
				fields_trim(v, vl);
			}
			return 1;
		}
		if (at >= cl)
			break;
	}
	return 0;
}

/* The value row `row` gives the child in column k of a table `width`
 * columns wide.  A row with one value, in a merged cell ("Address |
 * 7 Lime Walk" under two children's columns) or marked "Both:", gives
 * it to every child. */
static int column_value(const struct row *row, size_t k, size_t width,
                        const char **v, size_t *vl)
{
	int others = 0;

	for (size_t i = 2; i < row->n; i++)
		others |= row->len[i] != 0;
	if (row->n >= 2 && row->len[1] && !others &&
	    (all_children_cell(row->cell[1], row->len[1], v, vl) || row->n < width))
		return *vl > 0;
	if (k >= row->n || row->len[k] == 0)
		return 0;
	(void)all_children_cell(row->cell[k], row->len[k], v, vl);
	return *vl > 0;
}

/* A label column followed by one column per child:
 *     Surname | Evans | Evans
 *     Forename| Tyler | Grace
 * Rows of child fields go to each child; other rows (a flag question,
 * a parent) are read as "label: value" lines, once for a value given
 * to every child. */
static int read_label_columns(struct reader *rd, const struct row *rows, size_t nrows)
{
	size_t width = rows[0].n, first_child = rd->r->n_children;
	const char *v;
	size_t vl;

	if (width < 3)
		return 0;
	for (size_t k = 1; k < width; k++) {
		if (fields_new_child_block(rd) == NULL)
			break;
		for (size_t j = 0; j < nrows; j++) {
			enum field f = vocab_label(rows[j].cell[0], rows[j].len[0]);

			if (child_field(f) && column_value(&rows[j], k, width, &v, &vl)) {
				rd->where.row = (long)j + 1;    /* provenance */
				rd->where.col = (long)k + 1;
				rd->where.label = rows[j].cell[0];
				rd->where.label_len = rows[j].len[0];
				fields_assign(rd, f, v, vl);
				rd->where.label = NULL;
			}
		}
	}
	rd->cur = NULL;
	for (size_t j = 0; j < nrows; j++) {
		enum field f = vocab_label(rows[j].cell[0], rows[j].len[0]);

		/* the first row without a known label is the columns'
		 * headings ("| Child 1 | Child 2"); another such row is a
		 * question the flag reader may know ("CP plan | Yes") */
		if (child_field(f) || (f == F_NONE && (j == 0 || rows[j].len[0] == 0)))
			continue;
		rd->where.row = (long)j + 1;
		for (size_t k = 1; k < rows[j].n; k++) {
			rd->where.col = (long)k + 1;
			if (!column_value(&rows[j], k, width, &v, &vl))
				continue;
			read_value_line(rd, rows[j].cell[0], rows[j].len[0], rows[j].cell[k],
			                rows[j].len[k]);
			if (v != rows[j].cell[k] || vl != rows[j].len[k] || rows[j].n < width)
				break;  /* one value for every child: read once */
		}
	}
	return rd->r->n_children > first_child;
}

/* "label: value", read as a line of text (records.c). */
static void read_value_line(struct reader *rd, const char *label, size_t ll,
                            const char *value, size_t vl)
{
	struct row pair;

	pair.n = 2;
	pair.cell[0] = label;
	pair.len[0] = ll;
	pair.cell[1] = value;
	pair.len[1] = vl;
	read_cells_as_line(rd, &pair, 0, 2);
}

/* Cells [from, to) of a row as one "label: value ..." line. */
static void read_cells_as_line(struct reader *rd, const struct row *row,
                               size_t from, size_t to)
{
	struct strbuf line;

	strbuf_init(&line, 4096);
	for (size_t k = from; k < to; k++) {
		if (k > from)
			fields_keep_str(rd, &line, k == from + 1 ? ":" : " ");
		fields_keep(rd, &line, row->cell[k], row->len[k]);
	}
	records_read_line(rd, strbuf_str(&line), line.len);
	strbuf_free(&line);
}

/* A row of a form table: "Surname | Smith" is one label line;
 * "Surname | Smith | Forename | Jayden" (label, value, label, value:
 * a two-column form) is two. */
static void read_label_row(struct reader *rd, const struct row *row)
{
	if (!is_pair_row(row)) {
		read_cells_as_line(rd, row, 0, row->n);
		return;
	}
	for (size_t k = 0; k + 1 < row->n; k += 2) {
		rd->where.col = (long)k + 2;    /* provenance: the value cell */
		read_cells_as_line(rd, row, k, k + 2);
	}
}

/* ---- Answer grids ------------------------------------------------
 * A form's "Question | Yes | No" (or "| Y | N") grid answers each row
 * by WHERE its mark stands: an X, a tick or a "Y" in the No column is
 * a No.  Flattened to "question: X" the column is lost and the mark
 * reads as a tick (a Yes), so each row of a grid is read as "question:
 * <the heading of the column marked>" instead.  A row with no column
 * marked is only asked; with both marked it is Yes (answers.c: a missed
 * escalation is as bad as a false one). */

/* The answer word a whole cell is ("Yes", "N", "Not known"), or 0. */
static int answer_heading(const char *c, size_t cl)
{
	size_t used;
	int v;

	if (cl == 0 || (v = vocab_answer_word(c, cl, &used)) == 0 || used != cl)
		return 0;
	return v;
}

/* A grid's heading row: after the first cell, cells that are answer
 * words, both a Yes and a No among them.  heads[k] is column k's. */
static int grid_heading(const struct row *row, int heads[MAX_CELLS])
{
	int seen = 0;

	if (row->n < 3)
		return 0;
	heads[0] = 0;
	for (size_t k = 1; k < row->n; k++)
		seen |= heads[k] = answer_heading(row->cell[k], row->len[k]);
	return seen == (VOCAB_ANSWER_YES | VOCAB_ANSWER_NO);
}

/* A row under a grid heading: "question: Yes|No" from the columns
 * marked, "question" alone when none is.  0 if the row is not the
 * grid's (another width, or no question in its first cell). */
static int read_grid_row(struct reader *rd, const struct row *row, const int heads[MAX_CELLS],
                         size_t width)
{
	int marked = 0;
	size_t used;

	if (row->n != width || row->len[0] == 0)
		return 0;
	for (size_t k = 1; k < row->n; k++)
		if (heads[k] && row->len[k] > 0 &&
		    vocab_answer_glyph(row->cell[k], row->len[k], &used) != VOCAB_GLYPH_EMPTY)
			marked |= heads[k];
	if (marked == 0)
		read_cells_as_line(rd, row, 0, 1);
	else
		read_value_line(rd, row->cell[0], row->len[0],
		                (marked & VOCAB_ANSWER_YES) ? "Yes" : "No",
		                (marked & VOCAB_ANSWER_YES) ? 3 : 2);
	return 1;
}

/* The label rows of a table, a grid's rows read by their marks. */
static void read_label_rows(struct reader *rd, const struct row *rows, size_t nrows)
{
	int heads[MAX_CELLS];
	size_t grid_width = 0;

	for (size_t j = 0; j < nrows; j++) {
		rd->where.row = (long)j + 1;    /* provenance: the value cell */
		rd->where.col = 2;
		if (grid_width && read_grid_row(rd, &rows[j], heads, grid_width))
			continue;
		grid_width = grid_heading(&rows[j], heads) ? rows[j].n : 0;
		read_label_row(rd, &rows[j]);
	}
}

/* The rows of a parents table (parent_header), each a parent or
 * carer.  Where a parental-responsibility column answers Yes for some
 * row, a row answering No or nothing is another adult of the household
 * (a partner without PR), not a parent/carer contact; where no row
 * answers Yes, the column decides nothing.  A row whose adult lives
 * elsewhere (adult_elsewhere) is not listed either. */
static void read_parent_table(struct reader *rd, const struct row *rows, size_t nrows,
                              const enum field cols[MAX_CELLS])
{
	size_t pr_col = pr_column(&rows[0]);
	int pr_decides = pr_yes_rows(rows, nrows, pr_col) > 0;
	struct cme_child *cur = rd->cur;

	rd->cur = NULL;
	for (size_t j = 1; j < nrows; j++) {
		const struct row *row = &rows[j];

		rd->where.row = (long)j + 1;    /* provenance */
		if (pr_decides && !(pr_col - 1 < row->n && row->len[pr_col - 1] &&
		    answers_value(row->cell[pr_col - 1], row->len[pr_col - 1]) ==
		    VOCAB_ANSWER_YES)) {
			fields_problem(rd, "an adult of the household without parental "
			               "responsibility was not listed as a parent", 1);
			continue;
		}
		read_parent_unless_elsewhere(rd, row, cols);
	}
	rd->cur = cur;
}

/* A table whose first row asks ("CP Plan | CIN | LAC | S47 | SEN") and
 * whose rows below answer cell under cell ("Yes - current | No | No |
 * No | SEN support"): no cell of the first row is an answer, and two
 * cells or more of the second are.  Read as a line, the question row
 * would take the row below as the answer to every question on it. */
static int question_row_table(const struct row *rows, size_t nrows)
{
	size_t answered = 0;

	if (nrows < 2 || rows[0].n < 2 || rows[1].n != rows[0].n)
		return 0;
	for (size_t k = 0; k < rows[0].n; k++)
		if (rows[0].len[k] == 0 || answers_value(rows[0].cell[k], rows[0].len[k]) != 0)
			return 0;
	for (size_t k = 0; k < rows[1].n; k++)
		if (rows[1].len[k] && answers_value(rows[1].cell[k], rows[1].len[k]) != 0)
			answered++;
	return answered >= 2;
}

/* Each answer with its column's question: "CP Plan: Yes - current". */
static void read_question_rows(struct reader *rd, const struct row *rows, size_t nrows)
{
	for (size_t j = 1; j < nrows; j++)
		for (size_t k = 0; k < rows[j].n && k < rows[0].n; k++) {
			if (rows[j].len[k] == 0)
				continue;
			rd->where.row = (long)j + 1;    /* provenance: the answer cell */
			rd->where.col = (long)k + 1;
			read_value_line(rd, rows[0].cell[k], rows[0].len[k],
			                rows[j].cell[k], rows[j].len[k]);
		}
}

/* Consecutive TAB-separated lines from an HTML table. */
/* The column of a header row headed "Age" (VW_AGE_HEADING, the whole
 * heading), + 1; 0 when there is none. */
static size_t age_column(const struct row *head)
{
	size_t n;
	const char *const *w = vocab_words(VW_AGE_HEADING, &n);

	for (size_t k = 0; k < head->n; k++)
		for (size_t i = 0; i < n; i++)
			if (strlen(w[i]) == head->len[k] &&
			    strncasecmp(head->cell[k], w[i], head->len[k]) == 0)
				return k + 1;
	return 0;
}

#define YOUNGEST_AGE 4   /* a Reception child may be 4 */
#define OLDEST_AGE 17    /* a Year 13 student may be 17 */

/* A household row whose Age cell ("2", "18 months", "34") puts the
 * person below school age or above it: they live with the children
 * but are not referred (SPEC 4: a household list is not a list of
 * referrals).  A cell with no number says nothing. */
static int outside_school_age(const struct row *row, size_t age)
{
	const char *c;
	size_t cl, i = 0;
	long years = 0;

	if (age == 0 || age > row->n)
		return 0;
	c = row->cell[age - 1];
	cl = row->len[age - 1];
	if (cl == 0 || !isdigit((unsigned char)c[0]))
		return 0;
	for (; i < cl && i < 3 && isdigit((unsigned char)c[i]); i++)
		years = years * 10 + (c[i] - '0');
	while (i < cl && c[i] == ' ')
		i++;
	if (cl - i >= 5 && strncasecmp(c + i, "month", 5) == 0)
		years = 0;      /* "18 months" */
	return years < YOUNGEST_AGE || years > OLDEST_AGE;
}

void tables_read_table(struct reader *rd, const char *s, size_t len)
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
		int starred = rows_starred(rows, nrows);
		size_t age = age_column(&rows[0]);

		for (size_t j = 1; j < nrows; j++) {
			rd->where.row = (long)j + 1;    /* provenance */
			if (starred && !row_starred(&rows[j]))
				continue;
			if (!outside_school_age(&rows[j], age))
				read_record(rd, &rows[0], &rows[j], cols);
			else if (parent_row(rd, &rows[j], cols))
				/* the household's adult: "Simone Grant | 32 |
				 * Applicant" is the parent, "Ava | 2 | Daughter"
				 * nobody's */
				read_parent_unless_elsewhere(rd, &rows[j], cols);
		}
	} else if (parent_header(&rows[0], cols)) {
		read_parent_table(rd, rows, nrows, cols);
	} else if (question_row_table(rows, nrows)) {
		read_question_rows(rd, rows, nrows);
	} else {
		/* Several label rows with 3+ cells: children in columns. */
		size_t labelled_wide = 0;

		for (size_t j = 0; j < nrows; j++)
			if (rows[j].n >= 3 && vocab_label(rows[j].cell[0], rows[j].len[0]) >= F_FORENAME &&
			    vocab_label(rows[j].cell[0], rows[j].len[0]) <= F_REASON &&
			    !is_pair_row(&rows[j]))
				labelled_wide++;
		if (labelled_wide >= 2 && read_label_columns(rd, rows, nrows)) {
			free(rows);
			rd->where.row = rd->where.col = 0;
			return;
		}
		read_label_rows(rd, rows, nrows);
	}
	free(rows);
	rd->where.row = rd->where.col = 0;
}

static void keep_char(struct reader *rd, struct strbuf *sb, int c)
{
	char ch = (char)c;

	fields_keep(rd, sb, &ch, 1);
}

#define CSV_HEADER_ROWS 10   /* rows searched for the header row */

/* The separator of a delimited export: the commonest of ',', ';' and
 * TAB on its first line outside quotes (';' is what a European Excel
 * writes, TAB a "Unicode text" save); ',' when none. */
static char csv_separator(const char *s, size_t len)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;

	for (size_t i = 0; i < len && i < 64 * 1024; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (s[i] == '\n' && comma + semi + tab > 0)
			break;
		else if (s[i] == ',')
			comma++;
		else if (s[i] == ';')
			semi++;
		else if (s[i] == '\t')
			tab++;
	}
	if (tab > comma && tab >= semi)
		return '\t';
	if (semi > comma)
		return ';';
	return ',';
}

/* One finished CSV row: a header row (searched for in the first rows,
 * below any title lines an export puts on top), or a child's record.
 * Returns 0 to stop reading (no header in the first rows). */
static int csv_row(struct reader *rd, struct strbuf *field, size_t nf, size_t rowno,
                   int *have_header, enum field cols[MAX_CELLS],
                   struct strbuf *headbuf, struct row *head)
{
	struct row row;

	row.n = nf + 1;
	for (size_t k = 0; k < row.n; k++) {
		row.cell[k] = strbuf_str(&field[k]);
		row.len[k] = field[k].len;
		row.star[k] = 0;        /* a spreadsheet's '*' is data */
		fields_trim(&row.cell[k], &row.len[k]);
	}
	if (*have_header) {
		rd->where.row = (long)rowno + 1;        /* provenance */
		read_record(rd, head, &row, cols);
	} else if ((*have_header = header_columns(&row, cols)) != 0) {
		/* the headings outlive this row's cells: copy them */
		for (size_t k = 0; k < row.n; k++) {
			fields_keep(rd, headbuf, row.cell[k], row.len[k]);
			fields_keep_str(rd, headbuf, "\x1f");
		}
		split_row(strbuf_str(headbuf), headbuf->len, '\x1f', head);
	}
	for (size_t k = 0; k <= nf; k++)
		strbuf_reset(&field[k]);
	return *have_header || rowno + 1 < CSV_HEADER_ROWS;
}

/* RFC 4180 CSV with the usual liberties (CRLF or LF, quoted fields with
 * doubled quotes, embedded newlines; ',', ';' or TAB separated).  The
 * header row is the first that names child fields. */
void tables_read_csv(struct reader *rd, const char *s, size_t len)
{
	enum field cols[MAX_CELLS];
	struct strbuf field[MAX_CELLS], headbuf;
	struct row head;
	size_t nf = 0, i = 0, rowno = 0;
	int have_header = 0, quoted = 0;
	char sep = csv_separator(s, len);

	for (size_t k = 0; k < MAX_CELLS; k++)
		strbuf_init(&field[k], 4096);
	strbuf_init(&headbuf, MAX_CELLS * 4096);
	head.n = 0;
	while (i <= len) {
		int c = i < len ? (unsigned char)s[i] : -1;

		if (quoted) {
			if (c == '"' && i + 1 < len && s[i + 1] == '"') {
				keep_char(rd, &field[nf], '"');
				i += 2;
				continue;
			}
			if (c == '"')
				quoted = 0;
			else if (c >= 0)
				keep_char(rd, &field[nf], c);
			else
				quoted = 0;     /* unterminated quote at end */
			i++;
			continue;
		}
		if (c == '"' && field[nf].len == 0) {
			quoted = 1;
		} else if (c == sep) {
			if (nf + 1 < MAX_CELLS)
				nf++;
		} else if (c == '\n' || c == -1) {
			if (!csv_row(rd, field, nf, rowno++, &have_header, cols,
			             &headbuf, &head) || c == -1)
				break;
			nf = 0;
		} else if (c != '\r') {
			keep_char(rd, &field[nf], c);
		}
		i++;
	}
	for (size_t k = 0; k < MAX_CELLS; k++)
		strbuf_free(&field[k]);
	strbuf_free(&headbuf);
	rd->where.row = rd->where.col = 0;
	if (!have_header)
		fields_problem(rd, "a spreadsheet attachment had no recognisable "
		               "column headings", 1);
}

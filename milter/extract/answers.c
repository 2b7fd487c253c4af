/*
 * answers.c - a safeguarding flag is set by what the message *answers*,
 * not by the question a form asks.  See extract_int.h.
 *
 * Owns: nothing at run time.  Which words are answers, tick boxes,
 * ended states and flag phrases is vocab's business (vocab.h); this
 * file is the reading:
 *
 *   - a flag phrase followed on its line by an answer ("Child protection
 *     plan: No", "Looked after?  Yes [ ] No [x]", a table row "LAC<TAB>
 *     ~~Yes~~ / No") is answered by it;
 *   - a question or label with no answer on its line ("Is the child
 *     known to social care?") is answered by the next line when that
 *     line starts with an answer, else it is only asked and sets nothing;
 *   - a question a PDF paste wrapped onto the next line or two ("Is
 *     there a risk of forced marriage, child sexual exploitation,\n
 *     domestic abuse?\nNo") is answered after its '?' (wrapped_question);
 *   - a tick box right after an option word ("No ☐   Social Worker:")
 *     marks that option, never the phrase after it; a social worker's
 *     label followed by a person's name is a Yes;
 *   - a phrase broken across two lines by a hard wrap ("an allocated
 *     social\nworker") is read as if the break were a space;
 *   - a label's row of cells, one per child column ("CP plan<TAB>No<TAB>
 *     Yes"), is Yes if any child's cell is (row_cells);
 *   - a printed prompt "Y/N" or "Yes/No" followed by an answer ("Child
 *     Protection Plan? Y/N  Y") is answered by what follows it;
 *   - a label that is its whole line is answered No by a value that says
 *     nothing on the next line ("FGM\n\nNo concerns");
 *   - a question answered "Yes / No" with neither marked is only asked;
 *   - a Yes whose explanation puts it in the past ("Previous CP plan?
 *     Y - ended 2022", "Yes, closed March 2024") is a No (answer_ended);
 *   - a phrase of words.vocab's answered_only ("CP") counts only when
 *     answered on its line, never as a sentence;
 *   - a phrase with no answer after it is a sentence: it counts unless
 *     negated ("not known to social care"), also as an item of a negated
 *     list ("no concerns about CSE, radicalisation or FGM", "neither
 *     child is known to social care or looked after"), also by a wide
 *     negator up to eight words back in its clause ("not known to be at
 *     risk of FGM", "nothing to suggest forced marriage"), or ended ("the
 *     plan ended in 2024", "previously looked after");
 *   - a phrase in a clause that opens with a condition or guidance ("If
 *     the child is looked after, inform the Virtual School", "Please
 *     state whether ...") states nothing;
 *   - a looked-after child "absent from her residential placement" is
 *     missing from care: missing-from-home;
 *   - a SEN status or provision label answered by the DfE code ("SEN
 *     Status<TAB>K - SEN Support", "SEN provision: E") sets sen for K
 *     and ehcp for E (scan_sen_codes; the codes are words.vocab's).
 *
 * Tick boxes: the glyph nearest an option word marks it; whether glyphs
 * come before or after their words is read from the first token of the
 * answer ("[x] Yes [ ] No" versus "Yes [ ] No [x]").  Struck text reaches
 * this stage as "~~text~~" (the message stage marks HTML <s>, <del>,
 * <strike> and DOCX w:strike that way): a struck option is not the
 * answer.  Both "Yes" and "No" ticked is read as Yes: a missed immediate
 * escalation is as bad as a false one, and the officer sees the form.
 *
 * Everything is bounded: an answer is read from at most ANSWER_SPAN bytes
 * and ANSWER_TOKENS tokens.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define ANSWER_SPAN   160     /* bytes of an answer region read */
#define ANSWER_TOKENS 16
#define NEXT_LINE_MAX 120     /* a longer next line is not an answer */

enum tok_kind { T_WORD, T_GLYPH };

struct token {
	enum tok_kind kind;
	int value;              /* VOCAB_ANSWER_* or VOCAB_GLYPH_* */
	int struck;             /* T_WORD inside ~~ ~~ */
	int ticked;             /* T_WORD: -1 no glyph, 0 empty, 1 ticked */
	size_t from, to;        /* where it stands in the text read */
};

static int is_sep(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '/' || c == ',' || c == '|' ||
	       c == '-' || c == ':' || c == '?' || c == '.' || c == ';' ||
	       c == '=' || c == '\r';
}

/* 1 if s[from .. to) holds a separator that ends a question or label:
 * a colon, question mark, tab, pipe, dash, "=" or two spaces.  A comma
 * or one space does not ("looked after child, no school place"). */
static int strong_sep(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if ((s[i] != '\0' && strchr(":?\t|-=", s[i])) || (unsigned char)s[i] == 0xE2 ||
		    (s[i] == ' ' && i + 1 < to && s[i + 1] == ' '))
			return 1;
	return 0;
}

/* Skip separators, and an en or em dash. */
static size_t skip_seps(const char *s, size_t len, size_t i)
{
	for (;;) {
		if (i < len && is_sep((unsigned char)s[i]))
			i++;
		else if (i + 2 < len && (unsigned char)s[i] == 0xE2 &&
		         (unsigned char)s[i + 1] == 0x80 &&
		         ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94))
			i += 3;
		else
			return i;
	}
}

/* Tokens at the start of s: answer words, tick glyphs, struck words.
 * Reading stops at the first word that is none of these.  Returns the
 * count; *end is where reading stopped. */
static size_t tokenize(const char *s, size_t len, struct token *tk, size_t *end)
{
	size_t n = 0, i = 0, used;
	int v;

	if (len > ANSWER_SPAN)
		len = ANSWER_SPAN;
	while (n < ANSWER_TOKENS) {
		i = skip_seps(s, len, i);
		if (i + 1 < len && s[i] == '~' && s[i + 1] == '~') {
			const char *close = NULL;

			for (size_t k = i + 2; k + 1 < len; k++)
				if (s[k] == '~' && s[k + 1] == '~') {
					close = s + k;
					break;
				}
			if (close == NULL)
				break;
			/* the first answer word inside the struck span */
			size_t cl = (size_t)(close - s), j = skip_seps(s, cl, i + 2);

			if (j < cl && (v = vocab_answer_word(s + j, cl - j, &used)) != 0)
				tk[n++] = (struct token){ T_WORD, v, 1, -1, i, cl + 2 };
			i = cl + 2;     /* struck text that is no answer is skipped */
			continue;
		}
		if (i >= len)
			break;
		if ((v = vocab_answer_glyph(s + i, len - i, &used)) != 0) {
			tk[n++] = (struct token){ T_GLYPH, v, 0, -1, i, i + used };
			i += used;
			continue;
		}
		if ((v = vocab_answer_word(s + i, len - i, &used)) != 0) {
			tk[n++] = (struct token){ T_WORD, v, 0, -1, i, i + used };
			i += used;
			continue;
		}
		break;
	}
	*end = i;
	return n;
}

/* What the tokens answer: VOCAB_ANSWER_YES/NO, ANSWER_ASKED when the
 * options are offered but none chosen, 0 when there are none. */
#define ANSWER_ASKED 3

static int verdict(struct token *tk, size_t n)
{
	int glyph_first, words = 0, glyphs = 0, ticked = 0, unstruck = 0;
	int last_glyph = 0;

	if (n == 0)
		return 0;
	glyph_first = tk[0].kind == T_GLYPH;
	for (size_t i = 0; i < n; i++) {
		if (tk[i].kind != T_GLYPH) {
			words++;
			continue;
		}
		glyphs++;
		last_glyph = tk[i].value;
		/* the glyph marks the option word on its side */
		size_t w = glyph_first ? i + 1 : i - 1;

		if ((glyph_first && i + 1 < n) || (!glyph_first && i > 0))
			if (tk[w].kind == T_WORD)
				tk[w].ticked = tk[i].value == VOCAB_GLYPH_TICKED;
	}
	if (words == 0)         /* "Looked after child [x]" */
		return glyphs == 1 ? (last_glyph == VOCAB_GLYPH_TICKED ?
		                      VOCAB_ANSWER_YES : VOCAB_ANSWER_NO) : ANSWER_ASKED;
	for (size_t i = 0; i < n; i++)
		if (tk[i].kind == T_WORD && tk[i].ticked == 1)
			ticked |= tk[i].value;
	if (ticked)
		return (ticked & VOCAB_ANSWER_YES) ? VOCAB_ANSWER_YES : VOCAB_ANSWER_NO;
	if (glyphs > 0)
		return ANSWER_ASKED;    /* boxes offered, none ticked */
	for (size_t i = 0; i < n; i++)
		if (tk[i].kind == T_WORD && !tk[i].struck)
			unstruck |= tk[i].value;
	if (unstruck == VOCAB_ANSWER_YES || unstruck == VOCAB_ANSWER_NO)
		return unstruck;
	return ANSWER_ASKED;    /* "Yes / No", or everything struck */
}

/* 1 if text[ls .. pos) holds nothing but spaces and bullets. */
static int blank_before(const char *text, size_t ls, size_t pos)
{
	for (size_t i = ls; i < pos; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '-' && text[i] != '*')
			return 0;
	return 1;
}

/* 1 if the first two tokens are the options printed as a prompt, "Y/N"
 * or "Yes/No": plain words, Yes then No, joined by a slash alone. */
static int yes_no_prompt(const char *s, const struct token *tk)
{
	size_t slash = 0;

	if (tk[0].kind != T_WORD || tk[1].kind != T_WORD || tk[0].struck || tk[1].struck ||
	    tk[0].value != VOCAB_ANSWER_YES || tk[1].value != VOCAB_ANSWER_NO)
		return 0;
	for (size_t i = tk[0].to; i < tk[1].from; i++) {
		if (s[i] == '/')
			slash++;
		else if (s[i] != ' ')
			return 0;
	}
	return slash == 1;
}

/* The verdict of tokens that may open with the printed options: "Y/N
 * Y" is answered by what follows them. */
static int prompted_verdict(const char *s, struct token *tk, size_t n)
{
	if (n > 2 && yes_no_prompt(s, tk))
		return verdict(tk + 2, n - 2);
	return verdict(tk, n);
}

/* The answer at the start of s; `whole`: only if the answer is all the
 * text ("No" on a line of its own, not "No other concerns"). */
static int answer_at(const char *s, size_t len, int whole)
{
	struct token tk[ANSWER_TOKENS];
	size_t end, n = tokenize(s, len, tk, &end);

	if (n == 0)
		return 0;
	if (whole && skip_seps(s, len, end) < len)
		return 0;
	return prompted_verdict(s, tk, n);
}

/* The answer at the start of s when the answer ends its cell: the
 * line ends, or a strong separator follows ("Yes – K", "No | Looked
 * after").  A table's cells joined by one space ("SEN support Yes – K")
 * are read so; "looked after no doubt" is not an answer.  0 if not. */
static int answer_then_break(const char *s, size_t len)
{
	struct token tk[ANSWER_TOKENS];
	size_t end, b, n = tokenize(s, len, tk, &end);

	if (n == 0)
		return 0;
	if (skip_seps(s, len, end) < len) {
		for (b = end; b > 0 && (is_sep((unsigned char)s[b - 1]) ||
		                        (unsigned char)s[b - 1] >= 0x80); b--)
			;
		if (!strong_sep(s, b, end))
			return 0;
	}
	return prompted_verdict(s, tk, n);      /* "Young carer Y / N  Y" */
}

/* The first non-blank line after the line ending at `eol`. */
static const char *next_line(const char *text, size_t len, size_t eol, size_t *nl)
{
	size_t i = eol;

	while (i < len && (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' ||
	                   text[i] == '\t'))
		i++;
	if (i >= len)
		return NULL;
	const char *e = memchr(text + i, '\n', len - i);

	*nl = e ? (size_t)(e - (text + i)) : len - i;
	return text + i;
}

static int is_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       c == '\'' || c == '-';
}

/* 1 if the '.' at text[e] (from <= e < len) ends a sentence: a full
 * stop before a space or the line's end, not one kept after a comma
 * (the reader ends each kept value with ".": "exploitation,."). */
static int sentence_end(const char *text, size_t len, size_t from, size_t e)
{
	if (text[e] != '.' || (e + 1 < len && text[e + 1] != ' ' && text[e + 1] != '\n'))
		return 0;
	return e == from || !strchr(",;:?", text[e - 1]);
}

#define QUESTION_LINES 2      /* lines a pasted question may wrap onto */

/* A question wrapped by a PDF paste: "Is there a risk of forced marriage,
 * child sexual exploitation,\ndomestic abuse?\nNo".  From the end of the
 * phrase's line (`le`), the following lines with no blank line between
 * continue the question until one ends it with '?' or a closing ':'; the
 * answer is after it on that line or alone on the next.  0 if no
 * question ends within QUESTION_LINES lines, a sentence ends first, or
 * nothing answers it (then the phrase is read as a sentence); `from`:
 * where the phrase ends on its line. */
static int wrapped_question(const char *text, size_t len, size_t from, size_t le)
{
	size_t ls = le, e, nl;
	const char *nx;

	for (e = from; e < le; e++)     /* the phrase's line ends a sentence */
		if (sentence_end(text, le, from, e))
			return 0;
	for (int k = 0; k < QUESTION_LINES; k++) {
		if (ls >= len || text[ls] != '\n' || ls + 1 >= len || text[ls + 1] == '\n')
			return 0;
		ls++;
		for (e = ls; e < len && text[e] != '\n'; e++) {
			if (sentence_end(text, len, ls, e))
				return 0;       /* a sentence, not a question */
			if (text[e] == '?')
				break;
			if (text[e] == ':') {   /* a closing colon: nothing after it */
				size_t j = skip_seps(text, len, e);

				if (j >= len || text[j] == '\n')
					break;
			}
		}
		if (e - ls > ANSWER_SPAN)
			return 0;
		if (e < len && text[e] != '\n') {
			size_t eol = e, j = skip_seps(text, len, e + 1);
			int a;

			while (eol < len && text[eol] != '\n')
				eol++;
			if (j < eol)
				return answer_at(text + j, eol - j, 0);
			nx = next_line(text, len, eol, &nl);
			return nx && nl <= NEXT_LINE_MAX && (a = answer_at(nx, nl, 1)) != 0 ? a : 0;
		}
		ls = e;
	}
	return 0;
}

/* 1 if v (a label's value) starts with a person's name: two words with
 * capitals ("Anna Berg", "J. Smith").  A social worker's label answered
 * by a name means the child has one. */
static int names_person(const char *v, size_t vl)
{
	size_t i = 0;
	int words = 0;

	while (words < 2 && i < vl && v[i] >= 'A' && v[i] <= 'Z') {
		while (i < vl && (is_word_byte((unsigned char)v[i]) || v[i] == '.'))
			i++;
		words++;
		while (i < vl && v[i] == ' ')
			i++;
	}
	return words == 2;
}

/* 1 if the line text[ls .. le) has its tick boxes after their items:
 * it ends with a box and does not start with one. */
static int glyphs_trail(const char *text, size_t ls, size_t le)
{
	size_t s = ls, e = le, used;

	while (s < e && (text[s] == ' ' || text[s] == '\t'))
		s++;
	while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r' ||
	                 text[e - 1] == '.'))
		e--;
	if (s == e || vocab_answer_glyph(text + s, e - s, &used))
		return 0;
	for (size_t b = e > s + 8 ? e - 8 : s; b < e; b++)
		if (vocab_answer_glyph(text + b, e - b, &used) && b + used == e)
			return 1;
	return 0;
}

/* 1 if an answer word stands just before the glyph at text[g] (ls: the
 * line's start): "Yes ☒ / No ☐   Social Worker: ..." -- the glyph marks
 * that option, not the phrase after it. */
static int option_before(const char *text, size_t ls, size_t g)
{
	size_t e = g, b, used;

	while (e > ls && (text[e - 1] == ' ' || text[e - 1] == '\t'))
		e--;
	for (b = e; b > ls && is_word_byte((unsigned char)text[b - 1]); b--)
		;
	return b < e && vocab_answer_word(text + b, e - b, &used) != 0 && used == e - b;
}

#define ROW_CELLS 16          /* cells of a row read as answers */

/* A label's row of cells, one per child column ("CP plan<TAB>No<TAB>Yes",
 * "| CP plan | Yes | No |" after layout.c): the cells from `from` (the
 * label's end) to the line's end `le` that are answers.  Any Yes is Yes
 * (a flag is the message's: one child on a plan is enough), else any No
 * is No.  Reading stops at a cell that is no answer (the next label of
 * a label|value|label|value row).  0 unless the label is followed by a
 * TAB and at least two answer cells. */
static int row_cells(const char *text, size_t from, size_t le)
{
	size_t i = from, cells = 0;
	int any = 0;

	while (i < le && (text[i] == ' ' || text[i] == ':' || text[i] == '?'))
		i++;
	if (i >= le || text[i] != '\t')
		return 0;
	while (i < le && text[i] == '\t' && cells < ROW_CELLS) {
		size_t cs = i + 1, ce = cs;
		int a;

		while (ce < le && text[ce] != '\t')
			ce++;
		a = answer_at(text + cs, ce - cs, 0);
		if (a != VOCAB_ANSWER_YES && a != VOCAB_ANSWER_NO)
			break;
		any |= a;
		cells++;
		i = ce;
	}
	if (cells < 2)
		return 0;
	return (any & VOCAB_ANSWER_YES) ? VOCAB_ANSWER_YES : VOCAB_ANSWER_NO;
}

/* How the occurrence of flag f's phrase at text[pos .. pos+pl) is
 * answered.  Returns VOCAB_ANSWER_YES/NO, ANSWER_ASKED, or 0 for a
 * sentence. */
static int answered(const char *text, size_t len, size_t f, size_t pos, size_t pl)
{
	size_t ls = pos, le = pos + pl, i, nl;
	const char *nx;
	int a;

	while (ls > 0 && text[ls - 1] != '\n')
		ls--;
	while (le < len && text[le] != '\n')
		le++;
	/* "[x] Looked after child": a tick box just before the phrase,
	 * unless the line's boxes follow their items ("Child in Need ☒
	 * Looked After ☐": the ☒ is Child in Need's) */
	for (i = glyphs_trail(text, ls, le) ? pos : ls; i < pos; ) {
		size_t used;
		int g = vocab_answer_glyph(text + i, pos - i, &used);

		if (g && skip_seps(text, pos, i + used) == pos && !option_before(text, ls, i))
			return g == VOCAB_GLYPH_TICKED ? VOCAB_ANSWER_YES : VOCAB_ANSWER_NO;
		i += g ? used : 1;
	}
	/* a row of cells, one a child: "CP plan<TAB>No<TAB>Yes" */
	if ((a = row_cells(text, pos + pl, le)) != 0)
		return a;
	/* an answer right after the phrase, past a separator */
	i = pos + pl;
	{
		size_t j = skip_seps(text, le, i);

		if (strong_sep(text, i, j) || (j < le && text[j] == '~') ||
		    (j < le && vocab_answer_glyph(text + j, le - j, &nl))) {
			a = answer_at(text + j, le - j, 0);
			if (a)
				return a;
			/* "Social Worker: Anna Berg" (a label further along a
			 * line that a question began) */
			if ((int)f == vocab_flag_index("social-worker") &&
			    memchr(text + i, ':', j - i) && names_person(text + j, le - j) &&
			    !vocab_is_negative_answer(text + j, le - j) &&
			    !fields_memstr_any(text + j, le - j, VW_NOT_KNOWN))
				return VOCAB_ANSWER_YES;
		} else if (j > i && j - i <= 2 && text[i] == ' ' &&
		           (a = answer_then_break(text + j, le - j)) != 0) {
			return a;       /* "SEN support Yes – K", "Looked after No" */
		}
	}
	/* past the end of the question: "Known to social care/subject to a
	 * plan?  No" */
	for (i = pos + pl; i < le; i++) {
		if (text[i] == '.' && i + 1 < le && text[i + 1] == ' ')
			return 0;       /* a sentence ended first */
		if (text[i] == '?' || text[i] == ':' || text[i] == '\t' || text[i] == '|')
			break;
	}
	if (i < le) {
		size_t j = skip_seps(text, le, i);

		if (j < le) {
			a = answer_at(text + j, le - j, 0);
			if (a == 0 && vocab_is_negative_answer(text + j, le - j))
				return VOCAB_ANSWER_NO;  /* "Risk of harm: Low" */
			return a ? a : (text[i] == '?' ? ANSWER_ASKED : 0);
		}
		/* a question or label ending its line: the answer is below */
		nx = next_line(text, len, le, &nl);
		if (nx && nl <= NEXT_LINE_MAX && (a = answer_at(nx, nl, 0)) != 0)
			return a;
		return ANSWER_ASKED;
	}
	if ((a = wrapped_question(text, len, pos + pl, le)) != 0)
		return a;
	/* a label without a colon, its answer alone on the next line; a
	 * label that is its whole line is answered "nothing" by a value
	 * that says so ("FGM\n\nNo concerns"), while "Young carer\nNo school
	 * place" stays an item and a sentence */
	nx = next_line(text, len, le, &nl);
	if (nx && nl <= NEXT_LINE_MAX && (a = answer_at(nx, nl, 1)) != 0)
		return a;
	if (nx && skip_seps(text, le, pos + pl) == le && blank_before(text, ls, pos) &&
	    vocab_is_negative_answer(nx, nl))
		return VOCAB_ANSWER_NO;
	return 0;
}

static int clause_joiner(const char *w, size_t wl);

/* 1 if text[i ..) is a joining word followed by an indefinite article
 * ("and a missing person report", "but an assessment"): the joined
 * clause is about something new, and its state is not the phrase's. */
static int joins_new_subject(const char *text, size_t len, size_t i)
{
	size_t we = i, as, ae;

	if (i > 0 && is_word_byte((unsigned char)text[i - 1]))
		return 0;
	while (we < len && is_word_byte((unsigned char)text[we]))
		we++;
	if (we == i || !clause_joiner(text + i, we - i))
		return 0;
	for (as = we; as < len && text[as] == ' '; as++)
		;
	for (ae = as; ae < len && is_word_byte((unsigned char)text[ae]); ae++)
		;
	return as > we && ae < len && text[ae] == ' ' &&
	       ((ae - as == 1 && (text[as] == 'a' || text[as] == 'A')) ||
	        (ae - as == 2 && strncasecmp(text + as, "an", 2) == 0));
}

#define CLAUSE_REACH 200      /* bytes either side of a phrase in its clause */

/* 1 if the clause holding text[pos .. pos+pl) puts it in the past (or
 * not yet in place).  The clause ends at punctuation, and at a joining
 * word that brings in something new ("Her social worker has been
 * informed and a missing person report is being considered": the
 * report is being considered, not the social worker).  A bracket that
 * opens with a form_guidance word is the form's guidance to whoever
 * fills it in, not the state of things, and is not read: "Is the child
 * subject to a CP plan (if ended, give date)? Yes" is a current plan;
 * "Previous CP plan? Yes" and "CP plan (ended 2022)" are not. */
static int ended_at(const char *text, size_t len, size_t pos, size_t pl)
{
	size_t s = pos, e = pos + pl, n = 0;
	char clause[2 * CLAUSE_REACH + 256];
	int depth = 0;

	while (s > 0 && pos - s < CLAUSE_REACH && !strchr(".!?;\n\t|", text[s - 1]) &&
	       !joins_new_subject(text, pos, s))
		s--;
	while (e < len && e - pos < CLAUSE_REACH && !strchr(".!?;\n\t|", text[e]) &&
	       !joins_new_subject(text, len, e))
		e++;
	for (size_t i = s; i < e && n < sizeof clause; i++) {
		size_t g = i + 1, wl = 0;

		while (g < e && text[g] == ' ')
			g++;
		if (depth == 0 && text[i] == '(' &&
		    vocab_words_prefix(VW_FORM_GUIDANCE, text + g, e - g, &wl) &&
		    (g + wl == e || !is_word_byte((unsigned char)text[g + wl])))
			depth = 1;                  /* the guidance, to its ')' */
		else if (depth > 0 && text[i] == '(')
			depth++;
		else if (depth > 0 && text[i] == ')')
			depth--;
		else if (depth == 0)
			clause[n++] = text[i];
	}
	return vocab_ended(clause, n);
}

/* 1 if a longer phrase of flag f covers text[pos .. pos+pl): "Looked
 * After Child [ ]" is answered once, by its longest phrase, and its
 * "looked after" is not read again as a sentence. */
static int covered_by_longer(const char *text, size_t len, size_t f,
                             size_t pos, size_t pl)
{
	const char *ph;

	for (size_t k = 0; (ph = vocab_flag_phrase(f, k)) != NULL; k++) {
		size_t ql = strlen(ph), from;
		long at;

		if (ql <= pl)
			continue;
		from = pos + pl > ql ? pos + pl - ql : 0;
		at = vocab_flag_phrase_find(text, len, ph, from);
		if (at >= 0 && (size_t)at <= pos && (size_t)at + ql >= pos + pl)
			return 1;
	}
	return 0;
}

/* ---- Negation carried along a list ------------------------------ */

#define LIST_ITEMS      8     /* items walked back along a list */
#define LIST_ITEM_WORDS 3     /* words in one item before its phrase */

static int list_stop_word(const char *w, size_t wl)
{
	size_t n;
	const char *const *stop = vocab_words(VW_LIST_STOP, &n);

	for (size_t i = 0; i < n; i++)
		if (vocab_phrase_find(w, wl, stop[i], 0) == 0)
			return 1;
	return 0;
}

/* 1 if w is a list's joining word: "or", "nor". */
static int list_joiner(const char *w, size_t wl)
{
	return (wl == 2 && strncasecmp(w, "or", 2) == 0) ||
	       (wl == 3 && strncasecmp(w, "nor", 3) == 0);
}

/* 1 if the phrase ending at text[end] ends a list item: at most two
 * words, none starting a clause, before the next comma, "or", "and",
 * or the clause's end ("CP plan in place since June" is no item). */
static int item_ends_after(const char *text, size_t len, size_t end)
{
	size_t i = end, words = 0;

	while (i < len && words <= 2) {
		size_t ws;

		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= len || strchr(",.;:!?\n()", text[i]))
			return 1;
		ws = i;
		while (i < len && is_word_byte((unsigned char)text[i]))
			i++;
		if (i == ws)
			return 1;
		if (list_joiner(text + ws, i - ws) ||
		    (i - ws == 3 && strncasecmp(text + ws, "and", 3) == 0))
			return 1;
		if (list_stop_word(text + ws, i - ws))
			return 0;
		words++;
	}
	return 0;
}

/* Where the previous item of a list ends, walking back from pos over
 * at most LIST_ITEM_WORDS plain words to a comma or "or"/"nor": the
 * start of the word before it, or -1 if pos is not in a list. */
static long previous_item(const char *text, size_t pos)
{
	size_t i = pos;

	for (int words = 0; words <= LIST_ITEM_WORDS; words++) {
		size_t we;

		while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n'))
			i--;
		if (i > 0 && text[i - 1] == ',') {
			i--;
			while (i > 0 && text[i - 1] == ' ')
				i--;
		} else {
			we = i;
			while (i > 0 && is_word_byte((unsigned char)text[i - 1]))
				i--;
			if (i == we)
				return -1;
			if (!list_joiner(text + i, we - i)) {
				if (list_stop_word(text + i, we - i))
					return -1;
				continue;
			}
			while (i > 0 && text[i - 1] == ' ')
				i--;
			if (i > 0 && text[i - 1] == ',')
				i--;
		}
		/* the start of the word before the separator */
		while (i > 0 && is_word_byte((unsigned char)text[i - 1]))
			i--;
		return (long)i;
	}
	return -1;
}

/* 1 if at() holds for text[pos..pos+pl), itself or as an item of a list
 * it holds for: negated ("no concerns about exploitation, radicalisation
 * or FGM", "neither child is known to social care or looked after"), or
 * in a condition ("if there are concerns about exploitation, trafficking
 * or FGM"). */
static int holds_in_list(const char *text, size_t len, size_t pos, size_t pl,
                         int (*at)(const char *, size_t))
{
	long p = (long)pos;

	if (at(text, pos))
		return 1;
	if (!item_ends_after(text, len, pos + pl))
		return 0;
	for (int k = 0; k < LIST_ITEMS; k++) {
		if ((p = previous_item(text, (size_t)p)) < 0)
			return 0;
		if (at(text, (size_t)p))
			return 1;
	}
	return 0;
}

#define CLAUSE_BACK 200       /* bytes walked back to a clause's start */

/* Words in text[from .. to). */
static size_t words_between(const char *text, size_t from, size_t to)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		if (is_word_byte((unsigned char)text[i]) &&
		    (i == from || !is_word_byte((unsigned char)text[i - 1])))
			n++;
	return n;
}

#define WIDE_WORDS 8          /* words a wide negator reaches over */

/* 1 if w[0 .. wl) is a word that opens a new clause: "and", "but"... */
static int clause_joiner(const char *w, size_t wl)
{
	static const char *const join[] = { "and", "but", "however", "although",
	                                    "though", "whereas", "yet", "while" };

	for (size_t i = 0; i < sizeof join / sizeof join[0]; i++)
		if (strlen(join[i]) == wl && strncasecmp(w, join[i], wl) == 0)
			return 1;
	return 0;
}

/* 1 if a wide negator (words.vocab wide_negator) starts at most
 * WIDE_WORDS words before text[pos] in its clause: "not known to be at
 * risk of FGM", "nothing to suggest forced marriage".  The clause ends
 * at punctuation, a blank line or a joining word ("no evidence she
 * attends a school and police believe she is being exploited"). */
static int wide_negated_at(const char *text, size_t pos)
{
	size_t s = pos, n, words = 0;
	const char *const *neg = vocab_words(VW_WIDE_NEGATOR, &n);

	while (s > 0 && pos - s < CLAUSE_BACK && words < WIDE_WORDS + 4) {
		size_t we;

		while (s > 0 && !vocab_row_break(text, s) &&
		       (text[s - 1] == ' ' ||
		        (text[s - 1] == '\n' && !(s >= 2 && text[s - 2] == '\n'))))
			s--;
		if (vocab_row_break(text, s))
			break;
		if (s == 0 || !is_word_byte((unsigned char)text[s - 1]))
			break;
		we = s;
		while (s > 0 && is_word_byte((unsigned char)text[s - 1]))
			s--;
		if (clause_joiner(text + s, we - s)) {
			s = we;
			break;
		}
		words++;
	}
	for (size_t i = 0; i < n; i++) {
		long at = vocab_phrase_find(text + s, pos - s, neg[i], 0);

		if (at >= 0 && words_between(text, s + (size_t)at, pos) <=
		               WIDE_WORDS + words_between(neg[i], 0, strlen(neg[i])))
			return 1;
	}
	return 0;
}

static int negated_at(const char *text, size_t pos)
{
	return vocab_negated_at(text, pos) || wide_negated_at(text, pos);
}

static int negated_in_list(const char *text, size_t len, size_t pos, size_t pl)
{
	return holds_in_list(text, len, pos, pl, negated_at);
}

/* ---- A looked-after child missing from a placement --------------- */

#define PLACEMENT_SPAN 48     /* bytes after the cue the place is sought in */

/* "absent from her residential placement", "ran away from the
 * children's home": missing-from-home, stated in a sentence. */
static void scan_placement(const char *text, size_t len, unsigned long *yes)
{
	size_t nc, np;
	const char *const *cue = vocab_words(VW_MISSING_CUE, &nc);
	const char *const *place = vocab_words(VW_PLACEMENT_WORD, &np);
	int f = vocab_flag_index("missing-from-home");

	if (f < 0)
		return;
	for (size_t c = 0; c < nc; c++) {
		long at = -1;

		while ((at = vocab_phrase_find(text, len, cue[c], (size_t)(at + 1))) >= 0) {
			size_t from = (size_t)at + strlen(cue[c]), to = from;

			/* to the clause's end; one newline is a hard wrap */
			while (to < len && to - from < PLACEMENT_SPAN && !strchr(".;,", text[to]) &&
			       !(text[to] == '\n' && to + 1 < len && text[to + 1] == '\n'))
				to++;
			for (size_t k = 0; k < np; k++)
				if (vocab_phrase_find(text + from, to - from, place[k], 0) >= 0 &&
				    !negated_in_list(text, len, (size_t)at, strlen(cue[c])) &&
				    !ended_at(text, len, (size_t)at, strlen(cue[c]))) {
					*yes |= 1UL << f;
					return;
				}
		}
	}
}



/* 1 if the clause holding text[pos] opens with a conditional or guidance
 * cue (words.vocab conditional_cue): "If the child is subject to a child
 * protection plan, contact the MASH", "NB: if you believe the child is
 * at immediate risk of harm call 999", "Please state whether the child
 * has a social worker".  Such a clause asks or instructs; it states no
 * fact; so does a clause that reports a question before the phrase
 * ("The school asked if we have a social worker": asked_cue).  The
 * clause starts after . ! ? ; : , or a blank line (one newline is a
 * hard wrap), past spaces and bullets. */
static int asked_before(const char *text, size_t from, size_t pos)
{
	size_t n;
	const char *const *cue = vocab_words(VW_ASKED_CUE, &n);

	for (size_t i = 0; i < n; i++)
		if (vocab_phrase_find(text + from, pos - from, cue[i], 0) >= 0)
			return 1;
	return 0;
}

static int conditional_at(const char *text, size_t pos)
{
	size_t s = pos, n;
	const char *const *cue = vocab_words(VW_CONDITIONAL_CUE, &n);

	for (int level = 0; level < 2; level++) {
		size_t end = s;

		while (s > 0 && end - s < CLAUSE_BACK && !strchr(".!?;:,", text[s - 1]) &&
		       !(text[s - 1] == '\n' && s >= 2 && text[s - 2] == '\n'))
			s--;
		while (s < end && !is_word_byte((unsigned char)text[s]))
			s++;
		for (size_t i = 0; i < n; i++)
			if (vocab_phrase_find(text + s, end - s, cue[i], 0) == 0)
				return 1;
		/* a question reported anywhere before the phrase in its
		 * clause: "The school asked if we have a social worker" */
		if (level == 0 && asked_before(text, s, pos))
			return 1;
		/* "Please indicate if any of the following apply: CP plan, CIN":
		 * a list item right after a colon belongs to the clause before */
		if (level > 0 || words_between(text, s, pos) > LIST_ITEM_WORDS)
			return 0;
		while (s > 0 && (text[s - 1] == ' ' || text[s - 1] == '\t'))
			s--;
		if (s == 0 || text[s - 1] != ':')
			return 0;
		s--;
	}
	return 0;
}

/* 1 if the answer after the question holding text[pos .. pos+pl) puts
 * what it answers in the past: "Previous CP plan? Y - ended 2022",
 * "CP plan: Yes, closed March 2024".  Only the answer is read (after
 * the first '?', ':', TAB or '|' past the phrase, to the line's end),
 * never the question: "CP plan (if ended, give date)? Yes" is a Yes. */
static int answer_ended(const char *text, size_t len, size_t pos, size_t pl)
{
	size_t i = pos + pl, le;

	for (le = i; le < len && text[le] != '\n'; le++)
		;
	while (i < le && text[i] != '?' && text[i] != ':' && text[i] != '\t' && text[i] != '|')
		i++;
	return i < le && vocab_ended(text + i + 1, le - i - 1);
}

/* ---- A SEN status's DfE code ----------------------------------- */

#define SEN_LABEL_MAX 48      /* a longer left side is a sentence */

/* 1 if the capital letter at v[0], standing alone ("K", "K - SEN
 * Support", "E (EHCP)"), is one of the list. */
static int code_in(const char *v, size_t vl, enum vocab_words list)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	if (vl == 0 || v[0] < 'A' || v[0] > 'Z' || (vl > 1 && !strchr(" \t-:(.,", v[1])) ||
	    (vl > 2 && v[1] == '-' && isalpha((unsigned char)v[2])))
		return 0;       /* not "E-mail" */
	for (size_t i = 0; i < n; i++)
		if (w[i][0] == v[0] && w[i][1] == '\0')
			return 1;
	return 0;
}

/* The end of a SEN status line's label ("SEN Status<TAB>", "SEN
 * provision:"): the first ':', TAB, '|' or '?' of the line from ls to
 * le, or le when there is none within SEN_LABEL_MAX. */
static size_t sen_label_end(const char *text, size_t ls, size_t le)
{
	size_t sep = ls;

	while (sep < le && sep - ls <= SEN_LABEL_MAX && !strchr(":\t|?", text[sep]))
		sep++;
	return sep - ls > SEN_LABEL_MAX ? le : sep;
}

/* 1 if the phrase at pos stands in the label of a line answered by a
 * DfE SEN code ("SEN Status<TAB>E - Education, Health and Care Plan"):
 * the code is the answer (scan_sen_codes), so the label's "SEN" is only
 * the question and sets nothing by itself. */
static int in_sen_code_label(const char *text, size_t len, size_t pos)
{
	size_t ls = pos, le = pos, sep, v;

	while (ls > 0 && text[ls - 1] != '\n')
		ls--;
	while (le < len && text[le] != '\n')
		le++;
	if ((sep = sen_label_end(text, ls, le)) >= le || pos >= sep)
		return 0;
	v = skip_seps(text, le, sep);
	return code_in(text + v, le - v, VW_SEN_SUPPORT_CODE) ||
	       code_in(text + v, le - v, VW_EHCP_CODE);
}

/* Read the occurrence of flag f's phrase at text[pos .. pos+pl). */
static void read_at(const char *text, size_t len, size_t f, size_t pos, size_t pl,
                    unsigned long *yes, unsigned long *no)
{
	int a;

	if (covered_by_longer(text, len, f, pos, pl) || ended_at(text, len, pos, pl) ||
	    in_sen_code_label(text, len, pos))
		return;
	a = answered(text, len, f, pos, pl);
	if (a == VOCAB_ANSWER_YES && answer_ended(text, len, pos, pl))
		a = VOCAB_ANSWER_NO;
	if (a == 0 && fields_word_in(VW_ANSWERED_ONLY, text + pos, pl))
		return;         /* "CP" in a sentence: maybe cerebral palsy */
	if (a == VOCAB_ANSWER_NO)
		*no |= 1UL << f;
	else if (a == VOCAB_ANSWER_YES ||
	         (a == 0 && !negated_in_list(text, len, pos, pl) &&
	          !holds_in_list(text, len, pos, pl, conditional_at)))
		*yes |= 1UL << f;
}

/* ---- A phrase broken by a hard wrap ----------------------------- */

#define WRAP_CONTEXT 240      /* bytes either side of a line break read */

/* Phrases broken across two lines by a hard wrap or a PDF paste ("an
 * allocated social\nworker"): around each line break inside a paragraph
 * the text is copied with that break as a space, and the phrases that
 * cross it are read there, with the same rules. */
/* 1 if phrase ph holds the word w[0 .. wl) followed by a space: the
 * only phrases a break after that word can split. */
static int splits_after(const char *ph, const char *w, size_t wl)
{
	for (const char *q = ph; (q = strchr(q, ' ')) != NULL; q++) {
		size_t b = (size_t)(q - ph);

		if (b >= wl && strncasecmp(q - wl, w, wl) == 0 &&
		    (b == wl || q[-(long)wl - 1] == ' '))
			return 1;
	}
	return 0;
}

static void scan_wrapped(const char *text, size_t len, unsigned long *yes,
                         unsigned long *no)
{
	char win[2 * WRAP_CONTEXT];

	for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))) != NULL; p++) {
		size_t n = (size_t)(p - text), from, to, at, ws = n;
		int copied = 0;

		if (n == 0 || n + 1 >= len || text[n + 1] == '\n' ||
		    !is_word_byte((unsigned char)text[n - 1]))
			continue;       /* a blank line, or a line ending a clause */
		while (ws > 0 && n - ws < 40 && is_word_byte((unsigned char)text[ws - 1]))
			ws--;
		from = n > WRAP_CONTEXT ? n - WRAP_CONTEXT : 0;
		to = len - n > WRAP_CONTEXT ? n + WRAP_CONTEXT : len;
		at = n - from;
		for (size_t f = 0; f < vocab_flag_count(); f++) {
			const char *ph;

			for (size_t k = 0; (ph = vocab_flag_phrase(f, k)) != NULL; k++) {
				size_t pl = strlen(ph);
				long pos;

				if (pl > at || !splits_after(ph, text + ws, n - ws))
					continue;
				if (!copied) {
					memcpy(win, text + from, to - from);
					win[at] = ' ';
					copied = 1;
				}
				pos = vocab_flag_phrase_find(win, to - from, ph, at - pl + 1);
				if (pos >= 0 && (size_t)pos < at)
					read_at(win, to - from, f, (size_t)pos, pl, yes, no);
			}
		}
	}
}

/* "SEN Status<TAB>K - SEN Support", "SEN provision: E": a line whose
 * label (before its ':', TAB, '|' or '?') names SEN, answered by a DfE
 * provision code: K sets sen, E (or the old S) ehcp; N, like any other
 * answer, is read by answered(). */
static void scan_sen_codes(const char *text, size_t len, unsigned long *yes)
{
	int sen = vocab_flag_index("sen"), ehcp = vocab_flag_index("ehcp");

	if (sen < 0 || ehcp < 0)
		return;
	for (size_t ls = 0, le; ls < len; ls = le + 1) {
		const char *ph;
		size_t sep, v;
		int named = 0;

		for (le = ls; le < len && text[le] != '\n'; le++)
			;
		if ((sep = sen_label_end(text, ls, le)) >= le)
			continue;
		for (size_t k = 0; !named && (ph = vocab_flag_phrase((size_t)sen, k)) != NULL; k++)
			named = vocab_flag_phrase_find(text + ls, sep - ls, ph, 0) >= 0;
		if (!named)
			continue;
		v = skip_seps(text, le, sep);
		if (code_in(text + v, le - v, VW_SEN_SUPPORT_CODE))
			*yes |= 1UL << sen;
		else if (code_in(text + v, le - v, VW_EHCP_CODE))
			*yes |= 1UL << ehcp;
	}
}

void answers_scan_flags(const char *text, size_t len, unsigned long *yes,
                        unsigned long *no)
{
	struct vocab_scan scan;

	vocab_scan_begin(&scan, text, len);
	for (size_t f = 0; f < vocab_flag_count(); f++) {
		const char *ph;

		for (size_t k = 0; (ph = vocab_flag_phrase(f, k)) != NULL; k++) {
			size_t pl;
			long pos = -1;

			if (vocab_flag_phrase_absent(f, k, text, len))
				continue;
			pl = strlen(ph);
			while ((pos = vocab_flag_phrase_find(text, len, ph,
			                                     (size_t)(pos + 1))) >= 0)
				read_at(text, len, f, (size_t)pos, pl, yes, no);
		}
	}
	scan_wrapped(text, len, yes, no);
	scan_placement(text, len, yes);
	scan_sen_codes(text, len, yes);
	vocab_scan_end(&scan);
}

unsigned long answers_role_flags(const char *role)
{
	unsigned long yes = 0, no = 0;
	int sw = vocab_flag_index("social-worker");

	if (role == NULL || sw < 0)
		return 0;
	answers_scan_flags(role, strnlen(role, MAX_VALUE), &yes, &no);
	return yes & (1UL << sw);
}

int answers_value(const char *v, size_t vl)
{
	int a = answer_at(v, vl, 0);

	if (a == 0 && vl <= MAX_VALUE && vocab_ended(v, vl))
		return VOCAB_ANSWER_NO;         /* "Closed in 2023", "Previously" */
	return a == ANSWER_ASKED ? VOCAB_ANSWER_NO : a;
}

/* ---- Options not chosen ----------------------------------------- */

/* 1 if the line s[0..len) is an option offered but not chosen: it
 * starts with an empty box or radio button ("( ) g2 - moved out of the
 * borough", "○ i - continuous absence"), or ends with one ("Moved
 * abroad ☐"). */
static int unchosen_option(const char *s, size_t len)
{
	size_t i = 0, used, e = len;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && vocab_answer_glyph(s + i, len - i, &used) == VOCAB_GLYPH_EMPTY)
		return skip_seps(s, len, i + used) < len;
	while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
		e--;
	for (size_t b = e > i + 8 ? e - 8 : i; b < e; b++)
		if (vocab_answer_glyph(s + b, e - b, &used) == VOCAB_GLYPH_EMPTY &&
		    b + used == e && !option_before(s, i, b))
			return b > i;
	return 0;
}

void answers_mask_unchosen(char *text, size_t len)
{
	size_t ls = 0;

	while (ls < len) {
		char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;

		if (unchosen_option(text + ls, le - ls))
			memset(text + ls, ' ', le - ls);
		ls = le + 1;
	}
}

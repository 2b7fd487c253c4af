/*
 * vocab_load.c - read and check the vocabulary files.  See vocab.h.
 *
 * Owns: the file format (vocabulary/README in the source tree, and
 * man/cme-milter.conf.5): one entry a line, columns separated by '|',
 * "#" comments, an entry quoted "..." to keep spaces at its ends; the
 * shipped directory holds one KIND.vocab per kind, the LA's
 * VocabularyDir adds KIND.vocab or KIND-NAME.vocab files (read in name
 * order, after the shipped ones).  Every problem is reported as
 * "FILE:LINE: message"; one problem means the set is not used.
 *
 * The set is built once, before any thread starts, and is immutable
 * afterwards (vocab_int.h).  Nothing here runs per message.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "strlist.h"
#include "vocab_int.h"

#define MAX_FILE_BYTES  (1024 * 1024)
#define MAX_LINE        512
#define MAX_ENTRIES     50000
#define MAX_LA_FILES    256

/* How a kind's texts are folded before they are stored and compared. */
enum fold { FOLD_NONE, FOLD_LOWER, FOLD_LABEL };

static const struct kind_row {
	const char *name;
	int columns;            /* 2, or 3 with a weight */
	enum fold fold;
	const char *key_word;   /* for messages: "unknown field 'x'" */
} kinds[VK__COUNT] = {
	[VK_LABELS] = { "labels", 2, FOLD_LABEL, "field" },
	[VK_SECTIONS] = { "sections", 2, FOLD_LABEL, "section group" },
	[VK_FLAGS] = { "flags", 2, FOLD_NONE, "flag" },
	[VK_REASONS] = { "reasons", 3, FOLD_LOWER, "reason" },
	[VK_OUTCOMES] = { "outcomes", 3, FOLD_LOWER, "outcome" },
	[VK_RELATIONSHIPS] = { "relationships", 2, FOLD_LOWER, "relationship" },
	[VK_GENDERS] = { "genders", 2, FOLD_LOWER, "gender code" },
	[VK_ANSWERS] = { "answers", 2, FOLD_LOWER, "answer kind" },
	[VK_WORDS] = { "words", 2, FOLD_NONE, "word list" },
};

static const char *const answer_keys[VA__COUNT] = { "yes", "no", "ticked", "empty" };
static const char *const gender_keys[] = { "M", "F", "X", "-" };

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* The key column's meaning for a kind, or -1 if it names nothing. */
static int resolve_key(enum vocab_kind k, const char *s)
{
	switch (k) {
	case VK_LABELS:
	case VK_SECTIONS:
		for (int f = F_NONE + 1; f < F__COUNT; f++)
			if (strcmp(vocab_field_name((enum field)f), s) == 0)
				return (k == VK_LABELS || f == F_FULLNAME || f == F_PARENT ||
				        f == F_REFERRER) ? f : -1;
		return -1;
	case VK_FLAGS:
		return vocab_flag_index(s);
	case VK_REASONS:
		return name_index(vocab_reason_names, VOCAB_REASONS, s);
	case VK_OUTCOMES:
		return name_index(vocab_outcome_names, VOCAB_OUTCOMES, s);
	case VK_RELATIONSHIPS:
		for (const char *p = s; *p; p++)
			if (!islower((unsigned char)*p) && *p != '-' && *p != ' ')
				return -1;
		return 0;     /* the canonical word itself is the value */
	case VK_GENDERS:
		return name_index(gender_keys, sizeof gender_keys / sizeof gender_keys[0], s);
	case VK_ANSWERS:
		return name_index(answer_keys, VA__COUNT, s);
	case VK_WORDS:
		for (int l = 0; l < VWI__COUNT; l++)
			if (strcmp(vocab_list_name(l), s) == 0)
				return l;
		return -1;
	default:
		return -1;
	}
}

/* Split one line into up to 3 columns (in place).  Returns the number of
 * columns, 0 for a blank or comment line, -1 malformed (*why set). */
/* In a quoted column "\t" is a TAB and "\\" a backslash (a Thunderbird
 * forward aligns "From:" and its value with a TAB); in place. */
static void unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && (r[1] == 't' || r[1] == '\\')) {
			*w++ = r[1] == 't' ? '\t' : '\\';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int split_line(char *line, char **col, int *quoted, const char **why)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *start, *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (n == 0 && (*p == '\0' || *p == '#'))
			return 0;
		if (n == 3) {
			*why = "too many '|' columns";
			return -1;
		}
		quoted[n] = *p == '"';
		if (quoted[n]) {
			start = ++p;
			end = strchr(p, '"');
			if (end == NULL) {
				*why = "unterminated quote";
				return -1;
			}
			p = end + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\0' && *p != '|' && *p != '#') {
				*why = "text after a closing quote";
				return -1;
			}
		} else {
			start = p;
			while (*p && *p != '|' && *p != '#')
				p++;
			end = p;
			while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
		}
		col[n] = start;
		*end = '\0';
		if (quoted[n++])
			unescape(start);
		if (*p == '|') {
			p++;
			continue;
		}
		return n;
	}
}

static int fold_text(enum fold f, const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	if (f == FOLD_LABEL)
		return vocab_label_normalise(in, strlen(in), out, outlen) > 0 ? 0 : -1;
	for (; *in && o + 1 < outlen; in++)
		out[o++] = f == FOLD_LOWER ? (char)tolower((unsigned char)*in) : *in;
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

static void problem(struct strlist *problems, const char *file, unsigned line,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Add "FILE:LINE: message" (or "FILE: message" when line is 0). */
static void problem(struct strlist *problems, const char *file, unsigned line,
                    const char *fmt, ...)
{
	char msg[1024], all[6000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line)
		snprintf(all, sizeof all, "%s:%u: %s", file, line, msg);
	else
		snprintf(all, sizeof all, "%s: %s", file, msg);
	(void)strlist_add(problems, all);
}

/* The entry already in the set that an entry (k, key, text) repeats:
 * the same text anywhere in the kind for labels, sections, answers,
 * genders and relationships (a word means one thing); the same key and
 * text for the others. */
static const struct vocab_entry *duplicate_of(const struct vocab_set *s, enum vocab_kind k,
                                              int key, const char *text)
{
	int any_key = k == VK_LABELS || k == VK_SECTIONS || k == VK_ANSWERS ||
	              k == VK_GENDERS || k == VK_RELATIONSHIPS;

	for (size_t i = 0; i < s->n[k]; i++) {
		const struct vocab_entry *e = &s->e[k][i];

		if ((any_key || e->key == key) && strcmp(e->text, text) == 0)
			return e;
	}
	return NULL;
}

/* Check and add one split line. */
static int add_line(struct vocab_set *s, enum vocab_kind k, const char *file,
                    unsigned ln, char **col, int ncol, struct strlist *problems)
{
	char text[MAX_LINE + 1];
	struct vocab_entry *e;
	const struct vocab_entry *dup;
	int key, weight = 0;

	if (ncol != kinds[k].columns || col[0][0] == '\0' || col[1][0] == '\0') {
		problem(problems, file, ln, "malformed line: expected '%s | text%s'",
		        kinds[k].key_word, kinds[k].columns == 3 ? " | weight" : "");
		return -1;
	}
	if ((key = resolve_key(k, col[0])) < 0) {
		problem(problems, file, ln, "unknown %s '%s'", kinds[k].key_word, col[0]);
		return -1;
	}
	if (ncol == 3) {
		char *end;
		long w = strtol(col[2], &end, 10);

		if (*end != '\0' || w < 1 || w > 9) {
			problem(problems, file, ln, "weight '%s' is not a number from 1 to 9",
			        col[2]);
			return -1;
		}
		weight = (int)w;
	}
	if (fold_text(kinds[k].fold, col[1], text, sizeof text) != 0 ||
	    (k == VK_WORDS && (key == VWI_NEGATIVE_ANSWER || key == VWI_VALEDICTION ||
	                       key == VWI_LABEL_FILLER || key == VWI_LABEL_SUFFIX ||
	                       key == VWI_LABEL_QUESTION) &&
	     fold_text(key == VWI_NEGATIVE_ANSWER ? FOLD_LOWER : FOLD_LABEL, col[1], text,
	               sizeof text) != 0)) {
		problem(problems, file, ln, "'%s' has no words to match", col[1]);
		return -1;
	}
	if ((dup = duplicate_of(s, k, key, text)) != NULL) {
		problem(problems, file, ln, "duplicate entry '%s' (first at %s:%u)", col[1],
		        dup->file, dup->line);
		return -1;
	}
	if (s->n[k] == s->cap[k]) {
		size_t cap = s->cap[k] ? s->cap[k] * 2 : 64;
		struct vocab_entry *v = realloc(s->e[k], cap * sizeof *v);

		if (v == NULL)
			return -1;
		s->e[k] = v;
		s->cap[k] = cap;
	}
	e = &s->e[k][s->n[k]];
	memset(e, 0, sizeof *e);
	e->text = strdup(text);
	e->value = k == VK_RELATIONSHIPS ? strdup(col[0]) : NULL;
	if (e->text == NULL || (k == VK_RELATIONSHIPS && e->value == NULL)) {
		free(e->text);
		free(e->value);
		return -1;
	}
	phrase_scan_key(e->text, &e->pk);
	e->len = strlen(e->text);
	e->key = key;
	e->weight = weight;
	e->file = s->files[s->nfiles - 1];
	e->line = ln;
	s->n[k]++;
	return 0;
}

static size_t total_entries(const struct vocab_set *s)
{
	size_t t = 0;

	for (int k = 0; k < VK__COUNT; k++)
		t += s->n[k];
	return t;
}

/* Read one file of kind k.  0, or -1 (problems added). */
static int load_file(struct vocab_set *s, enum vocab_kind k, const char *path,
                     struct strlist *problems)
{
	size_t len;
	int truncated, bad = 0;
	char *buf, *line, *next, **files;
	unsigned ln = 0;

	buf = file_read_all(path, MAX_FILE_BYTES, &len, &truncated);
	if (buf == NULL) {
		problem(problems, path, 0, "cannot read the vocabulary file: %s",
		        strerror(errno ? errno : ENOENT));
		return -1;
	}
	if (truncated || memchr(buf, '\0', len) != NULL) {
		problem(problems, path, 0, "not a vocabulary file (over 1 MiB, or binary)");
		free(buf);
		return -1;
	}
	files = realloc(s->files, (s->nfiles + 1) * sizeof *files);
	if (files == NULL || (files[s->nfiles] = strdup(path)) == NULL) {
		if (files)
			s->files = files;
		free(buf);
		return -1;
	}
	s->files = files;
	s->nfiles++;
	for (line = buf; line != NULL && line < buf + len; line = next) {
		char *col[3];
		int quoted[3], n;
		const char *why = NULL;

		ln++;
		next = memchr(line, '\n', (size_t)(buf + len - line));
		if (next)
			*next++ = '\0';
		if (line[0] && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (strlen(line) > MAX_LINE) {
			problem(problems, path, ln, "line longer than %d bytes", MAX_LINE);
			bad = 1;
			continue;
		}
		n = split_line(line, col, quoted, &why);
		if (n < 0) {
			problem(problems, path, ln, "malformed line: %s", why);
			bad = 1;
		} else if (n > 0 && total_entries(s) >= MAX_ENTRIES) {
			problem(problems, path, ln, "more than %d entries in all", MAX_ENTRIES);
			bad = 1;
			break;
		} else if (n > 0 && add_line(s, k, path, ln, col, n, problems) != 0) {
			bad = 1;
		}
	}
	free(buf);
	return bad ? -1 : 0;
}

/* The kind a VocabularyDir file adds to: KIND.vocab or KIND-NAME.vocab;
 * -1 if the name is not a vocabulary file's at all (-2: looks like one
 * but names no kind). */
static int file_kind(const char *name)
{
	size_t l = strlen(name), stem;

	if (l < 7 || strcmp(name + l - 6, ".vocab") != 0 || name[0] == '.')
		return -1;
	stem = strcspn(name, "-.");
	for (int k = 0; k < VK__COUNT; k++)
		if (strlen(kinds[k].name) == stem && strncmp(name, kinds[k].name, stem) == 0)
			return k;
	return -2;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The LA's additions.  A directory that does not exist adds nothing. */
static int load_la_dir(struct vocab_set *s, const char *dir, struct strlist *problems)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[MAX_LA_FILES];
	size_t n = 0;
	int bad = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		problem(problems, dir, 0, "VocabularyDir: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < MAX_LA_FILES)
		if (file_kind(de->d_name) != -1 && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		int k = file_kind(names[i]);

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (k < 0) {
			problem(problems, path, 0, "names no vocabulary kind (labels, sections, "
			        "flags, reasons, outcomes, relationships, genders, answers, words; "
			        "as KIND.vocab or KIND-NAME.vocab)");
			bad = 1;
		} else if (load_file(s, (enum vocab_kind)k, path, problems) != 0) {
			bad = 1;
		}
		free(names[i]);
	}
	return bad ? -1 : 0;
}

/* Per-key groups (file order) and the label hash. */
static int index_set(struct vocab_set *s)
{
	static const int nkeys[VK__COUNT] = {
		[VK_LABELS] = F__COUNT, [VK_SECTIONS] = F__COUNT, [VK_FLAGS] = 64,
		[VK_REASONS] = VOCAB_REASONS, [VK_OUTCOMES] = VOCAB_OUTCOMES,
		[VK_RELATIONSHIPS] = 1, [VK_GENDERS] = 4, [VK_ANSWERS] = VA__COUNT,
		[VK_WORDS] = VWI__COUNT,
	};

	for (int k = 0; k < VK__COUNT; k++) {
		s->ngroups[k] = (size_t)nkeys[k];
		s->groups[k] = calloc(s->ngroups[k], sizeof *s->groups[k]);
		if (s->groups[k] == NULL)
			return -1;
		for (size_t g = 0; g < s->ngroups[k]; g++) {
			struct vocab_group *gr = &s->groups[k][g];
			size_t m = 0;

			for (size_t i = 0; i < s->n[k]; i++)
				m += (size_t)s->e[k][i].key == g || k == VK_RELATIONSHIPS;
			gr->e = calloc(m + 1, sizeof *gr->e);
			gr->text = calloc(m + 1, sizeof *gr->text);
			if (gr->e == NULL || gr->text == NULL)
				return -1;
			for (size_t i = 0; i < s->n[k]; i++)
				if ((size_t)s->e[k][i].key == g || k == VK_RELATIONSHIPS) {
					gr->e[gr->n] = &s->e[k][i];
					gr->text[gr->n++] = s->e[k][i].text;
				}
		}
	}
	s->label_hash_size = 64;
	while (s->label_hash_size < 2 * s->n[VK_LABELS] + 1)
		s->label_hash_size *= 2;
	s->label_hash = calloc(s->label_hash_size, sizeof *s->label_hash);
	if (s->label_hash == NULL)
		return -1;
	for (size_t i = 0; i < s->n[VK_LABELS]; i++) {
		size_t h = vocab_hash(s->e[VK_LABELS][i].text) & (s->label_hash_size - 1);

		while (s->label_hash[h] != NULL)
			h = (h + 1) & (s->label_hash_size - 1);
		s->label_hash[h] = &s->e[VK_LABELS][i];
	}
	return 0;
}

static void set_free(struct vocab_set *s)
{
	for (int k = 0; k < VK__COUNT; k++) {
		for (size_t i = 0; i < s->n[k]; i++) {
			free(s->e[k][i].text);
			free(s->e[k][i].value);
		}
		for (size_t g = 0; s->groups[k] && g < s->ngroups[k]; g++) {
			free(s->groups[k][g].e);
			free(s->groups[k][g].text);
		}
		free(s->groups[k]);
		free(s->e[k]);
	}
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->label_hash);
	free(s);
}

static struct vocab_set *installed;

const struct vocab_set *vocab_current(void)
{
	if (installed == NULL) {
		fprintf(stderr, "cme: internal error: the vocabulary was used before "
		        "vocab_load()\n");
		abort();
	}
	return installed;
}

int vocab_loaded(void)
{
	return installed != NULL;
}

int vocab_load(const char *shipped_dir, const char *la_dir, struct strlist *problems)
{
	struct vocab_set *s = calloc(1, sizeof *s);
	size_t before = problems->n;
	int bad = 0;

	if (s == NULL)
		return -1;
	{
		DIR *d = opendir(shipped_dir);

		if (d == NULL) {
			problem(problems, shipped_dir, 0, "the shipped vocabulary directory "
			        "(ShippedVocabularyDir) cannot be read: %s", strerror(errno));
			free(s);
			return -1;
		}
		closedir(d);
	}
	for (int k = 0; k < VK__COUNT; k++) {
		char path[4096];

		snprintf(path, sizeof path, "%s/%s.vocab", shipped_dir, kinds[k].name);
		if (load_file(s, (enum vocab_kind)k, path, problems) != 0)
			bad = 1;
	}
	if (!bad && la_dir != NULL && *la_dir && load_la_dir(s, la_dir, problems) != 0)
		bad = 1;
	if (!bad && index_set(s) != 0) {
		(void)strlist_add(problems, "vocabulary: out of memory");
		bad = 1;
	}
	if (bad) {
		if (problems->n == before)
			(void)strlist_add(problems, "vocabulary: out of memory");
		set_free(s);
		return -1;
	}
	if (installed == NULL)
		installed = s;
	else
		set_free(s);    /* checked only: the running set stays */
	return 0;
}

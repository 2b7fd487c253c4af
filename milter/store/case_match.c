/*
 * NAME
 *	case_match.c - how the store recognises a child again: the folded
 *	"surname|forename|dob" key of children.match_key.  See
 *	case_store_sql.h.
 *
 * OWNS
 *	The folding rules (accents to their base letter, case, and
 *	everything but letters and digits dropped) and the key's bound.
 *	Changing either changes which stored children match: keys already
 *	in the database were made by these rules.
 *
 * RETURN CONVENTIONS
 *	0 done, -1 out of memory.
 */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "case_store_sql.h"
#include "strbuf.h"

/* Append to a bounded buffer: 0 appended, or the buffer is at its limit
 * (the text is cut there, the same way every time: a match key is its
 * first bytes, a problem list its first problems); -1 out of memory. */
int case_store_put_bounded(struct strbuf *sb, const char *p, size_t n)
{
	if (strbuf_append(sb, p, n) == 0)
		return 0;
	return n > sb->limit - sb->len ? 0 : -1;
}

static int put_char(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return case_store_put_bounded(sb, &ch, 1);
}

/* Fold a UTF-8 name for matching: Latin letters with accents to their
 * base letter, ASCII lower case, and everything that is not a letter or
 * digit dropped, so "O'Brien", "OBrien", "o brien" and "Ó'Brien" agree,
 * as do "Smith-Jones" and "Smith Jones". */
int case_store_fold_name(const char *s, struct strbuf *out)
{
	/* U+00C0..U+00FF base letters; '\0' drops the character. */
	static const char latin1[] =
		"AAAAAAACEEEEIIII" "DNOOOOO\0OUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; ) {
		unsigned cp;
		int n;

		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = ((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F);
			n = 2;
		} else {
			/* 3- and 4-byte sequences: keep bytes as they are */
			if (put_char(out, *p) != 0)
				return -1;
			p++;
			continue;
		}
		p += n;
		if (cp < 0x80) {
			if (isalnum((int)cp) && put_char(out, tolower((int)cp)) != 0)
				return -1;
		} else if (cp >= 0xC0 && cp <= 0xFF) {
			char base = latin1[cp - 0xC0];

			if (base && put_char(out, tolower((unsigned char)base)) != 0)
				return -1;
		} else if (cp >= 0x100 && cp <= 0x17F) {
			/* Latin Extended-A pairs upper/lower; the base letter is
			 * close enough from a small table of their roots. */
			static const char ext_a[] =
				"aaaaaaccccccccdddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
				"jjjj" "kkk" "llllllllll" "nnnnnnnnn" "oooooooo" "rrrrrr"
				"ssssssss" "tttttt" "uuuuuuuuuuuu" "wwyyyzzzzzzs";
			size_t idx = cp - 0x100;

			if (idx < sizeof ext_a - 1 && put_char(out, ext_a[idx]) != 0)
				return -1;
		}
	}
	return 0;
}

/* "surname|forename|dob" folded, at most 1024 bytes, in *key (malloc'd;
 * NULL unless all three are known).  0, or -1 out of memory. */
int case_store_match_key(const struct cme_child *c, char **key)
{
	struct strbuf sb;
	int rc;

	*key = NULL;
	if (c->surname == NULL || c->forename == NULL || c->dob == NULL)
		return 0;
	strbuf_init(&sb, 1024);
	rc = case_store_fold_name(c->surname, &sb);
	rc |= put_char(&sb, '|');
	/* first forename only: "Amelia Rose" and "Amelia" are one child,
	 * and a hyphen parts forenames as a space does, so "Ellie-Mae"
	 * and "Ellie Mae" are one child too (SPEC 5.1).  Keys made before
	 * schema 9 cut at the space only: migration 9 remakes them with
	 * the SQL function cme_match_key (case_store_register_functions). */
	{
		char first[128];
		size_t n = strcspn(c->forename, " -");

		snprintf(first, sizeof first, "%.*s", (int)(n < 127 ? n : 127), c->forename);
		rc |= case_store_fold_name(first, &sb);
	}
	rc |= put_char(&sb, '|');
	rc |= case_store_put_bounded(&sb, c->dob, strlen(c->dob));
	if (rc != 0 || (*key = strbuf_detach(&sb)) == NULL) {
		strbuf_free(&sb);
		return -1;
	}
	return 0;
}


/* SQL: cme_match_key(surname, forename, dob) - the key above, NULL when
 * one of the three is NULL.  For migrations that remake stored keys. */
static void sql_match_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct cme_child c;
	char *key = NULL;

	(void)argc;
	memset(&c, 0, sizeof c);
	c.surname = (char *)sqlite3_value_text(argv[0]);
	c.forename = (char *)sqlite3_value_text(argv[1]);
	c.dob = (char *)sqlite3_value_text(argv[2]);
	if (case_store_match_key(&c, &key) != 0) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (key == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, key, -1, free);
}

int case_store_register_functions(sqlite3 *db)
{
	return sqlite3_create_function(db, "cme_match_key", 3,
	                               SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                               sql_match_key, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * officer_map.c - OfficerMap rules.  See officer_map.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "officer_map.h"

enum rule_kind { RULE_DISTRICT, RULE_AREA, RULE_SCHOOL };

struct rule {
	enum rule_kind kind;
	char *key;                /* upper-case district/area, or school name */
	char *officer;
};

struct officer_map {
	struct rule *rules;
	size_t n;
};

static enum rule_kind classify(const char *key)
{
	size_t i = 0, letters = 0, digits = 0;

	while (isalpha((unsigned char)key[i]) && letters < 3)
		i++, letters++;
	if (key[i] == '\0' && letters >= 1 && letters <= 2)
		return RULE_AREA;
	if (letters >= 1 && letters <= 2 && isdigit((unsigned char)key[i])) {
		while (isalnum((unsigned char)key[i]) && digits < 3)
			i++, digits++;
		if (key[i] == '\0')
			return RULE_DISTRICT;
	}
	return RULE_SCHOOL;
}

static void problem(struct strlist *errors, const char *path, int line, const char *what)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s:%d: %s", path, line, what);
	(void)strlist_add(errors, buf);
}

struct officer_map *officer_map_load(const char *path, struct strlist *errors)
{
	FILE *f = fopen(path, "r");
	struct officer_map *m;
	char line[1024];
	int lineno = 0, bad = 0;

	if (f == NULL) {
		char buf[512];

		snprintf(buf, sizeof buf, "%s: cannot open: %s", path, strerror(errno));
		(void)strlist_add(errors, buf);
		return NULL;
	}
	m = calloc(1, sizeof *m);
	while (m && fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *end, *last;
		struct rule *nr;

		lineno++;
		if (hash)
			*hash = '\0';
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (line[0] == '\0' || strspn(line, " \t") == strlen(line))
			continue;
		last = strrchr(line, ' ');
		if (strrchr(line, '\t') > last)
			last = strrchr(line, '\t');
		if (last == NULL || strchr(last + 1, '@') == NULL) {
			problem(errors, path, lineno, "expected KEY EMAIL (postcode district, area or school, then an address)");
			bad++;
			continue;
		}
		*last = '\0';
		{
			char *key = line;
			size_t kl;

			while (isspace((unsigned char)*key))
				key++;
			kl = strlen(key);
			while (kl > 0 && isspace((unsigned char)key[kl - 1]))
				key[--kl] = '\0';
			if (kl == 0) {
				problem(errors, path, lineno, "missing key before the address");
				bad++;
				continue;
			}
			nr = realloc(m->rules, (m->n + 1) * sizeof *nr);
			if (nr == NULL)
				break;
			m->rules = nr;
			nr[m->n].kind = classify(key);
			if (nr[m->n].kind != RULE_SCHOOL)
				for (char *p = key; *p; p++)
					*p = (char)toupper((unsigned char)*p);
			nr[m->n].key = strdup(key);
			nr[m->n].officer = strdup(last + 1);
			m->n++;
		}
	}
	fclose(f);
	if (bad) {
		officer_map_free(m);
		return NULL;
	}
	return m;
}

void officer_map_free(struct officer_map *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->rules[i].key);
		free(m->rules[i].officer);
	}
	free(m->rules);
	free(m);
}

static const char *find(const struct officer_map *m, enum rule_kind kind, const char *key)
{
	for (size_t i = 0; key && i < m->n; i++)
		if (m->rules[i].kind == kind && m->rules[i].key && strcasecmp(m->rules[i].key, key) == 0)
			return m->rules[i].officer;
	return NULL;
}

const char *officer_map_lookup(const struct officer_map *m, const char *postcode,
                               const char *school)
{
	char district[8] = "", area[4] = "";
	const char *o;

	if (m == NULL)
		return NULL;
	if (postcode) {
		size_t n = strcspn(postcode, " ");
		size_t a = 0;

		if (n < sizeof district) {
			memcpy(district, postcode, n);
			district[n] = '\0';
		}
		while (a < 2 && isalpha((unsigned char)postcode[a]))
			a++;
		memcpy(area, postcode, a);
		area[a] = '\0';
	}
	if ((o = find(m, RULE_DISTRICT, district[0] ? district : NULL)) != NULL)
		return o;
	if ((o = find(m, RULE_SCHOOL, school)) != NULL)
		return o;
	return find(m, RULE_AREA, area[0] ? area : NULL);
}

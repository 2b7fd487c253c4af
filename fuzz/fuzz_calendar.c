/*
 * fuzz_calendar.c - libFuzzer target for closures_load_text (iCalendar
 * closure calendars: bank and school holidays).
 *
 * Owns nothing between runs.  Calendars are downloaded from GOV.UK or
 * written by schools; libical parses them and closures.c expands ranges
 * and recurrences, which is where a hostile file could cost time or
 * memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "closures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct closures c;
	char err[256];
	char *text;

	/* closures_load_text takes a C string */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	closures_init(&c);
	(void)closures_load_text(&c, text, "fuzz.ics", err, sizeof(err));
	closures_free(&c);
	free(text);
	return 0;
}

/*
 * vocab_prose.c - the word lists of the prose readers (answers.c's
 * negated lists and placements, prose_child.c, prose_update.c): the
 * vocab_words lists from VW_LIST_STOP on.  See vocab.h.
 *
 * Owns: those tables.  Kept apart from vocab.c only for size; the same
 * rules hold (plain lower-case ASCII, one table per list, read through
 * vocab_words()).  Teaching the product a new way of writing a visit,
 * an outcome or an address in a sentence is a new word here.
 */
#include <stddef.h>

#include "vocab.h"

/* answers.c: negation carried along a list, and a looked-after child
 * missing from a placement. */
static const char *const w_list_stop[] = {
	"is", "are", "was", "were", "has", "have", "had", "been", "be",
	"but", "however", "although", "though", "whereas", "yet",
	"he", "she", "they", "it", "who", "which", "currently", "now",
	"since", "confirmed", "remains", "still", "in place",
};
static const char *const w_missing_cue[] = {
	"missing from", "gone missing from", "absent from", "ran away from",
	"run away from", "runs away from", "running away from", "absconded from",
	"not returned to",
};
static const char *const w_placement_word[] = {
	"placement", "children's home", "childrens home", "care home",
	"foster home", "foster carer", "foster carers", "residential home",
	"residential unit", "supported accommodation", "semi-independent",
};

/* prose_child.c: year groups and addresses in sentences. */
static const char *const w_prose_year_word[] = { "year ", "yr ", "year", "yr", "y" };
static const char *const w_prose_reception[] = { "in reception", "reception class",
	"reception year" };
static const char *const w_previous_word[] = { "previously", "previous", "formerly",
	"used to live", "old address", "moved from", "former" };
static const char *const w_current_word[] = { "now", "current", "currently",
	"new address", "are living", "is living" };
static const char *const w_address_cue[] = { "living at", "lives at", "live at",
	"lived at", "address is", "family at", "staying at", "resides at",
	"residing at", "moved into", "home at", "now at" };

/* prose_update.c: updates written in sentences. */
static const char *const w_visit_cue[] = { "visited", "home visit", "visit completed",
	"visit made", "visit carried out", "called at the address",
	"called at the house", "attended the address", "knocked on the door",
	"door knock" };
static const char *const w_today_word[] = { "today", "this morning",
	"this afternoon", "this evening" };
static const char *const w_yesterday_word[] = { "yesterday" };
static const char *const w_update_cue[] = { "returned to school today",
	"returned to school this morning", "returned to school this afternoon",
	"returned to school yesterday", "has returned to school",
	"have returned to school", "is back in school", "are back in school",
	"now on roll at", "is now on roll", "are now on roll",
	"started with us", "joined us on", "living in their area",
	"live in their area", "moved into their area", "taking over the cme",
	"take over the cme", "taking over the case", "take over the case" };
static const char *const w_new_school_cue[] = { "now on roll at", "on roll at",
	"started at", "starting at", "enrolled at", "admitted to",
	"registered at", "now attending", "has a place at", "started with us",
	"joined us", "on roll with us", "on roll from", "on roll since" };
static const char *const w_name_connector[] = { "of", "and", "the", "upon", "in",
	"de", "le", "la" };
static const char *const w_start_cue[] = { "start date", "starting date",
	"date started", "date of admission", "admission date", "date of entry",
	"started on", "starting on", "starts on", "start on", "due to start" };
static const char *const w_with_us_cue[] = { "with us", "joined us", "our roll",
	"on roll here", "our school" };

static const char *const w_absence_cue[] = { "has not attended", "have not attended",
	"not attended since", "never attended", "has not started", "have not started",
	"did not start", "failed to start", "not been in school", "not been seen" };

#define WORDS(a) { a, sizeof a / sizeof a[0] }

static const struct word_list {
	const char *const *words;
	size_t n;
} prose_lists[VW__COUNT - VW_LIST_STOP] = {
#define AT(v) [(v) - VW_LIST_STOP]
	AT(VW_LIST_STOP) = WORDS(w_list_stop),
	AT(VW_VISIT_CUE) = WORDS(w_visit_cue),
	AT(VW_TODAY_WORD) = WORDS(w_today_word),
	AT(VW_YESTERDAY_WORD) = WORDS(w_yesterday_word),
	AT(VW_UPDATE_CUE) = WORDS(w_update_cue),
	AT(VW_NEW_SCHOOL_CUE) = WORDS(w_new_school_cue),
	AT(VW_WITH_US_CUE) = WORDS(w_with_us_cue),
	AT(VW_START_CUE) = WORDS(w_start_cue),
	AT(VW_NAME_CONNECTOR) = WORDS(w_name_connector),
	AT(VW_PROSE_YEAR_WORD) = WORDS(w_prose_year_word),
	AT(VW_PROSE_RECEPTION) = WORDS(w_prose_reception),
	AT(VW_PREVIOUS_WORD) = WORDS(w_previous_word),
	AT(VW_CURRENT_WORD) = WORDS(w_current_word),
	AT(VW_ADDRESS_CUE) = WORDS(w_address_cue),
	AT(VW_MISSING_CUE) = WORDS(w_missing_cue),
	AT(VW_PLACEMENT_WORD) = WORDS(w_placement_word),
	AT(VW_ABSENCE_CUE) = WORDS(w_absence_cue),
#undef AT
};

#undef WORDS

const char *const *vocab_prose_words(enum vocab_words list, size_t *n)
{
	if (list < VW_LIST_STOP || list >= VW__COUNT ||
	    prose_lists[list - VW_LIST_STOP].words == NULL)
		return NULL;
	*n = prose_lists[list - VW_LIST_STOP].n;
	return prose_lists[list - VW_LIST_STOP].words;
}

/* test_officer_lines.c - an officer's email read line by line
 * (milter/extract/officer_lines.c): labelled and plain-English visits,
 * outcomes, corrected fields by any referral label, the verbs, and what
 * is not understood; and the field checks of the store's edit table
 * (milter/store/case_edit.c). */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_vocab.h"
#include "case_edit.h"
#include "officer_lines.h"

static const struct ymd today = { 2026, 11, 27 };

static void rd(const char *text, struct officer_lines *ol)
{
	if (officer_lines_read(text, strlen(text), &today, ol) != 0)
		abort();
}

static int norm(const char *field, const char *v, char *out)
{
	char why[200];

	return case_edit_normalise(case_edit_field(field), v, 1795000000 /* 2026-11-18 */, out,
	                           CASE_EDIT_VALUE_MAX, why, sizeof why);
}

int main(void)
{
	struct officer_lines ol;
	char out[CASE_EDIT_VALUE_MAX];

	tap_vocabulary();
	rd("Visit: 27/11/2026 14:10 seen\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].kind == OL_VISIT, "a labelled visit");
	CHECK_STR(ol.v[0].value, "2026-11-27", "its date, ISO");
	CHECK_STR(ol.v[0].value2, "14:10", "its time");
	CHECK_INT(ol.v[0].found, 1, "seen: the child was found");
	officer_lines_free(&ol);

	rd("Hi all,\nVisited 12 Elm Road on 11/11/2026 at 4pm, mum and both children seen.\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].kind == OL_VISIT, "a visit in plain English (greeting passed over)");
	CHECK_STR(ol.v[0].value, "2026-11-11", "its date");
	CHECK_INT(ol.v[0].found, 1, "both seen");
	CHECK_INT(ol.not_understood.n, 0, "nothing left over");
	officer_lines_free(&ol);

	rd("visited today, no answer\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].kind == OL_VISIT, "a visit today");
	CHECK_STR(ol.v[0].value, "2026-11-27", "today is the message's date");
	CHECK_INT(ol.v[0].found, 0, "no answer: not found");
	officer_lines_free(&ol);

	rd("Home visit: yesterday, not seen\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].found == 0, "not seen is not seen");
	CHECK_STR(ol.v[0].value, "2026-11-26", "yesterday");
	officer_lines_free(&ol);

	rd("Visit: 30/11/2026 seen\n", &ol);
	CHECK(ol.n == 0 && ol.not_understood.n == 1, "a visit in the future is not taken");
	officer_lines_free(&ol);

	rd("Home visit outcome\n\nCase: CME-2026-00001\nVisit date: 05/11/2026 10:30\n"
	   "Visited by: Tom Reilly, EWO\nOutcome: No answer. Neighbour says the family moved "
	   "out, destination unknown.\nNext steps: checks with Admissions\n", &ol);
	CHECK(ol.n == 2 && ol.v[0].kind == OL_VISIT && ol.v[1].kind == OL_NOTE,
	      "a visit form: its visit and its next steps as a note");
	CHECK_INT(ol.v[0].found, 0, "the form's \"Outcome: No answer\" is the visit's answer");
	CHECK_INT(ol.not_understood.n, 0, "its heading, case and visitor lines are not complaints");
	officer_lines_free(&ol);

	rd("Outcome: located-on-roll, Park Lane Primary\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].kind == OL_OUTCOME, "an outcome");
	CHECK_STR(ol.v[0].value, "located-on-roll", "its name");
	CHECK_STR(ol.v[0].value2, "Park Lane Primary", "what follows it");
	officer_lines_free(&ol);

	rd("Surname: Brennan\nD.O.B.: 06/11/2015\nChild's forename: Amelia\n", &ol);
	CHECK(ol.n == 3 && ol.v[0].kind == OL_FIELD && ol.v[0].field == F_SURNAME,
	      "a corrected surname by its label");
	CHECK(ol.v[1].field == F_DOB && ol.v[2].field == F_FORENAME,
	      "any label of the vocabulary names its field");
	CHECK_STR(ol.v[0].value, "Brennan", "the corrected value");
	CHECK(case_edit_field_of_label(F_DOB) == case_edit_field("dob"),
	      "a label's field is a field an officer may edit");
	officer_lines_free(&ol);

	rd("Note: mum says they are back\nAssign: J.Bloggs@la.test\nMerge: cme-2026-00017\n"
	   "Reopen\nImmediate: done\nTransfer: Leeds City Council <cme@leeds.test>\n", &ol);
	CHECK_INT(ol.n, 6, "six verbs");
	CHECK(ol.v[0].kind == OL_NOTE && strcmp(ol.v[0].value, "mum says they are back") == 0,
	      "a note");
	CHECK(ol.v[1].kind == OL_ASSIGN && strcmp(ol.v[1].value, "J.Bloggs@la.test") == 0,
	      "assign: the address");
	CHECK(ol.v[2].kind == OL_MERGE && strcmp(ol.v[2].value, "CME-2026-00017") == 0,
	      "merge: the reference, upper-cased");
	CHECK(ol.v[3].kind == OL_REOPEN, "reopen");
	CHECK(ol.v[4].kind == OL_IMMEDIATE_DONE, "immediate: done");
	CHECK(ol.v[5].kind == OL_TRANSFER && strcmp(ol.v[5].value, "Leeds City Council") == 0 &&
	      strcmp(ol.v[5].value2, "cme@leeds.test") == 0, "transfer: the LA and its address");
	officer_lines_free(&ol);

	rd("Returned to school this morning\nColour: blue\nMerge: soon\n\nKind regards,\n"
	   "Jo Bloggs\nEducation Welfare Officer\n", &ol);
	CHECK_INT(ol.n, 0, "no action in lines not understood");
	CHECK_INT(ol.not_understood.n, 3, "three lines not understood; the signature is not one");
	officer_lines_free(&ol);

	rd("Note: seen\n\n-----Original Message-----\nFrom: cme@la.test\nSent: today\n"
	   "Subject: x\n\nSurname: Smith\n", &ol);
	CHECK(ol.n == 1 && ol.v[0].kind == OL_NOTE, "quoted text below a reply is not read");
	officer_lines_free(&ol);

	/* hostile sizes: a 200 KB line, and thousands of action lines */
	{
		size_t big = 200 * 1024;
		char *t = malloc(big + 64);
		size_t o = 0;

		if (t == NULL)
			abort();
		o += (size_t)snprintf(t, big, "Visit: 01/11/2026 ");
		while (o + 6 < big)
			memcpy(t + o, "seen, ", 6), o += 6;
		t[o] = '\0';
		rd(t, &ol);
		CHECK(ol.n == 1 && ol.v[0].found == 1 && strlen(ol.v[0].line) <= 1000,
		      "a 200 KB line is read within its bounds");
		officer_lines_free(&ol);
		o = 0;
		while (o + 16 < big)
			memcpy(t + o, "Note: again\nX:\n", 15), o += 15;
		t[o] = '\0';
		rd(t, &ol);
		CHECK(ol.n == OFFICER_LINES_MAX && ol.not_understood.n <= OFFICER_LINES_MAX + 1,
		      "thousands of lines: at most OFFICER_LINES_MAX actions and complaints");
		officer_lines_free(&ol);
		free(t);
	}

	/* the store's field checks */
	CHECK(norm("dob", "06/11/2015", out) == 0 && strcmp(out, "2015-11-06") == 0,
	      "a UK date of birth is stored ISO");
	CHECK(norm("dob", "31/02/2015", out) != 0, "an impossible date is refused");
	CHECK(norm("dob", "2027-01-01", out) != 0, "a date of birth in the future is refused");
	CHECK(norm("upn", "b801200005001", out) == 0 && strcmp(out, "B801200005001") == 0,
	      "a UPN is upper-cased");
	CHECK(norm("upn", "B801200005002", out) != 0, "a UPN with a bad check letter is refused");
	CHECK(norm("year_group", "Reception", out) == 0 && strcmp(out, "0") == 0, "Reception is 0");
	CHECK(norm("year_group", "Year 7", out) == 0 && strcmp(out, "7") == 0, "Year 7 is 7");
	CHECK(norm("postcode", "ip4 3ql", out) == 0 && strcmp(out, "IP4 3QL") == 0,
	      "a postcode is normalised");
	CHECK(norm("postcode", "IP4 3QL x", out) != 0, "a postcode with more text is refused");
	CHECK(norm("flags", "none", out) == 0 && out[0] == '\0', "flags: none clears");
	CHECK(norm("surname", "", out) != 0, "a surname cannot be emptied");
	CHECK(norm("surname", "Brennan\xe2\x80\xae", out) == 0 && strcmp(out, "Brennan") == 0,
	      "invisible direction marks are removed");
	CHECK(norm("referrer_email", "a@b", out) != 0, "an address needs a dotted domain");
	CHECK(!case_edit_email_ok("x@la.test\r\nBcc: y@z.test"), "no header injection by address");
	return tap_done();
}

/*
 * test_extract - the extractor on small messages written here, one
 * behaviour per check.  The broad fixture set is tests/fixtures/referrals
 * (run by tests/accuracy); these pin the reading rules themselves.
 */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "tap.h"
#include "tap_vocab.h"
#include "textclean.h"
#include "vocab.h"

static struct cme_referral r;

/* Parse + extract `text` (LF line ends are fine). */
static void read_message(const char *text)
{
	struct message_limits lim;
	struct extract_options o;
	struct cme_message *m;

	referral_free(&r);
	referral_init(&r);
	message_limits_default(&lim);
	extract_options_default(&o);
	o.immediate_flags = 1UL << vocab_flag_index("child-protection-plan");
	m = message_parse(text, strlen(text), &lim);
	if (m == NULL || extract_referral(m, &o, &r) != 0)
		abort();
	message_free(m);
}

#define HDR "From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\n" \
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <t@oak.sch.test>\n"

static int has_flag(const char *name)
{
	int i = vocab_flag_index(name);

	return i >= 0 && (r.flags & (1UL << i));
}

static int has_problem(const char *part)
{
	for (size_t i = 0; i < r.problems.n; i++)
		if (strstr(r.problems.v[i], part) != NULL)
			return 1;
	return 0;
}

/* The label normaliser (issue 12 item 3): words, not spellings. */
static void norm_is(const char *label, const char *want)
{
	char out[96], what[160];

	vocab_label_normalise(label, strlen(label), out, sizeof out);
	snprintf(what, sizeof what, "normalised '%s' is '%s'", label, want);
	CHECK_STR(out, want, what);
}

static void label_is(const char *label, enum field want)
{
	char what[160];

	snprintf(what, sizeof what, "'%s' is the %s field", label, vocab_field_name(want));
	CHECK_INT(vocab_label(label, strlen(label)), want, what);
}

static void test_label_normaliser(void)
{
	norm_is("Child's surname", "child surname");
	norm_is("Pupils\u2019 names", "pupils names");
	norm_is("D. O. B.", "dob");
	norm_is("d.o.b.", "dob");
	norm_is("N C Year", "nc year");
	norm_is("3. Surname", "surname");
	norm_is("Q3) Date of birth", "date of birth");
	norm_is("q.12 Postcode", "postcode");
	norm_is("1.2 Forename", "forename");
	norm_is("a) Surname", "surname");
	norm_is("iv) Gender", "gender");
	norm_is("3", "3");
	norm_is("2nd parent name", "2nd parent name");
	norm_is("Year 7", "year 7");

	label_is("Pupils' names", F_FULLNAME);
	label_is("Pupils\u2019 surnames", F_SURNAME);
	label_is("Child's legal surname", F_SURNAME);
	label_is("Official first name", F_FORENAME);
	label_is("Full address (include postcode)", F_ADDRESS);
	label_is("Current address including postcode", F_ADDRESS);
	label_is("DoB", F_DOB);
	label_is("D O B", F_DOB);
	label_is("Child's D.O.B.", F_DOB);
	label_is("NCY", F_YEAR);
	label_is("N.C. Year", F_YEAR);
	label_is("National Curriculum Year Group", F_YEAR);
	label_is("Last date present", F_LAST_ATTENDED);
	label_is("Date last seen in school", F_LAST_ATTENDED);
	label_is("Last attended school", F_LAST_ATTENDED);
	label_is("Destination", F_NEW_SCHOOL);
	label_is("Destination school (if known)", F_NEW_SCHOOL);
	label_is("New school if known", F_NEW_SCHOOL);
	label_is("Known as", F_NOTES);
	label_is("Preferred name", F_NOTES);
	label_is("Parent/carer with parental responsibility", F_PARENT);
	label_is("Name of parent/carer with parental responsibility", F_PARENT_NAME);
	label_is("Person with parental responsibility", F_PARENT);
	label_is("3. Surname", F_SURNAME);
	label_is("Q4) Date of birth", F_DOB);
	label_is("b) Reason for removal from roll", F_REASON);
	label_is("Child's social worker", F_SOCIAL_WORKER);
	label_is("Current/previous school", F_SCHOOL);
	/* what must stay unknown: a whole label is never a filler word, and a
	 * plural fold does not invent fields */
	label_is("Legal", F_NONE);
	label_is("Full", F_NONE);
	label_is("Status", F_NONE);
	label_is("Siblings at other schools", F_NONE);
}

int main(void)
{
	tap_vocabulary();
	referral_init(&r);

	/* Labels and their synonyms come from the vocabulary table. */
	CHECK_INT(vocab_label("Child's surname", 15), F_SURNAME, "Child's surname is the surname");
	CHECK_INT(vocab_label("Pupil surname", 13), F_SURNAME, "Pupil surname is the surname");
	CHECK_INT(vocab_label("Legal surname", 13), F_SURNAME, "Legal surname is the surname");
	CHECK_INT(vocab_label("D.O.B.", 6), F_DOB, "D.O.B. is the date of birth");
	CHECK_INT(vocab_label("Date of birth (dd/mm/yyyy)", 26), F_DOB,
	          "a bracketed format hint is ignored");
	CHECK_INT(vocab_label("Pupil forename(s)", 17), F_FORENAME, "forename(s) is the forename");
	CHECK_INT(vocab_label("Favourite colour", 16), F_NONE, "an unknown label is not a field");
	test_label_normaliser();

	read_message(HDR "Subject: referral\n\n"
		"Child's forename: Mia\nChild's surname: Kerr\nDate of birth: 3rd April 2014\n"
		"UPN: B801200005001\nPostcode: ip1  2bx\nSex: Female\n"
		"Reason for referral: family moved abroad to Spain\n");
	CHECK_INT(r.kind, KIND_REFERRAL, "labelled lines make a referral");
	CHECK_INT(r.n_children, 1, "one child");
	CHECK_STR(r.children[0].forename, "Mia", "forename read");
	CHECK_STR(r.children[0].dob, "2014-04-03", "'3rd April 2014' is 2014-04-03");
	CHECK_INT(r.children[0].upn_valid, 1, "valid UPN recognised");
	CHECK_STR(r.children[0].postcode, "IP1 2BX", "postcode normalised");
	CHECK_STR(r.children[0].gender, "F", "Female is F");
	CHECK_STR(r.children[0].reason, "moved-abroad", "reason from the vocabulary");
	CHECK_INT(r.children[0].year_group, 8, "year group computed from DOB on the message date");

	read_message(HDR "Subject: referral\n\nName: SMITH, Jayden\nDOB: 03.04.2014\n"
		"UPN: B801200005002\n");
	CHECK_STR(r.children[0].surname, "SMITH", "'SMITH, Jayden': surname first");
	CHECK_STR(r.children[0].forename, "Jayden", "'SMITH, Jayden': forename second");
	CHECK_INT(r.children[0].upn_valid, 0, "a bad check letter is upn_valid false");
	CHECK(has_problem("check letter"), "a bad UPN is listed as a problem");

	/* Child blocks share the fields given outside them. */
	read_message(HDR "Subject: two children\n\nChild 1\nName: Tom Hale\nDOB: 01/02/2015\n\n"
		"Child 2\nName: Ella Hale\nDOB: 2018-07-09\n\nAddress: 4 Elm Row, Hull HU1 1AA\n");
	CHECK_INT(r.n_children, 2, "'Child 1'/'Child 2' blocks are two children");
	CHECK_STR(r.children[1].forename, "Ella", "second child's name");
	CHECK_STR(r.children[0].postcode, "HU1 1AA", "shared address applies to child 1");
	CHECK_STR(r.children[1].postcode, "HU1 1AA", "shared address applies to child 2");

	/* Negation: a negated mention sets no flag. */
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Safeguarding concerns: none known. Not known to social care.\n");
	CHECK(!has_flag("social-worker"), "'not known to social care' sets no flag");
	CHECK(r.flags == 0, "'Safeguarding concerns: none known' sets no flag");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Safeguarding: Ava is subject to a child protection plan and is a young carer.\n");
	CHECK(has_flag("child-protection-plan"), "a child protection plan is flagged");
	CHECK(has_flag("young-carer"), "a young carer is flagged");
	CHECK_INT(r.immediate, 1, "a flag on the policy's immediate list makes it immediate");

	/* Answers, not questions (issue 12): the form asks, the answer sets. */
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Is the child subject to a child protection plan?  Yes [ ]  No [x]\n"
		"Looked after child: \xE2\x98\x90 Yes \xE2\x98\x92 No\n"
		"Is the child privately fostered? Yes / No\n"
		"Section 47 enquiry: ~~Yes~~ / No\n");
	CHECK(r.flags == 0, "questions answered No, unanswered or struck set no flag");
	CHECK(!r.immediate, "... and escalate nothing");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Child protection plan: \xE2\x98\x92 Yes \xE2\x98\x90 No\n"
		"Looked after?\nYes\n");
	CHECK(has_flag("child-protection-plan"), "a ticked Yes sets the flag");
	CHECK(has_flag("looked-after"), "a Yes on the line below the question sets the flag");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Looked After Child \xE2\x98\x90\nChild Protection Plan \xE2\x98\x92\n");
	CHECK(!has_flag("looked-after") && has_flag("child-protection-plan"),
	      "a checklist box after its item answers it (and no shorter phrase re-reads it)");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava was on a CP plan until 2024 and was previously looked after.\n");
	CHECK(r.flags == 0, "an ended plan and a past care episode set no flag");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Child protection plan: No\n\n"
		"Ava has been subject to a child protection plan since October.\n");
	CHECK(has_flag("child-protection-plan"), "a plan stated in the narrative counts over a No");
	CHECK(has_problem("answers No to child-protection-plan"),
	      "... and the conflict is a problem for the officer");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Is there a risk of forced marriage, child sexual exploitation,\n"
		"domestic abuse or radicalisation?\nNo\n");
	CHECK(r.flags == 0, "a question wrapped onto the next line is answered by the line below it");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Is the child subject to a CP plan?  Yes \xE2\x98\x92 / No \xE2\x98\x90   "
		"Social Worker: Anna Berg\n");
	CHECK(has_flag("child-protection-plan"), "a ticked Yes before a second label on the line");
	CHECK(has_flag("social-worker"),
	      "a social worker named after a label counts (the No box before it is another option's)");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava was on a child protection plan until March 2025. A missing person "
		"report is being considered.\n");
	CHECK(r.flags == 0, "a plan 'until March 2025' has ended; a report 'being considered' is not made");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava's family has an allocated social\nworker. Mum's partner poses a risk to children.\n");
	CHECK(has_flag("social-worker"), "a phrase broken across lines by a hard wrap is read");
	CHECK(has_flag("risk-of-harm"), "'poses a risk to children' is a risk of harm");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"EHCP: No SEN support Yes \xE2\x80\x93 K\n"
		"We believe Ava is being groomed no matter what mum says.\n");
	CHECK(has_flag("sen") && !has_flag("ehcp"), "an answer ending its cell answers the label before it");
	CHECK(has_flag("exploitation"), "... but 'groomed no matter what' is a sentence");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava has not attended since 02/11/2026.\n\nAnn Lee\nSocial Worker, Children in Care Team\n");
	CHECK(has_flag("social-worker"), "a social worker who refers is the child's social worker");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava has not attended since 02/11/2026.\n\nAnn Lee\nEducation Social Worker\n");
	CHECK(r.flags == 0, "an education social worker (attendance staff) is not the child's");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"If the child is subject to a child protection plan, please contact the MASH.\n"
		"NB: if you believe the child is at immediate risk of harm call 999.\n"
		"Where there are concerns about exploitation, trafficking or FGM, follow procedures.\n"
		"Please indicate if any of the following apply: CP plan, LAC, EHCP\n");
	CHECK(r.flags == 0 && !r.immediate, "a form's guidance and conditions state no fact");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"If mum does not reply we will visit. Ava is subject to a child protection plan.\n");
	CHECK(has_flag("child-protection-plan"), "... while a fact after a condition counts");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Social care involvement: Closed in 2023\n");
	CHECK(!has_flag("social-worker"), "a social care label answered by an ended state is No");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava is a child in care. Her carer reported her missing on Friday.\n");
	CHECK(has_flag("looked-after") && has_flag("missing-from-home"),
	      "'a child in care' is looked after; 'reported her missing' is missing from home");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Child Protection Plan? Y/N  Y\nSection 47 enquiry - Y/N: N\n\nFGM\n\nNo concerns\n");
	CHECK(has_flag("child-protection-plan") && !has_flag("section-47") && !has_flag("fgm"),
	      "a printed 'Y/N' prompt is not the answer; a label alone on its line is answered 'No concerns'");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Vulnerabilities:\nYoung carer\nNo school place since September.\n");
	CHECK(has_flag("young-carer"), "... but an item above a sentence starting 'No' is still an item");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava is not known to be at risk of FGM. There is nothing to suggest forced marriage.\n"
		"The CP plan was discontinued at review in September.\n");
	CHECK(r.flags == 0, "a negation reaching over several words, and a discontinued plan, set no flag");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"There is no evidence she attends any school and police believe she is being exploited.\n");
	CHECK(has_flag("exploitation"), "... but it stops at a clause joined by 'and'");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Field\tChild 1\tChild 2\nCP plan\tNo\tYes\nLooked after\tNo\tNo\n");
	CHECK(has_flag("child-protection-plan") && !has_flag("looked-after"),
	      "a column per child: a Yes in any child's cell answers the row's label");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Child Protection Plan \xE2\x98\x90 Child in Need \xE2\x98\x92 Looked After \xE2\x98\x90\n");
	CHECK(has_flag("social-worker") && !has_flag("looked-after") && !r.immediate,
	      "boxes after their items: each box is its own item's, not the next one's");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Risk of harm: Low\n");
	CHECK(r.flags == 0, "a risk label answered 'Low' is no risk of harm");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ground for removal (select one):\n( ) a - registered at another school\n"
		"(x) g1 - no longer resides in this country\n"
		"( ) i - continuous absence of 20 school days\n");
	CHECK_STR(r.children[0].reason, "moved-abroad", "only the chosen option is the reason");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Reason for removal:\n\xE2\x97\x8B g1 - no longer resides in this country\n"
		"\xE2\x97\x8F h - failed to return after a leave of absence\n"
		"\xE2\x97\x8B i - continuous absence of 20 school days\n");
	CHECK_STR(r.children[0].reason, "not-returned-from-leave",
	          "radio buttons: the options with an empty disc are not chosen");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Her father is a Lance Corporal in the Army. She went missing from her foster placement.\n");
	CHECK(has_flag("armed-forces"), "a parent named by rank is a service family");
	CHECK(has_flag("missing-from-home"), "missing from a foster placement is missing from care");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Ava is looked after by her grandmother after school; mum volunteers with the Salvation Army.\n");
	CHECK(r.flags == 0, "'looked after by her grandmother' and the Salvation Army set no flag");
	read_message(HDR "Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n"
		"Please send the form back.\n");
	CHECK(!has_flag("sen"), "'send' in prose is not the SEND flag");

	/* Quoted text is the past: not read. */
	read_message(HDR "Subject: RE: [CME-2026-00042] referral\nIn-Reply-To: <x@la.test>\n\n"
		"Home visit today, no answer.\nVisit date: 12/11/2026\n\n"
		"> Child's forename: Old\n> Date of birth: 01/01/2010\n");
	CHECK_INT(r.kind, KIND_UPDATE, "a reply with a case ref and a visit is an update");
	CHECK_INT(r.n_children, 0, "quoted lines give no child");
	CHECK(r.case_refs.n == 1 && strcmp(r.case_refs.v[0], "CME-2026-00042") == 0,
	      "the case reference is read from the subject");
	CHECK_STR(r.visit_date, "2026-11-12", "visit date read");
	CHECK_INT(r.visit_found, 0, "'no answer' means the child was not found");

	/* CSV: one child per row, header synonyms, quoted commas. */
	read_message(HDR "Subject: list\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee list.\n"
		"--b\nContent-Type: text/csv; name=l.csv\nContent-Disposition: attachment; filename=l.csv\n\n"
		"Legal surname,Forename,D.O.B.,Address,Postcode,Reason\n"
		"Ng,Lee,01/09/2012,\"2 Dock St, Hull\",hu2 8zz,Moved out of area\n"
		"Park,Jo,2013-10-10,,HU3 1AB,\"Excluded, no provision\"\n--b--\n");
	CHECK_INT(r.n_children, 2, "CSV rows are children");
	CHECK_STR(r.children[0].address, "2 Dock St, Hull", "a quoted comma stays in its field");
	CHECK_STR(r.children[0].postcode, "HU2 8ZZ", "CSV postcode normalised");
	CHECK_STR(r.children[0].reason, "moved-out-of-area", "CSV reason per row");
	CHECK_STR(r.children[1].reason, "excluded-no-provision", "second row's own reason");

	/* HTML table, header row with one child per row. */
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<table><tr><th>Surname</th><th>Forename</th><th>DOB</th></tr>"
		"<tr><td>Bell</td><td>Max</td><td>02/03/2016</td></tr>"
		"<tr><td>Bell</td><td>Lily&nbsp;May</td><td>04/05/2018</td></tr></table>");
	CHECK_INT(r.n_children, 2, "HTML rows under a header row are children");
	CHECK_STR(r.children[1].forename, "Lily May", "&nbsp; decoded inside a name");

	/* Auto-replies and bounces open nothing. */
	read_message(HDR "Subject: Out of office\nAuto-Submitted: auto-replied\n\nAway.\n");
	CHECK_INT(r.kind, KIND_AUTO_REPLY, "Auto-Submitted is an auto-reply");
	read_message(HDR "Subject: hi\nPrecedence: bulk\n\nNewsletter.\n");
	CHECK_INT(r.kind, KIND_AUTO_REPLY, "Precedence: bulk is an auto-reply");
	read_message(HDR "Subject: Our newsletter\n\nTerm dates and the PTA fair.\n");
	CHECK_INT(r.kind, KIND_UNRECOGNISED, "a message with no child is unrecognised");
	CHECK(r.problems.n > 0, "an unrecognised message says why");

	/* Bounds: more children than the cap. */
	{
		char *big = malloc(200000);
		size_t o = 0;

		o += (size_t)sprintf(big, HDR "Subject: many\n\n");
		for (int i = 1; i <= EXTRACT_MAX_CHILDREN + 10; i++)
			o += (size_t)sprintf(big + o, "Child %d\nName: Kid Number%d\nDOB: 01/01/2015\n\n", i, i);
		read_message(big);
		free(big);
		CHECK_INT(r.n_children, EXTRACT_MAX_CHILDREN, "children are capped per message (1000)");
		CHECK(r.problems.n > 0 && strstr(r.problems.v[r.problems.n - 1], "more than") != NULL &&
		      strstr(r.problems.v[r.problems.n - 1], "other 10 are listed") != NULL,
		      "the cap is reported as a problem, with the count of the rest");
		CHECK_INT(r.n_overflow, 10, "the 10 children past the cap are counted");
		{
			size_t lines = 0;

			for (const char *p = strbuf_str(&r.overflow); (p = strstr(p, "Number, Kid; born 2015-01-01\n")); p++)
				lines++;
			CHECK_INT(lines, 10, "and listed, one line each (name and DOB)");
		}
	}

	/* A name line that carries the date of birth too. */
	read_message(HDR "Subject: x\n\nChild: Ali Khan born 3rd Apr 2014\n");
	CHECK_STR(r.children[0].surname, "Khan", "'Ali Khan born ...': the name ends at 'born'");
	CHECK_STR(r.children[0].dob, "2014-04-03", "and the DOB after 'born' is read");

	/* C1 controls and U+2028 are line breaks: never inside a value. */
	read_message(HDR "Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
		"Name: Eve \xc2\x85" "ATTENDEE Smith\xe2\x80\xa8" "X\nDOB: 01/01/2015\n");
	CHECK(r.n_children == 1 && strstr(r.children[0].forename, "\xc2\x85") == NULL &&
	      strstr(r.children[0].surname, "\xe2\x80\xa8") == NULL,
	      "NEL and LINE SEPARATOR are removed from names");

	/* Invisible characters (bidi overrides and isolates, marks, zero-width
	 * characters, BOM, soft hyphen) are removed from every stored value. */
	read_message(HDR "Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
		"Child's forename: El\xe2\x80\x8blie\xe2\x80\xae\n"
		"Child's surname: \xef\xbb\xbfKe\xe2\x80\x8drr\xc2\xad\xe2\x81\xa6\xe2\x81\xa0\n"
		"Date of birth: 01/01/2015\n"
		"School: Oak\xe2\x80\x8f Primary\xe2\x81\xa9\n"
		"Address: 1 High\xe2\x80\xad Street\xe2\x80\xac\n"
		"Referrer: Ann\xe2\x80\xaa Lee\n");
	CHECK(r.n_children == 1, "the child is read");
	CHECK_STR(r.n_children ? r.children[0].forename : NULL, "Ellie",
	          "ZWSP and RLO are removed from the forename");
	CHECK_STR(r.n_children ? r.children[0].surname : NULL, "Kerr",
	          "BOM, ZWJ, soft hyphen, LRI and word joiner are removed from the surname");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Oak Primary",
	          "RLM and PDI are removed from the school");
	CHECK_STR(r.n_children ? r.children[0].address : NULL, "1 High Street",
	          "LRO and PDF are removed from the address");
	CHECK_STR(r.referrer.name, "Ann Lee", "LRE is removed from the referrer");
	{
		char *v = text_clean("a\xe2\x80\xae\xc2\x85z\xe2\x80", 9, 100);

		CHECK_STR(v, "a z", "text_clean: RLO dropped, NEL a space, a cut sequence dropped");
		free(v);
	}

	/* Hostile text: CR/LF and iCalendar syntax stay inside the value. */
	read_message(HDR "Subject: x\n\nName: Eve BEGIN:VEVENT\nDOB: 01/01/2015\n");
	CHECK(r.n_children == 1 && strchr(r.children[0].surname, '\n') == NULL,
	      "no newline inside an extracted value");

	referral_free(&r);
	return tap_done();
}

/*
 * test_extract - the extractor on small messages written here, one
 * behaviour per check.  The broad fixture set is tests/fixtures/referrals
 * (run by tests/accuracy); these pin the reading rules themselves.
 */
#include <stdio.h>
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

/* Prose (issue 12 item 6): what a member of the public, the police or
 * housing write in sentences. */
static void test_prose(void)
{
	read_message(HDR "Subject: x\n\nI am worried about Kai Moss (DOB 01/02/2015). "
		"Mum (Jo Moss, 07700 900111) says he is not in school.\n");
	CHECK(r.n_parents == 1 && r.parents[0].name && strcmp(r.parents[0].name, "Jo Moss") == 0,
	      "'Mum (Jo Moss, ...)': the parent's name inside the bracket");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900111", "and the phone after it");
	read_message(HDR "Subject: x\n\nI am worried about Kai Moss (DOB 01/02/2015). "
		"His dad is Lee\nMoss and he says they moved.\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Lee Moss",
	          "'his dad is Lee<wrap>Moss': a link word and a hard wrap inside the name");
	read_message(HDR "Subject: x\n\nI am worried about Kai Moss (DOB 01/02/2015). "
		"Mum - Jo Moss - 07700 900111.\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Jo Moss", "'Mum - Jo Moss -': after a dash");
	read_message(HDR "Subject: x\n\nI am worried about Kai Moss (DOB 01/02/2015). "
		"Mum's name is Jo Moss.\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Jo Moss", "'Mum's name is Jo Moss'");
	read_message(HDR "Subject: x\n\nThe three Shah boys, Omar, Bilal who is about 8 "
		"and their little brother Zain, are at home all day.\n");
	CHECK(r.n_children == 3 && strcmp(r.children[2].forename, "Zain") == 0 &&
	      strcmp(r.children[2].surname, "Shah") == 0,
	      "'the three Shah boys, Omar, Bilal ... and their little brother Zain': three children");
	read_message(HDR "Subject: x\n\nThere are two girls, Amy and Lily Cole, at number 4.\n");
	CHECK(r.n_children == 2 && strcmp(r.children[0].surname, "Cole") == 0,
	      "'two girls, Amy and Lily Cole': the family name after the last forename");
	read_message(HDR "Subject: x\n\nThe two Khan children, Ayaan (DOB 03/04/2018, Year 4) "
		"and Zara (DOB 12/06/2019), are at home.\n");
	CHECK(r.n_children == 2 && r.children[0].dob && strcmp(r.children[0].dob, "2018-04-03") == 0 &&
	      r.children[1].dob && strcmp(r.children[1].dob, "2019-06-12") == 0,
	      "a group child's DOB is read in its own stretch");
	CHECK_INT(r.n_children ? r.children[0].year_group : -1, 4, "and its stated year group");
	read_message(HDR "Subject: x\n\nHer three kids - Tom, Jack and Lily Smith - are never "
		"at school.\n");
	CHECK_INT((long)r.n_children, 3, "a group after a dash");
	read_message(HDR "Subject: x\n\nThere are two children, one of them is Amy Cole.\n");
	CHECK(r.n_children <= 1, "a count with fewer names after it makes no group");
	read_message(HDR "Subject: x\n\nOfficers attended Room 6, 40 London Road, Grays RM17 5XY.\n"
		"Present were Kai Moss, DOB 01/02/2015, and Ben Moss, aged 2.\n");
	CHECK_INT((long)r.n_children, 1, "'Ben Moss, aged 2' is a younger sibling, not referred");
	CHECK_STR(r.n_children ? r.children[0].address : NULL, "Room 6, 40 London Road, Grays",
	          "an address with no cue: from its flat or room word to the postcode");
}

/* Flag phrases in sentences: hard wraps, hypotheticals, carers. */
static void test_prose_flags(void)
{
	read_message(HDR "Subject: x\n\nKai Moss (DOB 01/02/2015) is not in school. She has an "
		"allocated social\nworker (Priya Nair).\n");
	CHECK(has_flag("social-worker"), "'social<wrap>worker': a phrase across a hard wrap");
	read_message(HDR "Subject: x\n\nKai Moss (DOB 01/02/2015): the house was empty. A missing "
		"person report is being considered.\n");
	CHECK(!has_flag("missing-from-home"), "a missing person report being considered is no episode");
	read_message(HDR "Subject: x\n\nKai Moss (DOB 01/02/2015) is needed at home to care for "
		"her younger brother.\n");
	CHECK(has_flag("young-carer"), "'needed at home to care for her brother' is a young carer");
}

/* Reasons a move written in prose gives (places.c, reasons.vocab). */
static void reason_is(const char *sentence, const char *want, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof msg, HDR "Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
	         "Child: Ali Khan\nDOB: 01/01/2015\n\n%s\n", sentence);
	read_message(msg);
	CHECK_STR(r.n_children ? r.children[0].reason : NULL, want, what);
}

/* The child's school named in a sentence (prose_child.c). */
static void test_prose_school(void)
{
	read_message(HDR "Subject: x\n\nMia Hart (DOB 01/02/2015) has not attended Elm Tree "
		"Academy since 2 October.\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Elm Tree Academy",
	          "'has not attended Elm Tree Academy since ...': the school");
	CHECK_STR(r.n_children ? r.children[0].last_attended : NULL, "2026-10-02",
	          "and the date after 'since' is the last day attended");
	read_message(HDR "Subject: x\n\nWe are tracing Mia Hart (DOB 01/02/2015), removed from "
		"roll at St Anne's C of E Primary School on 23/10/2026.\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "St Anne's C of E Primary School",
	          "'removed from roll at ...': the school, with its joining words");
	read_message(HDR "Subject: x\n\nMia Hart (DOB 01/02/2015) was a pupil at Oak Primary "
		"School until 30/10/2026.\n");
	CHECK_STR(r.n_children ? r.children[0].last_attended : NULL, "2026-10-30",
	          "'a pupil at ... until DATE': the last day attended");
	read_message(HDR "Subject: x\n\nMia Hart (DOB 01/02/2015) has been a pupil at Oak Primary "
		"School since 2019.\n");
	CHECK(r.n_children == 1 && r.children[0].last_attended == NULL,
	      "'a pupil at ... since 2019' is no last day attended");
}

/* Updates written in sentences (prose_update.c, outcomes.vocab). */
static void test_prose_updates(void)
{
	read_message(HDR "Subject: RE: CME-2026-00035\n\nHome visit 24/11/2026 14:30 - seen "
		"Kai and mum at home.\n");
	CHECK_INT(r.visit_found, 1, "'seen Kai and mum': a seen word before a name finds the child");
	read_message(HDR "Subject: RE: CME-2026-00035\n\nHome visit 24/11/2026 - Kai not seen, "
		"no answer.\n");
	CHECK_INT(r.visit_found, 0, "'Kai not seen, no answer' does not");
	read_message(HDR "Subject: RE: CME-2026-00035\n\nVisited 24/11/2026 at 10:15; nobody "
		"answered the door.\n");
	CHECK_INT(r.visit_found, 0, "'nobody answered the door': not found");
	read_message(HDR "Subject: RE: CME-2026-00033\n\nThe family have returned to Poland "
		"permanently. He is enrolled at a school in Krakow.\n");
	CHECK_STR(r.outcome, "moved-abroad", "a return abroad wins over 'enrolled at a school' there");
	read_message(HDR "Subject: RE: CME-2026-00049\n\nShe has been placed at the Pupil Referral "
		"Unit full time from 23/11/2026.\n");
	CHECK_STR(r.outcome, "located-other-provision", "a pupil referral unit place is other provision");
	read_message(HDR "Subject: RE: CME-2026-00039\n\nThe family live here now; our CME team "
		"will take it over from here.\n");
	CHECK_STR(r.outcome, "moved-out-of-area", "another council taking the case over");
	read_message(HDR "Subject: CME-2026-00070\n\nCME-2026-00070 is a duplicate of "
		"CME-2026-00066; please close it.\n");
	CHECK_STR(r.outcome, "duplicate", "'is a duplicate of' another case");
	read_message(HDR "Subject: RE: CME-2026-00012\n\nKai has been located - he joined "
		"Hillside Academy on 02/11/2026.\n");
	CHECK_STR(r.new_school, "Hillside Academy", "'joined Hillside Academy': the new school");
	CHECK_STR(r.outcome, "located-on-roll", "and the child is on roll");
}

static void test_prose_reasons(void)
{
	reason_is("Mum said they are moving in with her sister in Birmingham.", "moved-out-of-area",
	          "'moving in with her sister in Birmingham': a UK town after a stay cue");
	reason_is("Mum said they were moving \xe2\x80\x9csomewhere near Swindon\xe2\x80\x9d.",
	          "moved-out-of-area", "'somewhere near Swindon' in curly quotes");
	reason_is("The family moved on from the site on 13/11/2026, destination unknown.",
	          "moved-away-unknown", "a family that moved on, destination unknown, moved away");
	reason_is("9(1)(g) The pupil no longer normally lives a reasonable distance from the school.",
	          "moved-out-of-area", "the 9(1)(g) deletion ground is a move out of the area");
	reason_is("The family were moved by the Home Office to\nCardiff on 19/11/2026.",
	          "moved-out-of-area", "'moved by the Home Office to<wrap>Cardiff': an agent cue");
	reason_is("He has been living with his nan in Swansea since September.", "moved-out-of-area",
	          "'living with his nan in Swansea': a listed town after a stay cue");
	reason_is("A neighbour said they were going to Bradford.", "moved-out-of-area",
	          "'going to Bradford': a listed town after a weak cue");
	reason_is("No answer at two visits; phone disconnected.", "moved-away-unknown",
	          "a disconnected phone and no answer: moved away");
	reason_is("We believe the family have moved to your area.",
	          "moved-into-area-no-school", "'moved to your area' from another council: moving in");
}

int main(void)
{
	tap_vocabulary();
	referral_init(&r);
	test_prose();
	test_prose_reasons();
	test_prose_updates();
	test_prose_school();
	test_prose_flags();

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

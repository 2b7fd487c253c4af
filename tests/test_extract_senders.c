/*
 * test_extract_senders - reading rules found by corpus F (fixtures
 * 800-819: police notices, health and housing workers, LA-to-LA
 * notices, MIS exports, deletion notices, bilingual forms, follow-ups),
 * one behaviour per check, on small messages written here.
 * Corpus G's referrer labels are here too.  test_extract.c holds the
 * older rules; the fixtures are run by
 * tests/accuracy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "tap.h"
#include "tap_extract.h"
#include "tap_vocab.h"
#include "vocab.h"

#define HDR "From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\n" \
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <t@oak.sch.test>\n" \
	"Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
/* A message from another sender; the body type and blank line follow. */
#define FROM_HDR(from) "From: " from "\nTo: cme@la.test\n" \
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <f@la.test>\nSubject: x\n"

static const char *reason0(void)
{
	return r.n_children ? r.children[0].reason : NULL;
}

/* Reasons: a wrapped value, regulation wording, offers, arrivals. */
static void test_reasons(void)
{
	read_message(HDR "Name: Harley Price\nDOB: 01/02/2017\n\nConcerns\n"
		"Harley has not attended since 5 October. Mum says they have moved to\n"
		"Blackburn and he will not be returning.\n");
	CHECK_STR(reason0(), "moved-out-of-area",
	          "a 'Concerns' value wrapped after 'moved to' still names the town");

	read_message(HDR "Name: Harley Price\nDOB: 01/02/2017\n"
		"Reason: not attended since 5 October, family moved to\n"
		"Blackburn last month\n");
	CHECK_STR(reason0(), "moved-out-of-area",
	          "a child's own Reason value wrapped onto the next line is read whole");

	read_message(HDR "Name: Lukas Novak\nDOB: 03/03/2013\n\n"
		"We offered a place at Hillcrest Academy; Mr Novak declined the offer.\n");
	CHECK_STR(reason0(), "school-place-refused", "'declined the offer' refuses the place");

	read_message(HDR "Name: Yusuf Ahmed\nDOB: 09/12/2014\n"
		"Ground: 8(1)(f)(i) - the pupil has failed to attend within the ten school days\n"
		"following the expiry of the period for which leave was granted.\n");
	CHECK_STR(reason0(), "not-returned-from-leave",
	          "regulation 8(1)(f)'s own words are a leave not returned from");

	read_message(HDR "Name: Mason Reid\nDOB: 03/03/2018\n\n"
		"The family moved down from Glasgow in August and did not know to apply.\n");
	CHECK_STR(reason0(), "moved-into-area-no-school", "'moved down from' is an arrival");

	read_message(HDR "Name: Jacob Ellis\nDOB: 27/11/2015\n"
		"Reason: a holiday to Jamaica which we had not authorised and have not returned.\n");
	CHECK_STR(reason0(), "not-returned-from-leave",
	          "'not authorised and have not returned': the first 'not' is another clause's");
}

/* A police notice: one line per person, several labels on it. */
static void test_record_lines(void)
{
	read_message(HDR "CHILDREN PRESENT\n"
		"Name: Tyler BRIGGS     DOB: 05.03.14     Gender: Male\n"
		"Name: Kayla BRIGGS     DOB: 22.08.17     Gender: Female\n\nADULTS\n"
		"Name: Leanne BRIGGS (mother)     Tel: 07700 900811\n");
	CHECK_INT((int)r.n_children, 2, "'Name: ... DOB: ...' lines: a child a line");
	CHECK_STR(r.n_children > 1 ? r.children[1].dob : NULL, "2017-08-22",
	          "... the second line's date of birth is the second child's");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Leanne BRIGGS",
	          "the name under an 'ADULTS' heading is the parent");
}

/* The child's school named in a sentence. */
static void test_school(void)
{
	read_message(HDR "Eden Walsh (DOB 01/02/2015) has not been to Orford Primary School "
		"since the end of September.\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Orford Primary School",
	          "'has not been to X School since': the child's school");
	read_message(HDR "Referral: Leo Grant, DOB 21/05/2018, Year 4, Caversham Primary School.\n"
		"The family have moved away.\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Caversham Primary School",
	          "'NAME, DOB ..., Year 4, X School.': the item after the year group");
	read_message(HDR "Jordan Mills (DOB 11/11/2010) was permanently excluded from Kingsway "
		"Academy on 3 October.\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Kingsway Academy",
	          "'excluded from X Academy': the child's school");
}

/* Parents: the adult a housing or admissions notice deals with. */
static void test_parents(void)
{
	read_message(HDR "1. Child\nName: Harley Price\nDOB: 01/02/2017\n\n"
		"2. Parents/carers\nDanielle Price (mother) 07700 900821\n\n3. Concerns\n"
		"Mum has told us (mother of two) they have moved away\n");
	CHECK_INT((int)r.n_parents, 1, "a line under a numbered 'Parents/carers' heading is the "
	          "parent, the sentence under the next heading is not");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900821", "... with its phone");

	read_message(HDR "I found that Mason Reid (DOB 03/03/2018) is not in school. His mum, Kirsty "
		"Reid, did not know she had to apply.\nMum is happy to be contacted on 07700 900812.\n");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900812",
	          "a later sentence opening with the parent's relationship word gives the phone");

	read_message(HDR "Applicant: Sadia Begum, 07700 900814\n"
		"Children:\nAyaan Begum, DOB 19/07/2015\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Sadia Begum",
	          "an 'Applicant:' line is the parent");

	read_message("From: Ann Lee <a.lee@housing.la.test>\nTo: cme@la.test\n"
		"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <h@la.test>\n"
		"Subject: x\nContent-Type: text/html; charset=utf-8\n\n"
		"<table><tr><th>Name</th><th>DOB</th><th>Age</th><th>Relationship</th></tr>"
		"<tr><td>Simone Grant</td><td>11/04/1994</td><td>32</td><td>Applicant</td></tr>"
		"<tr><td>Malik Grant</td><td>05/05/2015</td><td>11</td><td>Son</td></tr>"
		"</table>");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Simone Grant",
	          "a household table's adult 'Applicant' row is the parent");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, NULL,
	          "... and 'Applicant' is no relationship");
	CHECK_INT((int)r.n_children, 1, "... and not a child");
}

/* A bilingual form's "Welsh / English" labels. */
static void test_bilingual(void)
{
	CHECK_INT(vocab_label("Dyddiad geni / Date of birth", 28), F_DOB,
	          "'Dyddiad geni / Date of birth': both sides the date of birth");
	CHECK_INT(vocab_label("Town / LA moving to", 19), F_NONE,
	          "'Town / LA moving to' is no bilingual pair: no field");
	read_message(HDR "Enw'r plentyn / Child's name: Cerys Morgan\n"
		"Dyddiad geni / Date of birth: 03.03.15\nRhyw / Gender: Benyw / Female\n"
		"Rhiant / Parent: Rhian Morgan (mam / mother)\n");
	CHECK_STR(r.n_children ? r.children[0].surname : NULL, "Morgan",
	          "the child's name under a Welsh / English label");
	CHECK_STR(r.n_children ? r.children[0].dob : NULL, "2015-03-03",
	          "... the date of birth ('03.03.15')");
	CHECK_STR(r.n_children ? r.children[0].gender : NULL, "F", "... 'Benyw / Female' is F");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Rhian Morgan", "... the parent");
}

/* An MIS grid pasted into a plain text, TABs between its cells. */
static void test_tab_grid(void)
{
	read_message(HDR "The pupils below have left.\n\n"
		"Legal Surname\tLegal Forename\tDOB\tGender\tPost Code\n"
		"Mensah\tKofi\t03/03/2015\tM\tNG7 2FT\n"
		"Mensah\tAma\t28/10/2017\tF\tNG7 2FT\n");
	CHECK_INT((int)r.n_children, 2, "a pasted TAB grid under a header row: a child a row");
	CHECK_STR(r.n_children > 1 ? r.children[1].forename : NULL, "Ama",
	          "... the second row's forename from its column");
	read_message(HDR "SURNAME*\tNOWAK\nFIRST NAME*\tKacper\nDOB*\t12/05/2014\n");
	CHECK_STR(r.n_children ? r.children[0].forename : NULL, "Kacper",
	          "'LABEL<TAB>value' form lines are still labels, not a grid");
}

/* Referrer labels of corpus G's forms (900, 912). */
static void test_referrer_labels(void)
{
	read_message(HDR "Name: Callum Armstrong\nDOB: 12/05/2011\n\n"
		"Sent by: Graham Tate, Pupil Support Manager\n");
	CHECK_STR(r.referrer.name, "Graham Tate", "'Sent by:' names the referrer");
	read_message(HDR "Name of Referrer: Rachel Osei\n"
		"Role of person completing referral: Designated Safeguarding Lead\n\n"
		"First name: Kemi\nSurname: Adeyemi\nDate of birth: 14/02/2017\n");
	CHECK_STR(r.referrer.role, "Designated Safeguarding Lead",
	          "'Role of person completing referral' is the referrer's role");
	read_message(FROM_HDR("Central Safeguarding Team <cst@police.test>")
		"\nName: Tyler BRIGGS     DOB: 05.03.14\n\n"
		"Researcher: DC 4471 Sarah Penrose\nCentral Safeguarding Team\n");
	CHECK_STR(r.referrer.name, "Sarah Penrose",
	          "a police notice's 'Researcher:' is the referrer, rank and number dropped");
}

/* Who filled in an online form: the form tool's mailbox never referred. */
static void test_form_referrers(void)
{
	read_message(FROM_HDR("Google Forms <forms-receipts-noreply@google.test>")
		"\nA new response has been recorded.\n\n"
		"Pupil's legal surname: Hughes\nDate of birth: 02/02/2017\n"
		"Name of person completing this form: Helen Marsh\nRole: Office Manager\n");
	CHECK_STR(r.referrer.name, "Helen Marsh",
	          "'Name of person completing this form' is the referrer, not 'Google Forms'");
	read_message(FROM_HDR("Microsoft Forms <no-reply@forms.test>")
		"\nChild's name: Callum Hughes\nDate of birth: 02/02/2017\n");
	CHECK_STR(r.referrer.name, NULL, "a form tool's From name is never the referrer");
	read_message(HDR "Enw / Name: Cai Pritchard\nDyddiad geni / Date of birth: 01/02/2015\n\n"
		"Dyddiad olaf yn yr ysgol / Last day attended: 25/09/2026\n\n"
		"Llenwyd gan / Completed by: Eleri Jones, Pennaeth Blwyddyn / Head of Year\n");
	CHECK_STR(r.referrer.name, "Eleri Jones", "Welsh 'Llenwyd gan / Completed by'");
	CHECK_STR(r.n_children ? r.children[0].last_attended : NULL, "2026-09-25",
	          "Welsh 'Dyddiad olaf yn yr ysgol / Last day attended'");
}

/* A referrer's title is dropped as a parent's is: the role says the rest. */
static void test_referrer_titles(void)
{
	read_message(HDR "Re: Harvey Collins, DOB 03/07/2016\n\nHarvey was not brought to three"
		" appointments.\n\nYours sincerely\n\nDr Fiona Grant\nSafeguarding Lead GP\n"
		"Larkfield Medical Practice\n");
	CHECK_STR(r.referrer.name, "Fiona Grant", "'Dr' is dropped from a signature's name");
	CHECK_STR(r.referrer.role, "Safeguarding Lead GP", "... the role below it kept");
	read_message(HDR "Name: Harvey Collins\nDOB: 03/07/2016\nReferrer name: Prof. Ian Hale\n");
	CHECK_STR(r.referrer.name, "Ian Hale", "'Prof.' is dropped from a labelled referrer");
}

/* A one-line note signed right under its text, no blank line between. */
static void test_note_signature(void)
{
	read_message(FROM_HDR("Claire Dunn <bursar@oak.sch.test>")
		"\nHi, please see attached.\nClaire Dunn\n"
		"School Business Manager, Oakfield Primary School\n");
	CHECK_STR(r.referrer.role, "School Business Manager",
	          "the sender's name under a note opens its signature: the role");
	CHECK_STR(r.referrer.organisation, "Oakfield Primary School", "... and the school");
}

/* The line under a signed name: its role, then an organisation after a
 * dash. */
static const struct {
	const char *line, *role, *org, *what;
} role_lines[] = {
	{ "Head of Year 9 - Hillside Academy", "Head of Year 9", "Hillside Academy",
	  "a role line's dash sets the school apart" },
	{ "Attendance Officer \xe2\x80\x93 Eastmere Council", "Attendance Officer",
	  "Eastmere Council", "... an en dash too" },
	{ "Head of Year 9 - 11", "Head of Year 9 - 11", NULL,
	  "... not a dash before no organisation" },
};

static void test_role_lines(void)
{
	char msg[1024];

	for (size_t i = 0; i < sizeof role_lines / sizeof role_lines[0]; i++) {
		snprintf(msg, sizeof msg, "%sName: Mia Clark\nDOB: 03/04/2016\n\n"
		         "Kind regards\nJo Bell\n%s\n", HDR, role_lines[i].line);
		read_message(msg);
		CHECK_STR(r.referrer.role, role_lines[i].role, role_lines[i].what);
		CHECK_STR(r.referrer.organisation, role_lines[i].org, role_lines[i].what);
	}
}

/* A form's questions at its end are the form's, never a signature. */
static void test_form_questions_at_end(void)
{
	read_message(FROM_HDR("Microsoft Forms <no-reply@forms.test>")
		"Content-Type: text/html; charset=utf-8\n\n"
		"<html><body><p><b>What is the child's first name?</b></p><p>Ayesha</p>\n"
		"<p><b>What is the child's last name?</b></p><p>Rahman</p>\n"
		"<p><b>What is the child's date of birth?</b></p><p>14/06/2015</p>\n"
		"<p><b>Your name?</b></p>\n<p>Daniel Okafor</p>\n<p><b>Your role?</b></p>\n"
		"<p>Family Support Worker</p>\n<p><b>Your organisation?</b></p>\n"
		"<p>Quarry Hill Primary School</p>\n</body></html>\n");
	CHECK_STR(r.referrer.role, "Family Support Worker",
	          "'Your role?' in its own paragraph is answered below it");
	CHECK_STR(r.referrer.name, "Daniel Okafor", "... 'Your name?' too");
}

/* Follow-ups. */
static void test_updates(void)
{
	read_message("From: Hannah Price <h.price@ews.la.test>\nTo: cme@la.test\n"
		"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <u@la.test>\n"
		"Subject: update CME-2026-00388\n\n"
		"Mum has emailed that the family have settled in Lithuania and Jakub is\n"
		"attending school in Vilnius.\n");
	CHECK_STR(r.outcome, "moved-abroad",
	          "'settled in' a country, at a school there, is a move abroad");
}

int main(void)
{
	tap_vocabulary();
	test_reasons();
	test_record_lines();
	test_school();
	test_parents();
	test_bilingual();
	test_tab_grid();
	test_referrer_labels();
	test_form_referrers();
	test_referrer_titles();
	test_note_signature();
	test_role_lines();
	test_form_questions_at_end();
	test_updates();
	referral_free(&r);
	return tap_done();
}

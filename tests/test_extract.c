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
#include "tap_extract.h"
#include "tap_vocab.h"
#include "textclean.h"
#include "vocab.h"

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

#define CHILD_FIELD(i, f) (r.n_children > (i) ? r.children[i].f : NULL)

/* Values cut cleanly (issue 12 item 4): where a surname begins, and the
 * title or rank before a person's name. */
static void test_names(void)
{
	read_message(HDR "Subject: referral\n\nName: Aoife N\xc3\x8d BHRIAIN\n"
		"DOB: 03.04.2014\nMother: Mrs Siobhan Walsh, 07700 900111\n"
		"Referrer: PC 4471 Daniel Marsh, Neighbourhood Officer\n");
	CHECK_STR(CHILD_FIELD(0, forename), "Aoife", "'Aoife NI BHRIAIN': the forename");
	CHECK_STR(CHILD_FIELD(0, surname), "N\xc3\x8d BHRIAIN",
	          "'Aoife NI BHRIAIN': the capitalised words are the surname");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Siobhan Walsh",
	          "'Mrs' is dropped from a parent's name");
	CHECK_STR(r.referrer.name, "Daniel Marsh", "a rank and collar number are dropped");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n"
		"Parent/carer with parental responsibility: Elena Khan\nRelationship: Mother\n");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, "mother",
	          "a stated relationship is more exact than the label's 'carer'");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n"
		"Parent: Mr Daniel Khan   Tel: 07700 900355\n");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, "father",
	          "'Parent: Mr ...' is the father");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n"
		"Foster carer: Mrs Ann Jones\n");
	CHECK(r.n_parents == 0 || r.parents[0].relationship == NULL ||
	      strcmp(r.parents[0].relationship, "mother") != 0,
	      "'Foster carer: Mrs ...' is not made the mother");

	read_message(HDR "Subject: referral\n\nName: Noor van der Berg\nDOB: 03.04.2014\n");
	CHECK_STR(CHILD_FIELD(0, forename), "Noor", "'Noor van der Berg': the forename");
	CHECK_STR(CHILD_FIELD(0, surname), "van der Berg", "a particle begins the surname");

	read_message(HDR "Subject: referral\n\nName: VAN DER BERG, Noor\nDOB: 03.04.2014\n");
	CHECK_STR(CHILD_FIELD(0, surname), "VAN DER BERG", "'VAN DER BERG, Noor': surname first");
	CHECK_STR(CHILD_FIELD(0, forename), "Noor", "'VAN DER BERG, Noor': forename second");

	read_message(HDR "Subject: referral\n\nName: JAYDEN SMITH, Year 5\nDOB: 03.04.2016\n");
	CHECK_STR(CHILD_FIELD(0, surname), "SMITH", "'JAYDEN SMITH, Year 5': the year is no forename");

	read_message(HDR "Subject: referral\n\nName: Mateo GARC\xc3\x8d" "A L\xc3\x93PEZ\n"
		"DOB: 03.04.2014\n");
	CHECK_STR(CHILD_FIELD(0, forename), "Mateo", "two capitalised surnames: the forename");
	CHECK_STR(CHILD_FIELD(0, surname), "GARC\xc3\x8d" "A L\xc3\x93PEZ",
	          "two capitalised surnames are one surname");

	read_message(HDR "Subject: referral\n\nName: Mary Jane Smith\nDOB: 03.04.2014\n");
	CHECK_STR(CHILD_FIELD(0, forename), "Mary Jane", "two forenames stay forenames");

	CHECK_STR(CHILD_FIELD(0, surname), "Smith", "the last word is the surname");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n"
		"Address: 61 Thames View, Ripplemead RM9 6QX\n");
	CHECK_STR(CHILD_FIELD(0, address), "61 Thames View, Ripplemead",
	          "the postcode that ends an address is cut from it");
	CHECK_STR(CHILD_FIELD(0, postcode), "RM9 6QX", "... and is the postcode");
}

/* Every child (issue 12 item 5): a form's sibling section. */
static void test_sibling_labels(void)
{
	read_message(HDR "Subject: referral\n\nPupil surname: LACATUS\nPupil forename: Denisa\n"
		"Date of birth: 21/06/2015\nGender: F\nAddress: 8 Ripple Road, Barking IG11 7PB\n\n"
		"SIBLING SECTION\nSibling 1 name: Marius LACATUS\n\nSibling 1 date of birth: 02/02/2018\n"
		"Sibling 2 name: Ioana LACATUS\nSibling 2 date of birth: 03/03/2019\n");
	CHECK_INT(r.n_children, 3, "'Sibling 1 ...' and 'Sibling 2 ...' labels are two more children");
	CHECK_STR(CHILD_FIELD(0, forename), "Denisa", "the first child keeps her name");
	CHECK_STR(CHILD_FIELD(0, dob), "2015-06-21", "... and her date of birth");
	CHECK_STR(CHILD_FIELD(1, forename), "Marius", "sibling 1's name");
	CHECK_STR(CHILD_FIELD(1, dob), "2018-02-02", "sibling 1's DOB after a blank line");
	CHECK(CHILD_FIELD(1, gender) == NULL, "a sibling does not take the first child's gender");
	CHECK_STR(CHILD_FIELD(1, postcode), "IG11 7PB", "the household's postcode is shared");
	CHECK_STR(CHILD_FIELD(2, dob), "2019-03-03", "sibling 2's DOB");

	read_message(HDR "Subject: referral\n\nSurname: Okafor\nForename: Ada\nDOB: 01/01/2014\n"
		"Sibling forename: Grace\nSibling surname: Okafor\nSibling forename: Joy\n");
	CHECK_INT(r.n_children, 3, "a repeated 'Sibling forename' is the next sibling");
	CHECK_STR(CHILD_FIELD(2, forename), "Joy", "the second sibling's forename");

	read_message(HDR "Subject: referral\n\nSECTION 1  CHILD'S DETAILS\nSurname\t\tSMITH\n"
		"Forename\t\tLeon\nDate of Birth\t\t14/09/2014\n\n"
		"SECTION 3  SIBLINGS (also missing education)\nName\t\tKayla SMITH\n"
		"Date of Birth\t\t29/02/2016\n\nSECTION 4  REASON\nThe house is empty.\n");
	CHECK_INT(r.n_children, 2, "a name under a siblings heading is another child");
	CHECK_STR(CHILD_FIELD(1, forename), "Kayla", "... with her name");
	CHECK_STR(CHILD_FIELD(1, dob), "2016-02-29", "... and her own date of birth");
	CHECK_STR(CHILD_FIELD(0, dob), "2014-09-14", "the first child keeps his");
}

/* Every child (issue 12 item 5): numbered and bulleted lists; a household
 * list's parent and under-five are not children of the referral. */
static void test_child_lists(void)
{
	read_message(HDR "Subject: referral\n\nThe family moved away last week.\n\n"
		"1. ABDI, Hodan - DOB 11/11/2012 - Marsham High School\n"
		"2) CLARKE, Demi (DOB 3rd April 2013) - Year 9\n"
		"\xe2\x80\xa2 Omar AL-HASSAN, DOB 02/12/2014\n"
		"3. Yusuf AL-HASSAN, DOB 05/01/2024 (pre-school)\n"
		"4. Khaled AL-HASSAN (father), DOB 01/01/1985\n"
		"5. Last Seen 03/11/2026 by the school\n"
		"6. Zara Begum \xe2\x80\x93 11/11/2015 \xe2\x80\x93 Year 5\n");
	CHECK_INT(r.n_children, 4, "four school-age children in the list");
	CHECK_STR(CHILD_FIELD(0, surname), "ABDI", "'ABDI, Hodan': surname first");
	CHECK_STR(CHILD_FIELD(0, forename), "Hodan", "'ABDI, Hodan': forename");
	CHECK_STR(CHILD_FIELD(0, school), "Marsham High School", "the item's school");
	CHECK_STR(CHILD_FIELD(1, dob), "2013-04-03", "a bracketed DOB");
	CHECK_INT(r.n_children > 1 ? r.children[1].year_group : -2, 9, "the item's year group");
	CHECK_STR(CHILD_FIELD(2, forename), "Omar", "a bulleted item");
	CHECK_STR(CHILD_FIELD(2, surname), "AL-HASSAN", "... its surname");
	CHECK_STR(CHILD_FIELD(3, surname), "Begum", "a name ends at an en dash");
	CHECK_INT(r.n_children > 3 ? r.children[3].year_group : -2, 5, "... year group after it");

	/* a child heading's line reads its parts as a list item does */
	read_message(HDR "Subject: referral\n\nThe family moved away.\n\n"
		"Child 1: Ada LEE, DOB 01/02/2015, Hill Top Academy\n"
		"Child 2: Bo LEE - DOB 03/04/2017 - Year 4\n");
	CHECK_INT(r.n_children, 2, "two 'Child N:' lines");
	CHECK_STR(CHILD_FIELD(0, school), "Hill Top Academy", "'Child 1: name, DOB, school': the school");
	CHECK_INT(r.n_children > 1 ? r.children[1].year_group : -2, 4, "'Child 2: ... - Year 4': the year");

	/* the options as the label, one of them the answer; the options
	 * printed as the value and left unanswered are no answer */
	read_message(HDR "Subject: referral\n\nName: Ada Lee\nDOB: 01/02/2015\n"
		"Male / Female: Female\n");
	CHECK_STR(CHILD_FIELD(0, gender), "F", "'Male / Female: Female': the option kept");
	read_message(HDR "Subject: referral\n\nName: Ada Lee\nDOB: 01/02/2015\n"
		"Gender: Male / Female\n");
	CHECK(r.n_children == 1 && CHILD_FIELD(0, gender) == NULL,
	      "'Gender: Male / Female' unanswered is no gender");

	/* a sibling label's value lists name-and-DOB pairs: each a sibling */
	read_message(HDR "Subject: referral\n\nPupil name: Ada LEE\nDOB: 01/02/2015\nYear group: 6\n"
		"Address: 4 Elm Row, Hull HU1 1AA\n"
		"Siblings names and DOB: Bo Lee 03.04.2017 - Year 4, and Cy LEE (DOB 05/06/2018)\n");
	CHECK_INT(r.n_children, 3, "two name-and-DOB pairs after a sibling label: two siblings");
	CHECK_STR(CHILD_FIELD(1, forename), "Bo", "... the first sibling's name");
	CHECK_STR(CHILD_FIELD(2, dob), "2018-06-05", "... the second sibling's DOB");
	CHECK_INT(r.n_children > 1 ? r.children[1].year_group : -2, 4, "... its own year group");
	CHECK_INT(r.n_children > 0 ? r.children[0].year_group : -2, 6, "... the first child keeps hers");
	CHECK_STR(CHILD_FIELD(2, postcode), "HU1 1AA", "... the address is shared");
	read_message(HDR "Subject: referral\n\nPupil name: Ada LEE\nDOB: 01/02/2015\n"
		"Siblings:\nBo Lee 03.04.2017\n");
	CHECK(r.n_children == 2 && r.children[1].forename != NULL &&
	      strcmp(r.children[1].forename, "Bo") == 0,
	      "a sibling label alone: the pairs on the next line");
	read_message(HDR "Subject: referral\n\nPupil name: Ada LEE\nDOB: 01/02/2015\n"
		"Sibling: Bo Lee 07700 900123\n");
	CHECK_INT(r.n_children, 1, "a name and a phone after a sibling label is no sibling");
}

/* Values cut cleanly (issue 12 item 4): a signature's role and
 * organisation split at a pipe, the wider body after a team, the line
 * under the role. */
static void test_signature_parts(void)
{
	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n\n"
		"Paul Greer\nHousing Officer | Marsham Homes\n");
	CHECK_STR(r.referrer.role, "Housing Officer", "the role ends at the pipe");
	CHECK_STR(r.referrer.organisation, "Marsham Homes", "the organisation follows it");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n\n"
		"Regards\nPC 4471 Daniel Marsh\nNeighbourhood Policing Team, Lowshire Police\n");
	CHECK_STR(r.referrer.name, "Daniel Marsh", "a signature's rank and collar number dropped");
	CHECK_STR(r.referrer.organisation, "Lowshire Police", "the wider body after the team");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n\n"
		"Bethan Lloyd\nHealth Visitor\nMarsham Community Health\n");
	CHECK_STR(r.referrer.organisation, "Marsham Community Health",
	          "the line under the role is the organisation");

	read_message(HDR "Subject: referral\n\nName: Ali Khan\nDOB: 03.04.2014\n\n"
		"Bea Lamb\nSchool Nurse, Marsham Health Service\n");
	CHECK_STR(r.referrer.role, "School Nurse", "a role ending in a role word is no school");
	CHECK_STR(r.referrer.organisation, "Marsham Health Service", "... the body after it is");
}

/* A household list is not a list of referrals (issue 12 item 2). */
static void test_household(void)
{
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<p>Surname: BAKER<br>Forename: Tyler<br>Date of birth: 11/01/2014</p>"
		"<p>Others in the household:</p>"
		"<table><tr><th>Surname</th><th>Forename</th><th>DOB</th></tr>"
		"<tr><td>BAKER</td><td>Stacey</td><td></td></tr>"
		"<tr><td>BAKER</td><td>Poppy</td><td>04/05/2023</td></tr>"
		"<tr><td>BAKER</td><td>Jack</td><td>04/05/2016</td></tr></table>");
	CHECK_INT(r.n_children, 2, "the household's adult and toddler are not referred");
	CHECK_STR(CHILD_FIELD(0, forename), "Tyler", "the child read outside the rows is first");
	CHECK_STR(CHILD_FIELD(0, dob), "2014-01-11", "... with his own date of birth");
	CHECK_STR(CHILD_FIELD(1, forename), "Jack", "a school-age brother in the rows is referred");
	CHECK_STR(CHILD_FIELD(1, dob), "2016-05-04", "... with his own date of birth");
	CHECK(has_problem("born 2023-05-04 is outside compulsory school age"),
	      "the officer is told of the toddler not referred");

	/* a household list without markers, one person a line, as housing
	 * writes it: the adults are parents, the toddler is not referred */
	read_message(HDR "Subject: family\n\nWe placed a family at 1 Low Road, Marsham IP1 2BX.\n\n"
		"Household:\nDana Reed (mum, 31) 07700 900650\nLee Reed (dad, 35)\n"
		"Kai Reed, 09/01/2015, was at Oak Primary\nMay Reed, 12/06/2024 (toddler)\n\n"
		"Mum, Dana Reed (07700 900650), says Kai has not been to school.\n");
	CHECK_INT(r.n_children, 1, "an unmarked household list: one school-age child");
	CHECK_STR(CHILD_FIELD(0, forename), "Kai", "... the child line's forename");
	CHECK_STR(CHILD_FIELD(0, dob), "2015-01-09", "... and date of birth");
	CHECK_INT((int)r.n_parents, 2, "the list's two adults are parents");
	CHECK_STR(r.n_parents > 0 ? r.parents[0].name : NULL, "Dana Reed",
	          "a parent's name ends at its bracket");
	CHECK_STR(r.n_parents > 0 ? r.parents[0].phone : NULL, "07700 900650",
	          "... with the phone on the line");
	CHECK_STR(r.n_parents > 1 ? r.parents[1].relationship : NULL, "father",
	          "the relationship in the bracket");

	read_message(HDR "Subject: referral\n\nChild 1\nName: Ada Lee\nDOB: 01/01/2015\n\n"
		"Child 2\nName: Bo Lee\nDOB: 01/01/2005\n");
	CHECK_INT(r.n_children, 1, "an adult is not a child of the referral");
}

/* Who a label is about: "Your ..." is the person filling the form in;
 * the parent "the pupil normally resides with" is the parent; the staff
 * block of a form is the referrer's, so its "Name:" is not the child. */
static void test_whose_label(void)
{
	label_is("Your job title", F_REFERRER_ROLE);
	label_is("Your email address", F_REFERRER_EMAIL);
	label_is("Your telephone number", F_REFERRER_PHONE);
	label_is("Name of parent/carer pupil normally resides with", F_PARENT_NAME);
	label_is("Full address child normally resides at", F_ADDRESS);
	label_is("Parent/carer contact number", F_PARENT_PHONE);
	CHECK_INT(vocab_section_heading("School / Staff completing form", 30), F_REFERRER,
	          "'School / Staff completing form' opens the referrer's details");
	CHECK_INT(vocab_section_heading("SECTION 6  REFERRER", 19), F_REFERRER,
	          "a numbered heading: 'SECTION 6  REFERRER'");
	CHECK_INT(vocab_section_heading("Part B: Your details", 20), F_REFERRER,
	          "a lettered heading: 'Part B: Your details'");
	CHECK_INT(vocab_section_heading("Section 10 Safeguarding", 23), F_NONE,
	          "a numbered heading that is no section stays none");
	CHECK_INT(vocab_section_heading("SECTION 3  SIBLINGS (also missing education)", 44), F_NONE,
	          "siblings: not the first child's section (records.c opens each sibling)");
	read_message(HDR "Subject: deletion\n\nPupils Name: Ruby-Mae O'CONNOR\nDate of Birth: 03-Apr-2014\n"
		"Previous address: 5 Totnes Road, Paignton, TQ4 5JD\n"
		"Future address: Flat 3, 22 Union Street, Plymouth, PL1 3EX\n");
	CHECK(r.n_children == 1 && r.children[0].postcode &&
	      strcmp(r.children[0].postcode, "PL1 3EX") == 0 && r.children[0].address &&
	      strstr(r.children[0].address, "Union Street") != NULL,
	      "a future address wins over the previous one above it");
	read_message(HDR "Subject: deletion\n\nPupils Name: Ruby-Mae O'CONNOR\nDate of Birth: 03-Apr-2014\n"
		"Address: Flat 3, 22 Union Street, Plymouth, PL1 3EX\n"
		"Previous address: 5 Totnes Road, Paignton, TQ4 5JD\n");
	CHECK(r.n_children == 1 && r.children[0].postcode &&
	      strcmp(r.children[0].postcode, "PL1 3EX") == 0,
	      "... and a previous address below the current one changes nothing");
	label_is("Full name of pupil", F_FULLNAME);
	label_is("Full name and address of parent with whom the pupil normally resides", F_PARENT);
	label_is("Telephone number of parent", F_PARENT_PHONE);
	read_message(HDR "Subject: deletion\n\nFull name of pupil:  Noor Berg\nDate of birth:  27/05/2013\n"
		"Full name and address of parent with whom the pupil normally resides:\n"
		"  Sanne Berg (mother), 9 Marsh Lane, Norwich, NR3 1AB\n");
	CHECK(r.n_parents == 1 && r.parents[0].name && strcmp(r.parents[0].name, "Sanne Berg") == 0,
	      "a 69-byte question on its own line, the parent on the next");
	read_message(HDR "Subject: deletion\n\nPupil legal surname: LACATUS\nPupil legal forename: Denisa\n"
		"Parent/carer with parental responsibility: Elena Lacatus\nRelationship: Mother\n");
	CHECK(r.n_parents == 1 && r.parents[0].relationship &&
	      strcmp(r.parents[0].relationship, "mother") == 0,
	      "'Parent/carer:' names no relationship; the 'Relationship:' line does");
	label_is("Current or last known address", F_ADDRESS);
	label_is("Current/last known address", F_ADDRESS);
	label_is("Current or last school attended", F_SCHOOL);
	label_is("Referring School/Service", F_REFERRER_ORG);
	label_is("Why do you believe this child is missing education?", F_REASON);
	label_is("Position/role", F_REFERRER_ROLE);
	label_is("Referrer's organisation/school", F_REFERRER_ORG);
	label_is("Name of child/young person", F_FULLNAME);
	label_is("Sex/gender", F_GENDER);
	label_is("Name of school/setting", F_SCHOOL);
	label_is("Telephone number of referrer", F_REFERRER_PHONE);
	label_is("Date of leaving", F_DATE_REMOVED);
	label_is("Designation", F_REFERRER_ROLE);
	label_is("School/Agency", F_REFERRER_ORG);
	read_message(HDR "Subject: deletion\n\n"
		"Pupils Name: Amira HASSAN\nDate of Birth: 3.4.16\n"
		"Name of parent/carer pupil normally resides with: Layla Hassan\n\n"
		"School / Staff completing form\nSchool: Oak Primary School\nName: Debbie Lear\n"
		"Role: Business Manager\n");
	CHECK(r.n_children == 1 && r.children[0].forename &&
	      strcmp(r.children[0].forename, "Amira") == 0, "the staff member's Name is not the child");
	CHECK_STR(r.referrer.name, "Debbie Lear", "... but the referrer");
	CHECK(r.n_parents == 1 && r.parents[0].name && strcmp(r.parents[0].name, "Layla Hassan") == 0,
	      "the parent the pupil resides with");
}

/* A signature's organisation, cut from its address: parts separated by
 * bars, and an organisation whose name has no organisation word. */
static void test_signature_org(void)
{
	read_message(HDR "Subject: pupils\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\n"
		"Ann Lee\nAttendance & Admissions Officer\n"
		"Kingsmead School | Kingsmead Way | Kingsford KT3 1AB\n");
	CHECK_STR(r.referrer.organisation, "Kingsmead School", "bar-separated: the school, not its street");
	read_message(HDR "Subject: family\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\n"
		"Ann Lee\nHousing Officer | Marsham Homes\n");
	CHECK_STR(r.referrer.role, "Housing Officer", "role part of a bar-separated line");
	CHECK_STR(r.referrer.organisation, "Marsham Homes", "... and the organisation part");
	read_message(HDR "Subject: family\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\n"
		"Ann Lee\nHealth Visitor\nMarsham Community Health\n14 Mill Lane, Marsham MR1 2AB\n");
	CHECK_STR(r.referrer.organisation, "Marsham Community Health",
	          "the line below the role is the organisation");
	/* Outlook HTML: every signature line its own <p>, blank lines
	 * between them */
	read_message(HDR "Subject: pupil\n\nName: Tyler Baker\nDate of birth: 3/4/2014\n\n"
		"Tyler has not been in school.\n\nHannah Frost\n\n"
		"Designated Safeguarding Lead, Kinson Academy\n\n"
		"Kinson Academy, Pelhams Park, Bournemouth BH10 7LH\n");
	CHECK_STR(r.referrer.role, "Designated Safeguarding Lead", "spaced signature: the role");
	CHECK_STR(r.referrer.organisation, "Kinson Academy", "spaced signature: the organisation");
	CHECK(r.n_children == 1 && r.children[0].postcode == NULL,
	      "spaced signature: the school's postcode is not the child's");
	read_message(HDR "Subject: pupil\n\nName: Tyler Baker\nDate of birth: 3/4/2014\n\n"
		"Regards\nPC 4471 Daniel Marsh\nNeighbourhood Policing Team\n");
	CHECK_STR(r.referrer.name, "Daniel Marsh", "a rank and collar number are not the name");
	CHECK_STR(r.referrer.organisation, "Neighbourhood Policing Team",
	          "a unit alone on its line is the organisation");
	read_message(HDR "Subject: pupil\n\nName: Tyler Baker\nDate of birth: 3/4/2014\n\n"
		"Regards\nDaniel Marsh\nNeighbourhood Policing Team, Lowshire Police\n");
	CHECK_STR(r.referrer.organisation, "Lowshire Police",
	          "'Unit, Body': the body is the organisation");
	read_message(HDR "Subject: pupil\n\nName: Tyler Baker\nDate of birth: 3/4/2014\n\n"
		"Regards\nJo Hill\nAttendance Officer\nMarsham Community Health, 4 Mill Lane\n");
	CHECK_STR(r.referrer.organisation, "Marsham Community Health",
	          "'community' holds the letters of 'unit' but is no unit");
	read_message(HDR "Subject: pupil\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\nKind regards\n"
		"Ann Lee\nAttendance Officer | Oak Primary School | 1 Oak Road, Ipswich IP4 1AA\n"
		"Tel: 01473 000000 | Email: office@oak.sch.test\n");
	CHECK_STR(r.referrer.organisation, "Oak Primary School",
	          "two signature lines with bars are no table");
	read_message(HDR "Subject: pupil\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\n"
		"Sarah Jones, Head of Year 9, Northgate High School\n");
	CHECK_STR(r.referrer.name, "Sarah Jones", "one-line signature: the name");
	CHECK_STR(r.referrer.role, "Head of Year 9", "one-line signature: the role");
	CHECK_STR(r.referrer.organisation, "Northgate High School", "one-line signature: the school");
	read_message(HDR "Subject: pupil\n\nName: Mia Kerr\nDate of birth: 3/4/2014\n\n"
		"Ayaan Khan, Year 4, Northgate Primary School\n");
	CHECK(r.referrer.organisation == NULL,
	      "a last line naming a child and a school is no signature");
	read_message(HDR "Subject: pupil\n\nName: Tyler Baker\nDate of birth: 3/4/2014\n\n"
		"Jo Whitfield\nHealth Visitor, Marsham Public Health Nursing\n");
	CHECK_STR(r.referrer.role, "Health Visitor", "'Role, Organisation': the role");
	CHECK_STR(r.referrer.organisation, "Marsham Public Health Nursing",
	          "'Role, Organisation': the organisation");
}

/* Prose (issue 12 item 6): what a member of the public, the police or
 * housing write in sentences. */
static void test_prose(void)
{
	/* a member of the public: the writer's own name and the parent's
	 * after a name cue are not the child's; a forename alone takes the
	 * surname given after it */
	read_message(HDR "Subject: x\n\nHi, my name is Ann Lee. A boy over the road never "
		"goes to school. His name is Rory, I think the surname is Dunn. His mum "
		"is called Tess. They live at 5 Elm Road, Marsham IP1 2BX.\n");
	CHECK_STR(CHILD_FIELD(0, forename), "Rory", "'His name is Rory': a forename alone");
	CHECK_STR(CHILD_FIELD(0, surname), "Dunn", "... its surname after 'the surname is'");
	CHECK_INT((int)r.n_children, 1, "'my name is' and 'mum is called' name no child");
	/* a labelled value's trailing sentence names the parent; the phone
	 * is the first of the sentence, past the near window */
	read_message(HDR "Subject: x\n\nName: Ali Khan\nDOB: 03.04.2014\n"
		"Address: 1 Low Road, Marsham IP1 2BX. Dad (Omar Khan) told the office they "
		"might be visiting family abroad and his phone (07700 900157) is off.\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Omar Khan",
	          "a parent named in a labelled value's second sentence");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900157",
	          "... and the phone later in that sentence");
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
	read_message(HDR "Subject: x\n\nTom REID, Year 3, DOB 13/05/2019, has not been in since "
		"26/10/2026.\n");
	CHECK(r.n_children == 1 && r.children[0].dob && strcmp(r.children[0].dob, "2019-05-13") == 0,
	      "'Tom REID, Year 3, DOB ...': the name before a year-group clause");
	CHECK_STR(r.n_children ? r.children[0].last_attended : NULL, "2026-10-26",
	          "'has not been in since DATE': the last day attended");
	read_message(HDR "Subject: x\n\nWe are worried. Year 3, DOB 13/05/2019, has gone.\n");
	CHECK_INT((long)r.n_children, 0, "a year-group clause with no name before it is no child");
}

/* Flag phrases in sentences: hard wraps, hypotheticals, carers, and
 * what a labelled value says beyond its field.  One message body a row:
 * whether it sets the flag. */
static const struct {
	const char *body, *flag;
	int want;
	const char *what;
} prose_flags[] = {
	{ "Kai Moss (DOB 01/02/2015) is not in school. She has an allocated social\n"
	  "worker (Priya Nair).", "social-worker", 1,
	  "'social<wrap>worker': a phrase across a hard wrap" },
	{ "Kai Moss (DOB 01/02/2015): the house was empty. A missing person report is "
	  "being considered.", "missing-from-home", 0,
	  "a missing person report being considered is no episode" },
	{ "Kai Moss (DOB 01/02/2015) is needed at home to care for her younger brother.",
	  "young-carer", 1, "'needed at home to care for her brother' is a young carer" },
	{ "Kai Moss (DOB 01/02/2015) is missing. Her social worker has been told and a "
	  "missing person report is being considered.", "social-worker", 1,
	  "'... and a missing person report is being considered': the social worker is not" },
	{ "Kai Moss (DOB 01/02/2015) is missing. Her social worker has been told and a "
	  "missing person report is being considered.", "missing-from-home", 0,
	  "... while the report is not yet made" },
	{ "Kai Moss (DOB 01/02/2015) had a child protection plan and it ended in 2024.",
	  "child-protection-plan", 0, "'a plan and it ended': the plan has ended" },
	{ "Name: Kai Moss\nDOB: 01/02/2015\nLooked after: No\nMother: Jo Moss 07700 900111. "
	  "Social worker Ian Shah has been informed.", "social-worker", 1,
	  "a labelled value's second sentence is narrative the flags read" },
	{ "Name: Kai Moss\nDOB: 01/02/2015\nParent: Sgt Lee Moss (father), Royal Corps of "
	  "Signals; 07700 900111", "armed-forces", 1,
	  "a corps in a parent's value is a service family" },
	{ "Name: Kai Moss\nDOB: 01/02/2015\nParent: Lee Moss (father), volunteers with the "
	  "Peace Corps", "armed-forces", 0, "... the Peace Corps is not" },
};

static void test_prose_flags(void)
{
	char msg[1024];

	for (size_t i = 0; i < sizeof prose_flags / sizeof prose_flags[0]; i++) {
		snprintf(msg, sizeof msg, HDR "Subject: x\n\n%s\n", prose_flags[i].body);
		read_message(msg);
		CHECK(has_flag(prose_flags[i].flag) == prose_flags[i].want, prose_flags[i].what);
	}
	read_message(HDR "Subject: x\n\nName: Kai Moss\nDOB: 01/02/2015\n"
		"Mother: Jo Moss 07700 900111. Social worker Ian Shah has been informed.\n");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Jo Moss",
	          "a labelled value's second sentence is not the field");
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

/* A visit reported in a reply to a case: was the child found? */
static void found_is(const char *text, int want, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof msg, HDR "Subject: RE: CME-2026-00035\n\n%s\n", text);
	read_message(msg);
	CHECK_INT(r.visit_found, want, what);
}

/* Updates written in sentences (prose_update.c, outcomes.vocab). */
static void test_prose_updates(void)
{
	found_is("Home visit 24/11/2026 14:30 - seen Kai and mum at home.", 1,
	         "'seen Kai and mum': a seen word before a name finds the child");
	found_is("Home visit 24/11/2026 - Kai not seen, no answer.", 0,
	         "'Kai not seen, no answer' does not");
	found_is("Visited 24/11/2026 at 10:15; nobody answered the door.", 0,
	         "'nobody answered the door': not found");
	found_is("Visit date: 24/11/2026\nOutcome: no answer, card left.\nChild seen: No", 0,
	         "'Child seen: No': a found phrase as a label answered No");
	found_is("Visit date: 24/11/2026\nOutcome: family spoken to.\nChild seen? Yes", 1,
	         "'Child seen? Yes': answered Yes");
	found_is("Visited the family on 24/11/2026. Both Ana and Leo were seen and are well.", 1,
	         "'Both Ana and Leo were seen': a passive seen after names");
	found_is("Visited the family on 24/11/2026. Mum was seen; the children were not seen.", 0,
	         "'Mum was seen; the children were not seen': not found");
	read_message(HDR "Subject: RE: CME-2026-00033\n\nThe family have returned to Poland "
		"permanently. He is enrolled at a school in Krakow.\n");
	CHECK_STR(r.outcome, "moved-abroad", "a return abroad wins over 'enrolled at a school' there");
	read_message(HDR "Subject: RE: CME-2026-00049\n\nShe has been placed at the Pupil Referral "
		"Unit full time from 23/11/2026.\n");
	CHECK_STR(r.outcome, "located-other-provision", "a pupil referral unit place is other provision");
	read_message(HDR "Subject: RE: CME-2026-00039\n\nThe family live here now; our CME team "
		"will take it over from here.\n");
	CHECK_STR(r.outcome, "moved-out-of-area", "another council taking the case over");
	read_message(HDR "Subject: RE: CME-2026-00039\n\nWe have traced the family and Leeds "
		"will take over\nthe CME case from here.\n");
	CHECK_STR(r.outcome, "moved-out-of-area", "another council that 'will take over the CME case'");
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
	reason_is("8(1)(e) has ceased to attend and no longer ordinarily resides at a place\n"
	          "which is a reasonable distance from the school", "moved-out-of-area",
	          "the 8(1)(e) deletion ground in the Regulations' words is a move out of the area");
	reason_is("The family were moved by the Home Office to\nCardiff on 19/11/2026.",
	          "moved-out-of-area", "'moved by the Home Office to<wrap>Cardiff': an agent cue");
	reason_is("They were moved to a hotel in Manchester last week.",
	          "moved-out-of-area", "'moved to a hotel in Manchester': the place after where they stay");
	reason_is("The family were relocated last week to temporary accommodation in Luton.",
	          "moved-out-of-area", "'relocated last week to ... in Luton': an agent cue and a lodging");
	reason_is("They have not been in school since they left Stoke-on-Trent in October.",
	          "moved-into-area-no-school", "'since they left Stoke-on-Trent': where they came from");
	reason_is("He has moved to another school in September.",
	          "moved-away-unknown", "'moved to another school in September': a month is no lodging's place");
	reason_is("He has been living with his nan in Swansea since September.", "moved-out-of-area",
	          "'living with his nan in Swansea': a listed town after a stay cue");
	reason_is("A neighbour said they were going to Bradford.", "moved-out-of-area",
	          "'going to Bradford': a listed town after a weak cue");
	reason_is("No answer at two visits; phone disconnected.", "moved-away-unknown",
	          "a disconnected phone and no answer: moved away");
	reason_is("He has never been registered at a school since they moved to 4 Elm Road, "
	          "Tarnby TA1 2BC from Leeds.", "moved-into-area-no-school",
	          "not registered since a move to a house here from a town: an arrival");
	reason_is("She has never been registered at any school. They moved here from Leeds "
	          "in 2021.", "never-registered", "never registered, and an arrival not tied to it");
	reason_is("Family said they were moving to Dublin; no school confirmed.", "moved-abroad",
	          "'moving to Dublin': a major city abroad is a destination abroad");
	reason_is("Mum said they are moving to Lagos next month.", "moved-abroad",
	          "'moving to Lagos': likewise");
	reason_is("We believe the family have moved to your area.",
	          "moved-into-area-no-school", "'moved to your area' from another council: moving in");
}

int main(void)
{
	tap_vocabulary();
	test_prose();
	test_prose_reasons();
	test_prose_updates();
	test_prose_school();
	test_prose_flags();
	test_whose_label();
	test_signature_org();
	referral_free(&r);      /* the last test's message */
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

	/* One-line entries in a run, the address once under them. */
	read_message(HDR "Subject: two children\n\nChild 1 name/DOB: Lacey WARD 07/03/2015\n"
		"Child 2 name/DOB: Kian WARD 22/08/2018\nAddress: 4 Fern Court, Doncaster DN4 8QT\n");
	CHECK_INT(r.n_children, 2, "two one-line child entries");
	CHECK_STR(r.children[0].postcode, "DN4 8QT", "the address under one-line entries is the first child's too");
	read_message(HDR "Subject: two children\n\nChild 1: Ellie-May FOSTER, 14/06/2014\n"
		"Child 2: Connor FOSTER, 30/01/2017\nHome address: 11 Quarry Road, Rotherham S60 2DD\n");
	CHECK_STR(r.children[0].postcode, "S60 2DD", "... after 'Child N:' headings with the entry on the line");

	/* A numbered form's sibling section: the first section's child
	 * becomes a block of its own, each sibling another (layout.c,
	 * records.c); a "Child protection plan" line opens nothing. */
	read_message(HDR "Subject: referral form\n\nSECTION 1  CHILD'S DETAILS\n"
		"Surname\t\tHALE\nForename\t\tTom\nDate of Birth\t01/02/2015\n"
		"Address\t\t4 Elm Row, Hull HU1 1AA\n\nSECTION 2  SIBLINGS (also missing)\n"
		"Name\t\tElla HALE\nDate of Birth\t09/07/2018\n\n"
		"Child Protection Plan\tN/A\n");
	CHECK_INT(r.n_children, 2, "a sibling section adds a child");
	CHECK_STR(r.children[0].forename, "Tom", "the first section's child keeps its name");
	CHECK_STR(r.children[1].forename, "Ella", "the sibling has its own name");
	CHECK_STR(r.children[1].dob, "2018-07-09", "... and its own date of birth");
	CHECK_STR(r.children[1].postcode, "HU1 1AA", "... and shares the address");

	/* A household table with an Age column and no dates of birth: a
	 * two-year-old lives with the children but is not referred. */
	read_message(HDR "Subject: homeless family\nContent-Type: text/html; charset=utf-8\n\n"
		"<p>Placed at 9 Station Road, Crewe CW1 2DB.</p><table><tr><th>Name</th><th>Age</th>"
		"<th>Last school</th></tr><tr><td>Tendai Moyo</td><td>13</td><td>Trentham Academy</td></tr>"
		"<tr><td>Rufaro Moyo</td><td>8</td><td>Oakhill Primary School</td></tr>"
		"<tr><td>Anesu Moyo</td><td>2</td><td>-</td></tr></table>\n");
	CHECK_INT(r.n_children, 2, "an Age column under 4 is no child of the referral");
	CHECK_STR(r.n_children > 1 ? r.children[1].postcode : NULL, "CW1 2DB",
	          "... and the address above the table is each child's");

	/* A space-aligned household table (layout.c): rows cut where the
	 * header's columns start; '*' marks the children referred, the
	 * rest of the household is not the referral's. */
	read_message(HDR "Subject: referral\n\nOther children in household (* = referred)\n"
		"Surname    Forename   M/F   DOB          Relationship\n"
		"HALE *     Tom        M     01/02/2015   son\n"
		"HALE       Rosie      F     21/03/2025   daughter\n\n");
	CHECK_INT(r.n_children, 1, "only the starred row of a household table is a child");
	CHECK_STR(r.children[0].forename, "Tom", "the starred child's forename, its own column");
	CHECK_STR(r.children[0].dob, "2015-02-01", "... and date of birth, cut at the header's column");
	CHECK_STR(r.children[0].gender, "M", "an M/F column is the gender");
	CHECK_INT((int)r.n_parents, 0, "a child's 'son' is no parent's relationship");

	/* Several "Label: value" pairs on one line, apart by spaces. */
	read_message(HDR "Subject: deletion\n\nSurname: HALE            Forename: Tom\n"
		"DOB: 01/02/2015   Gender: M   NC Yr: 5\n");
	CHECK_STR(r.children[0].surname, "HALE", "the first pair of a line ends before the next label");
	CHECK_STR(r.children[0].forename, "Tom", "the second pair of a line is read");
	CHECK_STR(r.children[0].gender, "M", "a middle pair is read");

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
		"9(1)(g) pupil no longer lives within a reasonable distance.\n"
		"Previous address: 5 Ferry Lane, Goole DN14 5AB\n"
		"New address: Not known - believed up north\n");
	CHECK_STR(r.children[0].reason, "moved-away-unknown",
	          "a new address stated as not known: the destination is unknown");
	CHECK_STR(r.children[0].address, "5 Ferry Lane, Goole",
	          "a new address not known leaves the previous one the last known");
	read_message("From: \"Lee, Ann\" <a.lee@oak.sch.test>\nTo: cme@la.test\n"
		"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <t@oak.sch.test>\n"
		"Subject: referral\n\nName: Ava Cole\nDOB: 01/01/2015\n\nAnn Lee\nDeputy Headteacher\n");
	CHECK_STR(r.referrer.email, "a.lee@oak.sch.test",
	          "From 'Lee, Ann' is the signature's Ann Lee: her email is the From address");
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
		"Park,Jo,2013-10-10,,HU3 1AB,\"Excluded, no provision\"\n"
		"Kay,Sam,2014-01-01,,HU4 1AB,\"Moved to Leeds, no school\"\n--b--\n");
	CHECK_INT(r.n_children, 3, "CSV rows are children");
	CHECK_STR(r.children[2].reason, "moved-out-of-area",
	          "a row's 'Moved to Leeds, no school' is a move to a named town");
	CHECK_STR(r.children[0].address, "2 Dock St, Hull", "a quoted comma stays in its field");
	CHECK_STR(r.children[0].postcode, "HU2 8ZZ", "CSV postcode normalised");
	CHECK_STR(r.children[0].reason, "moved-out-of-area", "CSV reason per row");
	CHECK_STR(r.children[1].reason, "excluded-no-provision", "second row's own reason");

	/* ScholarPack: "Surname" is the preferred one, "Legal Surname" the
	 * child's (corpus N 1507) */
	read_message(HDR "Subject: list\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee list.\n"
		"--b\nContent-Type: text/csv; name=l.csv\nContent-Disposition: attachment; filename=l.csv\n\n"
		"Forename,Surname,Legal Surname,Date of Birth,UPN\n"
		"Isabella,Costa,Costa-Ferreira,07/10/2018,\n--b--\n");
	CHECK_STR(r.n_children ? r.children[0].surname : NULL, "Costa-Ferreira",
	          "a 'Legal Surname' column is read over a 'Surname' column");

	/* An export's address split over columns is one address; the
	 * contact repeated on each sibling's row is one parent. */
	read_message(HDR "Subject: list\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee list.\n"
		"--b\nContent-Type: text/csv; name=l.csv\nContent-Disposition: attachment; filename=l.csv\n\n"
		"Forename;Surname;DOB;Address Line 1;Address Line 2;Town;Postcode;Primary Contact;Primary Contact Phone\n"
		"Ana;Lopez;01/09/2014;Flat 2;9 Mill Lane;Hull;HU2 8ZZ;Rosa Lopez (Mother);07700 900111\n"
		"Leo;Lopez;01/09/2016;Flat 2;9 Mill Lane;Hull;HU2 8ZZ;Rosa Lopez (Mother);07700 900111\n--b--\n");
	CHECK_INT(r.n_children, 2, "semicolon export rows are children");
	CHECK_STR(r.children[1].address, "Flat 2, 9 Mill Lane, Hull", "address columns joined in order");
	CHECK_INT(r.n_parents, 1, "the contact on every sibling's row is one parent");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, "mother",
	          "the contact's relationship from its brackets");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900111", "the contact's phone column");

	/* An export's flag columns: a Yes in one child's row sets the
	 * flag; a No, in any row, sets nothing. */
	read_message(HDR "Subject: list\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee list.\n"
		"--b\nContent-Type: text/csv; name=l.csv\nContent-Disposition: attachment; filename=l.csv\n\n"
		"Student;DOB;Year;CP Plan;Looked After\n"
		"LOPEZ, Ana;01/09/2014;Year 7;N;No\n"
		"LOPEZ, Leo;01/09/2016;Year 5;Y;No\n--b--\n");
	CHECK_INT(r.n_children, 2, "flag-column export rows are children");
	CHECK_INT(has_flag("child-protection-plan"), 1, "a flag column's Y in one row sets the flag");
	CHECK_INT(has_flag("looked-after"), 0, "a flag column answered No in every row does not");

	/* A numbered question asking for the parent and relationship, its
	 * answer on the next line. */
	read_message(HDR "Subject: referral\n\n1. Child's full name\nAli KHAN\n\n"
		"2. Date of birth\n08/07/2012\n\n3. Name of parent/carer and relationship\n"
		"Mrs Sara Khan - mother\n");
	CHECK_INT(r.n_parents, 1, "the answer under the question is the parent");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Sara Khan", "... named without her title");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, "mother", "... and her relationship");

	/* A space-aligned parents table (layout.c): each row a parent; a
	 * parental-responsibility column answered Y for one adult leaves
	 * out the adult answered N. */
	read_message(HDR "Subject: referral\n\nName: Ana LOPEZ\nDOB: 01/09/2014\n\n"
		"Relationship   PR (Y/N)   Name           Tel No\n"
		"Father         Y          Dan Lopez      07700 900222\n"
		"Partner        N          Kim Shaw       -\n");
	CHECK_INT(r.n_parents, 1, "the adult without parental responsibility is not listed");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Dan Lopez", "the parent's name cell alone");
	CHECK_STR(r.n_parents ? r.parents[0].relationship : NULL, "father",
	          "the relationship column, not the headings");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900222", "... and the phone");
	read_message(HDR "Subject: referral\n\nName: Ana LOPEZ\nDOB: 01/09/2014\n\n"
		"Relationship   PR   Name           Tel No\n"
		"Mother              Eva Lopez      07700 900223\n"
		"Grandmother         Rosa Diaz      07700 900224\n");
	CHECK_INT(r.n_parents, 2, "an unanswered PR column leaves every carer listed");

	/* A household table's parent who lives elsewhere and gives no
	 * phone is not the family's contact. */
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<p>Name: Ana LOPEZ<br>DOB: 01/09/2014</p>"
		"<table><tr><td>Name</td><td>Relationship to child</td><td>D.O.B.</td><td>Contact number</td></tr>"
		"<tr><td>Eva Lopez</td><td>Mother</td><td></td><td>07700 900223</td></tr>"
		"<tr><td>Dan Lopez</td><td>Father</td><td></td><td>lives in Spain</td></tr></table>");
	CHECK_INT(r.n_parents, 1, "the parent living elsewhere with no phone is not listed");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Eva Lopez", "the mother is");

	/* A label|value|label|value form whose second label the vocabulary
	 * does not know: its value is not the first field's. */
	read_message(HDR "Subject: form\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<table><tr><td>First name</td><td>Max</td><td>Last name</td><td>Bell</td></tr>"
		"<tr><td>Date of birth</td><td>02/03/2016</td><td>Gender</td><td>Male</td></tr>"
		"<tr><td>Your name</td><td>Ann Cole</td><td>How do you know the family</td>"
		"<td>Family support worker</td></tr></table>");
	CHECK_STR(r.referrer.name, "Ann Cole", "an unknown label cell ends the value before it");

	/* HTML table, header row with one child per row. */
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<table><tr><th>Surname</th><th>Forename</th><th>DOB</th></tr>"
		"<tr><td>Bell</td><td>Max</td><td>02/03/2016</td></tr>"
		"<tr><td>Bell</td><td>Lily&nbsp;May</td><td>04/05/2018</td></tr></table>");
	CHECK_INT(r.n_children, 2, "HTML rows under a header row are children");
	CHECK_STR(r.children[1].forename, "Lily May", "&nbsp; decoded inside a name");

	/* A referrer's box drawn beside the child rows; a household table's
	 * parent rows and a pre-school sibling (tables.c). */
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<table><tr><td>Children</td><td>Forename</td><td>Surname</td><td>DOB</td>"
		"<td>Referrer details</td><td></td></tr>"
		"<tr><td>Child 1</td><td>Max</td><td>Bell</td><td>02/03/2016</td><td>Name</td><td>Jo Hart</td></tr>"
		"<tr><td>Child 2</td><td></td><td></td><td></td><td>Role</td><td>Attendance Officer</td></tr></table><p>Family</p>"
		"<table><tr><td>Name</td><td>Relationship to child</td><td>DOB</td><td>Contact number</td></tr>"
		"<tr><td>Kim Bell</td><td>Mother</td><td></td><td>07700 900111</td></tr>"
		"<tr><td>Ivy Bell</td><td>sister</td><td>01/02/2024</td><td></td></tr></table>");
	CHECK_INT(r.n_children, 1, "label|value cells beside a child row are no child");
	CHECK_STR(r.referrer.name, "Jo Hart", "... they are the referrer's box");
	CHECK_STR(r.referrer.role, "Attendance Officer", "... on every row");
	CHECK_INT(r.n_parents, 1, "a household row naming a mother is a parent");
	CHECK_STR(r.n_parents ? r.parents[0].name : NULL, "Kim Bell", "... with her name");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900111", "... and phone");

	/* Column per child: a merged cell or "Both:" gives every child the
	 * value; a flag question's row reaches the flag reader (tables.c). */
	read_message(HDR "Subject: table\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
		"<table><tr><th></th><th>Child 1</th><th>Child 2</th></tr>"
		"<tr><td>Forename</td><td>Max</td><td>Lily</td></tr>"
		"<tr><td>Surname</td><td>Bell</td><td>Bell</td></tr>"
		"<tr><td>School</td><td colspan=\"2\">Oak Primary School (both)</td></tr>"
		"<tr><td>Last attended</td><td>Both: 18/11/2026</td><td></td></tr>"
		"<tr><td>CP plan</td><td colspan=\"2\">Yes (both, since 05/2026)</td></tr></table>");
	CHECK_INT(r.n_children, 2, "a column per child");
	CHECK_STR(r.n_children > 1 ? r.children[1].school : NULL, "Oak Primary School",
	          "a merged cell is every child's, without its '(both)'");
	CHECK_STR(r.n_children > 1 ? r.children[1].last_attended : NULL, "2026-11-18",
	          "'Both:' gives every child the value");
	CHECK(has_flag("child-protection-plan"), "a flag question's row answered Yes sets the flag");

	/* A PDF paste cuts values and questions across lines (records.c). */
	read_message(HDR "Subject: referral\n\nName of child:\nAva COLE\nDate of birth: 01/01/2015\n"
		"Address: 22 Wellingborough\nRoad, Kettleby\nPostcode: KB2\n7NT\n"
		"School\nNormanton Grange\nCommunity School\n"
		"Is there a risk of forced marriage, child sexual exploitation,\n"
		"domestic abuse or radicalisation?\nNo\n");
	CHECK_STR(r.n_children ? r.children[0].postcode : NULL, "KB2 7NT",
	          "a postcode cut after its outward code is joined");
	CHECK_STR(r.n_children ? r.children[0].address : NULL, "22 Wellingborough Road, Kettleby",
	          "an address cut before its postcode is joined");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Normanton Grange Community School",
	          "a school name cut before its 'School' is joined");
	CHECK(r.flags == 0, "a question cut across lines is answered by the No below it");

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

	test_names();
	test_sibling_labels();
	test_child_lists();
	test_signature_parts();
	test_household();
	referral_free(&r);
	return tap_done();
}

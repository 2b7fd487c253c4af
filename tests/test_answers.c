/*
 * test_answers - safeguarding flags read from a form's ANSWER, not its
 * question (corpus G, fixtures 900-919): answer grids whose chosen
 * column is marked, "Y / N  Y" with the printed options before the
 * answer, and answers that put what they answer in the past.
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
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <t@oak.sch.test>\n"
#define CHILD "Name: Amy Lee\nDate of birth: 01/02/2015\n"

static int has_flag(const char *name)
{
	int i = vocab_flag_index(name);

	return i >= 0 && (r.flags & (1UL << i));
}

/* A plain-text message whose body is CHILD then `lines`. */
static void read_plain(const char *lines)
{
	char msg[2048];

	snprintf(msg, sizeof msg, HDR "Subject: CME referral\n\n" CHILD "%s\n", lines);
	read_message(msg);
}

static void flag_is(const char *lines, const char *flag, int want)
{
	char what[256];

	read_plain(lines);
	snprintf(what, sizeof what, "'%s': %s %s", lines, flag, want ? "set" : "not set");
	CHECK(has_flag(flag) == want, what);
}

/* An HTML grid: headings, then rows of question and two mark cells. */
static void read_grid(const char *yes_head, const char *no_head, const char *mark,
                      int cp_yes, int lac_yes)
{
	char msg[4096];

	snprintf(msg, sizeof msg, HDR "Subject: CME referral\n"
	         "Content-Type: text/html; charset=utf-8\n\n"
	         "<html><body><table>"
	         "<tr><td>Child's name</td><td>Amy Lee</td></tr>"
	         "<tr><td>Date of birth</td><td>01/02/2015</td></tr></table>"
	         "<table><tr><th>Question</th><th>%s</th><th>%s</th></tr>"
	         "<tr><td>Is the child subject to a child protection plan?</td>"
	         "<td>%s</td><td>%s</td></tr>"
	         "<tr><td>Is the child looked after?</td><td>%s</td><td>%s</td></tr>"
	         "</table></body></html>\n",
	         yes_head, no_head,
	         cp_yes ? mark : "&nbsp;", cp_yes ? "&nbsp;" : mark,
	         lac_yes ? mark : "&nbsp;", lac_yes ? "&nbsp;" : mark);
	read_message(msg);
}

static void test_grids(void)
{
	read_grid("Yes", "No", "X", 0, 0);
	CHECK(!has_flag("child-protection-plan") && !has_flag("looked-after"),
	      "Yes/No grid, X in the No column: no flag");
	read_grid("Yes", "No", "X", 0, 1);
	CHECK(!has_flag("child-protection-plan") && has_flag("looked-after"),
	      "Yes/No grid, X in Yes for looked after only: looked-after alone");
	read_grid("Y", "N", "&#10003;", 0, 0);
	CHECK(!has_flag("child-protection-plan") && !has_flag("looked-after"),
	      "Y/N grid, a tick in the N column: no flag");
	read_grid("Y", "N", "&#10003;", 1, 0);
	CHECK(has_flag("child-protection-plan") && !has_flag("looked-after"),
	      "Y/N grid, a tick in Y for the CP plan: child-protection-plan alone");
}

static void test_tab_rows(void)
{
	/* an MIS record pasted as TAB rows: the row above's "No" is its own */
	flag_is("LAC Status\tNo\nSEN Status\tSEN Support", "sen", 1);
	flag_is("Young carer\tNone known\nPrivate fostering\tYes", "privately-fostered", 1);
	flag_is("LAC Status\tNo\nSEN Status\tSEN Support", "looked-after", 0);
	/* a hard wrap in a sentence still carries its negation */
	flag_is("She does not have a\nchild protection plan.", "child-protection-plan", 0);
}

static void test_prompted_answers(void)
{
	flag_is("Young carer Y / N  Y", "young-carer", 1);
	flag_is("Young carer Y / N  N", "young-carer", 0);
	flag_is("Child Protection Plan Y / N  N", "child-protection-plan", 0);
}

static void test_past_answers(void)
{
	flag_is("CP plan: Not currently - ended July 2025", "child-protection-plan", 0);
	flag_is("CP plan: Not currently", "child-protection-plan", 0);
	flag_is("Previous child protection plan? Y - ended 2022", "child-protection-plan", 0);
	flag_is("Child protection plan? Yes, closed March 2024", "child-protection-plan", 0);
	flag_is("Child protection plan? Yes - plan made 14/10/2026", "child-protection-plan", 1);
	flag_is("Is the child subject to a child protection plan?\nyes - neglect",
	        "child-protection-plan", 1);
	/* the form's bracketed guidance is not the answer */
	flag_is("Is the child subject to a Child Protection Plan (if ended, give date)? Yes",
	        "child-protection-plan", 1);
	flag_is("Allocated social worker (if case closed, date of closure): Yes - J. Okafor",
	        "social-worker", 1);
	flag_is("Has the child previously been subject to a child protection plan? Yes",
	        "child-protection-plan", 0);
	flag_is("Subject to a child protection plan (ended March 2024)", "child-protection-plan", 0);
	/* a question about the past is answered about the past (corpus M) */
	flag_is("Has the child ever been subject to a CP plan?  [x] Yes  [ ] No",
	        "child-protection-plan", 0);
	flag_is("Has the child ever had a social worker?  Yes", "social-worker", 0);
	flag_is("Is the child currently, or has the child ever been, subject to a CP plan?  Yes",
	        "child-protection-plan", 1);
}

/* An answer that is only a dash, and a value that opens with a negator,
 * say no (corpus M: "Social worker: \u2013", "Not open to CSC"). */
static void test_empty_and_negated_values(void)
{
	flag_is("Social worker:   \xe2\x80\x93", "social-worker", 0);
	flag_is("Social worker:   \xe2\x80\x94", "social-worker", 0);
	flag_is("Social worker:   -", "social-worker", 0);
	flag_is("Social care involvement:   Not open to CSC (checked with MASH 03/11)",
	        "social-worker", 0);
	flag_is("Social care involvement:   Never had one", "social-worker", 0);
	flag_is("Social care involvement:   Open to CSC (Sam Ford)", "social-worker", 1);
	flag_is("Social worker:   Fern Adeyemi", "social-worker", 1);
}

/* A bare "CP" counts only when a form answers it (corpus M's police
 * notice): in a sentence it may be cerebral palsy. */
static void test_answered_only(void)
{
	flag_is("FLAGS\nCP - yes (since June)\nLAC - no", "child-protection-plan", 1);
	flag_is("CP: Yes", "child-protection-plan", 1);
	flag_is("CP - no", "child-protection-plan", 0);
	flag_is("Mia has CP and uses a wheelchair; she needs a ground-floor classroom.",
	        "child-protection-plan", 0);
}

int main(void)
{
	tap_vocabulary();
	test_grids();
	test_prompted_answers();
	test_past_answers();
	test_empty_and_negated_values();
	test_answered_only();
	test_tab_rows();
	referral_free(&r);
	return tap_done();
}

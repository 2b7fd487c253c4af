/* test_thread.c - the thread line classifier and structure matcher
 * (milter/extract/thread.c). */
#include <string.h>

#include "tap.h"
#include "tap_vocab.h"
#include "../milter/extract/thread.h"

static enum thread_line cls(const char *s)
{
	return thread_classify(s, strlen(s));
}

int main(void)
{
	struct thread_cut c;
	const char *reply, *fwd, *apple, *disc;

	tap_vocabulary();
	CHECK_INT(cls(""), TL_EMPTY, "empty line");
	CHECK_INT(cls("   "), TL_EMPTY, "blank line");
	CHECK_INT(cls("> Name: Ruby"), TL_QUOTE, "quote marker");
	CHECK_INT(cls("-----Original Message-----"), TL_SPLITTER, "Outlook original message");
	CHECK_INT(cls("________________________________"), TL_SPLITTER, "Outlook rule");
	CHECK_INT(cls("On Mon, 23 Nov 2026 at 15:02, Priti Shah <priti.shah@la.test> wrote:"),
	          TL_SPLITTER, "attribution");
	CHECK_INT(cls("---------- Forwarded message ---------"), TL_FORWARD, "Gmail forward");
	CHECK_INT(cls("Begin forwarded message:"), TL_FORWARD, "Apple forward");
	CHECK_INT(cls("-------- Forwarded Message --------"), TL_FORWARD, "Thunderbird forward");
	CHECK_INT(cls("From: Priti Shah <priti.shah@la.test>"), TL_FROM, "header From");
	CHECK_INT(cls("Sent: 17 November 2026 09:02"), TL_HEADER, "header Sent");
	CHECK_INT(cls("This email and any attachments are confidential"), TL_DISCLAIMER,
	          "disclaimer");
	CHECK_INT(cls("He said he forwarded message to mum about the original message."), TL_TEXT,
	          "a sentence naming the words is text");
	CHECK_INT(cls("Name: Ruby Moss"), TL_TEXT, "text");

	reply = "Kacper is on roll.\n\n________________________________\n"
	        "From: Priti <p@la.test>\nSent: 17 Nov\nTo: Sarah\nSubject: X\n\nName: Kacper\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 1, "reply found");
	CHECK_INT(c.new_end, strlen("Kacper is on roll.\n\n"), "reply new text ends at the rule");
	CHECK(!c.forwarded, "a reply is not a forward");

	CHECK(thread_split(reply, strlen(reply), 1, &c) == 1 && c.forwarded, "FW: subject: forward");
	CHECK(c.from && c.from_len == strlen("Priti <p@la.test>") &&
	      memcmp(c.from, "Priti <p@la.test>", c.from_len) == 0, "forward's From");
	CHECK(strcmp(reply + c.fwd_start, "\nName: Kacper\n") == 0, "forwarded body after headers");

	reply = "Located.\n\nFrom: Priti <p@la.test>\nDate: 24 Nov\nSubject: Lily\n\nName: Lily\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 1 && !c.forwarded &&
	      c.new_end == strlen("Located.\n\n"), "bare header block is a reply");

	fwd = "FYI\n\n---------- Forwarded message ---------\nFrom: Rachel <r@s.test>\n"
	      "Date: Fri\nSubject: Fwd: Amelia\nTo: A\n\n\nName: Amelia\n";
	CHECK(thread_split(fwd, strlen(fwd), 0, &c) == 1 && c.forwarded, "forward marker");
	CHECK_INT(c.new_end, 5, "forward note");
	CHECK(c.subject_forward, "forwarded Subject says forward");
	CHECK(strcmp(fwd + c.fwd_start, "\n\nName: Amelia\n") == 0, "forwarded body");

	apple = "Begin forwarded message:\n\n> From: Jane <j@x.test>\n> Date: 19 Nov\n"
	        "> Subject: Sofia\n>\n> Name: Sofia\n";
	CHECK(thread_split(apple, strlen(apple), 1, &c) == 1 && c.forwarded && c.quoted_fwd,
	      "Apple quoted forward");
	CHECK(strcmp(apple + c.fwd_start, ">\n> Name: Sofia\n") == 0, "Apple forwarded body");

	apple = "Located.\n>\n---------- Forwarded message ---------\nFrom: J <j@x>\nDate: 1\n\nB\n";
	CHECK(thread_split(apple, strlen(apple), 0, &c) == 1 && c.forwarded,
	      "HTML quote marker before a forward");

	fwd = "Note\n> ---------- Forwarded message ---------\n> From: R <r@s.test>\n"
	      "> Date: Fri\n> Subject: A\n>\n> Name: Amelia\n";
	CHECK(thread_split(fwd, strlen(fwd), 0, &c) == 1 && c.forwarded && c.quoted_fwd &&
	      c.new_end == 5, "quoted forward marker (HTML quote container)");
	CHECK(c.from && c.from_len == strlen("R <r@s.test>") &&
	      strcmp(fwd + c.fwd_start, ">\n> Name: Amelia\n") == 0, "its header block and body");

	fwd = "FYI\n\n-------- Forwarded Message --------\nSubject: \tKai\n"
	      "Date: \tFri\nFrom: \tPC 1 Mark <m@p.test>\nTo: \tLee\n\n\nHi Lee\n";
	CHECK(thread_split(fwd, strlen(fwd), 0, &c) == 1 && c.forwarded &&
	      c.from && c.from_len == strlen("PC 1 Mark <m@p.test>") &&
	      strcmp(fwd + c.fwd_start, "\n\nHi Lee\n") == 0,
	      "Thunderbird header block: Subject first, From third, TAB-aligned");

	reply = "Seen.\n\nFrom: P <p@x>\nWe met on Monday.\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 0,
	      "a From: line without a header block is text");

	reply = "Hi. He is on roll here.\n\nDate: Thu, 26 Nov 2026 13:53\nSubject: Noah\n"
	        "From: cme@la.test\nTo: parent@x.test\n\nName: Noah\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 1 && !c.forwarded &&
	      c.new_end == strlen("Hi. He is on roll here.\n\n"),
	      "Hotmail header block led by Date: cuts the reply");
	reply = "Please see below.\n\nDate: 2 Nov 2026\nSubject: Ava\nTo: CME team\n\n"
	        "Name: Ava\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 0,
	      "Date/Subject/To lines without a From are text");

	disc = "CAUTION: This email originated from outside.\n\nName: Ava\nDOB: 1/1/2016\n"
	       "Address: x\n\nThis email and any attachments are confidential.\nNR4 6AU\n";
	CHECK(thread_split(disc, strlen(disc), 0, &c) == 1, "footer disclaimer cut");
	CHECK(strstr(disc, "This email and") == disc + c.new_end, "footer runs to the end");

	disc = "Name: Ava\nDOB: 1/1/2016\nAddress: x\n\nJo Hill\n\nX Council is committed to "
	       "safeguarding children. Any views or opinions expressed are the sender's.\nIP1 2BX\n";
	CHECK(thread_split(disc, strlen(disc), 0, &c) == 1 &&
	      strstr(disc, "X Council") == disc + c.new_end, "footer paragraph by its cues");
	disc = "Name: Ava\nDOB: 1/1/2016\nAddress: x\n\nMum is committed to safeguarding her.\n";
	CHECK(thread_split(disc, strlen(disc), 0, &c) == 0, "one cue is a sentence");
	CHECK(thread_split("Name: Ava\n", 10, 0, &c) == 0 && c.new_end == 10, "no thread");

	reply = "He is on roll with us now.\n\nOn Mon, 23 Nov 2026 at 09:14, Priya Patel <\n"
	        "priya.patel@la.test> wrote:\n\n> Name: Ruby Moss\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 1 &&
	      c.new_end == strlen("He is on roll with us now.\n\n"),
	      "an attribution wrapped over two lines is not new text");
	reply = "He is on roll.\nAs you wrote:\n> Name: Ruby Moss\n";
	CHECK(thread_split(reply, strlen(reply), 0, &c) == 1 &&
	      c.new_end == strlen("He is on roll.\nAs you wrote:\n"),
	      "... but only one that opens like an attribution");
	CHECK_INT(cls("Importance: High"), TL_HEADER, "Outlook's Importance line is a header line");
	CHECK_INT(cls("This email has been scanned for viruses and malware."), TL_DISCLAIMER,
	          "a scanning footer is a disclaimer");
	fwd = "See below.\n\nFrom: Priti <p@la.test>\nSent: 17 Nov\nTo: Sarah\n"
	      "Importance: High\nSubject: FW: Kacper\n\nName: Kacper\n";
	CHECK(thread_split(fwd, strlen(fwd), 1, &c) == 1 && c.forwarded && c.subject_forward &&
	      strcmp(fwd + c.fwd_start, "\nName: Kacper\n") == 0,
	      "an Importance line inside the header block does not end it");

	/* Outlook Web HTML: the note's footer stands right above the
	 * divRplyFwdMsg header block, no blank line between them */
	fwd = "FYI, Jo\nJo Hill | Admissions | X School | X Road OF7 3BB\n"
	      "This email and any files transmitted with it are confidential.\n"
	      "From: Nursery <n@x.test>\nSent: 19 Nov\nTo: Jo\nSubject: Sibling\n"
	      "Hi Jo,\nAva Moss (DOB 1/1/2016)\n";
	CHECK(thread_split(fwd, strlen(fwd), 1, &c) == 1 && c.forwarded &&
	      strcmp(fwd + c.fwd_start, "Hi Jo,\nAva Moss (DOB 1/1/2016)\n") == 0,
	      "a banner does not swallow the forward's header block below it");
	return tap_done();
}

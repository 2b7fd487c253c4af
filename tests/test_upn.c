/*
 * test_upn - DfE Unique Pupil Number check letters.
 */
#include <string.h>

#include "tap.h"
#include "upn.h"

int main(void)
{
	char out[14];

	CHECK(upn_valid("B801200005001"), "B801200005001 is valid (DfE worked example)");
	CHECK(!upn_valid("B801200005002"), "B801200005002 fails: one digit changed");
	CHECK(!upn_valid("A801200005001"), "a wrong check letter fails");
	CHECK(upn_valid("b801200005001"), "the check letter is case-insensitive");
	CHECK(!upn_valid("B80120000500"), "12 characters is not a UPN");
	CHECK(!upn_valid("B8012000050011"), "14 characters is not a UPN");
	CHECK(!upn_valid("I801200005001"), "I is not in the check-letter alphabet");
	CHECK(!upn_valid("B8012000050O1"), "a letter inside the digits fails");
	CHECK(!upn_valid(""), "empty is not valid");
	CHECK(!upn_valid(NULL), "NULL is not valid");
	/* Temporary UPN: last character a letter of the alphabet.  Search
	 * the one check letter that makes 80120000500 + A valid. */
	{
		static const char alphabet[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
		int valid = 0;
		char t[14] = "?80120000500A";

		for (size_t i = 0; alphabet[i]; i++) {
			t[0] = alphabet[i];
			valid += upn_valid(t);
		}
		CHECK_INT(valid, 1, "exactly one check letter validates a temporary UPN");
	}
	CHECK(!upn_valid("B80120000500I"), "a temporary UPN cannot end in I");
	CHECK(upn_find("UPN: e935204414117 (from SIMS)", 30, out) &&
	      strcmp(out, "E935204414117") == 0, "a UPN is found in text and upper-cased");
	CHECK(!upn_find("ref XE935204414117", 18, out), "a UPN inside a longer word is not taken");
	CHECK(!upn_find("B8012000", 8, out), "a short token is not a UPN");
	return tap_done();
}

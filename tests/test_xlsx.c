/*
 * test_xlsx.c - xlsx_text: an Excel export read as CSV text.
 *
 * The .xlsx files are written by tests/fixtures/xlsx/make-xlsx.py with
 * python3's zipfile (committed, so the test needs no python).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xlsx_text.h"

static char srcdir[1024];

static void find_srcdir(void)
{
	tap_find_srcdir(srcdir, sizeof srcdir, __FILE__, "/tests/test_xlsx.c");
}

/* The CSV text of tests/fixtures/xlsx/NAME, or NULL. */
static char *read_xlsx(const char *name, struct xlsx_read *xr)
{
	char path[1200];
	FILE *f;
	char *buf, *text;
	long n;
	size_t len;

	snprintf(path, sizeof path, "%s/tests/fixtures/xlsx/%s", srcdir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	memset(xr, 0, sizeof *xr);
	text = xlsx_read_text(buf, (size_t)n, xr, &len);
	free(buf);
	return text;
}

static void test_serial_dates(void)
{
	char d[11];

	CHECK(xlsx_serial_date(1, 0, d) && strcmp(d, "1900-01-01") == 0, "serial 1 is 1900-01-01");
	CHECK(xlsx_serial_date(59, 0, d) && strcmp(d, "1900-02-28") == 0, "serial 59 is 1900-02-28");
	CHECK(xlsx_serial_date(61, 0, d) && strcmp(d, "1900-03-01") == 0,
	      "serial 61 is 1900-03-01 (after the fictitious 29 February)");
	CHECK(xlsx_serial_date(41403, 0, d) && strcmp(d, "2013-05-09") == 0, "serial 41403");
	CHECK(xlsx_serial_date(41403.75, 0, d) && strcmp(d, "2013-05-09") == 0,
	      "a time of day is not another day");
	CHECK(xlsx_serial_date(0, 1, d) && strcmp(d, "1904-01-01") == 0, "1904 system: serial 0");
	CHECK(!xlsx_serial_date(-1, 0, d), "negative serial refused");
	CHECK(!xlsx_serial_date(3e6, 0, d), "serial past 9999 refused");
	CHECK(!xlsx_serial_date(0, 0, d), "1900 system has no serial 0");
}

static void test_export(void)
{
	struct xlsx_read xr;
	char *t = read_xlsx("export.xlsx", &xr);

	CHECK_STR(t, "Leavers with no known destination\n"
	          "UPN,Legal Surname,Legal Forename,Date of Birth,Gender,Postcode,Date Last Attended\n"
	          "N801200050003,MAC AN tSAOIR,Ciar\xC3\xA1n,2013-05-09,M,NT8 1XY,2026-10-16\n"
	          ",O'NEILL,Saoirse,2015-11-30,F,NT8 2ZZ,2026-10-16\n",
	          "shared strings (runs joined, phonetic text left out), inline strings, "
	          "built-in and custom date styles, a missing column kept empty");
	CHECK(!xr.cut, "nothing cut");
	free(t);
}

static void test_values(void)
{
	struct xlsx_read xr;
	char *t = read_xlsx("dates1900.xlsx", &xr);

	CHECK_STR(t, "1900-02-28,1900-02-28,1900-03-01,1900-01-01,12,3.5,TRUE,\"a,\"\"b\"\"\",,,44000\n",
	          "1900 leap-year bug, numbers as written, a boolean, a quoted string, an error "
	          "cell empty, a number in a text style not a date");
	free(t);
	t = read_xlsx("dates1904.xlsx", &xr);
	CHECK_STR(t, "1904-01-01,1904-12-31\n", "date1904 workbook");
	free(t);
	t = read_xlsx("dtd.xlsx", &xr);
	CHECK(t == NULL, "a worksheet with a DTD is refused");
	free(t);
	CHECK(xlsx_read_text("PK\003\004 not a zip at all, really", 30, &xr, NULL) == NULL,
	      "not a ZIP");
}

int main(void)
{
	find_srcdir();
	test_serial_dates();
	test_export();
	test_values();
	return tap_done();
}

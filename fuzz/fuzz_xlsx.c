/*
 * fuzz_xlsx.c - libFuzzer target for xlsx_read_text (spreadsheet
 * attachments: MIS leaver exports).
 *
 * Owns nothing between runs.  As fuzz_docx: an input starting "PK" is
 * the archive itself (the ZIP container code); any other input is split
 * at NUL bytes into up to three parts - the worksheet, the shared
 * strings and the styles - and packed with libzip (fuzz_zip.h) as
 * xl/worksheets/sheet1.xml, xl/sharedStrings.xml and xl/styles.xml, so
 * that the XML walks (shared-string indexes, serial dates, date styles,
 * row and cell bounds) are explored rather than stopped by CRCs.  Seeds
 * are made by make-seeds.py --docx (its xlsx/ set).  The output must be
 * NUL-free text within the limit: the CSV reader relies on that.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_zip.h"
#include "xlsx_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const part_names[] = {
	"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
};

/* Pack the NUL-separated parts of data.  Returns malloc'd ZIP. */
static void *pack(const uint8_t *data, size_t size, size_t *outlen)
{
	struct fuzz_part parts[3];
	size_t n = 0, start = 0;

	while (n < 3 && start <= size) {
		const uint8_t *end = memchr(data + start, '\0', size - start);
		size_t len = end ? (size_t)(end - (data + start)) : size - start;

		parts[n].name = part_names[n];
		parts[n].data = data + start;
		parts[n].len = len;
		n++;
		if (end == NULL)
			break;
		start += len + 1;
	}
	return pack_parts(parts, n, outlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsx_read xr;
	const void *in;
	size_t inlen, len = 0;
	void *zip;

	if (fuzz_zip_input(data, size, pack, &in, &inlen, &zip) != 0)
		return 0;
	memset(&xr, 0, sizeof xr);
	xr.text_limit = 8192;
	fuzz_check_text(xlsx_read_text(in, inlen, &xr, &len), len, 8192);
	free(zip);
	return 0;
}

/*
 * fuzz_xlsx.c - libFuzzer target for xlsx_read_text (spreadsheet
 * attachments: MIS leaver exports).
 *
 * Owns nothing between runs.  As fuzz_docx: an input starting "PK" is
 * the archive itself (the ZIP container code); any other input is split
 * at NUL bytes into up to three parts - the worksheet, the shared
 * strings and the styles - and packed with libzip as
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

#include <zip.h>

#include "xlsx_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const part_names[] = {
	"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
};

/* Pack the NUL-separated parts of data.  Returns malloc'd ZIP. */
static void *pack(const uint8_t *data, size_t size, size_t *outlen)
{
	zip_error_t err;
	zip_source_t *src;
	zip_stat_t st;
	zip_t *za;
	void *buf = NULL;
	size_t start = 0;

	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &err) : NULL;
	zip_error_fini(&err);
	if (za == NULL) {
		zip_source_free(src);
		return NULL;
	}
	zip_source_keep(src);
	for (size_t p = 0; p < 3 && start <= size; p++) {
		const uint8_t *end = memchr(data + start, '\0', size - start);
		size_t n = end ? (size_t)(end - (data + start)) : size - start;
		zip_source_t *fs = zip_source_buffer(za, data + start, n, 0);
		zip_int64_t idx;

		if (fs == NULL || (idx = zip_file_add(za, part_names[p], fs, 0)) < 0) {
			zip_source_free(fs);
			break;
		}
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
		if (end == NULL)
			break;
		start += n + 1;
	}
	if (zip_close(za) != 0) {
		zip_discard(za);
		zip_source_free(src);
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
		buf = malloc(st.size ? st.size : 1);
		if (buf != NULL && zip_source_read(src, buf, st.size) != (zip_int64_t)st.size) {
			free(buf);
			buf = NULL;
		}
		*outlen = st.size;
		zip_source_close(src);
	}
	zip_source_free(src);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsx_read xr;
	size_t len = 0, zl = 0;
	void *zip = NULL;
	char *t;

	if (size < 2 || data[0] != 'P' || data[1] != 'K') {
		zip = pack(data, size, &zl);
		if (zip == NULL)
			return 0;
	}
	memset(&xr, 0, sizeof xr);
	xr.text_limit = 8192;
	t = xlsx_read_text(zip ? zip : data, zip ? zl : size, &xr, &len);
	if (t != NULL) {
		if (strlen(t) != len || len > 8192)
			abort();
		free(t);
	}
	free(zip);
	return 0;
}

/*
 * fuzz_docx.c - libFuzzer target for docx_to_text (Word attachments).
 *
 * Owns nothing between runs.  fuzz_message rarely gets a valid ZIP
 * through base64 inside MIME, so the DOCX reader gets its own target.
 * An input starting "PK" is handed over as the archive itself (the ZIP
 * container code); any other input is first packed with libzip as
 * word/document.xml, because mutated archives almost never pass their
 * CRC and the XML walk would otherwise go unexplored.  Seeds of both
 * kinds are made by make-seeds.py.  The output must be NUL-free UTF-8
 * within the limit: message.c relies on that.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "docx_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Pack `xml` as word/document.xml (stored).  Returns malloc'd ZIP. */
static void *pack(const uint8_t *xml, size_t size, size_t *outlen)
{
	zip_error_t err;
	zip_source_t *src, *fs;
	zip_stat_t st;
	zip_t *za;
	void *buf = NULL;

	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &err) : NULL;
	zip_error_fini(&err);
	if (za == NULL) {
		zip_source_free(src);
		return NULL;
	}
	zip_source_keep(src);
	fs = zip_source_buffer(za, xml, size, 0);
	if (fs == NULL || zip_file_add(za, "word/document.xml", fs, 0) < 0) {
		zip_source_free(fs);
		zip_discard(za);
		zip_source_free(src);
		return NULL;
	}
	zip_set_file_compression(za, 0, ZIP_CM_STORE, 0);
	if (zip_close(za) != 0) {
		zip_discard(za);
		zip_source_free(src);
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
		buf = malloc(st.size ? st.size : 1);
		if (buf != NULL && zip_source_read(src, buf, st.size) !=
		    (zip_int64_t)st.size) {
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
	size_t len = 0, zl = 0;
	void *zip = NULL;
	char *t;

	if (size < 2 || data[0] != 'P' || data[1] != 'K') {
		zip = pack(data, size, &zl);
		if (zip == NULL)
			return 0;
	}
	t = docx_to_text(zip ? zip : data, zip ? zl : size, 4096, &len);
	if (t != NULL) {
		if (strlen(t) != len || len > 4096)
			abort();
		free(t);
	}
	free(zip);
	return 0;
}

/*
 * fuzz_zip.h - pack fuzz input as the parts of a stored ZIP archive.
 *
 * Owns nothing between calls.  Mutated archives almost never pass their
 * CRCs, so the ZIP-based targets (fuzz_docx, fuzz_xlsx) pack raw input
 * into a well-formed archive with libzip and hand that to the reader,
 * which lets the XML walks inside be explored.  Every part is stored
 * (not compressed), in the order given.  Header-only: each target is
 * its own program.
 */
#ifndef CME_FUZZ_ZIP_H
#define CME_FUZZ_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

/* One member of the archive: its name and its bytes (not copied). */
struct fuzz_part {
	const char *name;
	const uint8_t *data;
	size_t len;
};

/*
 * Pack parts[0..n) into a ZIP in memory.  Returns the malloc'd archive
 * with its length in *outlen, or NULL when libzip fails.
 */
static void *pack_parts(const struct fuzz_part *parts, size_t n,
			size_t *outlen)
{
	zip_error_t err;
	zip_source_t *src;
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
	for (size_t p = 0; p < n; p++) {
		zip_source_t *fs = zip_source_buffer(za, parts[p].data,
						     parts[p].len, 0);
		zip_int64_t idx = -1;

		if (fs == NULL ||
		    (idx = zip_file_add(za, parts[p].name, fs, 0)) < 0) {
			zip_source_free(fs);
			zip_discard(za);
			zip_source_free(src);
			return NULL;
		}
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
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

/*
 * The archive a target reads: the input itself when it starts "PK" (the
 * ZIP container code is under test; *zip is NULL), else the input as
 * `pack` packs it (malloc'd in *zip, for the caller to free).  Returns
 * 0, or -1 when libzip failed and the input is to be skipped.
 */
static int fuzz_zip_input(const uint8_t *data, size_t size,
			  void *(*pack)(const uint8_t *, size_t, size_t *),
			  const void **in, size_t *inlen, void **zip)
{
	*zip = NULL;
	*in = data;
	*inlen = size;
	if (size >= 2 && data[0] == 'P' && data[1] == 'K')
		return 0;
	if ((*zip = pack(data, size, inlen)) == NULL)
		return -1;
	*in = *zip;
	return 0;
}

/* A reader's text (may be NULL) must be NUL-free and at most limit
 * bytes: abort, for libFuzzer to report, when it is not.  Frees t. */
static void fuzz_check_text(char *t, size_t len, size_t limit)
{
	if (t == NULL)
		return;
	if (strlen(t) != len || len > limit)
		abort();
	free(t);
}

#endif

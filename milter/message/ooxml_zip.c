/*
 * ooxml_zip.c - the ZIP container of Office Open XML attachments (DOCX,
 * XLSX), read through libzip.  See ooxml_zip.h.
 *
 * Owns: nothing past a call; the archive belongs to the caller.
 */
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "ooxml_zip.h"
#include "strbuf.h"

/* Bytes inflated and handed to the sink at a time. */
#define OOXML_CHUNK ((size_t)64 * 1024)

zip_t *ooxml_zip_open(const void *data, size_t len)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za;

	zip_error_init(&zerr);
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (src == NULL) {
		zip_error_fini(&zerr);
		return NULL;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	zip_error_fini(&zerr);
	if (za == NULL)
		zip_source_free(src);   /* on failure the source is still ours */
	return za;
}

/* Inflate entry `idx` into `sink`, at most `max` bytes.  Returns 0 when
 * the whole entry was read and is sound (its size as claimed, its CRC
 * right), 1 when it was cut at `max` or the sink stopped, -1 when it is
 * damaged, encrypted or unreadable.  *total counts the bytes read. */
int ooxml_zip_stream(zip_t *za, zip_int64_t idx, size_t max,
                        ooxml_sink sink, void *arg, size_t *total)
{
	zip_stat_t st;
	zip_file_t *zf;
	char *chunk;
	int rc = 0;

	*total = 0;
	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE))
		return -1;
	/* A password-protected entry is unreadable; say so by failing
	 * rather than handing libzip a guess. */
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return -1;
	chunk = malloc(OOXML_CHUNK);
	if (chunk == NULL)
		return -1;
	zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		free(chunk);
		return -1;
	}
	for (;;) {
		size_t want = OOXML_CHUNK;
		zip_int64_t n;

		/* at the bound, one byte more tells a part that ends
		 * there (its CRC then checked) from one that goes on */
		if (*total >= max)
			want = 1;
		else if (want > max - *total)
			want = max - *total;
		n = zip_fread(zf, chunk, want);
		if (n > 0 && *total >= max) {
			rc = 1;
			break;
		}
		if (n < 0) {
			rc = -1;        /* damaged data, a bad CRC */
			break;
		}
		if (n == 0) {
			/* The claimed size is only a claim: a stream that
			 * inflates to more or less than it is damaged or a
			 * bomb, and either way not read. */
			if (*total != (size_t)st.size)
				rc = -1;
			break;
		}
		*total += (size_t)n;
		if (*total > (size_t)st.size) {
			rc = -1;
			break;
		}
		if (sink(arg, chunk, (size_t)n) != 0) {
			rc = 1;
			break;
		}
	}
	if (zip_fclose(zf) != 0 && rc == 0)
		rc = -1;
	free(chunk);
	return rc;
}

int ooxml_to_strbuf(void *arg, const char *p, size_t n)
{
	return strbuf_append(arg, p, n) != 0;
}

/*
 * fuzz_docx.c - libFuzzer target for docx_to_text (Word attachments).
 *
 * Owns nothing between runs.  fuzz_message rarely gets a valid ZIP
 * through base64 inside MIME, so the DOCX reader gets its own target.
 * An input starting "PK" is handed over as the archive itself (the ZIP
 * container code); any other input is first packed with libzip as
 * word/document.xml (fuzz_zip.h), because mutated archives almost never pass their
 * CRC and the XML walk would otherwise go unexplored.  Seeds of both
 * kinds are made by make-seeds.py.  The output must be NUL-free UTF-8
 * within the limit: message.c relies on that.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docx_text.h"
#include "fuzz_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Pack `xml` as word/document.xml (stored).  Returns malloc'd ZIP. */
static void *pack(const uint8_t *xml, size_t size, size_t *outlen)
{
	const struct fuzz_part part = { "word/document.xml", xml, size };

	return pack_parts(&part, 1, outlen);
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

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
	const void *in;
	size_t inlen, len = 0;
	void *zip;

	if (fuzz_zip_input(data, size, pack, &in, &inlen, &zip) != 0)
		return 0;
	fuzz_check_text(docx_to_text(in, inlen, 4096, &len), len, 4096);
	free(zip);
	return 0;
}

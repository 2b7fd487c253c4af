/*
 * fuzz_docx.c - libFuzzer target for docx_to_text (Word attachments).
 *
 * Owns nothing between runs.  fuzz_message rarely gets a valid ZIP
 * through base64 inside MIME, so the ZIP and WordprocessingML reader gets
 * its own target; its seeds are made by make-docx-seeds.py.  The output
 * must be NUL-free UTF-8 within the limit: message.c relies on that.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docx_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0;
	char *t = docx_to_text(data, size, 4096, &len);

	if (t != NULL) {
		if (strlen(t) != len || len > 4096)
			abort();
		free(t);
	}
	return 0;
}

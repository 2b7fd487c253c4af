/*
 * msg_digest.c - the content digest of a message.  See msg_digest.h for
 * what it covers and why.
 *
 * Owns: the normalisation of the body and of the three headers, and the
 * SHA-256 (nettle) over them.  Reads only: no allocation, so a message
 * of any size costs one pass over its body.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "msg_digest.h"

/* "[CME-2026-00001]": the reference tag pipeline_tag_subject adds. */
static size_t ref_tag_len(const char *s)
{
	static const char shape[] = "[CME-dddd-ddddd]";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	}
	return i;
}

const char *msg_digest_untagged(const char *subject)
{
	const char *s = subject;

	for (;;) {
		size_t n = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "[URGENT]", 8) == 0)
			n = 8;
		else
			n = ref_tag_len(s);
		if (n == 0)
			return s;
		s += n;
	}
}

/* Where the body starts: after the first empty line (LF or CRLF);
 * len when there is none. */
static size_t body_start(const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (raw[i] != '\n')
			continue;
		if (i + 1 < len && raw[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

static void put_field(struct sha256_ctx *ctx, const char *name, const char *v)
{
	/* name, value and a NUL: no two field lists hash alike */
	sha256_update(ctx, strlen(name) + 1, (const uint8_t *)name);
	sha256_update(ctx, strlen(v) + 1, (const uint8_t *)v);
}

void msg_digest(const char *raw, size_t len, const char *from_addr, time_t date,
                const char *subject, char out[MSG_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char when[32];
	size_t b = body_start(raw, len), end = len, run;

	snprintf(when, sizeof when, "%lld", date == (time_t)-1 ? -1LL : (long long)date);
	sha256_init(&ctx);
	put_field(&ctx, "from", from_addr ? from_addr : "");
	put_field(&ctx, "date", when);
	put_field(&ctx, "subject", msg_digest_untagged(subject ? subject : ""));
	while (end > b && (raw[end - 1] == '\n' || raw[end - 1] == '\r' ||
	                   raw[end - 1] == ' ' || raw[end - 1] == '\t'))
		end--;
	/* The body with every CR that ends a line left out. */
	for (size_t i = b; i < end; i += run) {
		const char *cr = memchr(raw + i, '\r', end - i);

		run = cr ? (size_t)(cr - (raw + i)) : end - i;
		sha256_update(&ctx, run, (const uint8_t *)raw + i);
		if (cr) {
			if (!(i + run + 1 < end && raw[i + run + 1] == '\n'))
				sha256_update(&ctx, 1, (const uint8_t *)"\r");
			run++;
		}
	}
	sha256_digest(&ctx, sizeof digest, digest);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", digest[i]);
}

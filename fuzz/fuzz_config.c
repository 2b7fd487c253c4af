/*
 * fuzz_config.c - libFuzzer target for conf_load (cme-milter.conf(5)).
 *
 * Owns nothing between runs.  The config is written by an administrator,
 * not an attacker, but a crash on a typo would stop mail, so every line
 * shape is fair game; conf_check runs on the result as the milter does.
 */
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "strlist.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cme_conf c;
	struct strlist errors = STRLIST_INIT;
	const char *path = fuzz_file(data, size);

	if (path == NULL)
		return 0;
	conf_defaults(&c);
	if (conf_load(&c, path, &errors) == 0)
		(void)conf_check(&c, &errors);
	conf_free(&c);
	strlist_free(&errors);
	return 0;
}

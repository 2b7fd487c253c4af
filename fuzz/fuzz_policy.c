/*
 * fuzz_policy.c - libFuzzer target for policy_load (an LA's .policy file).
 *
 * Owns nothing between runs.  Calendars named by the policy are looked
 * up in FUZZ_CALENDAR_DIR (build.sh points it at a directory holding a
 * small calendar), so a policy that names one really loads it.
 */
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "policy.h"
#include "strlist.h"
#include "fuzz_file.h"

#ifndef FUZZ_CALENDAR_DIR
#define FUZZ_CALENDAR_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct strlist errors = STRLIST_INIT;
	struct policy *p;
	const char *path;

	if (!ready) {
		/* what the milter does once before loading a policy */
		deadline_global_init();
		ready = 1;
	}
	path = fuzz_file(data, size);
	if (path == NULL)
		return 0;
	p = policy_load(path, NULL, FUZZ_CALENDAR_DIR, &errors);
	policy_free(p);
	strlist_free(&errors);
	return 0;
}

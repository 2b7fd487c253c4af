/*
 * fuzz_file.h - hand a fuzz input to a loader that only takes a path.
 *
 * Owns one memfd per process.  conf_load and policy_load read files; an
 * in-memory file behind /proc/self/fd/N gives them a real path without
 * touching the disk on every run, so the fuzzer stays fast and leaves
 * nothing behind.  Header-only: each target is its own program.
 */
#ifndef CME_FUZZ_FILE_H
#define CME_FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Write data to the process's memfd; returns its path or NULL. */
static const char *fuzz_file(const void *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	const char *p = data;
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("cme-fuzz", MFD_CLOEXEC);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0)
		return NULL;
	while (done < size) {
		ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);

		if (n <= 0)
			return NULL;
		done += (size_t)n;
	}
	return path;
}

#endif

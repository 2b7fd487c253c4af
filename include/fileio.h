/*
 * fileio.h - small file helpers: read a whole file with a cap, and
 * replace a file atomically (write temp, fsync, rename).
 */
#ifndef CME_FILEIO_H
#define CME_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read at most `limit` bytes of `path` (or stdin for "-") into a malloc'd,
 * NUL-terminated buffer.  Returns NULL and sets errno on failure;
 * *truncated is set to 1 when the file was longer than limit. */
char *file_read_all(const char *path, size_t limit, size_t *len, int *truncated);

/* Replace `path` with `data` atomically: readers see the old or the new
 * file, never a partial one.  `mode` is applied to the new file. */
int   file_replace_atomic(const char *path, const void *data, size_t len,
                          mode_t mode);

#endif

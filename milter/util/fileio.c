/*
 * fileio.c - small file helpers (see fileio.h).
 *
 * Owns: reading a whole file (or stdin) with a hard size cap, and
 * replacing a file atomically.  The atomic replace is what keeps an
 * officer's calendar feed whole while a client is downloading it: the
 * data goes to a temporary file in the same directory (rename is only
 * atomic within one file system), is fsync'd, gets its final mode, and
 * is renamed over the target; the directory is then fsync'd so the
 * rename itself survives a crash.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* A buffer never grows past this, whatever the caller's limit: a larger
 * limit would only let a hostile input exhaust memory. */
#define FILEIO_HARD_LIMIT ((size_t)1 << 30)

/* read(2) that retries on EINTR. */
static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t r;

	do
		r = read(fd, buf, len);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Read up to `limit` bytes from fd into a malloc'd, NUL-terminated buffer.
 * `hint` (the size from fstat, or 0) sizes the first allocation. */
static char *read_fd(int fd, size_t limit, size_t hint, size_t *lenp,
                     int *truncated)
{
	size_t cap, len = 0;
	char *buf, *nbuf;
	char extra;
	ssize_t r;

	cap = hint ? hint : 8192;
	if (cap > limit)
		cap = limit;
	buf = malloc(cap + 1);
	if (buf == NULL)
		return NULL;

	for (;;) {
		if (len == cap) {
			size_t ncap;

			if (cap == limit)
				break;
			ncap = cap < limit / 2 ? cap * 2 : limit;
			if (ncap < 4096 && limit >= 4096)
				ncap = 4096;
			nbuf = realloc(buf, ncap + 1);
			if (nbuf == NULL) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
			cap = ncap;
		}
		r = read_retry(fd, buf + len, cap - len);
		if (r < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			goto done;
		len += (size_t)r;
	}

	/* Exactly `limit` bytes read: one more byte tells whether the input
	 * was longer.  For stdin this consumes a byte nobody will read. */
	r = read_retry(fd, &extra, 1);
	if (r < 0) {
		int saved = errno;

		free(buf);
		errno = saved;
		return NULL;
	}
	if (r > 0 && truncated != NULL)
		*truncated = 1;
done:
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

char *file_read_all(const char *path, size_t limit, size_t *len, int *truncated)
{
	struct stat st;
	size_t hint = 0;
	char *buf;
	int fd, saved;

	if (len != NULL)
		*len = 0;
	if (truncated != NULL)
		*truncated = 0;
	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (limit == 0 || limit > FILEIO_HARD_LIMIT)
		limit = FILEIO_HARD_LIMIT;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, limit, 0, len, truncated);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			errno = EISDIR;
			return NULL;
		}
		/* A regular file's size is only a hint: it may change while we
		 * read, and the loop copes either way. */
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			hint = (uintmax_t)st.st_size < limit ?
			       (size_t)st.st_size : limit;
	}
	buf = read_fd(fd, limit, hint, len, truncated);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

/* write(2) all of buf, retrying on EINTR and short writes. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding `path`, so a completed rename is durable. */
static int fsync_parent(const char *dir)
{
	int fd, rc, saved;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	/* Some file systems cannot fsync a directory (EINVAL); the rename
	 * has happened and there is nothing better to do there. */
	if (rc < 0 && saved == EINVAL)
		return 0;
	errno = saved;
	return rc;
}

int file_replace_atomic(const char *path, const void *data, size_t len,
                        mode_t mode)
{
	const char *slash, *base;
	char *dir = NULL, *tmp = NULL;
	size_t dirlen, need;
	int fd = -1, saved;

	if (path == NULL || *path == '\0' || (data == NULL && len > 0)) {
		errno = EINVAL;
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL) {
		dir = strdup(".");
		base = path;
	} else {
		dirlen = (size_t)(slash - path);
		dir = dirlen == 0 ? strdup("/") : strndup(path, dirlen);
		base = slash + 1;
	}
	if (dir == NULL)
		return -1;
	if (*base == '\0') {            /* "dir/" names no file */
		free(dir);
		errno = EISDIR;
		return -1;
	}

	/* DIR/.BASE.XXXXXX: same directory so rename(2) is atomic; hidden
	 * so a directory listing or glob over *.ics never picks it up. */
	need = strlen(dir) + 1 + 1 + strlen(base) + sizeof(".XXXXXX");
	tmp = malloc(need);
	if (tmp == NULL) {
		free(dir);
		return -1;
	}
	snprintf(tmp, need, "%s/.%s.XXXXXX", dir, base);

	/* O_CLOEXEC: the milter forks sendmail from other threads, and the
	 * child must not inherit a half-written feed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail_nofile;
	if (write_all(fd, data, len) < 0)
		goto fail;
	if (fchmod(fd, mode) < 0)
		goto fail;
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	if (fsync_parent(dir) < 0) {
		saved = errno;
		free(dir);
		errno = saved;
		return -1;
	}
	free(dir);
	return 0;

fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail_nofile:
	saved = errno;
	free(tmp);
	free(dir);
	errno = saved;
	return -1;
}

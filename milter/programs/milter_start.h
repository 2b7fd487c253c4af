/*
 * milter_start.h - cme-milter's start-up checks and its change of user.
 * See milter_start.c.
 */
#ifndef CME_MILTER_START_H
#define CME_MILTER_START_H

#include <stddef.h>
#include <sys/types.h>
#include "conf.h"
#include "strlist.h"

/* UserID "user[:group]" -> ids and the user's name; 0, or -1 when the
 * user or group does not exist. */
int milter_lookup_user(const char *spec, uid_t *uid, gid_t *gid, char *name, size_t namelen);

/* Become conf->user_id when root (user, supplementary groups, group) and
 * make sure root cannot be regained; nothing when not root.  0, or -1
 * with the reason in err (not logged: the caller says it once). */
int milter_drop_privileges(const struct cme_conf *conf, char *err, size_t errlen);

/* Everything that makes the milter refuse to start once its
 * configuration and vocabulary are loaded, checked in this process as
 * the user it runs as: the database (PRAGMA quick_check), then a
 * pipeline built and freed (policy, calendars, OfficerMap, the database
 * opened and migrated, its reference record and seal key, ReminderDir).
 * Each problem is added to *problems. */
void milter_start_check(const struct cme_conf *conf, struct strlist *problems);

/* milter_start_check before the milter listens, as the milter's user:
 * when root, in a child process that drops privileges first and reports
 * its problems back through a pipe; otherwise in this process.  0 when
 * the milter may start, -1 with every problem in *problems. */
int milter_start_check_as_user(const struct cme_conf *conf, struct strlist *problems);

#endif

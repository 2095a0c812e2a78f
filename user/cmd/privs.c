// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* setresuid, setresgid */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cmd/privs.h"

#define NOBODY_ID 65534 /* Debian's nobody and nogroup, when /etc/passwd does not say */

/* A decimal id from the environment, not 0; false when unset or not one. */
static bool env_id(const char *name, unsigned long *id)
{
	const char *v = getenv(name);
	char *end;

	if (!v || !*v)
		return false;
	errno = 0;
	*id = strtoul(v, &end, 10);
	return !errno && !*end && *id > 0 && *id < 0xffffffffu;
}

/* Whom root becomes: SUDO_UID and SUDO_GID when set (not 0), else nobody. */
static void target(uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	struct passwd *pw;
	FILE *f;

	if (env_id("SUDO_UID", &u) && env_id("SUDO_GID", &g)) {
		*uid = u;
		*gid = g;
		return;
	}
	*uid = *gid = NOBODY_ID;
	/* fgetpwent reads the file itself: no NSS, which a static binary cannot load. */
	f = fopen("/etc/passwd", "re");
	if (!f)
		return;
	while ((pw = fgetpwent(f))) {
		if (!strcmp(pw->pw_name, "nobody")) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			break;
		}
	}
	fclose(f);
}

int privs__drop_root(void)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	target(&uid, &gid);
	/* Groups first, then gids, then uids: each needs the privilege the next one gives up. */
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* For good: had root stayed within reach (a saved id, a capability), this would succeed. */
	if (uid != 0 && setresuid(0, 0, 0) == 0)
		return -EPERM;
	return 0;
}

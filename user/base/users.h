/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * User and group names for the ids in events, from /etc/passwd and
 * /etc/group read by this process itself: a static binary has no NSS, so a
 * user of a directory (LDAP, SSSD) stays a number. Each file is read at the
 * first look-up and then only when a look-up misses and the file changed
 * (at most every USERS_RELOAD_NS): a name costs one hash look-up, never a
 * call that can block the event loop. Names are copied as they are in the
 * files; escaping them is the printer's.
 */
#ifndef PROCLIFE_USERS_H
#define PROCLIFE_USERS_H

#include <linux/types.h>

/* The name of uid, or NULL when it has none (the caller prints the number). */
const char *users__name(__u32 uid);
/* The name of gid, or NULL. */
const char *users__group(__u32 gid);
/*
 * Read other files than /etc/passwd and /etc/group (tests); NULL: those.
 * Forgets what was read.
 */
void users__set_files(const char *passwd, const char *group);

#endif

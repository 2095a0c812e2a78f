/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Replaying needs no privilege. A recording may have been written by
 * anyone (copied from another machine, crafted), and replaying one parses
 * all of it: run as root, proclife gives root up once its files are open
 * (the recordings and what it writes), before it reads a block of them.
 */
#ifndef PROCLIFE_CMD_PRIVS_H
#define PROCLIFE_CMD_PRIVS_H

/*
 * Run as root (effective uid 0): become the user who ran sudo (SUDO_UID,
 * SUDO_GID), else nobody (/etc/passwd's, else 65534), for good: no
 * supplementary groups, every uid and gid set (setresgid, setresuid: the
 * capabilities go with uid 0), no new privileges (PR_SET_NO_NEW_PRIVS),
 * and checked that root cannot be had back. Not root: nothing to do. 0 or
 * -errno.
 */
int privs__drop_root(void);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Who did it, said the same way by every view: the user (the login user in
 * parentheses when it differs: "root(admin)"), the terminal, the effective
 * ids, login uid and audit session as JSON fields, capability sets by name,
 * a set of credentials, and a credential change in words. Names come from
 * base/users.h; every name and path is escaped like argv.
 */
#ifndef PROCLIFE_IDENTITY_FMT_H
#define PROCLIFE_IDENTITY_FMT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"
#include "base/outbuf.h"
#include "model/model.h"
#include "views/json.h"

/* Who a subject is, as an event's header or the model says it. */
struct ident {
	bool known;  /* euid .. tty are known (false: a recording made before format 2.0) */
	__u32 uid, gid, euid, egid;
	__u32 auid, session, tty; /* PL_ID_UNSET: none; tty 0: none */
};

struct ident ident__of_hdr(const struct pl_hdr *h);
struct ident ident__of_proc(const struct proc *p);

/* Room for identity_fmt__tty_str(). */
#define TTY_STR_MAX 24

/* "root", "root(admin)" (its login user differs), a number for an id without a name. Escaped. */
void identity_fmt__user_text(struct outbuf *ob, const struct ident *id);
/* "pts/3", "-" (none), "?" (not known). Written to buf, which it returns. */
const char *identity_fmt__tty_str(const struct ident *id, char *buf, size_t size);
/* "euid", "egid", "auid", "session", "tty": each null when not known (auid, session: when unset too). */
void identity_fmt__json_fields(struct json *j, const struct ident *id);
/* A capability set as an array of names ([] when empty). */
void identity_fmt__caps_json(struct json *j, __u64 caps);
/*
 * A set of credentials as an object: the eight ids, "groups" (the first
 * PL_GROUPS_MAX) and "ngroups", "caps" (each set by name), "securebits".
 * ids_only: only uid, euid, gid, egid are known, the rest null.
 */
void identity_fmt__creds_json(struct json *j, const struct pl_creds *c, bool ids_only);
/*
 * A cred event's own fields: "how", "syscall_nr", "old" (null when not
 * known), "old_from" ("kernel", "model", or null), "new", "setid".
 */
void identity_fmt__cred_json(struct json *j, const struct pl_cred *e);
/*
 * A cred event in words: "setresuid: uid 0->1000 euid 0->1000 ... [setid]",
 * only what changed ("?->1000" where the old value is not known), capability
 * sets as names gained (+) and lost (-).
 */
void identity_fmt__cred_text(struct outbuf *ob, const struct pl_cred *e);

#endif

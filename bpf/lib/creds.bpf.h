/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of credentials (struct pl_creds) read from a struct cred, typed or
 * not (CO-RE reads). The ids and the capability sets are runs of adjacent
 * fields in every kernel proclife knows: each run is one read when the
 * kernel's BTF says the run is there as expected, else field by field.
 */
#ifndef PROCLIFE_CREDS_BPF_H
#define PROCLIFE_CREDS_BPF_H

#include "lib/common.bpf.h"

/* struct cred's ids in its own order: uid, gid, suid, sgid, euid, egid, fsuid, fsgid. */
struct cred_ids {
	__u32 uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
};

/* PER_CLEAR_ON_SETID (include/uapi/linux/personality.h): what a privilege-changing exec clears. */
#define PER_CLEAR_ON_SETID (0x0400000 | 0x0040000 | 0x0200000 | 0x0100000)

/* A kernel_cap_t as 64 bits: u64 since 6.3, two u32 before, the low word first (little-endian). */
#define CAP_AT(c, f) ((const void *)&(c)->f)

static __always_inline void read_ids(struct pl_creds *out, const struct cred *c)
{
	struct cred_ids ids = {};

	if (bpf_core_field_offset(struct cred, fsgid) - bpf_core_field_offset(struct cred, uid) == 28 &&
	    bpf_core_field_offset(struct cred, euid) - bpf_core_field_offset(struct cred, uid) == 16) {
		bpf_core_read(&ids, sizeof(ids), &c->uid);
	} else {
		ids.uid = BPF_CORE_READ(c, uid.val);
		ids.gid = BPF_CORE_READ(c, gid.val);
		ids.suid = BPF_CORE_READ(c, suid.val);
		ids.sgid = BPF_CORE_READ(c, sgid.val);
		ids.euid = BPF_CORE_READ(c, euid.val);
		ids.egid = BPF_CORE_READ(c, egid.val);
		ids.fsuid = BPF_CORE_READ(c, fsuid.val);
		ids.fsgid = BPF_CORE_READ(c, fsgid.val);
	}
	out->uid = ids.uid;
	out->euid = ids.euid;
	out->suid = ids.suid;
	out->fsuid = ids.fsuid;
	out->gid = ids.gid;
	out->egid = ids.egid;
	out->sgid = ids.sgid;
	out->fsgid = ids.fsgid;
}

static __always_inline void read_caps(struct pl_creds *out, const struct cred *c)
{
	if (bpf_core_field_offset(struct cred, cap_ambient) - bpf_core_field_offset(struct cred, cap_inheritable) == 32 &&
	    bpf_core_field_size(struct cred, cap_inheritable) == 8) {
		bpf_core_read(&out->cap_inheritable, 40, &c->cap_inheritable);
		return;
	}
	bpf_probe_read_kernel(&out->cap_inheritable, 8, CAP_AT(c, cap_inheritable));
	bpf_probe_read_kernel(&out->cap_permitted, 8, CAP_AT(c, cap_permitted));
	bpf_probe_read_kernel(&out->cap_effective, 8, CAP_AT(c, cap_effective));
	bpf_probe_read_kernel(&out->cap_bset, 8, CAP_AT(c, cap_bset));
	bpf_probe_read_kernel(&out->cap_ambient, 8, CAP_AT(c, cap_ambient));
}

/* The supplementary groups: how many, and the first PL_GROUPS_MAX (the rest of groups[] 0). */
static __always_inline void read_groups(struct pl_creds *out, const struct cred *c)
{
	struct group_info *gi = BPF_CORE_READ(c, group_info);
	int n = gi ? BPF_CORE_READ(gi, ngroups) : 0;
	__u32 k = n > 0 ? (__u32)n : 0, size;

	out->ngroups = k;
	__builtin_memset(out->groups, 0, sizeof(out->groups));
	size = k * sizeof(__u32);
	if (size > sizeof(out->groups))
		size = sizeof(out->groups);
	if (size)
		bpf_probe_read_kernel(out->groups, size,
				      (const void *)((unsigned long)gi + bpf_core_field_offset(struct group_info, gid)));
}

/* All of c into out. */
static __always_inline void read_creds(struct pl_creds *out, const struct cred *c)
{
	read_ids(out, c);
	read_caps(out, c);
	out->securebits = BPF_CORE_READ(c, securebits);
	read_groups(out, c);
}

/* Are two sets the same? */
static __always_inline bool creds_equal(const struct pl_creds *a, const struct pl_creds *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*a) / 8); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

#endif

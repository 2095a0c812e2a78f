/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A path as the kernel's d_path() writes it, read without it (bpf_d_path()
 * is not allowed on tracepoints): a bounded walk up the dentries, crossing
 * mounts, to the task's root directory, the names put together from the
 * end, as prepend_path() does. " (deleted)" follows an unlinked file (a
 * pseudo file's, such as a memfd's, as simple_dname() writes it:
 * "/memfd:NAME (deleted)"). A path deeper
 * than PATH_DEPTH components, longer than PL_PATH_MAX - 1 bytes, or with a
 * name that cannot be read is cut short: what was read, its last
 * components, is kept without a leading '/', and the caller is told.
 *
 * The walk keeps its position and how it ended in the scratch (map
 * memory, which the verifier does not track), so that every way out of
 * the loop leaves the same state behind: the code after it is verified
 * once, not once per iteration and exit.
 */
#ifndef PROCLIFE_PATH_BPF_H
#define PROCLIFE_PATH_BPF_H

#include "lib/common.bpf.h"

/* Components walked at most (a mount crossing counts as one). */
#define PATH_DEPTH 64
/* The longest name of one component (NAME_MAX), and the mask that bounds a position for the verifier. */
#define PATH_NAME_MAX 255
#define PATH_POS_MASK (PL_PATH_MAX - 1)
#define DELETED_SUFFIX " (deleted)"
/* How a walk ended (scratch.path_end). */
#define PATH_END_CUT 0
#define PATH_END_ROOT 1

/* container_of(vfsmount, struct mount, mnt), and back. */
static __always_inline struct mount *real_mount(struct vfsmount *m)
{
	return (struct mount *)((unsigned long)m - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline struct vfsmount *mount_vfs(struct mount *m)
{
	return (struct vfsmount *)((unsigned long)m + bpf_core_field_offset(struct mount, mnt));
}

/*
 * Is d, whose parent is parent, a pseudo file's (alloc_file_pseudo(): a
 * memfd), its own parent on an internal mount, which d_path() names by
 * d_op->d_dname()? And is it unlinked (d_unlinked(): unhashed, not a root)?
 */
static __always_inline bool dentry_pseudo(struct dentry *d, struct dentry *parent, struct vfsmount *vm)
{
	return parent == d && BPF_CORE_READ(vm, mnt_root) != d && BPF_CORE_READ(d, d_op, d_dname);
}

static __always_inline bool dentry_unlinked(struct dentry *d, struct dentry *parent)
{
	return parent != d && !BPF_CORE_READ(d, d_hash.pprev);
}

/* Prepends d's name and a '/' at s->path_pos; false when it cannot (too long, unreadable). */
static __always_inline bool path_prepend(struct scratch *s, struct dentry *d)
{
	struct qstr name;
	__u32 pos = s->path_pos, len;

	if (bpf_core_read(&name, sizeof(name), &d->d_name))
		return false;
	len = name.len;
	if (len > PATH_NAME_MAX || len + 1 > pos)
		return false;
	pos -= len;
	if (bpf_probe_read_kernel(s->path + (pos & PATH_POS_MASK), len & PATH_NAME_MAX, name.name))
		return false;
	pos--;
	barrier_var(pos); /* the mask stays in the program (see path_copy()) */
	s->path[pos & PATH_POS_MASK] = '/';
	s->path_pos = pos;
	return true;
}

/*
 * Walks path (d, vm) up to root, writing it into s->path from its end:
 * it ends at s->path[PL_PATH_MAX - 1], its NUL, and starts at s->path_pos.
 * s->path_end says whether it reached the root.
 */
static __always_inline void path_walk(struct scratch *s, struct dentry *d, struct vfsmount *vm,
				      const struct path *root)
{
	struct dentry *root_d = BPF_CORE_READ(root, dentry);
	struct vfsmount *root_m = BPF_CORE_READ(root, mnt);
	struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root); /* read again only at a mount crossing */
	struct mount *m = real_mount(vm);

	for (int i = 0; i < PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		struct mount *up;

		if (d == root_d && vm == root_m) {
			s->path_end = PATH_END_ROOT;
			break;
		}
		if (d != mnt_root && d != parent) {
			if (!path_prepend(s, d))
				break;
			d = parent;
			continue;
		}
		/* The top of a mount: go on from where it is mounted, unless it is the top of all (a root). */
		up = BPF_CORE_READ(m, mnt_parent);
		if (d != mnt_root || up == m || !up) {
			if (d == mnt_root)
				s->path_end = PATH_END_ROOT;
			break;
		}
		d = BPF_CORE_READ(m, mnt_mountpoint);
		m = up;
		vm = mount_vfs(m);
		mnt_root = BPF_CORE_READ(vm, mnt_root);
	}
}

/*
 * Walks path p of the task whose root is root into s->path: it starts at
 * s->path_pos, ends at s->path[PL_PATH_MAX - 1] with its NUL; path_copy()
 * takes it from there.
 */
static __always_inline void path_read(struct scratch *s, const struct path *p, const struct path *root)
{
	struct dentry *d = BPF_CORE_READ(p, dentry), *parent;
	struct vfsmount *vm = BPF_CORE_READ(p, mnt);
	bool pseudo;

	s->path[PL_PATH_MAX - 1] = '\0';
	s->path_pos = PL_PATH_MAX - 1;
	s->path_end = PATH_END_CUT;
	if (!d || !vm)
		return;
	parent = BPF_CORE_READ(d, d_parent);
	pseudo = dentry_pseudo(d, parent, vm);
	if (pseudo || dentry_unlinked(d, parent)) {
		s->path_pos -= sizeof(DELETED_SUFFIX) - 1;
		__builtin_memcpy(s->path + PL_PATH_MAX - sizeof(DELETED_SUFFIX), DELETED_SUFFIX,
				 sizeof(DELETED_SUFFIX) - 1);
	}
	/* simple_dname(): "/NAME (deleted)", whatever its mount. */
	if (pseudo) {
		if (path_prepend(s, d))
			s->path_end = PATH_END_ROOT;
		return;
	}
	path_walk(s, d, vm, root);
}

/*
 * The path path_read() put together, into dst (room for PL_PATH_MAX
 * bytes). Returns its bytes, NUL included (1: "" when nothing could be
 * read); sets cut_bit in *flags when it was cut short.
 */
static __always_inline __u32 path_copy(char *dst, struct scratch *s, __u32 *flags, __u32 cut_bit)
{
	__u32 start = s->path_pos & PATH_POS_MASK, len;

	if (s->path_end != PATH_END_ROOT) {
		/* Cut short: what was read, without the '/' of the part not read before it. */
		*flags |= cut_bit;
		if (start < PL_PATH_MAX - 1 && s->path[start] == '/')
			start++;
	} else if ((start == PL_PATH_MAX - 1 || s->path[start] != '/') && start > 0) {
		/* The root itself ("/", "/ (deleted)"), or a path that gets its leading '/'. */
		start--;
		/* Masked in the program: older verifiers do not learn start > 0 above, clang knows it. */
		barrier_var(start);
		start &= PATH_POS_MASK;
		s->path[start] = '/';
	}
	barrier_var(start);
	start &= PATH_POS_MASK;
	len = PL_PATH_MAX - start;
	if (bpf_probe_read_kernel(dst, len, s->path + start)) {
		dst[0] = '\0';
		*flags |= cut_bit;
		return 1;
	}
	return len;
}

#endif

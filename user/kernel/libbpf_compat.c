// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What the libbpf we link (Debian bookworm's 1.1) does differently from
 * later ones, mended at link time.
 *
 * A kfunc the kernel lacks (bpf_task_from_pid before 6.2, the task iterator
 * before 6.7; declared __weak, used only by variants that such a kernel
 * never loads) is looked for in the modules' BTF too. Listing the BTF
 * objects (BPF_BTF_GET_NEXT_ID) needs CAP_SYS_ADMIN, which the systemd
 * units do not give: libbpf 1.1 then fails the whole load ("failed to
 * iterate BTF objects: -1"). Later libbpf skip the modules when that is
 * refused; proclife traces no module. The Makefile links with
 * -Wl,--wrap=bpf_btf_get_next_id: libbpf's own call comes here, and a
 * refusal reads as the end of the list.
 */
#include <errno.h>
#include <linux/types.h>

int __real_bpf_btf_get_next_id(__u32 start_id, __u32 *next_id);
int __wrap_bpf_btf_get_next_id(__u32 start_id, __u32 *next_id);

int __wrap_bpf_btf_get_next_id(__u32 start_id, __u32 *next_id)
{
	int r = __real_bpf_btf_get_next_id(start_id, next_id);

	if (r < 0 && errno == EPERM) {
		errno = ENOENT;
		return -ENOENT;
	}
	return r;
}

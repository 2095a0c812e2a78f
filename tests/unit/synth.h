/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Synthetic ring-buffer records for unit tests of the collector. */
#ifndef PROCLIFE_SYNTH_H
#define PROCLIFE_SYNTH_H

#include <linux/types.h>
#include <string.h>

#include "proclife.h"

/* 2026-01-02T03:04:05Z as boot time 1000 s, with an offset the tests set. */
#define SYNTH_EPOCH 1767323045LL
#define SYNTH_BOOT_NS (1000ull * 1000000000ull)

static inline void synth_hdr(struct pl_hdr *h, unsigned type, __u32 pid, __u32 ppid, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->ts = SYNTH_BOOT_NS + 123456789;
	h->pid = pid;
	h->tid = pid;
	h->ppid = ppid;
	h->ns_pid = pid;
	h->pidns = 4026531836u;
	h->auid = PL_ID_UNSET; /* no login, no session, no terminal: a service's process */
	h->session = PL_ID_UNSET;
	memcpy(h->comm, comm, strnlen(comm, sizeof(h->comm)));
}

/* An exec record in buf: filename, then argv joined with NULs (args may contain NULs: pass lengths). */
static inline size_t synth_exec(void *buf, __u32 pid, const char *filename, const char *const *argv,
				const size_t *lens, int argc)
{
	struct pl_exec *e = buf;
	size_t fl = strlen(filename) + 1, off;

	memset(e, 0, sizeof(*e));
	synth_hdr(&e->h, PL_EV_EXEC, pid, 1, "prog");
	memcpy(e->data, filename, fl);
	off = fl;
	for (int i = 0; i < argc; i++) {
		memcpy(e->data + off, argv[i], lens[i]);
		off += lens[i];
		e->data[off++] = '\0';
	}
	e->filename_len = fl;
	e->args_len = off - fl;
	e->args_size = off - fl;
	e->argc = argc;
	e->old_tid = pid;
	return sizeof(*e) + off;
}

#endif

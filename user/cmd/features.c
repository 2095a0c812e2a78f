// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * proclife features [--json] [--verbose]: what this kernel can give. Loads
 * and attaches every program group as tracing would (the verifier's and the
 * attach's word are the only sure ones), reads nothing, detaches, and says
 * per feature on / reduced / off and why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "base/outbuf.h"
#include "kernel/tracer.h"
#include "views/features_fmt.h"
#include "cmd/cli.h"
#include "cmd/features.h"

int features__main(struct cli *c)
{
	struct tracer_config cfg = { .events = PL_EV_ALL, .threads = true, .probe_only = true, .sample = true };
	struct tracer *t = NULL;
	struct features_report rep;
	struct utsname u;
	struct outbuf ob;
	char msg[512] = "";
	const char *fatal = NULL;
	bool btf, ringbuf;
	int r;

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	r = tracer__preflight(msg, sizeof(msg));
	if (r == -EPERM)
		return cli__fail(c->cmd, "%s", msg);
	if (!r)
		r = tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg));
	if (r)
		fatal = msg;
	if (outbuf__init(&ob, STDOUT_FILENO, 1 << 16) < 0) {
		tracer__free(t);
		return cli__fail(c->cmd, "out of memory");
	}
	rep = (struct features_report){ .release = u.release, .version = u.version, .btf = btf, .ringbuf = ringbuf,
					.st = t ? tracer__features(t) : NULL, .fatal = fatal, .verbose = c->verbose };
	(c->json ? features_fmt__json : features_fmt__text)(&ob, &rep);
	outbuf__flush(&ob);
	outbuf__free(&ob);
	tracer__free(t);
	return fatal ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife export --format perfetto|dot -r FILE [-o FILE]`: a recording
 * replayed (through the same model as live tracing) into a Perfetto trace
 * or a Graphviz graph. The processes of the recording's first snapshot are
 * given first, parents before children; then every record and derived
 * event in order, streamed to FILE.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/vec.h"
#include "session/live.h"
#include "views/export_dot.h"
#include "views/export_perfetto.h"
#include "views/tree.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/export.h"

struct exporter {
	int fmt; /* enum export_format */
	struct perfetto *pf;
	struct dot *dot;
	struct live *live;
	const struct cli *c;
	int fd;  /* where it goes */
};

/*
 * -o FILE, once the recording is open and its header read (one that
 * cannot be read leaves FILE alone), before root is given up (FILE may be
 * where only root writes). Mode 0600: it may hold every command line of
 * the machine.
 */
static int open_output(void *ctx)
{
	struct exporter *x = ctx;

	if (x->c->output && (x->fd = cmd__open_output(x->c, x->c->output, false)) < 0)
		return 1;
	return 0;
}

static int on_record(void *ctx, const void *rec)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__record(x->pf, rec);
	else if (x->dot)
		dot__record(x->dot, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__derived(x->pf, d);
	else if (x->dot)
		dot__derived(x->dot, d);
	/* Given once the model is reconciled: it says who is gone. */
	if (d->type == DV_RESYNC && x->live) {
		if (x->pf)
			perfetto__resync(x->pf, live__model(x->live), d->ts);
		else if (x->dot)
			dot__resync(x->dot, live__model(x->live));
	}
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__lost(x->pf, type, count, now);
}

/* The snapshot's processes, parents before children (children oldest first). Iterative: trees can be deep. */
static int give_existing(struct exporter *x, const struct model *m)
{
	size_t nroots, n = 0, cap = 0, nk;
	__u32 *roots = model__roots(m, &nroots), *stack = NULL, *kids;

	if (!roots)
		return -ENOMEM;
	for (size_t i = nroots; i-- > 0;)
		if (!VEC_PUSH(stack, n, cap, roots[i]))
			goto oom;
	while (n) {
		const struct proc *p = model__slot(m, stack[--n]);

		if (x->pf)
			perfetto__existing(x->pf, p);
		else
			dot__existing(x->dot, p);
		kids = view__children(m, p, &nk);
		if (!kids)
			goto oom;
		for (size_t i = nk; i-- > 0;)
			if (!VEC_PUSH(stack, n, cap, kids[i])) {
				free(kids);
				goto oom;
			}
		free(kids);
	}
	free(roots);
	free(stack);
	return 0;
oom:
	free(roots);
	free(stack);
	return -ENOMEM;
}

/* The exporter --format asks for, writing to ob; the recording's first processes given to it. 0 or -ENOMEM. */
static int start(struct exporter *x, const struct cli *c, struct outbuf *ob, struct live *l)
{
	const struct rec_file_hdr *h = live__recording(l);
	int r;

	if (x->fmt == FORMAT_PERFETTO) {
		struct perfetto_opts po = { .origin_ns = h->start_ns, .wall_offset_ns = h->wall_offset_ns,
					    .only_pid = c->pid, .kthreads = c->kthreads };

		r = perfetto__new(ob, &po, &x->pf);
	} else {
		struct dot_opts dopt = { .only_pid = c->pid, .kthreads = c->kthreads };

		r = dot__new(ob, &dopt, &x->dot);
	}
	if (r == 0)
		r = give_existing(x, live__model(l));
	x->live = l;
	return r;
}

int export__main(struct cli *c)
{
	struct exporter x = { .fmt = c->format, .c = c, .fd = STDOUT_FILENO };
	struct outbuf ob = {};
	struct cmd_session s = { .cli = c, .ob = &ob, .output = c->output, .opened = open_output, .ctx = &x };
	int ret;

	s.cfg = (struct live_config){ .model = true, .record = on_record, .lost = on_lost, .ctx = &x,
				      .model_cfg = { .derived = on_derived, .ctx = &x } };
	/* The recording first (FILE when it is open: open_output()). --since: the processes then first. */
	ret = cmd_session__open(&s);
	if (ret)
		goto out;
	if (outbuf__init(&ob, x.fd, 1 << 20) < 0 || start(&x, c, &ob, s.l) < 0) {
		ret = cli__fail(c->cmd, "out of memory");
		goto out;
	}
	/* A failed output (full disk, closed pipe) stops the replay: it is said once, at the close. */
	ret = cmd_session__loop(&s);
	if (!ret && (x.pf ? perfetto__finish(x.pf, live__time(s.l)) : dot__finish(x.dot)) < 0)
		ret = cli__fail(c->cmd, "out of memory");
	/* A damaged recording: what could be read was written, and the reader said where it stopped. */
	if (!ret)
		ret = cmd_session__close(&s);
out:
	perfetto__free(x.pf);
	dot__free(x.dot);
	outbuf__free(&ob);
	if (x.fd != STDOUT_FILENO && x.fd >= 0)
		close(x.fd);
	cmd_session__free(&s);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/msg.h"
#include "base/outbuf.h"
#include "base/version.h"
#include "views/metrics.h"
#include "views/metrics_file.h"

struct metrics_file {
	struct metrics_file_config cfg;
	struct metrics_counts counts;
	__u64 *kcounts;         /* cfg.kernel_counts: the kernel's counters, read at each write (PL_CNT_MAX) */
	struct ctreg *ct;       /* the session's, from its first write on */
	struct metrics_ct_counts ct_counts;
	struct outbuf text;     /* memory only: the exposition, rebuilt at each write */
	struct utsname uts;
	__u64 start_ns;         /* boot ns */
	__u64 next_ns;          /* the next write is due then */
	bool failing;           /* the last write failed (and said so) */
};

int metrics_file__new(const struct metrics_file_config *cfg, struct metrics_file **out)
{
	struct metrics_file *mf = calloc(1, sizeof(*mf));

	if (!mf || outbuf__init(&mf->text, -1, 0) < 0 ||
	    (cfg->kernel_counts && !(mf->kcounts = calloc(PL_CNT_MAX, sizeof(__u64))))) {
		if (mf)
			outbuf__free(&mf->text);
		free(mf);
		return -ENOMEM;
	}
	mf->cfg = *cfg;
	mf->counts.kernel_counts = cfg->kernel_counts;
	if (uname(&mf->uts) < 0)
		snprintf(mf->uts.release, sizeof(mf->uts.release), "unknown");
	mf->start_ns = live__now();
	*out = mf;
	return 0;
}

void metrics_file__record(struct metrics_file *mf, const void *rec)
{
	const struct pl_hdr *h = rec;
	const struct ct_subject *s;

	if (!mf)
		return;
	metrics_counts__record(&mf->counts, rec);
	if (h->type == PL_EV_EXEC && mf->ct &&
	    (s = ctreg__subject(mf->ct, h->cgroup_id, h->flags & PL_F_NO_IDENTITY ? 0 : h->cgroup1_id)) && s->ct)
		metrics_ct_counts__exec(&mf->ct_counts, s->ct);
}

void metrics_file__derived(struct metrics_file *mf, const struct derived_event *d)
{
	if (mf)
		metrics_counts__derived(&mf->counts, d);
}

int metrics_file__replace(const char *path, const void *data, size_t len)
{
	const char *base = strrchr(path, '/');
	char *tmp = NULL;
	int fd = -1, r = 0;

	base = base ? base + 1 : path;
	if (!*base)
		return -EISDIR;
	if (asprintf(&tmp, "%.*s.%s.tmp.%d", (int)(base - path), path, base, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Left by an earlier process that had our pid and died in the middle of a write. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	/* The umask (077 is common for services) must not hide it from the collector. */
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		goto cleanup;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto cleanup;
		}
		off += n;
	}
	r = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
cleanup:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

void metrics_file__write(struct metrics_file *mf, struct live *l)
{
	struct metrics_input in;
	struct metrics_counts counts;
	__u64 now;
	int r;

	if (!mf)
		return;
	now = live__now();
	counts = mf->counts;
	/* The kernel's counts of what it does not queue (if it cannot be read, what there was stays). */
	if (mf->kcounts && live__counts(l, mf->kcounts) == 0)
		metrics_counts__kernel(&counts, mf->kcounts);
	mf->ct = live__containers(l);
	in = (struct metrics_input){
		.counts = &counts,
		.model = live__model(l),
		.lost = live__lost(l),
		.untracked_zombies = live__untracked_zombies(l),
		.resync_holding_ns = live__resync_holding_ns(l),
		.features = live__features(l),
		.threads = mf->cfg.threads,
		.version = PROCLIFE_VERSION,
		.kernel = mf->uts.release,
		.now_ns = now,
		.start_ns = mf->start_ns,
		.wall_offset_ns = live__wallclock(l)->offset_ns,
		.recording = live__recorder(l) ? rec_writer__stats(live__recorder(l)) : NULL,
		.output = mf->cfg.output ? &mf->cfg.output->st : NULL,
		.ct = mf->ct,
		.ct_counts = &mf->ct_counts,
	};
	outbuf__reset(&mf->text);
	mf->text.err = 0; /* out of memory last time: try again */
	metrics__format(&mf->text, &in);
	r = mf->text.err ? mf->text.err : metrics_file__replace(mf->cfg.path, mf->text.data, mf->text.len);
	if (r < 0 && !mf->failing)
		msg__say(MSG_WARN, "metrics: cannot write %s: %s; retrying every %g s", mf->cfg.path, strerror(-r),
			 mf->cfg.interval_ns / 1e9);
	else if (r == 0 && mf->failing)
		msg__say(MSG_INFO, "metrics: %s written again", mf->cfg.path);
	mf->failing = r < 0;
	/* Due again an interval after this one (after a stall: not in a burst to catch up). */
	mf->next_ns = now + mf->cfg.interval_ns;
}

void metrics_file__tick(struct metrics_file *mf, struct live *l)
{
	if (mf && live__now() >= mf->next_ns)
		metrics_file__write(mf, l);
}

void metrics_file__free(struct metrics_file *mf)
{
	if (!mf)
		return;
	outbuf__free(&mf->text);
	free(mf->kcounts);
	metrics_ct_counts__free(&mf->ct_counts);
	free(mf);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife run [options] -- CMD [ARGS...]`: start CMD, follow its whole
 * descendant tree in the kernel from before its first instruction, print
 * events live, and when it exits, a summary of everything that ran and what
 * was left behind. Exits with CMD's status (128+N when a signal N killed it).
 *
 * The child waits on a pipe until the BPF programs are attached and it is
 * in the followed set; only then does it exec CMD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/outfile.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "session/live.h"
#include "views/run_summary.h"
#include "views/writer.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/run.h"

#define NGROUPS_MAX_LOCAL 256

struct run {
	struct run_summary sum;
	struct writer writer;
	struct outbuf ob;
	struct wallclock wc;
	bool print;
	/* replay: what the recording says of the end */
	bool ended;
	struct rec_run_end end;
	const struct cli *c;
	int summary_fd; /* --summary-json FILE, opened with the recording (open_replay_outputs()), or -errno */
	/* live: CMD */
	pid_t pid;
	int status;
	bool exited;
};

static volatile sig_atomic_t forward_sig;
static volatile pid_t child_pid;

/*
 * SIGINT/SIGQUIT from the terminal reach CMD by themselves (same foreground
 * process group): proclife only goes on following. Signals sent to proclife
 * by a process (kill) are passed on to CMD, as if sent to it.
 */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	if (si && si->si_code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT))
		return;
	if (child_pid > 0)
		kill(child_pid, sig);
	forward_sig = sig;
}

/* The user CMD runs as: --user, else whoever ran sudo, else unchanged (NULL). */
static int lookup_user(const char *name, struct passwd *out, char *buf, size_t size)
{
	struct passwd *pw = NULL;
	FILE *f;

	if (!name)
		name = getenv("SUDO_USER");
	if (!name || !*name)
		return 0;
	/* fgetpwent reads the file itself: no NSS, which a static binary cannot load. */
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -errno;
	while ((pw = fgetpwent(f))) {
		char *end;
		unsigned long uid = strtoul(name, &end, 10);

		if (!strcmp(pw->pw_name, name) || (!*end && pw->pw_uid == uid))
			break;
	}
	if (pw) {
		*out = *pw;
		snprintf(buf, size, "%s", pw->pw_name);
		out->pw_name = buf;
	}
	fclose(f);
	return pw ? 1 : -ENOENT;
}

/*
 * The user's supplementary groups, from /etc/group itself: initgroups()
 * would need NSS, which a static binary cannot count on. 0 or -errno.
 */
static int set_groups(const struct passwd *pw)
{
	gid_t groups[NGROUPS_MAX_LOCAL];
	struct group *gr;
	size_t n = 0;
	FILE *f = fopen("/etc/group", "re");

	groups[n++] = pw->pw_gid;
	while (f && (gr = fgetgrent(f)) && n < NGROUPS_MAX_LOCAL) {
		for (char **m = gr->gr_mem; m && *m; m++) {
			if (!strcmp(*m, pw->pw_name) && gr->gr_gid != pw->pw_gid) {
				groups[n++] = gr->gr_gid;
				break;
			}
		}
	}
	if (f)
		fclose(f);
	return setgroups(n, groups) ? -errno : 0;
}

/* The child: wait until followed, become the user, exec CMD; report a failed exec's errno. */
static void child(int go_fd, int err_fd, char **cmd, const struct passwd *pw)
{
	char c;
	int e;

	if (read(go_fd, &c, 1) != 1)
		_exit(127);
	close(go_fd);
	if (pw && (set_groups(pw) || setgid(pw->pw_gid) || setuid(pw->pw_uid))) {
		e = errno;
		if (write(err_fd, &e, sizeof(e)) < 0)
			_exit(126);
		_exit(126);
	}
	execvp(cmd[0], cmd);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(e == ENOENT ? 127 : 126);
}

static int on_record(void *ctx, const void *rec)
{
	struct run *r = ctx;

	run_summary__apply(&r->sum, rec);
	if (r->print)
		r->writer.event(&r->writer, rec);
	return 0;
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct run *r = ctx;

	if (r->print)
		r->writer.lost(&r->writer, type, count, now);
}

/* --summary-json FILE: as -o FILE is opened (base/outfile.h: 0600, never through a symlink); fd or -errno. */
static int open_summary_json(const char *path)
{
	return outfile__open(path, OUTFILE_TRUNCATE);
}

/* The summary as JSON into fd (open_summary_json()'s), which it closes; or fd's -errno. */
static int write_summary_json(int fd, const struct run *r, __u64 now, int status, __u64 lost)
{
	struct outbuf ob;
	int ret;

	if (fd < 0)
		return fd;
	outbuf__init(&ob, fd, 1 << 16);
	run_summary__json(&r->sum, &ob, &r->wc, now, "/proc", status, lost);
	ret = outbuf__flush(&ob);
	outbuf__free(&ob);
	close(fd);
	return ret;
}

static void on_item(void *ctx, const struct rec_item *it)
{
	struct run *r = ctx;

	if (it->kind == REC_RUN_START) {
		r->sum.root_pid = ((const struct rec_run_start *)it->body)->pid;
	} else if (it->kind == REC_RUN_END) {
		memcpy(&r->end, it->body, sizeof(r->end));
		r->ended = true;
	}
}

/* The scan that follows the command's end in the recording: what was left. */
static void on_replay_snapshot(void *ctx, unsigned reason, const struct proc_snapshot *v, size_t n)
{
	struct run *r = ctx;

	if (reason == REC_SNAP_FINAL && r->ended && run_summary__set_final(&r->sum, v, n) < 0)
		cli__say(CMD_RUN, "out of memory");
}

/* The summary, as a live run prints it at its end. */
static void print_summary(struct run *run, int fd, __u64 now, __u64 lost)
{
	struct outbuf sob = {};

	outbuf__init(&sob, fd, 1 << 16);
	run_summary__text(&run->sum, &sob, &run->wc, now, "/proc");
	if (lost)
		outbuf__printf(&sob, "(%llu events lost: this summary may be incomplete)\n", (unsigned long long)lost);
	outbuf__flush(&sob);
	outbuf__free(&sob);
}

/* Recording: what is left of the command now goes into the file (and judges the summary). */
static void record_end(struct live *l, struct run *run, __u64 now, int exit_code, int status, __u64 lost)
{
	struct rec_writer *w = live__recorder(l);
	struct proc_snapshot *snap = NULL;
	long n = live__scan(l, &snap);
	struct rec_run_end e = { .ts = now, .pid = run->sum.root_pid, .exit_code = exit_code, .status = status,
				 .lost = lost };

	int r = n >= 0 ? run_summary__set_final(&run->sum, snap, n) : (int)n;

	procfs__free(snap, n > 0 ? n : 0);
	if (!w)
		return;
	/* The end, then the scan: a replay takes the scan that follows the end as what was left. */
	rec_writer__run_end(w, &e);
	if (r == 0)
		rec_writer__snapshot(w, REC_SNAP_FINAL, now, run->sum.final, run->sum.nfinal);
}

/* Events as --json says, to ob (not at all with --quiet). */
/* The session's containers, for the events and the summary. */
static void see_containers(struct run *run, struct live *l)
{
	run->sum.ct = live__containers(l);
	run->writer.ct = live__containers(l);
	run->writer.model = live__model(l);
}

static void init_events(struct run *run, const struct cli *c, int fd)
{
	run->print = !c->quiet;
	outbuf__init(&run->ob, fd, 1 << 20);
	if (c->json)
		writer__init_json(&run->writer, &run->ob, &run->wc);
	else
		writer__init_text(&run->writer, &run->ob, &run->wc);
}

/*
 * Replay: --summary-json FILE, opened once the recording is open and
 * before root is given up (FILE may be where only root writes); written at
 * the end. Its error, if any, is said then.
 */
static int open_replay_outputs(void *ctx)
{
	struct run *run = ctx;

	if (run->c->summary_json)
		run->summary_fd = open_summary_json(run->c->summary_json);
	return 0;
}

/* -r: a recorded run replayed, events and summary on stdout; CMD's recorded status. */
static int replay_main(struct cli *c)
{
	struct run run = { .c = c, .summary_fd = -EBADF };
	struct cmd_session s = { .cli = c, .ob = &run.ob, .output = c->output, .signals = CMD_SIG_PIPE,
				 .opened = open_replay_outputs, .ctx = &run };
	int fd = STDOUT_FILENO, ret, r;
	__u64 end;

	if (c->output && (fd = cmd__open_output(c, c->output, false)) < 0)
		return 1;
	init_events(&run, c, fd);
	s.writer = run.print ? &run.writer : NULL;
	s.cfg = (struct live_config){ .record = on_record, .lost = on_lost, .item = on_item,
				      .snapshot = on_replay_snapshot, .ctx = &run };
	ret = cmd_session__open(&s);
	if (!ret && !(live__recording(s.l)->flags & REC_F_FOLLOW) && !run.sum.root_pid)
		ret = cli__fail(c->cmd, "%s was not recorded by proclife run -w", c->rec.read[0]);
	if (ret)
		goto out;
	run.wc = *live__wallclock(s.l);
	see_containers(&run, s.l);
	if (run.print)
		run.writer.header(&run.writer);
	ret = cmd_session__loop(&s) || cmd_session__close(&s);
	if (!run.ended)
		cli__say(c->cmd, "the recording ends before the command did: a partial summary");
	end = run.ended ? run.end.ts : live__time(s.l);
	print_summary(&run, STDOUT_FILENO, end, run.end.lost);
	if (c->summary_json && (r = write_summary_json(run.summary_fd, &run, end, run.end.exit_code, run.end.lost)) < 0)
		cli__say(c->cmd, "cannot write %s: %s", c->summary_json, cmd__output_error(r));
	run.summary_fd = -EBADF; /* closed by write_summary_json() */
	/* The command's status, as the recorded run exited with it. */
	ret = ret ? 1 : run.ended ? run.end.exit_code : 1;
out:
	if (run.summary_fd >= 0)
		close(run.summary_fd);
	cmd_session__free(&s);
	run_summary__free(&run.sum);
	if (run.ob.fd != STDOUT_FILENO)
		close(run.ob.fd);
	outbuf__free(&run.ob);
	return ret;
}

/* CMD has exited: its status kept. */
static bool cmd_exited(void *ctx)
{
	struct run *run = ctx;

	if (!run->exited && waitpid(run->pid, &run->status, WNOHANG) == run->pid)
		run->exited = true;
	return run->exited;
}

/* Nothing CMD started is left running. */
static bool nothing_left(void *ctx)
{
	struct run *run = ctx;

	return !run_summary__alive(&run->sum);
}

/*
 * CMD forked, waiting on a pipe; followed (with what it starts, in the
 * kernel) before it may exec; signals to proclife passed on to it. 0 once
 * CMD runs; else the exit status (CMD's when it could not be run).
 */
static int start(struct cli *c, struct run *run, struct live *l, const struct passwd *pw)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	int go[2] = { -1, -1 }, err[2] = { -1, -1 }, e, r = 0;

	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || (run->pid = fork()) < 0) {
		r = cli__fail(c->cmd, "cannot start the command: %s", strerror(errno));
		goto out;
	}
	if (run->pid == 0) {
		close(go[1]);
		close(err[0]);
		child(go[0], err[1], c->command, pw);
	}
	child_pid = run->pid;
	close(go[0]);
	close(err[1]); /* CMD's copy alone: closed by its exec, it ends the read below */
	go[0] = err[1] = -1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	run_summary__init(&run->sum, run->pid);
	run->wc = *live__wallclock(l); /* the recording's clock too */
	see_containers(run, l);
	r = live__follow(l, run->pid);
	if (r < 0) {
		r = cli__fail(c->cmd, "cannot follow the command: %s", strerror(-r));
	} else {
		if (live__recorder(l))
			rec_writer__run_start(live__recorder(l), live__now(), run->pid);
		if (run->print)
			run->writer.header(&run->writer);
		/* Go: CMD execs now; a failed exec writes its errno back. */
		if (write(go[1], "g", 1) != 1)
			r = cli__fail(c->cmd, "cannot start the command: %s", strerror(errno));
	}
	close(go[1]);
	go[1] = -1;
	if (r) {
		kill(run->pid, SIGKILL);
		waitpid(run->pid, NULL, 0);
	} else if (read(err[0], &e, sizeof(e)) == sizeof(e)) {
		cli__say(c->cmd, "cannot run %s: %s", c->command[0], strerror(e));
		waitpid(run->pid, &run->status, 0);
		r = WEXITSTATUS(run->status);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return r;
}

/* CMD exited and what it left was followed: the last events, the summary; CMD's status. */
static int finish(struct cli *c, struct run *run, struct live *l)
{
	int exit_code = WIFEXITED(run->status) ? WEXITSTATUS(run->status) : 128 + WTERMSIG(run->status);
	__u64 lost = 0, now;

	live__poll(l, 50); /* the last events: CMD's own exit and reap */
	outbuf__flush(&run->ob);
	for (int i = 1; i < PL_EV_MAX; i++)
		lost += live__lost(l)[i];
	now = live__now();
	/* What is left is judged from one scan, the one a recording keeps: live and replay agree. */
	record_end(l, run, now, exit_code, run->status, lost);
	print_summary(run, STDERR_FILENO, now, lost);
	if (c->summary_json) {
		int r = write_summary_json(open_summary_json(c->summary_json), run, now, exit_code, lost);

		if (r < 0)
			cli__say(c->cmd, "cannot write %s: %s", c->summary_json, cmd__output_error(r));
	}
	return exit_code;
}

int run__main(struct cli *c)
{
	struct run run = {};
	struct cmd_session s = { .cli = c, .ob = &run.ob, .output = c->output, .signals = CMD_SIG_PIPE,
				 .rec_flags = REC_F_FOLLOW, .done = cmd_exited, .ctx = &run };
	struct passwd pw_buf, *pw = NULL;
	char user[256];
	int fd = STDERR_FILENO, ret;

	if (c->rec.nread)
		return replay_main(c);
	ret = lookup_user(c->user, &pw_buf, user, sizeof(user));
	if (ret < 0)
		return cli__usage_error(c->cmd, "--user: no such user '%.32s'", c->user ? c->user : getenv("SUDO_USER"));
	if (ret > 0)
		pw = &pw_buf;
	if (cmd__preflight(c) || (c->output && (fd = cmd__open_output(c, c->output, false)) < 0))
		return 1;
	init_events(&run, c, fd);
	s.writer = run.print ? &run.writer : NULL;
	s.cfg = (struct live_config){ .record = on_record, .lost = on_lost, .ctx = &run,
				      .tracer = { .events = PL_EV_ALL, .args_cap = c->args_cap, .follow = true } };
	ret = cmd_session__open(&s);
	if (!ret)
		ret = start(c, &run, s.l, pw);
	if (ret)
		goto out;
	/* Follow until CMD exits, then what it left behind, for as long as asked. */
	cmd_session__loop(&s);
	child_pid = 0;
	s.deadline = c->follow_leftovers_ns ? live__now() + c->follow_leftovers_ns : 0;
	s.done = nothing_left;
	if (s.deadline)
		cmd_session__loop(&s);
	ret = finish(c, &run, s.l);
out:
	cmd_session__free(&s);
	run_summary__free(&run.sum);
	if (run.ob.fd != STDERR_FILENO)
		close(run.ob.fd);
	outbuf__free(&run.ob);
	return ret;
}

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
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/run.h"

#define NGROUPS_MAX_LOCAL 256
#include "kernel/procfs.h"
#include "session/live.h"
#include "views/run_summary.h"
#include "views/writer.h"
#include "cmd/options.h"

struct run_opts {
	const char *output;       /* events to this file (0600) instead of stderr */
	const char *summary_json; /* the summary as JSON to this file */
	const char *user;         /* run CMD as this user */
	bool quiet, json;
	__u64 follow_leftovers_ns;
	__u32 args_cap;
	char **cmd;
	struct rec_cli rec;
	int argc;     /* of run's own arguments, for the recording's META */
	char **argv;
};

struct run {
	struct run_summary sum;
	struct writer writer;
	struct outbuf ob;
	struct wallclock wc;
	bool print;
	/* replay: what the recording says of the end */
	bool ended;
	struct rec_run_end end;
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

static void usage(void)
{
	printf("Usage: proclife run [OPTIONS] -- CMD [ARGS...]\n"
	       "       proclife run -r FILE [-q] [-j] [-o FILE] [--summary-json FILE]\n"
	       "Run CMD, follow everything it starts, then summarize what ran and what was left behind.\n"
	       "Exits with CMD's status (128+N if a signal N killed it).\n"
	       "  -w, --write FILE         also record it all to FILE (mode 0600; --force replaces FILE,\n"
	       "                           --rotate-existing keeps it as FILE.1; --rotate-size N and\n"
	       "                           --rotate-count N as for watch)\n"
	       "  -r, --read FILE          the events and summary of a run recorded with -w, replayed\n"
	       "                           (both on stdout; -o FILE for the events); -r again for each\n"
	       "                           piece of a rotated one (FILE.1 ...), in any order\n"
	       "      --since TIME         with -r: only the events from TIME on (TIME: +SEC from the start\n"
	       "                           (s, m, h), @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS)\n"
	       "      --until TIME         with -r: only the events up to TIME\n"
	       "  -o, --output FILE        events to FILE (mode 0600) instead of stderr\n"
	       "  -q, --quiet              no events, only the summary\n"
	       "  -j, --json               events as JSON lines\n"
	       "      --summary-json FILE  also write the summary as JSON to FILE\n"
	       "      --user USER          run CMD as USER (default: the user who ran sudo, else as is)\n"
	       "      --follow-leftovers S keep following what CMD left running for S seconds\n"
	       "      --arg-bytes N        keep at most N bytes of each argv (default %d)\n",
	       PL_ARGS_DEFAULT);
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_SUMMARY = 256, OPT_USER, OPT_LEFTOVERS, OPT_ARGS };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "summary-json", required_argument, NULL, OPT_SUMMARY },
		{ "user", required_argument, NULL, OPT_USER },
		{ "follow-leftovers", required_argument, NULL, OPT_LEFTOVERS },
		{ "arg-bytes", required_argument, NULL, OPT_ARGS },
		{ "help", no_argument, NULL, 'h' },
		REC_CLI_READ_OPTS,
		REC_CLI_WRITE_OPTS,
		{}
	};
	char *end, err[256];
	int c, r;

	*o = (struct run_opts){ .args_cap = PL_ARGS_DEFAULT };
	optind = 0;
	opterr = 0;
	/* "+": stop at the first non-option, CMD's own options are its own. */
	while ((c = getopt_long(argc, argv, "+:o:qjhr:w:", longopts, NULL)) != -1) {
		r = rec_cli__option(&o->rec, c, optarg, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "proclife run: %s\n", err);
			return r;
		}
		if (r)
			continue;
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_SUMMARY:
			o->summary_json = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_LEFTOVERS:
			if (parse_seconds(optarg, &o->follow_leftovers_ns)) {
				fprintf(stderr, "proclife run: --follow-leftovers needs seconds, not '%.32s'\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_ARGS: {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !*optarg || *optarg == '-' || v == 0 || v > PL_ARGS_MAX) {
				fprintf(stderr, "proclife run: --arg-bytes needs a number from 1 to %d, not '%.32s'\n",
					PL_ARGS_MAX, optarg);
				return -EINVAL;
			}
			o->args_cap = v;
			break;
		}
		case 'h':
			usage();
			return 1;
		case ':':
			fprintf(stderr, "proclife run: option '%.32s' needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "proclife run: unknown option '%.32s' (try 'proclife run --help')\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (rec_cli__check(&o->rec, err, sizeof(err))) {
		fprintf(stderr, "proclife run: %s\n", err);
		return -EINVAL;
	}
	if (o->rec.nread) {
		if (optind < argc || o->user || o->follow_leftovers_ns) {
			fprintf(stderr, "proclife run: --read replays a recorded run: %s\n",
				optind < argc ? "no command goes with it" : o->user ? "--user goes with a command" :
				"--follow-leftovers goes with a command");
			return -EINVAL;
		}
		return 0;
	}
	if (optind >= argc) {
		fprintf(stderr, "proclife run: no command given (usage: proclife run [OPTIONS] -- CMD [ARGS...])\n");
		return -EINVAL;
	}
	o->cmd = argv + optind;
	o->argc = optind;
	o->argv = argv;
	return 0;
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
static void child(int go_fd, int err_fd, const struct run_opts *o, const struct passwd *pw)
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
	execvp(o->cmd[0], o->cmd);
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

static int write_summary_json(const char *path, const struct run *r, __u64 now, int status, __u64 lost)
{
	struct outbuf ob;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), ret;

	if (fd < 0)
		return -errno;
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
		fprintf(stderr, "proclife run: out of memory\n");
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

static int replay_main(struct run_opts *o)
{
	struct live_config cfg = { .record = on_record, .lost = on_lost, .item = on_item,
				   .snapshot = on_replay_snapshot, .replay = o->rec.read, .nreplay = o->rec.nread };
	int out_fd = STDOUT_FILENO, ret = 1, r;
	struct live *l = NULL;
	struct run run = {};
	char msg[320];

	if (o->output) {
		out_fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out_fd < 0) {
			fprintf(stderr, "proclife run: cannot open %s: %s\n", o->output, strerror(errno));
			return 1;
		}
	}
	run_summary__init(&run.sum, 0);
	run.print = !o->quiet;
	outbuf__init(&run.ob, out_fd, 1 << 20);
	cfg.ctx = &run;
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
	run.wc = *live__wallclock(l);
	if (o->json)
		writer__init_json(&run.writer, &run.ob, &run.wc);
	else
		writer__init_text(&run.writer, &run.ob, &run.wc);
	if (!(live__recording(l)->flags & REC_F_FOLLOW) && !run.sum.root_pid) {
		fprintf(stderr, "proclife run: %s was not recorded by proclife run -w\n", o->rec.read[0]);
		goto cleanup;
	}
	r = rec_cli__window(&o->rec, "proclife run", l);
	if (r < 0) {
		ret = r == -EINVAL ? 2 : 1;
		goto cleanup;
	}
	if (run.print)
		run.writer.header(&run.writer);
	while (!live__done(l)) {
		live__poll(l, 0);
		outbuf__flush(&run.ob);
	}
	r = live__replay_result(l);
	if (rec_cli__window_end(&o->rec, "proclife run", l) < 0)
		r = -ERANGE;
	if (!run.ended)
		fprintf(stderr, "proclife run: the recording ends before the command did: a partial summary\n");
	print_summary(&run, STDOUT_FILENO, run.ended ? run.end.ts : live__time(l), run.end.lost);
	if (o->summary_json) {
		int e = write_summary_json(o->summary_json, &run, run.ended ? run.end.ts : live__time(l),
					   run.end.exit_code, run.end.lost);

		if (e < 0)
			fprintf(stderr, "proclife run: cannot write %s: %s\n", o->summary_json, strerror(-e));
	}
	/* The command's status, as the recorded run exited with it. */
	ret = r < 0 ? 1 : run.ended ? run.end.exit_code : 1;
cleanup:
	live__free(l);
	run_summary__free(&run.sum);
	outbuf__free(&run.ob);
	if (out_fd != STDOUT_FILENO)
		close(out_fd);
	return ret;
}

/* Recording: what is left of the command now goes into the file (and judges the summary). */
static void record_end(struct live *l, struct run *run, __u64 now, int exit_code, int status, __u64 lost)
{
	struct rec_writer *w = live__recorder(l);
	struct proc_snapshot *snap = NULL;
	long n = procfs__scan("/proc", &snap);
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

int run__main(int argc, char **argv)
{
	struct live_config cfg = { .proc_root = "/proc", .record = on_record, .lost = on_lost };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct passwd pw_buf, *pw = NULL;
	int go[2] = { -1, -1 }, err[2] = { -1, -1 }, out_fd = STDERR_FILENO, status = 0, exit_code = 1, r;
	char msg[256], user[256], cmdline[1024];
	struct rec_writer_opts ro;
	struct run_opts o;
	struct live *l = NULL;
	struct run run = {};
	__u64 lost = 0, now;
	pid_t pid;

	r = parse(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : 2;
	if (o.rec.nread)
		return replay_main(&o);
	r = lookup_user(o.user, &pw_buf, user, sizeof(user));
	if (r < 0) {
		fprintf(stderr, "proclife run: --user: no such user '%.32s'\n", o.user ? o.user : getenv("SUDO_USER"));
		return 2;
	}
	if (r > 0)
		pw = &pw_buf;
	r = tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	if (o.output) {
		out_fd = open(o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out_fd < 0) {
			fprintf(stderr, "proclife run: cannot open %s: %s\n", o.output, strerror(errno));
			return 1;
		}
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		fprintf(stderr, "proclife run: pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "proclife run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		child(go[0], err[1], &o, pw);
	}
	child_pid = pid;
	close(go[0]);
	close(err[1]);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	run_summary__init(&run.sum, pid);
	run.print = !o.quiet;
	outbuf__init(&run.ob, out_fd, 1 << 20);
	if (o.json)
		writer__init_json(&run.writer, &run.ob, &run.wc);
	else
		writer__init_text(&run.writer, &run.ob, &run.wc);
	cfg.ctx = &run;
	cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .args_cap = o.args_cap, .follow = true };
	if (o.rec.write) {
		rec_cli__writer_opts(&o.rec, argc - 1, argv + 1, REC_F_FOLLOW, o.args_cap,
				     &ro, cmdline, sizeof(cmdline));
		cfg.record_to = &ro;
	}
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r == 0) {
		run.wc = *live__wallclock(l); /* the recording's clock too */
		r = live__follow(l, pid);
	}
	if (r == 0 && live__recorder(l))
		rec_writer__run_start(live__recorder(l), live__now(), pid);
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", r == -1 ? msg : msg[0] ? msg : strerror(-r));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto cleanup;
	}
	if (run.print)
		run.writer.header(&run.writer);
	if (write(go[1], "g", 1) != 1) {
		fprintf(stderr, "proclife run: cannot start the command\n");
		goto cleanup;
	}
	close(go[1]);
	go[1] = -1;
	{
		int e;

		if (read(err[0], &e, sizeof(e)) == sizeof(e)) {
			fprintf(stderr, "proclife run: cannot run %s: %s\n", o.cmd[0], strerror(e));
			waitpid(pid, &status, 0);
			exit_code = WEXITSTATUS(status);
			goto cleanup;
		}
	}

	/* Follow until CMD exits, then what it left behind, for as long as asked. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		live__poll(l, 100);
		outbuf__flush(&run.ob);
		if (w == pid)
			break;
	}
	child_pid = 0;
	if (o.follow_leftovers_ns) {
		__u64 until = live__now() + o.follow_leftovers_ns;

		while (live__now() < until && run_summary__alive(&run.sum))
			live__poll(l, 100);
	}
	live__poll(l, 50); /* the last events: CMD's own exit and reap */
	outbuf__flush(&run.ob);
	for (int i = 1; i < PL_EV_MAX; i++)
		lost += live__lost(l)[i];
	exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	now = live__now();
	/* What is left is judged from one scan, the one a recording keeps: live and replay agree. */
	record_end(l, &run, now, exit_code, status, lost);
	print_summary(&run, STDERR_FILENO, now, lost);
	if (o.summary_json) {
		r = write_summary_json(o.summary_json, &run, now, exit_code, lost);
		if (r < 0)
			fprintf(stderr, "proclife run: cannot write %s: %s\n", o.summary_json, strerror(-r));
	}

cleanup:
	live__free(l);
	run_summary__free(&run.sum);
	outbuf__free(&run.ob);
	if (go[1] >= 0)
		close(go[1]);
	if (err[0] >= 0)
		close(err[0]);
	if (out_fd != STDERR_FILENO)
		close(out_fd);
	return exit_code;
}

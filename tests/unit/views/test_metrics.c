// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The Prometheus exposition of a synthetic session (exact text), and the
 * atomic rewrite of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "testlib.h"
#include "base/names.h"
#include "kernel/procfs.h"
#include "model/model.h"
#include "views/metrics.h"
#include "views/metrics_file.h"
#include "unit/synth_model.h"

TL_DEFINE_STATE;

#define S (1000 * MS)

static struct metrics_counts counts;

static void on_derived(void *ctx, const struct derived_event *d)
{
	metrics_counts__derived(&counts, d);
}

/* As the live session passes it: counted, then applied. */
static void pass(struct model *m, const void *rec)
{
	metrics_counts__record(&counts, rec);
	model__apply(m, rec);
}

static struct proc_snapshot snap(__u32 pid, __u32 ppid, char state)
{
	struct proc_snapshot s = { .pid = pid, .ppid = ppid, .state = state };

	s.start_ns = start_of(pid) - start_of(pid) % procfs__tick_ns(); /* /proc: to the tick */
	strcpy(s.comm, "snap");
	return s;
}

static void exec_failed(struct model *m, __u32 pid, int err)
{
	_Alignas(8) unsigned char buf[sizeof(struct pl_exec_failed) + 8];
	struct pl_exec_failed *e = (struct pl_exec_failed *)buf;

	memset(buf, 0, sizeof(buf));
	hdr(&e->h, PL_EV_EXEC_FAILED, pid, 1, 4 * S);
	e->err = err;
	e->filename_len = 2;
	memcpy(e->data, "x", 2);
	pass(m, e);
}

static void signal_ev(struct model *m, int sig, unsigned result, int n)
{
	for (int i = 0; i < n; i++) {
		struct pl_signal s = {};

		hdr(&s.h, PL_EV_SIGNAL, 10, 1, 5 * S);
		s.sig = sig;
		s.result = result;
		s.target_pid = 11;
		pass(m, &s);
	}
}

/*
 * At bootstrap (1 s): 1 and 10 sleeping, 11 stopped, 12 a zombie whose exit
 * was before proclife started (at 0.5 s). Then 1 forks 20 and 21 (and a
 * thread); 20 exits at 3 s (a zombie); 21 takes SIGSTOP; failed execs and
 * signals. Now is 10 s.
 */
static struct model *session(void)
{
	struct model_config cfg = { .derived = on_derived };
	struct proc_snapshot boot[] = { snap(1, 0, 'S'), snap(10, 1, 'S'), snap(11, 1, 'T'), snap(12, 10, 'Z') };
	struct model *m = model__new(&cfg);
	struct pl_fork thr = {};
	struct pl_exit x = {};
	struct pl_deliver d = {};

	memset(&counts, 0, sizeof(counts));
	model__reconcile(m, boot, 4, 1 * S, NULL);
	fork_ev(m, 1, 0, 20, 2 * S);
	metrics_counts__record(&counts, &(struct pl_hdr){ .type = PL_EV_FORK }); /* fork_ev applies only */
	fork_ev(m, 1, 0, 21, 2 * S + 100 * MS);
	metrics_counts__record(&counts, &(struct pl_hdr){ .type = PL_EV_FORK });
	hdr(&thr.h, PL_EV_FORK, 1, 0, 2 * S + 200 * MS);
	thr.h.flags = PL_F_THREAD;
	thr.child_pid = 1;
	thr.child_tid = 22;
	metrics_counts__record(&counts, &thr);

	hdr(&x.h, PL_EV_EXIT, 20, 1, 3 * S);
	pass(m, &x);
	hdr(&d.h, PL_EV_DELIVER, 21, 1, 3 * S + 500 * MS);
	d.sig = SIGSTOP;
	d.action = PL_ACT_DEFAULT;
	pass(m, &d);

	exec_failed(m, 10, ENOENT);
	exec_failed(m, 10, ENOENT);
	exec_failed(m, 10, EACCES);
	exec_failed(m, 10, 41);  /* a hole in the errno table */
	exec_failed(m, 10, 200); /* past it */

	signal_ev(m, SIGTERM, PL_SIG_DELIVERED, 2);
	signal_ev(m, SIGTERM, PL_SIG_FAILED, 1);
	signal_ev(m, 35, PL_SIG_DELIVERED, 1); /* SIGRTMIN+1: not there until it happens */
	signal_ev(m, 0, PL_SIG_PROBE, 3);
	signal_ev(m, 99, PL_SIG_DELIVERED, 1); /* out of range: counted as an event only */
	signal_ev(m, SIGUSR1, 9, 1);           /* an unknown result: likewise */
	model__tick(m, 10 * S);                /* zombie events for 12 and 20 */
	return m;
}

static const char head[] =
	"# HELP proclife_build_info proclife's version and the kernel release it runs on; always 1.\n"
	"# TYPE proclife_build_info gauge\n"
	"proclife_build_info{version=\"0.1.0\",kernel=\"6.1.0-a\\\"b\\\\c\\nd\"} 1\n"
	"# HELP proclife_start_time_seconds When this proclife started, in seconds since the epoch (its counters start at 0 there).\n"
	"# TYPE proclife_start_time_seconds gauge\n"
	"proclife_start_time_seconds 1767323045.250\n"
	"# HELP proclife_events_total Events proclife reported since it started, by type: the kernel's (of processes; thread_fork and thread_exit with --threads) and those derived from the process model (stop, continue, zombie, reparent, resync) and the session (container: one named). Everything traced on the machine, before any filter of the command.\n"
	"# TYPE proclife_events_total counter\n"
	"proclife_events_total{event=\"fork\"} 2\n"
	"proclife_events_total{event=\"exec\"} 0\n"
	"proclife_events_total{event=\"exec_failed\"} 5\n"
	"proclife_events_total{event=\"exit\"} 1\n"
	"proclife_events_total{event=\"reap\"} 0\n"
	"proclife_events_total{event=\"signal\"} 9\n"
	"proclife_events_total{event=\"deliver\"} 1\n"
	"proclife_events_total{event=\"rename\"} 0\n"
	"proclife_events_total{event=\"cred\"} 0\n"
	"proclife_events_total{event=\"thread_fork\"} 1\n"
	"proclife_events_total{event=\"thread_exit\"} 0\n"
	"proclife_events_total{event=\"stop\"} 1\n"
	"proclife_events_total{event=\"continue\"} 0\n"
	"proclife_events_total{event=\"zombie\"} 2\n"
	"proclife_events_total{event=\"reparent\"} 0\n"
	"proclife_events_total{event=\"resync\"} 0\n"
	"proclife_events_total{event=\"container\"} 0\n"
	"# HELP proclife_lost_events_total Kernel events lost since proclife started (its ring buffer was full), by type; each loss makes the process model resync with /proc.\n"
	"# TYPE proclife_lost_events_total counter\n"
	"proclife_lost_events_total{event=\"fork\"} 0\n"
	"proclife_lost_events_total{event=\"exec\"} 3\n"
	"proclife_lost_events_total{event=\"exec_failed\"} 0\n"
	"proclife_lost_events_total{event=\"exit\"} 0\n"
	"proclife_lost_events_total{event=\"reap\"} 0\n"
	"proclife_lost_events_total{event=\"signal\"} 1\n"
	"proclife_lost_events_total{event=\"deliver\"} 0\n"
	"proclife_lost_events_total{event=\"rename\"} 0\n"
	"proclife_lost_events_total{event=\"cred\"} 0\n"
	"# HELP proclife_resyncs_total Times the process model was reconciled with /proc after lost events.\n"
	"# TYPE proclife_resyncs_total counter\n"
	"proclife_resyncs_total 0\n"
	"# HELP proclife_resync_backoff_seconds 0 while the process model resyncs with /proc at once after lost events; else losses go on and resyncs (a scan of all of /proc each) are held back to one per this many seconds, doubling up to 64.\n"
	"# TYPE proclife_resync_backoff_seconds gauge\n"
	"proclife_resync_backoff_seconds 4\n"
	"# HELP proclife_untracked_zombies_total Exits that found the kernel's zombie table full (processes holding many zombies fill it): their reaps are reported at the release, without who reaped them. Not lost: no resync.\n"
	"# TYPE proclife_untracked_zombies_total counter\n"
	"proclife_untracked_zombies_total 7\n"
	"# HELP proclife_processes Processes on the machine now (kernel threads included), by state: running (alive and not stopped: sleeping included), stopped (by a stop signal), zombie (exited, not reaped).\n"
	"# TYPE proclife_processes gauge\n"
	"proclife_processes{state=\"running\"} 2\n"
	"proclife_processes{state=\"stopped\"} 2\n"
	"proclife_processes{state=\"zombie\"} 2\n"
	"# HELP proclife_zombie_oldest_seconds How long the oldest zombie has been one, 0 when there is none; a zombie whose exit proclife did not see counts from when proclife first saw it (at least that long).\n"
	"# TYPE proclife_zombie_oldest_seconds gauge\n"
	"proclife_zombie_oldest_seconds 9.500\n";

/* Then the model's memory (its bytes, from the model: expected_memory()), then: */
static const char head2[] =
	"# HELP proclife_exec_failed_total Failed execve/execveat calls since proclife started, by errno (\"other\": not in its table). No series where they are not counted (feature syscalls off, or reduced in a run that keeps states: 'proclife features' says why).\n"
	"# TYPE proclife_exec_failed_total counter\n"
	"proclife_exec_failed_total{errno=\"EPERM\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENOENT\"} 2\n"
	"proclife_exec_failed_total{errno=\"EIO\"} 0\n"
	"proclife_exec_failed_total{errno=\"E2BIG\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENOEXEC\"} 0\n"
	"proclife_exec_failed_total{errno=\"EAGAIN\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENOMEM\"} 0\n"
	"proclife_exec_failed_total{errno=\"EACCES\"} 1\n"
	"proclife_exec_failed_total{errno=\"EFAULT\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENOTDIR\"} 0\n"
	"proclife_exec_failed_total{errno=\"EISDIR\"} 0\n"
	"proclife_exec_failed_total{errno=\"EINVAL\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENFILE\"} 0\n"
	"proclife_exec_failed_total{errno=\"EMFILE\"} 0\n"
	"proclife_exec_failed_total{errno=\"ETXTBSY\"} 0\n"
	"proclife_exec_failed_total{errno=\"ENAMETOOLONG\"} 0\n"
	"proclife_exec_failed_total{errno=\"ELOOP\"} 0\n"
	"proclife_exec_failed_total{errno=\"ELIBBAD\"} 0\n"
	"proclife_exec_failed_total{errno=\"other\"} 2\n"
	"# HELP proclife_signals_total Signals since proclife started, by signal and outcome: delivered (queued), ignored, already_pending, overflow_fail, lose_info, failed (a kill-family call refused), probe (signal 0); failed and probe only where refused kills are counted (as exec_failed).\n"
	"# TYPE proclife_signals_total counter\n";

static const char tail[] =
	"# HELP proclife_features The kernel features proclife uses here: 1 on (or reduced), 0 off (what it reports is missing; 'proclife features' says why).\n"
	"# TYPE proclife_features gauge\n"
	"proclife_features{feature=\"core\"} 1\n"
	"proclife_features{feature=\"syscalls\"} 1\n"
	"proclife_features{feature=\"signals\"} 1\n"
	"proclife_features{feature=\"oom\"} 0\n"
	"proclife_features{feature=\"delivery\"} 1\n"
	"proclife_features{feature=\"rename\"} 1\n"
	"# HELP proclife_feature_reduced 1 when a feature in use is on with a part missing on this kernel ('proclife features' says which).\n"
	"# TYPE proclife_feature_reduced gauge\n"
	"proclife_feature_reduced{feature=\"core\"} 0\n"
	"proclife_feature_reduced{feature=\"syscalls\"} 1\n"
	"proclife_feature_reduced{feature=\"signals\"} 0\n"
	"proclife_feature_reduced{feature=\"oom\"} 0\n"
	"proclife_feature_reduced{feature=\"delivery\"} 0\n"
	"proclife_feature_reduced{feature=\"rename\"} 0\n"
	"# HELP proclife_container_zombies Zombies now in each container that has processes (by its runtime, its name (Kubernetes: the container's name in its pod), its pod and the pod's namespace).\n"
	"# TYPE proclife_container_zombies gauge\n"
	"# HELP proclife_container_exec_total Execs in each container that has processes, since proclife first saw it (a container gone takes its series with it).\n"
	"# TYPE proclife_container_exec_total counter\n";

/*
 * The signals family, spelled out another way than the formatter does: 0
 * for probe and failed; SIGHUP..SIGSYS for the four outcomes any signal can
 * have; the rest only when counted. Values: SIGTERM delivered 2, failed 1;
 * SIGRTMIN+1 delivered 1; 0 probe 3.
 */
static void expected_signals(struct outbuf *ob)
{
	static const char *const results[] = { "delivered", "ignored", "already_pending", "failed" };

	outbuf__puts(ob, "proclife_signals_total{signal=\"0\",result=\"failed\"} 0\n");
	outbuf__puts(ob, "proclife_signals_total{signal=\"0\",result=\"probe\"} 3\n");
	for (int sig = 1; sig <= 31; sig++) {
		for (int r = 0; r < 4; r++) {
			int v = sig == SIGTERM && r == 0 ? 2 : sig == SIGTERM && r == 3 ? 1 : 0;

			outbuf__printf(ob, "proclife_signals_total{signal=\"%s\",result=\"%s\"} %d\n", names__signal(sig),
				       results[r], v);
		}
	}
	outbuf__puts(ob, "proclife_signals_total{signal=\"SIGRTMIN+1\",result=\"delivered\"} 1\n");
}

static void expected_memory(struct outbuf *ob, const struct model *m)
{
	outbuf__puts(ob, "# HELP proclife_model_bytes Memory the process model holds, by its own count of what it allocates (the ring buffer, the kernel's maps and other buffers come on top).\n"
			 "# TYPE proclife_model_bytes gauge\n");
	outbuf__printf(ob, "proclife_model_bytes %zu\n", model__memory(m));
	outbuf__puts(ob, "# HELP proclife_model_max_bytes The cap on proclife_model_bytes (--max-memory).\n"
			 "# TYPE proclife_model_max_bytes gauge\n"
			 "proclife_model_max_bytes 268435456\n"
			 "# HELP proclife_forgotten_total What the process model forgot early to stay under --max-memory, by kind: reaped (a reaped process before its 60 s), exec (an exec's filename and argv: an older one, or cut, or not kept), process (a process left out).\n"
			 "# TYPE proclife_forgotten_total counter\n"
			 "proclife_forgotten_total{kind=\"reaped\"} 0\n"
			 "proclife_forgotten_total{kind=\"exec\"} 0\n"
			 "proclife_forgotten_total{kind=\"process\"} 0\n");
}

static void input(struct metrics_input *in, const struct model *m, const __u64 *lost,
		  const struct kfeature_status *features)
{
	*in = (struct metrics_input){
		.counts = &counts,
		.model = m,
		.lost = lost,
		.features = features,
		.threads = true,
		.version = "0.1.0",
		.kernel = "6.1.0-a\"b\\c\nd",
		.now_ns = 10 * S,
		.start_ns = S / 2,
		.wall_offset_ns = SYNTH_EPOCH * 1000000000ll - 250 * (__s64)MS,
	};
}

static void test_exposition_exact(void)
{
	struct kfeature_status features[KF_MAX] = {
		[KF_CORE] = { .state = KF_ON },
		[KF_SYSCALLS] = { .state = KF_REDUCED, .programs = { "pl_sys_exit_nonames" } },
		[KF_SIGNALS] = { .state = KF_ON },  [KF_OOM] = { .state = KF_OFF },
		[KF_DELIVERY] = { .state = KF_ON }, [KF_RENAME] = { .state = KF_ON },
		[KF_SAMPLING] = { .state = KF_UNUSED },
	};
	__u64 lost[PL_EV_MAX] = { [PL_EV_EXEC] = 3, [PL_EV_SIGNAL] = 1 };
	struct model *m = session();
	struct outbuf got, want;
	struct metrics_input in;

	outbuf__init(&got, -1, 0);
	outbuf__init(&want, -1, 0);
	input(&in, m, lost, features);
	in.untracked_zombies = 7;
	in.resync_holding_ns = 4 * S;
	metrics__format(&got, &in);
	outbuf__puts(&want, head);
	expected_memory(&want, m);
	outbuf__puts(&want, head2);
	expected_signals(&want);
	outbuf__puts(&want, tail);
	ASSERT_STREQ(outbuf__cstr(&got), outbuf__cstr(&want));
	ASSERT_EQ(counts.signals_other, 2);
	outbuf__free(&got);
	outbuf__free(&want);
	model__free(m);
}

/*
 * A run that keeps states, without BPF trampolines: the feature syscalls is
 * reduced to no program, and failed execs, refused kills and probes are not
 * counted: their series are left out, not 0; the other signals are there.
 */
static void test_exposition_uncounted(void)
{
	struct kfeature_status features[KF_MAX] = {
		[KF_CORE] = { .state = KF_ON }, [KF_SYSCALLS] = { .state = KF_REDUCED },
		[KF_SIGNALS] = { .state = KF_ON },
	};
	struct model *m = session();
	struct metrics_input in;
	struct outbuf ob;
	const char *s;

	outbuf__init(&ob, -1, 0);
	input(&in, m, NULL, features);
	metrics__format(&ob, &in);
	s = outbuf__cstr(&ob);
	ASSERT_TRUE(strstr(s, "# TYPE proclife_exec_failed_total counter\n# HELP proclife_signals_total"));
	ASSERT_FALSE(strstr(s, "proclife_exec_failed_total{"));
	ASSERT_FALSE(strstr(s, "proclife_events_total{event=\"exec_failed\"}"));
	ASSERT_FALSE(strstr(s, "result=\"probe\""));
	ASSERT_FALSE(strstr(s, "result=\"failed\""));
	ASSERT_TRUE(strstr(s, "proclife_signals_total{signal=\"SIGTERM\",result=\"delivered\"} 2\n"));
	ASSERT_TRUE(strstr(s, "proclife_feature_reduced{feature=\"syscalls\"} 1\n"));
	outbuf__free(&ob);
	model__free(m);
}

/*
 * Counted in the kernel (a run that keeps states, tracer_config.counts):
 * the records of signals, deliveries and failed execs are not counted
 * again, and the kernel's counters become the signal, deliver and
 * exec_failed counts, errnos past the table as "other".
 */
static void test_kernel_counts(void)
{
	static __u64 k[PL_CNT_MAX];
	struct metrics_counts c = { .kernel_counts = true };
	struct pl_signal sig = { .h.type = PL_EV_SIGNAL, .sig = SIGTERM };
	struct pl_hdr fork = { .type = PL_EV_FORK };

	metrics_counts__record(&c, &sig);
	metrics_counts__record(&c, &(struct pl_deliver){ .h.type = PL_EV_DELIVER });
	metrics_counts__record(&c, &fork);
	ASSERT_EQ(c.events[PL_EV_SIGNAL], 0);
	ASSERT_EQ(c.events[PL_EV_DELIVER], 0);
	ASSERT_EQ(c.events[PL_EV_FORK], 1);
	memset(k, 0, sizeof(k));
	k[PL_CNT_SIGNAL(SIGTERM, PL_SIG_DELIVERED)] = 5;
	k[PL_CNT_SIGNAL(0, PL_SIG_PROBE)] = 2;
	k[PL_CNT_SIGNAL(64, PL_SIG_IGNORED)] = 1;
	k[PL_CNT_SIGNAL_OTHER] = 3;
	k[PL_CNT_DELIVER] = 7;
	k[PL_CNT_EXEC_FAILED(ENOENT)] = 4;
	k[PL_CNT_EXEC_FAILED(200)] = 1; /* past the errno table */
	k[PL_CNT_EXEC_FAILED(0)] = 1;   /* past the kernel's */
	metrics_counts__kernel(&c, k);
	ASSERT_EQ(c.signals[SIGTERM][PL_SIG_DELIVERED], 5);
	ASSERT_EQ(c.signals[0][PL_SIG_PROBE], 2);
	ASSERT_EQ(c.signals[64][PL_SIG_IGNORED], 1);
	ASSERT_EQ(c.signals_other, 3);
	ASSERT_EQ(c.events[PL_EV_SIGNAL], 11);
	ASSERT_EQ(c.events[PL_EV_DELIVER], 7);
	ASSERT_EQ(c.exec_failed[ENOENT], 4);
	ASSERT_EQ(c.exec_failed[METRICS_ERRNO_MAX + 1], 2);
	ASSERT_EQ(c.events[PL_EV_EXEC_FAILED], 6);
	ASSERT_EQ(c.events[PL_EV_FORK], 1);
}

/* Without thread tracing, features or a model: no thread labels, no feature families, zero gauges. */
static void test_exposition_minimal(void)
{
	struct model_config cfg = {};
	struct model *m = model__new(&cfg);
	struct metrics_input in;
	struct outbuf ob;
	const char *s;

	memset(&counts, 0, sizeof(counts));
	outbuf__init(&ob, -1, 0);
	input(&in, m, NULL, NULL);
	in.threads = false;
	metrics__format(&ob, &in);
	s = outbuf__cstr(&ob);
	ASSERT_TRUE(strstr(s, "proclife_events_total{event=\"cred\"} 0\nproclife_events_total{event=\"stop\"} 0\n"));
	ASSERT_FALSE(strstr(s, "event=\"thread_fork\""));
	ASSERT_FALSE(strstr(s, "proclife_features"));
	ASSERT_FALSE(strstr(s, "proclife_feature_reduced"));
	ASSERT_FALSE(strstr(s, "errno=\"other\""));
	ASSERT_TRUE(strstr(s, "\nproclife_lost_events_total{event=\"exec\"} 0\n"));
	ASSERT_TRUE(strstr(s, "\nproclife_processes{state=\"running\"} 0\nproclife_processes{state=\"stopped\"} 0\n"
			      "proclife_processes{state=\"zombie\"} 0\n"));
	ASSERT_TRUE(strstr(s, "\nproclife_zombie_oldest_seconds 0.000\n"));
	ASSERT_TRUE(strstr(s, "\nproclife_resync_backoff_seconds 0\n"));
	ASSERT_TRUE(strstr(s, "\nproclife_untracked_zombies_total 0\n"));
	ASSERT_TRUE(strstr(s, "\nproclife_forgotten_total{kind=\"process\"} 0\n"));
	/* No recording, no event output: none of their families. */
	ASSERT_FALSE(strstr(s, "proclife_recording_"));
	ASSERT_FALSE(strstr(s, "proclife_output_"));
	outbuf__free(&ob);
	model__free(m);
}

/*
 * The writes of a recording and of an event output: a failing disk's
 * errnos there from the start (0, for an alert's first increase), others
 * when they happen, numbers without a name as "other"; what was not
 * written.
 */
static void test_exposition_writes(void)
{
	struct model_config cfg = {};
	struct model *m = model__new(&cfg);
	struct rec_writer_stats rec = { .unwritten_events = 1234 };
	struct outbuf_stats out = { .dropped_lines = 56 };
	struct metrics_input in;
	struct outbuf ob;
	const char *s;

	errcount__add(&rec.errors, -ENOSPC);
	errcount__add(&rec.errors, -ENOSPC);
	errcount__add(&rec.errors, -ENOMEM);
	errcount__add(&rec.errors, -41);   /* a hole in the errno table */
	errcount__add(&rec.errors, -4000); /* past it */
	errcount__add(&out.errors, EIO);
	outbuf__init(&ob, -1, 0);
	input(&in, m, NULL, NULL);
	in.recording = &rec;
	in.output = &out;
	metrics__format(&ob, &in);
	s = outbuf__cstr(&ob);
	ASSERT_TRUE(strstr(s, "\n# TYPE proclife_recording_errors_total counter\n"
			      "proclife_recording_errors_total{errno=\"EIO\"} 0\n"
			      "proclife_recording_errors_total{errno=\"ENOMEM\"} 1\n"
			      "proclife_recording_errors_total{errno=\"EFBIG\"} 0\n"
			      "proclife_recording_errors_total{errno=\"ENOSPC\"} 2\n"
			      "proclife_recording_errors_total{errno=\"EROFS\"} 0\n"
			      "proclife_recording_errors_total{errno=\"EDQUOT\"} 0\n"
			      "proclife_recording_errors_total{errno=\"other\"} 2\n"));
	ASSERT_TRUE(strstr(s, "\n# TYPE proclife_recording_unwritten_events_total counter\n"
			      "proclife_recording_unwritten_events_total 1234\n"));
	ASSERT_TRUE(strstr(s, "\n# TYPE proclife_output_errors_total counter\n"
			      "proclife_output_errors_total{errno=\"EIO\"} 1\n"
			      "proclife_output_errors_total{errno=\"EFBIG\"} 0\n"
			      "proclife_output_errors_total{errno=\"ENOSPC\"} 0\n"
			      "proclife_output_errors_total{errno=\"EROFS\"} 0\n"
			      "proclife_output_errors_total{errno=\"EDQUOT\"} 0\n"
			      "# HELP proclife_output_unwritten_lines_total "));
	ASSERT_TRUE(strstr(s, "\nproclife_output_unwritten_lines_total 56\n"));
	outbuf__free(&ob);
	model__free(m);
}

#define ID_A "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2"
#define ID_B "5e1ecee06a7fc06f305ae5c12acfe7a7f67b8ece7af76932ed3afab00c3c6921"
#define ID_C "e882bcaadb1e02e2020fd8774f86f6fccb1c1db63593f0fda63b88aaa2970afc"
#define POD_PATH "/kubepods/besteffort/pod2b1f7c4e-5d0a-4f3e-9c1b-7a6d5e4f3c2b/" ID_B

/* A process of pid in cgroup (v2 id) cg2, by a fork of 1 (its cgroups its parent's, as the header says). */
static void born_in(struct model *m, __u32 pid, __u64 cg2)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, 1, 0, "init");
	f.h.cgroup_id = cg2;
	f.child_pid = f.child_tid = pid;
	f.child_start_ns = S + pid;
	model__apply(m, &f);
}

/*
 * One series per container with processes: its zombies, its execs; two that print alike are one
 * series; a container gone takes its series (and its count) at the next exposition.
 */
static void test_container_series(void)
{
	struct model_config cfg = {};
	struct model *m = model__new(&cfg);
	struct ctreg *reg = ctreg__new();
	struct metrics_ct_counts cc = {};
	struct ct_info web = { .runtime = CT_RT_DOCKER, .kind = CT_KIND_CONTAINER, .name = "web\"q\\" },
		       pod = { .runtime = CT_RT_CONTAINERD, .kind = CT_KIND_CONTAINER, .name = "app", .pod = "p",
			       .pod_namespace = "ns" };
	const struct ct_ref *w, *w2, *k;
	struct metrics_input in;
	struct pl_exit x = {};
	struct outbuf ob;
	const char *s;

	outbuf__init(&ob, -1, 0);
	strcpy(web.id, ID_A);
	strcpy(pod.id, ID_B);
	ctreg__learn_cgroup(reg, CTREG_V2, 1, "/");
	ctreg__learn_cgroup(reg, CTREG_V2, 10, "/docker/" ID_A);
	ctreg__learn_cgroup(reg, CTREG_V2, 11, "/docker/" ID_C);
	ctreg__learn_cgroup(reg, CTREG_V2, 12, POD_PATH);
	ctreg__learn_container(reg, "/docker/" ID_A, &web, &w);
	strcpy(web.id, ID_C); /* another container that prints alike (two daemons' "web") */
	ctreg__learn_container(reg, "/docker/" ID_C, &web, &w2);
	ctreg__learn_container(reg, POD_PATH, &pod, &k);
	born_in(m, 100, 10);
	born_in(m, 101, 10);
	born_in(m, 102, 11);
	born_in(m, 200, 12);
	born_in(m, 300, 1);
	synth_hdr(&x.h, PL_EV_EXIT, 101, 1, "sh");
	x.h.start_ns = S + 101;
	x.h.cgroup_id = 10;
	model__apply(m, &x); /* 101: a zombie in web */
	metrics_ct_counts__exec(&cc, w);
	metrics_ct_counts__exec(&cc, w2);
	metrics_ct_counts__exec(&cc, k);
	metrics_ct_counts__exec(&cc, k);
	input(&in, m, NULL, NULL);
	in.ct = reg;
	in.ct_counts = &cc;
	metrics__format(&ob, &in);
	s = outbuf__cstr(&ob);
	ASSERT_TRUE(strstr(s, "\nproclife_container_zombies{runtime=\"docker\",container=\"web\\\"q\\\\\",namespace=\"\","
			      "pod=\"\"} 1\nproclife_container_zombies{runtime=\"containerd\",container=\"app\","
			      "namespace=\"ns\",pod=\"p\"} 0\n# HELP"));
	ASSERT_TRUE(strstr(s, "\nproclife_container_exec_total{runtime=\"docker\",container=\"web\\\"q\\\\\",namespace=\"\","
			      "pod=\"\"} 2\nproclife_container_exec_total{runtime=\"containerd\",container=\"app\","
			      "namespace=\"ns\",pod=\"p\"} 2\n"));
	ASSERT_EQ(cc.n, 3);
	/* The pod's container goes: its series and its count go at the next exposition. */
	synth_hdr(&x.h, PL_EV_EXIT, 200, 1, "app");
	x.h.start_ns = S + 200;
	x.h.cgroup_id = 12;
	model__apply(m, &x);
	{
		struct pl_reap rp = {};

		synth_hdr(&rp.h, PL_EV_REAP, 200, 1, "app");
		rp.h.start_ns = S + 200;
		model__apply(m, &rp);
	}
	outbuf__reset(&ob);
	metrics__format(&ob, &in);
	s = outbuf__cstr(&ob);
	ASSERT_FALSE(strstr(s, "container=\"app\""));
	ASSERT_EQ(cc.n, 2);
	metrics_ct_counts__free(&cc);
	outbuf__free(&ob);
	ctreg__free(reg);
	model__free(m);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void test_replace(void)
{
	char dir[] = "/tmp/pl-metrics-XXXXXX", path[128], tmp[256], missing[160], buf[64];
	struct stat st;
	mode_t old = umask(077);
	int fd;
	ssize_t n;

	if (!ASSERT_TRUE(mkdtemp(dir)))
		goto out;
	snprintf(path, sizeof(path), "%s/proclife.prom", dir);
	ASSERT_EQ(metrics_file__replace(path, "a 1\n", 4), 0);
	ASSERT_EQ(metrics_file__replace(path, "a 22\n", 5), 0);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_EQ(n, 5);
	buf[n > 0 ? n : 0] = '\0';
	ASSERT_STREQ(buf, "a 22\n");
	/* 0644 under umask 077: the collector runs as another user. */
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0644);
	ASSERT_EQ(count_entries(dir), 1);
	/* A temporary file left by an earlier process with our pid is replaced. */
	snprintf(tmp, sizeof(tmp), "%s/.proclife.prom.tmp.%d", dir, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	ASSERT_EQ(metrics_file__replace(path, "a 3\n", 4), 0);
	ASSERT_EQ(count_entries(dir), 1);
	/* Failures: -errno, and nothing left behind. */
	snprintf(missing, sizeof(missing), "%s/no/such.prom", dir);
	ASSERT_EQ(metrics_file__replace(missing, "a 1\n", 4), -ENOENT);
	ASSERT_EQ(metrics_file__replace("/tmp/", "a 1\n", 4), -EISDIR);
	/* The rename fails (a directory is in the way): the temporary file goes. */
	snprintf(missing, sizeof(missing), "%s/sub", dir);
	ASSERT_EQ(mkdir(missing, 0755), 0);
	snprintf(tmp, sizeof(tmp), "%s/x", missing);
	ASSERT_EQ(mkdir(tmp, 0755), 0);
	ASSERT_EQ(metrics_file__replace(missing, "a 1\n", 4) < 0, 1);
	ASSERT_EQ(count_entries(dir), 2); /* proclife.prom and sub */
	rmdir(tmp);
	rmdir(missing);
	unlink(path);
	rmdir(dir);
out:
	umask(old);
}

int main(void)
{
	tl_init("unit/metrics");
	RUN_TEST(test_exposition_exact);
	RUN_TEST(test_exposition_minimal);
	RUN_TEST(test_exposition_writes);
	RUN_TEST(test_exposition_uncounted);
	RUN_TEST(test_kernel_counts);
	RUN_TEST(test_container_series);
	RUN_TEST(test_replace);
	return tl_finish();
}

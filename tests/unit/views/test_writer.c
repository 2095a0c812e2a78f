// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The text and JSON writers: exact output for every event type, hostile bytes included. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <errno.h>

#include "testlib.h"
#include "base/users.h"
#include "views/writer.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static struct outbuf ob;
static struct wallclock wc;
static struct writer text, json;
static _Alignas(8) unsigned char buf[sizeof(struct pl_exec) + 8192];

static const char *render(struct writer *w, const void *rec)
{
	outbuf__reset(&ob);
	w->event(w, rec);
	return outbuf__cstr(&ob);
}

#define TIME_TEXT "03:04:05.123 "
/* An exec's identity as synth_exec() leaves it: root's ids, no capability, no paths. */
#define EXEC_ID_JSON                                                                                \
	"\"suid\":0,\"sgid\":0,\"fsuid\":0,\"fsgid\":0,\"caps\":[],\"cwd\":null,\"exe\":null,\"setid\":false"
#define JSON_HDR(ev, pid, ppid, comm)                                                               \
	"{\"event\":\"" ev "\",\"time\":\"2026-01-02T03:04:05.123456789Z\",\"pid\":" pid ",\"tid\":" pid \
	",\"ppid\":" ppid ",\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"auid\":null,\"session\":null,"       \
	"\"tty\":null,\"comm\":\"" comm "\",\"cpu\":0,\"cgroup_id\":0,"                                      \
	"\"pidns\":4026531836,\"ns_pid\":" pid ",\"ktime_ns\":1000123456789,\"cgroup\":null,\"container\":null"
/* watch's container column: blank for a process in no container (as every one here is). */
#define CT_COL "                    "

static void test_fork(void)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, 100, 1, "bash");
	f.child_pid = f.child_tid = 101;
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       0            -       bash             " CT_COL "child 101\n");
	ASSERT_STREQ(render(&json, &f), JSON_HDR("fork", "100", "1", "bash") ",\"child\":101,\"child_tid\":101,\"child_ppid\":0,\"thread\":false}\n");
	f.h.flags = PL_F_THREAD;
	f.child_tid = 102;
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       0            -       bash             " CT_COL "thread 102\n");
}

static void test_exec_hostile(void)
{
	const char *argv[] = { "ls", "a b", "\x1b[2J", "\xff", "" };
	size_t lens[] = { 2, 3, 4, 1, 0 };

	synth_exec(buf, 7, "/bin/ls", argv, lens, 5);
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       0            -       prog             " CT_COL "ls \"a b\" \"\\x1b[2J\" \"\\xff\" \"\"  (/bin/ls)\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/bin/ls\",\"argv\":[\"ls\",\"a b\",\"\\u001b[2J\","
		     "\"\xef\xbf\xbd\",\"\"],\"argc\":5,\"truncated\":false,\"argv_bytes\":15,\"old_tid\":7," EXEC_ID_JSON "}\n");
}

static void test_exec_truncated(void)
{
	const char *argv[] = { "/bin/echo", "hello" };
	size_t lens[] = { 9, 5 };
	struct pl_exec *e = (void *)buf;

	synth_exec(buf, 7, "/bin/echo", argv, lens, 2);
	e->args_len = 13; /* "/bin/echo\0hel" */
	e->args_size = 16;
	e->h.flags = PL_F_ARGS_TRUNCATED;
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       0            -       prog             " CT_COL "/bin/echo hel ... [argv truncated at 13 of 16 bytes]\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/bin/echo\",\"argv\":[\"/bin/echo\",\"hel\"],"
		     "\"argc\":2,\"truncated\":true,\"argv_bytes\":16,\"old_tid\":7," EXEC_ID_JSON "}\n");
	/* --arg-bytes 0: no argv kept, the filename says what ran. */
	e->args_len = 0;
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       0            -       prog             " CT_COL "/bin/echo [argv not kept: 16 bytes]\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/bin/echo\",\"argv\":[],"
		     "\"argc\":2,\"truncated\":true,\"argv_bytes\":16,\"old_tid\":7," EXEC_ID_JSON "}\n");
	e->h.flags = PL_F_ARGS_UNREADABLE;
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       0            -       prog             " CT_COL "/bin/echo [argv unreadable]\n");
}

static void test_exec_failed(void)
{
	struct pl_exec_failed *e = (void *)buf;

	synth_hdr(&e->h, PL_EV_EXEC_FAILED, 9, 1, "sh");
	e->err = 2;
	memcpy(e->data, "/no/such\n", 10);
	e->filename_len = 10;
	ASSERT_STREQ(render(&text, e), TIME_TEXT "exec_failed 9       1       0            -       sh               " CT_COL "/no/such\\n: ENOENT\n");
	ASSERT_STREQ(render(&json, e),
		     JSON_HDR("exec_failed", "9", "1", "sh") ",\"filename\":\"/no/such\\n\",\"error\":\"ENOENT\",\"errno\":2}\n");
}

/* A filename cut at PL_FILENAME_MAX: said after it, in both writers, for exec and exec_failed. */
static void test_filename_truncated(void)
{
	const char *argv[] = { "x" };
	size_t lens[] = { 1 };
	struct pl_exec_failed *f = (void *)buf;

	synth_exec(buf, 7, "/a/b", argv, lens, 1);
	((struct pl_exec *)buf)->h.flags = PL_F_NAME_TRUNCATED;
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       0            -       prog             " CT_COL "x  (/a/b) [filename truncated]\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/a/b\",\"filename_truncated\":true,"
		     "\"argv\":[\"x\"],\"argc\":1,\"truncated\":false,\"argv_bytes\":2,\"old_tid\":7," EXEC_ID_JSON "}\n");

	synth_hdr(&f->h, PL_EV_EXEC_FAILED, 9, 1, "sh");
	f->h.flags = PL_F_NAME_TRUNCATED;
	f->err = 36;
	memcpy(f->data, "/a/b", 5);
	f->filename_len = 5;
	ASSERT_STREQ(render(&text, f),
		     TIME_TEXT "exec_failed 9       1       0            -       sh               " CT_COL "/a/b [filename truncated]: ENAMETOOLONG\n");
	ASSERT_STREQ(render(&json, f),
		     JSON_HDR("exec_failed", "9", "1", "sh") ",\"filename\":\"/a/b\",\"filename_truncated\":true,"
		     "\"error\":\"ENAMETOOLONG\",\"errno\":36}\n");
}

static void test_exit(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "sh");
	x.status = 3 << 8;
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       sh               " CT_COL "exit 3\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":3,\"term_signal\":null,\"core_dumped\":false,"
		     "\"status\":768,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	x.status = 11 | 0x80;
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       sh               " CT_COL "killed by SIGSEGV (core dumped)\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":null,\"term_signal\":11,\"core_dumped\":true,"
		     "\"status\":139,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	/* Killed by a kill() from bash; by the OOM killer. */
	x.status = 15;
	x.killer = (struct pl_killer){ .sig = 15, .pid = 77, .tid = 77, .syscall = PL_SYS_KILL,
				       .info_kind = PL_INFO_SIGINFO, .ts = SYNTH_BOOT_NS + 123456789 };
	strcpy(x.killer.comm, "bash");
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       sh               " CT_COL "killed by SIGTERM from 77 (bash) [kill]\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":null,\"term_signal\":15,\"core_dumped\":false,"
		     "\"status\":15,\"killed_by\":{\"sig\":15,\"signame\":\"SIGTERM\",\"time\":\"2026-01-02T03:04:05.123456789Z\","
		     "\"origin\":null,\"syscall\":\"kill\",\"pid\":77,\"tid\":77,\"uid\":0,\"comm\":\"bash\"},\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	x.status = 9;
	x.killer = (struct pl_killer){ .sig = 9, .info_kind = PL_INFO_PRIV, .info_code = 0x80, .oom = 1 };
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       sh               " CT_COL "killed by SIGKILL [kernel: oom]\n");
}

/* What it used: the short form on the text line, every field in JSON (kernel units turned into rusage's). */
static void test_exit_usage(void)
{
	struct pl_exit x = {};
	struct pl_usage *u = &x.usage;

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "cc");
	x.h.start_ns = x.h.ts - 1500000000ull;
	x.h.flags = PL_F_USAGE;
	/* 300 ms on a CPU, ticks 3:1 user:system: 225 ms user, 75 ms system. */
	*u = (struct pl_usage){ .utime_tick = 12000000, .stime_tick = 4000000, .runtime = 300000000,
				.minflt = 1000, .majflt = 2, .nvcsw = 5, .nivcsw = 7, .inblock = 8, .oublock = 16384,
				.maxrss_kb = 65741, .cutime = 100000000, .cstime = 50000000, .cminflt = 10,
				.cmajflt = 1, .cnvcsw = 3, .cnivcsw = 4, .cinblock = 2, .coublock = 6,
				.cmaxrss_kb = 70000, .rchar = 100, .wchar = 8388608, .syscr = 3, .syscw = 8,
				.read_bytes = 0, .write_bytes = 8388608, .cancelled_write_bytes = 4096,
				.flags = PL_USAGE_IO_CHARS | PL_USAGE_IO_BYTES };
	ASSERT_STREQ(render(&text, &x),
		     TIME_TEXT "exit        9       1       0            -       cc               " CT_COL "exit 0  cpu 0.30s  rss 64.2M  io r 0 w 8.0M\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "cc") ",\"exit_code\":0,\"term_signal\":null,\"core_dumped\":false,"
		     "\"status\":0,\"killed_by\":null,\"thread\":false,\"runtime_ns\":1500000000,\"cpu_ns\":300000000,"
		     "\"rusage\":{\"utime_us\":325000,\"stime_us\":125000,\"maxrss_kb\":70000,\"minflt\":1010,"
		     "\"majflt\":3,\"nvcsw\":8,\"nivcsw\":11,\"inblock\":10,\"oublock\":16390},"
		     "\"self\":{\"utime_us\":225000,\"stime_us\":75000,\"maxrss_kb\":65741,\"minflt\":1000,"
		     "\"majflt\":2,\"nvcsw\":5,\"nivcsw\":7,\"inblock\":8,\"oublock\":16384},"
		     "\"io\":{\"rchar\":100,\"wchar\":8388608,\"syscr\":3,\"syscw\":8,\"read_bytes\":0,"
		     "\"write_bytes\":8388608,\"cancelled_write_bytes\":4096}}\n");
	/* A kernel without I/O accounting: io null, and no io on the text line. */
	u->flags = 0;
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       cc               " CT_COL "exit 0  cpu 0.30s  rss 64.2M\n");
	ASSERT_TRUE(strstr(render(&json, &x), ",\"io\":null}\n") != NULL);
	/* Only the byte counters (no CONFIG_TASK_XACCT): the others null. */
	u->flags = PL_USAGE_IO_BYTES;
	ASSERT_TRUE(strstr(render(&json, &x), ",\"io\":{\"rchar\":null,\"wchar\":null,\"syscr\":null,\"syscw\":null,"
				       "\"read_bytes\":0,\"write_bytes\":8388608,\"cancelled_write_bytes\":4096}}\n") != NULL);
}

static void test_reap(void)
{
	struct pl_reap r = {};

	synth_hdr(&r.h, PL_EV_REAP, 9, 1, "sh");
	r.h.flags = PL_F_REAP_WAIT;
	r.reaper_pid = 1;
	memcpy(r.reaper_comm, "init\x1b", 5);
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "reap        9       1       0            -       sh               " CT_COL "reaped by 1 (init\\x1b), exit 0\n");
	ASSERT_STREQ(render(&json, &r),
		     JSON_HDR("reap", "9", "1", "sh") ",\"reaper\":1,\"reaper_comm\":\"init\\u001b\",\"how\":\"wait\","
		     "\"exit_code\":0,\"term_signal\":null,\"core_dumped\":false,\"status\":0}\n");
	r.h.flags = PL_F_REAP_AUTO;
	r.reaper_pid = 0;
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "reap        9       1       0            -       sh               " CT_COL "auto-reaped, exit 0\n");
	ASSERT_STREQ(render(&json, &r),
		     JSON_HDR("reap", "9", "1", "sh") ",\"reaper\":null,\"reaper_comm\":null,\"how\":\"auto\","
		     "\"exit_code\":0,\"term_signal\":null,\"core_dumped\":false,\"status\":0}\n");
	/* Its exit found the kernel's zombie table full: reported at the release, the reaper unknown. */
	r.h.flags = PL_F_REAP_UNTRACKED;
	r.status = 7 << 8;
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "reap        9       1       0            -       sh               " CT_COL "released, reaper unknown "
						  "(the kernel's zombie table was full): exit 7\n");
	ASSERT_STREQ(render(&json, &r),
		     JSON_HDR("reap", "9", "1", "sh") ",\"reaper\":null,\"reaper_comm\":null,\"how\":\"untracked\","
		     "\"exit_code\":7,\"term_signal\":null,\"core_dumped\":false,\"status\":1792}\n");
}

static void test_signal(void)
{
	struct pl_signal s = {};

	synth_hdr(&s.h, PL_EV_SIGNAL, 9, 1, "kill");
	s.h.flags = PL_F_GROUP;
	s.sig = 15;
	s.target_pid = s.target_tid = 1234;
	s.target_arg = 1234;
	s.syscall = PL_SYS_KILL;
	s.info_kind = PL_INFO_SIGINFO;
	strcpy(s.target_comm, "sleep");
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       kill             " CT_COL "SIGTERM -> 1234 (sleep) delivered (default: terminate) [kill]\n");
	ASSERT_STREQ(render(&json, &s),
		     JSON_HDR("signal", "9", "1", "kill") ",\"sig\":15,\"signame\":\"SIGTERM\",\"target\":1234,"
		     "\"target_tid\":1234,\"target_comm\":\"sleep\",\"target_uid\":0,\"code\":\"kill\",\"si_code\":0,"
		     "\"result\":\"delivered\",\"group\":true,\"syscall\":\"kill\",\"errno\":null,\"origin\":null,"
		     "\"disposition\":\"default\",\"blocked\":false,\"target_arg\":1234,\"value\":null,"
		     "\"target_container\":null,\"crosses_container\":false}\n");
	/* To one thread, with tgkill, ignored. */
	s.h.flags = 0;
	s.target_tid = 1236;
	s.info_code = -6;
	s.syscall = PL_SYS_TGKILL;
	s.result = PL_SIG_IGNORED;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       kill             " CT_COL "SIGTERM -> 1234/1236 (sleep) ignored [tgkill]\n");
	/* To a process group; to a handler; blocked. */
	s.h.flags = PL_F_GROUP;
	s.target_tid = 1234;
	s.info_code = 0;
	s.syscall = PL_SYS_KILL;
	s.target_arg = -1200;
	s.result = PL_SIG_DELIVERED;
	s.disposition = PL_ACT_HANDLER;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       kill             " CT_COL "SIGTERM -> 1234 (sleep) delivered (handler) [kill -1200]\n");
	s.blocked = 1;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       kill             " CT_COL "SIGTERM -> 1234 (sleep) pending (blocked) [kill -1200]\n");
	/* Refused: no such process. */
	s.blocked = 0;
	s.result = PL_SIG_FAILED;
	s.err = 3;
	s.target_pid = s.target_tid = 0;
	s.target_arg = 99999;
	memset(s.target_comm, 0, sizeof(s.target_comm));
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       kill             " CT_COL "SIGTERM -> 99999 failed: ESRCH [kill]\n");
	/* From the kernel: a fault; a sigqueue with a value. */
	s = (struct pl_signal){};
	synth_hdr(&s.h, PL_EV_SIGNAL, 9, 1, "a.out");
	s.sig = 11;
	s.info_code = 1;
	s.info_kind = PL_INFO_SIGINFO;
	s.target_pid = s.target_tid = 9;
	strcpy(s.target_comm, "a.out");
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       a.out            " CT_COL "SIGSEGV -> 9 (a.out) delivered (default: core) [kernel: fault]\n");
	s.sig = 10;
	s.info_code = -1;
	s.syscall = PL_SYS_RT_SIGQUEUEINFO;
	s.target_arg = 9;
	s.value = 42;
	s.disposition = PL_ACT_HANDLER;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       0            -       a.out            " CT_COL "SIGUSR1 -> 9 (a.out) delivered (handler) [rt_sigqueueinfo value=42]\n");
}

static void test_deliver(void)
{
	struct pl_deliver d = {};

	synth_hdr(&d.h, PL_EV_DELIVER, 9, 1, "sleep");
	d.sig = 15;
	d.action = PL_ACT_DEFAULT;
	d.h.flags = PL_F_GROUP_EXIT;
	ASSERT_STREQ(render(&text, &d), TIME_TEXT "deliver     9       1       0            -       sleep            " CT_COL "SIGTERM default (terminate)\n");
	ASSERT_STREQ(render(&json, &d),
		     JSON_HDR("deliver", "9", "1", "sleep") ",\"sig\":15,\"signame\":\"SIGTERM\",\"action\":\"default\","
		     "\"default_action\":\"terminate\",\"code\":\"kill\",\"si_code\":0,\"fatal\":true}\n");
	d.action = PL_ACT_HANDLER;
	d.sig = 10;
	d.h.flags = 0;
	ASSERT_STREQ(render(&text, &d), TIME_TEXT "deliver     9       1       0            -       sleep            " CT_COL "SIGUSR1 handler\n");
}

static void test_rename(void)
{
	struct pl_rename r = {};

	synth_hdr(&r.h, PL_EV_RENAME, 9, 1, "python3");
	strcpy(r.new_comm, "worker\x1b");
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "rename      9       1       0            -       python3          " CT_COL "renamed to worker\\x1b\n");
	ASSERT_STREQ(render(&json, &r), JSON_HDR("rename", "9", "1", "python3") ",\"new_comm\":\"worker\\u001b\"}\n");
}

static void test_lost_and_header(void)
{
	outbuf__reset(&ob);
	text.lost(&text, PL_EV_EXEC, 12, SYNTH_BOOT_NS + 123456789);
	ASSERT_STREQ(outbuf__cstr(&ob), TIME_TEXT "LOST 12 exec events: the kernel could not queue them (ring buffer full)\n");
	outbuf__reset(&ob);
	json.lost(&json, PL_EV_SIGNAL, 3, SYNTH_BOOT_NS + 123456789);
	ASSERT_STREQ(outbuf__cstr(&ob),
		     "{\"event\":\"lost\",\"time\":\"2026-01-02T03:04:05.123456789Z\",\"type\":\"signal\",\"count\":3}\n");
	outbuf__reset(&ob);
	text.header(&text);
	ASSERT_STREQ(outbuf__cstr(&ob), "TIME         EVENT       PID     PPID    USER         TTY     COMM             CONTAINER           DETAILS\n");
	outbuf__reset(&ob);
	json.header(&json);
	ASSERT_STREQ(outbuf__cstr(&ob), "");
}

/* A gap: what a failing disk kept out of this output, or out of the recording being replayed. */
static void test_gap(void)
{
	struct writer_gap out = { .ts = SYNTH_BOOT_NS + 123456789, .since = SYNTH_BOOT_NS + 1000000, .count = 42,
				  .err = ENOSPC };
	struct writer_gap rec = { .ts = SYNTH_BOOT_NS + 123456789, .since = SYNTH_BOOT_NS, .count = 7, .recording = true,
				  .err = 4000 };

	outbuf__reset(&ob);
	text.gap(&text, &out);
	ASSERT_STREQ(outbuf__cstr(&ob), TIME_TEXT "GAP 42 lines could not be written to this output from 03:04:05.001 "
					       "(ENOSPC)\n");
	outbuf__reset(&ob);
	text.gap(&text, &rec);
	ASSERT_STREQ(outbuf__cstr(&ob), TIME_TEXT "GAP 7 events could not be written to the recording from "
					       "03:04:05.000 (error 4000)\n");
	outbuf__reset(&ob);
	json.gap(&json, &out);
	ASSERT_STREQ(outbuf__cstr(&ob), "{\"event\":\"gap\",\"time\":\"2026-01-02T03:04:05.123456789Z\","
					"\"since\":\"2026-01-02T03:04:05.001000000Z\",\"source\":\"output\",\"count\":42,"
					"\"error\":\"ENOSPC\"}\n");
	outbuf__reset(&ob);
	json.gap(&json, &rec);
	ASSERT_STREQ(outbuf__cstr(&ob), "{\"event\":\"gap\",\"time\":\"2026-01-02T03:04:05.123456789Z\","
					"\"since\":\"2026-01-02T03:04:05.000000000Z\",\"source\":\"recording\",\"count\":7,"
					"\"error\":4000}\n");
}

static void test_comm_escaped(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "\x1b]0;x\x07\xff\"");
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       0            -       \\x1b]0;x\\x07\\xff\" " CT_COL "exit 0\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "\\u001b]0;x\\u0007\xef\xbf\xbd\\\"") ",\"exit_code\":0,\"term_signal\":null,"
		     "\"core_dumped\":false,\"status\":0,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
}


/* A user database of the test's own: root, and a login user whose name needs escaping. */
static void with_users(void)
{
	static char pw[] = "/tmp/pl-test-passwd-XXXXXX", gr[] = "/tmp/pl-test-group-XXXXXX";
	int p = mkstemp(pw), g = mkstemp(gr);
	const char *users = "root:x:0:0:root:/root:/bin/sh\nadmin\x1b[1m:x:1000:1000::/home/a:/bin/sh\n";
	const char *groups = "root:x:0:\n";

	if (p < 0 || g < 0 || write(p, users, strlen(users)) < 0 || write(g, groups, strlen(groups)) < 0)
		FAILF("cannot write the test's passwd and group files");
	close(p);
	close(g);
	users__set_files(pw, gr);
	users__name(0); /* read now: the files go */
	users__group(0);
	unlink(pw);
	unlink(gr);
}

/* Who: the user, its login user in parentheses when another, the terminal; JSON numbers and the tty's name. */
static void test_identity(void)
{
	struct pl_signal sg = {};

	with_users();
	synth_hdr(&sg.h, PL_EV_SIGNAL, 9, 1, "kill");
	sg.h.auid = 1000;
	sg.h.session = 3;
	sg.h.tty = (136 << 8) | 1; /* pts/1 */
	sg.sig = 9;
	sg.target_pid = sg.target_tid = 1234;
	sg.target_arg = 1234;
	memcpy(sg.target_comm, "postgres", 8);
	sg.info_code = 0; /* SI_USER */
	sg.info_kind = PL_INFO_SIGINFO;
	sg.syscall = PL_SYS_KILL;
	ASSERT_STREQ(render(&text, &sg), TIME_TEXT "signal      9       1       root(admin\\x1b[1m) pts/1   kill             "
						  CT_COL "SIGKILL -> 1234 (postgres) delivered (default: terminate) [kill]\n");
	ASSERT_TRUE(strstr(render(&json, &sg), "\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"auid\":1000,\"session\":3,"
					       "\"tty\":\"pts/1\",") != NULL);
	/* The login user is the user: no parentheses. */
	sg.h.uid = 1000;
	ASSERT_TRUE(strstr(render(&text, &sg), "1       admin\\x1b[1m pts/1   kill") != NULL);
	/* A recording made before format 2.0: who is not known. */
	sg.h.flags = PL_F_NO_IDENTITY;
	ASSERT_TRUE(strstr(render(&text, &sg), "1       admin\\x1b[1m ?       kill") != NULL);
	ASSERT_TRUE(strstr(render(&json, &sg), "\"euid\":null,\"egid\":null,\"auid\":null,\"session\":null,\"tty\":null,") !=
		    NULL);
	users__set_files("/nonexistent/passwd", "/nonexistent/group");
}

/* An exec's credentials, paths and setid: JSON fields, the text's marker; null before format 2.0. */
static void test_exec_identity(void)
{
	const char *argv[] = { "passwd" };
	size_t lens[] = { 6 }, n = synth_exec(buf, 7, "/usr/bin/passwd", argv, lens, 1);
	struct pl_exec *e = (void *)buf;
	const char *cwd = "/home/a", *exe = "/memfd:x (deleted)";

	memcpy(buf + n, cwd, strlen(cwd) + 1);
	memcpy(buf + n + strlen(cwd) + 1, exe, strlen(exe) + 1);
	e->cwd_len = strlen(cwd) + 1;
	e->exe_len = strlen(exe) + 1;
	e->h.uid = e->creds.uid = 1000;
	e->creds.suid = e->creds.fsuid = 0;
	e->creds.sgid = e->creds.fsgid = 5;
	e->creds.cap_effective = (1ull << 0) | (1ull << 21) | (1ull << 45);
	e->h.flags |= PL_F_SETID;
	e->xflags = PL_X_CWD_CUT;
	ASSERT_STREQ(render(&text, buf), TIME_TEXT "exec        7       1       1000         -       prog             " CT_COL ""
						   "passwd  (/usr/bin/passwd) euid=0 [setid]\n");
	ASSERT_TRUE(strstr(render(&json, buf),
			   "\"old_tid\":7,\"suid\":0,\"sgid\":5,\"fsuid\":0,\"fsgid\":5,"
			   "\"caps\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_45\"],\"cwd\":\"/home/a\",\"cwd_truncated\":true,"
			   "\"exe\":\"/memfd:x (deleted)\",\"setid\":true}\n") != NULL);
	e->h.flags = PL_F_NO_IDENTITY;
	e->cwd_len = e->exe_len = 0;
	ASSERT_TRUE(strstr(render(&json, buf), "\"suid\":null,\"sgid\":null,\"fsuid\":null,\"fsgid\":null,\"caps\":null,"
					       "\"cwd\":null,\"cwd_truncated\":true,\"exe\":null,\"setid\":null}\n") != NULL);
}

/* A cred event: what changed, in words; old and new as JSON, and where old came from. */
static void test_cred(void)
{
	struct pl_cred c = {};

	synth_hdr(&c.h, PL_EV_CRED, 9, 1, "su");
	c.how = PL_HOW_SETRESUID;
	c.nr = 117;
	c.cflags = PL_C_OLD_KERNEL;
	c.old.uid = c.old.euid = c.old.suid = c.old.fsuid = 1000;
	c.old.cap_permitted = 1ull << 7;
	c.new.cap_effective = c.new.cap_permitted = (1ull << 7) | (1ull << 6);
	c.new.ngroups = 1;
	c.h.flags = PL_F_SETID;
	ASSERT_STREQ(render(&text, &c), TIME_TEXT "cred        9       1       0            -       su               " CT_COL ""
						  "setresuid: uid 1000->0 euid 1000->0 suid 1000->0 fsuid 1000->0 groups 0 "
						  "cap_eff +CAP_SETGID +CAP_SETUID cap_prm +CAP_SETGID [setid]\n");
	ASSERT_TRUE(strstr(render(&json, &c), "\"how\":\"setresuid\",\"syscall_nr\":117,\"old\":{\"uid\":1000,\"euid\":1000,"
					      "\"suid\":1000,\"fsuid\":1000,\"gid\":0,\"egid\":0,\"sgid\":0,\"fsgid\":0,"
					      "\"groups\":[],\"ngroups\":0,\"caps\":{\"effective\":[],\"permitted\":"
					      "[\"CAP_SETUID\"],\"inheritable\":[],\"bounding\":[],\"ambient\":[]},"
					      "\"securebits\":0},\"old_from\":\"kernel\",\"new\":{") != NULL);
	/* Old from the model, only its ids: the rest null, and "?" in words where not known. */
	c.cflags = PL_C_OLD_MODEL | PL_C_OLD_IDS;
	c.h.flags = 0;
	ASSERT_TRUE(strstr(render(&text, &c), "setresuid: uid 1000->0 euid 1000->0 suid ?->0 fsuid ?->0 sgid ?->0 fsgid "
					      "?->0 groups 0 cap_eff=0xc0 cap_prm=0xc0 cap_inh=0 cap_bnd=0 cap_amb=0\n") !=
		    NULL);
	ASSERT_TRUE(strstr(render(&json, &c), "\"old\":{\"uid\":1000,\"euid\":1000,\"suid\":null,\"fsuid\":null,\"gid\":0,"
					      "\"egid\":0,\"sgid\":null,\"fsgid\":null,\"groups\":null,\"ngroups\":null,"
					      "\"caps\":null,\"securebits\":null},\"old_from\":\"model\"") != NULL);
	/* Nothing known of old. */
	c.cflags = 0;
	ASSERT_TRUE(strstr(render(&json, &c), "\"old\":null,\"old_from\":null,") != NULL);
}

int main(void)
{
	/* Ids as numbers: no user database (test_identity_text brings its own). */
	users__set_files("/nonexistent/passwd", "/nonexistent/group");
	setenv("TZ", "UTC", 1);
	tzset();
	tl_init("unit/writer");
	wc.offset_ns = SYNTH_EPOCH * 1000000000LL - (long long)SYNTH_BOOT_NS;
	outbuf__init(&ob, -1, 0);
	writer__init_text(&text, &ob, &wc);
	writer__init_json(&json, &ob, &wc);
	RUN_TEST(test_fork);
	RUN_TEST(test_exec_hostile);
	RUN_TEST(test_exec_truncated);
	RUN_TEST(test_exec_failed);
	RUN_TEST(test_filename_truncated);
	RUN_TEST(test_exit);
	RUN_TEST(test_exit_usage);
	RUN_TEST(test_reap);
	RUN_TEST(test_signal);
	RUN_TEST(test_deliver);
	RUN_TEST(test_rename);
	RUN_TEST(test_lost_and_header);
	RUN_TEST(test_gap);
	RUN_TEST(test_comm_escaped);
	RUN_TEST(test_identity);
	RUN_TEST(test_exec_identity);
	RUN_TEST(test_cred);
	outbuf__free(&ob);
	return tl_finish();
}

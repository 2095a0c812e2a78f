// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The text and JSON writers: exact output for every event type, hostile bytes included. */
#include <stdlib.h>
#include <time.h>

#include "testlib.h"
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
#define JSON_HDR(ev, pid, ppid, comm)                                                               \
	"{\"event\":\"" ev "\",\"time\":\"2026-01-02T03:04:05.123456789Z\",\"pid\":" pid ",\"tid\":" pid \
	",\"ppid\":" ppid ",\"uid\":0,\"gid\":0,\"comm\":\"" comm "\",\"cpu\":0,\"cgroup_id\":0,"       \
	"\"pidns\":4026531836,\"ns_pid\":" pid ",\"ktime_ns\":1000123456789,\"cgroup\":null,\"container\":null"
/* watch's container column: blank for a process in no container (as every one here is). */
#define CT_COL "                    "

static void test_fork(void)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, 100, 1, "bash");
	f.child_pid = f.child_tid = 101;
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       bash             " CT_COL "child 101\n");
	ASSERT_STREQ(render(&json, &f), JSON_HDR("fork", "100", "1", "bash") ",\"child\":101,\"child_tid\":101,\"child_ppid\":0,\"thread\":false}\n");
	f.h.flags = PL_F_THREAD;
	f.child_tid = 102;
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       bash             " CT_COL "thread 102\n");
}

static void test_exec_hostile(void)
{
	const char *argv[] = { "ls", "a b", "\x1b[2J", "\xff", "" };
	size_t lens[] = { 2, 3, 4, 1, 0 };

	synth_exec(buf, 7, "/bin/ls", argv, lens, 5);
	ASSERT_STREQ(render(&text, buf),
		     TIME_TEXT "exec        7       1       prog             " CT_COL "ls \"a b\" \"\\x1b[2J\" \"\\xff\" \"\"  (/bin/ls)\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/bin/ls\",\"argv\":[\"ls\",\"a b\",\"\\u001b[2J\","
		     "\"\xef\xbf\xbd\",\"\"],\"argc\":5,\"truncated\":false,\"argv_bytes\":15,\"old_tid\":7}\n");
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
		     TIME_TEXT "exec        7       1       prog             " CT_COL "/bin/echo hel ... [argv truncated at 13 of 16 bytes]\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/bin/echo\",\"argv\":[\"/bin/echo\",\"hel\"],"
		     "\"argc\":2,\"truncated\":true,\"argv_bytes\":16,\"old_tid\":7}\n");
}

static void test_exec_failed(void)
{
	struct pl_exec_failed *e = (void *)buf;

	synth_hdr(&e->h, PL_EV_EXEC_FAILED, 9, 1, "sh");
	e->err = 2;
	memcpy(e->data, "/no/such\n", 10);
	e->filename_len = 10;
	ASSERT_STREQ(render(&text, e), TIME_TEXT "exec_failed 9       1       sh               " CT_COL "/no/such\\n: ENOENT\n");
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
		     TIME_TEXT "exec        7       1       prog             " CT_COL "x  (/a/b) [filename truncated]\n");
	ASSERT_STREQ(render(&json, buf),
		     JSON_HDR("exec", "7", "1", "prog") ",\"filename\":\"/a/b\",\"filename_truncated\":true,"
		     "\"argv\":[\"x\"],\"argc\":1,\"truncated\":false,\"argv_bytes\":2,\"old_tid\":7}\n");

	synth_hdr(&f->h, PL_EV_EXEC_FAILED, 9, 1, "sh");
	f->h.flags = PL_F_NAME_TRUNCATED;
	f->err = 36;
	memcpy(f->data, "/a/b", 5);
	f->filename_len = 5;
	ASSERT_STREQ(render(&text, f),
		     TIME_TEXT "exec_failed 9       1       sh               " CT_COL "/a/b [filename truncated]: ENAMETOOLONG\n");
	ASSERT_STREQ(render(&json, f),
		     JSON_HDR("exec_failed", "9", "1", "sh") ",\"filename\":\"/a/b\",\"filename_truncated\":true,"
		     "\"error\":\"ENAMETOOLONG\",\"errno\":36}\n");
}

static void test_exit(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "sh");
	x.status = 3 << 8;
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       sh               " CT_COL "exit 3\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":3,\"term_signal\":null,\"core_dumped\":false,"
		     "\"status\":768,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	x.status = 11 | 0x80;
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       sh               " CT_COL "killed by SIGSEGV (core dumped)\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":null,\"term_signal\":11,\"core_dumped\":true,"
		     "\"status\":139,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	/* Killed by a kill() from bash; by the OOM killer. */
	x.status = 15;
	x.killer = (struct pl_killer){ .sig = 15, .pid = 77, .tid = 77, .syscall = PL_SYS_KILL,
				       .info_kind = PL_INFO_SIGINFO, .ts = SYNTH_BOOT_NS + 123456789 };
	strcpy(x.killer.comm, "bash");
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       sh               " CT_COL "killed by SIGTERM from 77 (bash) [kill]\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "sh") ",\"exit_code\":null,\"term_signal\":15,\"core_dumped\":false,"
		     "\"status\":15,\"killed_by\":{\"sig\":15,\"signame\":\"SIGTERM\",\"time\":\"2026-01-02T03:04:05.123456789Z\","
		     "\"origin\":null,\"syscall\":\"kill\",\"pid\":77,\"tid\":77,\"uid\":0,\"comm\":\"bash\"},\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
	x.status = 9;
	x.killer = (struct pl_killer){ .sig = 9, .info_kind = PL_INFO_PRIV, .info_code = 0x80, .oom = 1 };
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       sh               " CT_COL "killed by SIGKILL [kernel: oom]\n");
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
		     TIME_TEXT "exit        9       1       cc               " CT_COL "exit 0  cpu 0.30s  rss 64.2M  io r 0 w 8.0M\n");
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
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       cc               " CT_COL "exit 0  cpu 0.30s  rss 64.2M\n");
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
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "reap        9       1       sh               " CT_COL "reaped by 1 (init\\x1b), exit 0\n");
	ASSERT_STREQ(render(&json, &r),
		     JSON_HDR("reap", "9", "1", "sh") ",\"reaper\":1,\"reaper_comm\":\"init\\u001b\",\"how\":\"wait\","
		     "\"exit_code\":0,\"term_signal\":null,\"core_dumped\":false,\"status\":0}\n");
	r.h.flags = PL_F_REAP_AUTO;
	r.reaper_pid = 0;
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "reap        9       1       sh               " CT_COL "auto-reaped, exit 0\n");
	ASSERT_STREQ(render(&json, &r),
		     JSON_HDR("reap", "9", "1", "sh") ",\"reaper\":null,\"reaper_comm\":null,\"how\":\"auto\","
		     "\"exit_code\":0,\"term_signal\":null,\"core_dumped\":false,\"status\":0}\n");
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
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       kill             " CT_COL "SIGTERM -> 1234 (sleep) delivered (default: terminate) [kill]\n");
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
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       kill             " CT_COL "SIGTERM -> 1234/1236 (sleep) ignored [tgkill]\n");
	/* To a process group; to a handler; blocked. */
	s.h.flags = PL_F_GROUP;
	s.target_tid = 1234;
	s.info_code = 0;
	s.syscall = PL_SYS_KILL;
	s.target_arg = -1200;
	s.result = PL_SIG_DELIVERED;
	s.disposition = PL_ACT_HANDLER;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       kill             " CT_COL "SIGTERM -> 1234 (sleep) delivered (handler) [kill -1200]\n");
	s.blocked = 1;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       kill             " CT_COL "SIGTERM -> 1234 (sleep) pending (blocked) [kill -1200]\n");
	/* Refused: no such process. */
	s.blocked = 0;
	s.result = PL_SIG_FAILED;
	s.err = 3;
	s.target_pid = s.target_tid = 0;
	s.target_arg = 99999;
	memset(s.target_comm, 0, sizeof(s.target_comm));
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       kill             " CT_COL "SIGTERM -> 99999 failed: ESRCH [kill]\n");
	/* From the kernel: a fault; a sigqueue with a value. */
	s = (struct pl_signal){};
	synth_hdr(&s.h, PL_EV_SIGNAL, 9, 1, "a.out");
	s.sig = 11;
	s.info_code = 1;
	s.info_kind = PL_INFO_SIGINFO;
	s.target_pid = s.target_tid = 9;
	strcpy(s.target_comm, "a.out");
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       a.out            " CT_COL "SIGSEGV -> 9 (a.out) delivered (default: core) [kernel: fault]\n");
	s.sig = 10;
	s.info_code = -1;
	s.syscall = PL_SYS_RT_SIGQUEUEINFO;
	s.target_arg = 9;
	s.value = 42;
	s.disposition = PL_ACT_HANDLER;
	ASSERT_STREQ(render(&text, &s), TIME_TEXT "signal      9       1       a.out            " CT_COL "SIGUSR1 -> 9 (a.out) delivered (handler) [rt_sigqueueinfo value=42]\n");
}

static void test_deliver(void)
{
	struct pl_deliver d = {};

	synth_hdr(&d.h, PL_EV_DELIVER, 9, 1, "sleep");
	d.sig = 15;
	d.action = PL_ACT_DEFAULT;
	d.h.flags = PL_F_GROUP_EXIT;
	ASSERT_STREQ(render(&text, &d), TIME_TEXT "deliver     9       1       sleep            " CT_COL "SIGTERM default (terminate)\n");
	ASSERT_STREQ(render(&json, &d),
		     JSON_HDR("deliver", "9", "1", "sleep") ",\"sig\":15,\"signame\":\"SIGTERM\",\"action\":\"default\","
		     "\"default_action\":\"terminate\",\"code\":\"kill\",\"si_code\":0,\"fatal\":true}\n");
	d.action = PL_ACT_HANDLER;
	d.sig = 10;
	d.h.flags = 0;
	ASSERT_STREQ(render(&text, &d), TIME_TEXT "deliver     9       1       sleep            " CT_COL "SIGUSR1 handler\n");
}

static void test_rename(void)
{
	struct pl_rename r = {};

	synth_hdr(&r.h, PL_EV_RENAME, 9, 1, "python3");
	strcpy(r.new_comm, "worker\x1b");
	ASSERT_STREQ(render(&text, &r), TIME_TEXT "rename      9       1       python3          " CT_COL "renamed to worker\\x1b\n");
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
	ASSERT_STREQ(outbuf__cstr(&ob), "TIME         EVENT       PID     PPID    COMM             CONTAINER           DETAILS\n");
	outbuf__reset(&ob);
	json.header(&json);
	ASSERT_STREQ(outbuf__cstr(&ob), "");
}

static void test_comm_escaped(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "\x1b]0;x\x07\xff\"");
	ASSERT_STREQ(render(&text, &x), TIME_TEXT "exit        9       1       \\x1b]0;x\\x07\\xff\" " CT_COL "exit 0\n");
	ASSERT_STREQ(render(&json, &x),
		     JSON_HDR("exit", "9", "1", "\\u001b]0;x\\u0007\xef\xbf\xbd\\\"") ",\"exit_code\":0,\"term_signal\":null,"
		     "\"core_dumped\":false,\"status\":0,\"killed_by\":null,\"thread\":false," "\"runtime_ns\":null,\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null}\n");
}

#define CT_ID "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2"

/*
 * A container's process: the column (a name cut to 19 columns with '~', escaped; a container not
 * named: runtime:short id), the JSON object; a signal into it from the host says so.
 */
static void test_container(void)
{
	struct ctreg *reg = ctreg__new();
	struct ct_info ci = { .runtime = CT_RT_DOCKER, .kind = CT_KIND_CONTAINER, .id = CT_ID,
			      .name = "\x1b]0;x\x07" "a-very-long-name", .image = "bb:1" };
	struct pl_signal sig = {};
	struct pl_fork f = {};

	ctreg__learn_cgroup(reg, CTREG_V2, 50, "/docker/" CT_ID);
	ctreg__learn_cgroup(reg, CTREG_V2, 1, "/");
	text.ct = json.ct = reg;
	synth_hdr(&f.h, PL_EV_FORK, 100, 1, "sh");
	f.h.cgroup_id = 50;
	f.child_pid = f.child_tid = 101;
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       sh               docker:4b5e57f6eb2f child 101\n");
	ctreg__learn_container(reg, "/docker/" CT_ID, &ci, NULL);
	ASSERT_STREQ(render(&text, &f), TIME_TEXT "fork        100     1       sh               \\x1b]0;x\\x07a-very~ child 101\n");
	ASSERT_STREQ(render(&json, &f), "{\"event\":\"fork\",\"time\":\"2026-01-02T03:04:05.123456789Z\",\"pid\":100,"
		     "\"tid\":100,\"ppid\":1,\"uid\":0,\"gid\":0,\"comm\":\"sh\",\"cpu\":0,\"cgroup_id\":50,"
		     "\"pidns\":4026531836,\"ns_pid\":100,\"ktime_ns\":1000123456789,\"cgroup\":\"/docker/" CT_ID "\","
		     "\"container\":{\"runtime\":\"docker\",\"id\":\"" CT_ID "\",\"name\":\"\\u001b]0;x\\u0007"
		     "a-very-long-name\",\"image\":\"bb:1\",\"pod\":null,\"namespace\":null,\"pod_uid\":null,"
		     "\"container\":null},\"child\":101,\"child_tid\":101,\"child_ppid\":0,\"thread\":false}\n");
	/* From the host into it: the target's container as the model has it. */
	{
		struct model_config mc = {};
		struct model *m = model__new(&mc);

		f.h.pid = f.h.tid = 1;
		f.h.ppid = 0;
		model__apply(m, &f); /* 101 is born in the container */
		text.model = json.model = m;
		synth_hdr(&sig.h, PL_EV_SIGNAL, 1, 0, "init");
		sig.h.cgroup_id = 1;
		sig.sig = 15;
		sig.target_pid = sig.target_tid = 101;
		sig.syscall = PL_SYS_KILL;
		sig.info_kind = PL_INFO_SIGINFO;
		memcpy(sig.target_comm, "sh", 3);
		ASSERT_TRUE(strstr(render(&text, &sig), "SIGTERM -> 101 (sh) in \\x1b]0;x\\x07a-very~ delivered"));
		ASSERT_TRUE(strstr(render(&json, &sig), ",\"crosses_container\":true}"));
		text.model = json.model = NULL;
		model__free(m);
	}
	text.ct = json.ct = NULL;
	ctreg__free(reg);
}

int main(void)
{
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
	RUN_TEST(test_comm_escaped);
	RUN_TEST(test_container);
	outbuf__free(&ob);
	return tl_finish();
}

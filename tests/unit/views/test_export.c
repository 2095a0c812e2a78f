// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests of the export modules (export_perfetto, export_dot), fed with
 * synthetic records and derived events: the exact events and nodes a
 * process's life becomes, JSON that stays valid (checked by a strict
 * parser below) and DOT that stays quoted whatever bytes a process chose.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/escape.h"
#include "base/outbuf.h"
#include "kernel/procfs.h"
#include "views/export_dot.h"
#include "views/export_perfetto.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define O SYNTH_BOOT_NS /* the recording's start */
#define US 1000ull

/* ---- a strict JSON checker (RFC 8259): the whole text one value, strings valid UTF-8 ---- */

struct jp {
	const char *p, *end;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static bool jp_lit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

static bool jp_hex4(struct jp *j)
{
	for (int i = 0; i < 4; i++, j->p++)
		if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
			return false;
	return true;
}

static bool jp_string(struct jp *j)
{
	const char *start;

	if (j->p >= j->end || *j->p != '"')
		return false;
	start = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				j->p++;
				if (!jp_hex4(j))
					return false;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *j->p) || !*j->p)
				return false;
		}
		j->p++;
	}
	if (j->p >= j->end || !escape__is_valid_utf8(start, j->p - start))
		return false;
	j->p++;
	return true;
}

static bool jp_digits(struct jp *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool jp_number(struct jp *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!jp_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jp_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jp_digits(j))
			return false;
	}
	return true;
}

static bool jp_value(struct jp *j);

static bool jp_container(struct jp *j, char close, bool object)
{
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		jp_ws(j);
		if (object) {
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return true;
		}
		return false;
	}
}

static bool jp_value(struct jp *j)
{
	bool ok;

	jp_ws(j);
	if (j->p >= j->end || ++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{':
		ok = jp_container(j, '}', true);
		break;
	case '[':
		ok = jp_container(j, ']', false);
		break;
	case '"':
		ok = jp_string(j);
		break;
	case 't':
		ok = jp_lit(j, "true");
		break;
	case 'f':
		ok = jp_lit(j, "false");
		break;
	case 'n':
		ok = jp_lit(j, "null");
		break;
	default:
		ok = jp_number(j);
	}
	j->depth--;
	return ok;
}

static bool json_valid(const char *s, size_t n)
{
	struct jp j = { .p = s, .end = s + n };

	if (!jp_value(&j))
		return false;
	jp_ws(&j);
	return j.p == j.end;
}

/* The checker itself: what it must refuse. */
static void test_json_checker(void)
{
	static const char *const good[] = { "{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\"]}", "\"\xc3\xa9\"" };
	static const char *const bad[] = { "{", "{\"a\":}", "[1,]", "\"\x01\"", "\"\xff\"", "01", "{\"a\" 1}", "[]x",
					   "\"\\x\"", "NaN", "1.", "\"\\u12\"" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!json_valid(good[i], strlen(good[i])))
			FAILF("refused valid JSON %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_valid(bad[i], strlen(bad[i])))
			FAILF("accepted invalid JSON %s", bad[i]);
}

/* ---- feeding the modules ---- */

struct sink {
	struct outbuf ob;
	struct perfetto *pf;
	struct dot *dot;
};

static void sink_perfetto(struct sink *s, __u32 only_pid, bool kthreads)
{
	struct perfetto_opts o = { .origin_ns = O, .wall_offset_ns = SYNTH_EPOCH * 1000000000LL - (long long)O,
				   .only_pid = only_pid, .kthreads = kthreads };

	memset(s, 0, sizeof(*s));
	outbuf__init(&s->ob, -1, 0);
	if (perfetto__new(&s->ob, &o, &s->pf))
		FAILF("perfetto__new failed");
}

static void sink_dot(struct sink *s, __u32 only_pid, bool kthreads)
{
	struct dot_opts o = { .only_pid = only_pid, .kthreads = kthreads };

	memset(s, 0, sizeof(*s));
	outbuf__init(&s->ob, -1, 0);
	if (dot__new(&s->ob, &o, &s->dot))
		FAILF("dot__new failed");
}

static void rec(struct sink *s, const void *r)
{
	if (s->pf)
		perfetto__record(s->pf, r);
	else
		dot__record(s->dot, r);
}

static void derived(struct sink *s, const struct derived_event *d)
{
	if (s->pf)
		perfetto__derived(s->pf, d);
	else
		dot__derived(s->dot, d);
}

/* The whole output, once finished at end. */
static const char *finish(struct sink *s, __u64 end)
{
	int r = s->pf ? perfetto__finish(s->pf, end) : dot__finish(s->dot);

	ASSERT_EQ(r, 0);
	return outbuf__cstr(&s->ob);
}

static void sink_free(struct sink *s)
{
	perfetto__free(s->pf);
	dot__free(s->dot);
	outbuf__free(&s->ob);
}

/* A process is (pid, start): here start is pid microseconds before the recording, unless said. */
static __u64 start_of(__u32 pid)
{
	return O - 1000000000ull + pid * US;
}

static void hdr(struct pl_hdr *h, unsigned type, __u32 pid, __u32 ppid, __u64 ts, const char *comm)
{
	synth_hdr(h, type, pid, ppid, comm);
	h->start_ns = start_of(pid);
	h->ts = ts;
}

static void ev_fork(struct sink *s, __u32 parent, __u32 pparent, const char *comm, __u32 child, __u64 ts)
{
	struct pl_fork f = {};

	hdr(&f.h, PL_EV_FORK, parent, pparent, ts, comm);
	f.child_pid = f.child_tid = child;
	f.child_start_ns = start_of(child);
	f.child_ppid = parent;
	rec(s, &f);
}

/* argv: NUL-separated, argv_len bytes. */
static void ev_exec(struct sink *s, __u32 pid, __u32 ppid, const char *comm, __u64 ts, const char *filename,
		    const char *argv, size_t argv_len)
{
	union {
		struct pl_exec e;
		char buf[sizeof(struct pl_exec) + 512];
	} u;
	size_t fl = strlen(filename) + 1;

	memset(&u, 0, sizeof(u));
	hdr(&u.e.h, PL_EV_EXEC, pid, ppid, ts, comm);
	memcpy(u.e.data, filename, fl);
	memcpy(u.e.data + fl, argv, argv_len);
	u.e.filename_len = fl;
	u.e.args_len = u.e.args_size = argv_len;
	u.e.old_tid = pid;
	rec(s, &u.e);
}

static void ev_signal(struct sink *s, __u32 from, __u32 from_ppid, const char *from_comm, __u32 to, int sig,
		      __u64 ts)
{
	struct pl_signal g = {};

	hdr(&g.h, PL_EV_SIGNAL, from, from_ppid, ts, from_comm);
	g.sig = sig;
	g.target_pid = g.target_tid = to;
	g.result = PL_SIG_DELIVERED;
	g.syscall = PL_SYS_KILL;
	rec(s, &g);
}

static void ev_exit(struct sink *s, __u32 pid, __u32 ppid, const char *comm, __u64 ts, __u32 status,
		    __u32 killer, const char *killer_comm)
{
	struct pl_exit e = {};

	hdr(&e.h, PL_EV_EXIT, pid, ppid, ts, comm);
	e.status = status;
	if (killer) {
		e.killer.sig = status & 0x7f;
		e.killer.pid = e.killer.tid = killer;
		e.killer.syscall = PL_SYS_KILL;
		memcpy(e.killer.comm, killer_comm, strlen(killer_comm));
	}
	rec(s, &e);
}

static void ev_reap(struct sink *s, __u32 pid, __u32 ppid, const char *comm, __u64 exit_ts, __u64 ts,
		    __u32 status, __u32 reaper, const char *reaper_comm)
{
	struct pl_reap r = {};

	hdr(&r.h, PL_EV_REAP, pid, ppid, ts, comm);
	r.h.flags = PL_F_REAP_WAIT;
	r.exit_ts = exit_ts;
	r.status = status;
	r.reaper_pid = r.reaper_tid = reaper;
	memcpy(r.reaper_comm, reaper_comm, strlen(reaper_comm));
	rec(s, &r);
}

/* What the model hands with a derived event: the process as it knows it. */
static struct proc proc_of(__u32 pid, const char *comm)
{
	struct proc p = { .pid = pid, .start_ns = start_of(pid) };

	memcpy(p.comm, comm, strnlen(comm, PL_COMM_LEN));
	return p;
}

static void ev_derived(struct sink *s, enum derived_type type, __u32 pid, const char *comm, __u64 ts, int sig)
{
	struct proc p = proc_of(pid, comm);
	struct derived_event d = { .type = type, .ts = ts, .p = &p, .sig = sig };

	derived(s, &d);
}

/* A process of the snapshot, known to the clock tick as /proc says, with a cmdline. */
static void existing(struct sink *s, __u32 pid, __u32 ppid, const char *comm, const char *cmdline, size_t len,
		     __u8 state, __u8 flags)
{
	struct proc p = proc_of(pid, comm);
	struct proc_exec *x = NULL;

	p.ppid = ppid;
	p.state = state;
	p.flags = PROC_F_SCANNED | PROC_F_START_TICKS | flags;
	p.start_ns -= p.start_ns % procfs__tick_ns();
	if (cmdline) {
		x = calloc(1, sizeof(*x) + 1 + len);
		x->filename_len = 1;
		x->args_len = len;
		memcpy(x->data + 1, cmdline, len);
		p.execs = x;
	}
	if (s->pf)
		perfetto__existing(s->pf, &p);
	else
		dot__existing(s->dot, &p);
	free(x);
}

/* The output has this line (an event: "," ends every line but the last one's). */
static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)); p += n) {
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || (p[n] == ',' && p[n + 1] == '\n')))
			return true;
	}
	return false;
}

#define ASSERT_LINE(out, line) \
	((has_line(out, line)) ? true : (FAILF("no line\n    %s\n  in\n%s", line, out), false))

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static size_t count(const char *out, const char *needle)
{
	size_t n = 0;

	for (const char *p = out; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * bash (100, from the snapshot) forks 200, which execs sh then sleep, is
 * stopped, continued and killed by SIGTERM from bash, which reaps it; then
 * bash forks 300, which exits 3 and is left a zombie. The recording ends
 * at +10 us.
 */
static void life_scenario(struct sink *s)
{
	static const char bash_cmd[] = "bash\0-i", sh_argv[] = "sh\0-c\0exec sleep 9", sleep_argv[] = "sleep\0009";

	existing(s, 100, 1, "bash", bash_cmd, sizeof(bash_cmd), PROC_RUNNING, 0);
	/* The first event about bash has its exact start: still the same process. */
	ev_fork(s, 100, 1, "bash", 200, O + 1 * US);
	ev_exec(s, 200, 100, "sh", O + 2 * US, "/bin/sh", sh_argv, sizeof(sh_argv));
	ev_exec(s, 200, 100, "sleep", O + 3 * US, "/usr/bin/sleep", sleep_argv, sizeof(sleep_argv));
	ev_signal(s, 100, 1, "bash", 200, SIGSTOP, O + 4 * US);
	ev_derived(s, DV_STOP, 200, "sleep", O + 4 * US, SIGSTOP);
	ev_signal(s, 100, 1, "bash", 200, SIGCONT, O + 5 * US);
	ev_derived(s, DV_CONTINUE, 200, "sleep", O + 5 * US, SIGCONT);
	ev_signal(s, 100, 1, "bash", 200, SIGTERM, O + 6 * US);
	ev_exit(s, 200, 100, "sleep", O + 7 * US, SIGTERM, 100, "bash");
	ev_reap(s, 200, 100, "sleep", O + 7 * US, O + 8 * US, SIGTERM, 100, "bash");
	ev_fork(s, 100, 1, "bash", 300, O + 8500);
	ev_exit(s, 300, 100, "bash", O + 9 * US, 3 << 8, 0, NULL);
}

static const char *const life_events[] = {
	/* bash, from before the recording to its end, still running */
	"{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":0.000,\"dur\":10.000,\"cat\":\"life\",\"name\":\"bash\",\"args\":{\"pid\":100,\"ppid\":1,\"origin\":\"before the recording\",\"argv\":[\"bash\",\"-i\"],\"state\":\"running\"}}",
	/* the fork: an instant on bash, a flow from it to the child's first slice */
	"{\"ph\":\"i\",\"pid\":100,\"tid\":100,\"ts\":1.000,\"s\":\"t\",\"cat\":\"fork\",\"name\":\"fork\",\"args\":{\"child_pid\":200}}",
	"{\"ph\":\"s\",\"pid\":100,\"tid\":100,\"ts\":1.000,\"cat\":\"fork\",\"name\":\"fork\",\"id\":1}",
	"{\"ph\":\"f\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"bp\":\"e\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":1}",
	/* 200's life in three slices, split at each exec, then zombie until the reap */
	"{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"dur\":1.000,\"cat\":\"fork\",\"name\":\"bash (forked)\",\"args\":{\"pid\":200,\"ppid\":100}}",
	"{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":2.000,\"dur\":1.000,\"cat\":\"exec\",\"name\":\"sh\",\"args\":{\"pid\":200,\"ppid\":100,\"filename\":\"/bin/sh\",\"argv\":[\"sh\",\"-c\",\"exec sleep 9\"]}}",
	"{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":3.000,\"dur\":4.000,\"cat\":\"exec\",\"name\":\"sleep\",\"args\":{\"pid\":200,\"ppid\":100,\"filename\":\"/usr/bin/sleep\",\"argv\":[\"sleep\",\"9\"]}}",
	"{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":7.000,\"dur\":1.000,\"cat\":\"zombie\",\"name\":\"zombie\",\"args\":{\"pid\":200,\"status\":15,\"exit_code\":null,\"term_signal\":15,\"signame\":\"SIGTERM\",\"core_dumped\":false}}",
	/* signals received, stop, continue, exit, reap */
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":4.000,\"s\":\"t\",\"cat\":\"signal\",\"name\":\"SIGSTOP\",\"args\":{\"signal\":\"SIGSTOP\",\"sig\":19,\"from_pid\":100,\"from_comm\":\"bash\",\"result\":\"delivered\",\"how\":\"kill\"}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":4.000,\"s\":\"t\",\"cat\":\"state\",\"name\":\"stopped\",\"args\":{\"signal\":\"SIGSTOP\"}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":5.000,\"s\":\"t\",\"cat\":\"signal\",\"name\":\"SIGCONT\",\"args\":{\"signal\":\"SIGCONT\",\"sig\":18,\"from_pid\":100,\"from_comm\":\"bash\",\"result\":\"delivered\",\"how\":\"kill\"}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":5.000,\"s\":\"t\",\"cat\":\"state\",\"name\":\"continued\",\"args\":{\"signal\":\"SIGCONT\"}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":6.000,\"s\":\"t\",\"cat\":\"signal\",\"name\":\"SIGTERM\",\"args\":{\"signal\":\"SIGTERM\",\"sig\":15,\"from_pid\":100,\"from_comm\":\"bash\",\"result\":\"delivered\",\"how\":\"kill\"}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":7.000,\"s\":\"t\",\"cat\":\"exit\",\"name\":\"killed by SIGTERM\",\"args\":{\"status\":15,\"exit_code\":null,\"term_signal\":15,\"signame\":\"SIGTERM\",\"core_dumped\":false,\"killed_by\":{\"pid\":100,\"comm\":\"bash\",\"signal\":\"SIGTERM\",\"how\":\"kill\"}}}",
	"{\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":8.000,\"s\":\"t\",\"cat\":\"reap\",\"name\":\"reaped by 100\",\"args\":{\"reaper_pid\":100,\"reaper_comm\":\"bash\",\"how\":\"wait\"}}",
	/* each track named "PID comm" with its last comm, once */
	"{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_name\",\"args\":{\"name\":\"200 sleep\"}}",
	"{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"thread_name\",\"args\":{\"name\":\"200 sleep\"}}",
	"{\"ph\":\"M\",\"pid\":100,\"tid\":100,\"name\":\"process_name\",\"args\":{\"name\":\"100 bash\"}}",
	"{\"ph\":\"M\",\"pid\":100,\"tid\":100,\"name\":\"thread_name\",\"args\":{\"name\":\"100 bash\"}}",
	/* 300: forked, exit 3, a zombie when the recording ends */
	"{\"ph\":\"i\",\"pid\":100,\"tid\":100,\"ts\":8.500,\"s\":\"t\",\"cat\":\"fork\",\"name\":\"fork\",\"args\":{\"child_pid\":300}}",
	"{\"ph\":\"s\",\"pid\":100,\"tid\":100,\"ts\":8.500,\"cat\":\"fork\",\"name\":\"fork\",\"id\":2}",
	"{\"ph\":\"f\",\"pid\":300,\"tid\":300,\"ts\":8.500,\"bp\":\"e\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":2}",
	"{\"ph\":\"X\",\"pid\":300,\"tid\":300,\"ts\":8.500,\"dur\":0.500,\"cat\":\"fork\",\"name\":\"bash (forked)\",\"args\":{\"pid\":300,\"ppid\":100}}",
	"{\"ph\":\"i\",\"pid\":300,\"tid\":300,\"ts\":9.000,\"s\":\"t\",\"cat\":\"exit\",\"name\":\"exit 3\",\"args\":{\"status\":768,\"exit_code\":3,\"term_signal\":null,\"signame\":null,\"core_dumped\":false,\"killed_by\":null}}",
	"{\"ph\":\"X\",\"pid\":300,\"tid\":300,\"ts\":9.000,\"dur\":1.000,\"cat\":\"zombie\",\"name\":\"zombie\",\"args\":{\"pid\":300,\"status\":768,\"exit_code\":3,\"term_signal\":null,\"signame\":null,\"core_dumped\":false,\"state\":\"zombie\"}}",
	"{\"ph\":\"M\",\"pid\":300,\"tid\":300,\"name\":\"process_name\",\"args\":{\"name\":\"300 bash\"}}",
	"{\"ph\":\"M\",\"pid\":300,\"tid\":300,\"name\":\"thread_name\",\"args\":{\"name\":\"300 bash\"}}",
	/* tree order */
	"{\"ph\":\"M\",\"pid\":100,\"tid\":100,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}}",
	"{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":1}}",
	"{\"ph\":\"M\",\"pid\":300,\"tid\":300,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":2}}",
};

static void test_perfetto_life(void)
{
	struct sink s;
	const char *out;
	size_t n = sizeof(life_events) / sizeof(life_events[0]);

	sink_perfetto(&s, 0, false);
	life_scenario(&s);
	out = finish(&s, O + 10 * US);
	ASSERT_TRUE(json_valid(out, strlen(out)));
	ASSERT_TRUE(starts_with(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"proclife export\","
				     "\"recording_start\":\"2026-01-02T03:04:05.000000000Z\",\"recording_start_boot_ns\":1000000000000,"));
	for (size_t i = 0; i < n; i++)
		ASSERT_LINE(out, life_events[i]);
	/* Nothing else: one line per event, plus the head and the tail. */
	ASSERT_EQ(count(out, "\n{\"ph\""), n);
	ASSERT_TRUE(strlen(out) > 5 && !strcmp(out + strlen(out) - 4, "\n]}\n"));
	sink_free(&s);
}

/* Comm and argv with escapes, C0/C1 controls, DEL, quotes, backslashes, invalid UTF-8. */
static void test_perfetto_hostile(void)
{
	static const char comm[] = "\x1b]0;x\x07\"\\\xff";
	static const char argv[] = "\xc2\x9b" "31m\0\n\t\x7f\0\xe2\x82\0ok\xc3\xa9";
	struct sink s;
	const char *out;

	sink_perfetto(&s, 0, false);
	ev_fork(&s, 100, 1, comm, 200, O + 1 * US);
	ev_exec(&s, 200, 100, comm, O + 2 * US, "/tmp/\x1b[2J\"evil\\", argv, sizeof(argv));
	ev_exit(&s, 200, 100, comm, O + 3 * US, 0, 0, NULL);
	out = finish(&s, O + 4 * US);
	if (!ASSERT_TRUE(json_valid(out, strlen(out))))
		printf("%s\n", out);
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"dur\":1.000,\"cat\":\"fork\",\"name\":\"\\u001b]0;x\\u0007\\\"\\\\\xef\xbf\xbd (forked)\",\"args\":{\"pid\":200,\"ppid\":100}}");
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":2.000,\"dur\":1.000,\"cat\":\"exec\",\"name\":\"\\u001b[2J\\\"evil\\\\\",\"args\":{\"pid\":200,\"ppid\":100,\"filename\":\"/tmp/\\u001b[2J\\\"evil\\\\\",\"argv\":[\"\\u009b31m\",\"\\n\\t\\u007f\",\"\xef\xbf\xbd\xef\xbf\xbd\",\"ok\xc3\xa9\"]}}");
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_name\",\"args\":{\"name\":\"200 \\u001b]0;x\\u0007\\\"\\\\\xef\xbf\xbd\"}}");
	sink_free(&s);
}

/* A pid used again is another process: another track, a synthetic JSON pid, its real pid in its name. */
static void test_perfetto_pid_reuse(void)
{
	struct sink s;
	const char *out;
	struct pl_fork f = {};

	sink_perfetto(&s, 0, false);
	ev_fork(&s, 100, 1, "sh", 200, O + 1 * US);
	ev_exit(&s, 200, 100, "sh", O + 2 * US, 0, 0, NULL);
	ev_reap(&s, 200, 100, "sh", O + 2 * US, O + 3 * US, 0, 100, "sh");
	hdr(&f.h, PL_EV_FORK, 100, 1, O + 4 * US, "sh");
	f.child_pid = f.child_tid = 200;
	f.child_start_ns = O + 4 * US;
	f.child_ppid = 100;
	rec(&s, &f);
	out = finish(&s, O + 5 * US);
	ASSERT_TRUE(json_valid(out, strlen(out)));
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_name\",\"args\":{\"name\":\"200 sh\"}}");
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":4194304,\"tid\":4194304,\"ts\":4.000,\"dur\":1.000,\"cat\":\"fork\",\"name\":\"sh (forked)\",\"args\":{\"pid\":200,\"ppid\":100,\"state\":\"running\"}}");
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":4194304,\"tid\":4194304,\"name\":\"process_name\",\"args\":{\"name\":\"200 sh\"}}");
	ASSERT_LINE(out, "{\"ph\":\"f\",\"pid\":4194304,\"tid\":4194304,\"ts\":4.000,\"bp\":\"e\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":2}");
	ASSERT_EQ(count(out, "\"name\":\"process_name\""), 3);
	sink_free(&s);
}

/* 100 forks 200 and 300, then 200 forks 400: depth first is 100 200 400 300, whatever the birth order. */
static void tree_scenario(struct sink *s)
{
	ev_fork(s, 100, 1, "a", 200, O + 1 * US);
	ev_fork(s, 100, 1, "a", 300, O + 2 * US);
	ev_fork(s, 200, 100, "a", 400, O + 3 * US);
}

static void test_perfetto_tree_order(void)
{
	static const __u32 order[] = { 100, 200, 400, 300 };
	struct sink s;
	const char *out;
	char line[256];

	sink_perfetto(&s, 0, false);
	tree_scenario(&s);
	out = finish(&s, O + 4 * US);
	for (size_t i = 0; i < 4; i++) {
		snprintf(line, sizeof(line),
			 "{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":%zu}}",
			 order[i], order[i], i);
		ASSERT_LINE(out, line);
	}
	ASSERT_EQ(count(out, "process_sort_index"), 4);
	/* 100 was first seen forking: its birth was not seen, its slice starts at its start time (known exactly). */
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":0.000,\"dur\":4.000,\"cat\":\"life\",\"name\":\"a\",\"args\":{\"pid\":100,\"ppid\":1,\"origin\":\"birth not seen\",\"state\":\"running\"}}");
	sink_free(&s);
}

/* -p 200: 200 and what it forks; nothing of 100 or 300. */
static void test_perfetto_only_pid(void)
{
	struct sink s;
	const char *out;

	sink_perfetto(&s, 200, false);
	tree_scenario(&s);
	out = finish(&s, O + 4 * US);
	ASSERT_TRUE(json_valid(out, strlen(out)));
	ASSERT_EQ(count(out, "\"name\":\"process_name\""), 2);
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_name\",\"args\":{\"name\":\"200 a\"}}");
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":400,\"tid\":400,\"name\":\"process_name\",\"args\":{\"name\":\"400 a\"}}");
	ASSERT_EQ(count(out, "\"pid\":100,"), 0);
	ASSERT_EQ(count(out, "\"pid\":300,"), 0);
	/* 200's parent is not shown: 200 is a root, no flow to it; 400's flow comes from 200. */
	ASSERT_EQ(count(out, "\"ph\":\"s\""), 1);
	ASSERT_LINE(out, "{\"ph\":\"M\",\"pid\":200,\"tid\":200,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}}");
	sink_free(&s);
}

/* Kernel threads and what they fork are left out unless asked for; a usermode helper that execs is shown. */
static void test_perfetto_kthreads(void)
{
	static const char modprobe[] = "/sbin/modprobe\0-q";
	struct sink s;
	const char *out;

	for (int with = 0; with < 2; with++) {
		sink_perfetto(&s, 0, with);
		existing(&s, 2, 0, "kthreadd", NULL, 0, PROC_RUNNING, PROC_F_KTHREAD);
		ev_fork(&s, 2, 0, "kthreadd", 500, O + 1 * US);
		ev_fork(&s, 2, 0, "kthreadd", 600, O + 2 * US);
		ev_exec(&s, 600, 2, "modprobe", O + 3 * US, "/sbin/modprobe", modprobe, sizeof(modprobe));
		out = finish(&s, O + 4 * US);
		ASSERT_EQ(count(out, "\"name\":\"process_name\""), with ? 3 : 1);
		ASSERT_EQ(count(out, "\"args\":{\"name\":\"2 kthreadd\"}"), with ? 2 : 0);
		ASSERT_EQ(count(out, "\"args\":{\"name\":\"600 modprobe\"}"), 2);
		sink_free(&s);
	}
}

/* The snapshot saw a process whose fork event comes after it (forked during the scan): one track, born at the fork. */
static void test_perfetto_snapshot_race(void)
{
	struct sink s;
	const char *out;

	sink_perfetto(&s, 0, false);
	existing(&s, 100, 1, "sh", NULL, 0, PROC_RUNNING, 0);
	existing(&s, 200, 100, "sh", NULL, 0, PROC_RUNNING, 0);
	ev_fork(&s, 100, 1, "sh", 200, O + 1 * US);
	out = finish(&s, O + 2 * US);
	ASSERT_EQ(count(out, "\"name\":\"process_name\""), 2);
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"dur\":1.000,\"cat\":\"fork\",\"name\":\"sh (forked)\",\"args\":{\"pid\":200,\"ppid\":100,\"state\":\"running\"}}");
	ASSERT_EQ(count(out, "\"pid\":200,\"tid\":200,\"ts\":0.000"), 0);
	sink_free(&s);
}

/* A pid seen with another start time: the process we knew ended unseen (events were lost). */
static void test_perfetto_vanished(void)
{
	struct sink s;
	const char *out;
	struct pl_signal g = {};

	sink_perfetto(&s, 0, false);
	ev_fork(&s, 100, 1, "sh", 200, O + 1 * US);
	hdr(&g.h, PL_EV_SIGNAL, 200, 1, O + 3 * US, "other");
	g.h.start_ns = O + 2 * US;
	g.sig = SIGUSR1;
	g.target_pid = 100;
	rec(&s, &g);
	out = finish(&s, O + 4 * US);
	ASSERT_TRUE(json_valid(out, strlen(out)));
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"dur\":2.000,\"cat\":\"fork\",\"name\":\"sh (forked)\",\"args\":{\"pid\":200,\"ppid\":100,\"state\":\"ended unseen\"}}");
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":4194304,\"tid\":4194304,\"ts\":2.000,\"dur\":2.000,\"cat\":\"life\",\"name\":\"other\",\"args\":{\"pid\":200,\"ppid\":1,\"origin\":\"birth not seen\",\"state\":\"running\"}}");
	sink_free(&s);
}

/* A model that knows only pid 100, as /proc showed it (what a resync leaves). */
static struct model *model_with_100(void)
{
	struct model_config cfg = {};
	struct model *m = model__new(&cfg);
	struct proc_snapshot snap = { .pid = 100, .ppid = 1, .state = 'S', .comm = "sh" };

	snap.start_ns = start_of(100) - start_of(100) % procfs__tick_ns();
	model__reconcile(m, &snap, 1, O, NULL);
	return m;
}

/* After a resync, what the model no longer has ended unseen, then and there. */
static void test_resync(void)
{
	struct model *m = model_with_100();
	struct sink s;
	const char *out;

	sink_perfetto(&s, 0, false);
	ev_fork(&s, 100, 1, "sh", 200, O + 1 * US);
	perfetto__resync(s.pf, m, O + 3 * US);
	out = finish(&s, O + 4 * US);
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":200,\"tid\":200,\"ts\":1.000,\"dur\":2.000,\"cat\":\"fork\",\"name\":\"sh (forked)\",\"args\":{\"pid\":200,\"ppid\":100,\"state\":\"ended unseen\"}}");
	ASSERT_LINE(out, "{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":0.000,\"dur\":4.000,\"cat\":\"life\",\"name\":\"sh\",\"args\":{\"pid\":100,\"ppid\":1,\"origin\":\"birth not seen\",\"state\":\"running\"}}");
	sink_free(&s);

	sink_dot(&s, 0, false);
	ev_fork(&s, 100, 1, "sh", 200, O + 1 * US);
	dot__resync(s.dot, m);
	out = finish(&s, O + 4 * US);
	ASSERT_STREQ(out, "digraph proclife {\n"
			  "\tgraph [rankdir=LR];\n"
			  "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
			  "\tp100_1 -> p200_2;\n"
			  "\tp200_2 [label=\"200 sh\\nended unseen\", style=\"dotted\", color=\"grey\"];\n"
			  "\tp100_1 [label=\"100 sh\\nrunning\", style=\"solid\"];\n"
			  "}\n");
	sink_free(&s);
	model__free(m);
}

/* ---- DOT ---- */

static void test_dot_escape(void)
{
	static const char s[] = "a\"b\\c\n\x1b[31m\xff\xc3\xa9";
	struct outbuf ob, scratch;

	outbuf__init(&ob, -1, 0);
	outbuf__init(&scratch, -1, 0);
	dot__escape(&ob, &scratch, s, sizeof(s) - 1);
	ASSERT_STREQ(outbuf__cstr(&ob), "a\\\"b\\\\\\\\c\\\\n\\\\x1b[31m\\\\xff\xc3\xa9");
	outbuf__free(&ob);
	outbuf__free(&scratch);
}

static void test_dot_life(void)
{
	struct sink s;
	const char *out;

	sink_dot(&s, 0, false);
	life_scenario(&s);
	out = finish(&s, O + 10 * US);
	ASSERT_STREQ(out, "digraph proclife {\n"
			  "\tgraph [rankdir=LR];\n"
			  "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
			  "\tp100_1 -> p200_2;\n"
			  "\tp200_2 [label=\"200 sleep\\nsleep 9\\nkilled by SIGTERM\", style=\"dotted\", color=\"red\", penwidth=2];\n"
			  "\tp100_1 -> p300_3;\n"
			  "\tp100_1 [label=\"100 bash\\nbash -i\\nrunning\", style=\"solid\"];\n"
			  "\tp300_3 [label=\"300 bash\\nzombie: exit 3\", style=\"filled\", fillcolor=\"grey\", color=\"red\"];\n"
			  "}\n");
	sink_free(&s);
}

/* Stopped at the end; orphaned and adopted; reaped after exit 0; hostile strings in a label. */
static void test_dot_states(void)
{
	static const char argv[] = "x\0\"q\\\n\x1b\xff";
	struct sink s;
	struct proc p = proc_of(400, "a"), adopter = proc_of(1, "init");
	struct derived_event d = { .type = DV_REPARENT, .ts = O + 6 * US, .p = &p, .parent = &adopter,
				   .old_parent = 200, .new_parent = 1 };
	const char *out;

	sink_dot(&s, 0, false);
	existing(&s, 1, 0, "init", NULL, 0, PROC_RUNNING, 0);
	existing(&s, 100, 1, "a", NULL, 0, PROC_RUNNING, 0);
	tree_scenario(&s);
	ev_derived(&s, DV_STOP, 300, "a", O + 4 * US, SIGTSTP);
	ev_exec(&s, 400, 200, "\"x\x1b", O + 4 * US, "/bin/x", argv, sizeof(argv));
	ev_exit(&s, 200, 100, "a", O + 5 * US, 0, 0, NULL);
	derived(&s, &d);
	ev_reap(&s, 200, 100, "a", O + 5 * US, O + 7 * US, 0, 100, "a");
	out = finish(&s, O + 8 * US);
	ASSERT_STREQ(out, "digraph proclife {\n"
			  "\tgraph [rankdir=LR];\n"
			  "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
			  "\tp1_1 -> p100_2;\n"
			  "\tp100_2 -> p200_3;\n"
			  "\tp100_2 -> p300_4;\n"
			  "\tp200_3 -> p400_5;\n"
			  "\tp1_1 -> p400_5 [style=dashed, label=\"adopted\"];\n"
			  "\tp200_3 [label=\"200 a\\nexit 0\", style=\"dotted\", color=\"grey\"];\n"
			  "\tp1_1 [label=\"1 init\\nrunning\", style=\"solid\"];\n"
			  "\tp100_2 [label=\"100 a\\nrunning\", style=\"solid\"];\n"
			  "\tp300_4 [label=\"300 a\\nstopped by SIGTSTP\", style=\"dashed,filled\", fillcolor=\"yellow\"];\n"
			  "\tp400_5 [label=\"400 \\\"x\\\\x1b\\nx \\\"\\\\\\\"q\\\\\\\\\\\\n\\\\x1b\\\\xff\\\"\\nrunning\\norphaned: adopted by 1\", style=\"solid\"];\n"
			  "}\n");
	sink_free(&s);
}

static void test_dot_only_pid(void)
{
	struct sink s;
	const char *out;

	sink_dot(&s, 200, false);
	tree_scenario(&s);
	out = finish(&s, O + 4 * US);
	ASSERT_STREQ(out, "digraph proclife {\n"
			  "\tgraph [rankdir=LR];\n"
			  "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
			  "\tp200_1 -> p400_2;\n"
			  "\tp200_1 [label=\"200 a\\nrunning\", style=\"solid\"];\n"
			  "\tp400_2 [label=\"400 a\\nrunning\", style=\"solid\"];\n"
			  "}\n");
	sink_free(&s);
}

int main(void)
{
	tl_init("export");
	RUN_TEST(test_json_checker);
	RUN_TEST(test_perfetto_life);
	RUN_TEST(test_perfetto_hostile);
	RUN_TEST(test_perfetto_pid_reuse);
	RUN_TEST(test_perfetto_tree_order);
	RUN_TEST(test_perfetto_only_pid);
	RUN_TEST(test_perfetto_kthreads);
	RUN_TEST(test_perfetto_snapshot_race);
	RUN_TEST(test_perfetto_vanished);
	RUN_TEST(test_resync);
	RUN_TEST(test_dot_escape);
	RUN_TEST(test_dot_life);
	RUN_TEST(test_dot_states);
	RUN_TEST(test_dot_only_pid);
	return tl_finish();
}

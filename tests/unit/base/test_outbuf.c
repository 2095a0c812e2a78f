/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "base/outbuf.h"

TL_DEFINE_STATE;

/* Read everything from fd until EOF into buf (at most size bytes); returns the count. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t k = read(fd, buf + got, size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void test_memory_growth(void)
{
	struct outbuf ob;
	char expect[3000];
	size_t n = 0;

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 4), 0))
		return;
	ASSERT_EQ(ob.cap, 4);

	/* Byte by byte through the inline fast path and its slow path. */
	for (int i = 0; i < 1000; i++) {
		outbuf__putc(&ob, (char)('a' + i % 26));
		expect[n++] = (char)('a' + i % 26);
	}
	/* A chunk much larger than the current capacity. */
	for (int i = 0; i < 1500; i++)
		expect[n + (size_t)i] = (char)('0' + i % 10);
	outbuf__write(&ob, expect + n, 1500);
	n += 1500;
	outbuf__puts(&ob, "tail");
	memcpy(expect + n, "tail", 4);
	n += 4;

	ASSERT_EQ(ob.len, n);
	ASSERT_GE(ob.cap, n);
	ASSERT_EQ(ob.err, 0);
	ASSERT_MEMEQ(ob.data, expect, n);
	ASSERT_EQ(strlen(outbuf__cstr(&ob)), n);
	/* Memory mode: flush is a no-op and keeps the data. */
	ASSERT_EQ(outbuf__flush(&ob), 0);
	ASSERT_EQ(ob.len, n);

	outbuf__reset(&ob);
	ASSERT_EQ(ob.len, 0);
	ASSERT_STREQ(outbuf__cstr(&ob), "");
	outbuf__puts(&ob, "again");
	ASSERT_STREQ(outbuf__cstr(&ob), "again");
	outbuf__free(&ob);
	ASSERT_TRUE(ob.data == NULL);
	outbuf__free(&ob); /* twice is fine */
}

static void test_printf_memory(void)
{
	struct outbuf ob;
	char big[600];

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 8), 0))
		return;
	outbuf__printf(&ob, "%d-%s", 42, "x");
	ASSERT_STREQ(outbuf__cstr(&ob), "42-x");
	/* Needs to grow in the middle of a printf. */
	memset(big, 'B', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	outbuf__printf(&ob, "[%s]%u", big, 7u);
	ASSERT_EQ(ob.len, 4 + 1 + 599 + 1 + 1);
	ASSERT_TRUE(memcmp(ob.data, "42-x[BBB", 8) == 0);
	ASSERT_TRUE(memcmp(ob.data + ob.len - 3, "B]7", 3) == 0);
	/* Exactly filling the remaining room. */
	outbuf__reset(&ob);
	outbuf__printf(&ob, "%s", "");
	ASSERT_EQ(ob.len, 0);
	outbuf__free(&ob);
}

static const char *fmt_u64(struct outbuf *ob, uint64_t v)
{
	outbuf__reset(ob);
	outbuf__u64(ob, v);
	return outbuf__cstr(ob);
}

static const char *fmt_i64(struct outbuf *ob, int64_t v)
{
	outbuf__reset(ob);
	outbuf__i64(ob, v);
	return outbuf__cstr(ob);
}

static void test_integers(void)
{
	struct outbuf ob;
	char ref[32];

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 2), 0))
		return;
	ASSERT_STREQ(fmt_u64(&ob, 0), "0");
	ASSERT_STREQ(fmt_u64(&ob, 7), "7");
	ASSERT_STREQ(fmt_u64(&ob, 10), "10");
	ASSERT_STREQ(fmt_u64(&ob, 99), "99");
	ASSERT_STREQ(fmt_u64(&ob, 100), "100");
	ASSERT_STREQ(fmt_u64(&ob, 101), "101");
	ASSERT_STREQ(fmt_u64(&ob, 1000000007), "1000000007");
	ASSERT_STREQ(fmt_u64(&ob, UINT64_MAX), "18446744073709551615");
	ASSERT_STREQ(fmt_i64(&ob, 0), "0");
	ASSERT_STREQ(fmt_i64(&ob, -1), "-1");
	ASSERT_STREQ(fmt_i64(&ob, 123), "123");
	ASSERT_STREQ(fmt_i64(&ob, INT64_MAX), "9223372036854775807");
	ASSERT_STREQ(fmt_i64(&ob, INT64_MIN), "-9223372036854775808");

	/* Against printf, on every power of ten and its neighbours. */
	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		for (int d = -1; d <= 1; d++) {
			uint64_t v = p + (uint64_t)(int64_t)d;

			snprintf(ref, sizeof(ref), "%" PRIu64, v);
			if (!ASSERT_STREQ(fmt_u64(&ob, v), ref))
				break;
			snprintf(ref, sizeof(ref), "%" PRId64, -(int64_t)v);
			if (!ASSERT_STREQ(fmt_i64(&ob, -(int64_t)v), ref))
				break;
		}
	}
	outbuf__free(&ob);
}

static void test_flush_pipe(void)
{
	struct outbuf ob;
	char expect[512], got[1024];
	size_t n = 0, k;
	int p[2];

	if (!ASSERT_EQ(pipe(p), 0))
		return;
	if (!ASSERT_EQ(outbuf__init(&ob, p[1], 16), 0))
		return;

#define ADD(s, len) (memcpy(expect + n, (s), (len)), n += (len))
	outbuf__puts(&ob, "hello ");
	ADD("hello ", 6);
	ASSERT_EQ(ob.len, 6); /* still buffered */
	/* Overflows the 16 bytes: the buffered part is written first, order kept. */
	outbuf__puts(&ob, "0123456789AB");
	ADD("0123456789AB", 12);
	ASSERT_EQ(ob.len, 12);
	/* Larger than cap: written through after a flush. */
	outbuf__puts(&ob, "this chunk is longer than sixteen bytes");
	ADD("this chunk is longer than sixteen bytes", 39);
	ASSERT_EQ(ob.len, 0);
	outbuf__putc(&ob, '!');
	ADD("!", 1);
	outbuf__u64(&ob, UINT64_MAX);
	ADD("18446744073709551615", 20);
	outbuf__i64(&ob, INT64_MIN);
	ADD("-9223372036854775808", 20);
	outbuf__printf(&ob, "<%s %d>", "a printf that is longer than the buffer", -5);
	ADD("<a printf that is longer than the buffer -5>", 44);
	outbuf__printf(&ob, "%c%c", 'x', 'y');
	ADD("xy", 2);
	outbuf__write(&ob, "a\0b", 3);
	ADD("a\0b", 3);
#undef ADD

	ASSERT_EQ(outbuf__flush(&ob), 0);
	ASSERT_EQ(ob.len, 0);
	ASSERT_EQ(outbuf__flush(&ob), 0); /* nothing left: no-op */
	ASSERT_EQ(ob.err, 0);
	outbuf__free(&ob);
	close(p[1]);

	k = read_all(p[0], got, sizeof(got));
	close(p[0]);
	ASSERT_EQ(k, n);
	if (k == n)
		ASSERT_MEMEQ(got, expect, n);
}

static void test_epipe(void)
{
	struct outbuf ob;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	if (!ASSERT_EQ(pipe(p), 0))
		return;
	close(p[0]);
	if (!ASSERT_EQ(outbuf__init(&ob, p[1], 16), 0))
		return;

	outbuf__puts(&ob, "hello");
	ASSERT_EQ(ob.err, 0);
	ASSERT_EQ(outbuf__flush(&ob), -EPIPE);
	ASSERT_EQ(ob.err, -EPIPE);
	ASSERT_EQ(ob.len, 0);

	/* Everything after the error is dropped, fast path included. */
	outbuf__putc(&ob, 'x');
	outbuf__puts(&ob, "more");
	outbuf__printf(&ob, "%d", 1);
	outbuf__u64(&ob, 1);
	ASSERT_EQ(ob.len, 0);
	ASSERT_EQ(outbuf__flush(&ob), -EPIPE);
	outbuf__free(&ob);
	close(p[1]);

	/* The error found by an implicit flush (buffer overflow) is kept too. */
	if (!ASSERT_EQ(pipe(p), 0))
		return;
	close(p[0]);
	if (!ASSERT_EQ(outbuf__init(&ob, p[1], 16), 0))
		return;
	outbuf__puts(&ob, "0123456789");
	outbuf__puts(&ob, "0123456789");
	ASSERT_EQ(ob.err, -EPIPE);
	ASSERT_EQ(outbuf__flush(&ob), -EPIPE);
	outbuf__free(&ob);
	close(p[1]);

	/* And by a write-through. */
	if (!ASSERT_EQ(pipe(p), 0))
		return;
	close(p[0]);
	if (!ASSERT_EQ(outbuf__init(&ob, p[1], 4), 0))
		return;
	outbuf__puts(&ob, "0123456789");
	ASSERT_EQ(ob.err, -EPIPE);
	ASSERT_EQ(outbuf__flush(&ob), -EPIPE);
	outbuf__free(&ob);
	close(p[1]);
}

static void test_enospc(void)
{
	struct outbuf ob;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		TEST_SKIP("no /dev/full");
		return;
	}
	if (!ASSERT_EQ(outbuf__init(&ob, fd, 0), 0))
		return;
	ASSERT_EQ(ob.cap, OUTBUF_DEFAULT_CAP);
	outbuf__puts(&ob, "data");
	ASSERT_EQ(outbuf__flush(&ob), -ENOSPC);
	ASSERT_EQ(ob.err, -ENOSPC);
	outbuf__free(&ob);
	close(fd);
}

/*
 * A non-blocking pipe and a reader slower than the writer: exercises
 * partial writes and the EAGAIN wait, and checks every byte arrives once,
 * in order.
 */
static void test_nonblocking_partial(void)
{
	enum { TOTAL = 1 << 20 };
	struct outbuf ob;
	int p[2], status;
	pid_t pid;

	if (!ASSERT_EQ(pipe(p), 0))
		return;
	pid = fork();
	if (!ASSERT_GE(pid, 0))
		return;
	if (pid == 0) {
		char buf[4096];
		size_t off = 0;
		ssize_t k;

		close(p[1]);
		while ((k = read(p[0], buf, sizeof(buf))) > 0) {
			for (ssize_t i = 0; i < k; i++, off++)
				if ((unsigned char)buf[i] != (unsigned char)(off * 7 + off / 251))
					_exit(2);
			if (off % (64 * 1024) < 4096)
				usleep(1000);
		}
		_exit(off == TOTAL ? 0 : 3);
	}
	close(p[0]);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);

	if (ASSERT_EQ(outbuf__init(&ob, p[1], 3000), 0)) {
		char chunk[10000];
		size_t off = 0;

		/* Mixed sizes: buffered, overflowing, and written-through. */
		while (off < TOTAL) {
			size_t n = off % 3 == 0 ? 10000 : off % 3 == 1 ? 700 : 1;

			if (n > TOTAL - off)
				n = TOTAL - off;
			for (size_t i = 0; i < n; i++)
				chunk[i] = (char)(unsigned char)((off + i) * 7 + (off + i) / 251);
			outbuf__write(&ob, chunk, n);
			off += n;
		}
		ASSERT_EQ(outbuf__flush(&ob), 0);
		outbuf__free(&ob);
	}
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void test_free_and_uninit(void)
{
	struct outbuf zero = { 0 };

	outbuf__free(NULL);
	outbuf__free(&zero);
	ASSERT_TRUE(zero.data == NULL);

	/* A zeroed (never initialised) outbuf must not write to fd 0. */
	memset(&zero, 0, sizeof(zero));
	outbuf__putc(&zero, 'x');
	outbuf__puts(&zero, "x");
	ASSERT_EQ(zero.err, -EINVAL);
	ASSERT_EQ(zero.len, 0);
	ASSERT_STREQ(outbuf__cstr(&zero), "");
	outbuf__free(&zero);

	ASSERT_EQ(outbuf__init(&zero, -2, 16), -EBADF);
	outbuf__free(&zero);
}

/* ---- lines mode: a regular file, whole lines, a failing disk survived (RLIMIT_FSIZE: EFBIG) ---- */

static char lines_path[64];
static struct rlimit fsize_old;

static void set_fsize(rlim_t n)
{
	struct rlimit lim = fsize_old;

	lim.rlim_cur = n;
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

/* Line k: "line K" and filler up to about len bytes, then a newline. */
static void put_line(struct outbuf *ob, unsigned k, size_t len)
{
	outbuf__printf(ob, "line %u ", k);
	for (size_t i = 0; i < len; i++)
		outbuf__putc(ob, 'a' + (k + i) % 26);
	outbuf__putc(ob, '\n');
}

/* The file's lines: each whole and in order from 0 but for one mark line; the number of line lines, -1 if not. */
static int check_lines(const char *want_mark, unsigned *last)
{
	size_t size = 0;
	char *data = NULL, *p, *nl;
	FILE *f = fopen(lines_path, "r");
	int n = 0, next = 0;
	bool mark = false;

	if (!f)
		return -1;
	data = malloc(1 << 20);
	size = fread(data, 1, (1 << 20) - 1, f);
	fclose(f);
	data[size] = 0;
	if (size && !ASSERT_EQ(data[size - 1], '\n')) {
		free(data);
		return -1;
	}
	for (p = data; (nl = strchr(p, '\n')); p = nl + 1) {
		unsigned k;

		*nl = 0;
		if (want_mark && !strcmp(p, want_mark)) {
			mark = true;
		} else if (sscanf(p, "line %u ", &k) != 1 || (!mark && k != (unsigned)next) || (mark && k < (unsigned)next)) {
			FAILF("line %d: %.60s (expected line %d%s)", n, p, next, mark ? " or later" : "");
		} else {
			next = k + 1;
			*last = k;
			n++;
		}
	}
	if (want_mark)
		ASSERT_TRUE(mark);
	free(data);
	return n;
}

static unsigned marked;

static void mark(void *ctx, uint64_t nlines)
{
	marked++;
	outbuf__printf(ctx, "GAP %llu", (unsigned long long)nlines);
	outbuf__putc(ctx, '\n');
}

/*
 * Lines of 40 to 300 bytes (some larger than the 256-byte buffer: written
 * through, or flushed in the middle) until the file size limit: the file
 * holds whole lines only; every line after is dropped and counted; retries
 * while the limit holds fail and mark nothing; once it is lifted, the mark
 * with the count, then lines again.
 */
static void test_lines_survive_failing_disk(void)
{
	struct outbuf ob;
	unsigned k = 0, last = 0, total_dropped, in_file;
	int fd;
	char want[64];

	snprintf(lines_path, sizeof(lines_path), "/tmp/test_outbuf.XXXXXX");
	fd = mkstemp(lines_path);
	if (!ASSERT_TRUE(fd >= 0) || !ASSERT_EQ(outbuf__init(&ob, fd, 256), 0))
		return;
	ASSERT_TRUE(outbuf__lines(&ob));
	getrlimit(RLIMIT_FSIZE, &fsize_old);
	signal(SIGXFSZ, SIG_IGN);
	set_fsize(20000);
	for (; k < 2000 && !ob.failing; k++) {
		put_line(&ob, k, 40 + (k * 37) % 260);
		if (k % 3 == 2)
			outbuf__flush(&ob);
	}
	ASSERT_EQ(ob.failing, -EFBIG);
	ASSERT_EQ(ob.err, 0);
	ASSERT_EQ(ob.st.errors.n[EFBIG], 1);
	/* Whole lines only in the file: the partial one cut off. */
	in_file = check_lines(NULL, &last);
	ASSERT_EQ(in_file + ob.dropped + (ob.len ? 1 : 0) >= k, true);
	/* Failing: lines dropped and counted, no write tried. */
	for (unsigned j = 0; j < 50; j++, k++) {
		put_line(&ob, k, 100);
		outbuf__flush(&ob);
	}
	ASSERT_EQ(ob.st.errors.n[EFBIG], 1);
	ASSERT_EQ(ob.dropped, k - in_file);
	ASSERT_EQ(ob.st.dropped_lines, ob.dropped);
	/* Still too big a file: a retry fails, its mark no line of the output. */
	total_dropped = ob.dropped;
	ASSERT_EQ(outbuf__resume(&ob, mark, &ob), 0);
	ASSERT_EQ(ob.dropped, total_dropped);
	ASSERT_EQ(ob.st.dropped_lines, total_dropped);
	ASSERT_EQ(ob.st.errors.n[EFBIG], 2);
	ASSERT_EQ(check_lines(NULL, &last), (int)in_file);
	/* The limit lifted: the mark, then lines again. */
	set_fsize(fsize_old.rlim_cur);
	marked = 0;
	ASSERT_EQ(outbuf__resume(&ob, mark, &ob), 1);
	ASSERT_EQ(marked, 1);
	ASSERT_EQ(ob.failing, 0);
	ASSERT_EQ(ob.dropped, 0);
	for (unsigned j = 0; j < 5; j++, k++)
		put_line(&ob, k, 50);
	ASSERT_EQ(outbuf__flush(&ob), 0);
	snprintf(want, sizeof(want), "GAP %u", total_dropped);
	ASSERT_EQ(check_lines(want, &last), (int)in_file + 5);
	ASSERT_EQ(last, k - 1);
	setrlimit(RLIMIT_FSIZE, &fsize_old);
	signal(SIGXFSZ, SIG_DFL);
	outbuf__free(&ob);
	close(fd);
	unlink(lines_path);
}

/* A pipe, a terminal, a device: no lines mode; their errors end the output as before. */
static void test_lines_regular_files_only(void)
{
	struct outbuf ob;
	int p[2];

	if (!ASSERT_EQ(pipe(p), 0))
		return;
	outbuf__init(&ob, p[1], 0);
	ASSERT_FALSE(outbuf__lines(&ob));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	outbuf__puts(&ob, "x\n");
	ASSERT_EQ(outbuf__flush(&ob), -EPIPE);
	ASSERT_EQ(ob.err, -EPIPE);
	ASSERT_EQ(ob.failing, 0);
	signal(SIGPIPE, SIG_DFL);
	outbuf__free(&ob);
	close(p[1]);
}

int main(void)
{
	tl_init("unit/outbuf");
	RUN_TEST(test_memory_growth);
	RUN_TEST(test_printf_memory);
	RUN_TEST(test_integers);
	RUN_TEST(test_flush_pipe);
	RUN_TEST(test_epipe);
	RUN_TEST(test_enospc);
	RUN_TEST(test_nonblocking_partial);
	RUN_TEST(test_free_and_uninit);
	RUN_TEST(test_lines_survive_failing_disk);
	RUN_TEST(test_lines_regular_files_only);
	return tl_finish();
}

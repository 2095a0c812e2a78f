/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
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
	return tl_finish();
}

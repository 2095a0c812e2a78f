// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include "views/usage_fmt.h"

#include <stdio.h>

void usage_fmt__secs_str(char *buf, size_t size, __u64 ns)
{
	double s = ns / 1e9;

	/* At most 6 characters below 1000 days, so that columns stay aligned. */
	if (s < 10)
		snprintf(buf, size, "%.2fs", s);
	else if (s < 1000)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 6000)
		snprintf(buf, size, "%.1fm", s / 60);
	else if (s < 360000)
		snprintf(buf, size, "%.1fh", s / 3600);
	else
		snprintf(buf, size, "%.1fd", s / 86400);
}

void usage_fmt__bytes_str(char *buf, size_t size, __u64 bytes)
{
	static const char unit[] = "KMGTPE";
	double v = bytes;
	int i = -1;

	if (bytes < 1024) {
		snprintf(buf, size, bytes ? "%lluB" : "0", (unsigned long long)bytes);
		return;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	/* 1023.96K would print as 1024.0K: one unit up instead. */
	if (v >= 1023.95 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f%c", v, unit[i]);
}

void usage_fmt__secs(struct outbuf *ob, __u64 ns)
{
	char buf[32];

	usage_fmt__secs_str(buf, sizeof(buf), ns);
	outbuf__puts(ob, buf);
}

void usage_fmt__bytes(struct outbuf *ob, __u64 bytes)
{
	char buf[32];

	usage_fmt__bytes_str(buf, sizeof(buf), bytes);
	outbuf__puts(ob, buf);
}

void usage_fmt__text(struct outbuf *ob, const struct usage *u)
{
	outbuf__puts(ob, "cpu ");
	usage_fmt__secs(ob, u->cpu_ns);
	outbuf__puts(ob, "  rss ");
	usage_fmt__bytes(ob, u->self.maxrss_kb * 1024);
	if (u->io.bytes) {
		outbuf__puts(ob, "  io r ");
		usage_fmt__bytes(ob, u->io.read_bytes);
		outbuf__puts(ob, " w ");
		usage_fmt__bytes(ob, u->io.write_bytes);
	}
}

void usage_fmt__ru_json(struct json *j, const struct ru *r)
{
	json__begin_object(j);
	json__kv_u64(j, "utime_us", r->utime_us);
	json__kv_u64(j, "stime_us", r->stime_us);
	json__kv_u64(j, "maxrss_kb", r->maxrss_kb);
	json__kv_u64(j, "minflt", r->minflt);
	json__kv_u64(j, "majflt", r->majflt);
	json__kv_u64(j, "nvcsw", r->nvcsw);
	json__kv_u64(j, "nivcsw", r->nivcsw);
	json__kv_u64(j, "inblock", r->inblock);
	json__kv_u64(j, "oublock", r->oublock);
	json__end_object(j);
}

void usage_fmt__io_json(struct json *j, const struct proc_io *io)
{
	if (!io->chars && !io->bytes) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	json__kv_u64_or_null(j, "rchar", io->chars, io->rchar);
	json__kv_u64_or_null(j, "wchar", io->chars, io->wchar);
	json__kv_u64_or_null(j, "syscr", io->chars, io->syscr);
	json__kv_u64_or_null(j, "syscw", io->chars, io->syscw);
	json__kv_u64_or_null(j, "read_bytes", io->bytes, io->read_bytes);
	json__kv_u64_or_null(j, "write_bytes", io->bytes, io->write_bytes);
	json__kv_u64_or_null(j, "cancelled_write_bytes", io->bytes, io->cancelled_write_bytes);
	json__end_object(j);
}

void usage_fmt__json_fields(struct json *j, const struct usage *u)
{
	if (!u) {
		json__kv_null(j, "cpu_ns");
		json__kv_null(j, "rusage");
		json__kv_null(j, "self");
		json__kv_null(j, "io");
		return;
	}
	json__kv_u64(j, "cpu_ns", u->cpu_ns);
	json__key(j, "rusage");
	usage_fmt__ru_json(j, &u->rusage);
	json__key(j, "self");
	usage_fmt__ru_json(j, &u->self);
	json__key(j, "io");
	usage_fmt__io_json(j, &u->io);
}

void usage_fmt__json_fields_of(struct json *j, const void *rec)
{
	struct usage u;

	if (!usage__of(rec)) {
		usage_fmt__json_fields(j, NULL);
		return;
	}
	usage__decode(usage__of(rec), &u);
	usage_fmt__json_fields(j, &u);
}

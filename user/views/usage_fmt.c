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

static void field(struct outbuf *ob, const char *sep, const char *k, __u64 v)
{
	outbuf__puts(ob, sep);
	outbuf__putc(ob, '"');
	outbuf__puts(ob, k);
	outbuf__puts(ob, "\":");
	outbuf__u64(ob, v);
}

static void field_or_null(struct outbuf *ob, const char *k, bool known, __u64 v)
{
	if (known) {
		field(ob, ",", k, v);
		return;
	}
	outbuf__puts(ob, ",\"");
	outbuf__puts(ob, k);
	outbuf__puts(ob, "\":null");
}

void usage_fmt__ru_json(struct outbuf *ob, const struct ru *r)
{
	field(ob, "{", "utime_us", r->utime_us);
	field(ob, ",", "stime_us", r->stime_us);
	field(ob, ",", "maxrss_kb", r->maxrss_kb);
	field(ob, ",", "minflt", r->minflt);
	field(ob, ",", "majflt", r->majflt);
	field(ob, ",", "nvcsw", r->nvcsw);
	field(ob, ",", "nivcsw", r->nivcsw);
	field(ob, ",", "inblock", r->inblock);
	field(ob, ",", "oublock", r->oublock);
	outbuf__putc(ob, '}');
}

void usage_fmt__io_json(struct outbuf *ob, const struct proc_io *io)
{
	if (!io->chars && !io->bytes) {
		outbuf__puts(ob, "null");
		return;
	}
	/* The first key is always there; the rest follow it with commas. */
	outbuf__putc(ob, '{');
	if (io->chars)
		field(ob, "", "rchar", io->rchar);
	else
		outbuf__puts(ob, "\"rchar\":null");
	field_or_null(ob, "wchar", io->chars, io->wchar);
	field_or_null(ob, "syscr", io->chars, io->syscr);
	field_or_null(ob, "syscw", io->chars, io->syscw);
	field_or_null(ob, "read_bytes", io->bytes, io->read_bytes);
	field_or_null(ob, "write_bytes", io->bytes, io->write_bytes);
	field_or_null(ob, "cancelled_write_bytes", io->bytes, io->cancelled_write_bytes);
	outbuf__putc(ob, '}');
}

void usage_fmt__json_fields(struct outbuf *ob, const struct usage *u)
{
	if (!u) {
		outbuf__puts(ob, ",\"cpu_ns\":null,\"rusage\":null,\"self\":null,\"io\":null");
		return;
	}
	field(ob, ",", "cpu_ns", u->cpu_ns);
	outbuf__puts(ob, ",\"rusage\":");
	usage_fmt__ru_json(ob, &u->rusage);
	outbuf__puts(ob, ",\"self\":");
	usage_fmt__ru_json(ob, &u->self);
	outbuf__puts(ob, ",\"io\":");
	usage_fmt__io_json(ob, &u->io);
}

void usage_fmt__json_fields_of(struct outbuf *ob, const void *rec)
{
	struct usage u;

	if (!usage__of(rec)) {
		usage_fmt__json_fields(ob, NULL);
		return;
	}
	usage__decode(usage__of(rec), &u);
	usage_fmt__json_fields(ob, &u);
}

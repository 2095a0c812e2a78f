/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a process used, printed the one way every view does: seconds and
 * binary-prefixed sizes for people, and the JSON fields of docs/EVENTS.md's
 * schema (`rusage`, `self`, `io`, `cpu_ns`) for programs.
 */
#ifndef PROCLIFE_USAGE_FMT_H
#define PROCLIFE_USAGE_FMT_H

#include <linux/types.h>

#include "base/outbuf.h"
#include "kernel/usage.h"
#include "views/json.h"

/* ns of CPU, compactly: "0.21s", "12.3s", "16.7m", "3.2h", "1.5d" (6 characters at most). */
void usage_fmt__secs(struct outbuf *ob, __u64 ns);
/* A size: "0", "512B", "8.0K", "64.2M", "1.5G". */
void usage_fmt__bytes(struct outbuf *ob, __u64 bytes);
/* The same into buf (at most size bytes, NUL included): for columns. */
void usage_fmt__secs_str(char *buf, size_t size, __u64 ns);
void usage_fmt__bytes_str(char *buf, size_t size, __u64 bytes);
/* The exit line's short form: "cpu 0.21s  rss 64.2M  io r 0 w 8.0M" (the process alone; io as /proc says). */
void usage_fmt__text(struct outbuf *ob, const struct usage *u);
/* One struct ru as a JSON object. */
void usage_fmt__ru_json(struct json *j, const struct ru *r);
/* /proc/PID/io as a JSON object, null for what the kernel does not keep. */
void usage_fmt__io_json(struct json *j, const struct proc_io *io);
/* Fields "cpu_ns":N,"rusage":{..},"self":{..},"io":{..} (each null when u is NULL). */
void usage_fmt__json_fields(struct json *j, const struct usage *u);
/* The same for an exit record: its usage, or nulls when it has none (usage__of()). */
void usage_fmt__json_fields_of(struct json *j, const void *rec);

#endif

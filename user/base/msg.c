// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/msg.h"

/* A message longer than this is cut: every message is one line (two paths fit whole). */
#define MSG_MAX 4096

static void to_stderr(void *ctx, enum msg_level level, const char *text)
{
	fprintf(stderr, "proclife: %s\n", text);
}

static msg_sink_fn sink = to_stderr;
static void *sink_ctx;

void msg__set_sink(msg_sink_fn fn, void *ctx)
{
	sink = fn ? fn : to_stderr;
	sink_ctx = fn ? ctx : NULL;
}

void msg__say(enum msg_level level, const char *fmt, ...)
{
	char text[MSG_MAX], safe[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/*
	 * Messages name files and carry what recordings and processes said:
	 * made terminal-safe here, for every sink at once, and kept on one line.
	 */
	sink(sink_ctx, level, escape__text_str(safe, sizeof(safe), text, strlen(text)));
}

void msg__relay(enum msg_level level, const char *text)
{
	sink(sink_ctx, level, text);
}

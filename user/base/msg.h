/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Messages from the layers below the commands. Only commands print
 * (user/README.md): session/, kernel/, record/ and model/ say what happened
 * through msg__say(), and the command decides where it goes: stderr for
 * the stream commands, the status line while `top` holds the screen, a
 * buffer in a test. A message is one line of text, without the "proclife: "
 * prefix and without a newline. msg__say() escapes the whole of it
 * (escape__text(): a file name, or what a recording or a process said, may
 * hold anything), so callers pass such text as it is, and sinks are handed
 * text that is safe on a terminal.
 */
#ifndef PROCLIFE_MSG_H
#define PROCLIFE_MSG_H

enum msg_level {
	MSG_INFO,  /* a note: progress, what was done */
	MSG_WARN,  /* something is missing or degraded, and tracing goes on */
	MSG_ERROR, /* an operation failed (the caller also returns an error) */
};

typedef void (*msg_sink_fn)(void *ctx, enum msg_level level, const char *text);

/* Where messages go from now on; NULL restores the default (stderr, "proclife: " before each). */
void msg__set_sink(msg_sink_fn fn, void *ctx);
void msg__say(enum msg_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message a sink was handed by msg__say() and kept, said again to the sink set now, as it is. */
void msg__relay(enum msg_level level, const char *text);

#endif

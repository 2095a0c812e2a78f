/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * top's status line: while the screen is up, messages from the layers
 * below (base/msg.h: a recording that stopped, a resync that failed) must
 * not be written over it. top_status__sink() is the sink top sets then: it
 * keeps them, the status line shows the latest until a key is pressed, and
 * once the screen is gone top_status__replay() says them again through
 * the sink set by then (stderr), so none is lost with the screen.
 */
#ifndef PROCLIFE_TOP_STATUS_H
#define PROCLIFE_TOP_STATUS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/msg.h"

#define TOP_STATUS_KEEP 16    /* messages kept for the replay; later ones are counted */
#define TOP_STATUS_TEXT 512   /* bytes of a message kept (NUL included) */

struct top_status_msg {
	enum msg_level level;
	__u64 count;          /* said this many times in a row */
	char text[TOP_STATUS_TEXT];
};

struct top_status {
	struct top_status_msg kept[TOP_STATUS_KEEP];
	size_t n;             /* kept */
	struct top_status_msg last; /* the latest, kept or not */
	bool last_kept;       /* it is kept[n - 1] */
	__u64 dropped;        /* said after the first TOP_STATUS_KEEP (repeats aside) and not kept */
	bool shown;           /* the latest is on the status line (no key pressed since) */
};

/* A msg_sink_fn: ctx is the struct top_status. */
void top_status__sink(void *ctx, enum msg_level level, const char *text);
/*
 * The status line while a message is shown: "proclife: TEXT", with
 * " (N times)" when it was said again and again; NULL when none is. level
 * set when not NULL.
 */
const char *top_status__line(const struct top_status *s, enum msg_level *level, char *buf, size_t size);
/* A key was pressed: the status line shows the keys again. */
void top_status__dismiss(struct top_status *s);
/* Every message kept, again through msg__say() (each once, with its count), then how many more there were. */
void top_status__replay(const struct top_status *s);

#endif

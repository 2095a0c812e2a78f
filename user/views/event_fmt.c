// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>

#include <linux/types.h>

#include "proclife.h"
#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "views/event_fmt.h"

static const char *core_text(enum exit_text_style style)
{
	return style == EXIT_TEXT_BRIEF ? " (core)" : " (core dumped)";
}

const char *event_fmt__status_str(__u32 status, enum exit_text_style style, char *buf, size_t size)
{
	struct exit_status st = exit_status__decode(status);

	if (!st.known)
		snprintf(buf, size, "status unknown");
	else if (st.exited)
		snprintf(buf, size, "exit %d", st.code);
	else
		snprintf(buf, size, "killed by %s%s", names__signal(st.sig), st.core ? core_text(style) : "");
	return buf;
}

void event_fmt__status_text(struct outbuf *ob, __u32 status, enum exit_text_style style)
{
	struct exit_status st = exit_status__decode(status);

	if (!st.known) {
		outbuf__puts(ob, "status unknown");
		return;
	}
	if (st.exited) {
		outbuf__puts(ob, "exit ");
		outbuf__i64(ob, st.code);
		return;
	}
	outbuf__puts(ob, "killed by ");
	outbuf__puts(ob, names__signal(st.sig));
	if (st.core)
		outbuf__puts(ob, core_text(style));
}

void event_fmt__status_json(struct json *j, bool exited, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	json__kv_i64_or_null(j, "exit_code", exited && st.exited, st.code);
	json__kv_i64_or_null(j, "term_signal", exited && st.known && !st.exited, st.sig);
	json__kv_bool(j, "core_dumped", exited && st.core);
}

void event_fmt__killer_text(struct outbuf *ob, const struct pl_killer *k)
{
	const char *origin = sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom);
	const char *sc = sig__syscall_name(k->syscall);

	if (!k->sig)
		return;
	if (origin) {
		outbuf__puts(ob, " [kernel: ");
		outbuf__puts(ob, origin);
		outbuf__putc(ob, ']');
		return;
	}
	outbuf__puts(ob, " from ");
	outbuf__u64(ob, k->pid);
	outbuf__puts(ob, " (");
	escape__comm_text(ob, k->comm);
	outbuf__putc(ob, ')');
	if (sc) {
		outbuf__puts(ob, " [");
		outbuf__puts(ob, sc);
		outbuf__putc(ob, ']');
	}
}

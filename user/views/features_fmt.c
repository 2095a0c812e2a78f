// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>

#include "base/escape.h"
#include "views/features_fmt.h"
#include "views/json.h"

/* One feature's object in "features". */
static void feature_json(struct json *j, const struct features_report *r, enum kfeature f)
{
	const struct kfeature_status *st = r->st;

	json__begin_object(j);
	json__kv_cstr(j, "name", kfeature__name(f));
	json__kv_cstr(j, "title", kfeature__title(f));
	json__kv_cstr(j, "state", st ? kfeature_state__name(st[f].state) : "off");
	json__kv_cstr(j, "program", st ? st[f].program : NULL);
	json__key(j, "programs");
	json__begin_array(j);
	for (int i = 0; st && i < KF_PROGS_MAX && st[f].programs[i]; i++)
		json__cstr(j, st[f].programs[i]);
	json__end_array(j);
	json__kv_cstr(j, "why", st && st[f].state != KF_ON ? st[f].why : (st ? NULL : r->fatal));
	json__kv_cstr(j, "cost", st ? st[f].cost : NULL);
	if (r->verbose)
		json__kv_cstr(j, "log", st ? st[f].log : NULL);
	json__end_object(j);
}

void features_fmt__json(struct outbuf *ob, const struct features_report *r)
{
	struct json j;

	json__init_spaced(&j, ob);
	json__begin_object(&j);
	json__kv_cstr(&j, "kernel", r->release);
	json__kv_cstr(&j, "kernel_version", r->version);
	json__kv_bool(&j, "btf", r->btf);
	json__kv_bool(&j, "ringbuf", r->ringbuf);
	json__kv_bool(&j, "traces", !r->fatal);
	json__kv_cstr(&j, "error", r->fatal);
	json__key(&j, "features");
	json__begin_array(&j);
	for (int f = 0; f < KF_MAX; f++)
		feature_json(&j, r, f);
	json__end_array(&j);
	json__end_object(&j);
	json__ws(&j, "\n");
}

/* Text from the kernel (uname, the verifier, libbpf) as it is, but escaped: a line then a newline. */
static void line(struct outbuf *ob, const char *s)
{
	escape__text(ob, s ? s : "", s ? strlen(s) : 0);
	outbuf__putc(ob, '\n');
}

/* A verifier log: each of its lines escaped on its own. */
static void log_lines(struct outbuf *ob, const char *log)
{
	const char *end = log + strlen(log);

	while (log < end) {
		const char *nl = memchr(log, '\n', end - log);
		size_t n = nl ? (size_t)(nl - log) : (size_t)(end - log);

		escape__text(ob, log, n);
		outbuf__putc(ob, '\n');
		log += n + 1;
	}
}

void features_fmt__text(struct outbuf *ob, const struct features_report *r)
{
	const struct kfeature_status *st = r->st;

	outbuf__puts(ob, "kernel       ");
	escape__text(ob, r->release, strlen(r->release));
	outbuf__puts(ob, " (");
	escape__text(ob, r->version, strlen(r->version));
	outbuf__puts(ob, ")\n");
	outbuf__printf(ob, "BTF          %s\n", r->btf ? "yes (/sys/kernel/btf/vmlinux)" : "no");
	outbuf__printf(ob, "ring buffer  %s\n", r->ringbuf ? "yes" : "no (Linux 5.8)");
	if (r->fatal) {
		outbuf__puts(ob, "proclife cannot trace here: ");
		line(ob, r->fatal);
	}
	outbuf__printf(ob, "\n%-10s %-8s %-24s %s\n", "FEATURE", "STATE", "PROGRAM", "WHAT, OR WHY NOT");
	for (int f = 0; f < KF_MAX; f++) {
		const char *state = st ? kfeature_state__name(st[f].state) : "off";
		const char *prog = st && st[f].program ? st[f].program : "-";

		outbuf__printf(ob, "%-10s %-8s %-24s %s\n", kfeature__name(f), state, prog, kfeature__title(f));
		if (st && st[f].state != KF_ON && st[f].why[0]) {
			outbuf__printf(ob, "%-10s %-8s %-24s ", "", "", "");
			line(ob, st[f].why);
		}
		if (st && st[f].cost)
			outbuf__printf(ob, "%-10s %-8s %-24s costs every syscall: %s\n", "", "", "", st[f].cost);
		if (r->verbose && st && st[f].log) {
			outbuf__puts(ob, "--- verifier log ---\n");
			log_lines(ob, st[f].log);
			outbuf__puts(ob, "--- end of log ---\n");
		}
	}
}

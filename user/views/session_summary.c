// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <linux/types.h>

#include "proclife.h"
#include "base/names.h"
#include "model/model.h"
#include "views/session_summary.h"

/* "name N, name N" for counts 1..n-1 (all of them, or only the non-zero ones). */
static void counts(struct outbuf *ob, const __u64 *v, int n, const char *(*name)(int), bool nonzero)
{
	const char *sep = "";

	for (int i = 1; i < n; i++) {
		if (nonzero && !v[i])
			continue;
		outbuf__puts(ob, sep);
		outbuf__puts(ob, name(i));
		outbuf__putc(ob, ' ');
		outbuf__u64(ob, v[i]);
		sep = ", ";
	}
}

static const char *event_name(int i)
{
	return names__event(i);
}

static const char *derived_name(int i)
{
	return derived__name(i);
}

static __u64 sum(const __u64 *v, int n)
{
	__u64 s = 0;

	for (int i = 1; i < n; i++)
		s += v[i];
	return s;
}

void session_summary__text(struct outbuf *ob, const __u64 *seen, const __u64 *lost, __u64 malformed,
			   const __u64 *derived)
{
	__u64 nlost = sum(lost, PL_EV_MAX);

	outbuf__u64(ob, sum(seen, PL_EV_MAX));
	outbuf__puts(ob, " events seen (");
	counts(ob, seen, PL_EV_MAX, event_name, false);
	outbuf__puts(ob, "), ");
	if (derived) {
		outbuf__u64(ob, sum(derived, DV_MAX));
		outbuf__puts(ob, " derived (");
		counts(ob, derived, DV_MAX, derived_name, false);
		outbuf__puts(ob, "), ");
	}
	outbuf__u64(ob, nlost);
	outbuf__puts(ob, " lost");
	if (nlost) {
		outbuf__puts(ob, " (");
		counts(ob, lost, PL_EV_MAX, event_name, true);
		outbuf__putc(ob, ')');
	}
	if (malformed) {
		outbuf__puts(ob, ", ");
		outbuf__u64(ob, malformed);
		outbuf__puts(ob, " malformed");
	}
}

static const char *forgot_name(int i)
{
	return model_forgot__name(i - 1);
}

void session_summary__memory(struct outbuf *ob, const __u64 *forgot, __u64 untracked)
{
	__u64 v[FORGOT_MAX + 1] = {}; /* counts() starts at 1 */

	for (int k = 0; forgot && k < FORGOT_MAX; k++)
		v[k + 1] = forgot[k];
	if (sum(v, FORGOT_MAX + 1)) {
		outbuf__puts(ob, ", ");
		outbuf__u64(ob, sum(v, FORGOT_MAX + 1));
		outbuf__puts(ob, " forgotten (");
		counts(ob, v, FORGOT_MAX + 1, forgot_name, true);
		outbuf__puts(ob, ": --max-memory)");
	}
	if (untracked) {
		outbuf__puts(ob, ", ");
		outbuf__u64(ob, untracked);
		outbuf__puts(ob, " zombies untracked (the kernel's table was full)");
	}
}

void session_summary__of(struct outbuf *ob, const struct live *l, const __u64 *derived)
{
	const struct model *m = live__model(l);

	session_summary__text(ob, live__seen(l), live__lost(l), live__malformed(l), derived);
	session_summary__memory(ob, m ? model__forgotten(m) : NULL, live__untracked_zombies(l));
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/wallclock.h"
#include "views/json.h"
#include "views/verify_fmt.h"

static const char *const verdicts[] = {
	[REC_WHOLE] = "whole",
	[REC_CUT] = "cut",
	[REC_UNSEALED] = "unsealed",
	[REC_ALTERED] = "altered",
	[REC_UNREADABLE] = "unreadable",
};

static const char *const links[] = {
	[REC_LINK_FIRST] = "first",
	[REC_LINK_EARLIER] = "continues_not_given",
	[REC_LINK_CONTINUES] = "continues",
	[REC_LINK_NEW] = "new",
	[REC_LINK_MISSING] = "missing_before",
	[REC_LINK_BROKEN] = "broken",
	[REC_LINK_UNCHAINED] = "unchained",
};

const char *verify_fmt__verdict(enum rec_verdict v)
{
	return verdicts[v];
}

/* A boot-ns time of the file as UTC to the second: "2026-01-02T03:04:05Z". */
static void utc(const struct rec_check *c, __u64 ns, char *buf, size_t size)
{
	struct wallclock wc = { .offset_ns = c->hdr.wall_offset_ns };
	char t[WALLCLOCK_RFC3339_MAX];

	wallclock__rfc3339(&wc, ns, t, sizeof(t));
	snprintf(buf, size, "%.19sZ", t);
}

static void path_text(struct outbuf *ob, const char *path)
{
	escape__text(ob, path, strlen(path));
}

/* "(2.0, 12 blocks, 2026-... to 2026-..., sealed with key ..., every seal checked)" */
static void facts_text(struct outbuf *ob, const struct rec_check *c, bool keyed)
{
	char a[32], b[32], id[2 * SEAL_KEY_ID_LEN + 1];

	utc(c, c->hdr.start_ns, a, sizeof(a));
	utc(c, c->last_ts, b, sizeof(b));
	outbuf__printf(ob, " (format %u.%u, %llu block%s%s, %s to %s, ", c->hdr.major, c->hdr.minor,
		       (unsigned long long)c->blocks, c->blocks == 1 ? "" : "s", c->verdict == REC_WHOLE ? "" : " whole",
		       a, b);
	if (!c->chained)
		outbuf__puts(ob, "no chain");
	else if (c->hdr.seal != REC_SEAL_HMAC_SHA256)
		outbuf__puts(ob, "not sealed");
	else
		outbuf__printf(ob, "sealed with key %s, %s", chain__hex(c->hdr.key_id, SEAL_KEY_ID_LEN, id, sizeof(id)),
			       c->seal_checked ? "every seal checked" : keyed ? "seals not all checked"
										: "seals not checked (no --seal-key)");
	outbuf__putc(ob, ')');
}

/* How the piece stands to the one before it, after "; ". */
static void link_text(struct outbuf *ob, const struct rec_check *v, size_t n, const struct rec_check *c)
{
	char id[2 * 8 + 1];

	switch (c->link) {
	case REC_LINK_FIRST:
		if (n > 1)
			outbuf__puts(ob, "; it starts the recording");
		return;
	case REC_LINK_EARLIER:
		outbuf__puts(ob, "; it continues an earlier piece, not given");
		return;
	case REC_LINK_CONTINUES:
		outbuf__puts(ob, "; it continues ");
		path_text(ob, v[c->prev].path);
		if (v[c->prev].verdict == REC_CUT)
			outbuf__puts(ob, " from where that was cut (the recorder restarted)");
		return;
	case REC_LINK_NEW:
		outbuf__puts(ob, "; it starts a recording of its own");
		return;
	case REC_LINK_MISSING:
		outbuf__printf(ob, "; a piece is missing before it: it continues file %s..., which is not given",
			       chain__hex(c->hdr.prev_file_id, 8, id, sizeof(id)));
		return;
	case REC_LINK_BROKEN:
		outbuf__puts(ob, "; it continues ");
		path_text(ob, v[c->prev].path);
		outbuf__puts(ob, " from a point where that does not end (that was changed after this began)");
		return;
	case REC_LINK_UNCHAINED:
		outbuf__puts(ob, "; no chain holds it to ");
		path_text(ob, v[c->prev].path);
		outbuf__puts(ob, " (format 1.x)");
		return;
	}
}

/* Does c start a recording of its own? Without a chain (1.x), a seq that does not follow the one before says so. */
static bool starts_recording(const struct rec_check *v, const struct rec_check *c)
{
	if (c->link == REC_LINK_UNCHAINED)
		return c->hdr.seq != v[c->prev].hdr.seq + 1;
	return c->link == REC_LINK_FIRST || c->link == REC_LINK_EARLIER || c->link == REC_LINK_NEW;
}

void verify_fmt__text(struct outbuf *ob, const struct rec_check *v, size_t n, bool keyed)
{
	size_t recordings = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rec_check *c = &v[i];

		path_text(ob, c->path);
		outbuf__printf(ob, ": %s", verdicts[c->verdict]);
		/* why is the reader's own words and numbers, never a byte of the file: as it is. */
		if (c->verdict != REC_WHOLE)
			outbuf__printf(ob, ": %s", c->why);
		if (c->hdr.major)
			facts_text(ob, c, keyed);
		if (c->verdict != REC_UNREADABLE && c->hdr.major)
			link_text(ob, v, n, c);
		outbuf__putc(ob, '\n');
		recordings += starts_recording(v, c);
	}
	if (n > 1)
		outbuf__printf(ob, "%zu files, %zu recording%s: %s\n", n, recordings, recordings == 1 ? "" : "s",
			       verdicts[rec_verify__worst(v, n)]);
}

static void hex_json(struct json *j, const char *key, const __u8 *p, size_t len)
{
	char buf[2 * CHAIN_HASH_LEN + 1];

	json__kv_cstr(j, key, chain__hex(p, len, buf, sizeof(buf)));
}

static void file_json(struct json *j, const struct rec_check *v, const struct rec_check *c)
{
	char t[32];
	bool known = c->hdr.major;

	json__begin_object(j);
	json__key(j, "path");
	json__string(j, c->path, strlen(c->path));
	json__kv_cstr(j, "verdict", verdicts[c->verdict]);
	json__kv_cstr(j, "why", c->verdict == REC_WHOLE ? NULL : c->why);
	json__key(j, "offset");
	json__i64(j, c->offset);
	json__key(j, "blocks");
	json__i64(j, c->blocks);
	json__kv_bool(j, "chained", c->chained);
	json__kv_bool(j, "sealed", c->chained && c->hdr.seal == REC_SEAL_HMAC_SHA256);
	json__kv_bool(j, "seals_checked", c->seal_checked);
	if (known) {
		utc(c, c->hdr.start_ns, t, sizeof(t));
		json__kv_cstr(j, "start", t);
		utc(c, c->last_ts, t, sizeof(t));
		json__kv_cstr(j, "end", t);
		json__key(j, "seq");
		json__i64(j, c->hdr.seq);
	}
	if (known && c->chained) {
		hex_json(j, "file_id", c->hdr.file_id, CHAIN_ID_LEN);
		if (c->hdr.seal == REC_SEAL_HMAC_SHA256)
			hex_json(j, "key_id", c->hdr.key_id, SEAL_KEY_ID_LEN);
	}
	json__kv_cstr(j, "link", known && c->verdict != REC_UNREADABLE ? links[c->link] : NULL);
	json__key(j, "continues");
	if (known && (c->link == REC_LINK_CONTINUES || c->link == REC_LINK_BROKEN || c->link == REC_LINK_UNCHAINED))
		json__string(j, v[c->prev].path, strlen(v[c->prev].path));
	else
		json__null(j);
	json__end_object(j);
}

void verify_fmt__json(struct outbuf *ob, const struct rec_check *v, size_t n, bool keyed)
{
	struct json j;

	json__init_spaced(&j, ob);
	json__begin_object(&j);
	json__kv_cstr(&j, "verdict", verdicts[rec_verify__worst(v, n)]);
	json__kv_bool(&j, "key_given", keyed);
	json__key(&j, "files");
	json__begin_array(&j);
	for (size_t i = 0; i < n; i++)
		file_json(&j, v, &v[i]);
	json__end_array(&j);
	json__end_object(&j);
	json__ws(&j, "\n");
}

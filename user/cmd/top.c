// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife top`: the live process tree, full screen (ncurses), redrawn as
 * events arrive. This file is the screen and the keys; which rows are shown
 * (collapse, filter) is top_rows.c, and each line's text is view__label().
 *
 * Signal handlers only set a flag: the main loop notices, calls endwin() and
 * returns, so the terminal is restored however top ends.
 */
#define _GNU_SOURCE
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "base/escape.h"
#include "base/msg.h"
#include "base/names.h"
#include "kernel/cgroups.h"
#include "kernel/event.h"
#include "model/ctfilter.h"
#include "session/live.h"
#include "views/ctfmt.h"
#include "views/top_rows.h"
#include "views/top_status.h"
#include "views/tree.h"
#include "views/usage_fmt.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/top.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define DELAY_DEFAULT_NS (250 * NS_PER_MS)
#define DELAY_MIN_NS (50 * NS_PER_MS)
#define DELAY_MAX_NS (60 * NS_PER_S)
#define RECENT_NS (3 * NS_PER_S) /* new and exited processes stand out this long */
#define EXITED_SHARE 3           /* of the tree area, recently exited rows take at most 1/EXITED_SHARE */
#define EXITED_MIN 3             /* ... or this many */
#define WAIT_MS 50               /* longest sleep between looks at the ring buffer */
#define FILTER_MAX 128
#define SAMPLE_MIN_NS (1 * NS_PER_S) /* CPU% is over about this long at least (a sample costs a walk of all tasks) */
#define COLS_FMT "%6s %7s %7s  "    /* CPU%, RSS, SUBTREE: a fixed width, so the tree stays aligned */

enum { PAIR_NEW = 1, PAIR_STOPPED, PAIR_ZOMBIE };

struct top {
	struct live *live;
	const struct ct_filter_spec *ctf; /* --container and the like */
	/* The C key: only the container of the process selected then (its own cgroup), or only the host's. */
	bool ct_only;
	char ct_key[CG_PATH_MAX];     /* "": the host's processes */
	struct top_rows rows;
	struct outbuf label;  /* one line's text, reused */
	struct wallclock wc;
	__u64 delay_ns;
	bool ascii;           /* the locale is not UTF-8: ASCII tree, '?' for other bytes */
	bool colors;
	char filter[FILTER_MAX];
	bool troubled;        /* zombies and stopped only */
	bool prompting;       /* the filter prompt is open */
	char prompt[FILTER_MAX];
	bool select_match;    /* after the next build: select the first row the filter matches */
	long sel, scroll;     /* selected row, first row shown */
	struct top_key sel_key;
	__u8 sel_kind;
	/* Events per second, measured over about a second. */
	__u64 rate_ts, rate_seen;
	double rate;
	/* What processes use: sampled every SAMPLE_MIN_NS or delay, whichever is longer. */
	__u64 sampled_at;
	__u64 *subtree;       /* per slot: CPU of the subtree (view__subtree_cpu) */
	__u64 *sort_key;      /* per slot, when sorting: the value sorted by */
	char sort;            /* 'T' tree order (oldest first), 'P' CPU%, 'M' memory, 'S' subtree CPU */
	struct top_status status; /* messages from below while the screen is up */
};

/* ---- drawing ---- */

/* Draw len bytes of s at the cursor, cut at the right edge. Returns the column reached. */
static int put(struct top *t, const char *s, size_t len)
{
	int y, x;
	mbstate_t ps = {};

	getyx(stdscr, y, x);
	(void)y;
	while (len && x < COLS) {
		wchar_t wc;
		size_t n;
		int w;

		if (t->ascii) {
			addch((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? (unsigned char)*s : '?');
			s++, len--, x++;
			continue;
		}
		n = mbrtowc(&wc, s, len, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&ps, 0, sizeof(ps));
			wc = L'?';
			n = 1;
		}
		w = wcwidth(wc);
		/* Labels come escaped (views/); what else is drawn, the filter typed, is held to the same. */
		if (w < 0 || escape__is_invisible(wc) || (wc >= 0x80 && wc <= 0x9f)) {
			wc = L'?';
			w = 1;
		}
		if (x + w > COLS)
			break;
		addnwstr(&wc, 1);
		s += n, len -= n, x += w;
	}
	return x;
}

static int puts_(struct top *t, const char *s)
{
	return put(t, s, strlen(s));
}

/* Blank the rest of the line in the current attributes (the cursor bar). */
static void fill(int x)
{
	for (; x < COLS; x++)
		addch(' ');
}

static attr_t state_attr(const struct top *t, const struct proc *p, __u64 now)
{
	if (p->state == PROC_ZOMBIE)
		return t->colors ? COLOR_PAIR(PAIR_ZOMBIE) | A_BOLD : A_BOLD | A_UNDERLINE;
	if (p->state == PROC_STOPPED)
		return t->colors ? COLOR_PAIR(PAIR_STOPPED) : A_UNDERLINE;
	if (now - p->start_ns < RECENT_NS && now >= p->start_ns)
		return t->colors ? COLOR_PAIR(PAIR_NEW) | A_BOLD : A_BOLD;
	return A_NORMAL;
}

/*
 * A row's CPU%, RSS and SUBTREE columns: a live process's CPU use over the
 * last samples, resident memory now, and the CPU of everything under it;
 * an exited one's CPU and most memory in all. "-" where not known.
 */
static void usage_cols(const struct top *t, const struct proc *p, bool exited, const struct model *m, char *buf,
		    size_t size)
{
	char cpu[16] = "-", rss[16] = "-", sub[16] = "-";
	double pct;
	__u32 slot = model__slot_of(m, p);

	if (exited && (p->flags & PROC_F_USAGE))
		usage_fmt__secs_str(cpu, sizeof(cpu), p->cpu_ns);
	else if (!exited && model__cpu_pct(m, p, &pct))
		snprintf(cpu, sizeof(cpu), pct < 99.95 ? "%.1f" : "%.0f", pct);
	if ((p->flags & (PROC_F_SAMPLED | PROC_F_USAGE)) && p->rss_kb)
		usage_fmt__bytes_str(rss, sizeof(rss), p->rss_kb * 1024);
	if (t->subtree && t->subtree[slot])
		usage_fmt__secs_str(sub, sizeof(sub), t->subtree[slot]);
	snprintf(buf, size, COLS_FMT, cpu, rss, sub);
}

/* 4812 -> "4,812" */
static void thousands(char *buf, size_t size, __u32 n)
{
	char digits[16];
	int len = snprintf(digits, sizeof(digits), "%u", n);
	size_t o = 0;

	for (int i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* Rows of the tree area. */
static long body_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

static void draw_row(struct top *t, int y, long i, const struct view_ctx *v)
{
	const struct top_row *row = &t->rows.v[i];
	attr_t base = i == t->sel ? A_REVERSE : A_NORMAL;
	const struct proc *p = model__slot(v->m, row->slot);
	char prefix[1024], buf[64];
	int x;

	move(y, 0);
	attrset(base);
	if (row->kind == TOP_ROW_HEADING) {
		attrset(base | A_BOLD);
		x = puts_(t, t->ascii ? "-- recently exited --" : "\u2500\u2500 recently exited \u2500\u2500");
		fill(x);
		return;
	}
	if (row->kind == TOP_ROW_MORE) {
		attrset(base | A_DIM);
		x = puts_(t, t->ascii ? "... and " : "\u2026 and ");
		thousands(buf, sizeof(buf), row->hidden);
		x = puts_(t, buf);
		x = puts_(t, " more");
		fill(x);
		return;
	}
	usage_cols(t, p, row->kind == TOP_ROW_EXITED, v->m, buf, sizeof(buf));
	attrset(base | (row->kind == TOP_ROW_EXITED ? A_DIM : A_NORMAL));
	puts_(t, buf);
	attrset(base);
	top_rows__prefix(&t->rows, i, t->ascii, prefix, sizeof(prefix));
	puts_(t, prefix);
	if (row->kind == TOP_ROW_EXITED) {
		struct exit_status st = exit_status__decode(p->status);

		attrset(base | A_DIM);
		if (!st.known)
			snprintf(buf, sizeof(buf), "(exited: status unknown) ");
		else if (st.exited)
			snprintf(buf, sizeof(buf), "(exited: exit %d) ", st.code);
		else
			snprintf(buf, sizeof(buf), "(exited: killed by %s) ", names__signal(st.sig));
		puts_(t, buf);
	} else {
		attrset(base | state_attr(t, p, v->now));
		if (row->collapsed) {
			snprintf(buf, sizeof(buf), "[+%u] ", row->hidden);
			puts_(t, buf);
		}
	}
	outbuf__reset(&t->label);
	if (row->kind == TOP_ROW_EXITED) {
		/* Its age is how long it lived. */
		struct view_ctx at_exit = *v;

		at_exit.now = p->exit_ts ? p->exit_ts : p->state_ts;
		view__label(&t->label, &at_exit, p);
	} else {
		view__label(&t->label, v, p);
	}
	x = put(t, t->label.data, t->label.len);
	attrset(base);
	fill(x);
}

/* The selected row's process (a live or exited one), or NULL. */
static const struct proc *selected(const struct top *t, const struct model *m)
{
	if (!t->rows.n || t->sel < 0 || (size_t)t->sel >= t->rows.n || t->rows.v[t->sel].kind == TOP_ROW_HEADING)
		return NULL;
	return model__slot(m, t->rows.v[t->sel].slot);
}

/* " — docker pltest 451466daa4e1": the selected process's container, after the header's counts. The column reached. */
static int draw_selected_container(struct top *t, const struct model *m, int x)
{
	const struct ct_ref *ct = ctfmt__container(live__containers(t->live), selected(t, m));

	if (!ct || x >= COLS)
		return x;
	outbuf__reset(&t->label);
	outbuf__puts(&t->label, t->ascii ? " - " : " \u2014 ");
	ctfmt__tag(&t->label, ct);
	return put(t, t->label.data, t->label.len);
}

static void draw_header(struct top *t, const struct model *m)
{
	size_t zombies = 0, stopped = 0;
	const __u64 *lost = live__lost(t->live);
	unsigned long long nlost = 0;
	const char *dash = t->ascii ? "-" : "\u2014";
	char line[256];
	int x;

	for (__u32 s = 1; model__slot(m, s); s++) {
		const struct proc *p = model__slot(m, s);

		if (p->pid && p->state == PROC_ZOMBIE)
			zombies++;
		else if (p->pid && p->state == PROC_STOPPED)
			stopped++;
	}
	for (int i = 1; i < PL_EV_MAX; i++)
		nlost += lost[i];
	snprintf(line, sizeof(line), "proclife top %s %zu processes, %zu zombies, %zu stopped %s %.0f events/s, lost %llu",
		 dash, model__count(m), zombies, stopped, dash, t->rate, nlost);
	move(0, 0);
	attrset(A_BOLD);
	x = puts_(t, line);
	fill(draw_selected_container(t, m, x));
	/* The column titles; the sorted one marked. */
	snprintf(line, sizeof(line), COLS_FMT "PROCESS%s", t->sort == 'P' ? "CPU%*" : "CPU%",
		 t->sort == 'M' ? "RSS*" : "RSS", t->sort == 'S' ? "SUBTREE*" : "SUBTREE",
		 t->sort == 'T' ? "" : "  (sorted by *; T: tree order)");
	move(1, 0);
	attrset(A_NORMAL);
	fill(puts_(t, line));
}

/* The latest message from below (a recording that stopped, ...) on the bottom line, until a key is pressed. */
static bool draw_status(struct top *t, int y)
{
	char line[TOP_STATUS_TEXT + 64];
	enum msg_level level;

	if (!top_status__line(&t->status, &level, line, sizeof(line)))
		return false;
	move(y, 0);
	attrset(level == MSG_INFO ? A_BOLD : A_REVERSE | A_BOLD | (t->colors ? COLOR_PAIR(PAIR_ZOMBIE) : 0));
	fill(puts_(t, line));
	attrset(A_NORMAL);
	return true;
}

static void draw_footer(struct top *t, int y)
{
	char pos[32];
	int x;

	if (draw_status(t, y))
		return;
	move(y, 0);
	attrset(A_NORMAL);
	if (t->prompting) {
		x = puts_(t, "filter: ");
		x = puts_(t, t->prompt);
		fill(x);
		move(y, x < COLS ? x : COLS - 1);
		return;
	}
	if (t->filter[0] || t->troubled || t->ct_only) {
		attrset(A_REVERSE);
		if (t->filter[0]) {
			puts_(t, "filter: ");
			puts_(t, t->filter);
		}
		if (t->troubled)
			puts_(t, t->filter[0] ? ", zombies and stopped only" : "zombies and stopped only");
		if (t->ct_only)
			puts_(t, t->filter[0] || t->troubled ? ", one container" : t->ct_key[0] ? "one container"
													: "the host only");
		attrset(A_NORMAL);
		x = puts_(t, "  c clear  / filter  z zombies  C container  q quit");
	} else {
		x = puts_(t, t->ascii ? "q quit  Up/Dn/jk move  Lt/Rt/+- fold  / filter  c clear  z zombies  PgUp/PgDn"
				      : "q quit  \u2191\u2193/jk move  \u2190\u2192/+- fold  / filter  c clear  z zombies  PgUp/PgDn");
	}
	snprintf(pos, sizeof(pos), " %ld/%zu", t->rows.n ? t->sel + 1 : 0, t->rows.n);
	if (x + (int)strlen(pos) < COLS) {
		fill(x);
		move(y, COLS - 1 - (int)strlen(pos));
		puts_(t, pos);
	}
}

static void clamp(struct top *t)
{
	long n = t->rows.n, h = body_rows();

	if (t->sel >= n)
		t->sel = n - 1;
	if (t->sel < 0)
		t->sel = 0;
	if (t->scroll > n - h)
		t->scroll = n - h;
	if (t->scroll < 0)
		t->scroll = 0;
	if (t->sel < t->scroll)
		t->scroll = t->sel;
	if (t->sel >= t->scroll + h)
		t->scroll = t->sel - h + 1;
	if (n) {
		t->sel_kind = t->rows.v[t->sel].kind;
		t->sel_key = (struct top_key){ .pid = t->rows.v[t->sel].pid, .start_ns = t->rows.v[t->sel].start_ns };
	}
}

static void draw(struct top *t)
{
	/* Long command lines are cut so the state markers after them stay on screen. */
	struct view_ctx v = { .m = live__model(t->live), .wc = &t->wc, .now = live__now(), .max_argv = 40,
			      .ct = live__containers(t->live) };
	long h = body_rows();

	erase();
	draw_header(t, v.m);
	for (long i = 0; i < h && t->scroll + i < (long)t->rows.n; i++)
		draw_row(t, 2 + i, t->scroll + i, &v);
	if (!t->rows.n && LINES > 3) {
		move(2, 0);
		attrset(A_DIM);
		puts_(t, t->troubled && !t->filter[0] ? "(no zombie or stopped process)" : "(no process matches)");
		attrset(A_NORMAL);
	}
	if (LINES >= 2)
		draw_footer(t, LINES - 1);
	curs_set(t->prompting ? 1 : 0);
	refresh();
}

/* Recently exited rows shown at most: a third of the tree area (a burst of exits leaves the tree in sight). */
static size_t exited_max(void)
{
	long n = body_rows() / EXITED_SHARE;

	return n > EXITED_MIN ? n : EXITED_MIN;
}

/* The container options of the command line, and the C key's container. */
static bool keep(const void *ctx, const struct proc *p)
{
	const struct top *t = ctx;
	const struct ct_subject *s = ctfmt__of_proc(live__containers(t->live), p);

	if (ctfilter__judge(t->ctf, s) != CTV_YES)
		return false;
	if (!t->ct_only)
		return true;
	return s && s->ct ? !strcmp(s->ct->cgroup, t->ct_key) : !t->ct_key[0];
}

/* C: only the selected process's container (the host's processes, for one of the host's); again: all. */
static void container_key(struct top *t)
{
	const struct ct_ref *ct = ctfmt__container(live__containers(t->live), selected(t, live__model(t->live)));

	t->ct_only = !t->ct_only;
	if (t->ct_only)
		snprintf(t->ct_key, sizeof(t->ct_key), "%s", ct ? ct->cgroup : "");
	t->select_match = t->ct_only;
}

/* Rebuild the rows from the model, keeping the selected process selected. */
static int rebuild(struct top *t)
{
	const struct model *m = live__model(t->live);
	struct top_filter f = { .text = t->filter, .troubled_only = t->troubled, .now = live__now(),
				.exited_ns = RECENT_NS, .exited_max = exited_max() };
	long i = -1;
	int err;

	free(t->subtree);
	t->subtree = view__subtree_cpu(m);
	free(t->sort_key);
	t->sort_key = NULL;
	if (t->sort != 'T' && (t->sort_key = calloc(model__nslots(m) + 1, sizeof(*t->sort_key)))) {
		for (__u32 s = 1; s < model__nslots(m); s++) {
			const struct proc *p = model__slot(m, s);
			double pct;

			if (!p->pid)
				continue;
			if (t->sort == 'P')
				t->sort_key[s] = model__cpu_pct(m, p, &pct) ? (__u64)(pct * 1000) : 0;
			else if (t->sort == 'M')
				t->sort_key[s] = (p->flags & (PROC_F_SAMPLED | PROC_F_USAGE)) ? p->rss_kb : 0;
			else if (t->subtree)
				t->sort_key[s] = t->subtree[s];
		}
	}
	f.sort_key = t->sort_key;
	if (t->ct_only || ctfilter__active(t->ctf)) {
		f.keep = keep;
		f.keep_ctx = t;
	}
	top_rows__prune(&t->rows, m);
	if (t->select_match)
		top_rows__reveal(&t->rows, m, &f);
	err = top_rows__build(&t->rows, m, &f);
	if (err)
		return err;
	if (t->select_match) {
		for (size_t k = 0; k < t->rows.n && i < 0; k++)
			if (t->rows.v[k].kind == TOP_ROW_PROC &&
			    top_rows__wanted(model__slot(m, t->rows.v[k].slot), &f))
				i = k;
		t->select_match = false;
		if (i < 0)
			i = 0;
	} else {
		i = top_rows__find(&t->rows, t->sel_kind, t->sel_key.pid, t->sel_key.start_ns);
	}
	if (i >= 0)
		t->sel = i;
	clamp(t);
	return 0;
}

static void rate_update(struct top *t)
{
	const __u64 *seen = live__seen(t->live);
	__u64 total = 0, now = live__now();

	for (int i = 1; i < PL_EV_MAX; i++)
		total += seen[i];
	if (!t->rate_ts) {
		t->rate_ts = now;
		t->rate_seen = total;
	} else if (now - t->rate_ts >= NS_PER_S) {
		t->rate = (double)(total - t->rate_seen) * NS_PER_S / (now - t->rate_ts);
		t->rate_ts = now;
		t->rate_seen = total;
	}
}

/* ---- keys ---- */

/* Collapse (-1), expand (1) or toggle (0) the selected process. Left also climbs to the parent. */
static void fold(struct top *t, int how, bool climb)
{
	const struct top_row *row;

	if (!t->rows.n)
		return;
	row = &t->rows.v[t->sel];
	if (row->kind != TOP_ROW_PROC)
		return;
	if (how == 0)
		how = row->collapsed ? 1 : -1;
	if (how > 0 && row->collapsed)
		top_rows__set_collapsed(&t->rows, row->pid, row->start_ns, false);
	else if (how < 0 && row->has_children && !row->collapsed)
		top_rows__set_collapsed(&t->rows, row->pid, row->start_ns, true);
	else if (how < 0 && climb && row->up)
		t->sel = row->up - 1;
}

static void prompt_key(struct top *t, int kind, wint_t ch)
{
	size_t len = strlen(t->prompt);

	if (kind == KEY_CODE_YES) {
		if (ch == KEY_ENTER)
			goto apply;
		if (ch == KEY_BACKSPACE)
			goto backspace;
		return;
	}
	switch (ch) {
	case '\n':
	case '\r':
		goto apply;
	case 27: /* Esc */
		t->prompting = false;
		return;
	case 127:
	case 8:
		goto backspace;
	case 21: /* ^U */
		t->prompt[0] = '\0';
		return;
	}
	if (iswprint(ch)) {
		char mb[MB_LEN_MAX];
		mbstate_t ps = {};
		size_t n = (size_t)-1;

		if (!t->ascii)
			n = wcrtomb(mb, ch, &ps);
		else if (ch < 0x80)
			mb[0] = ch, n = 1;

		if (n != (size_t)-1 && len + n < sizeof(t->prompt)) {
			memcpy(t->prompt + len, mb, n);
			t->prompt[len + n] = '\0';
		}
	}
	return;
backspace:
	while (len && !t->ascii && ((unsigned char)t->prompt[len - 1] & 0xc0) == 0x80)
		len--;
	if (len)
		len--;
	t->prompt[len] = '\0';
	return;
apply:
	memcpy(t->filter, t->prompt, sizeof(t->filter));
	t->prompting = false;
	t->select_match = true;
}

/* A key ncurses names (KEY_*): moves and folds. */
static void key_code(struct top *t, wint_t ch)
{
	long h = body_rows();

	switch (ch) {
	case KEY_UP:
		t->sel--;
		break;
	case KEY_DOWN:
		t->sel++;
		break;
	case KEY_PPAGE:
		t->sel -= h;
		t->scroll -= h;
		break;
	case KEY_NPAGE:
		t->sel += h;
		t->scroll += h;
		break;
	case KEY_HOME:
		t->sel = 0;
		break;
	case KEY_END:
		t->sel = (long)t->rows.n - 1;
		break;
	case KEY_LEFT:
		fold(t, -1, true);
		break;
	case KEY_RIGHT:
		fold(t, 1, false);
		break;
	case KEY_ENTER:
		fold(t, 0, false);
		break;
	}
}

/* A character key. Returns false to quit. */
static bool key_char(struct top *t, wint_t ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case 'k':
	case 'j':
		t->sel += ch == 'j' ? 1 : -1;
		break;
	case 'g':
	case 'G':
		t->sel = ch == 'g' ? 0 : (long)t->rows.n - 1;
		break;
	case '-':
	case '+':
		fold(t, ch == '+' ? 1 : -1, false);
		break;
	case '\n':
	case '\r':
		fold(t, 0, false);
		break;
	case '/':
		t->prompting = true;
		t->prompt[0] = '\0';
		break;
	case 'c':
		t->filter[0] = '\0';
		t->troubled = false;
		t->ct_only = false;
		break;
	case 'C':
		container_key(t);
		break;
	case 'z':
		t->troubled = !t->troubled;
		t->select_match = t->troubled;
		break;
	case 12: /* ^L */
		clearok(curscr, TRUE);
		break;
	case 'P': /* sort siblings: by CPU%, memory, subtree CPU, or back to tree order */
	case 'M':
	case 'S':
	case 'T':
		t->sort = ch;
		break;
	}
	return true;
}

/* One key. Returns false to quit. */
static bool key(struct top *t, int kind, wint_t ch)
{
	if (kind == KEY_CODE_YES && ch == KEY_RESIZE)
		return true;
	if (t->prompting) {
		prompt_key(t, kind, ch);
		return true;
	}
	if (kind == KEY_CODE_YES)
		key_code(t, ch);
	else if (!key_char(t, ch))
		return false;
	clamp(t);
	return true;
}

/* ---- setup and the loop ---- */

static void init_screen(struct top *t)
{
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	t->colors = has_colors() && start_color() == OK;
	if (t->colors) {
		short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;

		init_pair(PAIR_NEW, COLOR_GREEN, bg);
		init_pair(PAIR_STOPPED, COLOR_YELLOW, bg);
		init_pair(PAIR_ZOMBIE, COLOR_RED, bg);
	}
	/* Messages from below go to the status line while the screen is up (end_screen() says them again). */
	msg__set_sink(top_status__sink, &t->status);
}

/* The terminal as it was; then the messages the status line showed, on stderr where they stay. */
static void end_screen(struct top *t, SCREEN *scr)
{
	endwin();
	delscreen(scr);
	msg__set_sink(NULL, NULL);
	top_status__replay(&t->status);
}

/* Is TERM known, and can it move the cursor? Checked before the slow part (loading the BPF programs). */
static bool terminal_usable(void)
{
	char *cup;
	bool ok;
	int err;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	cup = tigetstr("cup");
	ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	return ok;
}

/* Kernel threads are many and rarely what one looks for: their tree starts collapsed. */
static void collapse_kthreads(struct top *t)
{
	const struct proc *p = model__find(live__model(t->live), 2);

	if (p && (p->flags & PROC_F_KTHREAD))
		top_rows__set_collapsed(&t->rows, p->pid, p->start_ns, true);
}

static int loop(struct top *t)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	__u64 next = 0;
	bool dirty = true;
	int r;

	while (!cmd__stopping()) {
		__u64 now = live__now();
		int kind;
		wint_t ch;

		if (now - t->sampled_at >= (t->delay_ns > SAMPLE_MIN_NS ? t->delay_ns : SAMPLE_MIN_NS)) {
			live__sample(t->live);
			live__confirm_zombies(t->live);
			t->sampled_at = now;
			dirty = true;
		}
		if (dirty || now >= next) {
			rate_update(t);
			if (rebuild(t) < 0)
				return -ENOMEM;
			draw(t);
			next = now + t->delay_ns;
			dirty = false;
		}
		now = live__now();
		if (now < next) {
			__u64 ms = (next - now + NS_PER_MS - 1) / NS_PER_MS;

			if (poll(&pfd, 1, ms < WAIT_MS ? (int)ms : WAIT_MS) < 0 && errno != EINTR)
				return -errno;
		}
		r = live__poll(t->live, 0);
		if (r < 0)
			return r;
		while ((kind = get_wch(&ch)) != ERR) {
			if (kind != KEY_CODE_YES || ch != KEY_RESIZE)
				top_status__dismiss(&t->status);
			if (!key(t, kind, ch))
				return 0;
			dirty = true;
		}
	}
	return 0;
}

static const char *term_name(void)
{
	const char *term = getenv("TERM");

	return term ? term : "";
}

/* The screen, from newterm() to endwin(); messages said meanwhile are said again on stderr after. */
static int screen(struct top *t)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);
	int r;

	if (!scr)
		return cli__fail(CMD_TOP, "cannot draw on this terminal (TERM=%.32s)", term_name());
	init_screen(t); /* from here, messages from below go to the status line */
	collapse_kthreads(t);
	r = loop(t);
	end_screen(t, scr); /* and are said again on stderr */
	if (r < 0)
		return cli__fail(CMD_TOP, "%s", r == -ENOMEM ? "out of memory" : strerror(-r));
	return 0;
}

int top__main(struct cli *c)
{
	struct top t = { .sort = 'T', .delay_ns = c->delay_ns, .ctf = &c->ctf };
	/* Handlers before ncurses starts: it leaves those already set alone. */
	struct cmd_session s = { .cli = c, .signals = CMD_SIG_STOP | CMD_SIG_HUP_STOPS };
	int ret;

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return cli__usage_error(c->cmd, "needs a terminal (use 'proclife tree --every SEC' for a "
				       "non-interactive view)");
	setlocale(LC_ALL, "");
	t.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	/* Before the slow part (loading the BPF programs). */
	if (!terminal_usable())
		return cli__fail(c->cmd, "cannot draw on this terminal (TERM=%.32s)", term_name());
	if (outbuf__init(&t.label, -1, 0) < 0)
		return cli__fail(c->cmd, "out of memory");
	s.cfg.model = true;
	s.cfg.tracer.sample = true;
	s.cfg.tracer.args_cap = c->args_cap;
	if (c->rec.write) /* everything, as record does */
		s.cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .args_cap = c->args_cap, .sample = true };
	ret = cmd_session__open(&s);
	if (!ret) {
		t.live = s.l;
		t.wc = *live__wallclock(s.l);
		ret = screen(&t);
	}
	if (!ret)
		ret = cmd_session__close(&s);
	cmd_session__free(&s);
	top_rows__free(&t.rows);
	free(t.subtree);
	free(t.sort_key);
	outbuf__free(&t.label);
	return ret;
}

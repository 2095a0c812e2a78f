// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/names.h"
#include "cmd/cli.h"
#include "cmd/optdoc.h"

#define TEXT_MAX 2048

/* An option's whole text: its help (expanded, with its default) as a sentence, then its doc. */
static void full_text(const struct opt *o, char *buf, size_t size)
{
	size_t n = cli__opt_help(o, buf, size);

	buf[0] = toupper((unsigned char)buf[0]);
	if (n && buf[n - 1] != '.' && n + 1 < size) {
		buf[n++] = '.';
		buf[n] = '\0';
	}
	if (o->doc)
		snprintf(buf + n, size - n, " %s", o->doc);
}

/* A word's help as a sentence. */
static void word_text(const struct opt_word *w, char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "%s", w->help);

	buf[0] = toupper((unsigned char)buf[0]);
	if (n && n + 1 < size && buf[n - 1] != '.')
		snprintf(buf + n, size - n, ".");
}

static bool has_word_help(const struct opt *o)
{
	for (const struct opt_word *w = o->words; w && w->word; w++)
		if (w->help)
			return true;
	return false;
}

/* ---- the man page (mdoc) ---- */

/* One line of text as mdoc: no request at its start, backslashes and option dashes escaped. */
static void mdoc_line(struct outbuf *ob, const char *s, size_t len)
{
	bool dash = false;

	if (len && (*s == '.' || *s == '\''))
		outbuf__puts(ob, "\\&");
	for (size_t i = 0; i < len; i++) {
		bool word_start = i == 0 || strchr(" (/\"", s[i - 1]);

		dash = s[i] == '-' && (word_start || dash);
		if (s[i] == '\\')
			outbuf__puts(ob, "\\e");
		else if (dash)
			outbuf__puts(ob, "\\-");
		else
			outbuf__putc(ob, s[i]);
	}
	outbuf__putc(ob, '\n');
}

/* Text as mdoc: a sentence a line. */
static void mdoc_text(struct outbuf *ob, const char *text)
{
	for (const char *p = text; *p;) {
		const char *end = strstr(p, ". ");
		size_t len = end ? (size_t)(end - p) + 1 : strlen(p);

		mdoc_line(ob, p, len);
		p += len;
		p += strspn(p, " ");
	}
}

static void man_option(struct outbuf *ob, const struct opt *o)
{
	char text[TEXT_MAX];

	outbuf__puts(ob, ".It ");
	if (o->letter)
		outbuf__printf(ob, "Fl %c , ", o->letter);
	outbuf__printf(ob, "Fl \\-%s", o->name);
	if (o->meta)
		outbuf__printf(ob, " Ar %s", o->meta);
	outbuf__putc(ob, '\n');
	full_text(o, text, sizeof(text));
	mdoc_text(ob, text);
	if (!has_word_help(o))
		return;
	outbuf__puts(ob, ".Bl -tag -width Ds\n");
	for (const struct opt_word *w = o->words; w->word; w++) {
		outbuf__printf(ob, ".It Cm %s\n", w->word);
		word_text(w, text, sizeof(text));
		mdoc_text(ob, text);
	}
	outbuf__puts(ob, ".El\n");
}

static void man_options(struct outbuf *ob, enum cmd_id id)
{
	outbuf__puts(ob, ".Bl -tag -width Ds\n");
	for (size_t i = 0; i < cli_nopts; i++)
		if (cli__takes(id, &cli_opts[i]))
			man_option(ob, &cli_opts[i]);
	outbuf__puts(ob, ".El\n");
}

/* ---- the bash completion ---- */

static const char *value_kind(const struct opt *o)
{
	switch (o->values) {
	case OV_TEXT:
		return "other";
	case OV_FILE:
		return "file";
	case OV_USER:
		return "user";
	case OV_EVENTS:
		return "events";
	case OV_SIGNALS:
		return "signals";
	case OV_WORDS:
		return "words";
	case OV_NONE:
		break;
	}
	return NULL;
}

/* `echo "WORDS"` on lines of about 100 columns, the words given as separate strings. */
static void bash_echo(struct outbuf *ob, const char *words)
{
	int col = 0;

	outbuf__puts(ob, "echo \"");
	for (const char *p = words; *p;) {
		size_t len = strcspn(p, " ");

		if (col && col + len > 88) {
			outbuf__puts(ob, "\" \\\n\t\t\t\"");
			col = 0;
		} else if (col) {
			outbuf__putc(ob, ' ');
		}
		outbuf__write(ob, p, len);
		col += len + 1;
		p += len + strspn(p + len, " ");
	}
	outbuf__puts(ob, "\" ;;\n");
}

static void bash_options(struct outbuf *ob)
{
	char list[TEXT_MAX];

	outbuf__puts(ob, "# The options of command $1, short and long.\n_proclife_options()\n{\n\tcase $1 in\n");
	for (int id = 0; id < CMD_MAX; id++) {
		size_t n = 0;

		list[0] = '\0';
		for (size_t i = 0; i < cli_nopts && n < sizeof(list); i++) {
			const struct opt *o = &cli_opts[i];

			if (!cli__takes(id, o))
				continue;
			if (o->letter)
				n += snprintf(list + n, sizeof(list) - n, "-%c ", o->letter);
			n += snprintf(list + n, sizeof(list) - n, "--%s ", o->name);
		}
		outbuf__printf(ob, "\t%s)\n\t\t", cmd_infos[id].name);
		bash_echo(ob, list);
	}
	outbuf__puts(ob, "\tesac\n}\n");
}

static void bash_value_kinds(struct outbuf *ob)
{
	outbuf__puts(ob, "\n# What the value of option $2 of command $1 is: events, signals, 'words W...' (one of\n"
			 "# them), file, user, other (a number, a time, a name: nothing to offer), or nothing\n"
			 "# when $2 takes no value.\n_proclife_value_kind()\n{\n\tcase $1:$2 in\n");
	for (int id = 0; id < CMD_MAX; id++) {
		for (size_t i = 0; i < cli_nopts; i++) {
			const struct opt *o = &cli_opts[i];
			const char *kind = value_kind(o);

			if (!cli__takes(id, o) || !kind)
				continue;
			outbuf__puts(ob, "\t");
			if (o->letter)
				outbuf__printf(ob, "%s:-%c | ", cmd_infos[id].name, o->letter);
			outbuf__printf(ob, "%s:--%s) echo \"%s", cmd_infos[id].name, o->name, kind);
			for (const struct opt_word *w = o->words; o->values == OV_WORDS && w->word; w++)
				outbuf__printf(ob, " %s", w->word);
			outbuf__puts(ob, "\" ;;\n");
		}
	}
	outbuf__puts(ob, "\tesac\n}\n");
}

static void completion(struct outbuf *ob)
{
	char list[TEXT_MAX];
	size_t n = 0;

	for (int id = 0; id < CMD_MAX; id++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", id ? " " : "", cmd_infos[id].name);
	outbuf__printf(ob, "_proclife_commands=\"%s\"\n", list);
	events__names(list, sizeof(list), " ");
	outbuf__printf(ob, "_proclife_events=\"%s all none\"\n", list);
	/* The classic names: the realtime ones are for typing (SIGRTMIN+3), not for offering. */
	n = 0;
	for (int sig = 1; sig < 32; sig++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", sig > 1 ? " " : "", names__signal(sig) + 3);
	outbuf__printf(ob, "# What `proclife signals -s` takes (also with SIG in front, or as numbers).\n"
			   "_proclife_signals=\"%s\"\n\n", list);
	bash_options(ob);
	bash_value_kinds(ob);
}

/* ---- docs/OPTIONS.md ---- */

/* Text in a Markdown table cell: what Markdown would take for markup escaped. */
static void md_text(struct outbuf *ob, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\|*_[]<>`", *s))
			outbuf__putc(ob, '\\');
		outbuf__putc(ob, *s);
	}
}

static void md_option(struct outbuf *ob, const struct opt *o)
{
	char head[64], text[TEXT_MAX];

	cli__opt_head(o, head, sizeof(head));
	full_text(o, text, sizeof(text));
	outbuf__printf(ob, "| `%s` | ", head);
	md_text(ob, text);
	for (const struct opt_word *w = o->words; has_word_help(o) && w->word; w++) {
		word_text(w, text, sizeof(text));
		outbuf__printf(ob, "<br>`%s`: ", w->word);
		md_text(ob, text);
	}
	outbuf__puts(ob, " |\n");
}

/* A paragraph a line ('\n' in the table's text breaks a paragraph). */
static void md_paragraphs(struct outbuf *ob, const char *text)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		outbuf__write(ob, p, len);
		outbuf__puts(ob, "\n\n");
		p += len + (p[len] == '\n');
	}
}

static void md_command(struct outbuf *ob, enum cmd_id id)
{
	const struct cmd_info *ci = &cmd_infos[id];

	outbuf__printf(ob, "## proclife %s\n\n```\n", ci->name);
	for (const char *line = ci->usage; *line;) {
		size_t len = strcspn(line, "\n");

		outbuf__printf(ob, "proclife %.*s\n", (int)len, line);
		line += len + (line[len] == '\n');
	}
	outbuf__puts(ob, "```\n\n");
	md_paragraphs(ob, ci->about);
	outbuf__puts(ob, "| Option | What it does |\n|---|---|\n");
	for (size_t i = 0; i < cli_nopts; i++)
		if (cli__takes(id, &cli_opts[i]))
			md_option(ob, &cli_opts[i]);
	outbuf__puts(ob, "\n");
	if (ci->more)
		md_paragraphs(ob, ci->more);
}

/* Which command takes which option: a row per option of the table. */
static void md_index(struct outbuf *ob)
{
	char head[64];

	outbuf__puts(ob, "## Which command takes which option\n\n| Option |");
	for (int id = 0; id < CMD_MAX; id++)
		outbuf__printf(ob, " %s |", cmd_infos[id].name);
	outbuf__puts(ob, "\n|---|");
	for (int id = 0; id < CMD_MAX; id++)
		outbuf__puts(ob, ":-:|");
	outbuf__putc(ob, '\n');
	for (size_t i = 0; i < cli_nopts; i++) {
		cli__opt_head(&cli_opts[i], head, sizeof(head));
		outbuf__printf(ob, "| `%s` |", head);
		for (int id = 0; id < CMD_MAX; id++)
			outbuf__puts(ob, cli__takes(id, &cli_opts[i]) ? " x |" : " |");
		outbuf__putc(ob, '\n');
	}
	outbuf__putc(ob, '\n');
}

/* The commands, and what each does. */
static void md_commands(struct outbuf *ob)
{
	outbuf__puts(ob, "## The commands\n\n| Command | What it does |\n|---|---|\n");
	for (int id = 0; id < CMD_MAX; id++)
		outbuf__printf(ob, "| [`proclife %s`](#proclife-%s) | %s |\n", cmd_infos[id].synopsis, cmd_infos[id].name,
			       cmd_infos[id].summary);
	outbuf__putc(ob, '\n');
}

static void options_page(struct outbuf *ob)
{
	md_commands(ob);
	md_index(ob);
	for (int id = 0; id < CMD_MAX; id++)
		md_command(ob, id);
}

/* ---- the regions ---- */

/*
 * "man-options CMD...": the list of the first command's options; the
 * others (a subsection of the page for several) must take the same.
 */
static int man_region(const char *names, size_t len, struct outbuf *ob)
{
	char buf[128], *save = NULL, *tok;
	int first = -1, id;

	snprintf(buf, sizeof(buf), "%.*s", (int)len, names);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		id = cli__find(tok);
		if (id < 0)
			return -EINVAL;
		if (first < 0)
			first = id;
		for (size_t i = 0; i < cli_nopts; i++)
			if (cli__takes(id, &cli_opts[i]) != cli__takes(first, &cli_opts[i]))
				return -EINVAL;
	}
	if (first < 0)
		return -EINVAL;
	man_options(ob, first);
	return 0;
}

/* What region name makes, into ob: 0, or -EINVAL for a name nothing makes. */
static int region(const char *name, size_t len, struct outbuf *ob)
{
	if (len == 10 && !strncmp(name, "completion", len)) {
		completion(ob);
		return 0;
	}
	if (len == 12 && !strncmp(name, "options-page", len)) {
		options_page(ob);
		return 0;
	}
	if (len > 12 && !strncmp(name, "man-options ", 12))
		return man_region(name + 12, len - 12, ob);
	return -EINVAL;
}

/*
 * The region name on a marker line (after "BEGIN GENERATED " or "END
 * GENERATED "), or NULL: its words up to the end of the line, a '(' (a
 * remark) or a comment's end ("-->").
 */
static const char *marker(const char *line, size_t len, const char *what, size_t *name_len)
{
	const char *p = memmem(line, len, what, strlen(what)), *end = line + len;
	size_t n = 0;

	if (!p)
		return NULL;
	p += strlen(what);
	while (p + n < end && p[n] != '\n' && p[n] != '(' && strncmp(p + n, "-->", 3))
		n++;
	while (n && p[n - 1] == ' ')
		n--;
	*name_len = n;
	return p;
}

int optdoc__splice(const char *text, size_t len, struct outbuf *out, char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *name = NULL;
	size_t name_len = 0, n;
	int regions = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *next = nl ? nl + 1 : end, *m;

		if (!name) {
			outbuf__write(out, p, next - p);
			name = marker(p, next - p, "BEGIN GENERATED ", &name_len);
			if (name && region(name, name_len, out)) {
				snprintf(err, errlen, "unknown region '%.*s'", (int)name_len, name);
				return -EINVAL;
			}
		} else if ((m = marker(p, next - p, "END GENERATED ", &n)) && n == name_len &&
			   !strncmp(m, name, n)) {
			outbuf__write(out, p, next - p);
			name = NULL;
			regions++;
		}
		p = next;
	}
	if (name) {
		snprintf(err, errlen, "region '%.*s' has no END GENERATED line", (int)name_len, name);
		return -EINVAL;
	}
	return regions;
}

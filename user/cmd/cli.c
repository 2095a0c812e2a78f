// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "kernel/tracer.h"
#include "cmd/cli.h"

/* getopt_long's value for cli_opts[i]; short letters are below it. */
#define OPT_VAL_BASE 0x100

int cli__find(const char *name)
{
	for (int id = 0; id < CMD_MAX; id++)
		if (!strcmp(name, cmd_infos[id].name))
			return id;
	return -1;
}

size_t cli__command_names(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int id = 0; id < CMD_MAX && n < size; id++)
		n += snprintf(buf + n, size - n, "%s%s", id ? ", " : "", cmd_infos[id].name);
	return n < size ? n : size - 1;
}

/* ---- parsing ---- */

/* getopt_long's arrays for command id: longopts (cli_nopts + 1 of them) and the short options (2 * cli_nopts + 3). */
static void build(enum cmd_id id, struct option *longopts, char *shorts)
{
	size_t n = 0, k = 0;

	/* "+": CMD's own options are its own. ':': a missing value is told apart from an unknown option. */
	if (cmd_infos[id].operands == OPERANDS_COMMAND)
		shorts[k++] = '+';
	shorts[k++] = ':';
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct opt *o = &cli_opts[i];

		if (!cli__takes(id, o))
			continue;
		longopts[n++] = (struct option){ o->name, o->meta ? required_argument : no_argument, NULL,
						 OPT_VAL_BASE + (int)i };
		if (o->letter) {
			shorts[k++] = o->letter;
			if (o->meta)
				shorts[k++] = ':';
		}
	}
	longopts[n] = (struct option){};
	shorts[k] = '\0';
}

/* The option getopt_long returned ch for. */
static const struct opt *lookup(enum cmd_id id, int ch)
{
	if (ch >= OPT_VAL_BASE)
		return &cli_opts[ch - OPT_VAL_BASE];
	for (size_t i = 0; i < cli_nopts; i++)
		if (cli_opts[i].letter == ch && cli__takes(id, &cli_opts[i]))
			return &cli_opts[i];
	return NULL;
}

/* The long options of id that name (up to '=') abbreviates, into buf; how many. */
static int matches(enum cmd_id id, const char *name, char *buf, size_t size)
{
	size_t len = strcspn(name, "="), n = 0;
	int count = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct opt *o = &cli_opts[i];

		if (cli__takes(id, o) && !strncmp(o->name, name, len) && n < size) {
			if (strlen(o->name) == len)
				return 1; /* exact */
			n += snprintf(buf + n, size - n, "%s--%s", count ? ", " : "", o->name);
			count++;
		}
	}
	return count;
}

/* getopt_long() returned ':' (a value missing) or '?': what was wrong, in err. -EINVAL. */
static int bad_option(enum cmd_id id, int ch, char **argv, char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];
	bool is_long = !strncmp(arg, "--", 2);
	char names[256];

	if (ch == ':' && is_long)
		snprintf(err, errlen, "option '%.32s' needs a value", arg);
	else if (ch == ':')
		snprintf(err, errlen, "option '-%c' needs a value", optopt);
	else if (is_long && optopt)
		snprintf(err, errlen, "option '--%.*s' takes no value", (int)strcspn(arg + 2, "="), arg + 2);
	else if (is_long && matches(id, arg + 2, names, sizeof(names)) > 1)
		snprintf(err, errlen, "option '%.32s' is ambiguous (%s)", arg, names);
	else if (is_long)
		snprintf(err, errlen, "unknown option '%.32s'", arg);
	else
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	return -EINVAL;
}

/* What follows the options: per cmd_info.operands. */
static int operands(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	int i = optind;

	switch (cmd_infos[c->cmd].operands) {
	case OPERANDS_COMMAND:
		if (i < argc)
			c->command = argv + i;
		return 0;
	case OPERANDS_FILES:
		if (i >= argc) {
			snprintf(err, errlen, "needs a FILE");
			return -EINVAL;
		}
		c->files = argv + i;
		c->nfiles = argc - i;
		return 0;
	case OPERAND_PID:
		if (i >= argc) {
			snprintf(err, errlen, "needs a PID");
			return -EINVAL;
		}
		/* fallthrough */
	case OPERAND_PID_OPTIONAL:
		if (i < argc && parse_pid(argv[i], &c->operand_pid)) {
			snprintf(err, errlen, "PID must be a process id, not '%.32s'", argv[i]);
			return -EINVAL;
		}
		i += i < argc;
		break;
	case OPERANDS_NONE:
		break;
	}
	if (i < argc) {
		snprintf(err, errlen, "unexpected argument '%.32s'", argv[i]);
		return -EINVAL;
	}
	return 0;
}

/* Nothing given yet: the defaults, those of the table through the options' own handlers. */
static int defaults(enum cmd_id id, int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	*c = (struct cli){ .cmd = id, .argc = argc, .argv = argv, .uid = PL_UID_ANY, .auid = PL_UID_ANY,
			   .session = PL_UID_ANY, .tty = PL_UID_ANY, .format = -1 };
	c->rec.hup_rotates = cmd_infos[id].hup_rotates;
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct opt *o = &cli_opts[i];

		if (o->def && cli__takes(id, o) && o->set(c, o, o->def, err, errlen))
			return -EINVAL; /* a table that contradicts itself: tests/unit/cmd/test_optable.c */
	}
	return 0;
}

int cli__parse(enum cmd_id id, int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	struct option longopts[cli_nopts + 1];
	char shorts[2 * cli_nopts + 3];
	const struct opt *o;
	int ch, r;

	if (defaults(id, argc, argv, c, err, errlen))
		return -EINVAL;
	build(id, longopts, shorts);
	optind = 0; /* a full reset: parsing may run more than once (tests) */
	opterr = 0; /* our own one-line messages */
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		o = ch == ':' || ch == '?' ? NULL : lookup(id, ch);
		if (!o)
			return bad_option(id, ch, argv, err, errlen);
		r = o->set(c, o, optarg, err, errlen);
		if (r)
			return r;
	}
	if (operands(c, argc, argv, err, errlen))
		return -EINVAL;
	if (cmd_infos[id].check && cmd_infos[id].check(c, err, errlen))
		return -EINVAL;
	if (rec_cli__check(&c->rec, err, errlen) || metrics_cli__check(&c->metrics, c->rec.nread, err, errlen))
		return -EINVAL;
	return OPTS_RUN;
}

/* ---- the help ---- */

void cli__wrap(struct outbuf *ob, const char *text, int col, int indent, int width)
{
	for (const char *p = text; *p;) {
		size_t word = strcspn(p, " \n");

		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '\n') {
			outbuf__printf(ob, "\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		if (col > indent && col + 1 + (int)word > width) {
			outbuf__printf(ob, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			outbuf__putc(ob, ' ');
			col++;
		}
		outbuf__write(ob, p, word);
		col += word;
		p += word;
	}
	outbuf__putc(ob, '\n');
}

size_t cli__opt_head(const struct opt *o, char *buf, size_t size)
{
	size_t n = 0;

	if (o->letter)
		n += snprintf(buf, size, "-%c, ", o->letter);
	n += snprintf(buf + n, size - n, "--%s", o->name);
	if (o->meta && n < size)
		n += snprintf(buf + n, size - n, " %s", o->meta);
	return n < size ? n : size - 1;
}

size_t cli__opt_help(const struct opt *o, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const char *p = o->help; *p && n + 1 < size;) {
		if (!strncmp(p, "{events}", 8)) {
			n += events__names(buf + n, size - n, ", ");
			p += 8;
		} else if (!strncmp(p, "{values}", 8)) {
			n += opt__words(o, buf + n, size - n);
			p += 8;
		} else if (!strncmp(p, "{range}", 7)) {
			n += snprintf(buf + n, size - n, "%.15g to %.15g", o->min, o->max);
			p += 7;
		} else {
			buf[n++] = *p++;
			buf[n] = '\0';
		}
	}
	if (o->def && n < size)
		n += snprintf(buf + n, size - n, " (default: %s)", o->def);
	return n < size ? n : size - 1;
}

/* An OV_WORDS option's words that have a help of their own, one a line under the option's. */
static void help_words(struct outbuf *ob, const struct opt *o)
{
	int width = 0;

	for (const struct opt_word *w = o->words; w && w->word; w++)
		if (w->help && (int)strlen(w->word) > width)
			width = strlen(w->word);
	for (const struct opt_word *w = o->words; w && w->word; w++) {
		if (!w->help)
			continue;
		outbuf__printf(ob, "%*s%-*s  ", CLI_HELP_COL + 2, "", width, w->word);
		cli__wrap(ob, w->help, CLI_HELP_COL + 4 + width, CLI_HELP_COL + 4 + width, CLI_HELP_WIDTH);
	}
}

static void help_option(struct outbuf *ob, const struct opt *o)
{
	char head[64], text[1024];
	size_t n = cli__opt_head(o, head, sizeof(head));

	cli__opt_help(o, text, sizeof(text));
	outbuf__printf(ob, "  %s%s", o->letter ? "" : "    ", head);
	n += o->letter ? 2 : 6;
	/* A head too wide for the column gets a line of its own. */
	if (n + 1 > CLI_HELP_COL)
		outbuf__printf(ob, "\n%*s", CLI_HELP_COL, "");
	else
		outbuf__printf(ob, "%*s", CLI_HELP_COL - (int)n, "");
	cli__wrap(ob, text, CLI_HELP_COL, CLI_HELP_COL, CLI_HELP_WIDTH);
	help_words(ob, o);
}

/* watch's help lists the other commands. */
static void help_commands(struct outbuf *ob)
{
	int width = 0;

	for (int id = 1; id < CMD_MAX; id++)
		if ((int)strlen(cmd_infos[id].synopsis) > width)
			width = strlen(cmd_infos[id].synopsis);
	outbuf__puts(ob, "\nOther commands (each has --help):\n");
	for (int id = 1; id < CMD_MAX; id++) {
		outbuf__printf(ob, "  proclife %-*s  ", width, cmd_infos[id].synopsis);
		cli__wrap(ob, cmd_infos[id].summary, 13 + width, 13 + width, CLI_HELP_WIDTH);
	}
}

void cli__help(enum cmd_id id, struct outbuf *ob)
{
	const struct cmd_info *ci = &cmd_infos[id];

	for (const char *line = ci->usage; *line;) {
		size_t len = strcspn(line, "\n");

		outbuf__printf(ob, "%s proclife %.*s\n", line == ci->usage ? "Usage:" : "      ", (int)len, line);
		line += len + (line[len] == '\n');
	}
	cli__wrap(ob, ci->about, 0, 0, CLI_HELP_WIDTH);
	if (id == CMD_WATCH)
		help_commands(ob);
	outbuf__putc(ob, '\n');
	for (size_t i = 0; i < cli_nopts; i++)
		if (cli__takes(id, &cli_opts[i]))
			help_option(ob, &cli_opts[i]);
	if (ci->more) {
		outbuf__putc(ob, '\n');
		cli__wrap(ob, ci->more, 0, 0, CLI_HELP_WIDTH);
	}
}

/* ---- errors ---- */

const char *cli__who(enum cmd_id id)
{
	static char who[CMD_MAX][32];

	if (id == CMD_WATCH || id >= CMD_MAX)
		return "proclife";
	if (!who[id][0])
		snprintf(who[id], sizeof(who[id]), "proclife %s", cmd_infos[id].name);
	return who[id];
}

static void say(enum cmd_id id, const char *hint, const char *fmt, va_list ap)
{
	char raw[1024], text[1024];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* It quotes the command line and names files: escaped as msg__say() escapes (base/msg.h). */
	escape__text_str(text, sizeof(text), raw, strlen(raw));
	if (hint)
		fprintf(stderr, "%s: %s (try '%s --help')\n", cli__who(id), text, cli__who(id));
	else
		fprintf(stderr, "%s: %s\n", cli__who(id), text);
}

int cli__usage_error(enum cmd_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(id, "try", fmt, ap);
	va_end(ap);
	return 2;
}

int cli__fail(enum cmd_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(id, NULL, fmt, ap);
	va_end(ap);
	return 1;
}

void cli__say(enum cmd_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(id, NULL, fmt, ap);
	va_end(ap);
}

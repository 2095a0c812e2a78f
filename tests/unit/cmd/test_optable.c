// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The option and command tables (cmd/optable.c) hold together, and every
 * command's parser, help and errors are what they say: no two options of a
 * command share a long name or a letter, every option has its help, every
 * command accepts exactly its options, defaults parse, the help fits 80
 * columns and names every option, and errors have the one form.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/names.h"
#include "base/redact.h"
#include "model/model.h"
#include "cmd/cli.h"
#include "cmd/common.h"

TL_DEFINE_STATE;

static struct cli c;
static char err[512];

/* cli__parse of the command with the given arguments (argv[0] is the command's name). */
static int parse(enum cmd_id id, const char *a1, const char *a2, const char *a3)
{
	static char *argv[5];
	int argc = 0;

	argv[argc++] = (char *)cmd_infos[id].name;
	for (const char *a[] = { a1, a2, a3 }, **p = a; p < a + 3 && *p; p++)
		argv[argc++] = (char *)*p;
	argv[argc] = NULL;
	err[0] = '\0';
	return cli__parse(id, argc, argv, &c, err, sizeof(err));
}

static void test_tables(void)
{
	ASSERT_EQ(cli_nopts > 0, true);
	for (int id = 0; id < CMD_MAX; id++) {
		const struct cmd_info *ci = &cmd_infos[id];

		ASSERT_TRUE(ci->name && ci->synopsis && ci->summary && ci->usage && ci->about);
		ASSERT_EQ(cli__find(ci->name), id);
	}
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct opt *o = &cli_opts[i];

		if (!ASSERT_TRUE(o->name && o->help && *o->help && o->set))
			continue;
		ASSERT_EQ(strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(o->name));
		if (!ASSERT_TRUE(o->cmds != 0 && (o->cmds & ~CMDS_ALL) == 0))
			printf("    --%s: commands 0x%x\n", o->name, o->cmds);
		/* A value has a name and a kind; an option without one has neither. */
		if (!ASSERT_EQ(!o->meta, o->values == OV_NONE))
			printf("    --%s: meta %s, values %d\n", o->name, o->meta ? o->meta : "NULL", o->values);
		if (o->values == OV_WORDS)
			ASSERT_TRUE(o->words && o->words[0].word && o->words[1].word);
		/* The help is a phrase the printer wraps: no line breaks, no period at its end (an ellipsis may). */
		ASSERT_FALSE(strchr(o->help, '\n'));
		if (!ASSERT_TRUE(o->help[strlen(o->help) - 1] != '.' || strstr(o->help, "...") == o->help + strlen(o->help) - 3))
			printf("    --%s: \"%s\"\n", o->name, o->help);
	}
}

/* No two options of one command share a long name or a letter. */
static void test_unique(void)
{
	for (int id = 0; id < CMD_MAX; id++) {
		for (size_t i = 0; i < cli_nopts; i++) {
			for (size_t j = i + 1; j < cli_nopts; j++) {
				const struct opt *a = &cli_opts[i], *b = &cli_opts[j];

				if (!cli__takes(id, a) || !cli__takes(id, b))
					continue;
				if (!ASSERT_TRUE(strcmp(a->name, b->name)) || (a->letter && !ASSERT_NEQ(a->letter, b->letter)))
					printf("    %s: --%s and --%s\n", cmd_infos[id].name, a->name, b->name);
			}
		}
	}
}

/* Every command takes exactly its options: each of the table's long names, and each letter. */
static void test_accepts_exactly(void)
{
	char name[64], unknown[96];

	for (int id = 0; id < CMD_MAX; id++) {
		for (size_t i = 0; i < cli_nopts; i++) {
			const struct opt *o = &cli_opts[i];
			bool takes = false;

			for (size_t j = 0; j < cli_nopts; j++)
				takes |= !strcmp(cli_opts[j].name, o->name) && cli__takes(id, &cli_opts[j]);
			snprintf(name, sizeof(name), "--%s", o->name);
			snprintf(unknown, sizeof(unknown), "unknown option '%s'", name);
			parse(id, name, o->meta ? "1" : NULL, NULL);
			if (!ASSERT_EQ(strcmp(err, unknown) != 0, takes))
				printf("    %s %s: %s\n", cmd_infos[id].name, name, err);
		}
		for (int ch = '0'; ch <= 'z'; ch++) {
			char letter[3] = { '-', ch, 0 };
			const struct opt *o = NULL;

			if (!isalnum(ch))
				continue;
			for (size_t j = 0; j < cli_nopts; j++)
				if (cli_opts[j].letter == ch && cli__takes(id, &cli_opts[j]))
					o = &cli_opts[j];
			snprintf(unknown, sizeof(unknown), "unknown option '%s'", letter);
			parse(id, letter, o && o->meta ? "1" : NULL, NULL);
			if (!ASSERT_EQ(strcmp(err, unknown) != 0, o != NULL))
				printf("    %s %s: %s\n", cmd_infos[id].name, letter, err);
		}
	}
}

/* Defaults are given as typed, through the option's own handler: each one parses. */
static void test_defaults(void)
{
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct opt *o = &cli_opts[i];
		struct cli d = {};

		if (o->def && !ASSERT_EQ(o->set(&d, o, o->def, err, sizeof(err)), 0))
			printf("    --%s %s: %s\n", o->name, o->def, err);
	}
	ASSERT_EQ(parse(CMD_WATCH, NULL, NULL, NULL), OPTS_RUN);
	ASSERT_EQ(c.events, PL_EV_ALL | DV_ALL);
	ASSERT_EQ(c.args_cap, PL_ARGS_DEFAULT);
	ASSERT_EQ(c.zombie_after_ns, 5000000000ull);
	ASSERT_EQ(parse(CMD_TOP, NULL, NULL, NULL), OPTS_RUN);
	ASSERT_EQ(c.delay_ns, 250000000ull);
	ASSERT_EQ(parse(CMD_SIGNALS, NULL, NULL, NULL), OPTS_RUN);
	ASSERT_EQ(c.sort, SIGNAL_SORT_COUNT);
	/* A default said in words in the help, the code's: --metrics-interval. */
	for (size_t i = 0; i < cli_nopts; i++) {
		char want[32];

		snprintf(want, sizeof(want), "(default: %llu)", METRICS_CLI_INTERVAL_DEFAULT / 1000000000ull);
		if (!strcmp(cli_opts[i].name, "metrics-interval"))
			ASSERT_TRUE(strstr(cli_opts[i].help, want));
	}
}

/* Values reach their fields: words by their index, the operands. */
static void test_values(void)
{
	ASSERT_EQ(parse(CMD_SIGNALS, "--sort", "target", NULL), OPTS_RUN);
	ASSERT_EQ(c.sort, SIGNAL_SORT_TARGET);
	ASSERT_EQ(parse(CMD_SIGNALS, "-s", "TERM,9", "--failed"), OPTS_RUN);
	ASSERT_EQ(c.sigs, (1ull << 15) | (1ull << 9));
	ASSERT_TRUE(c.failed_only);
	ASSERT_EQ(parse(CMD_EXPORT, "--format=dot", "-r", "x.plr"), OPTS_RUN);
	ASSERT_EQ(c.format, FORMAT_DOT);
	ASSERT_EQ(parse(CMD_TREE, "12", "-w", NULL), OPTS_RUN);
	ASSERT_EQ(c.operand_pid, 12);
	ASSERT_TRUE(c.wide);
	ASSERT_EQ(parse(CMD_LIFE, "-r", "x.plr", "400"), OPTS_RUN);
	ASSERT_EQ(c.operand_pid, 400);
	/* run: options stop at CMD, whose own options are its own. */
	ASSERT_EQ(parse(CMD_RUN, "-q", "ls", "-l"), OPTS_RUN);
	ASSERT_TRUE(c.quiet);
	ASSERT_STREQ(c.command[0], "ls");
	ASSERT_STREQ(c.command[1], "-l");
	ASSERT_EQ(parse(CMD_RUN, "--", "-x", NULL), OPTS_RUN);
	ASSERT_STREQ(c.command[0], "-x");
	ASSERT_EQ(parse(CMD_FEATURES, "-j", "-v", NULL), OPTS_RUN);
	ASSERT_TRUE(c.json && c.verbose);
	ASSERT_EQ(parse(CMD_WATCH, "--help", NULL, NULL), OPTS_HELP);
	ASSERT_EQ(parse(CMD_WATCH, "-V", NULL, NULL), OPTS_VERSION);
	ASSERT_EQ(parse(CMD_RECORD, "-h", NULL, NULL), OPTS_HELP);
}

/* The one-line reasons of a bad command line. */
static void test_errors(void)
{
	static const struct {
		enum cmd_id id;
		const char *a1, *a2, *a3, *err;
	} cases[] = {
		{ CMD_WATCH, "--json=1", NULL, NULL, "option '--json' takes no value" },
		{ CMD_WATCH, "--rot", NULL, NULL,
		  "option '--rot' is ambiguous (--rotate-size, --rotate-count, --rotate-existing)" },
		{ CMD_WATCH, "-jZ", NULL, NULL, "unknown option '-Z'" },
		{ CMD_WATCH, "-Zj", NULL, NULL, "unknown option '-Z'" },
		{ CMD_WATCH, "--json", "-e", NULL, "option '-e' needs a value" },
		{ CMD_WATCH, "--events", NULL, NULL, "option '--events' needs a value" },
		{ CMD_WATCH, "-e", "exec,nope", NULL,
		  "unknown event 'nope' (known: fork, exec, exec_failed, exit, reap, signal, deliver, rename, cred, stop, "
		  "continue, zombie, reparent, resync, container, all, none)" },
		{ CMD_WATCH, "stray", NULL, NULL, "unexpected argument 'stray'" },
		{ CMD_WATCH, "-e", "none", NULL, "--events none shows nothing: it goes with --metrics-file or --write FILE" },
		{ CMD_WATCH, "-e", "none,exec", NULL, "--events none goes alone, not in a list" },
		{ CMD_TREE, "1", "2", NULL, "unexpected argument '2'" },
		{ CMD_TREE, "abc", NULL, NULL, "PID must be a process id, not 'abc'" },
		{ CMD_TREE, "--count", "0", NULL, "--count needs a number from 1 to 1000000, not '0'" },
		{ CMD_TREE, "--count", "3", NULL, "--count goes with --every" },
		{ CMD_TOP, "-d", "61", NULL, "--delay needs seconds, 0.05 to 60, not '61'" },
		{ CMD_SIGNALS, "--sort", "size", NULL, "--sort takes count, time, signal, sender or target, not 'size'" },
		{ CMD_SIGNALS, "-s", "SIGNOPE", NULL, "unknown signal 'SIGNOPE'" },
		{ CMD_EXPORT, "-f", "svg", NULL, "--format takes perfetto or dot, not 'svg'" },
		{ CMD_EXPORT, "-r", "x.plr", NULL, "needs --format perfetto or dot" },
		{ CMD_LIFE, "-r", "x.plr", NULL, "needs a PID" },
		{ CMD_RECORD, "--force", NULL, NULL, "needs --write FILE" },
		{ CMD_RECORD, "-w", "x", "--rotate-count=1", "--rotate-count needs a number from 2 to 100000, not '1'" },
		{ CMD_RUN, NULL, NULL, NULL, "no command given: proclife run [OPTIONS] -- CMD [ARGS...]" },
		{ CMD_RUN, "--follow-leftovers", "x", "true", "--follow-leftovers needs seconds, 0.001 to 86400, not 'x'" },
		{ CMD_FEATURES, "--verbose=yes", NULL, NULL, "option '--verbose' takes no value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(parse(cases[i].id, cases[i].a1, cases[i].a2, cases[i].a3), -EINVAL);
		ASSERT_STREQ(err, cases[i].err);
	}
}

/*
 * What each command needs of the kernel: states (tree, zombies, top), or
 * every event (watch and the rest); a metrics-only watch keeps states; a
 * recording needs every event; a replay needs nothing of it.
 */
static void test_needs(void)
{
	static const struct {
		enum cmd_id id;
		const char *a1, *a2, *a3;
		bool lean;
	} cases[] = {
		{ CMD_TREE, NULL, NULL, NULL, true },
		{ CMD_TREE, "--every", "5", NULL, true },
		{ CMD_ZOMBIES, "--every", "5", NULL, true },
		{ CMD_TOP, NULL, NULL, NULL, true },
		{ CMD_TOP, "-w", "x.plr", NULL, false },
		{ CMD_TREE, "-r", "x.plr", NULL, false },
		{ CMD_WATCH, NULL, NULL, NULL, false },
		{ CMD_WATCH, "--metrics-file", "m.prom", NULL, false },
		{ CMD_WATCH, "-e", "none", "--metrics-file=m.prom", true },
		{ CMD_WATCH, "-e", "none", "--write=x.plr", false },
		{ CMD_SIGNALS, NULL, NULL, NULL, false },
		{ CMD_RECORD, "-w", "x.plr", NULL, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!ASSERT_EQ(parse(cases[i].id, cases[i].a1, cases[i].a2, cases[i].a3), OPTS_RUN))
			printf("  %s %s %s: %s\n", cmd_infos[cases[i].id].name, cases[i].a1, cases[i].a2, err);
		else if (cmd__lean(&c) != cases[i].lean)
			FAILF("%s %s %s %s: lean %d", cmd_infos[cases[i].id].name, cases[i].a1 ? cases[i].a1 : "",
			      cases[i].a2 ? cases[i].a2 : "", cases[i].a3 ? cases[i].a3 : "", !cases[i].lean);
	}
	for (int id = 0; id < CMD_MAX; id++)
		ASSERT_EQ(cmd_infos[id].needs == NEEDS_NONE,
			  id == CMD_LIFE || id == CMD_EXPORT || id == CMD_FEATURES || id == CMD_VERIFY);
}

/* What cli__usage_error() and cli__fail() print: one line, in the one form. */
static void test_error_lines(void)
{
	char buf[512] = "";
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	if (!ASSERT_TRUE(f && saved >= 0))
		return;
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	ASSERT_EQ(cli__usage_error(CMD_WATCH, "bad %s", "thing"), 2);
	ASSERT_EQ(cli__usage_error(CMD_TREE, "bad"), 2);
	ASSERT_EQ(cli__fail(CMD_EXPORT, "cannot open %s: %s", "x", "No such file or directory"), 1);
	cli__say(CMD_LIFE, "a note");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ASSERT_STREQ(buf, "proclife: bad thing (try 'proclife --help')\n"
			  "proclife tree: bad (try 'proclife tree --help')\n"
			  "proclife export: cannot open x: No such file or directory\n"
			  "proclife life: a note\n");
}

/* Every command's help: its usage first, every option it takes, no line past 80 columns. */
static void test_help(void)
{
	char head[64], line[256];

	for (int id = 0; id < CMD_MAX; id++) {
		struct outbuf ob;
		const char *text;

		if (!ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
			return;
		cli__help(id, &ob);
		text = outbuf__cstr(&ob);
		snprintf(line, sizeof(line), "Usage: proclife %s", cmd_infos[id].name);
		ASSERT_TRUE(!strncmp(text, line, 15) && strstr(text, id == CMD_WATCH ? "[watch]" : line));
		for (size_t i = 0; i < cli_nopts; i++) {
			if (!cli__takes(id, &cli_opts[i]))
				continue;
			cli__opt_head(&cli_opts[i], head, sizeof(head));
			snprintf(line, sizeof(line), "  %s%s", cli_opts[i].letter ? "" : "    ", head);
			if (!ASSERT_TRUE(strstr(text, line)))
				printf("    %s --help: no line '%s'\n", cmd_infos[id].name, line);
		}
		for (const char *p = text; *p;) {
			size_t len = strcspn(p, "\n");

			if (!ASSERT_TRUE(len <= CLI_HELP_WIDTH))
				printf("    %s --help: %zu columns: %.*s\n", cmd_infos[id].name, len, (int)len, p);
			p += len + (p[len] == '\n');
		}
		/* The event names of --events are the names table's, not typed again. */
		if (id == CMD_WATCH)
			for (int t = 1; t < PL_EV_MAX; t++)
				ASSERT_TRUE(strstr(text, names__event(t)));
		outbuf__free(&ob);
	}
}

/* --redact-defaults' doc lists what each default catches, as base/redact.c's table says it. */
static void test_redact_defaults_doc(void)
{
	const struct opt *o = NULL;

	for (size_t i = 0; i < cli_nopts; i++)
		if (!strcmp(cli_opts[i].name, "redact-defaults"))
			o = &cli_opts[i];
	if (!ASSERT_TRUE(o && o->doc))
		return;
	for (int k = 0; redact_defaults[k].regex; k++)
		if (!ASSERT_TRUE(strstr(o->doc, redact_defaults[k].catches) != NULL))
			printf("    --redact-defaults' doc does not say: %s\n", redact_defaults[k].catches);
}

int main(void)
{
	tl_init("unit/optable");
	RUN_TEST(test_tables);
	RUN_TEST(test_unique);
	RUN_TEST(test_accepts_exactly);
	RUN_TEST(test_defaults);
	RUN_TEST(test_values);
	RUN_TEST(test_errors);
	RUN_TEST(test_needs);
	RUN_TEST(test_error_lines);
	RUN_TEST(test_help);
	RUN_TEST(test_redact_defaults_doc);
	return tl_finish();
}

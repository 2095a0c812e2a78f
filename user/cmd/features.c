// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * proclife features [--json] [--verbose]: what this kernel can give. Loads
 * and attaches every program group as tracing would (the verifier's and the
 * attach's word are the only sure ones), reads nothing, detaches, and says
 * per feature on / reduced / off and why.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "base/escape.h"
#include "base/outbuf.h"
#include "kernel/tracer.h"
#include "cmd/features.h"
#include "cmd/options.h"

struct features_opts {
	bool json, verbose;
};

static void usage(void)
{
	printf("Usage: proclife features [--json] [--verbose]\n"
	       "What this kernel lets proclife trace: the kernel, BTF, the BPF ring buffer, and each\n"
	       "feature on, reduced or off, with the reason. Exit status 1 when proclife cannot trace here.\n"
	       "      --json           one JSON document\n"
	       "  -v, --verbose        also the verifier's log of each refused program\n"
	       "  -h, --help           this help\n");
}

enum { OPT_JSON = 0x500 };

static int parse_args(int argc, char **argv, struct features_opts *o, char *msg, size_t size)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage();
			return 1;
		default:
			opts__bad_option(c, argv, msg, size);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(msg, size, "unexpected argument '%.32s'", argv[optind]);
		return -1;
	}
	return 0;
}

static void json_str(struct outbuf *ob, const char *s)
{
	if (!s) {
		outbuf__puts(ob, "null");
		return;
	}
	escape__json_string(ob, s, strlen(s));
}

static void print_json(struct outbuf *ob, const struct utsname *u, bool btf, bool ringbuf,
		       const struct kfeature_status *st, const char *fatal, bool verbose)
{
	outbuf__puts(ob, "{\"kernel\": ");
	json_str(ob, u->release);
	outbuf__puts(ob, ", \"kernel_version\": ");
	json_str(ob, u->version);
	outbuf__printf(ob, ", \"btf\": %s, \"ringbuf\": %s, \"traces\": %s, \"error\": ", btf ? "true" : "false",
		       ringbuf ? "true" : "false", fatal ? "false" : "true");
	json_str(ob, fatal);
	outbuf__puts(ob, ", \"features\": [");
	for (int f = 0; f < KF_MAX; f++) {
		outbuf__puts(ob, f ? ", {\"name\": " : "{\"name\": ");
		json_str(ob, kfeature__name(f));
		outbuf__puts(ob, ", \"title\": ");
		json_str(ob, kfeature__title(f));
		outbuf__puts(ob, ", \"state\": ");
		json_str(ob, st ? kfeature_state__name(st[f].state) : "off");
		outbuf__puts(ob, ", \"program\": ");
		json_str(ob, st ? st[f].program : NULL);
		outbuf__puts(ob, ", \"programs\": [");
		for (int j = 0; st && st[f].programs[j]; j++) {
			outbuf__puts(ob, j ? ", " : "");
			json_str(ob, st[f].programs[j]);
		}
		outbuf__putc(ob, ']');
		outbuf__puts(ob, ", \"why\": ");
		json_str(ob, st && st[f].state != KF_ON ? st[f].why : (st ? NULL : fatal));
		if (verbose) {
			outbuf__puts(ob, ", \"log\": ");
			json_str(ob, st ? st[f].log : NULL);
		}
		outbuf__putc(ob, '}');
	}
	outbuf__puts(ob, "]}\n");
}

static void print_text(struct outbuf *ob, const struct utsname *u, bool btf, bool ringbuf,
		       const struct kfeature_status *st, const char *fatal, bool verbose)
{
	outbuf__printf(ob, "kernel       %s (%s)\n", u->release, u->version);
	outbuf__printf(ob, "BTF          %s\n", btf ? "yes (/sys/kernel/btf/vmlinux)" : "no");
	outbuf__printf(ob, "ring buffer  %s\n", ringbuf ? "yes" : "no (Linux 5.8)");
	if (fatal)
		outbuf__printf(ob, "proclife cannot trace here: %s\n", fatal);
	outbuf__printf(ob, "\n%-10s %-8s %-24s %s\n", "FEATURE", "STATE", "PROGRAM", "WHAT, OR WHY NOT");
	for (int f = 0; f < KF_MAX; f++) {
		const char *state = st ? kfeature_state__name(st[f].state) : "off";
		const char *prog = st && st[f].program ? st[f].program : "-";

		outbuf__printf(ob, "%-10s %-8s %-24s %s\n", kfeature__name(f), state, prog, kfeature__title(f));
		if (st && st[f].state != KF_ON && st[f].why[0])
			outbuf__printf(ob, "%-10s %-8s %-24s %s\n", "", "", "", st[f].why);
		if (verbose && st && st[f].log) {
			outbuf__puts(ob, "--- verifier log ---\n");
			outbuf__puts(ob, st[f].log);
			outbuf__puts(ob, "\n--- end of log ---\n");
		}
	}
}

int features__main(int argc, char **argv)
{
	struct features_opts o = {};
	struct tracer_config cfg = { .events = PL_EV_ALL, .threads = true, .probe_only = true, .sample = true };
	struct tracer *t = NULL;
	struct utsname u;
	struct outbuf ob;
	char msg[512] = "";
	const char *fatal = NULL;
	bool btf, ringbuf;
	int r;

	r = parse_args(argc, argv, &o, msg, sizeof(msg));
	if (r)
		return r > 0 ? 0 : (fprintf(stderr, "proclife features: %s\n", msg), 2);
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	r = tracer__preflight(msg, sizeof(msg));
	if (r == -EPERM) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	if (!r)
		r = tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg));
	if (r)
		fatal = msg;
	if (outbuf__init(&ob, STDOUT_FILENO, 1 << 16) < 0) {
		tracer__free(t);
		return 1;
	}
	(o.json ? print_json : print_text)(&ob, &u, btf, ringbuf, t ? tracer__features(t) : NULL, fatal, o.verbose);
	outbuf__flush(&ob);
	outbuf__free(&ob);
	tracer__free(t);
	return fatal ? 1 : 0;
}

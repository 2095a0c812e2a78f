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

#include "base/outbuf.h"
#include "kernel/tracer.h"
#include "views/features_fmt.h"
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

int features__main(int argc, char **argv)
{
	struct features_opts o = {};
	struct tracer_config cfg = { .events = PL_EV_ALL, .threads = true, .probe_only = true, .sample = true };
	struct tracer *t = NULL;
	struct features_report rep;
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
	rep = (struct features_report){ .release = u.release, .version = u.version, .btf = btf, .ringbuf = ringbuf,
					.st = t ? tracer__features(t) : NULL, .fatal = fatal, .verbose = o.verbose };
	(o.json ? features_fmt__json : features_fmt__text)(&ob, &rep);
	outbuf__flush(&ob);
	outbuf__free(&ob);
	tracer__free(t);
	return fatal ? 1 : 0;
}

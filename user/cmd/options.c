// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* strptime, timegm */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>

#include "proclife.h"
#include "base/names.h"
#include "record/recording.h"
#include "model/model.h"
#include "cmd/options.h"

int parse_u32(const char *s, unsigned long max, __u32 *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Seconds with an optional fraction, 0.001..86400, into ns. */
int parse_seconds(const char *s, __u64 *ns)
{
	char *end;
	double v;

	if (!s || !*s || (*s < '0' || *s > '9'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0.001 || v > 86400)
		return -EINVAL;
	*ns = (__u64)(v * 1e9 + 0.5);
	return 0;
}

int events__parse(const char *list, __u32 *mask, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok, known[256];
	__u32 m = 0;

	if (!list || !*list || strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "--events needs a list of event names");
		return -EINVAL;
	}
	/* No event shown: watch's metrics-only run (--metrics-file), or a recording (-w FILE) shown nothing of. */
	if (!strcmp(list, "none")) {
		*mask = 0;
		return 0;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t;

		if (!strcmp(tok, "all")) {
			m |= PL_EV_ALL | DV_ALL;
			continue;
		}
		if (!strcmp(tok, "none")) {
			snprintf(err, errlen, "--events none goes alone, not in a list");
			return -EINVAL;
		}
		t = names__event_parse(tok);
		if (t >= 0) {
			m |= PL_EV_BIT(t);
			continue;
		}
		t = derived__parse(tok);
		if (t < 0) {
			events__names(known, sizeof(known), ", ");
			snprintf(err, errlen, "unknown event '%.32s' (known: %s, all, none)", tok, known);
			return -EINVAL;
		}
		m |= DV_BIT(t);
	}
	if (!m) {
		snprintf(err, errlen, "--events needs a list of event names");
		return -EINVAL;
	}
	*mask = m;
	return 0;
}

size_t events__names(char *buf, size_t size, const char *sep)
{
	size_t n = 0;

	buf[0] = '\0';
	/* The kernel's events (names__event), then the ones the model derives (derived__name). */
	for (int t = 1; t < PL_EV_MAX + DV_MAX - 1 && n < size; t++) {
		const char *name = t < PL_EV_MAX ? names__event(t) : derived__name(t - PL_EV_MAX + 1);

		n += snprintf(buf + n, size - n, "%s%s", n ? sep : "", name);
	}
	return n < size ? n : size - 1;
}

int parse_pid(const char *s, __u32 *pid)
{
	__u32 v;

	if (parse_u32(s, PID_MAX_LIMIT, &v) || v == 0)
		return -EINVAL;
	*pid = v;
	return 0;
}

int uid__parse(const char *s, __u32 *uid)
{
	struct passwd *pw;
	FILE *f;
	int ret = -EINVAL;

	if (parse_u32(s, UINT_MAX - 1, uid) == 0)
		return 0;
	/* fgetpwent reads the file itself: no NSS, which a static binary cannot load. */
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -EINVAL;
	while ((pw = fgetpwent(f))) {
		if (!strcmp(pw->pw_name, s)) {
			*uid = pw->pw_uid;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int parse_size(const char *s, __u64 *bytes)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	}
	if (v > (1ull << 40) >> shift) /* before shifting: no wrap-around */
		return -EINVAL;
	v <<= shift;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v < 4096 || v > (1ull << 40))
		return -EINVAL;
	*bytes = v;
	return 0;
}

int rec_cli__check(const struct rec_cli *rc, char *err, size_t errlen)
{
	if (rc->nread && rc->write) {
		snprintf(err, errlen, "--read and --write do not go together");
		return -EINVAL;
	}
	if (!rc->nread && (rc->since || rc->until)) {
		snprintf(err, errlen, "%s goes with --read FILE (a recording)", rc->since ? "--since" : "--until");
		return -EINVAL;
	}
	if (!rc->write && (rc->force || rc->rotate_size || rc->rotate_count || rc->rotate_existing || rc->seal_key)) {
		snprintf(err, errlen, "%s goes with --write FILE",
			 rc->force ? "--force" : rc->rotate_size ? "--rotate-size" :
			 rc->rotate_count ? "--rotate-count" : rc->rotate_existing ? "--rotate-existing" : "--seal-key");
		return -EINVAL;
	}
	if (rc->force && rc->rotate_existing) {
		snprintf(err, errlen, "--force (replace FILE) and --rotate-existing (keep it) do not go together");
		return -EINVAL;
	}
	/* Files kept: meaningful whenever FILE may rotate (by size, on SIGHUP, or an existing one at start). */
	if (rc->rotate_count && !rc->rotate_size && !rc->rotate_existing && !rc->hup_rotates) {
		snprintf(err, errlen, "--rotate-count goes with --rotate-size or --rotate-existing");
		return -EINVAL;
	}
	return 0;
}

int metrics_cli__check(struct metrics_cli *mc, bool replay, char *err, size_t errlen)
{
	if (mc->interval_ns && !mc->file) {
		snprintf(err, errlen, "--metrics-interval goes with --metrics-file PATH");
		return -EINVAL;
	}
	if (mc->file && replay) {
		snprintf(err, errlen, "--metrics-file is for live tracing, not with --read (metrics describe the host now)");
		return -EINVAL;
	}
	if (!mc->interval_ns)
		mc->interval_ns = METRICS_CLI_INTERVAL_DEFAULT;
	return 0;
}

void rec_cli__writer_opts(const struct rec_cli *rc, int argc, char **argv, __u32 flags, __u32 args_cap,
			  struct rec_writer_opts *o, char *cmd, size_t cmdlen)
{
	size_t n = snprintf(cmd, cmdlen, "proclife");

	for (int i = 0; i < argc && n < cmdlen; i++)
		n += snprintf(cmd + n, cmdlen - n, " %s", argv[i]);
	*o = (struct rec_writer_opts){
		.path = rc->write,
		.force = rc->force,
		.rotate_size = rc->rotate_size,
		.rotate_count = rc->rotate_count,
		.rotate_existing = rc->rotate_existing,
		.flags = flags,
		.args_cap = args_cap,
		.command = cmd,
	};
}

/* Digits then an optional .fraction: ns. */
static int parse_secs_frac(const char *s, char **end, __u64 *ns)
{
	unsigned long long sec;
	__u64 frac = 0, scale = 100000000;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	sec = strtoull(s, end, 10);
	if (errno || sec > 1ull << 33)
		return -EINVAL;
	if (**end == '.') {
		for ((*end)++; **end >= '0' && **end <= '9'; (*end)++, scale /= 10)
			frac += (**end - '0') * scale;
	}
	*ns = sec * 1000000000ull + frac;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac][Z]" or "HH:MM:SS[.frac]" (on the day start_ns is): wall-clock ns. */
static int parse_date(const char *s, __u64 start_ns, __s64 wall_offset_ns, __s64 *wall)
{
	struct tm tm = {};
	__u64 frac = 0, scale = 100000000;
	const char *rest = s;
	bool utc;
	time_t t;

	if (strchr(s, 'T') || strchr(s, ' ')) {
		rest = strptime(s, "%Y-%m-%d", &tm);
		if (!rest || (*rest != 'T' && *rest != ' '))
			return -EINVAL;
		rest++;
	} else {
		/* A time of day: on the day the recording started. */
		time_t st = (start_ns + wall_offset_ns) / 1000000000ull;

		localtime_r(&st, &tm);
	}
	rest = strptime(rest, "%H:%M:%S", &tm);
	if (!rest)
		return -EINVAL;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (*rest - '0') * scale;
	utc = *rest == 'Z';
	if (utc)
		rest++;
	if (*rest)
		return -EINVAL;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*wall = (__s64)t * 1000000000ll + frac;
	return 0;
}

int parse_instant(const char *s, __u64 start_ns, __s64 wall_offset_ns, __u64 *boot_ns)
{
	__u64 ns, unit;
	__s64 wall;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '+') {
		if (parse_secs_frac(s + 1, &end, &ns))
			return -EINVAL;
		unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : 1;
		if (*end == 'm' || *end == 'h' || *end == 's')
			end++;
		/* At most a century: and no wrap-around. */
		if (*end || ns > 100ull * 365 * 86400 * 1000000000ull / unit)
			return -EINVAL;
		*boot_ns = start_ns + ns * unit;
		return 0;
	}
	if (*s == '@') {
		if (parse_secs_frac(s + 1, &end, &ns) || *end)
			return -EINVAL;
		wall = ns;
	} else if (parse_date(s, start_ns, wall_offset_ns, &wall)) {
		return -EINVAL;
	}
	if (wall - wall_offset_ns < 0)
		return -ERANGE;
	*boot_ns = wall - wall_offset_ns;
	return 0;
}


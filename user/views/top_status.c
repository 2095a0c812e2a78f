// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <string.h>

#include "views/top_status.h"

static void set(struct top_status_msg *m, enum msg_level level, const char *text)
{
	size_t n = strlen(text), k;

	m->level = level;
	m->count = 1;
	/* Cut to fit, before a character that would not fit whole (the text is valid UTF-8). */
	if (n >= sizeof(m->text)) {
		n = sizeof(m->text) - 1;
		for (k = n; k > 0 && ((unsigned char)text[k] & 0xc0) == 0x80; k--)
			;
		n = k;
	}
	memcpy(m->text, text, n);
	m->text[n] = '\0';
}

static bool same(const struct top_status_msg *m, enum msg_level level, const char *text)
{
	return m->count && m->level == level && !strncmp(m->text, text, sizeof(m->text) - 1);
}

void top_status__sink(void *ctx, enum msg_level level, const char *text)
{
	struct top_status *s = ctx;

	s->shown = true;
	/* Said again (a resync failing at every poll): counted, not kept again. */
	if (same(&s->last, level, text)) {
		s->last.count++;
		if (s->last_kept)
			s->kept[s->n - 1].count++;
		else
			s->dropped++;
		return;
	}
	set(&s->last, level, text);
	s->last_kept = s->n < TOP_STATUS_KEEP;
	if (s->last_kept)
		s->kept[s->n++] = s->last;
	else
		s->dropped++;
}

/* " (N times)" after a message said more than once. */
static const char *times(char *buf, size_t size, __u64 count)
{
	if (count < 2)
		return "";
	snprintf(buf, size, " (%llu times)", (unsigned long long)count);
	return buf;
}

const char *top_status__line(const struct top_status *s, enum msg_level *level, char *buf, size_t size)
{
	char n[32];

	if (!s->shown)
		return NULL;
	if (level)
		*level = s->last.level;
	snprintf(buf, size, "proclife: %s%s", s->last.text, times(n, sizeof(n), s->last.count));
	return buf;
}

void top_status__dismiss(struct top_status *s)
{
	s->shown = false;
}

void top_status__replay(const struct top_status *s)
{
	char n[32], line[TOP_STATUS_TEXT + 128];

	/* Escaped by msg__say() when first said: relayed as they are. */
	for (size_t i = 0; i < s->n; i++) {
		snprintf(line, sizeof(line), "%s%s", s->kept[i].text, times(n, sizeof(n), s->kept[i].count));
		msg__relay(s->kept[i].level, line);
	}
	if (s->dropped) {
		snprintf(line, sizeof(line), "%llu more messages while the screen was up; the last: %s",
			 (unsigned long long)s->dropped, s->last.text);
		msg__relay(MSG_WARN, line);
	}
}

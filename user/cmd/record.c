// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife record -w FILE`: record every process lifecycle event on the
 * machine, and nothing else: no output until it stops (Ctrl-C, SIGTERM,
 * --duration). Replay with `proclife watch|tree|zombies|signals|life|export -r FILE`.
 */
#include "base/msg.h"
#include "record/recording.h"
#include "session/live.h"
#include "cmd/common.h"
#include "cmd/record.h"

int record__main(struct cli *c)
{
	/* SIGHUP starts a new file, as a rotation does: logrotate and systemctl reload. */
	struct cmd_session s = { .cli = c, .signals = CMD_SIG_STOP | CMD_SIG_PIPE | CMD_SIG_HUP,
				 .rec_flags = c->threads ? REC_F_THREADS : 0, .stop_on_record_error = true,
				 .summary = SUMMARY_EVENTS };
	int ret;

	s.cfg.model = true;
	s.cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .threads = c->threads, .args_cap = c->args_cap };
	ret = cmd_session__open(&s);
	if (!ret) {
		msg__say(MSG_INFO, "recording to %s, Ctrl-C to stop", c->rec.write);
		s.deadline = c->duration_ns ? live__now() + c->duration_ns : 0;
		ret = cmd_session__loop(&s);
	}
	if (!ret)
		ret = cmd_session__close(&s);
	cmd_session__free(&s);
	return ret;
}

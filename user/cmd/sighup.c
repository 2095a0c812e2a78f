// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/msg.h"
#include "base/outfile.h"
#include "cmd/sighup.h"

static volatile sig_atomic_t hup;

static void on_sighup(int sig)
{
	hup = 1;
}

void sighup__catch(void)
{
	struct sigaction sa = { .sa_handler = on_sighup };

	sigaction(SIGHUP, &sa, NULL);
}

bool sighup__take(void)
{
	if (!hup)
		return false;
	hup = 0;
	return true;
}

int sighup__open_output(const char *path, bool truncate)
{
	return outfile__open(path, truncate ? OUTFILE_TRUNCATE : OUTFILE_APPEND);
}

int sighup__reopen_output(struct outbuf *ob, const char *path)
{
	/* The new file first: if it cannot be had, the old one goes on and nothing is lost. */
	int fd = sighup__open_output(path, false), r;

	if (fd < 0) {
		msg__say(MSG_WARN, "SIGHUP: cannot reopen %s: %s; events go on to the file open before "
			 "(another SIGHUP tries again)", path, strerror(-fd));
		return fd;
	}
	/* Whole records only: the loop calls this between two of them, so the old file ends with a whole line. */
	r = outbuf__flush(ob);
	if (r < 0 && !ob->failing) {
		close(fd);
		return r; /* the caller reports the write error, as for any other flush */
	}
	r = 0;
	/* close() can report a failed write-back (NFS): said, though there is nothing left to do about it. */
	if (close(ob->fd) < 0 && errno != EINTR) {
		r = -errno;
		msg__say(MSG_WARN, "SIGHUP: closing the old %s: %s", path, strerror(-r));
	}
	ob->fd = fd;
	if (ob->line_mode)
		outbuf__lines(ob); /* the new file's lines */
	msg__say(MSG_INFO, "SIGHUP: reopened %s", path);
	return r;
}

int sighup__rotate_recording(struct live *l, const char *path)
{
	int r = live__rotate_recording(l);

	if (r == 0)
		msg__say(MSG_INFO, "SIGHUP: started a new %s (the previous one is now %s.1)", path, path);
	else if (r == -EAGAIN)
		msg__say(MSG_WARN, "SIGHUP: no new %s while the recording cannot be written: it goes on in the current "
			 "file once it can", path);
	else if (r != -ENOENT && !rec_writer__error(live__recorder(l)) && !rec_writer__failing(live__recorder(l)))
		/* The writer's failures are said by the session; this one is the scan's. */
		msg__say(MSG_WARN, "SIGHUP: the new %s has no /proc scan to start from: %s", path, strerror(-r));
	return r;
}

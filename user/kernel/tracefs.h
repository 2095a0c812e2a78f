/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The per-syscall tracepoints (syscalls:sys_exit_NAME), as a BPF program
 * attaches to them: each one's id is a file under tracefs
 * (events/syscalls/sys_exit_NAME/id), perf_event_open() makes an event of
 * it, and the program is attached to that event (one link per tracepoint;
 * the program then runs for that tracepoint on every CPU).
 *
 * tracefs is looked for where it is mounted (/sys/kernel/tracing, then
 * debugfs's /sys/kernel/debug/tracing). When it is mounted nowhere, it is
 * mounted at /sys/kernel/tracing if this process may (CAP_SYS_ADMIN), and
 * left mounted: systemd mounts it there at boot on most machines, and
 * another tracer may have started using it by the time proclife exits.
 */
#ifndef PROCLIFE_TRACEFS_H
#define PROCLIFE_TRACEFS_H

#include <stddef.h>

#define TRACEFS_DEFAULT "/sys/kernel/tracing"

/*
 * The events directory of tracefs into dir, mounting tracefs where it is
 * missing and allowed (said once through base/msg.h). 0, or -errno with
 * why in one line.
 */
int tracefs__events(char *dir, size_t len, char *why, size_t whylen);

/*
 * Can a program be attached to the exit tracepoint of each syscall in
 * names (comma-separated)? They exist, and perf_event_open() is allowed
 * (a seccomp filter may refuse it). 0, or -errno with why in one line.
 */
int tracefs__sys_exits_usable(const char *names, char *why, size_t whylen);

/*
 * A perf event of the exit tracepoint of syscall name, for a BPF program
 * to attach to: its fd, or -errno with why in one line.
 */
int tracefs__sys_exit_event(const char *name, char *why, size_t whylen);

#endif

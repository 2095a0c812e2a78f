/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Kernel test harness: loads the real BPF programs (system-wide), collects
 * every record, and lets a subtest wait, with a deadline, for the events of
 * its own pids.
 */
#ifndef PROCLIFE_KTEST_HARNESS_H
#define PROCLIFE_KTEST_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "kernel/event.h"
#include "kernel/tracer.h"

/*
 * Every wait's deadline: 10 s, or 30 s in the kernel matrix's emulated VMs
 * (PROCLIFE_IN_VM set), where a 2,000-process fork storm alone takes longer.
 * A release (auto-reaps) comes an RCU grace period after the reap: usually
 * 20 ms, but a loaded machine has taken over 5 s. Only a failing wait waits
 * that long.
 */
#define WAIT_MS harness__wait_ms()
int harness__wait_ms(void);

/* A predicate on a checked record; arg is the caller's. */
typedef bool (*ev_pred)(const void *rec, const void *arg);

/* Starts a tracer with cfg (system-wide); replaces the current one. */
int harness__start(const struct tracer_config *cfg);
void harness__stop(void);
/* Program runs the kernel skipped (recursion misses), of every tracer the harness has run. */
unsigned long long harness__skipped_total(void);
/* The tracer running now (NULL when none). */
struct tracer *harness__tracer(void);
/* With cfg.follow: follow pid (its future children join in the kernel). */
int harness__follow(pid_t pid);
/* Default config: every event, threads too. */
struct tracer_config harness__default_config(void);
/* This host's cgroup layout (kernel/cgroups.h): the v1 hierarchy of the default config's events. */
struct cg_host;
const struct cg_host *harness__cgroups(void);

/*
 * What a subtest needs of the kernel: KF_* feature bits (1u << KF_x), and
 * NEED_FULL_SYSCALLS for the part a reduced "syscalls" feature lacks (the
 * names of refused kills' targets).
 */
#define NEED(f) (1u << (f))
#define NEED_FULL_SYSCALLS (1u << 31)
/* The part a reduced "cred" feature lacks: changes by other calls than set*id/setgroups/capset, old sets from the kernel. */
#define NEED_FULL_CRED (1u << 30)
#define NEED_ALL (NEED(KF_CORE) | NEED(KF_SYSCALLS) | NEED(KF_SIGNALS) | NEED(KF_DELIVERY))
/* The current tracer's features (NULL when none runs). */
const struct kfeature_status *harness__features(void);
/* Marks the current subtest skipped, naming the feature and why, unless the tracer has what it needs: true = skip. */
bool harness__skip_unless(unsigned needs);

/* Forget collected events. */
void harness__clear(void);
/* First collected record of this type (0: any) whose header pid is pid (0: any) and that pred accepts. */
const void *harness__find(unsigned type, __u32 pid, ev_pred pred, const void *arg);
/* Where a record returned by harness__find()/wait() came in the stream (-1: not collected). */
int harness__index(const void *rec);
/* Same as harness__find(), polling the ring buffer until it shows up or WAIT_MS passes. */
const void *harness__wait(unsigned type, __u32 pid, ev_pred pred, const void *arg);
int harness__count(unsigned type, __u32 pid, ev_pred pred, const void *arg);
/* Polls until harness__count() reaches n or WAIT_MS passes; returns the count then. */
int harness__wait_count(unsigned type, __u32 pid, ev_pred pred, const void *arg, int n);
/* Drain what is in the ring buffer now (and for a short settle time). */
void harness__drain(int ms);
/* Lost-event counters of the tracer, summed over types; malformed records seen. */
unsigned long long harness__lost(void);
/* The same for one event type. */
unsigned long long harness__lost_of(unsigned type);
unsigned long long harness__malformed(void);

/* Predicates used by many tests. */
bool pred_process_exit(const void *rec, const void *arg); /* not a thread exit */
bool pred_thread(const void *rec, const void *arg);       /* PL_F_THREAD set */
bool pred_sig(const void *rec, const void *arg);          /* signal/deliver with sig == *(int *)arg */
bool pred_target(const void *rec, const void *arg);       /* signal to target pid *(pid_t *)arg */

/* Process helpers. */
pid_t spawn(int (*fn)(void *), void *arg); /* fork; the child returns fn(arg) as exit code */
/* fork fn with the write end of a new pipe as its argument (an int *); *rfd is the read end. */
pid_t spawn_piped(int (*fn)(void *), int *rfd);
int wait_status(pid_t pid);                /* waitpid's raw status, -1 on error */
void write_int(int fd, int v);
int read_int(int fd);                      /* -1 on EOF/timeout (WAIT_MS) */
long long proc_number(pid_t pid, const char *name); /* /proc/PID/NAME's number; -1 when unreadable */

/* Exec record helpers: argv as a list of (ptr, len). */
int exec_argv(const struct pl_exec *e, const char **argv, size_t *lens, int max);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The byte layout of every record that crosses the kernel/user boundary or
 * goes to disk: the kernel's records (include/proclife.h), which recordings
 * store as they are, and the recording's own (user/record/recording.h).
 * This is the one table of it:
 *
 * - proclife.h and recording.h expand it into _Static_asserts, so a change
 *   of any size, offset or type fails the build, on the BPF target (bpf/
 *   includes proclife.h) and on the host alike;
 * - tests/abi/layout_dump.c expands it into a dump of the compiler's layout,
 *   which tests/abi/test_abi.py holds docs/RECORDING.md's tables and the
 *   Python writers (tests/fuzz/make_corpus.py, tests/e2e/common.py) to.
 *
 * A record's entry lists every field in order, padding included:
 *   F(record, field, offset, size, type)  a field of fixed size
 *   V(record, field, offset, type)        the variable-length tail (a flexible array)
 * The asserts also check that the fields add up to the record's size and
 * that no field is listed twice, so none can be missing.
 *
 * Changing a number here changes the recording format: docs/RECORDING.md
 * says when that needs a new minor or major version.
 */
#ifndef PROCLIFE_LAYOUT_H
#define PROCLIFE_LAYOUT_H

/* The records of include/proclife.h: S(record, size). */
#define PL_LAYOUT_KERNEL(S) \
	S(pl_hdr, 112)       \
	S(pl_fork, 136)     \
	S(pl_creds, 144)    \
	S(pl_exec, 288)     \
	S(pl_exec_failed, 120) \
	S(pl_killer, 48)    \
	S(pl_usage, 232)    \
	S(pl_exit, 400)     \
	S(pl_reap, 152)     \
	S(pl_signal, 184)   \
	S(pl_deliver, 136)  \
	S(pl_rename, 128)    \
	S(pl_cred, 416)     \
	S(pl_sample, 40)    \
	S(pl_cgroup_key, 16)

/* The records of user/record/recording.h. */
#define PL_LAYOUT_RECORDING(S) \
	S(rec_file_hdr, 144)   \
	S(rec_block_hdr, 96)   \
	S(rec_block_hdr_1x, 32) \
	S(rec_hdr, 8)          \
	S(rec_time, 8)         \
	S(rec_snap_begin, 16)  \
	S(rec_snap_proc, 48)   \
	S(rec_lost, 24)        \
	S(rec_gap, 40)         \
	S(rec_run_start, 16)   \
	S(rec_run_end, 32)     \
	S(rec_cgroup, 32)

#define PL_FIELDS_pl_hdr(F, V)                    \
	F(pl_hdr, ts, 0, 8, __u64)                \
	F(pl_hdr, start_ns, 8, 8, __u64)          \
	F(pl_hdr, cgroup_id, 16, 8, __u64)        \
	F(pl_hdr, type, 24, 4, __u32)             \
	F(pl_hdr, cpu, 28, 4, __u32)              \
	F(pl_hdr, pid, 32, 4, __u32)              \
	F(pl_hdr, tid, 36, 4, __u32)              \
	F(pl_hdr, ppid, 40, 4, __u32)             \
	F(pl_hdr, uid, 44, 4, __u32)              \
	F(pl_hdr, gid, 48, 4, __u32)              \
	F(pl_hdr, pidns, 52, 4, __u32)            \
	F(pl_hdr, ns_pid, 56, 4, __u32)           \
	F(pl_hdr, flags, 60, 4, __u32)            \
	F(pl_hdr, comm, 64, 16, char[16])         \
	F(pl_hdr, cgroup1_id, 80, 8, __u64)       \
	F(pl_hdr, euid, 88, 4, __u32)             \
	F(pl_hdr, egid, 92, 4, __u32)             \
	F(pl_hdr, auid, 96, 4, __u32)             \
	F(pl_hdr, session, 100, 4, __u32)         \
	F(pl_hdr, tty, 104, 4, __u32)             \
	F(pl_hdr, _pad, 108, 4, __u32)

#define PL_FIELDS_pl_fork(F, V)                   \
	F(pl_fork, h, 0, 112, struct pl_hdr)       \
	F(pl_fork, child_pid, 112, 4, __u32)       \
	F(pl_fork, child_tid, 116, 4, __u32)       \
	F(pl_fork, child_start_ns, 120, 8, __u64)  \
	F(pl_fork, child_ppid, 128, 4, __u32)      \
	F(pl_fork, _pad, 132, 4, __u32)

#define PL_FIELDS_pl_creds(F, V)                  \
	F(pl_creds, uid, 0, 4, __u32)              \
	F(pl_creds, euid, 4, 4, __u32)             \
	F(pl_creds, suid, 8, 4, __u32)             \
	F(pl_creds, fsuid, 12, 4, __u32)           \
	F(pl_creds, gid, 16, 4, __u32)             \
	F(pl_creds, egid, 20, 4, __u32)            \
	F(pl_creds, sgid, 24, 4, __u32)            \
	F(pl_creds, fsgid, 28, 4, __u32)           \
	F(pl_creds, cap_inheritable, 32, 8, __u64) \
	F(pl_creds, cap_permitted, 40, 8, __u64)   \
	F(pl_creds, cap_effective, 48, 8, __u64)   \
	F(pl_creds, cap_bset, 56, 8, __u64)        \
	F(pl_creds, cap_ambient, 64, 8, __u64)     \
	F(pl_creds, securebits, 72, 4, __u32)      \
	F(pl_creds, ngroups, 76, 4, __u32)         \
	F(pl_creds, groups, 80, 64, __u32[16])

#define PL_FIELDS_pl_exec(F, V)                   \
	F(pl_exec, h, 0, 112, struct pl_hdr)       \
	F(pl_exec, old_tid, 112, 4, __u32)         \
	F(pl_exec, argc, 116, 4, __u32)            \
	F(pl_exec, filename_len, 120, 4, __u32)    \
	F(pl_exec, args_len, 124, 4, __u32)        \
	F(pl_exec, args_size, 128, 4, __u32)       \
	F(pl_exec, cwd_len, 132, 4, __u32)         \
	F(pl_exec, exe_len, 136, 4, __u32)         \
	F(pl_exec, xflags, 140, 4, __u32)          \
	F(pl_exec, creds, 144, 144, struct pl_creds) \
	V(pl_exec, data, 288, char[])

#define PL_FIELDS_pl_exec_failed(F, V)              \
	F(pl_exec_failed, h, 0, 112, struct pl_hdr)  \
	F(pl_exec_failed, err, 112, 4, __s32)        \
	F(pl_exec_failed, filename_len, 116, 4, __u32) \
	V(pl_exec_failed, data, 120, char[])

#define PL_FIELDS_pl_killer(F, V)                 \
	F(pl_killer, ts, 0, 8, __u64)             \
	F(pl_killer, sig, 8, 4, __s32)            \
	F(pl_killer, info_code, 12, 4, __s32)     \
	F(pl_killer, pid, 16, 4, __u32)           \
	F(pl_killer, tid, 20, 4, __u32)           \
	F(pl_killer, uid, 24, 4, __u32)           \
	F(pl_killer, syscall, 28, 2, __u16)       \
	F(pl_killer, info_kind, 30, 1, __u8)      \
	F(pl_killer, oom, 31, 1, __u8)            \
	F(pl_killer, comm, 32, 16, char[16])

#define PL_FIELDS_pl_usage(F, V)                        \
	F(pl_usage, utime_tick, 0, 8, __u64)            \
	F(pl_usage, stime_tick, 8, 8, __u64)            \
	F(pl_usage, runtime, 16, 8, __u64)              \
	F(pl_usage, prev_utime, 24, 8, __u64)           \
	F(pl_usage, prev_stime, 32, 8, __u64)           \
	F(pl_usage, minflt, 40, 8, __u64)               \
	F(pl_usage, majflt, 48, 8, __u64)               \
	F(pl_usage, nvcsw, 56, 8, __u64)                \
	F(pl_usage, nivcsw, 64, 8, __u64)               \
	F(pl_usage, inblock, 72, 8, __u64)              \
	F(pl_usage, oublock, 80, 8, __u64)              \
	F(pl_usage, maxrss_kb, 88, 8, __u64)            \
	F(pl_usage, cutime, 96, 8, __u64)               \
	F(pl_usage, cstime, 104, 8, __u64)              \
	F(pl_usage, cminflt, 112, 8, __u64)             \
	F(pl_usage, cmajflt, 120, 8, __u64)             \
	F(pl_usage, cnvcsw, 128, 8, __u64)              \
	F(pl_usage, cnivcsw, 136, 8, __u64)             \
	F(pl_usage, cinblock, 144, 8, __u64)            \
	F(pl_usage, coublock, 152, 8, __u64)            \
	F(pl_usage, cmaxrss_kb, 160, 8, __u64)          \
	F(pl_usage, rchar, 168, 8, __u64)               \
	F(pl_usage, wchar, 176, 8, __u64)               \
	F(pl_usage, syscr, 184, 8, __u64)               \
	F(pl_usage, syscw, 192, 8, __u64)               \
	F(pl_usage, read_bytes, 200, 8, __u64)          \
	F(pl_usage, write_bytes, 208, 8, __u64)         \
	F(pl_usage, cancelled_write_bytes, 216, 8, __u64) \
	F(pl_usage, flags, 224, 4, __u32)               \
	F(pl_usage, _pad, 228, 4, __u32)

#define PL_FIELDS_pl_exit(F, V)                       \
	F(pl_exit, h, 0, 112, struct pl_hdr)           \
	F(pl_exit, status, 112, 4, __u32)              \
	F(pl_exit, new_parent, 116, 4, __u32)          \
	F(pl_exit, killer, 120, 48, struct pl_killer)  \
	F(pl_exit, usage, 168, 232, struct pl_usage)

#define PL_FIELDS_pl_reap(F, V)                     \
	F(pl_reap, h, 0, 112, struct pl_hdr)         \
	F(pl_reap, exit_ts, 112, 8, __u64)           \
	F(pl_reap, status, 120, 4, __u32)            \
	F(pl_reap, reaper_pid, 124, 4, __u32)        \
	F(pl_reap, reaper_tid, 128, 4, __u32)        \
	F(pl_reap, _pad, 132, 4, __u32)             \
	F(pl_reap, reaper_comm, 136, 16, char[16])

#define PL_FIELDS_pl_signal(F, V)                   \
	F(pl_signal, h, 0, 112, struct pl_hdr)       \
	F(pl_signal, sig, 112, 4, __s32)             \
	F(pl_signal, info_code, 116, 4, __s32)       \
	F(pl_signal, result, 120, 4, __u32)          \
	F(pl_signal, target_pid, 124, 4, __u32)      \
	F(pl_signal, target_tid, 128, 4, __u32)      \
	F(pl_signal, target_uid, 132, 4, __u32)     \
	F(pl_signal, info_pid, 136, 4, __u32)       \
	F(pl_signal, info_uid, 140, 4, __u32)       \
	F(pl_signal, target_comm, 144, 16, char[16]) \
	F(pl_signal, value, 160, 8, __u64)          \
	F(pl_signal, target_arg, 168, 4, __s32)     \
	F(pl_signal, err, 172, 4, __s32)            \
	F(pl_signal, syscall, 176, 2, __u16)        \
	F(pl_signal, info_kind, 178, 1, __u8)       \
	F(pl_signal, disposition, 179, 1, __u8)     \
	F(pl_signal, blocked, 180, 1, __u8)         \
	F(pl_signal, _pad, 181, 3, __u8[3])

#define PL_FIELDS_pl_deliver(F, V)                  \
	F(pl_deliver, h, 0, 112, struct pl_hdr)      \
	F(pl_deliver, sig, 112, 4, __s32)            \
	F(pl_deliver, info_code, 116, 4, __s32)      \
	F(pl_deliver, action, 120, 4, __u32)         \
	F(pl_deliver, info_pid, 124, 4, __u32)       \
	F(pl_deliver, sa_flags, 128, 8, __u64)

#define PL_FIELDS_pl_rename(F, V)                   \
	F(pl_rename, h, 0, 112, struct pl_hdr)       \
	F(pl_rename, new_comm, 112, 16, char[16])

#define PL_FIELDS_pl_cred(F, V)                     \
	F(pl_cred, h, 0, 112, struct pl_hdr)         \
	F(pl_cred, how, 112, 4, __u32)               \
	F(pl_cred, cflags, 116, 4, __u32)            \
	F(pl_cred, nr, 120, 4, __s32)                \
	F(pl_cred, _pad, 124, 4, __u32)              \
	F(pl_cred, old, 128, 144, struct pl_creds)   \
	F(pl_cred, new, 272, 144, struct pl_creds)

#define PL_FIELDS_pl_cgroup_key(F, V)               \
	F(pl_cgroup_key, cgroup_id, 0, 8, __u64)    \
	F(pl_cgroup_key, cgroup1_id, 8, 8, __u64)

#define PL_FIELDS_pl_sample(F, V)                   \
	F(pl_sample, tgid, 0, 4, __u32)             \
	F(pl_sample, tid, 4, 4, __u32)              \
	F(pl_sample, start_ns, 8, 8, __u64)         \
	F(pl_sample, runtime_ns, 16, 8, __u64)      \
	F(pl_sample, rss_kb, 24, 8, __u64)          \
	F(pl_sample, exit_status, 32, 4, __u32)     \
	F(pl_sample, _pad, 36, 4, __u32)

#define PL_FIELDS_rec_file_hdr(F, V)                    \
	F(rec_file_hdr, magic, 0, 8, char[8])           \
	F(rec_file_hdr, major, 8, 2, __u16)             \
	F(rec_file_hdr, minor, 10, 2, __u16)            \
	F(rec_file_hdr, hdr_size, 12, 4, __u32)         \
	F(rec_file_hdr, start_ns, 16, 8, __u64)         \
	F(rec_file_hdr, wall_offset_ns, 24, 8, __s64)   \
	F(rec_file_hdr, flags, 32, 4, __u32)            \
	F(rec_file_hdr, args_cap, 36, 4, __u32)         \
	F(rec_file_hdr, seq, 40, 4, __u32)              \
	F(rec_file_hdr, boot_id, 44, 16, __u8[16])      \
	F(rec_file_hdr, crc, 60, 4, __u32)              \
	F(rec_file_hdr, file_id, 64, 16, __u8[16])      \
	F(rec_file_hdr, prev_file_id, 80, 16, __u8[16]) \
	F(rec_file_hdr, prev_chain, 96, 32, __u8[32])   \
	F(rec_file_hdr, key_id, 128, 8, __u8[8])        \
	F(rec_file_hdr, seal, 136, 4, __u32)            \
	F(rec_file_hdr, chain_crc, 140, 4, __u32)

#define PL_FIELDS_rec_block_hdr(F, V)                   \
	F(rec_block_hdr, magic, 0, 4, __u32)            \
	F(rec_block_hdr, payload_len, 4, 4, __u32)      \
	F(rec_block_hdr, raw_len, 8, 4, __u32)          \
	F(rec_block_hdr, nrecords, 12, 4, __u32)        \
	F(rec_block_hdr, seq, 16, 8, __u64)             \
	F(rec_block_hdr, payload_crc, 24, 4, __u32)     \
	F(rec_block_hdr, prev, 28, 32, __u8[32])        \
	F(rec_block_hdr, seal, 60, 32, __u8[32])        \
	F(rec_block_hdr, hdr_crc, 92, 4, __u32)

#define PL_FIELDS_rec_block_hdr_1x(F, V)                \
	F(rec_block_hdr_1x, magic, 0, 4, __u32)         \
	F(rec_block_hdr_1x, payload_len, 4, 4, __u32)   \
	F(rec_block_hdr_1x, raw_len, 8, 4, __u32)       \
	F(rec_block_hdr_1x, nrecords, 12, 4, __u32)     \
	F(rec_block_hdr_1x, seq, 16, 8, __u64)          \
	F(rec_block_hdr_1x, payload_crc, 24, 4, __u32)  \
	F(rec_block_hdr_1x, hdr_crc, 28, 4, __u32)

#define PL_FIELDS_rec_hdr(F, V)                         \
	F(rec_hdr, size, 0, 4, __u32)                   \
	F(rec_hdr, kind, 4, 2, __u16)                   \
	F(rec_hdr, _pad, 6, 2, __u16)

#define PL_FIELDS_rec_time(F, V)                        \
	F(rec_time, ts, 0, 8, __u64)

#define PL_FIELDS_rec_snap_begin(F, V)                  \
	F(rec_snap_begin, ts, 0, 8, __u64)              \
	F(rec_snap_begin, reason, 8, 4, __u32)          \
	F(rec_snap_begin, count, 12, 4, __u32)

#define PL_FIELDS_rec_snap_proc(F, V)                   \
	F(rec_snap_proc, start_ns, 0, 8, __u64)         \
	F(rec_snap_proc, pid, 8, 4, __u32)              \
	F(rec_snap_proc, ppid, 12, 4, __u32)            \
	F(rec_snap_proc, uid, 16, 4, __u32)             \
	F(rec_snap_proc, exit_code, 20, 4, __u32)       \
	F(rec_snap_proc, cmdline_len, 24, 4, __u32)     \
	F(rec_snap_proc, state, 28, 1, __u8)            \
	F(rec_snap_proc, kthread, 29, 1, __u8)          \
	F(rec_snap_proc, cmdline_truncated, 30, 1, __u8) \
	F(rec_snap_proc, has_cmdline, 31, 1, __u8)      \
	F(rec_snap_proc, comm, 32, 16, char[16])        \
	V(rec_snap_proc, cmdline, 48, char[])

#define PL_FIELDS_rec_cgroup(F, V)                      \
	F(rec_cgroup, ts, 0, 8, __u64)                  \
	F(rec_cgroup, id, 8, 8, __u64)                  \
	F(rec_cgroup, hier, 16, 4, __u32)               \
	F(rec_cgroup, npids, 20, 4, __u32)              \
	F(rec_cgroup, path_len, 24, 4, __u32)           \
	F(rec_cgroup, _pad, 28, 4, __u32)               \
	V(rec_cgroup, data, 32, char[])

#define PL_FIELDS_rec_lost(F, V)                        \
	F(rec_lost, ts, 0, 8, __u64)                    \
	F(rec_lost, count, 8, 8, __u64)                 \
	F(rec_lost, type, 16, 4, __u32)                 \
	F(rec_lost, _pad, 20, 4, __u32)

#define PL_FIELDS_rec_gap(F, V)                         \
	F(rec_gap, ts, 0, 8, __u64)                     \
	F(rec_gap, since, 8, 8, __u64)                  \
	F(rec_gap, events, 16, 8, __u64)                \
	F(rec_gap, records, 24, 8, __u64)               \
	F(rec_gap, err, 32, 4, __u32)                   \
	F(rec_gap, _pad, 36, 4, __u32)

#define PL_FIELDS_rec_run_start(F, V)                   \
	F(rec_run_start, ts, 0, 8, __u64)               \
	F(rec_run_start, pid, 8, 4, __u32)              \
	F(rec_run_start, _pad, 12, 4, __u32)

#define PL_FIELDS_rec_run_end(F, V)                     \
	F(rec_run_end, ts, 0, 8, __u64)                 \
	F(rec_run_end, pid, 8, 4, __u32)                \
	F(rec_run_end, exit_code, 12, 4, __s32)         \
	F(rec_run_end, status, 16, 4, __u32)            \
	F(rec_run_end, _pad, 20, 4, __u32)              \
	F(rec_run_end, lost, 24, 8, __u64)

/* ---- the asserts: PL_LAYOUT_KERNEL(PL_LAYOUT_ASSERT) where the structs are defined ---- */

#define PL_LAYOUT_MEMBER_(s, f) (((struct s *)0)->f)
#define PL_LAYOUT_ASSERT_FIELD_(s, f, off, size, type)                                                   \
	_Static_assert(__builtin_offsetof(struct s, f) == (off), #s "." #f " is not at offset " #off);    \
	_Static_assert(sizeof(PL_LAYOUT_MEMBER_(s, f)) == (size), #s "." #f " is not " #size " bytes");   \
	_Static_assert(__builtin_types_compatible_p(__typeof__(PL_LAYOUT_MEMBER_(s, f)), type),          \
		       #s "." #f " is not " #type);
/* The tail starts where the fixed part ends. */
#define PL_LAYOUT_ASSERT_TAIL_(s, f, off, type)                                                          \
	_Static_assert(__builtin_offsetof(struct s, f) == (off) && sizeof(struct s) == (off),             \
		       #s "." #f " is not the tail at offset " #off);                                      \
	_Static_assert(__builtin_types_compatible_p(__typeof__(PL_LAYOUT_MEMBER_(s, f)), type),          \
		       #s "." #f " is not " #type);
#define PL_LAYOUT_SIZE_(s, f, off, size, type) +(size)
#define PL_LAYOUT_NO_SIZE_(s, f, off, type)
/* An enumerator per field: a field listed twice does not compile. */
#define PL_LAYOUT_NAME_(s, f, ...) pl_layout_##s##__##f,

#define PL_LAYOUT_ASSERT(s, size)                                                                        \
	_Static_assert(sizeof(struct s) == (size), "struct " #s " is not " #size " bytes");               \
	PL_FIELDS_##s(PL_LAYOUT_ASSERT_FIELD_, PL_LAYOUT_ASSERT_TAIL_)                                    \
	_Static_assert((0 PL_FIELDS_##s(PL_LAYOUT_SIZE_, PL_LAYOUT_NO_SIZE_)) == (size),                  \
		       "the fields of struct " #s " in proclife_layout.h do not add up to its size");      \
	enum pl_layout_names_##s { PL_FIELDS_##s(PL_LAYOUT_NAME_, PL_LAYOUT_NAME_) };

#endif /* PROCLIFE_LAYOUT_H */

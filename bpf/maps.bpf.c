// SPDX-License-Identifier: GPL-2.0
/*
 * The one definition of what every proclife BPF file shares (declared in
 * lib/common.bpf.h): options, runtime state, and (through PL_MAPS_DEFINED_HERE)
 * the maps. The hook files are
 * linked with this one into a single object and skeleton.
 */
#define PL_MAPS_DEFINED_HERE
#include "lib/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 cfg_events = PL_EV_ALL;
const volatile bool cfg_threads = false;
const volatile bool cfg_failed_only = false;
const volatile __u32 cfg_uid = PL_UID_ANY;
const volatile bool cfg_comm_set = false;
const volatile char cfg_comm[PL_COMM_LEN] = {};
const volatile __u32 cfg_args_cap = PL_ARGS_DEFAULT;
const volatile bool cfg_follow = false;
const volatile __u64 cfg_wakeup_bytes = 0;
const volatile __u64 cfg_thread_size = ARCH_THREAD_SIZE;
const volatile __u32 cfg_cgroup1_ssid = PL_NO_SSID;
const volatile bool cfg_lean = false;
const volatile bool cfg_counts = false;
const volatile __u32 cfg_auid = PL_UID_ANY;
const volatile __u32 cfg_session = PL_UID_ANY;
const volatile __u32 cfg_tty = PL_UID_ANY;
const volatile bool cfg_setid_only = false;
const volatile bool cfg_cgroup_filter = false;

__u64 boot_cutoff_ns = 0;
__u64 lost[PL_EV_MAX] = {};
__u64 untracked_zombies = 0;
__u32 exit_at_notify = 0;

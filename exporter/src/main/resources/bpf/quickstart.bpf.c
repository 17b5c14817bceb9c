/* bpfmap's quickstart program: real kernel data for the quickstart's Kafka topics and /metrics.
 *
 *   syscalls  a hash map: system calls per process (tgid and command), counted on every
 *             raw_syscalls/sys_enter tracepoint;
 *   execs     a ring buffer: one event per exec (sched/sched_process_exec), with the process's
 *             pid, uid, time, command and file name;
 *   execs_lost  execs the ring had no room for, for bpfmap's lost count;
 *   syscall_latency  a per-CPU array: how long system calls take, a log2 histogram of microseconds
 *             (bucket b counts calls of (2^(b-1), 2^b] us, ebpf_exporter's exp2 convention; the
 *             last index keeps their sum), from raw_syscalls/sys_enter to sys_exit.
 *
 * The object ships prebuilt next to this file (quickstart.bpf.o); rebuild it with
 *   scripts/build-bpf
 * (clang -O2 -g -target bpf; -g emits the BTF that bpfmap decodes the maps and events with).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct proc {
  __u32 pid;
  char comm[16];
};

struct counts {
  __u64 syscalls;
};

struct exec_event {
  __u32 pid;
  __u32 uid;
  __u64 time_ns;
  char comm[16];
  char filename[64];
};

/* BTF keeps the types of globals: this one makes struct exec_event findable by name */
struct exec_event *unused_exec_event __attribute__((unused));

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct proc);
  __type(value, struct counts);
} syscalls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} execs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} execs_lost SEC(".maps");

#define LATENCY_MAX 26

/* when each thread entered its system call */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, __u32);
  __type(value, __u64);
} syscall_start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, LATENCY_MAX + 2);
  __type(key, __u32);
  __type(value, __u64);
} syscall_latency SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(void *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)id;
  __u64 now = bpf_ktime_get_ns();
  bpf_map_update_elem(&syscall_start, &tid, &now, BPF_ANY);
  struct proc key = {.pid = id >> 32};
  bpf_get_current_comm(&key.comm, sizeof(key.comm));
  struct counts *c = bpf_map_lookup_elem(&syscalls, &key);
  if (c) {
    __sync_fetch_and_add(&c->syscalls, 1);
  } else {
    struct counts first = {.syscalls = 1};
    bpf_map_update_elem(&syscalls, &key, &first, BPF_NOEXIST);
  }
  return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int time_syscalls(void *ctx) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  __u64 *start = bpf_map_lookup_elem(&syscall_start, &tid);
  if (!start)
    return 0;
  __u64 us = (bpf_ktime_get_ns() - *start) / 1000;
  bpf_map_delete_elem(&syscall_start, &tid);
  __u32 bucket = 0;
  for (int i = 0; i < LATENCY_MAX && ((__u64)1 << bucket) < us; i++)
    bucket++;
  __u64 *count = bpf_map_lookup_elem(&syscall_latency, &bucket);
  if (count)
    *count += 1;
  __u32 sum_at = LATENCY_MAX + 1;
  __u64 *sum = bpf_map_lookup_elem(&syscall_latency, &sum_at);
  if (sum)
    *sum += us;
  return 0;
}

/* the tracepoint's record, as /sys/kernel/tracing/events/sched/sched_process_exec/format says */
struct sched_process_exec_args {
  __u64 common;
  __u32 filename_loc; /* __data_loc: offset in the low 16 bits */
  __s32 pid;
  __s32 old_pid;
};

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct sched_process_exec_args *ctx) {
  struct exec_event *e = bpf_ringbuf_reserve(&execs, sizeof(*e), 0);
  if (!e) {
    __u32 zero = 0;
    __u64 *lost = bpf_map_lookup_elem(&execs_lost, &zero);
    if (lost)
      *lost += 1;
    return 0;
  }
  e->pid = ctx->pid;
  e->uid = (__u32)bpf_get_current_uid_gid();
  e->time_ns = bpf_ktime_get_ns();
  bpf_get_current_comm(&e->comm, sizeof(e->comm));
  bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), (void *)ctx + (ctx->filename_loc & 0xFFFF));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

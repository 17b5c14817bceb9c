/* bpfmap's quickstart program: real kernel data for the quickstart's Kafka topics and /metrics.
 *
 *   syscalls  a hash map: system calls per process (tgid and command), counted on every
 *             raw_syscalls/sys_enter tracepoint;
 *   execs     a ring buffer: one event per exec (sched/sched_process_exec), with the process's
 *             pid, uid, time, command and file name;
 *   execs_lost  execs the ring had no room for, for bpfmap's lost count.
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

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(void *ctx) {
  struct proc key = {.pid = bpf_get_current_pid_tgid() >> 32};
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

/* Programs for the attach and event-stream tests. The socket filters run through
 * BPF_PROG_TEST_RUN (repeat N): each run writes one numbered event into a ring buffer or a perf
 * event array. The tracing programs count the test JVM's own syscalls. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct event {
  __u64 seq;
  __u32 cpu;
  __u32 secret;
  char tag[8];
};

/* BTF keeps only the types of globals and function signatures: this makes struct event one, so
 * that bpfmap finds the records' layout by name */
struct event *unused_event __attribute__((unused));

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

/* 0: the next sequence number; 1: syscalls seen; 2: the tgid whose syscalls count */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 3);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

/* records the ring buffer had no room for, as a program counts them for bpfmap's lost count */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} ring_lost SEC(".maps");

static __always_inline __u64 *counter(__u32 i) {
  return bpf_map_lookup_elem(&counters, &i);
}

static __always_inline void fill(struct event *e, __u64 seq) {
  e->seq = seq;
  e->cpu = bpf_get_smp_processor_id();
  e->secret = 0x5ec7e7;
  __builtin_memcpy(e->tag, "event\0\0", 8);
}

SEC("socket")
int ring_emit(struct __sk_buff *skb) {
  __u32 zero = 0;
  __u64 *next = counter(0), *dropped = bpf_map_lookup_elem(&ring_lost, &zero);
  if (!next || !dropped)
    return 0;
  __u64 seq = __sync_fetch_and_add(next, 1);
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    *dropped += 1;
    return 0;
  }
  fill(e, seq);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("socket")
int perf_emit(struct __sk_buff *skb) {
  __u64 *next = counter(0);
  if (!next)
    return 0;
  struct event e = {};
  fill(&e, __sync_fetch_and_add(next, 1));
  bpf_perf_event_output(skb, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
  return 0;
}

static __always_inline int count_own(void) {
  __u64 *seen = counter(1), *tgid = counter(2);
  if (seen && tgid && (bpf_get_current_pid_tgid() >> 32) == *tgid)
    __sync_fetch_and_add(seen, 1);
  return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(void *ctx) {
  return count_own();
}

SEC("raw_tracepoint/sys_enter")
int count_raw(void *ctx) {
  return count_own();
}

SEC("kprobe/bpfmap_no_such_function")
int probe_missing(void *ctx) {
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

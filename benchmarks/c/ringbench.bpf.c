/* The producer of the ring benchmark: socket filters run through BPF_PROG_TEST_RUN (repeat N),
 * each run writing one numbered fixed-size record into the ring buffer "events". Two programs, two
 * record sizes: ring_emit32 writes a 32-byte struct event32, ring_emit256 a 256-byte struct
 * event256. Both bpfmap (RingBench.java) and the C reference (ringbench.c) load this same object.
 *
 *   clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c ringbench.bpf.c -o ringbench.bpf.o
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct event32 {
  __u64 seq;
  __u64 data[3];
};

struct event256 {
  __u64 seq;
  __u64 data[31];
};

/* BTF keeps only the types of globals and signatures: these make the records' types findable */
struct event32 *unused_event32 __attribute__((unused));
struct event256 *unused_event256 __attribute__((unused));

/* 128 MiB: a round's batch (about 80 to 106 MB with the 8-byte record headers) fits undropped */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 128 * 1024 * 1024);
} events SEC(".maps");

/* 0: the next sequence number; 1: records the ring had no room for */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

static __always_inline __u64 *counter(__u32 i) {
  return bpf_map_lookup_elem(&counters, &i);
}

#define EMIT(TYPE)                                                  \
  __u64 *next = counter(0), *dropped = counter(1);                  \
  if (!next || !dropped)                                            \
    return 0;                                                       \
  __u64 seq = __sync_fetch_and_add(next, 1);                        \
  struct TYPE *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);     \
  if (!e) {                                                         \
    __sync_fetch_and_add(dropped, 1);                               \
    return 0;                                                       \
  }                                                                 \
  e->seq = seq;                                                     \
  for (int i = 0; i < sizeof(e->data) / sizeof(e->data[0]); i++)    \
    e->data[i] = seq + i;                                           \
  bpf_ringbuf_submit(e, 0);                                         \
  return 0;

SEC("socket")
int ring_emit32(struct __sk_buff *skb) {
  EMIT(event32)
}

SEC("socket")
int ring_emit256(struct __sk_buff *skb) {
  EMIT(event256)
}

char LICENSE[] SEC("license") = "GPL";

/* Histograms in the shapes real programs keep them, filled by BPF_PROG_TEST_RUN: each run of
 * `record` reads one sample from the packet (a __u64 value, then the operation as a __u32) and
 * adds it to every histogram. The test writes a known distribution with repeat counts. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define EXP2_MAX 26
#define LINEAR_MAX 20
#define SLOTS 16

enum op { OP_READ = 0, OP_WRITE = 1 };

/* ebpf_exporter's convention: labels, then the bucket; bucket EXP2_MAX + 1 keeps the sum */
struct hist_key {
  enum op op;
  __u32 bucket;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct hist_key);
  __type(value, __u64);
} latency_exp2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct hist_key);
  __type(value, __u64);
} size_linear SEC(".maps");

/* libbpf-tools' shape: slots in the value, slot i holding [2^i, 2^(i+1)) */
struct hist {
  __u32 slots[SLOTS];
  __u64 sum;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, enum op);
  __type(value, struct hist);
} latency_slots SEC(".maps");

/* a map of buckets: the key is the bucket, each CPU counts its own */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, EXP2_MAX + 1);
  __type(key, __u32);
  __type(value, __u64);
} latency_percpu SEC(".maps");

struct sample {
  __u64 value;
  __u32 op;
  __u32 pad;
};

/* the smallest b with 2^b >= v: bucket b holds (2^(b-1), 2^b] */
static __always_inline __u32 log2_up(__u64 v) {
  __u32 b = 0;
  for (int i = 0; i < 64 && ((__u64)1 << b) < v; i++)
    b++;
  return b;
}

/* the largest b with 2^b <= v (0 for 0): libbpf-tools' log2l */
static __always_inline __u32 log2_down(__u64 v) {
  __u32 b = 0;
  for (int i = 0; i < 63 && (v >> (b + 1)) != 0; i++)
    b++;
  return b;
}

static __always_inline void add(void *map, struct hist_key *k, __u64 n) {
  __u64 *c = bpf_map_lookup_elem(map, k);
  if (c) {
    __sync_fetch_and_add(c, n);
  } else {
    bpf_map_update_elem(map, k, &n, BPF_NOEXIST);
    c = bpf_map_lookup_elem(map, k);
    if (c && *c != n)
      __sync_fetch_and_add(c, n);
  }
}

SEC("socket")
int record(struct __sk_buff *skb) {
  struct sample s = {};
  if (bpf_skb_load_bytes(skb, 0, &s, sizeof(s)))
    return 0;
  enum op op = s.op ? OP_WRITE : OP_READ;

  __u32 b = log2_up(s.value);
  if (b > EXP2_MAX)
    b = EXP2_MAX;
  struct hist_key k = {.op = op, .bucket = b};
  add(&latency_exp2, &k, 1);
  k.bucket = EXP2_MAX + 1;
  add(&latency_exp2, &k, s.value);

  /* linear buckets of 10: bucket i holds (10(i-1), 10i] */
  __u64 l = (s.value + 9) / 10;
  k.bucket = l > LINEAR_MAX ? LINEAR_MAX : l;
  add(&size_linear, &k, 1);
  k.bucket = LINEAR_MAX + 1;
  add(&size_linear, &k, s.value);

  struct hist *h = bpf_map_lookup_elem(&latency_slots, &op);
  if (!h) {
    struct hist zero = {};
    bpf_map_update_elem(&latency_slots, &op, &zero, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&latency_slots, &op);
  }
  if (h) {
    __u32 slot = log2_down(s.value);
    if (slot >= SLOTS)
      slot = SLOTS - 1;
    __sync_fetch_and_add(&h->slots[slot], 1);
    __sync_fetch_and_add(&h->sum, s.value);
  }

  __u64 *c = bpf_map_lookup_elem(&latency_percpu, &b);
  if (c)
    *c += 1;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* A flow table as a BPF program keeps one, with BTF (clang -g): bpfmap reads it with no layout.
 *
 *   clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c examples/flows.bpf.c -o flows.bpf.o
 *   bin/bpfmap load flows.bpf.o --pin /sys/fs/bpf/demo
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum verdict { PASS = 0, DROP = 1, REDIRECT = 2 };

struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 sport;
  __u16 dport;
  __u8 proto;
};

struct flow_stats {
  __u64 packets;
  __u64 bytes;
  enum verdict verdict;
  char comm[16];
  __u32 secret;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct flow_key);
  __type(value, struct flow_stats);
} btf_flows SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

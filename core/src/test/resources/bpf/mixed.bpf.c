/* A tracepoint program beside a socket filter, which no section attaches by itself. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int filter(struct __sk_buff *skb) {
  return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int on_enter(void *ctx) {
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

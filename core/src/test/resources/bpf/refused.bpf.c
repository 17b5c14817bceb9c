/* A program every kernel's verifier refuses: a GPL-only helper in a program that is not GPL. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getpid")
int gpl_only(void *ctx) {
  char buf[8];
  bpf_probe_read_kernel(buf, sizeof(buf), ctx);
  return buf[0];
}

char LICENSE[] SEC("license") = "Proprietary";

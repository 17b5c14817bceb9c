// Reference reader for bpfmap's benchmarks: reads a pinned map with libbpf, by batch lookup, by
// get_next_key + lookup, or by batch lookup-and-delete (drain: one pass empties the map), and
// prints the median entries/s of several passes.
//   readbench PIN batch|perkey|drain PASSES [BATCH_SIZE]
// Output: one line "c_eps=<median> entries=<n>".
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static long read_batch(int fd, void *keys, void *values, __u32 batch, __u32 token_size, int delete) {
  char in[64], out[64];
  void *inp = NULL;
  long total = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  for (;;) {
    __u32 count = batch;
    int rc = delete ? bpf_map_lookup_and_delete_batch(fd, inp, out, keys, values, &count, &opts)
                    : bpf_map_lookup_batch(fd, inp, out, keys, values, &count, &opts);
    if (rc && rc != -ENOENT) {
      fprintf(stderr, "batch lookup%s: %s\n", delete ? " and delete" : "", strerror(-rc));
      exit(1);
    }
    total += count;
    if (rc == -ENOENT) return total;
    memcpy(in, out, token_size);
    inp = in;
  }
}

static long read_per_key(int fd, void *key, void *next, void *value, size_t key_size) {
  long total = 0;
  void *prev = NULL;
  while (bpf_map_get_next_key(fd, prev, next) == 0) {
    if (bpf_map_lookup_elem(fd, next, value) == 0) total++;
    memcpy(key, next, key_size);
    prev = key;
  }
  return total;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: readbench PIN batch|perkey|drain PASSES [BATCH_SIZE]\n");
    return 2;
  }
  int fd = bpf_obj_get(argv[1]);
  if (fd < 0) {
    fprintf(stderr, "open %s: %s\n", argv[1], strerror(-fd));
    return 1;
  }
  struct bpf_map_info info = {0};
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len)) return 1;
  int per_key = strcmp(argv[2], "perkey") == 0;
  int drain = strcmp(argv[2], "drain") == 0;
  int passes = atoi(argv[3]);
  __u32 batch = argc > 4 ? (__u32)atoi(argv[4]) : 4096;
  size_t vsize = info.value_size;
  if (info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
      info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
    vsize = ((vsize + 7) & ~7UL) * libbpf_num_possible_cpus();
  void *keys = calloc(batch, info.key_size), *values = calloc(batch, vsize);
  double *eps = calloc(passes, sizeof(double));
  long n = 0;
  for (int p = 0; p < passes; p++) {
    double t0 = now();
    n = per_key ? read_per_key(fd, keys, (char *)keys + info.key_size, values, info.key_size)
                : read_batch(fd, keys, values, batch, info.key_size > 8 ? info.key_size : 8, drain);
    eps[p] = n / (now() - t0);
  }
  qsort(eps, passes, sizeof(double), cmp);
  printf("c_eps=%.4e entries=%ld\n", eps[passes / 2], n);
  return 0;
}

// Reference consumer for bpfmap's ring benchmark: loads ringbench.bpf.o with libbpf and, each
// round, fills its ring buffer with N records by test runs of a program (nobody consuming), then
// drains exactly N with ring_buffer__consume and a counting callback, timing only the draining.
// With "copy", the callback also copies each record into one buffer, as a consumer that keeps its
// events must (the counting one never reads them).
//   ringbench OBJECT PROGRAM N ROUNDS [copy]
// Output: one line "c_eps=<round 1>,<round 2>,… events=<n> dropped=<d>", events/s per round.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count(void *ctx, void *data, size_t size) {
  (void)data;
  (void)size;
  (*(long *)ctx)++;
  return 0;
}

static char *kept;
static size_t kept_at;

static int copy(void *ctx, void *data, size_t size) {
  memcpy(kept + kept_at, data, size);
  kept_at += size;
  (*(long *)ctx)++;
  return 0;
}

static __u64 counter(int fd, __u32 i) {
  __u64 v = 0;
  bpf_map_lookup_elem(fd, &i, &v);
  return v;
}

int main(int argc, char **argv) {
  if (argc != 5 && !(argc == 6 && strcmp(argv[5], "copy") == 0)) {
    fprintf(stderr, "usage: ringbench OBJECT PROGRAM N ROUNDS [copy]\n");
    return 2;
  }
  ring_buffer_sample_fn sample = argc == 6 ? copy : count;
  long n = atol(argv[3]);
  int rounds = atoi(argv[4]);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || libbpf_get_error(obj)) {
    fprintf(stderr, "open %s failed\n", argv[1]);
    return 1;
  }
  if (bpf_object__load(obj)) {
    fprintf(stderr, "load %s failed\n", argv[1]);
    return 1;
  }
  struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
  struct bpf_map *ring = bpf_object__find_map_by_name(obj, "events");
  struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
  if (!prog || !ring || !counters) {
    fprintf(stderr, "%s: no program %s or no map events/counters\n", argv[1], argv[2]);
    return 1;
  }
  int prog_fd = bpf_program__fd(prog), counters_fd = bpf_map__fd(counters);
  char packet[64] = {0};
  printf("c_eps=");
  long got = 0;
  for (int r = 0; r < rounds; r++) {
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet), .repeat = n);
    int rc = bpf_prog_test_run_opts(prog_fd, &run);
    if (rc) {
      fprintf(stderr, "test run: %s\n", strerror(-rc));
      return 1;
    }
    got = 0;
    kept_at = 0;
    if (sample == copy && !kept) {
      kept = malloc((size_t)n * 272);  // the largest record (256 B) with its 8-byte header, rounded
      memset(kept, 1, (size_t)n * 272);  // touched once: the rounds time copying, not page faults
    }
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(ring), sample, &got, NULL);
    if (!rb) {
      fprintf(stderr, "ring_buffer__new failed\n");
      return 1;
    }
    double t0 = now();
    while (got < n) {
      rc = ring_buffer__consume(rb);
      if (rc < 0) {
        fprintf(stderr, "consume: %s\n", strerror(-rc));
        return 1;
      }
      if (rc == 0 && got < n) {
        fprintf(stderr, "ring empty after %ld of %ld records\n", got, n);
        return 1;
      }
    }
    double t1 = now();
    ring_buffer__free(rb);
    printf("%s%.4e", r ? "," : "", got / (t1 - t0));
  }
  printf(" events=%ld dropped=%llu\n", got, (unsigned long long)counter(counters_fd, 1));
  bpf_object__close(obj);
  return 0;
}

/* Every kind of BTF type a map's key or value can hold, in hash, array, per-CPU and LRU maps.
 * Compiled by the tests with clang -g -target bpf (BtfObjects); bpftool is the oracle. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 0, GREEN = 1, BLUE = 7, NEGATIVE = -3 };
enum big : unsigned long long { SMALL = 1, HUGE = 0xF000000000000000ULL };
enum sbig : long long { SNEG = -5LL, SFAR = 0x100000000LL };
enum tiny : unsigned char { T0 = 0, T255 = 255 };
typedef __u32 id_t;
typedef struct { __u8 x; __u8 y; } point_t;

struct inner {
  __u16 port;
  char tag;
};

struct key {
  __u32 saddr;
  __u16 sport;
  __u8 proto;
  enum color color;
  char ifname[6];
  unsigned int flag : 1;
  unsigned int level : 3;
  int delta : 4;
  enum color hue : 4;
};

struct value {
  __u8 u8v; __s8 s8v; __u16 u16v; __s16 s16v; __u32 u32v; __s32 s32v; __u64 u64v; __s64 s64v;
  unsigned long ulv; long lv;
  bool ok;
  char ch;
  signed char sch;
  unsigned char uch;
  char name[16];
  char raw[4];
  unsigned char mac[6];
  const volatile id_t id;
  point_t point;
  enum color color;
  enum big big;
  enum sbig sbig;
  enum tiny tiny;
  void *ptr;
  struct inner *iptr;
  int __attribute__((btf_type_tag("user"))) *tagged;
  int *restrict rptr;
  __u32 grid[2][3];
  struct inner in[2];
  enum color palette[3];
  struct { __u32 a; __u16 b; };
  union { __u32 v4; __u8 v6[16]; } addr;
  union { __u64 whole; struct { __u32 lo, hi; }; };
  __u32 tagged_member __attribute__((btf_decl_tag("counter")));
  unsigned int bf1 : 5;
  unsigned int bf2 : 11;
  __u64 bf3 : 40;
  signed int bf4 : 7;
  unsigned __int128 u128;
  __int128 s128;
};

union either { __u64 n; char s[8]; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, struct key); __type(value, struct value); } kinds_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, struct value); } kinds_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 16); __type(key, struct inner); __type(value, struct key); } kinds_pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } kinds_pcpu_arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 1024); __type(key, char[12]); __type(value, enum color); } kinds_lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 1024); __type(key, union either); __type(value, point_t); } kinds_lru_pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, enum big); __type(value, __u64[4]); } kinds_bare SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __s64); __type(value, __int128); } kinds_wide SEC(".maps");

struct floats { float f; double d; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct floats); } kinds_float SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* A program, so that the object's BTF has functions, prototypes and line info too. */
SEC("socket")
int count_packets(struct __sk_buff *skb) {
  __u32 k = 0;
  struct value *v = bpf_map_lookup_elem(&kinds_array, &k);
  if (v)
    __sync_fetch_and_add(&v->u64v, 1);
  return 0;
}

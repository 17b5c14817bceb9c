package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A flow-like map for stream tests: key {uid, gid}, value {packets, bytes, secret, pad[5]}. */
final class StreamFixture {
  static final RecordLayout KEY = RecordLayout.parse("[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]");
  static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"],[\"pad\",\"5Q\"]]");
  static final PermissionMask MASK = PermissionMask.parse("{\"packets\": \"R\", \"bytes\": \"R\"}");
  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final long SECRET = 0x5EC2E7_5EC2E7L;

  private StreamFixture() {}

  static BpfMap hash(String name, int maxEntries) {
    return BpfMap.create(MapSpec.of(MapType.HASH, name, 16, 64, maxEntries));
  }

  static Map<String, Object> key(long i) {
    return Map.of("uid", i, "gid", i * 7);
  }

  static Map<String, Object> value(long packets, long bytes) {
    return Map.of("packets", packets, "bytes", bytes, "secret", SECRET, "pad", List.of(0L, 0L, 0L, 0L, 0L));
  }

  /** Fills keys 0..n-1 with packets = i, bytes = i * 100. */
  static void fill(BpfMap map, int n) {
    var parsed = map.parsed(KEY, VALUE);
    for (int i = 0; i < n; i++) {
      parsed.update(key(i), value(i, i * 100L));
    }
  }

  /** The visible value fill() writes: packets, bytes; secret and pad hidden. */
  static Map<String, Object> visible(long packets, long bytes) {
    Map<String, Object> v = new HashMap<>();
    v.put("packets", packets);
    v.put("bytes", bytes);
    v.put("secret", null);
    v.put("pad", java.util.Arrays.asList(null, null, null, null, null));
    return v;
  }

  /** A stream whose ticks are in virtual time: cycle 1 at once, the next when the test advances. */
  static MapStream.Builder stream(BpfMap map, VirtualTimeScheduler timer) {
    return MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mask(MASK).interval(INTERVAL).timer(timer);
  }

  /**
   * Starts the next cycle: from another thread, advances virtual time one interval at a time until
   * a cycle more than now has ended. (Called from inside onNext, the current cycle is still open, so
   * the first tick may be dropped as the engine should.)
   */
  static void nextCycle(VirtualTimeScheduler vts, MapStream stream) {
    long target = stream.stats().cycles() + 1;
    Thread.ofPlatform().daemon().start(() -> {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (stream.stats().cycles() < target && stream.stats().errors() == 0 && System.nanoTime() < deadline) {
        vts.advanceTimeBy(INTERVAL);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  static long uid(MapEvent e) {
    return (Long) e.key().get("uid");
  }
}

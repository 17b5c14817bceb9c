package io.bpfmap.kafka;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;

/** A flow-like map for the Kafka tests; {@code secret} is hidden and holds a marker. */
final class Flows {
  static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  static final PermissionMask MASK = PermissionMask.parse("{\"packets\": \"R\", \"bytes\": \"R\"}");
  static final long SECRET = 7_310_982_546_119_283_331L;

  private Flows() {}

  static BpfMap create(String name, int max) {
    return BpfMap.create(MapSpec.of(MapType.HASH, name, KEY.size(), VALUE.size(), max));
  }

  static Map<String, Object> key(int i) {
    return Map.of("saddr", 0x0A000000L + i, "daddr", 0x0A0000FFL, "sport", i % 65536, "dport", 443);
  }

  static Map<String, Object> value(long packets, long bytes) {
    return Map.of("packets", packets, "bytes", bytes, "secret", SECRET);
  }

  static void fill(BpfMap map, int n, long salt) {
    ParsedMap p = map.parsed(KEY, VALUE);
    for (int i = 0; i < n; i++) {
      p.update(key(i), value(i + salt, i * 1500L + salt));
    }
  }

  static MapStream stream(BpfMap map, String name, Mode mode, Scheduler timer) {
    return MapStream.builder(map).name(name).keyLayout(KEY).valueLayout(VALUE).mask(MASK).mode(mode)
        .interval(Duration.ofSeconds(10)).timer(timer).build();
  }

  /** The key JSON the sink writes for key i (fields in layout order). */
  static String keyJson(int i) {
    return "{\"saddr\":" + (0x0A000000L + i) + ",\"daddr\":" + 0x0A0000FFL + ",\"sport\":" + (i % 65536)
        + ",\"dport\":443}";
  }

  static List<String> markers() {
    return List.of(Long.toString(SECRET), Long.toHexString(SECRET));
  }
}

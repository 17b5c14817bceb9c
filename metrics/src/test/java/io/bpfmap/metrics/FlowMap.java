package io.bpfmap.metrics;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import reactor.core.scheduler.Scheduler;

/** A flow map for metrics tests: addresses in network order, ports native, a hidden field. */
final class FlowMap {
  static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"],[\"level\",\"i\"]]");
  static final PermissionMask MASK = PermissionMask.parse("{\"packets\":\"R\",\"bytes\":\"R\",\"level\":\"R\"}");

  private FlowMap() {}

  static BpfMap create(String name) {
    return BpfMap.create(MapSpec.of(MapType.HASH, name, KEY.size(), VALUE.size(), 1024));
  }

  /** Key i: 10.0.0.i → 192.168.0.1, sport 1000+i, dport 443. */
  static byte[] key(int i) {
    ByteBuffer b = ByteBuffer.allocate(KEY.size());
    b.order(ByteOrder.BIG_ENDIAN).putInt(0x0A000000 + i).putInt(0xC0A80001);
    b.order(ByteOrder.nativeOrder()).putShort((short) (1000 + i)).putShort((short) 443);
    return b.array();
  }

  static byte[] value(long packets, long bytes, int level) {
    return VALUE.pack(Map.of("packets", packets, "bytes", bytes, "secret", 987_654_321_123L, "level", level));
  }

  static MapStream stream(BpfMap map, String name, Mode mode, Scheduler timer) {
    return MapStream.builder(map).name(name).keyLayout(KEY).valueLayout(VALUE).mask(MASK).mode(mode)
        .interval(Duration.ofSeconds(10)).timer(timer).build();
  }

  static HttpResponse<String> get(int port, String path, String accept) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (accept != null) {
      r.header("Accept", accept);
    }
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}

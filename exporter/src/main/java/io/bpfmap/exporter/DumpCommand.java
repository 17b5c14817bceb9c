package io.bpfmap.exporter;

import io.bpfmap.core.BatchCursor;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.Entry;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.UnsupportedFeatureException;
import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

final class DumpCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("dump", "Print every entry as JSON Lines {\"key\":…,\"value\":…}, decoded by "
      + "the map's BTF or the layouts given, read in batches, masks applied.",
      Command.options(MapArg.OPTIONS, MapOptions.OPTIONS), List.of("", "Examples:", "  bpfmap dump name:flows",
          "  bpfmap dump /sys/fs/bpf/flows --key-layout @flow-key.yaml --value-layout @flow-value.yaml --mask '{\"packets\": \"R\"}'"),
      DumpCommand::new);

  private final MapArg target;
  private final MapOptions layouts;

  private DumpCommand(Args a) {
    target = new MapArg(a);
    layouts = new MapOptions(a);
  }

  @Override
  public Integer call() {
    try (BpfMap map = target.open(OpenMode.READ_ONLY)) {
      RecordLayout key = layouts.key(map);
      RecordLayout value = layouts.value(map);
      Lines lines = new Lines(map, key == null ? null : key.jsonWriter(), layouts.valueWriter(value));
      try (BatchCursor c = map.batchCursor(4096, false)) {
        for (int n = c.next(); n > 0; n = c.next()) {
          for (int i = 0; i < n; i++) {
            lines.print(c.keys(), (long) i * c.keySize(), c.values(), (long) i * c.valueStride());
          }
        }
      } catch (UnsupportedFeatureException noBatch) {
        for (Entry e : map.entriesByKey()) {
          lines.print(MemorySegment.ofArray(e.key()), 0, MemorySegment.ofArray(e.value()), 0);
        }
      }
      System.out.flush();
    }
    return 0;
  }

  /** Renders {"key":…,"value":…} lines to stdout. */
  private static final class Lines {
    private final BpfMap map;
    private final RecordJsonWriter keyWriter;
    private final RecordJsonWriter valueWriter;
    private static final byte[] KEY = JsonOut.member('{', "key");
    private static final byte[] VALUE = JsonOut.member(',', "value");
    private final Render render = new Render();
    private final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);

    Lines(BpfMap map, RecordJsonWriter keyWriter, RecordJsonWriter valueWriter) {
      this.map = map;
      this.keyWriter = keyWriter;
      this.valueWriter = valueWriter;
    }

    void print(MemorySegment keys, long keyOff, MemorySegment values, long valueOff) {
      JsonOut line = render.out().raw(KEY);
      Render.record(line, keyWriter, keys, keyOff, map.keySize());
      Render.value(line.raw(VALUE), valueWriter, values, valueOff, map.info().valueSize(), map.valuesPerKey(),
          map.valueStride());
      out.println(Render.text(line.raw('}')));
    }
  }
}

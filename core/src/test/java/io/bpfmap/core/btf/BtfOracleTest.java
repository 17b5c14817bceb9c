package io.bpfmap.core.btf;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.Entry;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.LayoutGen;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * bpftool is the reference: for every entry of every map of {@code kinds.bpf.c} (every BTF kind,
 * in keys and values, in hash, array, per-CPU and LRU maps), the JSON bpfmap writes from the
 * layout it reads from BTF equals what {@code bpftool -j map dump} prints under {@code formatted}
 * for the same bytes. Where they differ by design, the bug is bpftool's, and {@link #same} says
 * which rule applies:
 * <ul>
 *   <li>bpftool writes an anonymous struct or union as a member named "", once per anonymous
 *       member: duplicate names, which JSON readers collapse (RFC 8259 asks for unique names). We
 *       name its members as C does, as the parent's fields;</li>
 *   <li>bpftool writes a bitfield, and a 128-bit integer, as a hex string of its raw bits, so a
 *       signed bitfield -5 of 7 bits reads "0x7b": we write the number (SPEC: numbers as numbers);
 *       the test checks that the bits agree, two's complement for negative numbers;</li>
 *   <li>bpftool reads every enum as signed, even one BTF marks unsigned ({@code enum tiny : unsigned
 *       char}): it prints 248 as -8, and 255 as -1 instead of the name {@code T255}. We read it as
 *       BTF says; the test checks that bpftool's number is ours less 2^(8 × size);</li>
 *   <li>bpftool 7.1 cannot print floats from BTF (it writes {@code (unsupported-kind}, which is not
 *       JSON): the float map is checked against the values written.</li>
 * </ul>
 */
@KernelTest
class BtfOracleTest {
  private static final List<String> MAPS = List.of("kinds_hash", "kinds_array", "kinds_pcpu", "kinds_pcpu_arr",
      "kinds_lru", "kinds_lru_pcpu", "kinds_bare", "kinds_wide");

  @Test
  void everyEntryOfEveryMapDecodesAsBpftoolPrintsIt(PinDir dir) {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("kinds"))) {
      int entries = 0;
      int written = 0;
      int bitfields = 0;
      for (String name : MAPS) {
        BpfMap map = obj.map(name);
        ParsedMap parsed = map.parsed();
        written += fill(map, parsed, new Random(name.hashCode()));
        map.pin(dir.resolve(name));
        Object dump = JsonTokens.read(BpfPrograms.bpftool("-j", "map", "dump", "pinned", dir.resolve(name).toString()));
        List<?> theirs = (List<?>) dump;
        List<Entry> ours = map.entries();
        assertThat(theirs).as(name).hasSize(ours.size());
        for (Entry e : ours) {
          Object formatted = JsonTokens.get(find(theirs, e.key()), "formatted");
          String where = name + " key " + HexFormat.of().formatHex(e.key());
          List<String> diffs = new ArrayList<>();
          bitfields += new Compare(parsed.keyLayout(), diffs).same(json(parsed.keyLayout(), e.key()),
              normalize(JsonTokens.get(formatted, "key")), where + " key", Compare.root(parsed.keyLayout()));
          if (map.info().type().perCpu()) {
            List<?> values = (List<?>) JsonTokens.get(formatted, "values");
            assertThat(values).as(where).hasSize(BpfMap.possibleCpus());
            for (int cpu = 0; cpu < values.size(); cpu++) {
              byte[] one = Arrays.copyOfRange(e.value(), cpu * map.valueStride(),
                  cpu * map.valueStride() + map.info().valueSize());
              bitfields += new Compare(parsed.valueLayout(), diffs).same(json(parsed.valueLayout(), one),
                  normalize(JsonTokens.get(values.get(cpu), "value")), where + " cpu " + cpu,
                  Compare.root(parsed.valueLayout()));
            }
          } else {
            bitfields += new Compare(parsed.valueLayout(), diffs).same(json(parsed.valueLayout(), e.value()),
                normalize(JsonTokens.get(formatted, "value")), where + " value", Compare.root(parsed.valueLayout()));
          }
          assertThat(diffs).as(where).isEmpty();
          entries++;
        }
      }
      assertThat(entries).isEqualTo(written);
      // kinds_hash: 4 key and 6 value bitfields or 128-bit ints, kinds_array 6, kinds_pcpu 4 per CPU, kinds_wide 1
      int expected = 12 * 10 + 8 * 6 + 12 * 4 * BpfMap.possibleCpus() + 12;
      assertThat(bitfields).as("bitfields and 128-bit ints compared by their bits").isEqualTo(expected);
    }
  }

  @Test
  void floatsDecodeToTheValuesWritten() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("kinds"))) {
      BpfMap map = obj.map("kinds_float");
      ByteBuffer v = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
      v.putFloat(0, 1.5f).putDouble(8, -2.25e300);
      map.update(new byte[4], v.array());
      v.putFloat(0, Float.NaN).putDouble(8, Double.NEGATIVE_INFINITY);
      map.update(new byte[] {1, 0, 0, 0}, v.array());
      RecordLayout layout = map.parsed().valueLayout();
      assertThat(new String(layout.jsonWriter().toJson(map.lookup(new byte[4]).orElseThrow()), StandardCharsets.UTF_8))
          .isEqualTo("{\"f\":1.5,\"d\":-2.25E300}");
      assertThat(new String(layout.jsonWriter().toJson(map.lookup(new byte[] {1, 0, 0, 0}).orElseThrow()),
          StandardCharsets.UTF_8)).isEqualTo("{\"f\":\"NaN\",\"d\":\"-Infinity\"}");
    }
  }

  /**
   * Half the entries are random bytes; half are values of the layout, with text in every char
   * array (keys may repeat: returns how many distinct keys were written).
   */
  private static int fill(BpfMap map, ParsedMap parsed, Random r) {
    boolean array = map.info().type().arrayLike();
    int n = array ? map.info().maxEntries() : Math.min(map.info().maxEntries(), 12);
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      byte[] key = array ? ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(i).array()
          : bytes(parsed.keyLayout(), r, i);
      keys.add(HexFormat.of().formatHex(key));
      if (map.info().type().perCpu()) {
        List<byte[]> values = new ArrayList<>();
        for (int cpu = 0; cpu < BpfMap.possibleCpus(); cpu++) {
          values.add(bytes(parsed.valueLayout(), r, i + cpu));
        }
        map.updatePerCpu(key, values, io.bpfmap.core.UpdateFlag.ANY);
      } else {
        map.update(key, bytes(parsed.valueLayout(), r, i));
      }
    }
    return keys.size();
  }

  private static byte[] bytes(RecordLayout layout, Random r, int i) {
    if (i % 2 == 0) {
      byte[] b = new byte[layout.size()];
      r.nextBytes(b);
      return b;
    }
    byte[] b = layout.pack(LayoutGen.value(layout, r));
    for (String p : layout.leafPaths()) {
      if (layout.letterOf(p) == 's') {
        String text = List.of("eth0", "", "wlan-1", "a b").get(r.nextInt(4));
        layout.packLeaf(p, text.substring(0, Math.min(text.length(), layout.sizeOf(p) - 1))
            .getBytes(StandardCharsets.US_ASCII), java.lang.foreign.MemorySegment.ofArray(b), 0);
      }
    }
    return b;
  }

  private static Object json(RecordLayout layout, byte[] record) {
    return JsonTokens.read(new String(layout.jsonWriter().toJson(record), StandardCharsets.UTF_8));
  }

  private static Object find(List<?> dump, byte[] key) {
    for (Object e : dump) {
      if (Arrays.equals(JsonTokens.hexBytes(JsonTokens.get(e, "key")), key)) {
        return e;
      }
    }
    throw new AssertionError("bpftool lacks key " + HexFormat.of().formatHex(key));
  }

  /** bpftool's anonymous members ("") spliced into their parent, as C names them. */
  private static Object normalize(Object v) {
    if (v instanceof JsonTokens.Obj o) {
      List<Map.Entry<String, Object>> out = new ArrayList<>();
      for (Map.Entry<String, Object> m : o.members()) {
        if (m.getKey().isEmpty() && m.getValue() instanceof JsonTokens.Obj inner) {
          out.addAll(((JsonTokens.Obj) normalize(inner)).members());
        } else {
          out.add(Map.entry(m.getKey(), normalize(m.getValue())));
        }
      }
      return new JsonTokens.Obj(out);
    }
    if (v instanceof List<?> l) {
      return l.stream().map(BtfOracleTest::normalize).toList();
    }
    return v;
  }

  /** Compares our JSON with bpftool's, by the rules above, knowing the layout's fields by path. */
  private record Compare(RecordLayout layout, List<String> diffs) {
    /** The path of the record's own value: "" for a struct, the value's name for a bare record. */
    static String root(RecordLayout layout) {
      return layout.isBare() ? layout.fieldNames("").get(0) : "";
    }

    /** True when {@code field} is an enum (char arrays' elements are not fields of the layout). */
    boolean enumAt(String field) {
      try {
        return layout.enumNames(field) != null;
      } catch (io.bpfmap.core.record.LayoutException notAField) {
        return false;
      }
    }

    /** Adds where ours differs; returns how many values were compared by their bits. */
    int same(Object ours, Object theirs, String where, String field) {
      if (ours instanceof JsonTokens.Obj a && theirs instanceof JsonTokens.Obj b) {
        List<String> an = a.members().stream().map(Map.Entry::getKey).toList();
        List<String> bn = b.members().stream().map(Map.Entry::getKey).toList();
        if (!an.equals(bn)) {
          diffs.add(where + " " + field + ": members " + an + ", bpftool " + bn);
          return 0;
        }
        int bits = 0;
        for (int i = 0; i < an.size(); i++) {
          bits += same(a.members().get(i).getValue(), b.members().get(i).getValue(), where,
              field.isEmpty() ? an.get(i) : field + "." + an.get(i));
        }
        return bits;
      }
      if (ours instanceof List<?> a && theirs instanceof List<?> b && a.size() == b.size()) {
        int bits = 0;
        for (int i = 0; i < a.size(); i++) {
          bits += same(a.get(i), b.get(i), where, field + "[" + i + "]");
        }
        return bits;
      }
      if (ours instanceof BigDecimal n && theirs instanceof String s && s.startsWith("0x")) {
        BigInteger raw = JsonTokens.hex(s);
        BigInteger v = n.toBigIntegerExact();
        if (!(v.equals(raw) || v.signum() < 0 && v.equals(raw.subtract(BigInteger.ONE.shiftLeft(raw.bitLength()))))) {
          diffs.add(where + " " + field + ": " + v + ", bpftool's bits " + s);
        }
        return 1;
      }
      if (theirs instanceof BigDecimal m && m.signum() < 0 && !(ours instanceof BigDecimal o && o.compareTo(m) == 0)
          && enumAt(field)) {
        BigInteger wrap = BigInteger.ONE.shiftLeft(8 * layout.sizeOf(field));
        BigInteger v = ours instanceof String name ? layout.enumNames(field).entrySet().stream()
            .filter(e -> e.getValue().equals(name)).map(e -> BigInteger.valueOf(e.getKey())).findFirst().orElseThrow()
            : ((BigDecimal) ours).toBigIntegerExact();
        if (!v.subtract(wrap).equals(m.toBigIntegerExact())) {
          diffs.add(where + " " + field + ": " + ours + ", bpftool's signed reading " + m);
        }
        return 0;
      }
      if (ours instanceof BigDecimal a && theirs instanceof BigDecimal b ? a.compareTo(b) != 0 : !ours.equals(theirs)) {
        diffs.add(where + " " + field + ": " + ours + ", bpftool " + theirs);
      }
      return 0;
    }
  }
}

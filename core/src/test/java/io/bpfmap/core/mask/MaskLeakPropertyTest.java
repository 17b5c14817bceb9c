package io.bpfmap.core.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.record.LayoutGen;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random layouts, values and masks: hidden fields hold distinctive markers, and neither the
 * masked JSON nor the masked decode carries any of them (as text or as raw bytes).
 */
class MaskLeakPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Provide
  Arbitrary<RecordLayout> layouts() {
    return LayoutGen.anyLayouts();
  }

  @Property(tries = 2000)
  void hiddenFieldValuesNeverReachTheRenderedRecord(@ForAll("layouts") RecordLayout layout, @ForAll long seed)
      throws Exception {
    Random r = new Random(seed);
    CompiledMask mask;
    try {
      mask = PermissionMask.of(randomMask(layout, "", r)).compile(layout);
    } catch (MaskException e) {
      if (!e.getMessage().contains("in a union")) {
        throw e;
      }
      net.jqwik.api.Assume.that(false);
      return;
    }
    byte[] record = layout.pack(LayoutGen.value(layout, r));
    List<byte[]> markers = new ArrayList<>();
    List<String> markerTexts = new ArrayList<>();
    int i = 0;
    for (String hidden : mask.hidden().paths()) {
      Object marker = marker(layout.letterOf(hidden), layout, hidden, i++);
      if (marker != null && fits(layout, hidden, marker)) {
        layout.packLeaf(hidden, marker, MemorySegment.ofArray(record), 0);
        markerTexts.add(marker instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : marker.toString());
        markers.add(binary(marker));
      }
    }
    byte[] json = mask.jsonWriter().toJson(record);
    JsonNode tree = JSON.readTree(json);
    for (String hidden : mask.hidden().paths()) {
      String inJson = layout.isBare() ? hidden.substring(layout.fieldNames("").get(0).length()) : hidden;
      assertThat(at(tree, inJson).isNull()).as("%s is null in %s", hidden, new String(json, StandardCharsets.UTF_8)).isTrue();
    }
    String text = new String(json, StandardCharsets.UTF_8);
    String decoded = String.valueOf(mask.unpack(record));
    for (int m = 0; m < markers.size(); m++) {
      assertThat(text).doesNotContain(markerTexts.get(m));
      assertThat(decoded).doesNotContain(markerTexts.get(m));
      assertThat(HexFormat.of().formatHex(json)).doesNotContain(HexFormat.of().formatHex(markers.get(m)));
    }
  }

  /** A mask in the seed's shape: letters on random subtrees, fields sometimes left to inherit. */
  private static Object randomMask(RecordLayout layout, String path, Random r) {
    String letter = List.of("R", "W", "X").get(r.nextInt(3));
    if (!path.isEmpty() && r.nextInt(4) == 0) {
      return letter;
    }
    return switch (layout.kindOf(path)) {
      case VALUE -> letter;
      case ARRAY -> {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < layout.arrayLength(path); i++) {
          out.add(randomMask(layout, path + "[" + i + "]", r));
        }
        yield out;
      }
      case STRUCT -> {
        Map<String, Object> out = new LinkedHashMap<>();
        if (r.nextInt(3) == 0) {
          out.put("*", letter);
        }
        for (String name : layout.fieldNames(path)) {
          if (r.nextInt(5) != 0) {
            out.put(name, randomMask(layout, path.isEmpty() ? name : path + "." + name, r));
          }
        }
        yield out;
      }
    };
  }

  /** False for a bitfield too narrow for the marker. */
  private static boolean fits(RecordLayout layout, String path, Object marker) {
    try {
      layout.packLeaf(path, marker, MemorySegment.ofArray(new byte[layout.size()]), 0);
      return true;
    } catch (io.bpfmap.core.record.LayoutException tooNarrow) {
      return false;
    }
  }

  /** A value no random field is likely to hold, for letters wide enough to carry one. */
  private static Object marker(char letter, RecordLayout layout, String path, int i) {
    return switch (letter) {
      case 'i', 'l' -> layout.order().aligned() && letter == 'l' ? (Object) (987_654_321_012L + i) : (Object) (987_654_321 - i);
      case 'I' -> 987_654_321L - i;
      case 'L', 'q', 'Q', 'P' -> letter == 'L' && !layout.order().aligned() ? 987_654_321L - i : 987_654_321_012L + i;
      case 'd' -> 98_765.432_101_234 + i;
      case 'f' -> 9_876.543f + i;
      case 's' -> layout.sizeOf(path) >= 6 ? ("S3CR" + (char) ('A' + i % 26) + "T").getBytes(StandardCharsets.US_ASCII) : null;
      case 'p' -> layout.sizeOf(path) >= 7 ? ("S3CR" + (char) ('A' + i % 26) + "T").getBytes(StandardCharsets.US_ASCII) : null;
      default -> null;
    };
  }

  private static byte[] binary(Object marker) {
    return switch (marker) {
      case byte[] b -> b;
      case Long l -> ByteBuffer.allocate(8).putLong(l).array();
      case Integer n -> ByteBuffer.allocate(4).putInt(n).array();
      case Double d -> ByteBuffer.allocate(8).putDouble(d).array();
      case Float f -> ByteBuffer.allocate(4).putFloat(f).array();
      default -> throw new IllegalArgumentException(String.valueOf(marker));
    };
  }

  private static JsonNode at(JsonNode tree, String path) {
    JsonNode n = tree;
    for (String part : path.split("\\.")) {
      String name = part.contains("[") ? part.substring(0, part.indexOf('[')) : part;
      n = name.isEmpty() ? n : n.get(name);
      for (int at = part.indexOf('['); at >= 0; at = part.indexOf('[', at + 1)) {
        n = n.get(Integer.parseInt(part.substring(at + 1, part.indexOf(']', at))));
      }
    }
    return n;
  }
}

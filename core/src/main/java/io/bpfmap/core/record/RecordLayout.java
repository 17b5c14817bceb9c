package io.bpfmap.core.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The shape of a map key or value, in the seed's notation: fields of Python struct format letters,
 * arrays and nested structs, in one byte-order mode ({@code =} by default, as in the seed).
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * RecordLayout value = RecordLayout.of(List.of(List.of("uid", "Q"), List.of("data", "8Q")));
 * RecordLayout flat = RecordLayout.parse("=BBHQ");            // fields f0..f3
 * RecordLayout json = RecordLayout.parse("[[\"uid\",\"Q\"]]");
 * }</pre>
 *
 * <p>Values: {@code b h i q} are Byte, Short, Integer, Long; {@code B H I} widen to Short, Integer,
 * Long; {@code Q} (and {@code L}, {@code P} under {@code @}) are longs holding the unsigned bits;
 * {@code ?} Boolean; {@code e f} Float, {@code d} Double; {@code s p c} byte[]. Pad bytes
 * ({@code x}) carry no value.
 */
public final class RecordLayout {
  /** The largest record a layout may describe: 4 MiB, the kernel's largest map value (KMALLOC_MAX_SIZE). */
  public static final int MAX_SIZE = 1 << 22;
  /** The most values (leaves) a layout may have; sizes and offsets are checked before they are placed. */
  public static final int MAX_FIELDS = 1 << 16;
  /** The deepest nesting of structs and arrays. */
  public static final int MAX_DEPTH = 32;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final BitSet NONE = new BitSet();

  private final Struct root;
  private final ByteOrderMode mode;
  private final Codec codec;
  private final Values values;
  private final String notation;
  private final LayoutPaths paths;

  private RecordLayout(Struct root, ByteOrderMode mode) {
    this.root = root;
    this.mode = mode;
    this.codec = new Codec(mode.order());
    this.values = new Values(codec);
    this.notation = mode.prefix() + Notation.of(root);
    this.paths = new LayoutPaths(root);
  }

  /** A layout from the seed's notation ({@code [["uid","Q"],["gid","Q"]]}) in {@code =} order. */
  public static RecordLayout of(List<?> seedNotation) {
    return of(seedNotation, ByteOrderMode.NATIVE);
  }

  public static RecordLayout of(List<?> seedNotation, ByteOrderMode order) {
    return new RecordLayout(LayoutParser.parse(seedNotation, order), order);
  }

  /** A layout from an ordered map of field name to format (a JSON/YAML object). */
  public static RecordLayout of(Map<String, ?> fields, ByteOrderMode order) {
    return new RecordLayout(LayoutParser.parse(fields, order), order);
  }

  /**
   * A layout from text: JSON in the seed's notation ({@code [["uid","Q"]]}), optionally after a
   * byte-order character ({@code <[["uid","Q"]]}), or one struct format string ({@code =BBHQ},
   * fields named f0, f1…).
   */
  public static RecordLayout parse(String text) {
    String t = text.strip();
    ByteOrderMode mode = t.isEmpty() ? null : ByteOrderMode.ofPrefix(t.charAt(0));
    String body = mode == null ? t : t.substring(1).strip();
    ByteOrderMode order = mode == null ? ByteOrderMode.NATIVE : mode;
    if (body.startsWith("[") || body.startsWith("{")) {
      Object spec;
      try {
        spec = JSON.readValue(body, Object.class);
      } catch (JsonProcessingException e) {
        throw new LayoutException("", "bad JSON layout: " + e.getOriginalMessage());
      }
      return new RecordLayout(LayoutParser.parse(spec, order), order);
    }
    return new RecordLayout(LayoutParser.parseFormatString(body, order), order);
  }

  /**
   * True when a record is one value (a BTF key or value that is not a struct): its JSON is that
   * value alone, and {@link #fieldsOf} takes it so.
   */
  public boolean isBare() {
    return root.bare();
  }

  /**
   * The fields of a record given in its JSON shape: a map of fields, or for a bare layout the
   * value alone (also taken as a map of its one field).
   */
  @SuppressWarnings("unchecked")
  public Map<String, ?> fieldsOf(Object json) {
    if (root.bare()) {
      String name = root.fields().get(0).name();
      return json instanceof Map<?, ?> m && m.size() == 1 && m.containsKey(name)
          ? (Map<String, ?>) m : java.util.Collections.singletonMap(name, json);
    }
    if (json instanceof Map<?, ?> m) {
      return (Map<String, ?>) m;
    }
    throw new LayoutException("", "expected a struct (map of fields), got " + Codec.typeOf(json));
  }

  /** Bytes of a record (tail padding included under {@code @}). */
  public int size() {
    return root.size();
  }

  public ByteOrderMode order() {
    return mode;
  }

  /** Decodes a record; {@code bytes} must be exactly {@link #size()} long. */
  public Map<String, Object> unpack(byte[] bytes) {
    if (bytes.length != size()) {
      throw new LayoutException("", "buffer is " + bytes.length + " bytes, the layout "
          + (bytes.length < size() ? "needs " : "is ") + size() + " bytes");
    }
    return values.unpackStruct(root, MemorySegment.ofArray(bytes), 0, NONE);
  }

  /** Decodes the record at {@code base} of {@code m} (which must hold it). */
  public Map<String, Object> unpack(MemorySegment m, long base) {
    if (m.byteSize() - base < size()) {
      throw new LayoutException("", "buffer is " + (m.byteSize() - base) + " bytes, the layout needs "
          + size() + " bytes");
    }
    return values.unpackStruct(root, m, base, NONE);
  }

  /** Encodes a record; the exact inverse of {@link #unpack} (pad bytes are zero). */
  public byte[] pack(Map<String, ?> value) {
    byte[] out = new byte[size()];
    values.packStruct(root, value, MemorySegment.ofArray(out), 0, "");
    return out;
  }

  /** Encodes a record into {@code m} at {@code base}. */
  public void pack(Map<String, ?> value, MemorySegment m, long base) {
    values.packStruct(root, value, m, base, "");
  }

  /** An allocation-free reader of one numeric field ({@code data[2]}, {@code nested.level2_1}). */
  public FieldAccessor accessor(String path) {
    LayoutNode n = resolve(path);
    if (!isLeaf(n)) {
      throw new LayoutException(path, "is a struct or an array, not a number");
    }
    return new FieldAccessor(path, n, codec);
  }

  /** A value: a scalar (not pad bytes), a bitfield, an enum or a char array. */
  static boolean isLeaf(LayoutNode n) {
    return switch (n) {
      case Scalar s -> s.format() != Format.PAD;
      case Bits b -> true;
      case LayoutNode.Enum e -> true;
      case Chars c -> true;
      default -> false;
    };
  }

  /** The names of the enum at {@code path} by value; null when it is not an enum. */
  public Map<Long, String> enumNames(String path) {
    return resolve(path) instanceof LayoutNode.Enum e ? e.byValue() : null;
  }

  /** The byte offset of a field, array element or struct in the record. */
  public int offsetOf(String path) {
    return resolve(path).offset();
  }

  /** The bytes a field, array element or struct takes in the record. */
  public int sizeOf(String path) {
    return resolve(path).size();
  }

  /** The paths of every value (leaf) in layout order: {@code uid}, {@code data[0]}, … (immutable) */
  public List<String> leafPaths() {
    return paths.leaves();
  }

  /** The paths of every numeric leaf (integers, bools, floats, bitfields, enums), in layout order. */
  public List<String> numericPaths() {
    return paths.leaves().stream().filter(p -> switch (paths.resolve(p)) {
      case Scalar s -> s.format().isInteger() || s.format().isFloating();
      case Bits b -> b.bits() <= 64;
      case LayoutNode.Enum e -> true;
      default -> false;
    }).toList();
  }

  /** A JSON writer for this layout (not thread-safe: one per thread). */
  public RecordJsonWriter jsonWriter() {
    return new RecordJsonWriter(root, codec, null);
  }

  /** A JSON writer that writes the leaves in {@code hidden} as null without reading them. */
  public RecordJsonWriter jsonWriter(LeafSet hidden) {
    return new RecordJsonWriter(root, codec, own(hidden).ids());
  }

  /** Decodes the record at {@code base} of {@code m}, giving null for the leaves in {@code hidden}, unread. */
  public Map<String, Object> unpack(MemorySegment m, long base, LeafSet hidden) {
    if (m.byteSize() - base < size()) {
      throw new LayoutException("", "buffer is " + (m.byteSize() - base) + " bytes, the layout needs "
          + size() + " bytes");
    }
    return values.unpackStruct(root, m, base, own(hidden).ids());
  }

  /** The leaves at these paths (each must name a value field of this layout). */
  public LeafSet leafSet(java.util.Collection<String> leaves) {
    BitSet ids = new BitSet();
    for (String p : leaves) {
      LayoutNode n = resolve(p);
      if (!isLeaf(n)) {
        throw new LayoutException(p, "is a struct or an array, not a field");
      }
      ids.set(n.id());
    }
    List<String> ordered = paths.leaves().stream().filter(p -> ids.get(paths.resolve(p).id())).toList();
    return new LeafSet(this, ids, ordered);
  }

  /**
   * The bits of the record that these leaves hold: one mask byte per record byte, 0xFF where a
   * whole byte belongs to them, some bits where a bitfield shares its byte with others.
   */
  public byte[] coverage(java.util.Collection<String> leaves) {
    byte[] out = new byte[size()];
    for (String p : leaves) {
      switch (resolve(p)) {
        case Bits b -> {
          for (int i = 0; i < b.bits(); i++) {
            int bit = b.bitOffset() + i;
            out[b.offset() + bit / 8] |= (byte) (1 << (bit % 8));
          }
        }
        case LayoutNode n -> java.util.Arrays.fill(out, n.offset(), n.offset() + n.size(), (byte) 0xFF);
      }
    }
    return out;
  }

  /** Writes one leaf's value into the record at {@code base} of {@code m}, leaving the rest as it is. */
  public void packLeaf(String path, Object value, MemorySegment m, long base) {
    LayoutNode n = resolve(path);
    if (!isLeaf(n)) {
      throw new LayoutException(path, "is a struct or an array, not a field");
    }
    values.pack(n, value, m, base, path);
  }

  /**
   * The format letter of the value field at {@code path} ({@code Q}, {@code s}…): a bitfield is
   * {@code q} or {@code Q}, an enum its integer's letter, a char array {@code s}.
   */
  public char letterOf(String path) {
    return switch (resolve(path)) {
      case Scalar s -> s.format().letter;
      case Bits b -> b.signed() ? 'q' : 'Q';
      case LayoutNode.Enum e -> e.format().letter;
      case Chars c -> 's';
      default -> throw new LayoutException(path, "is a struct or an array, not a field");
    };
  }

  /** What is at a path: a struct (or union), an array or a value; the root is {@code ""}. */
  public NodeKind kindOf(String path) {
    LayoutNode n = path.isEmpty() ? root : resolve(path);
    return n instanceof Struct || n instanceof Union ? NodeKind.STRUCT
        : n instanceof ArrayOf ? NodeKind.ARRAY : NodeKind.VALUE;
  }

  /** Elements of the array at {@code path}. */
  public int arrayLength(String path) {
    if (!(resolve(path) instanceof ArrayOf a)) {
      throw new LayoutException(path, "is not an array");
    }
    return a.elements().size();
  }

  /**
   * Names of the fields of the struct or union at {@code path} ({@code ""}: the root), pads left
   * out, an anonymous member's fields named as the parent's.
   */
  public List<String> fieldNames(String path) {
    LayoutNode n = path.isEmpty() ? root : resolve(path);
    List<Field> fields = n instanceof Struct st ? st.fields() : n instanceof Union u ? u.members() : null;
    if (fields == null) {
      throw new LayoutException(path, "is not a struct");
    }
    List<String> out = new ArrayList<>();
    LayoutPaths.names(fields, out);
    return out;
  }

  /**
   * The value paths under each union of the layout (anonymous ones included): its members share
   * their bytes, so a mask gives them one permission.
   */
  public List<List<String>> unions() {
    return paths.unions();
  }

  /** The kinds of node a path can name. */
  public enum NodeKind { STRUCT, ARRAY, VALUE }

  private LeafSet own(LeafSet set) {
    if (set.layout() != this && !set.layout().equals(this)) {
      throw new LayoutException("", "the field set belongs to another layout");
    }
    return set;
  }

  /** The canonical notation: byte order and fields, e.g. {@code =[["uid","Q"],["data",["Q","Q"]]]}. */
  public String notation() {
    return notation;
  }

  /** A short, stable hash of {@link #notation()}, for record headers. */
  public String fingerprint() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(notation.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Struct root() {
    return root;
  }

  Codec codec() {
    return codec;
  }

  LayoutNode resolve(String path) {
    return paths.resolve(path);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordLayout r && r.notation.equals(notation);
  }

  @Override
  public int hashCode() {
    return notation.hashCode();
  }

  @Override
  public String toString() {
    return notation;
  }
}

package io.bpfmap.core.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bpfmap.core.internal.json.StrictJson;
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
 * ({@code x}) carry no value. Layouts read from BTF add bitfields (Long, or BigInteger past 64
 * bits), enums (the value's name, or its number when it has none) and {@code char[]} (byte[]).
 *
 * <p>Paths name a field, an array element or a nested struct: {@code uid}, {@code data[2]},
 * {@code nested.level2_1}; an anonymous struct's or union's members are named as the parent's.
 * A method given a path that names nothing throws {@link LayoutException} saying where it goes
 * wrong ({@code nested.levl2: no such field}).
 */
public final class RecordLayout {
  /** The largest record a layout may describe, in bytes: 4 MiB, the kernel's KMALLOC_MAX_SIZE. */
  public static final int MAX_SIZE = 1 << 22;
  /** The most values (leaves) a layout may have; checked while the layout is parsed. */
  public static final int MAX_FIELDS = 1 << 16;
  /** The deepest nesting of structs and arrays a layout may have. */
  public static final int MAX_DEPTH = 32;

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

  /**
   * {@return a layout from the seed's notation ({@code [["uid","Q"],["gid","Q"]]}) in {@code =}}
   * @param seedNotation the fields: {@code [name, format]} lists of strings, lists and counts
   * @throws LayoutException when the notation is bad, naming the path of the bad field
   */
  public static RecordLayout of(List<?> seedNotation) {
    return of(seedNotation, ByteOrderMode.NATIVE);
  }

  /**
   * {@return a layout from the seed's notation in the byte-order mode {@code order}}
   * @param seedNotation the fields: {@code [name, format]} lists of strings, lists and counts
   * @param order byte order, sizes and alignment ({@link ByteOrderMode#NATIVE_ALIGNED} aligns as C)
   * @throws LayoutException when the notation is bad, naming the path of the bad field
   */
  public static RecordLayout of(List<?> seedNotation, ByteOrderMode order) {
    return new RecordLayout(LayoutParser.parse(seedNotation, order), order);
  }

  /**
   * {@return a layout from an ordered map of field name to format (a JSON or YAML object), or from
   * one of the one-key forms that layouts read from BTF print in {@link #notation()}}
   * @param fields field name to format, in the record's order (use an ordered map)
   * @param order byte order, sizes and alignment
   * @throws LayoutException when the notation is bad, naming the path of the bad field
   */
  public static RecordLayout of(Map<String, ?> fields, ByteOrderMode order) {
    return new RecordLayout(LayoutParser.parse(fields, order), order);
  }

  /**
   * {@return a layout from text: JSON in the seed's notation ({@code [["uid","Q"]]}), optionally
   * after a byte-order character ({@code <[["uid","Q"]]}), or one struct format string
   * ({@code =BBHQ}, fields named f0, f1…)} Without a byte-order character the mode is {@code =}.
   * @param text the layout as JSON or as a struct format string; surrounding blanks are ignored
   * @throws LayoutException when the JSON is malformed or the layout is bad
   */
  public static RecordLayout parse(String text) {
    String t = text.strip();
    ByteOrderMode mode = t.isEmpty() ? null : ByteOrderMode.ofPrefix(t.charAt(0));
    String body = mode == null ? t : t.substring(1).strip();
    ByteOrderMode order = mode == null ? ByteOrderMode.NATIVE : mode;
    if (body.startsWith("[") || body.startsWith("{")) {
      Object spec;
      try {
        spec = StrictJson.read(body);
      } catch (JsonProcessingException e) {
        throw new LayoutException("", "bad JSON layout: " + e.getOriginalMessage());
      }
      return new RecordLayout(LayoutParser.parse(spec, order), order);
    }
    return new RecordLayout(LayoutParser.parseFormatString(body, order), order);
  }

  /**
   * {@return true when a record is one value (a BTF key or value that is not a struct): its JSON
   * is that value alone, and {@link #fieldsOf} takes it so}
   */
  public boolean isBare() {
    return root.bare();
  }

  /**
   * {@return the fields of a record given in its JSON shape, ready for {@link #pack(Map)}:
   * {@code json} itself when it is a map, else (for a bare layout) a map of its one field}
   * @param json a record as JSON reads: a map of fields, or any value for a bare layout
   * @throws LayoutException when the layout is not bare and {@code json} is not a map
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

  /** {@return the bytes of a record, tail padding included under {@code @}} */
  public int size() {
    return root.size();
  }

  /** {@return the byte-order mode: byte order, sizes and alignment of the fields} */
  public ByteOrderMode order() {
    return mode;
  }

  /**
   * {@return the record decoded: a new, mutable map of field name to value in layout order}
   * Structs and unions are maps, arrays lists, values as the class comment says.
   * @param bytes the record, exactly {@link #size()} bytes
   * @throws LayoutException when {@code bytes} has another length
   */
  public Map<String, Object> unpack(byte[] bytes) {
    if (bytes.length != size()) {
      throw new LayoutException("", "buffer is " + bytes.length + " bytes, the layout "
          + (bytes.length < size() ? "needs " : "is ") + size() + " bytes");
    }
    return values.unpackStruct(root, MemorySegment.ofArray(bytes), 0, NONE);
  }

  /**
   * {@return the record at {@code base} of {@code m} decoded, as {@link #unpack(byte[])} does}
   * @param m memory holding the record, native or on the heap; only read
   * @param base the record's byte offset in {@code m}
   * @throws LayoutException when fewer than {@link #size()} bytes follow {@code base}
   */
  public Map<String, Object> unpack(MemorySegment m, long base) {
    if (m.byteSize() - base < size()) {
      throw new LayoutException("", "buffer is " + (m.byteSize() - base) + " bytes, the layout needs "
          + size() + " bytes");
    }
    return values.unpackStruct(root, m, base, NONE);
  }

  /**
   * {@return the record encoded in a new array of {@link #size()} bytes, pad bytes zero: the exact
   * inverse of {@link #unpack(byte[])}} Every struct field must be given. Integers may be Long,
   * Integer, Short, Byte or BigInteger within the format's range ({@code Q} also takes a negative
   * long as its unsigned bits); {@code s} takes bytes or a string (UTF-8), zero-filled.
   * @param value field name to value, in the shape {@link #unpack(byte[])} gives
   * @throws LayoutException when a field is missing, unknown, of the wrong type or out of range
   */
  public byte[] pack(Map<String, ?> value) {
    byte[] out = new byte[size()];
    values.packStruct(root, value, MemorySegment.ofArray(out), 0, "");
    return out;
  }

  /**
   * Encodes a record into {@code m} at {@code base}, as {@link #pack(Map)} does; pad bytes and
   * alignment padding keep what {@code m} held.
   * @param value field name to value, in the shape {@link #unpack(byte[])} gives
   * @param m writable memory with room for the record
   * @param base the record's byte offset in {@code m}
   * @throws LayoutException when a field is missing, unknown, of the wrong type or out of range;
   *     the fields before it may already be written
   */
  public void pack(Map<String, ?> value, MemorySegment m, long base) {
    values.packStruct(root, value, m, base, "");
  }

  /**
   * {@return an allocation-free reader and writer of one numeric field, resolved once}
   * @param path the path of an integer, float, bool, enum or bitfield of at most 64 bits
   * @throws LayoutException when the path names nothing, a struct, an array or a non-number
   */
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

  /**
   * {@return the names of the enum at {@code path} by value, or null when it is not an enum}
   * @param path the path of a field
   * @throws LayoutException when the path names nothing
   */
  public Map<Long, String> enumNames(String path) {
    return resolve(path) instanceof LayoutNode.Enum e ? e.byValue() : null;
  }

  /**
   * {@return the byte offset of a field, array element or struct in the record}
   * @param path its path (for a bitfield, the offset of the bytes that hold it)
   * @throws LayoutException when the path names nothing
   */
  public int offsetOf(String path) {
    return resolve(path).offset();
  }

  /**
   * {@return the bytes a field, array element or struct takes in the record}
   * @param path its path
   * @throws LayoutException when the path names nothing
   */
  public int sizeOf(String path) {
    return resolve(path).size();
  }

  /** {@return the paths of every value (leaf) in layout order, {@code uid}, {@code data[0]}…} */
  public List<String> leafPaths() {
    return paths.leaves();
  }

  /**
   * {@return the paths of the leaves {@link #accessor} reads: integers, bools, floats, enums and
   * bitfields of at most 64 bits, in layout order}
   */
  public List<String> numericPaths() {
    return paths.leaves().stream().filter(p -> switch (paths.resolve(p)) {
      case Scalar s -> s.format().isInteger() || s.format().isFloating();
      case Bits b -> b.bits() <= 64;
      case LayoutNode.Enum e -> true;
      default -> false;
    }).toList();
  }

  /** {@return a new JSON writer for this layout; not thread-safe: make one per thread} */
  public RecordJsonWriter jsonWriter() {
    return new RecordJsonWriter(root, codec, null);
  }

  /**
   * {@return a new JSON writer that writes the leaves in {@code hidden} as null without reading
   * them; not thread-safe}
   * @param hidden leaves of this layout, from {@link #leafSet}
   * @throws LayoutException when {@code hidden} belongs to a layout with another notation
   */
  public RecordJsonWriter jsonWriter(LeafSet hidden) {
    return new RecordJsonWriter(root, codec, own(hidden).ids());
  }

  /**
   * {@return the record at {@code base} of {@code m} decoded, with null for the leaves in
   * {@code hidden}, whose bytes are not read}
   * @param m memory holding the record; only read
   * @param base the record's byte offset in {@code m}
   * @param hidden leaves of this layout, from {@link #leafSet}
   * @throws LayoutException when fewer than {@link #size()} bytes follow {@code base}, or
   *     {@code hidden} belongs to a layout with another notation
   */
  public Map<String, Object> unpack(MemorySegment m, long base, LeafSet hidden) {
    if (m.byteSize() - base < size()) {
      throw new LayoutException("", "buffer is " + (m.byteSize() - base) + " bytes, the layout needs "
          + size() + " bytes");
    }
    return values.unpackStruct(root, m, base, own(hidden).ids());
  }

  /**
   * {@return the leaves at these paths, resolved once}
   * @param leaves paths of value fields of this layout, in any order
   * @throws LayoutException when a path names nothing, a struct or an array
   */
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
   * {@return the bits of the record that these leaves hold, one mask byte per record byte: 0xFF
   * where a whole byte belongs to them, some bits where a bitfield shares its byte with others}
   * @param leaves paths in this layout (a struct or array path covers all its bytes)
   * @throws LayoutException when a path names nothing
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

  /**
   * Writes one leaf's value into the record at {@code base} of {@code m}, leaving the rest as it
   * is (a bitfield's neighbouring bits included).
   * @param path the path of a value field
   * @param value its value, as {@link #pack(Map)} takes it
   * @param m writable memory holding the record
   * @param base the record's byte offset in {@code m}
   * @throws LayoutException when the path names nothing, a struct or an array, or the value does
   *     not fit the field
   */
  public void packLeaf(String path, Object value, MemorySegment m, long base) {
    LayoutNode n = resolve(path);
    if (!isLeaf(n)) {
      throw new LayoutException(path, "is a struct or an array, not a field");
    }
    values.pack(n, value, m, base, path);
  }

  /**
   * {@return the format letter of the value field at {@code path} ({@code Q}, {@code s}…)} A
   * bitfield is {@code q} or {@code Q}, an enum its integer's letter, a char array {@code s}.
   * @param path the path of a value field
   * @throws LayoutException when the path names nothing, a struct or an array
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

  /**
   * {@return what is at a path: a struct (or union), an array or a value}
   * @param path a path, or {@code ""} for the root
   * @throws LayoutException when the path names nothing
   */
  public NodeKind kindOf(String path) {
    LayoutNode n = path.isEmpty() ? root : resolve(path);
    return n instanceof Struct || n instanceof Union ? NodeKind.STRUCT
        : n instanceof ArrayOf ? NodeKind.ARRAY : NodeKind.VALUE;
  }

  /**
   * {@return the number of elements of the array at {@code path}}
   * @param path the path of an array
   * @throws LayoutException when the path names nothing or something other than an array
   */
  public int arrayLength(String path) {
    if (!(resolve(path) instanceof ArrayOf a)) {
      throw new LayoutException(path, "is not an array");
    }
    return a.elements().size();
  }

  /**
   * {@return the names of the fields of a struct or union in layout order, pads left out, an
   * anonymous member's fields named as the parent's (a new, mutable list)}
   * @param path the path of a struct or union, or {@code ""} for the root
   * @throws LayoutException when the path names nothing or something other than a struct or union
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
   * {@return the value paths under each union of the layout (anonymous ones included), a list per
   * union: its members share their bytes, so a mask gives them one permission}
   */
  public List<List<String>> unions() {
    return paths.unions();
  }

  /** The kinds of node a path can name, as {@link #kindOf} tells them. */
  public enum NodeKind {
    /** A struct or a union: a map of fields. */
    STRUCT,
    /** An array: a list of elements. */
    ARRAY,
    /** A value (leaf): a number, bool, string, enum or bitfield. */
    VALUE
  }

  private LeafSet own(LeafSet set) {
    if (set.layout() != this && !set.layout().equals(this)) {
      throw new LayoutException("", "the field set belongs to another layout");
    }
    return set;
  }

  /**
   * {@return the canonical notation: the byte-order character, then the fields as JSON, e.g.
   * {@code =[["uid","Q"],["data",["Q","Q"]]]}; {@link #parse} reads it back}
   */
  public String notation() {
    return notation;
  }

  /**
   * {@return a short, stable hash of {@link #notation()} for record headers: the first 8 bytes of
   * its SHA-256, as 16 lowercase hex digits}
   */
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

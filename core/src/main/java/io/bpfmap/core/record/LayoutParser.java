package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import io.bpfmap.core.BpfException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the seed's notation into a placed {@link LayoutNode} tree. A field is {@code [name,
 * format]}; a format is a letter with an optional repeat count ({@code Q}, {@code 8Q} = an array of
 * eight, {@code 16s} = 16 bytes, {@code 4x} = 4 pad bytes), a list of formats (an array), or a
 * list of fields (a struct; a JSON/YAML object of name: format is one too). Under {@code @} every
 * member is aligned as C aligns it and structs get tail padding.
 */
final class LayoutParser {
  static final int MAX_COUNT = 1 << 20;
  private static final Pattern TOKEN = Pattern.compile("\\s*(\\d*)\\s*(\\S)");

  private final ByteOrderMode mode;
  private final ExplicitForms explicit = new ExplicitForms(this);
  private int nextId;
  /** Values (leaves) placed so far, against {@link RecordLayout#MAX_FIELDS}. */
  private int leaves;

  private LayoutParser(ByteOrderMode mode) {
    this.mode = mode;
  }

  /** The root struct of {@code fields} (the seed's list of [name, format]) at offset 0. */
  static Struct parse(Object fields, ByteOrderMode mode) {
    LayoutParser p = new LayoutParser(mode);
    if (ExplicitForms.isExplicit(fields)) {
      Map.Entry<?, ?> form = ((Map<?, ?>) fields).entrySet().iterator().next();
      if (ExplicitForms.BARE.equals(form.getKey())) {
        return p.explicit.bare(form.getValue());
      }
      if (!ExplicitForms.STRUCT.equals(form.getKey())) {
        throw new LayoutException("", "a layout's root is a struct or " + ExplicitForms.BARE + ", not "
            + BpfException.show(form.getKey()));
      }
      return p.explicit.explicitStruct(form.getValue(), "", 0);
    }
    if ((fields instanceof List<?> l && l.isEmpty()) || (fields instanceof Map<?, ?> m && m.isEmpty())) {
      throw new LayoutException("", "empty struct");
    }
    if (!(fields instanceof List<?> || fields instanceof Map<?, ?>) || !isStruct(fields)) {
      throw new LayoutException("", "a layout is a list of [name, format] fields or one struct format"
          + " string, not " + describe(fields));
    }
    return p.struct(fields, "", 0);
  }

  /** The root struct of a format string such as {@code =BBHQ}: fields f0, f1… (pads unnamed). */
  static Struct parseFormatString(String format, ByteOrderMode mode) {
    List<List<Object>> fields = new ArrayList<>();
    int index = 0;
    int pad = 0;
    Matcher m = TOKEN.matcher(format);
    int at = 0;
    while (at < format.length()) {
      if (format.substring(at).isBlank()) {
        break;
      }
      if (!m.find(at) || m.start() != at) {
        throw new LayoutException("", "bad struct format '" + format + "'");
      }
      String count = m.group(1);
      char letter = m.group(2).charAt(0);
      Format f = Format.of(letter);
      if (f == null) {
        throw new LayoutException("f" + index, "unknown format '" + letter + "'");
      }
      int n = count.isEmpty() ? 1 : count(count + letter, count, "f" + index);
      if (!f.isBytes() && f != Format.PAD && fields.size() + (long) n > RecordLayout.MAX_FIELDS) {
        throw tooMany("f" + index);
      }
      if (f == Format.PAD) {
        fields.add(List.of("\0pad" + pad++, n + "x"));
      } else if (f.isBytes()) {
        fields.add(List.of("f" + index++, n + "" + letter));
      } else {
        for (int i = 0; i < n; i++) {
          fields.add(List.of("f" + index++, String.valueOf(letter)));
        }
      }
      at = m.end();
    }
    if (fields.isEmpty()) {
      throw new LayoutException("", "empty struct format '" + format + "'");
    }
    return parse(fields, mode);
  }

  private Struct struct(Object spec, String path, int depth) {
    depth(path, depth);
    int id = nextId++;
    List<Map.Entry<String, Object>> members = members(spec, path);
    if (members.isEmpty()) {
      throw new LayoutException(path, "empty struct");
    }
    Set<String> names = new HashSet<>();
    List<Field> fields = new ArrayList<>();
    long offset = 0;
    int align = 1;
    for (Map.Entry<String, Object> member : members) {
      String name = member.getKey();
      String fieldPath = path.isEmpty() ? name : path + "." + name;
      if (name.isEmpty() || name.indexOf('.') >= 0 || name.indexOf('[') >= 0 || name.indexOf(']') >= 0
          || (!name.startsWith("\0") && name.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
        throw new LayoutException(fieldPath, "bad field name '" + name + "' (no '.', '[', ']', control "
            + "characters, not empty)");
      }
      if (!names.add(name)) {
        throw new LayoutException(fieldPath, "duplicate field name '" + name + "'");
      }
      LayoutNode node = format(member.getValue(), name.startsWith("\0") ? path : fieldPath, depth + 1);
      offset = alignUp(offset, node.align());
      fields.add(new Field(name, shift(node, offset)));
      offset = fits(offset + node.size(), fieldPath);
      align = Math.max(align, node.align());
    }
    long size = fits(mode.aligned() ? alignUp(offset, align) : offset, path);
    return new Struct(id, List.copyOf(fields), 0, (int) size, align, LayoutNode.Placement.SEQUENTIAL);
  }

  LayoutNode format(Object spec, String path, int depth) {
    if (spec instanceof String s) {
      return formatString(s, path);
    }
    if (ExplicitForms.isExplicit(spec)) {
      Map.Entry<?, ?> form = ((Map<?, ?>) spec).entrySet().iterator().next();
      return explicit.explicit((String) form.getKey(), form.getValue(), path, depth);
    }
    if (isStruct(spec)) {
      return struct(spec, path, depth);
    }
    if (spec instanceof List<?> list) {
      depth(path, depth);
      int id = nextId++;
      if (list.isEmpty()) {
        throw new LayoutException(path, "empty struct or array");
      }
      List<LayoutNode> elements = new ArrayList<>();
      long offset = 0;
      int align = 1;
      for (int i = 0; i < list.size(); i++) {
        LayoutNode e = format(list.get(i), path + "[" + i + "]", depth + 1);
        if (e instanceof Scalar s && s.format() == Format.PAD) {
          throw new LayoutException(path + "[" + i + "]", "pad bytes cannot be an array element");
        }
        offset = alignUp(offset, e.align());
        elements.add(shift(e, offset));
        offset = fits(offset + e.size(), path);
        align = Math.max(align, e.align());
      }
      return new ArrayOf(id, List.copyOf(elements), 0, (int) offset, align);
    }
    throw new LayoutException(path, "bad format " + describe(spec)
        + ": expected a format letter, a list of formats or a list of [name, format] fields");
  }

  private LayoutNode formatString(String s, String path) {
    String t = s.strip();
    if (!t.isEmpty() && ByteOrderMode.ofPrefix(t.charAt(0)) != null) {
      throw new LayoutException(path, "byte order '" + t.charAt(0) + "' is allowed only at the start of a layout");
    }
    Matcher m = TOKEN.matcher(t);
    if (t.isEmpty() || !m.lookingAt() || m.end() != t.length()) {
      if (t.isEmpty()) {
        throw new LayoutException(path, "empty format");
      }
      Matcher letter = Pattern.compile("[^\\d\\s]").matcher(t);
      if (letter.find() && Format.of(letter.group().charAt(0)) == null) {
        throw new LayoutException(path, "unknown format '" + letter.group() + "'");
      }
      throw new LayoutException(path, "one format per field, got '" + s + "' (use a list for an array)");
    }
    char letter = m.group(2).charAt(0);
    Format f = Format.of(letter);
    if (f == null) {
      throw new LayoutException(path, "unknown format '" + letter + "'");
    }
    if (f.size(mode) < 0) {
      throw new LayoutException(path, "format '" + letter + "' needs the native byte order '@'");
    }
    boolean counted = !m.group(1).isEmpty();
    int n = counted ? count(t, m.group(1), path) : 1;
    if (f == Format.PAD || f.isBytes()) {
      if (f != Format.PAD) {
        leaf(path);
      }
      return new Scalar(nextId++, f, n, 0, n, 1);
    }
    if (!counted) {
      leaf(path);
      return scalar(f);
    }
    if (leaves + (long) n > RecordLayout.MAX_FIELDS) {
      throw tooMany(path);
    }
    int id = nextId++;
    List<LayoutNode> elements = new ArrayList<>(n);
    int size = f.size(mode);
    fits((long) n * size, path);
    for (int i = 0; i < n; i++) {
      leaf(path);
      elements.add(shift(scalar(f), i * size));
    }
    return new ArrayOf(id, List.copyOf(elements), 0, n * size, scalar(f).align());
  }

  /** Counts one more value, refusing the layout past {@link RecordLayout#MAX_FIELDS}. */
  ByteOrderMode mode() {
    return mode;
  }

  /** The next node id (pre-order). */
  int newId() {
    return nextId++;
  }

  void leaf(String path) {
    if (++leaves > RecordLayout.MAX_FIELDS) {
      throw tooMany(path);
    }
  }

  private static LayoutException tooMany(String path) {
    return new LayoutException(path, "the layout has more than " + RecordLayout.MAX_FIELDS + " values");
  }

  static void depth(String path, int depth) {
    if (depth > RecordLayout.MAX_DEPTH) {
      throw new LayoutException(path, "structs and arrays nested more than " + RecordLayout.MAX_DEPTH + " deep");
    }
  }

  /** A size or offset, checked against {@link RecordLayout#MAX_SIZE} before it can overflow an int. */
  static long fits(long bytes, String path) {
    if (bytes > RecordLayout.MAX_SIZE) {
      throw new LayoutException(path, "the layout is larger than " + RecordLayout.MAX_SIZE
          + " bytes (the kernel's largest map value)");
    }
    return bytes;
  }

  private Scalar scalar(Format f) {
    int size = f.size(mode);
    return new Scalar(nextId++, f, 1, 0, size, mode.aligned() ? size : 1);
  }

  private static int count(String token, String digits, String path) {
    try {
      int n = Integer.parseInt(digits);
      if (n >= 1 && n <= MAX_COUNT) {
        return n;
      }
    } catch (NumberFormatException tooLong) {
      // falls through to the error
    }
    throw new LayoutException(path, "bad repeat count in '" + token.strip() + "' (1.." + MAX_COUNT + ")");
  }

  /** Moves a node (relative to its own start) to {@code by} bytes further, ids unchanged. */
  static LayoutNode shift(LayoutNode n, long offset) {
    int by = (int) offset;
    if (by == 0) {
      return n;
    }
    return switch (n) {
      case Scalar s -> new Scalar(s.id(), s.format(), s.count(), s.offset() + by, s.size(), s.align());
      case ArrayOf a -> new ArrayOf(a.id(), a.elements().stream().map(e -> shift(e, by)).toList(),
          a.offset() + by, a.size(), a.align());
      case Struct st -> new Struct(st.id(), st.fields().stream()
          .map(f -> new Field(f.name(), shift(f.node(), by))).toList(), st.offset() + by, st.size(), st.align(),
          st.placement());
      case Union u -> new Union(u.id(), u.members().stream()
          .map(f -> new Field(f.name(), shift(f.node(), by))).toList(), u.offset() + by, u.size(), u.align());
      case Bits b -> new Bits(b.id(), b.offset() + by, b.bitOffset(), b.bits(), b.signed(), b.size());
      case LayoutNode.Enum e -> new LayoutNode.Enum(e.id(), e.format(), e.offset() + by, e.size(), e.byValue(),
          e.byName(), e.names());
      case Chars c -> new Chars(c.id(), c.count(), c.signed(), c.offset() + by);
    };
  }

  private static long alignUp(long offset, int align) {
    return (offset + align - 1) / align * align;
  }

  /** A list of [name, format] pairs, or a map of name to format. */
  static boolean isStruct(Object spec) {
    if (ExplicitForms.isExplicit(spec)) {
      return false;
    }
    if (spec instanceof Map<?, ?> map) {
      return map.keySet().stream().allMatch(k -> k instanceof String);
    }
    if (!(spec instanceof List<?> list) || list.isEmpty()) {
      return false;
    }
    for (Object e : list) {
      if (!(e instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof String)
          || pair.get(1) == null || pair.get(1) instanceof Number) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static List<Map.Entry<String, Object>> members(Object spec, String path) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    if (spec instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.add(Map.entry((String) k, v == null ? "" : v)));
    } else {
      for (Object e : (List<Object>) spec) {
        List<Object> pair = (List<Object>) e;
        out.add(Map.entry((String) pair.get(0), pair.get(1)));
      }
    }
    return out;
  }

  private static String describe(Object spec) {
    return spec instanceof String s ? "'" + BpfException.show(s) + "'" : BpfException.show(spec);
  }
}

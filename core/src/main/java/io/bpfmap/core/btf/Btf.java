package io.bpfmap.core.btf;

import io.bpfmap.core.btf.BtfType.Composite;
import io.bpfmap.core.btf.BtfType.Member;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Types read from raw BTF (the kernel's format, {@code Documentation/bpf/btf.rst}): a header, a
 * type section and a string section. A split BTF (a kernel module's) numbers its types after those
 * of its base (vmlinux) and may name them from the base's strings. Pure Java: the bytes come from
 * a map's BTF object, an ELF file or a test. Everything is checked while reading, so a malformed
 * blob is one {@link BtfException} that says where, never an index error or a hang. Immutable.
 */
public final class Btf {
  static final int MAGIC = 0xEB9F;
  private static final int HEADER = 24;

  private final Btf base;
  private final int firstId;
  private final BtfType[] types;
  /** This blob's string section; offsets below {@code firstString} are the base's. */
  private final byte[] strings;
  private final int firstString;

  private Btf(Btf base, int firstId, BtfType[] types, byte[] strings, int firstString) {
    this.base = base;
    this.firstId = firstId;
    this.types = types;
    this.strings = strings;
    this.firstString = firstString;
  }

  /**
   * {@return the types of a whole BTF blob (a program's or vmlinux's)}
   * @param raw the blob, little-endian (big-endian BTF is refused); copied, not kept
   * @throws BtfException when the bytes are not valid BTF, saying where
   */
  public static Btf parse(byte[] raw) {
    return parse(raw, null);
  }

  /**
   * {@return the types of BTF whose type ids and strings continue those of {@code base}}
   * @param raw the blob, little-endian (big-endian BTF is refused); copied, not kept
   * @param base the BTF it is split from (vmlinux for a module's), or null for a whole blob
   * @throws BtfException when the bytes are not valid BTF, saying where
   */
  public static Btf parse(byte[] raw, Btf base) {
    return new Reader(raw, base).read();
  }

  /**
   * {@return the number of type ids, void and the base's included: valid ids are 0 to
   * {@code count() - 1}}
   */
  public int count() {
    return firstId + types.length;
  }

  /** {@return the id of this blob's first type: 1, or the base's count for split BTF} */
  public int firstId() {
    return firstId;
  }

  /**
   * {@return the type with this id, here or in the base; a {@link BtfType.Void} for 0}
   * @param id a type id
   * @throws BtfException when no type has this id
   */
  public BtfType type(int id) {
    if (id == 0) {
      return new BtfType.Void();
    }
    if (id < 0 || id >= count()) {
      throw new BtfException("type " + Integer.toUnsignedString(id) + " does not exist (the last is " + (count() - 1) + ")");
    }
    return id < firstId ? base.type(id) : types[id - firstId];
  }

  /**
   * {@return the type under typedefs, const, volatile, restrict and type tags; the type itself
   * when it is none of them}
   * @param id a type id
   * @throws BtfException when an id on the way does not exist, or the references loop
   */
  public BtfType resolve(int id) {
    BtfType t = type(id);
    for (int steps = 0; t instanceof BtfType.Modifier m; steps++) {
      if (steps > count()) {
        throw new BtfException("type " + id + ": a loop of type references");
      }
      t = type(m.type());
    }
    return t;
  }

  /** {@return this blob's own types (not the base's), in id order from {@link #firstId()}} */
  public List<BtfType> types() {
    return List.of(types);
  }

  /**
   * {@return the first type of this kind with this name, looked for here and then in the base;
   * empty when there is none}
   * @param kind the kind, e.g. {@link BtfKind#STRUCT}
   * @param name the exact name, e.g. {@code flow}
   */
  public Optional<BtfType> find(BtfKind kind, String name) {
    for (BtfType t : types) {
      if (t.kind() == kind && t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return base == null ? Optional.empty() : base.find(kind, name);
  }

  /** A short description of a type for messages: {@code 12 (struct flow)}. */
  String describe(int id) {
    BtfType t = type(id);
    String kind = t.kind().name().toLowerCase(java.util.Locale.ROOT);
    return id + " (" + (t.name().isEmpty() ? "anonymous " + kind : kind + " " + t.name()) + ")";
  }

  /** One pass over the bytes, checking every offset and length before it is used. */
  private static final class Reader {
    private final byte[] raw;
    private final Btf base;
    private final ByteBuffer in;
    private byte[] strings;
    private int firstString;

    Reader(byte[] raw, Btf base) {
      this.raw = raw;
      this.base = base;
      this.in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    Btf read() {
      if (raw.length < HEADER) {
        throw new BtfException("is " + raw.length + " bytes, shorter than its " + HEADER + "-byte header");
      }
      int magic = in.getShort(0) & 0xFFFF;
      if (magic == Integer.reverseBytes(MAGIC) >>> 16) {
        throw new BtfException("is big-endian; this machine reads little-endian BTF");
      }
      if (magic != MAGIC) {
        throw new BtfException("has magic 0x" + Integer.toHexString(magic) + ", not 0xeb9f: these bytes are not BTF");
      }
      if (raw[2] != 1) {
        throw new BtfException("version " + (raw[2] & 0xFF) + " is not supported (only 1)");
      }
      long hdrLen = u32(4);
      if (hdrLen < HEADER || hdrLen > raw.length) {
        throw new BtfException("header length " + hdrLen + " is outside 24.." + raw.length);
      }
      long typeOff = hdrLen + u32(8);
      long typeLen = u32(12);
      long strOff = hdrLen + u32(16);
      long strLenL = u32(20);
      section("type", typeOff, typeLen);
      section("string", strOff, strLenL);
      if ((typeOff - hdrLen) % 4 != 0 || typeLen % 4 != 0) {
        throw new BtfException("type section at " + typeOff + " (" + typeLen + " bytes) is not 4-byte aligned");
      }
      if (typeOff < strOff ? typeOff + typeLen > strOff : strOff + strLenL > typeOff) {
        throw new BtfException("type and string sections overlap");
      }
      strings = Arrays.copyOfRange(raw, (int) strOff, (int) (strOff + strLenL));
      firstString = base == null ? 0 : base.firstString + base.strings.length;
      if (strings.length == 0 && base == null || strings.length > 0 && strings[strings.length - 1] != 0) {
        throw new BtfException("string section does not end with a NUL");
      }
      if (base == null && strings[0] != 0) {
        throw new BtfException("string section does not start with the empty string");
      }
      int firstId = base == null ? 1 : base.count();
      List<BtfType> out = new ArrayList<>();
      int at = (int) typeOff;
      int end = (int) (typeOff + typeLen);
      while (at < end) {
        int id = firstId + out.size();
        if (end - at < 12) {
          throw new BtfException("type " + id + " at byte " + at + ": " + (end - at) + " bytes left, a type needs 12");
        }
        int[] next = new int[1];
        out.add(type(id, at, end, next));
        at = next[0];
      }
      Btf btf = new Btf(base, firstId, out.toArray(BtfType[]::new), strings, firstString);
      for (BtfType t : out) {
        checkRefs(btf, t);
      }
      return btf;
    }

    private void section(String what, long off, long len) {
      if (off + len > raw.length) {
        throw new BtfException(what + " section (bytes " + off + ".." + (off + len) + ") is past the end of the "
            + raw.length + " bytes");
      }
    }

    private long u32(int at) {
      return in.getInt(at) & 0xFFFF_FFFFL;
    }

    /** Reads the type at {@code at}; {@code next[0]} is where the following one starts. */
    private BtfType type(int id, int at, int end, int[] next) {
      String name = string(in.getInt(at), id);
      int info = in.getInt(at + 4);
      int sizeOrType = in.getInt(at + 8);
      int vlen = info & 0xFFFF;
      BtfKind kind = BtfKind.of((info >>> 24) & 0x1F);
      boolean kflag = info < 0;
      if (kind == null) {
        throw new BtfException("type " + id + ": unknown kind " + ((info >>> 24) & 0x1F));
      }
      int each = switch (kind) {
        case STRUCT, UNION, DATASEC, ENUM64 -> 12;
        case ENUM, FUNC_PROTO -> 8;
        default -> 0;
      };
      int fixed = switch (kind) {
        case INT, VAR, DECL_TAG -> 4;
        case ARRAY -> 12;
        default -> 0;
      };
      long need = fixed + (long) each * vlen;
      int body = at + 12;
      if (need > end - body) {
        throw new BtfException("type " + id + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name + "): "
            + (each > 0 ? vlen + " members need " : "needs ") + need + " bytes, " + (end - body) + " are left");
      }
      next[0] = (int) (body + need);
      return switch (kind) {
        case INT -> integer(id, name, sizeOrType, in.getInt(body));
        case FLOAT -> new BtfType.Float(id, name, sizeOrType);
        case PTR -> new BtfType.Ptr(id, sizeOrType);
        case ARRAY -> array(id, body);
        case STRUCT, UNION -> composite(id, name, sizeOrType, kind == BtfKind.UNION, kflag, vlen, body);
        case ENUM, ENUM64 -> enumOf(id, name, sizeOrType, kflag, kind == BtfKind.ENUM64, vlen, body);
        case FWD -> new BtfType.Fwd(id, name, kflag);
        case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> new BtfType.Modifier(id, kind, name, sizeOrType);
        case FUNC, VAR, DECL_TAG -> new BtfType.Other(id, kind, name, sizeOrType, List.of(sizeOrType));
        case FUNC_PROTO -> other(id, kind, name, sizeOrType, vlen, body, 8, 4);
        case DATASEC -> other(id, kind, name, 0, vlen, body, 12, 0);
        case VOID -> throw new IllegalStateException("kind 0 is refused above");
      };
    }

    private BtfType integer(int id, String name, int size, int enc) {
      int encoding = (enc >>> 24) & 0x0F;
      int offset = (enc >>> 16) & 0xFF;
      int bits = enc & 0xFF;
      if (size != 1 && size != 2 && size != 4 && size != 8 && size != 16) {
        throw new BtfException("type " + id + " (int " + name + "): size " + Integer.toUnsignedString(size)
            + " is not 1, 2, 4, 8 or 16");
      }
      if (bits == 0 || offset + bits > size * 8 || bits > 128) {
        throw new BtfException("type " + id + " (int " + name + "): " + bits + " bits at bit " + offset
            + " do not fit its " + size + " bytes");
      }
      return new BtfType.Int(id, name, size, (encoding & 1) != 0, (encoding & 2) != 0, (encoding & 4) != 0, offset, bits);
    }

    private BtfType array(int id, int body) {
      long count = u32(body + 8);
      if (count > Integer.MAX_VALUE) {
        throw new BtfException("type " + id + " (array): " + count + " elements is too many");
      }
      return new BtfType.Array(id, in.getInt(body), in.getInt(body + 4), (int) count);
    }

    private BtfType composite(int id, String name, int size, boolean union, boolean kflag, int vlen, int body) {
      List<Member> members = new ArrayList<>(vlen);
      for (int i = 0; i < vlen; i++) {
        int m = body + 12 * i;
        int offset = in.getInt(m + 8);
        long bitOffset = kflag ? offset & 0xFFFFFF : offset & 0xFFFF_FFFFL;
        int bitfield = kflag ? offset >>> 24 : 0;
        members.add(new Member(string(in.getInt(m), id), in.getInt(m + 4), bitOffset, bitfield));
      }
      return new Composite(id, name, size, union, List.copyOf(members));
    }

    private BtfType enumOf(int id, String name, int size, boolean signed, boolean wide, int vlen, int body) {
      List<BtfType.EnumValue> values = new ArrayList<>(vlen);
      for (int i = 0; i < vlen; i++) {
        int e = body + (wide ? 12 : 8) * i;
        long v;
        if (wide) {
          v = u32(e + 4) | (u32(e + 8) << 32);
        } else {
          v = signed ? in.getInt(e + 4) : u32(e + 4);
        }
        values.add(new BtfType.EnumValue(string(in.getInt(e), id), v));
      }
      return new BtfType.Enum(id, name, size, signed, wide, List.copyOf(values));
    }

    /** A kind no layout holds: only its references are kept, to check them. */
    private BtfType other(int id, BtfKind kind, String name, int type, int vlen, int body, int each, int refAt) {
      List<Integer> refs = new ArrayList<>();
      if (kind == BtfKind.FUNC_PROTO) {
        refs.add(type);
      }
      for (int i = 0; i < vlen; i++) {
        refs.add(in.getInt(body + each * i + refAt));
      }
      return new BtfType.Other(id, kind, name, type, List.copyOf(refs));
    }

    private String string(int off, int id) {
      long o = off & 0xFFFF_FFFFL;
      if (o >= firstString + strings.length) {
        throw new BtfException("type " + id + ": its name at string offset " + o + " is past the "
            + (firstString + strings.length) + "-byte string section");
      }
      return o < firstString ? base.string(o) : cString(strings, (int) (o - firstString));
    }
  }

  /** Checks that every type a type names exists. */
  private static void checkRefs(Btf btf, BtfType t) {
    switch (t) {
      case BtfType.Ptr p -> ref(btf, t, "points to", p.type());
      case BtfType.Array a -> {
        ref(btf, t, "has elements of", a.type());
        ref(btf, t, "is indexed by", a.indexType());
      }
      case Composite c -> {
        for (Member m : c.members()) {
          ref(btf, t, "member '" + m.name() + "' refers to", m.type());
        }
      }
      case BtfType.Modifier m -> ref(btf, t, "refers to", m.type());
      case BtfType.Other o -> {
        for (int r : o.refs()) {
          ref(btf, t, "refers to", r);
        }
      }
      default -> { }
    }
  }

  private static void ref(Btf btf, BtfType from, String how, int to) {
    if (to < 0 || to >= btf.count()) {
      throw new BtfException("type " + btf.describe(from.id()) + ": " + how + " type " + Integer.toUnsignedString(to)
          + ", past the last type " + (btf.count() - 1));
    }
  }

  /** The string at {@code off} (checked by the reader of the blob that names it). */
  private String string(long off) {
    return off < firstString ? base.string(off) : cString(strings, (int) (off - firstString));
  }

  /** The NUL-terminated string at {@code from}; a section always ends with a NUL. */
  private static String cString(byte[] section, int from) {
    int to = from;
    while (section[to] != 0) {
      to++;
    }
    return new String(section, from, to - from, StandardCharsets.UTF_8);
  }
}

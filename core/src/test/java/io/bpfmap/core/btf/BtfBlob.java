package io.bpfmap.core.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes BTF by hand, for blobs no compiler makes: malformed ones and split ones. */
final class BtfBlob {
  private final ByteArrayOutputStream types = new ByteArrayOutputStream();
  private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
  private final int firstString;

  /** A blob whose strings start at {@code firstString} (a split blob: the base's string size). */
  BtfBlob(int firstString) {
    this.firstString = firstString;
    if (firstString == 0) {
      strings.write(0);
    }
  }

  BtfBlob() {
    this(0);
  }

  /** Adds a string; its offset. */
  int string(String s) {
    int at = firstString + strings.size();
    strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    strings.write(0);
    return at;
  }

  /** A type header: name offset, kind, vlen, kind flag, size or type. */
  BtfBlob type(int nameOff, int kind, int vlen, boolean kflag, int sizeOrType) {
    return words(nameOff, (kflag ? 1 << 31 : 0) | kind << 24 | vlen, sizeOrType);
  }

  BtfBlob integer(String name, int size, int encoding, int bits) {
    return type(string(name), 1, 0, false, size).words(encoding << 24 | bits);
  }

  BtfBlob words(int... ws) {
    ByteBuffer b = ByteBuffer.allocate(4 * ws.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : ws) {
      b.putInt(w);
    }
    types.writeBytes(b.array());
    return this;
  }

  byte[] bytes() {
    byte[] t = types.toByteArray();
    byte[] s = strings.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(t.length)
        .putInt(t.length).putInt(s.length).put(t).put(s);
    return b.array();
  }
}

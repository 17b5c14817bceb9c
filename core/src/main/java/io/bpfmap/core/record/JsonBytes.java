package io.bpfmap.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One JSON generator over a growable buffer, reused record after record: write a value with
 * {@link #generator()}, then {@link #take()} its bytes. Not thread-safe.
 */
public final class JsonBytes {
  private static final JsonFactory JSON = new JsonFactory();

  private final Buffer buffer = new Buffer();
  private final JsonGenerator generator;

  public JsonBytes() {
    try {
      generator = JSON.createGenerator(buffer);
      generator.setRootValueSeparator(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonGenerator generator() {
    return generator;
  }

  /** The bytes written since the last take, as a new array; the buffer is emptied. */
  public byte[] take() {
    try {
      generator.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.take();
  }

  private static final class Buffer extends OutputStream {
    private byte[] buf = new byte[256];
    private int len;

    @Override
    public void write(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    byte[] take() {
      byte[] out = Arrays.copyOf(buf, len);
      len = 0;
      return out;
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }
  }
}

package io.bpfmap.metrics;

import io.bpfmap.core.record.CString;

/** Bytes up to the first NUL as UTF-8, other bytes as {@code \xNN} (the text rule of layouts). */
final class CStringDecoder implements LabelDecoder {
  @Override
  public String decode(Object value, byte[] raw) {
    return CString.toText(raw);
  }
}

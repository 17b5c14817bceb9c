package io.bpfmap.core.btf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON read token by token into plain values that keep what a tree reader would lose: object
 * members in order, duplicate names included (bpftool writes every anonymous member as "").
 * Objects are lists of name/value entries, arrays lists, numbers BigDecimal.
 */
final class JsonTokens {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonTokens() {}

  record Obj(List<Map.Entry<String, Object>> members) {}

  static Object read(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      p.nextToken();
      return value(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    return switch (t) {
      case START_OBJECT -> {
        List<Map.Entry<String, Object>> members = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String name = p.currentName();
          p.nextToken();
          members.add(Map.entry(name, value(p)));
        }
        yield new Obj(members);
      }
      case START_ARRAY -> {
        List<Object> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(value(p));
        }
        yield items;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> new BigDecimal(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> "null";
      default -> throw new IllegalStateException("unexpected " + t);
    };
  }

  /** The member named {@code name} (the first). */
  static Object get(Object obj, String name) {
    return ((Obj) obj).members().stream().filter(e -> e.getKey().equals(name)).findFirst()
        .map(Map.Entry::getValue).orElseThrow(() -> new AssertionError("no member " + name + " in " + obj));
  }

  /** bpftool's hex byte list ({@code ["0x01","0xff"]}) as bytes. */
  static byte[] hexBytes(Object list) {
    List<?> l = (List<?>) list;
    byte[] out = new byte[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(((String) l.get(i)).substring(2), 16);
    }
    return out;
  }

  static BigInteger hex(String s) {
    return new BigInteger(s.substring(2), 16);
  }
}

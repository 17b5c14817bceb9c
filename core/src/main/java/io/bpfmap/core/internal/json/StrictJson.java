package io.bpfmap.core.internal.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON reader of layouts and masks given as text, which refuses duplicate keys. Made at its
 * first use: a command that reads no such text (a map with BTF needs none) never starts Jackson,
 * whose start costs a one-shot command tens of milliseconds.
 */
public final class StrictJson {
  private StrictJson() {}

  /** Made when first asked for (the holder idiom). */
  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /**
   * {@return {@code text} read as JSON: maps, lists, strings, numbers, booleans and nulls}
   * @param text JSON text
   * @throws JsonProcessingException when it is not JSON, or an object repeats a key
   */
  public static Object read(String text) throws JsonProcessingException {
    return Holder.MAPPER.readValue(text, Object.class);
  }
}

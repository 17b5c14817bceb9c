package io.bpfmap.core.internal.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * The JSON reader of layouts and masks given as text, which refuses duplicate keys. Plain JSON is
 * read by {@link PlainJson}; Jackson, whose start costs a one-shot command tens of milliseconds,
 * starts only for the rest (exponents, a top-level null) and to word a parse error.
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
    Optional<Object> plain = PlainJson.read(text);
    return plain.isPresent() ? plain.get() : Holder.MAPPER.readValue(text, Object.class);
  }
}

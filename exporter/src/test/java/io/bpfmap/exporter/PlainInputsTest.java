package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.internal.json.PlainJson;
import io.bpfmap.core.testing.JsonTexts;
import java.io.IOException;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Keys, values, layouts and masks read without Jackson read as the YAML reader read them. */
class PlainInputsTest {
  @Property(tries = 1000)
  void plainJsonIsReadAsTheYamlReaderReadsIt(@ForAll("plain") String text) throws IOException {
    Object yaml = Inputs.yaml().readValue(text, Object.class);
    assertThat(PlainJson.read(text)).as(text).contains(yaml);
    assertThat(Inputs.tree("--key", text)).isEqualTo(yaml);
  }

  @Property(tries = 2000)
  void anyTextIsEitherReadAsTheYamlReaderReadsItOrLeftToIt(@ForAll("anyChars") String text) {
    JsonTexts.assertReadAlikeOrLeft(text, "YAML", t -> Inputs.yaml().readValue(t, Object.class));
  }

  @Test
  void yamlAndBrokenJsonStillGoToTheYamlReader() {
    assertThat(Inputs.tree("--key", "{saddr: 1, proto: tcp}")).isEqualTo(Map.of("saddr", 1, "proto", "tcp"));
    assertThat(Inputs.tree("--key", "[1e5, 1]")).isEqualTo(java.util.List.of(100000.0, 1));
    assertThatThrownBy(() -> Inputs.tree("--key", "{\"saddr\": 1,")).isInstanceOf(CliException.class)
        .hasMessageStartingWith("--key: not JSON or YAML: line 1, column ");
    assertThatThrownBy(() -> Inputs.tree("--value", "{\"a\": 1, \"a\": 2}")).isInstanceOf(CliException.class)
        .hasMessageContaining("--value: not JSON or YAML: ").hasMessageContaining("Duplicate field 'a'");
  }

  @Provide
  Arbitrary<String> plain() {
    return JsonTexts.documents(" \r\n", Arbitraries.chars().range(' ', '~').with('é', '€', '\n', '\u0000'));
  }

  @Provide
  Arbitrary<String> anyChars() {
    return JsonTexts.documents(" \t\r\n", Arbitraries.chars().with('\u2028', '\u2029', '\u0085', '\t'));
  }
}

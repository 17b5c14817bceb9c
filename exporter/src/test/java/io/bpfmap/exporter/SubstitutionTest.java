package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ${NAME} and ${file:/path} in config values: pure logic, with an environment of the test's own. */
class SubstitutionTest {
  private static final Substitution SUB = new Substitution(Map.of("PIN", "/sys/fs/bpf/flows", "USER", "bpfmap")::get);

  @Test
  void replacesVariablesAndFilesInValuesNotKeys(@TempDir Path tmp) throws Exception {
    Path secret = Files.writeString(tmp.resolve("password"), "s3cret\n");
    Object tree = Map.of("maps", List.of(Map.of("pin", "${PIN}", "name", "a-${USER}-b")), "${USER}", "x",
        "sinks", Map.of("kafka", Map.of("producer", Map.of("sasl.jaas.config",
            "user=\"${USER}\" password=\"${file:" + secret + "}\""))), "literal", "$${PIN} and 42");
    Map<?, ?> out = (Map<?, ?>) SUB.apply(tree, "");
    assertThat(out.get("maps")).isEqualTo(List.of(Map.of("pin", "/sys/fs/bpf/flows", "name", "a-bpfmap-b")));
    assertThat(out.get("${USER}")).as("keys stay").isEqualTo("x");
    assertThat(out.get("sinks")).isEqualTo(Map.of("kafka", Map.of("producer", Map.of("sasl.jaas.config",
        "user=\"bpfmap\" password=\"s3cret\""))));
    assertThat(out.get("literal")).isEqualTo("${PIN} and 42");
  }

  @Test
  void everyUnresolvableReferenceNamesItsPathAndNeverAValue(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> SUB.apply(Map.of("maps", List.of(Map.of("pin", "${NOPE}"))), ""))
        .hasMessage("maps[0].pin: ${NOPE}: the environment variable NOPE is not set");
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> SUB.apply(Map.of("node", "${file:" + missing + "}"), ""))
        .hasMessage("node: ${file:" + missing + "}: no such file");
    assertThatThrownBy(() -> SUB.apply(Map.of("node", "x-${PIN"), "")).hasMessage(
        "node: '${' without its '}' (write $${ for a literal ${)");
    assertThatThrownBy(() -> SUB.apply(Map.of("node", "${a b}"), ""))
        .hasMessage("node: ${a b}: not an environment variable name or file:/path");
  }
}

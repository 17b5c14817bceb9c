package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The command line on maps that carry BTF, with no layout given: keys and values in and out in
 * the shape of their C types, maps listed and found by id and by name, types shown as C, and a
 * hand-written layout checked against BTF.
 */
@KernelTest
class BtfCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void entriesGoInAndOutInTheirCShapeWithNoLayout(PinDir dir) throws Exception {
    Path obj = BpfPrograms.compile("kinds");
    var loaded = Cli.run("load", obj.toString(), "--pin", dir.path().toString());
    assertThat(loaded.exit()).as(loaded.err()).isZero();
    assertThat(loaded.out().lines().map(l -> read(l).get("name").asText()).toList()).contains("kinds_hash", "kinds_pcpu",
        "kinds_lru", "kinds_bare");
    String lru = dir.resolve("kinds_lru").toString();
    assertThat(Cli.run("update", lru, "--key", "eth0", "--value", "BLUE").exit()).isZero();
    assertThat(Cli.run("update", lru, "--key", "[104, 105, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]", "--value", "7").exit()).isZero();
    assertThat(Cli.run("lookup", lru, "--key", "eth0").out()).isEqualTo("\"BLUE\"");
    assertThat(Cli.run("dump", lru).out().lines().sorted()).containsExactly(
        "{\"key\":\"eth0\",\"value\":\"BLUE\"}",
        "{\"key\":[104,105,1,0,0,0,0,0,0,0,0,0],\"value\":\"BLUE\"}");

    String pcpu = dir.resolve("kinds_pcpu").toString();
    var up = Cli.run("update", pcpu, "--key", "{port: 80, tag: 65}", "--value", "{saddr: 167772161, sport: 443, proto: 6, "
        + "color: NEGATIVE, ifname: lo, flag: 1, level: 5, delta: -3, hue: 7}");
    assertThat(up.exit()).as(up.err()).isZero();
    String one = "{\"saddr\":167772161,\"sport\":443,\"proto\":6,\"color\":\"NEGATIVE\",\"ifname\":\"lo\",\"flag\":1,"
        + "\"level\":5,\"delta\":-3,\"hue\":7}";
    assertThat(Cli.run("dump", pcpu).out()).isEqualTo("{\"key\":{\"port\":80,\"tag\":65},\"value\":["
        + String.join(",", java.util.Collections.nCopies(BpfMap.possibleCpus(), one)) + "]}");
    assertThat(Cli.run("dump", pcpu, "--mask", "{saddr: R, delta: R}").out()).contains("{\"saddr\":167772161,\"sport\":null,"
        + "\"proto\":null,\"color\":null,\"ifname\":null,\"flag\":null,\"level\":null,\"delta\":-3,\"hue\":null}");

    String bare = dir.resolve("kinds_bare").toString();
    assertThat(Cli.run("update", bare, "--key", "HUGE", "--value", "[1, 2, 3, 18446744073709551615]").exit()).isZero();
    assertThat(Cli.run("dump", bare).out()).isEqualTo("{\"key\":\"HUGE\",\"value\":[1,2,3,18446744073709551615]}");
    assertThat(Cli.run("delete", bare, "--key", "HUGE").exit()).isZero();
    assertThat(Cli.run("dump", bare).out()).isEmpty();

    var wrong = Cli.run("update", pcpu, "--key", "{port: 80, tag: 65}", "--value", "{saddr: 1}");
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).isEqualTo("bpfmap: --value: sport: missing field");
    var badEnum = Cli.run("update", lru, "--key", "eth0", "--value", "PURPLE");
    assertThat(badEnum.err()).isEqualTo("bpfmap: --value: value: 'PURPLE' is not one of the enum's names [RED, GREEN, BLUE, NEGATIVE]");
  }

  @Test
  void mapsAreListedAndFoundByIdAndNameAndTheirTypesShownAsC(PinDir dir) throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("kinds"))) {
      BpfMap hash = obj.map("kinds_hash");
      hash.pin(dir.resolve("h"));
      int id = hash.info().id();
      JsonNode listed = Cli.run("maps").out().lines().map(BtfCliIT::read).filter(n -> n.get("id").asInt() == id)
          .findFirst().orElseThrow();
      assertThat(listed.get("name").asText()).isEqualTo("kinds_hash");
      assertThat(listed.get("type").asText()).isEqualTo("hash");
      assertThat(listed.get("key_size").asInt()).isEqualTo(20);
      assertThat(listed.get("btf_id").asInt()).isEqualTo(hash.info().btfId()).isPositive();
      assertThat(listed.get("pins")).containsExactly(JSON.getNodeFactory().textNode(dir.resolve("h").toString()));

      JsonNode info = read(Cli.run("info", "id:" + id).out());
      assertThat(info.get("btf_key_type").asText()).isEqualTo("struct key");
      assertThat(info.get("btf_value_type").asText()).isEqualTo("struct value");
      String c = Cli.run("info", "name:kinds_hash", "--c").out();
      assertThat(c).contains("struct key {\n\t__u32 saddr;", "\tint delta: 4;", "enum color {\n\tRED = 0,")
          .endsWith("/* key: struct key, value: struct value */");

      hash.update(new byte[20], new byte[hash.info().valueSize()]);
      assertThat(Cli.run("dump", "id:" + id).out()).startsWith("{\"key\":{\"saddr\":0,\"sport\":0,\"proto\":0,\"color\":\"RED\"");
      assertThat(Cli.run("dump", "name:kinds_hash").out()).isEqualTo(Cli.run("dump", dir.resolve("h").toString()).out());

      try (BpfObject again = BpfObject.open(BpfPrograms.compile("kinds"))) {
        var ambiguous = Cli.run("dump", "name:kinds_hash");
        assertThat(ambiguous.exit()).isEqualTo(2);
        assertThat(ambiguous.err()).isEqualTo("bpfmap: select map on name:kinds_hash: 2 maps have this name (id:" + id
            + " hash, id:" + again.map("kinds_hash").info().id() + " hash): select one by id");
      }
      var missing = Cli.run("dump", "name:no_such_map");
      assertThat(missing.err()).isEqualTo("bpfmap: select map on name:no_such_map: ENOENT (No such file or directory): "
          + "no map has this name");
      var gone = Cli.run("dump", "id:2147483647");
      assertThat(gone.err()).isEqualTo("bpfmap: open on map id 2147483647: ENOENT (No such file or directory): no map "
          + "has this id");
      assertThat(Cli.run("dump", "id:x").err()).isEqualTo("bpfmap: select map on id:x: a map id is a positive number (id:42)");
    }
  }

  @Test
  void aHandWrittenLayoutIsCheckedAgainstBtfUnlessTrusted(PinDir dir) throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("kinds"))) {
      BpfMap pcpu = obj.map("kinds_pcpu");
      pcpu.pin(dir.resolve("p"));
      String pin = dir.resolve("p").toString();
      var renamed = Cli.run("dump", pin, "--key-layout", "[[port, H], [label, B], [pad, x]]");
      assertThat(renamed.exit()).isEqualTo(2);
      assertThat(renamed.err()).isEqualTo("bpfmap: --key-layout: the layout names field 2 'label', BTF's struct inner "
          + "names it 'tag' (--trust-layout to use it anyway)");
      var moved = Cli.run("dump", pin, "--key-layout", "[[tag, B], [port, H], [pad, x]]");
      assertThat(moved.err()).isEqualTo("bpfmap: --key-layout: the layout names field 1 'tag', BTF's struct inner names "
          + "it 'port' (--trust-layout to use it anyway)");
      var shifted = Cli.run("dump", pin, "--key-layout", "[[pad, x], [port, H], [tag, B]]");
      assertThat(shifted.err()).isEqualTo("bpfmap: --key-layout: the layout puts 'port' at offset 1 (2 bytes), BTF's "
          + "struct inner at 0 (2 bytes) (--trust-layout to use it anyway)");
      assertThat(Cli.run("dump", pin, "--key-layout", "[[port, H], [tag, b], [pad, x]]").exit()).isZero();
      var letters = Cli.run("dump", pin, "--key-layout", "=HBx");
      assertThat(letters.exit()).as("a struct format names no fields: its offsets and sizes agree").isZero();
      assertThat(Cli.run("dump", pin, "--key-layout", "=BHx").err()).isEqualTo("bpfmap: --key-layout: the layout puts "
          + "'f0' at offset 0 (1 bytes), BTF's struct inner at 0 (2 bytes) (--trust-layout to use it anyway)");
      assertThat(Cli.run("dump", pin, "--key-layout", "[[port, H], [label, B], [pad, x]]", "--trust-layout").exit())
          .isZero();
    }
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }
}

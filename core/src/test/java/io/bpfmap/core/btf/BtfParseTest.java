package io.bpfmap.core.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.record.RecordLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * The BTF reader on blobs saved from real objects ({@code kinds.bpf.c} compiled by clang 16 and
 * by clang 14), on the running kernel's BTF when it has one, and on malformed blobs: each is read,
 * or refused with one line that says where, never with another exception or a hang.
 */
class BtfParseTest {
  static byte[] resource(String name) {
    try (InputStream in = BtfParseTest.class.getResourceAsStream("/btf/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int id(Btf btf, BtfKind kind, String name) {
    return btf.find(kind, name).orElseThrow().id();
  }

  @Test
  void readsEveryKindClangEmits() {
    Btf btf = Btf.parse(resource("kinds.btf"));
    java.util.Set<BtfKind> kinds = java.util.EnumSet.noneOf(BtfKind.class);
    btf.types().forEach(t -> kinds.add(t.kind()));
    assertThat(kinds).as("every kind but void").isEqualTo(java.util.EnumSet.complementOf(java.util.EnumSet.of(
        BtfKind.VOID)));
    BtfType.Enum big = (BtfType.Enum) btf.find(BtfKind.ENUM64, "big").orElseThrow();
    assertThat(big.signed()).isFalse();
    assertThat(big.values()).containsExactly(new BtfType.EnumValue("SMALL", 1), new BtfType.EnumValue("HUGE",
        0xF000000000000000L));
    BtfType.Enum color = (BtfType.Enum) btf.find(BtfKind.ENUM, "color").orElseThrow();
    assertThat(color.signed()).isTrue();
    assertThat(color.values()).contains(new BtfType.EnumValue("NEGATIVE", -3));
  }

  /**
   * {@code union { __u64 whole; struct { __u32 lo, hi; }; }}: members given together must agree;
   * and a {@code char[16]} too long is named as C names it.
   */
  @Test
  void anAnonymousUnionTakesMembersThatAgreeAndNamesThoseThatDoNot() {
    Btf btf = Btf.parse(resource("kinds.btf"));
    RecordLayout value = BtfLayouts.layout(btf, id(btf, BtfKind.STRUCT, "value"), "value");
    java.util.Map<String, Object> fields = value.unpack(new byte[value.size()]);
    fields.put("whole", (2L << 32) | 1);
    fields.put("lo", 1L);
    fields.put("hi", 2L);
    assertThat(value.unpack(value.pack(fields))).containsEntry("whole", (2L << 32) | 1).containsEntry("lo", 1L);
    fields.put("hi", 3L);
    assertThatThrownBy(() -> value.pack(fields)).hasMessage("whole: differs from lo/hi where they share the union's "
        + "bytes: give one member, or values that agree");
    fields.remove("whole");
    assertThat(value.unpack(value.pack(fields))).containsEntry("whole", (3L << 32) | 1);
    fields.put("name", "seventeen letters");
    assertThatThrownBy(() -> value.pack(fields)).hasMessage("name: 17 bytes do not fit char[16] (at most 16)");
  }

  @Test
  void structsBecomeLayoutsWithEveryFieldWhereTheCompilerPutIt() {
    Btf btf = Btf.parse(resource("kinds.btf"));
    RecordLayout key = BtfLayouts.layout(btf, id(btf, BtfKind.STRUCT, "key"), "key");
    assertThat(key.size()).isEqualTo(20);
    assertThat(key.leafPaths()).containsExactly("saddr", "sport", "proto", "color", "ifname", "flag", "level", "delta",
        "hue");
    assertThat(List.of(key.offsetOf("saddr"), key.offsetOf("sport"), key.offsetOf("proto"), key.offsetOf("color"),
        key.offsetOf("ifname"), key.offsetOf("flag"))).containsExactly(0, 4, 6, 8, 12, 18);
    assertThat(key.letterOf("delta")).isEqualTo('q');
    assertThat(key.enumNames("color")).containsEntry(-3L, "NEGATIVE").containsEntry(7L, "BLUE");

    RecordLayout value = BtfLayouts.layout(btf, id(btf, BtfKind.STRUCT, "value"), "value");
    assertThat(value.leafPaths()).contains("ok", "name", "id", "point.x", "big", "ptr", "grid[1][2]", "in[1].tag",
        "palette[2]", "a", "b", "addr.v4", "addr.v6[15]", "whole", "lo", "hi", "bf3", "u128", "s128");
    assertThat(value.unions()).contains(List.of("addr.v4", "addr.v6[0]", "addr.v6[1]", "addr.v6[2]", "addr.v6[3]",
        "addr.v6[4]", "addr.v6[5]", "addr.v6[6]", "addr.v6[7]", "addr.v6[8]", "addr.v6[9]", "addr.v6[10]",
        "addr.v6[11]", "addr.v6[12]", "addr.v6[13]", "addr.v6[14]", "addr.v6[15]"), List.of("whole", "lo", "hi"));
    assertThat(value.letterOf("name")).isEqualTo('s');
    assertThat(value.letterOf("mac[0]")).isEqualTo('B');
    assertThat(value.letterOf("ptr")).isEqualTo('Q');
    assertThat(value.letterOf("ok")).isEqualTo('?');
    assertThat(RecordLayout.parse(value.notation())).isEqualTo(value);

    RecordLayout bare = BtfLayouts.layout(btf, ((BtfType.Modifier) btf.find(BtfKind.TYPEDEF, "__u32").orElseThrow())
        .id(), "key");
    assertThat(bare.isBare()).isTrue();
    assertThat(bare.leafPaths()).containsExactly("key");
    assertThat(new String(bare.jsonWriter().toJson(new byte[] {7, 0, 0, 0}))).isEqualTo("7");
  }

  @Test
  void clang14sBtfReadsToTheSameLayoutsButForEnumSignedness() {
    Btf b16 = Btf.parse(resource("kinds.btf"));
    Btf b14 = Btf.parse(resource("kinds-clang14.btf"));
    RecordLayout v16 = BtfLayouts.layout(b16, id(b16, BtfKind.STRUCT, "value"), "value");
    RecordLayout v14 = BtfLayouts.layout(b14, id(b14, BtfKind.STRUCT, "value"), "value");
    assertThat(v14.leafPaths()).isEqualTo(v16.leafPaths());
    assertThat(v14.size()).isEqualTo(v16.size());
    for (String p : v16.leafPaths()) {
      assertThat(v14.offsetOf(p)).as(p).isEqualTo(v16.offsetOf(p));
    }
  }

  @Test
  void typesReadBackAsC() {
    Btf btf = Btf.parse(resource("kinds.btf"));
    String c = CDecl.of(btf, id(btf, BtfKind.STRUCT, "value"));
    assertThat(c).contains("struct inner {\n\t__u16 port;\n\tchar tag;\n};")
        .contains("typedef unsigned int __u32;")
        .contains("\tunsigned int bf1: 5;")
        .contains("\tconst volatile id_t id;")
        .contains("\t__u32 grid[2][3];")
        .contains("\tstruct inner *iptr;")
        .contains("\tunion {\n\t\t__u32 v4;\n\t\t__u8 v6[16];\n\t} addr;")
        .endsWith("};");
    assertThat(c.indexOf("struct inner {")).isLessThan(c.indexOf("struct value {"));
    assertThat(CDecl.name(btf, id(btf, BtfKind.STRUCT, "value"))).isEqualTo("struct value");
  }

  @Test
  void theRunningKernelsBtfIsRead() throws IOException {
    Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
    Assumptions.assumeTrue(Files.isReadable(vmlinux) || io.bpfmap.core.testing.BpfExtension.required(),
        "the kernel has no BTF");
    Btf btf = Btf.parse(Files.readAllBytes(vmlinux));
    assertThat(btf.count()).isGreaterThan(10_000);
    RecordLayout info = BtfLayouts.layout(btf, id(btf, BtfKind.STRUCT, "bpf_map_info"), "value");
    assertThat(info.offsetOf("btf_id")).isEqualTo(64);
    assertThat(info.offsetOf("name")).isEqualTo(24);
  }

  @Test
  void splitBtfNumbersItsTypesAfterItsBase() {
    BtfBlob base = new BtfBlob().integer("int", 4, 1, 32);
    Btf b = Btf.parse(base.bytes());
    int baseStrings = 1 + "int".length() + 1;
    BtfBlob split = new BtfBlob(baseStrings);
    int name = split.string("pair");
    int first = split.string("first");
    split.type(name, 4, 2, false, 8).words(first, 1, 0, 1 /* name "int" from the base */, 1, 32);
    Btf s = Btf.parse(split.bytes(), b);
    assertThat(s.firstId()).isEqualTo(2);
    BtfType.Composite pair = (BtfType.Composite) s.type(2);
    assertThat(pair.members().get(1).name()).isEqualTo("int");
    RecordLayout l = BtfLayouts.layout(s, 2, "value");
    assertThat(l.leafPaths()).containsExactly("first", "int");
    assertThat(l.letterOf("int")).isEqualTo('i');
  }

  @Test
  void malformedBlobsAreRefusedInOneLineThatSaysWhere() {
    byte[] good = new BtfBlob().integer("int", 4, 1, 32).bytes();
    refused(Arrays.copyOf(good, 10), "BTF is 10 bytes, shorter than its 24-byte header");
    byte[] magic = good.clone();
    magic[0] = 0x12;
    refused(magic, "BTF has magic 0xeb12, not 0xeb9f: these bytes are not BTF");
    byte[] bigEndian = good.clone();
    bigEndian[0] = (byte) 0xEB;
    bigEndian[1] = (byte) 0x9F;
    refused(bigEndian, "BTF is big-endian; this machine reads little-endian BTF");
    refused(Arrays.copyOf(good, good.length - 3), "BTF string section (bytes 40..45) is past the end of the 42 bytes");
    refused(new BtfBlob().type(9999, 1, 0, false, 4).words(32).bytes(),
        "BTF type 1: its name at string offset 9999 is past the 1-byte string section");
    refused(new BtfBlob().type(0, 4, 65535, false, 8).words(0, 1, 0).bytes(),
        "BTF type 1 (struct ): 65535 members need 786420 bytes, 12 are left");
    refused(new BtfBlob().type(0, 25, 0, false, 0).bytes(), "BTF type 1: unknown kind 25");
    BtfBlob missing = new BtfBlob();
    missing.type(missing.string("s"), 4, 1, false, 4).words(missing.string("x"), 7, 0);
    refused(missing.bytes(), "BTF type 1 (struct s): member 'x' refers to type 7, past the last type 1");
    refused(new BtfBlob().type(0, 1, 0, false, 3).words(24).bytes(), "BTF type 1 (int ): size 3 is not 1, 2, 4, 8 or 16");
  }

  @Test
  void loopsOfReferencesAreRefusedNotFollowedForever() {
    BtfBlob loop = new BtfBlob();
    loop.type(loop.string("a"), 8, 0, false, 2).type(loop.string("b"), 8, 0, false, 1);
    Btf btf = Btf.parse(loop.bytes());
    assertThatThrownBy(() -> btf.resolve(1)).isInstanceOf(BtfException.class)
        .hasMessage("BTF type 1: a loop of type references");
    assertThatThrownBy(() -> BtfLayouts.layout(btf, 1, "value")).isInstanceOf(BtfException.class)
        .hasMessage("BTF type 1: a loop of type references");

    BtfBlob self = new BtfBlob();
    self.type(self.string("node"), 4, 1, false, 8).words(self.string("next"), 1, 0);
    assertThatThrownBy(() -> BtfLayouts.layout(Btf.parse(self.bytes()), 1, "value")).isInstanceOf(BtfException.class)
        .hasMessage("BTF type 1 (struct node) contains itself");

    BtfBlob deep = new BtfBlob();
    deep.integer("int", 4, 1, 32);
    for (int i = 2; i < 2 + 40; i++) {
      deep.type(0, 3, 0, false, 0).words(i - 1, 1, 1);
    }
    assertThatThrownBy(() -> BtfLayouts.layout(Btf.parse(deep.bytes()), 41, "value"))
        .isInstanceOf(BtfException.class).hasMessageContaining("nested more than 32 deep");
  }

  @Test
  void kindsThatAreNotDataHaveNoLayout() {
    BtfBlob fwd = new BtfBlob();
    fwd.type(fwd.string("opaque"), 7, 0, false, 0);
    assertThatThrownBy(() -> BtfLayouts.layout(Btf.parse(fwd.bytes()), 1, "value")).isInstanceOf(BtfException.class)
        .hasMessage("BTF type 1 (fwd opaque) has no layout: it is only declared here");
    assertThatThrownBy(() -> BtfLayouts.layout(Btf.parse(new BtfBlob().integer("int", 4, 1, 32).bytes()), 0, "value"))
        .isInstanceOf(BtfException.class).hasMessage("BTF type 0 (void void) has no layout");
  }

  @Test
  void everyTruncationOfARealBlobIsReadOrRefusedInOneLine() {
    byte[] real = resource("kinds.btf");
    int refusals = 0;
    for (int n = 0; n < real.length; n++) {
      try {
        Btf.parse(Arrays.copyOf(real, n));
      } catch (BtfException e) {
        assertThat(e.getMessage()).startsWith("BTF ").doesNotContain("\n");
        refusals++;
      }
    }
    assertThat(refusals).isEqualTo(real.length);
    ByteBuffer header = ByteBuffer.wrap(real).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(header.getShort(0) & 0xFFFF).isEqualTo(Btf.MAGIC);
  }

  private static void refused(byte[] blob, String message) {
    assertThatThrownBy(() -> Btf.parse(blob)).isInstanceOf(BtfException.class).hasMessage(message);
  }
}

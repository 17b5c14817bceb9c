package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code @} layout places fields where gcc does: each struct below is written both as C and
 * in the seed's notation; a C program compiled now prints offsetof and sizeof for every leaf.
 */
class CAlignmentTest {
  private record Case(String c, RecordLayout layout) {}

  private static RecordLayout at(String json) {
    return RecordLayout.parse("@" + json);
  }

  private static final List<Case> CASES = List.of(
      new Case("char a; long b;", at("[[\"a\",\"c\"],[\"b\",\"l\"]]")),
      new Case("unsigned char a; unsigned short b; unsigned int c; unsigned long long d;",
          at("[[\"a\",\"B\"],[\"b\",\"H\"],[\"c\",\"I\"],[\"d\",\"Q\"]]")),
      new Case("char a; double d; char b;", at("[[\"a\",\"b\"],[\"d\",\"d\"],[\"b\",\"b\"]]")),
      new Case("short s; struct { char c; int i; } in; char t;",
          at("[[\"s\",\"h\"],[\"in\",[[\"c\",\"c\"],[\"i\",\"i\"]]],[\"t\",\"c\"]]")),
      new Case("char c; unsigned long long arr[3]; short s;", at("[[\"c\",\"c\"],[\"arr\",\"3Q\"],[\"s\",\"h\"]]")),
      new Case("char c; struct { char x; short y; } arr[2]; char z;",
          at("[[\"c\",\"c\"],[\"arr\",[[[\"x\",\"c\"],[\"y\",\"h\"]],[[\"x\",\"c\"],[\"y\",\"h\"]]]],[\"z\",\"c\"]]")),
      new Case("_Bool b; float f; _Float16 h; char s[5]; void *p;",
          at("[[\"b\",\"?\"],[\"f\",\"f\"],[\"h\",\"e\"],[\"s\",\"5s\"],[\"p\",\"P\"]]")),
      new Case("int i; char name[3];", at("[[\"i\",\"i\"],[\"name\",\"3s\"]]")),
      new Case("char a; struct { double d; char e; } n; char b;",
          at("[[\"a\",\"c\"],[\"n\",[[\"d\",\"d\"],[\"e\",\"c\"]]],[\"b\",\"c\"]]")),
      new Case("unsigned char x[3]; struct { unsigned short a; unsigned char b; } s; unsigned int y;",
          at("[[\"x\",[\"B\",\"B\",\"B\"]],[\"s\",[[\"a\",\"H\"],[\"b\",\"B\"]]],[\"y\",\"I\"]]")),
      new Case("signed char a; long long q; struct { short h; struct { char c; double d; } deep; } mid; unsigned long L;",
          at("[[\"a\",\"b\"],[\"q\",\"q\"],[\"mid\",[[\"h\",\"h\"],[\"deep\",[[\"c\",\"c\"],[\"d\",\"d\"]]]]],[\"L\",\"L\"]]")));

  @Test
  void nativeAlignedOffsetsAndSizesMatchGcc(@TempDir Path dir) throws Exception {
    Map<String, Integer> gcc = runGcc(dir);
    for (int i = 0; i < CASES.size(); i++) {
      RecordLayout l = CASES.get(i).layout();
      assertThat(l.size()).as("sizeof s%d", i).isEqualTo(gcc.get(i + " sizeof"));
      for (String path : l.leafPaths()) {
        assertThat(l.offsetOf(path)).as("offsetof s%d.%s", i, path).isEqualTo(gcc.get(i + " " + path));
      }
    }
  }

  private static Map<String, Integer> runGcc(Path dir) throws IOException, InterruptedException {
    boolean gccPresent = new ProcessBuilder("sh", "-c", "command -v gcc").start().waitFor() == 0;
    if (!gccPresent && "1".equals(System.getenv("BPFMAP_REQUIRE_KERNEL"))) {
      throw new AssertionError("gcc is absent but CI needs this test: install gcc");
    }
    Assumptions.assumeTrue(gccPresent, "gcc is absent");
    StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n");
    for (int i = 0; i < CASES.size(); i++) {
      c.append("struct s").append(i).append(" { ").append(CASES.get(i).c()).append(" };\n");
    }
    c.append("int main(void) {\n");
    for (int i = 0; i < CASES.size(); i++) {
      c.append("  printf(\"").append(i).append(" sizeof %zu\\n\", sizeof(struct s").append(i).append("));\n");
      for (String path : CASES.get(i).layout().leafPaths()) {
        c.append("  printf(\"").append(i).append(' ').append(path).append(" %zu\\n\", offsetof(struct s")
            .append(i).append(", ").append(path).append("));\n");
      }
    }
    c.append("  return 0;\n}\n");
    Path src = Files.writeString(dir.resolve("align.c"), c);
    run(List.of("gcc", "-o", dir.resolve("align").toString(), src.toString()));
    Map<String, Integer> out = new HashMap<>();
    for (String line : run(List.of(dir.resolve("align").toString()))) {
      int sp = line.lastIndexOf(' ');
      out.put(line.substring(0, sp), Integer.parseInt(line.substring(sp + 1)));
    }
    return out;
  }

  private static List<String> run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(cmd.getFirst() + " failed: " + out);
    }
    return new ArrayList<>(out.lines().toList());
  }
}

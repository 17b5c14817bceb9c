package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.btf.Btf;
import io.bpfmap.core.btf.BtfKind;
import io.bpfmap.core.btf.BtfLayouts;
import io.bpfmap.core.btf.CDecl;
import io.bpfmap.core.record.RecordLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the launcher's AOT cache ({@code java -XX:AOTCacheOutput=… -cp bpfmap.jar
 * io.bpfmap.exporter.AotTraining}): the one-shot commands, run as a user runs them, so that the
 * JVM records the classes they load and link. They work on a map of their own, created here and
 * never pinned: it is gone when this process exits. Without the right to create maps, the
 * commands run their error paths, and the cache still holds most of what they load.
 */
final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream());
    System.setOut(none);
    System.setErr(none);
    try {
      for (List<String> command : commands()) {
        Main.run(command.toArray(String[]::new));
      }
      btf();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** What a map's BTF costs a command: the parser, layouts of structs with bitfields, C declarations. */
  private static void btf() {
    try {
      Btf vmlinux = Btf.parse(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")));
      for (String name : List.of("iphdr", "tcphdr", "ethhdr", "in6_addr")) {
        vmlinux.find(BtfKind.STRUCT, name).ifPresent(t -> {
          RecordLayout layout = BtfLayouts.layout(vmlinux, t.id(), "value");
          layout.jsonWriter().toJson(new byte[layout.size()]);
          CDecl.of(vmlinux, t.id());
        });
      }
    } catch (IOException | BpfException noKernelBtf) {
      // a kernel without BTF: its maps have none either
    }
  }

  private static List<List<String>> commands() {
    List<List<String>> commands = new ArrayList<>();
    String map = "id:0";
    try {
      BpfMap trained = BpfMap.create(MapSpec.of(MapType.HASH, "bpfmap_aot", 8, 16, 64));
      map = "id:" + trained.info().id(); // held open until exit, not closed: the commands open it by id
    } catch (BpfException cannot) {
      // no CAP_BPF: the commands below fail at their first kernel call, as they would for the user
    }
    String key = "--key-layout=[[\"src\",\"I\"],[\"port\",\"H\"],[\"pad\",\"2x\"]]";
    String value = "--value-layout=[[\"packets\",\"Q\"],[\"bytes\",\"Q\"]]";
    for (int i = 0; i < 32; i++) {
      commands.add(List.of("update", map, key, value, "--key={\"src\":" + i + ",\"port\":443}",
          "--value={packets: " + i + ", bytes: " + (1500 * i) + "}"));
    }
    commands.add(List.of("update", map, "--key=0100000000000000", "--value=" + "00".repeat(16)));
    commands.add(List.of("lookup", map, key, value, "--key={\"src\":1,\"port\":443}"));
    commands.add(List.of("lookup", map, "--key=0100000000000000"));
    commands.add(List.of("lookup", map, key, value, "--mask={packets: R, bytes: X}", "--key={\"src\":1,\"port\":443}"));
    commands.add(List.of("dump", map, key, value));
    commands.add(List.of("dump", map));
    commands.add(List.of("info", map));
    commands.add(List.of("info", map, "--c"));
    commands.add(List.of("delete", map, key, "--key={\"src\":2,\"port\":443}"));
    commands.add(List.of("maps"));
    commands.add(List.of("lookup", "/sys/fs/bpf/bpfmap-aot-missing", "--key=00"));
    for (String name : List.of("create", "load", "maps", "info", "update", "lookup", "delete", "dump")) {
      commands.add(List.of(name, "--help"));
    }
    commands.add(List.of("--help"));
    return commands;
  }
}

package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Load a BPF object (clang -g -target bpf) and pin its maps, which carry its BTF, as DIR/NAME; "
        + "prints each pinned map as a JSON line. Its programs are not attached, and unload when the command exits.",
    footer = {"", "Example:", "  bpfmap load flows.bpf.o --pin /sys/fs/bpf/demo && bpfmap dump /sys/fs/bpf/demo/btf_flows"})
final class LoadCommand implements Callable<Integer> {
  @Parameters(paramLabel = "OBJECT", description = "The ELF object file.")
  Path object;

  @Option(names = "--pin", required = true, paramLabel = "DIR", description = "A directory on bpffs for the maps (created if needed).")
  Path dir;

  @Override
  public Integer call() {
    try (BpfObject obj = BpfObject.open(object)) {
      obj.pinMaps(dir);
      Render render = new Render();
      for (String name : obj.mapNames()) {
        if (!name.contains(".")) {
          BpfMap m = obj.map(name);
          System.out.println(render.info(m.info(), null, java.util.List.of(dir.resolve(name))));
        }
      }
    }
    return 0;
  }
}

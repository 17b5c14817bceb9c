package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

final class LoadCommand implements Callable<Integer> {
  static final Command.Opt OBJECT = Command.Opt.param("OBJECT", "The ELF object file.");
  static final Command.Opt PIN = Command.Opt.value("--pin", "DIR",
      "A directory on bpffs for the maps (created if needed).").asRequired();
  static final Command COMMAND = new Command("load",
      "Load a BPF object (clang -g -target bpf) and pin its maps, which carry its BTF, as DIR/NAME; "
          + "prints each pinned map as a JSON line. Its programs are not attached, and unload when the command exits.",
      List.of(OBJECT, PIN),
      List.of("", "Example:", "  bpfmap load flows.bpf.o --pin /sys/fs/bpf/demo && bpfmap dump /sys/fs/bpf/demo/btf_flows"),
      LoadCommand::new);

  private final Path object;
  private final Path dir;

  private LoadCommand(Args a) {
    object = a.path(OBJECT);
    dir = a.path(PIN);
  }

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

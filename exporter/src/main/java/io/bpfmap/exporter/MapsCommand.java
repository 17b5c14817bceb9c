package io.bpfmap.exporter;

import io.bpfmap.core.KernelMaps;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "maps", mixinStandardHelpOptions = true,
    description = "List every map of the system as JSON Lines (like bpftool map list): id, type, name, sizes, flags, BTF id, pins.",
    footer = {"", "Example:", "  bpfmap maps | jq -c 'select(.name == \"flows\")'"})
final class MapsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    Render render = new Render();
    for (KernelMaps.Listed m : KernelMaps.listWithPins()) {
      System.out.println(render.info(m.info(), null, m.pins()));
    }
    return 0;
  }
}

package io.bpfmap.exporter;

import io.bpfmap.core.KernelMaps;
import java.util.List;
import java.util.concurrent.Callable;

final class MapsCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("maps",
      "List every map of the system as JSON Lines (like bpftool map list): id, type, name, sizes, flags, BTF id, pins.",
      List.of(), List.of("", "Example:", "  bpfmap maps | jq -c 'select(.name == \"flows\")'"), a -> new MapsCommand());
  @Override
  public Integer call() {
    Render render = new Render();
    for (KernelMaps.Listed m : KernelMaps.listWithPins()) {
      System.out.println(render.info(m.info(), null, m.pins()));
    }
    return 0;
  }
}

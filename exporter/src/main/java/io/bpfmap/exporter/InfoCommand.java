package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapBtf;
import io.bpfmap.core.OpenMode;
import java.util.List;
import java.util.concurrent.Callable;

final class InfoCommand implements Callable<Integer> {
  static final Command.Opt C = Command.Opt.flag("--c", "Print the key and value types as C declarations instead (from BTF).");
  static final Command COMMAND = new Command("info",
      "Print a map's info as one JSON object: id, type, name, sizes, flags, and its BTF types as C.",
      Command.options(MapArg.OPTIONS, List.of(C)),
      List.of("", "Examples:", "  bpfmap info /sys/fs/bpf/flows", "  bpfmap info name:flows --c"), InfoCommand::new);

  private final MapArg target;
  private final boolean c;

  private InfoCommand(Args a) {
    target = new MapArg(a);
    c = a.flag(C);
  }

  @Override
  public Integer call() {
    try (BpfMap map = target.open(OpenMode.READ_ONLY)) {
      MapBtf btf = map.btf().orElse(null);
      if (c) {
        if (btf == null) {
          throw new CliException("map '" + map.name() + "' has no BTF: there are no types to print");
        }
        System.out.println(btf.c());
      } else {
        System.out.println(new Render().info(map.info(), btf, null));
      }
    }
    return 0;
  }
}

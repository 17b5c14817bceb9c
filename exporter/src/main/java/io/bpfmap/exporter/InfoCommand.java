package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapBtf;
import io.bpfmap.core.OpenMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Print a map's info as one JSON object: id, type, name, sizes, flags, and its BTF types as C.",
    footer = {"", "Examples:", "  bpfmap info /sys/fs/bpf/flows", "  bpfmap info name:flows --c"})
final class InfoCommand implements Callable<Integer> {
  @Mixin
  MapArg target;

  @Option(names = "--c", description = "Print the key and value types as C declarations instead (from BTF).")
  boolean c;

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

package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Print a pinned map's info as one JSON object.",
    footer = {"", "Example:", "  bpfmap info /sys/fs/bpf/flows"})
final class InfoCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PIN")
  Path pin;

  @Override
  public Integer call() {
    try (BpfMap map = BpfMap.openPinned(pin, OpenMode.READ_ONLY)) {
      System.out.println(new Render().info(map.info()));
    }
    return 0;
  }
}

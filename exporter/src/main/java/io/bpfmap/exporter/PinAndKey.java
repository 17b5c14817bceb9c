package io.bpfmap.exporter;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The pin and the key of the commands that act on one entry. */
final class PinAndKey {
  @Parameters(paramLabel = "PIN", description = "The pinned map.")
  Path pin;

  @Option(names = "--key", required = true, paramLabel = "K", description = "Hex bytes, or JSON/YAML with --key-layout.")
  String key;
}
